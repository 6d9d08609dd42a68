/* gnuplot as a child process: fork + execve of a fixed argv with a fixed
 * environment, no shell; the script goes in on a pipe, the child works in
 * a private directory (its data files and outputs), and is killed (with
 * its process group) when it runs past the time limit. */
#ifndef CRMX_GNUPLOT_H
#define CRMX_GNUPLOT_H

#include <stddef.h>
#include <sys/types.h>

#include "sbuf.h"

struct gp_job {
	char		 dir[4096];	/* private working directory (caller made it) */
	struct sbuf	 script;	/* caller fills; freed by the caller */
	/* results */
	int		 ok;		/* 1: gnuplot exited 0 */
	char		 why[256];	/* else why not, one line (in the current language) */
	/* internal */
	pid_t		 pid;
	double		 deadline;
};

/* Runs the jobs, at most `parallel` at a time, each limited to timeout_s.
 * Never fails as a whole: each job says how it went.  SIGPIPE must be
 * ignored by the process (a gnuplot that dies early closes the pipe). */
void gp_run_all(const char *gnuplot, int timeout_s, struct gp_job *jobs, size_t n,
                int parallel);

/* A gnuplot string literal for our own (translated) text: single-quoted,
 * with every character that gnuplot could give a meaning to (quotes,
 * backquote, backslash, @, $, control characters) dropped.  Database
 * strings never go through here: they go into data files (gp_label). */
void gp_string(struct sbuf *b, const char *s);

/* A label field of a data file: double-quoted, with quotes, tabs and
 * control characters replaced.  gnuplot reads data as data; it does not
 * run it. */
void gp_label(struct sbuf *b, const char *s);

#endif
