/* Sends one report mail.  SMTP: libcurl's SMTP with a curl_mime tree
 * (mixed > related > alternative), STARTTLS and login from [mail].
 * sendmail: the same message as text (mailraw.c) written to
 * "sendmail -t -oi -f FROM" started with fork + execve, no shell, a fixed
 * argv and environment, and a time limit ([mail] timeout_s) on the whole
 * exchange: the pipe is written without blocking, and at the limit the
 * child's process group is killed and reaped. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "clock.h"
#include "log.h"
#include "transport.h"
#include "util.h"

int
transport_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

void
transport_cleanup(void)
{
	curl_global_cleanup();
}

/* The password: password_file's first line beats password. */
static char *
smtp_password(const struct crmx_config *cfg, struct send_result *r)
{
	if (cfg->mail_password_file[0] == '\0')
		return xstrdup(cfg->mail_password);
	char *s = slurp(cfg->mail_password_file, NULL);
	if (s == NULL) {
		snprintf(r->error, sizeof r->error, "mail.password_file %s: %s",
		         cfg->mail_password_file, strerror(errno));
		return NULL;
	}
	s[strcspn(s, "\r\n")] = '\0';
	return s;
}

/* A part carrying a file, with its own header lines. */
static int
file_part(curl_mime *mime, const struct mail_file *f, const char *type, int inline_part)
{
	curl_mimepart *p = curl_mime_addpart(mime);
	struct curl_slist *h = NULL, *t;
	char line[512];
	if (p == NULL || curl_mime_filedata(p, f->path) != CURLE_OK ||
	    curl_mime_type(p, type) != CURLE_OK || curl_mime_encoder(p, "base64") != CURLE_OK)
		return -1;
	if (inline_part) {
		snprintf(line, sizeof line, "Content-ID: <%s>", f->cid);
		if ((t = curl_slist_append(h, line)) == NULL)
			goto fail;
		h = t;
		/* Our own disposition: libcurl would call it an attachment. */
		char name[200];
		size_t k = 0;
		for (const char *c = f->name; *c && k < sizeof name - 1; c++)
			name[k++] = (isalnum((unsigned char)*c) || *c == '.' || *c == '-') ? *c : '_';
		name[k] = '\0';
		snprintf(line, sizeof line, "Content-Disposition: inline; filename=\"%s\"", name);
		if ((t = curl_slist_append(h, line)) == NULL)
			goto fail;
		h = t;
		if (curl_mime_filename(p, NULL) != CURLE_OK)
			goto fail;
	} else if (curl_mime_filename(p, f->name) != CURLE_OK)
		goto fail;
	if (h != NULL && curl_mime_headers(p, h, 1) != CURLE_OK)
		goto fail;
	return 0;
fail:
	curl_slist_free_all(h);
	return -1;
}

static int
text_part(curl_mime *mime, const char *body, const char *type)
{
	curl_mimepart *p = curl_mime_addpart(mime);
	return p != NULL && curl_mime_data(p, body, CURL_ZERO_TERMINATED) == CURLE_OK &&
	    curl_mime_type(p, type) == CURLE_OK &&
	    curl_mime_encoder(p, "quoted-printable") == CURLE_OK ? 0 : -1;
}

/* mixed [ related [ alternative [text, html], images ], CSV files ]. */
static curl_mime *
build_mime(CURL *c, const struct mail_message *m)
{
	curl_mime *mixed = curl_mime_init(c), *related = NULL, *alt = NULL;
	curl_mimepart *p;
	if (mixed == NULL)
		return NULL;
	if ((alt = curl_mime_init(c)) == NULL ||
	    text_part(alt, m->text, "text/plain; charset=utf-8") != 0 ||
	    text_part(alt, m->html, "text/html; charset=utf-8") != 0)
		goto fail;
	if ((related = curl_mime_init(c)) == NULL || (p = curl_mime_addpart(related)) == NULL ||
	    curl_mime_subparts(p, alt) != CURLE_OK)
		goto fail;
	alt = NULL;	/* owned by related now */
	if (curl_mime_type(p, "multipart/alternative") != CURLE_OK)
		goto fail;
	for (size_t i = 0; i < m->nimages; i++)
		if (file_part(related, &m->images[i], "image/png", 1) != 0)
			goto fail;
	if ((p = curl_mime_addpart(mixed)) == NULL || curl_mime_subparts(p, related) != CURLE_OK)
		goto fail;
	related = NULL;
	if (curl_mime_type(p, "multipart/related") != CURLE_OK)
		goto fail;
	for (size_t i = 0; i < m->nattachments; i++)
		if (file_part(mixed, &m->attachments[i], "text/csv; charset=utf-8", 0) != 0)
			goto fail;
	return mixed;
fail:
	curl_mime_free(alt);
	curl_mime_free(related);
	curl_mime_free(mixed);
	return NULL;
}

