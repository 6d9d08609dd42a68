/* Runs gnuplot children for the charts (see gnuplot.h). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "gnuplot.h"
#include "i18n.h"
#include "log.h"
#include "util.h"

/* The first line of gnuplot's own error output, for the report. */
static void
first_error(const char *dir, char *out, size_t len)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/gnuplot.log", dir);
	char *text = slurp(path, NULL);
	out[0] = '\0';
	if (text == NULL)
		return;
	const char *best = NULL;
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		while (*line == ' ' || *line == '^')
			line++;
		if (*line == '\0')
			continue;
		if (best == NULL || strstr(line, "line ") != NULL) {
			best = line;
			if (strstr(line, "line ") != NULL)
				break;
		}
	}
	if (best)
		snprintf(out, len, "%.200s", best);
	free(text);
}

static int
start(const char *gnuplot, struct gp_job *j)
{
	int p[2];
	char logpath[4200], home[4200];
	/* Everything the child needs is made before fork: after it, only
	 * async-signal-safe calls. */
	snprintf(logpath, sizeof logpath, "%s/gnuplot.log", j->dir);
	snprintf(home, sizeof home, "HOME=%s", j->dir);
	if (pipe2(p, O_CLOEXEC) != 0)
		goto fail;
	pid_t pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		goto fail;
	}
	if (pid == 0) {
		/* Child: its own process group so that a time-out kills
		 * everything it started; a fixed argv and environment; HOME is
		 * the private directory so no ~/.gnuplot is read. */
		char a0[] = "gnuplot", e0[] = "PATH=/usr/bin:/bin", e1[] = "LANG=C.UTF-8",
		     e2[] = "LC_ALL=C.UTF-8";
		char *const argv[] = { a0, NULL };
		char *const envp[] = { e0, e1, e2, home, NULL };
		setpgid(0, 0);
		int log = open(logpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (dup2(p[0], 0) < 0 || log < 0 || dup2(log, 1) < 0 || dup2(log, 2) < 0 ||
		    chdir(j->dir) != 0)
			_exit(126);
		signal(SIGPIPE, SIG_DFL);
		execve(gnuplot, argv, envp);
		_exit(127);
	}
	close(p[0]);
	j->pid = pid;
	/* The script is small (a few KiB, under the pipe's buffer): written
	 * whole at once; a child that already died gives EPIPE, which the
	 * exit status then explains. */
	size_t off = 0;
	while (off < j->script.len) {
		ssize_t w = write(p[1], j->script.s + off, j->script.len - off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		off += (size_t)w;
	}
	close(p[1]);
	return 0;
fail:
	snprintf(j->why, sizeof j->why, _("gnuplot could not be started: %s"), strerror(errno));
	return -1;
}

static void
finish(struct gp_job *j, int status)
{
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		j->ok = 1;
	} else if (WIFEXITED(status) && WEXITSTATUS(status) >= 126) {
		snprintf(j->why, sizeof j->why, "%s", _("gnuplot could not be run"));
	} else if (WIFEXITED(status)) {
		char line[220];
		first_error(j->dir, line, sizeof line);
		snprintf(j->why, sizeof j->why, _("gnuplot failed: %s"), line);
	} else if (WIFSIGNALED(status)) {
		snprintf(j->why, sizeof j->why, _("gnuplot was killed by signal %d"), WTERMSIG(status));
	}
	j->pid = 0;
}

void
gp_run_all(const char *gnuplot, int timeout_s, struct gp_job *jobs, size_t n, int parallel)
{
	size_t next = 0, running = 0;
	if (parallel < 1)
		parallel = 1;
	for (size_t i = 0; i < n; i++) {
		jobs[i].ok = 0;
		jobs[i].why[0] = '\0';
		jobs[i].pid = 0;
	}
	if (access(gnuplot, X_OK) != 0) {
		for (size_t i = 0; i < n; i++)
			snprintf(jobs[i].why, sizeof jobs[i].why,
			         _("gnuplot is not installed or cannot be run (%s: %s)"),
			         gnuplot, strerror(errno));
		return;
	}
	while (next < n || running > 0) {
		while (next < n && running < (size_t)parallel) {
			struct gp_job *j = &jobs[next++];
			j->deadline = mono() + timeout_s;
			if (start(gnuplot, j) == 0)
				running++;
		}
		for (size_t i = 0; i < next; i++) {
			struct gp_job *j = &jobs[i];
			if (j->pid <= 0)
				continue;
			int status;
			pid_t r = waitpid(j->pid, &status, WNOHANG);
			if (r == j->pid) {
				finish(j, status);
				running--;
			} else if (r < 0 && errno != EINTR) {
				snprintf(j->why, sizeof j->why, "waitpid: %s", strerror(errno));
				j->pid = 0;
				running--;
			} else if (mono() > j->deadline) {
				kill(-j->pid, SIGKILL);
				kill(j->pid, SIGKILL);
				while (waitpid(j->pid, &status, 0) < 0 && errno == EINTR)
					;
				snprintf(j->why, sizeof j->why,
				         _("gnuplot did not finish within %d s and was stopped"), timeout_s);
				log_warn("chart: gnuplot in %s stopped after %d s", j->dir, timeout_s);
				j->pid = 0;
				running--;
			}
		}
		if (running > 0) {
			struct timespec ts = { 0, 5 * 1000 * 1000 };
			nanosleep(&ts, NULL);
		}
	}
}

void
gp_string(struct sbuf *b, const char *s)
{
	sb_raw(b, "'");
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x20 || *p == 0x7f || strchr("'\"`\\@$", *p) != NULL)
			continue;
		sb_rawn(b, (const char *)p, 1);
	}
	sb_raw(b, "'");
}

void
gp_label(struct sbuf *b, const char *s)
{
	sb_raw(b, "\"");
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			sb_raw(b, " ");
		else if (*p == '"')
			sb_raw(b, "'");
		else
			sb_rawn(b, (const char *)p, 1);
	}
	sb_raw(b, "\"");
}
