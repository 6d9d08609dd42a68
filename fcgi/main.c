/* crmx.fcgi: the FastCGI program behind the panels.  It listens on
 * [fcgi] listen (a unix socket path, or host:port / :port), or on the
 * socket it is handed as fd 0 (spawn-fcgi, systemd socket activation),
 * and serves with [fcgi] workers prefork processes, each with its own
 * database connection.  The parent restarts a worker that dies; a worker
 * dies with the parent (however it ended), so a new master can take the
 * socket over. */
#include <errno.h>
#include <fcgiapp.h>
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "app.h"
#include "cache.h"
#include "csrf.h"
#include "db.h"
#include "i18n.h"
#include "listen.h"
#include "log.h"
#include "records.h"
#include "routes.h"
#include "sbuf.h"
#include "util.h"

static volatile sig_atomic_t stopping;

static void
on_term(int sig)
{
	(void)sig;
	stopping = 1;
}

/* A worker stops between requests: the accept returns. */
static void
on_worker_term(int sig)
{
	(void)sig;
	stopping = 1;
	FCGX_ShutdownPending();
}

/* A worker's heap is kept between requests.  glibc gives the top of the
 * heap back to the system once more than 128 KiB of it is free, and
 * serves a block of 128 KiB or more by a mapping of its own, unmapped at
 * free: each request that reads many rows (an executive's team view:
 * 1,000 reps and 7,000 months of accuracy) then takes its memory from the
 * kernel again, a page fault for every page it touches.  Under load that
 * was 9.7% of all the machine's CPU on that page, a third of crmx.fcgi's
 * (make bench side by side: 43 and 48 requests a second, 38 and 27
 * before).
 * A worker now keeps up to 64 MiB free at the top of its heap and maps
 * blocks of 32 MiB or more only: its memory stays at its largest
 * request's, up to 64 MiB (the cache's kept pages are apart, [fcgi]
 * cache_mb). */
static void
keep_heap(void)
{
	(void)mallopt(M_TRIM_THRESHOLD, 64 << 20);	/* a sanitizer's malloc ignores both */
	(void)mallopt(M_MMAP_THRESHOLD, 32 << 20);
}

static void
usage(FILE *out)
{
	fprintf(out,
	    "usage: crmx.fcgi [OPTIONS]\n"
	    "      --check          connect to the database and exit\n"
	    "      --statements     print every SQL statement of the panels and exit\n");
}

static int check;	/* --check */
static int statements;	/* --statements */
static const struct option own_options[] = {
	{ "check", no_argument, &check, 1 },
	{ "statements", no_argument, &statements, 1 },
	{ NULL, 0, NULL, 0 },
};

/* The response gathered whole, for records_send. */
static void
gather(void *sink, const char *buf, size_t len)
{
	sb_rawn(sink, buf, len);
}

/* Reads a POST body of CONTENT_LENGTH bytes, at most [fcgi] body_max. */
static void
read_body(FCGX_Request *rq, const struct crmx_config *cfg, struct cgi_env *env)
{
	const char *cl = FCGX_GetParam("CONTENT_LENGTH", rq->envp);
	long long n = cl && *cl ? strtoll(cl, NULL, 10) : 0;
	if (n <= 0 && (env->method == NULL || strcmp(env->method, "POST") != 0))
		return;
	if (n < 0 || n > cfg->fcgi_body_max) {
		env->body_too_large = 1;
		return;
	}
	env->body = xmalloc((size_t)n + 1);
	int got = n ? FCGX_GetStr(env->body, (int)n, rq->in) : 0;
	env->body[got > 0 ? got : 0] = '\0';
}

/* 1 when REMOTE_USER appears more than once with different values
 * (FCGX_GetParam would silently take the first). */
static int
user_conflict(char **envp)
{
	const char *first = NULL;
	for (; envp && *envp; envp++) {
		if (strncmp(*envp, "REMOTE_USER=", 12) != 0)
			continue;
		if (first == NULL)
			first = *envp + 12;
		else if (strcmp(first, *envp + 12) != 0)
			return 1;
	}
	return 0;
}

static void
worker(int sock, const struct crmx_config *cfg)
{
	FCGX_Request rq;
	PGconn *conn = NULL;
	struct out o;
	struct sigaction sa = { .sa_handler = on_worker_term };
	sigaction(SIGTERM, &sa, NULL);
	cache_init((size_t)cfg->fcgi_cache_mb << 20, cfg->fcgi_cache_max_age_s);
	struct sbuf resp;	/* the response, kept between requests */
	sb_init(&resp);
	FCGX_InitRequest(&rq, sock, 0);
	while (!stopping && FCGX_Accept_r(&rq) >= 0) {
		struct cgi_env env = {
			.method = FCGX_GetParam("REQUEST_METHOD", rq.envp),
			.uri = FCGX_GetParam("REQUEST_URI", rq.envp),
			.query = FCGX_GetParam("QUERY_STRING", rq.envp),
			.remote_user = FCGX_GetParam("REMOTE_USER", rq.envp),
			.accept = FCGX_GetParam("HTTP_ACCEPT", rq.envp),
			.accept_language = FCGX_GetParam("HTTP_ACCEPT_LANGUAGE", rq.envp),
			.content_type = FCGX_GetParam("CONTENT_TYPE", rq.envp),
			.authorization = FCGX_GetParam("HTTP_AUTHORIZATION", rq.envp),
		};
		env.user_conflict = user_conflict(rq.envp);
		read_body(&rq, cfg, &env);
		route_request(&conn, cfg, &env, &o);
		write_response(&o, gather, &resp);
		if (records_send(rq.ipcFd, rq.requestId, resp.s, resp.len) != 0)
			log_info("the web server went away before the response was sent: %s",
			         strerror(errno));
		resp.len = 0;
		out_free(&o);
		FCGX_Finish_r(&rq);
	}
	struct cache_stats st;
	cache_get_stats(&st);
	if (st.hits + st.misses > 0)
		log_info("worker %d: cache hits %lu, misses %lu (%.1f%% hits), pages dropped by"
		         " changes %lu, emptied %lu times",
		         (int)getpid(), st.hits, st.misses,
		         100.0 * (double)st.hits / (double)(st.hits + st.misses), st.dropped, st.flushes);
	sb_free(&resp);
	PQfinish(conn);
	_exit(0);
}