/* The transfer's settings from [mail]: URL, envelope, headers and body,
 * TLS, time limits; errors into errbuf (CURL_ERROR_SIZE). */
static void
smtp_options(CURL *c, const struct crmx_config *cfg, const char *from_arg, struct curl_slist *rcpt,
             struct curl_slist *hdrs, curl_mime *mime, char *errbuf)
{
	long use_ssl = strcmp(cfg->mail_starttls, "required") == 0 ? CURLUSESSL_ALL :
	    strcmp(cfg->mail_starttls, "yes") == 0 ? CURLUSESSL_TRY : CURLUSESSL_NONE;
	curl_easy_setopt(c, CURLOPT_URL, cfg->mail_smtp_url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, from_arg);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(c, CURLOPT_MIMEPOST, mime);
	curl_easy_setopt(c, CURLOPT_USE_SSL, use_ssl);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, cfg->mail_tls_verify ? 1L : 0L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, cfg->mail_tls_verify ? 2L : 0L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)cfg->mail_timeout_s);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)(cfg->mail_timeout_s < 30 ? cfg->mail_timeout_s : 30));
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
}

static int
send_smtp(const struct crmx_config *cfg, const struct mail_message *m, const char *to,
          char **headers, const char *envelope_from, struct send_result *r)
{
	int rc = -1;
	CURL *c = curl_easy_init();
	curl_mime *mime = NULL;
	struct curl_slist *rcpt = NULL, *hdrs = NULL, *t;
	char *password = NULL, errbuf[CURL_ERROR_SIZE] = "", from_arg[300], rcpt_arg[300];

	if (c == NULL) {
		snprintf(r->error, sizeof r->error, "cannot start libcurl");
		goto out;
	}
	for (size_t i = 0; headers[i]; i++) {
		if ((t = curl_slist_append(hdrs, headers[i])) == NULL)
			goto oom;
		hdrs = t;
	}
	snprintf(rcpt_arg, sizeof rcpt_arg, "<%s>", to);
	snprintf(from_arg, sizeof from_arg, "<%s>", envelope_from);
	if ((rcpt = curl_slist_append(NULL, rcpt_arg)) == NULL || (mime = build_mime(c, m)) == NULL)
		goto oom;
	smtp_options(c, cfg, from_arg, rcpt, hdrs, mime, errbuf);
	if (cfg->mail_username[0] != '\0') {
		if ((password = smtp_password(cfg, r)) == NULL)
			goto out;
		curl_easy_setopt(c, CURLOPT_USERNAME, cfg->mail_username);
		curl_easy_setopt(c, CURLOPT_PASSWORD, password);
	}
	CURLcode res = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->code);
	if (res != CURLE_OK) {
		snprintf(r->error, sizeof r->error, "%s: %s", cfg->mail_smtp_url,
		         errbuf[0] ? errbuf : curl_easy_strerror(res));
		goto out;
	}
	rc = 0;
	goto out;
oom:
	snprintf(r->error, sizeof r->error, "out of memory");
out:
	if (password) {
		explicit_bzero(password, strlen(password));
		free(password);
	}
	curl_mime_free(mime);
	curl_slist_free_all(rcpt);
	curl_slist_free_all(hdrs);
	if (c)
		curl_easy_cleanup(c);
	return rc;
}

/* Writes all of buf to fd (non-blocking), giving up at the deadline: a
 * sendmail that stops reading cannot hold the mail thread. */
