/* crmx.fcgi's listening socket (see listen.h).  Whoever can connect to it
 * can name any REMOTE_USER, so a unix socket is made 0600 (umask) and only
 * then given its owner, group and mode, which never include "others"
 * (config.c refuses such a mode); ":PORT" binds 127.0.0.1. */
#include <errno.h>
#include <grp.h>
#include <netdb.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "listen.h"
#include "log.h"

int
listen_somaxconn(void)
{
	FILE *f = fopen("/proc/sys/net/core/somaxconn", "r");
	int v = -1;
	if (f == NULL)
		return -1;
	if (fscanf(f, "%d", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/* A user or group name, or a number; -1 when unknown. */
static long
lookup_id(const char *name, int group)
{
	char *end;
	long v = strtol(name, &end, 10);
	if (name[0] >= '0' && name[0] <= '9' && *end == '\0')
		return v;
	if (group) {
		struct group *g = getgrnam(name);
		return g ? (long)g->gr_gid : -1;
	}
	struct passwd *p = getpwnam(name);
	return p ? (long)p->pw_uid : -1;
}

static int
open_unix(const struct crmx_config *cfg, char *err, size_t errlen)
{
	const char *path = cfg->fcgi_listen;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	if (strlen(path) >= sizeof sa.sun_path) {
		snprintf(err, errlen, "[fcgi] listen: the socket path is longer than %zu bytes: %s",
		         sizeof sa.sun_path - 1, path);
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	long uid = -1, gid = -1;
	if (cfg->fcgi_socket_owner[0] && (uid = lookup_id(cfg->fcgi_socket_owner, 0)) < 0) {
		snprintf(err, errlen, "[fcgi] socket_owner: no user \"%s\"", cfg->fcgi_socket_owner);
		return -1;
	}
	if (cfg->fcgi_socket_group[0] && (gid = lookup_id(cfg->fcgi_socket_group, 1)) < 0) {
		snprintf(err, errlen, "[fcgi] socket_group: no group \"%s\"", cfg->fcgi_socket_group);
		return -1;
	}
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			snprintf(err, errlen, "[fcgi] listen: %s exists and is not a socket", path);
			return -1;
		}
		unlink(path);	/* a stale socket of a previous run */
	}
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	mode_t old = umask(0177);	/* nobody else in before the chmod */
	int rc = bind(fd, (struct sockaddr *)&sa, sizeof sa);
	umask(old);
	const char *what = "bind";
	if (rc == 0 && (uid >= 0 || gid >= 0) && (what = "chown",
	    chown(path, (uid_t)uid, (gid_t)gid) != 0))
		rc = -1;
	if (rc == 0 && (what = "chmod", chmod(path, (mode_t)cfg->fcgi_socket_mode) != 0))
		rc = -1;
	if (rc == 0 && (what = "listen", listen(fd, cfg->fcgi_backlog) != 0))
		rc = -1;
	if (rc != 0) {
		snprintf(err, errlen, "cannot listen on %s: %s: %s", path, what, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static int
open_tcp(const struct crmx_config *cfg, char *err, size_t errlen)
{
	char host[256], why[200], port[8];
	unsigned p;
	if (config_parse_hostport(cfg->fcgi_listen, host, sizeof host, &p, 1, why, sizeof why) != 0) {
		snprintf(err, errlen, "[fcgi] listen: %s", why);
		return -1;
	}
	snprintf(port, sizeof port, "%u", p);
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE }, *ai;
	int gai = getaddrinfo(host[0] ? host : "127.0.0.1", port, &hints, &ai);
	if (gai != 0) {
		snprintf(err, errlen, "[fcgi] listen %s: %s", cfg->fcgi_listen, gai_strerror(gai));
		return -1;
	}
	int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
	int one = 1;
	const char *what = "socket";
	if (fd >= 0 && (what = "bind",
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 ||
	    (what = "listen", listen(fd, cfg->fcgi_backlog) != 0))) {
		int e = errno;
		close(fd);
		fd = -1;
		errno = e;
	}
	freeaddrinfo(ai);
	if (fd < 0)
		snprintf(err, errlen, "cannot listen on %s%s: %s: %s", host[0] ? "" : "127.0.0.1",
		         cfg->fcgi_listen, what, strerror(errno));
	return fd;
}

int
listen_open(const struct crmx_config *cfg, char *err, size_t errlen)
{
	int max = listen_somaxconn();
	if (max > 0 && cfg->fcgi_backlog > max)
		log_warn("[fcgi] backlog %d is above net.core.somaxconn (%d), which caps it: raise"
		         " that (sysctl -w net.core.somaxconn=%d) or requests beyond it fail (502)",
		         cfg->fcgi_backlog, max, cfg->fcgi_backlog);
	return cfg->fcgi_listen[0] == '/' ? open_unix(cfg, err, errlen) : open_tcp(cfg, err, errlen);
}