static pid_t
spawn(int sock, const struct crmx_config *cfg)
{
	pid_t master = getpid();
	pid_t pid = fork();
	if (pid == 0) {
		/* SIGTERM when the master ends, even by SIGKILL; if it ended
		 * before this line, the parent is another process already. */
		if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() != master)
			_exit(0);
		worker(sock, cfg);
	}
	if (pid < 0)
		log_error("fork: %s", strerror(errno));
	return pid;
}

/* --check: whether the database answers. */
static int
check_database(struct crmx_config *cfg)
{
	char err[768];
	PGconn *conn = db_connect(cfg, cfg->db_conninfo, "crmx.fcgi", err, sizeof err);
	if (conn == NULL)
		die(1, "%s", err);
	log_info("database reachable (server %d)", PQserverVersion(conn));
	PQfinish(conn);
	config_free(cfg);
	return 0;
}

/* The listening socket: [fcgi] listen, else the one we were handed (0);
 * *mine identifies a unix socket file of ours, to remove only it. */
static int
open_socket(const struct crmx_config *cfg, struct stat *mine)
{
	int sock = 0;	/* handed to us */
	const char *listen = cfg->fcgi_listen;
	memset(mine, 0, sizeof *mine);
	if (listen != NULL && listen[0] != '\0') {
		char err[512];
		sock = listen_open(cfg, err, sizeof err);
		if (sock < 0)
			die(1, "%s", err);
		if (listen[0] == '/' && stat(listen, mine) != 0)
			memset(mine, 0, sizeof *mine);
	} else if (FCGX_IsCGI()) {
		die(2, "no [fcgi] listen address and standard input is not a FastCGI socket"
		       " (run under spawn-fcgi or systemd socket activation, or set fcgi.listen)");
	}
	return sock;
}

/* Starts n workers and restarts any that dies until a signal; then ends
 * them all and waits for them. */
static void
supervise(int sock, const struct crmx_config *cfg, int n)
{
	pid_t *kids = calloc((size_t)n, sizeof *kids);
	if (kids == NULL)
		die(1, "out of memory");
	struct sigaction sa = { .sa_handler = on_term };
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	for (int i = 0; i < n; i++)
		kids[i] = spawn(sock, cfg);
	const char *listen = cfg->fcgi_listen;
	log_info("serving on %s%s with %d workers", listen && *listen == ':' ? "127.0.0.1" : "",
	         listen && *listen ? listen : "the inherited socket", n);
	while (!stopping) {
		int st;
		pid_t dead = wait(&st);
		if (dead < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (int i = 0; i < n && !stopping; i++)
			if (kids[i] == dead) {
				log_warn("worker %d ended (status %d); starting another", (int)dead, st);
				sleep(1);
				kids[i] = spawn(sock, cfg);
			}
	}
	for (int i = 0; i < n; i++)
		if (kids[i] > 0)
			kill(kids[i], SIGTERM);
	while (wait(NULL) > 0)
		;
	free(kids);
}

int
main(int argc, char **argv)
{
	struct app_opts opts = { 0 };
	struct crmx_config cfg;
	const struct app_cli cli = { "crmx.fcgi", own_options, NULL, NULL, usage, 0 };

	log_init("crmx.fcgi", LOG_LVL_INFO, false);
	int st = app_parse(&cli, argc, argv, &opts);
	if (st >= 0)
		return st;
	if (statements) {	/* no configuration needed: the text is the program's */
		queries_print(stdout);
		return fflush(stdout) == 0 ? 0 : 1;
	}
	app_load(&opts, "crmx.fcgi", &cfg);
	if (check)
		return check_database(&cfg);
	i18n_init(NULL);
	/* A server that stops answering (stalled, not gone) must not hold a
	 * worker past the statement timeout: its own timeout cannot fire. */
	if (cfg.db_statement_timeout_ms > 0)
		db_set_reply_timeout(cfg.db_statement_timeout_ms + 1000);
	/* Before the fork: every worker shares the secret. */
	if (csrf_init(cfg.fcgi_csrf_secret) != 0)
		die(1, "no random source for the CSRF secret; set [fcgi] csrf_secret");
	if (FCGX_Init() != 0)
		die(1, "FastCGI library initialisation failed");
	keep_heap();
	struct stat mine, now;	/* our socket file, to remove only it */
	int sock = open_socket(&cfg, &mine);
	supervise(sock, &cfg, cfg.fcgi_workers > 0 ? cfg.fcgi_workers : 1);
	const char *listen = cfg.fcgi_listen;
	/* Another crmx.fcgi may have taken the path over since: leave its socket. */
	if (listen != NULL && listen[0] == '/' && stat(listen, &now) == 0 &&
	    now.st_ino == mine.st_ino && now.st_dev == mine.st_dev)
		unlink(listen);
	config_free(&cfg);
	return 0;
}