static int
write_all(int fd, const char *buf, size_t len, double deadline)
{
	while (len > 0) {
		struct pollfd pf = { .fd = fd, .events = POLLOUT };
		double left = deadline - mono();
		if (left <= 0)
			return -1;
		int p = poll(&pf, 1, (int)(left * 1000) + 1);
		if (p < 0 && errno == EINTR)
			continue;
		if (p <= 0)
			return -1;
		ssize_t n = write(fd, buf, len);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* sendmail -t -oi -f SENDER in its own process group, reading fd; the
 * pid, or -1 with errno. */
static pid_t
spawn_sendmail(const struct crmx_config *cfg, const char *envelope_from, int fd)
{
	/* -t: recipients from To:; -oi: a lone "." is not the end; -f: the
	 * envelope sender.  Fixed argv and environment: no shell anywhere. */
	char opt_t[] = "-t", opt_oi[] = "-oi", opt_f[] = "-f", sender[300];
	char path_env[] = "PATH=/usr/sbin:/usr/bin:/sbin:/bin";
	snprintf(sender, sizeof sender, "%s", envelope_from);
	char *const argv[] = { cfg->mail_sendmail, opt_t, opt_oi, opt_f, sender, NULL };
	char *const envp[] = { path_env, NULL };
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	/* Its own process group, so that a timeout kills what it started
	 * too (a script's children hold the pipe). */
	setpgid(0, 0);
	int devnull = open("/dev/null", O_WRONLY);
	if (dup2(fd, 0) < 0 || devnull < 0 || dup2(devnull, 1) < 0)
		_exit(126);
	execve(cfg->mail_sendmail, argv, envp);
	_exit(127);
}

/* Reaps pid by the deadline, else kills its group: a hung sendmail must
 * not hold the daemon.  0 with its *status, or -1 with the error in r. */
static int
reap_by(pid_t pid, double deadline, int *status, const struct crmx_config *cfg,
        struct send_result *r)
{
	for (;;) {
		pid_t w = waitpid(pid, status, WNOHANG);
		if (w == pid)
			return 0;
		if (w < 0 && errno != EINTR) {
			snprintf(r->error, sizeof r->error, "waitpid: %s", strerror(errno));
			return -1;
		}
		if (mono() >= deadline) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			while (waitpid(pid, status, 0) < 0 && errno == EINTR)
				;
			snprintf(r->error, sizeof r->error, "%s did not finish within %d s",
			         cfg->mail_sendmail, cfg->mail_timeout_s);
			return -1;
		}
		usleep(20000);
	}
}

/* sendmail's exit status as a result: 0 when it took the whole message. */
static int
sendmail_verdict(int status, int wrote, const struct crmx_config *cfg, struct send_result *r)
{
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && wrote == 0)
		return 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		snprintf(r->error, sizeof r->error, "cannot run %s", cfg->mail_sendmail);
	else if (WIFEXITED(status))
		snprintf(r->error, sizeof r->error, "%s exited with status %d%s", cfg->mail_sendmail,
		         WEXITSTATUS(status), wrote ? " before reading the whole message" : "");
	else
		snprintf(r->error, sizeof r->error, "%s ended by signal %d", cfg->mail_sendmail,
		         WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	return -1;
}

static int
send_sendmail(const struct crmx_config *cfg, const struct mail_message *m,
              char **headers, const char *envelope_from, struct send_result *r)
{
	int rc = -1, in[2] = { -1, -1 }, status = 0;
	size_t len = 0;
	char *msg = mail_raw(m, headers, &len, r->error, sizeof r->error);
	if (msg == NULL)
		goto out;
	/* Our end non-blocking: a write never waits past the deadline. */
	if (pipe2(in, O_CLOEXEC) != 0 || fcntl(in[1], F_SETFL, O_NONBLOCK) != 0) {
		snprintf(r->error, sizeof r->error, "pipe: %s", strerror(errno));
		goto out;
	}
	pid_t pid = spawn_sendmail(cfg, envelope_from, in[0]);
	if (pid < 0) {
		snprintf(r->error, sizeof r->error, "fork: %s", strerror(errno));
		goto out;
	}
	setpgid(pid, pid);	/* as the child does: whichever runs first */
	close(in[0]);
	in[0] = -1;
	double deadline = mono() + cfg->mail_timeout_s;
	/* SIGPIPE is ignored process-wide (main.c): a sendmail that exits
	 * early gives EPIPE here. */
	int wrote = write_all(in[1], msg, len, deadline);
	close(in[1]);
	in[1] = -1;
	if (reap_by(pid, deadline, &status, cfg, r) == 0)
		rc = sendmail_verdict(status, wrote, cfg, r);
out:
	if (in[0] >= 0) close(in[0]);
	if (in[1] >= 0) close(in[1]);
	free(msg);
	return rc;
}

int
transport_send(const struct crmx_config *cfg, const struct mail_message *m,
               const char *to, char *msgid, size_t msgidlen, struct send_result *r)
{
	char *envelope_from = NULL;
	int rc = -1;
	memset(r, 0, sizeof *r);
	if (!mail_address_ok(to)) {
		snprintf(r->error, sizeof r->error, "\"%s\" is not an email address", to);
		return -1;
	}
	char **headers = mail_headers(m, cfg, to, &envelope_from, msgid, msgidlen);
	if (strcmp(cfg->mail_transport, "smtp") == 0)
		rc = send_smtp(cfg, m, to, headers, envelope_from, r);
	else if (strcmp(cfg->mail_transport, "sendmail") == 0)
		rc = send_sendmail(cfg, m, headers, envelope_from, r);
	else
		snprintf(r->error, sizeof r->error, "mail.transport is \"%s\": nothing sent",
		         cfg->mail_transport);
	mail_headers_free(headers);
	free(envelope_from);
	return rc;
}
