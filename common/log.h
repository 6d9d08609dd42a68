/* One logger for every crmx program: levels, a context prefix, stderr by
 * default (journald picks it up) or syslog when configured. */
#ifndef CRMX_LOG_H
#define CRMX_LOG_H

#include <stdbool.h>

enum log_level { LOG_LVL_ERROR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

/* progname is kept by pointer: pass a string that outlives the program. */
void log_init(const char *progname, enum log_level level, bool use_syslog);
void log_set_level(enum log_level level);
int  log_level_parse(const char *s, enum log_level *out);

void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Start-up errors: one line naming the problem, then exit(status). */
void die(int status, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));

#endif
