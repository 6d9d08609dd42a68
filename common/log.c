/* The logger: "progname: level: message" on stderr, or syslog.  Messages
 * carry their context in the text ("db: ...", "run 42: ..."). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "log.h"

static const char *log_prog = "crmx";
static enum log_level log_max = LOG_LVL_INFO;
static bool log_syslog;

static const char *const level_names[] = { "error", "warning", "info", "debug" };
static const int level_prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };

void
log_init(const char *progname, enum log_level level, bool use_syslog)
{
	log_prog = progname;
	log_max = level;
	log_syslog = use_syslog;
	if (use_syslog)
		openlog(progname, LOG_PID, LOG_DAEMON);
}

void
log_set_level(enum log_level level)
{
	log_max = level;
}

int
log_level_parse(const char *s, enum log_level *out)
{
	for (size_t i = 0; i < sizeof level_names / sizeof level_names[0]; i++)
		if (strcmp(s, level_names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	return -1;
}

static void
log_v(enum log_level lvl, const char *fmt, va_list ap)
{
	if (lvl > log_max)
		return;
	if (log_syslog) {
		vsyslog(level_prio[lvl], fmt, ap);
		return;
	}
	char buf[2048];
	vsnprintf(buf, sizeof buf, fmt, ap);
	/* One write per line so that concurrent workers do not interleave. */
	fprintf(stderr, "%s: %s: %s\n", log_prog, level_names[lvl], buf);
}

#define LOG_FN(name, lvl) \
	void name(const char *fmt, ...) \
	{ \
		va_list ap; \
		va_start(ap, fmt); \
		log_v(lvl, fmt, ap); \
		va_end(ap); \
	}

LOG_FN(log_error, LOG_LVL_ERROR)
LOG_FN(log_warn, LOG_LVL_WARN)
LOG_FN(log_info, LOG_LVL_INFO)
LOG_FN(log_debug, LOG_LVL_DEBUG)

void
die(int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_v(LOG_LVL_ERROR, fmt, ap);
	va_end(ap);
	exit(status);
}
