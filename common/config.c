/* The configuration table and its parser (inih).  Unknown sections or keys
 * and out-of-range values are errors naming the line: a typo in crmx.conf
 * must not be silently ignored. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ini.h>

#include "config.h"

enum conf_type { CONF_STRING, CONF_INT, CONF_BOOL, CONF_DOUBLE };

struct conf_entry {
	const char	*section;
	const char	*key;
	enum conf_type	 type;
	size_t		 offset;
	const char	*defval;
	double		 min, max;	/* for numbers */
};

#define F(field) offsetof(struct crmx_config, field)

static const struct conf_entry conf_table[] = {
	{ "database", "conninfo", CONF_STRING, F(db_conninfo), "", 0, 0 },
	{ "database", "read_conninfo", CONF_STRING, F(db_read_conninfo), "", 0, 0 },
	{ "database", "statement_timeout_ms", CONF_INT, F(db_statement_timeout_ms), "5000", 0, 3600000 },
	{ "database", "connect_timeout_s", CONF_INT, F(db_connect_timeout_s), "5", 1, 600 },

	{ "log", "level", CONF_STRING, F(log_level), "info", 0, 0 },
	{ "log", "syslog", CONF_BOOL, F(log_syslog), "no", 0, 0 },

	{ "metrics", "window_days", CONF_INT, F(metrics_window_days), "365", 1, 36500 },
	{ "metrics", "stall_days", CONF_INT, F(metrics_stall_days), "14", 1, 3650 },
	{ "metrics", "horizon_weeks", CONF_INT, F(metrics_horizon_weeks), "52", 1, 520 },
	{ "metrics", "discount_monthly", CONF_DOUBLE, F(metrics_discount_monthly), "0.01", 0, 1 },
	{ "metrics", "margin", CONF_DOUBLE, F(metrics_margin), "1.0", 0, 1 },
	{ "metrics", "currency", CONF_STRING, F(metrics_currency), "CNY", 0, 0 },

	{ "fcgi", "listen", CONF_STRING, F(fcgi_listen), "", 0, 0 },
	{ "fcgi", "workers", CONF_INT, F(fcgi_workers), "4", 1, 256 },
	{ "fcgi", "page_size_max", CONF_INT, F(fcgi_page_size_max), "200", 1, 10000 },
	{ "fcgi", "body_max", CONF_INT, F(fcgi_body_max), "65536", 1024, 16777216 },
	{ "fcgi", "csrf_secret", CONF_STRING, F(fcgi_csrf_secret), "", 0, 0 },
	{ "fcgi", "cache_mb", CONF_INT, F(fcgi_cache_mb), "32", 0, 65536 },
	/* at most an hour: a kept form's CSRF token must stay good (12 h) */
	{ "fcgi", "cache_max_age_s", CONF_INT, F(fcgi_cache_max_age_s), "300", 1, 3600 },

	{ "reportd", "listen", CONF_STRING, F(reportd_listen), "127.0.0.1:8091", 0, 0 },
	{ "reportd", "schedule", CONF_STRING, F(reportd_schedule), "mon 06:00", 0, 0 },
	{ "reportd", "timezone", CONF_STRING, F(reportd_timezone), "UTC", 0, 0 },
	{ "reportd", "report_dir", CONF_STRING, F(reportd_report_dir), "/var/lib/crmx/reports", 0, 0 },
	{ "reportd", "gnuplot", CONF_STRING, F(reportd_gnuplot), "/usr/bin/gnuplot", 0, 0 },
	{ "reportd", "gnuplot_timeout_s", CONF_INT, F(reportd_gnuplot_timeout_s), "20", 1, 600 },
	{ "reportd", "gnuplot_jobs", CONF_INT, F(reportd_gnuplot_jobs), "4", 1, 64 },
	{ "reportd", "allow_run_from", CONF_STRING, F(reportd_allow_run_from), "127.0.0.1 ::1", 0, 0 },
	{ "reportd", "language", CONF_STRING, F(reportd_language), "en", 0, 0 },
	{ "reportd", "retry_s", CONF_INT, F(reportd_retry_s), "300", 1, 86400 },
	{ "reportd", "max_connections", CONF_INT, F(reportd_max_connections), "512", 16, 65536 },
	{ "reportd", "request_timeout_s", CONF_INT, F(reportd_request_timeout_s), "10", 1, 3600 },
	{ "reportd", "waiting_per_address", CONF_INT, F(reportd_waiting_per_address), "16", 0, 65536 },

	{ "mail", "transport", CONF_STRING, F(mail_transport), "off", 0, 0 },
	{ "mail", "smtp_url", CONF_STRING, F(mail_smtp_url), "smtp://localhost:25", 0, 0 },
	{ "mail", "starttls", CONF_STRING, F(mail_starttls), "yes", 0, 0 },
	{ "mail", "tls_verify", CONF_BOOL, F(mail_tls_verify), "yes", 0, 0 },
	{ "mail", "username", CONF_STRING, F(mail_username), "", 0, 0 },
	{ "mail", "password", CONF_STRING, F(mail_password), "", 0, 0 },
	{ "mail", "password_file", CONF_STRING, F(mail_password_file), "", 0, 0 },
	{ "mail", "sendmail", CONF_STRING, F(mail_sendmail), "/usr/sbin/sendmail", 0, 0 },
	{ "mail", "from", CONF_STRING, F(mail_from), "", 0, 0 },
	{ "mail", "recipients", CONF_STRING, F(mail_recipients), "", 0, 0 },
	{ "mail", "recipients_en", CONF_STRING, F(mail_recipients_en), "", 0, 0 },
	{ "mail", "recipients_zh_CN", CONF_STRING, F(mail_recipients_zh_CN), "", 0, 0 },
	{ "mail", "report_base_url", CONF_STRING, F(mail_report_base_url), "", 0, 0 },
	{ "mail", "timeout_s", CONF_INT, F(mail_timeout_s), "60", 1, 3600 },
	{ "mail", "retry_max", CONF_INT, F(mail_retry_max), "8", 1, 100 },
	{ "mail", "retry_base_s", CONF_INT, F(mail_retry_base_s), "300", 1, 86400 },
	{ "mail", "retry_cap_s", CONF_INT, F(mail_retry_cap_s), "21600", 1, 604800 },
};

#define CONF_N (sizeof conf_table / sizeof conf_table[0])

static void *
field(struct crmx_config *cfg, const struct conf_entry *e)
{
	return (char *)cfg + e->offset;
}

static const void *
cfield(const struct crmx_config *cfg, const struct conf_entry *e)
{
	return (const char *)cfg + e->offset;
}

static int
parse_bool(const char *v, bool *out)
{
	static const char *const yes[] = { "1", "yes", "true", "on" };
	static const char *const no[] = { "0", "no", "false", "off" };
	for (size_t i = 0; i < 4; i++) {
		if (strcasecmp(v, yes[i]) == 0) { *out = true; return 0; }
		if (strcasecmp(v, no[i]) == 0) { *out = false; return 0; }
	}
	return -1;
}

/* Stores value into the entry's field; on error writes why into err. */
static int
set_entry(struct crmx_config *cfg, const struct conf_entry *e, const char *value,
          char *err, size_t errlen)
{
	char *end;
	switch (e->type) {
	case CONF_STRING: {
		char *copy = strdup(value);
		if (copy == NULL) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		char **p = field(cfg, e);
		free(*p);
		*p = copy;
		return 0;
	}
	case CONF_INT: {
		errno = 0;
		long v = strtol(value, &end, 10);
		if (errno || end == value || *end != '\0' || v < e->min || v > e->max) {
			snprintf(err, errlen, "%s.%s: expected a whole number from %.0f to %.0f, got \"%s\"",
			         e->section, e->key, e->min, e->max, value);
			return -1;
		}
		*(int *)field(cfg, e) = (int)v;
		return 0;
	}
	case CONF_DOUBLE: {
		errno = 0;
		double v = strtod(value, &end);
		if (errno || end == value || *end != '\0' || !isfinite(v) || v < e->min || v > e->max) {
			snprintf(err, errlen, "%s.%s: expected a number from %g to %g, got \"%s\"",
			         e->section, e->key, e->min, e->max, value);
			return -1;
		}
		*(double *)field(cfg, e) = v;
		return 0;
	}
	case CONF_BOOL:
		if (parse_bool(value, field(cfg, e)) != 0) {
			snprintf(err, errlen, "%s.%s: expected yes or no, got \"%s\"",
			         e->section, e->key, value);
			return -1;
		}
		return 0;
	}
	snprintf(err, errlen, "%s.%s: unknown type", e->section, e->key);
	return -1;
}

static const struct conf_entry *
find_entry(const char *section, const char *key)
{
	for (size_t i = 0; i < CONF_N; i++)
		if (strcmp(conf_table[i].section, section) == 0 &&
		    strcmp(conf_table[i].key, key) == 0)
			return &conf_table[i];
	return NULL;
}

void
config_defaults(struct crmx_config *cfg)
{
	char err[256];
	memset(cfg, 0, sizeof *cfg);
	for (size_t i = 0; i < CONF_N; i++)
		if (set_entry(cfg, &conf_table[i], conf_table[i].defval, err, sizeof err) != 0)
			abort();	/* a bad default is a programming error */
}

struct load_ctx {
	struct crmx_config *cfg;
	char	*err;
	size_t	 errlen;
	int	 failed;
};

static int
conf_handler(void *user, const char *section, const char *name, const char *value)
{
	struct load_ctx *ctx = user;
	if (ctx->failed)	/* keep the first error: inih reports its line */
		return 0;
	const struct conf_entry *e = find_entry(section, name);
	if (e == NULL) {
		snprintf(ctx->err, ctx->errlen, "unknown setting \"%s\" in section [%s]",
		         name, section);
		ctx->failed = 1;
		return 0;
	}
	if (set_entry(ctx->cfg, e, value, ctx->err, ctx->errlen) != 0) {
		ctx->failed = 1;
		return 0;
	}
	return 1;
}

int
config_load(struct crmx_config *cfg, const char *path, char *err, size_t errlen)
{
	char why[512] = "";
	struct load_ctx ctx = { cfg, why, sizeof why, 0 };
	FILE *f = fopen(path, "r");
	if (f == NULL) {
		snprintf(err, errlen, "config %s: %s", path, strerror(errno));
		return -1;
	}
	int rc = ini_parse_file(f, conf_handler, &ctx);
	fclose(f);
	if (rc != 0) {
		if (rc > 0)
			snprintf(err, errlen, "config %s line %d: %s", path, rc,
			         ctx.failed ? why : "syntax error");
		else
			snprintf(err, errlen, "config %s: cannot read", path);
		return -1;
	}
	return 0;
}

int
config_set(struct crmx_config *cfg, const char *dotted, const char *value,
           char *err, size_t errlen)
{
	const char *dot = strchr(dotted, '.');
	char section[64];
	if (dot == NULL || (size_t)(dot - dotted) >= sizeof section) {
		snprintf(err, errlen, "--set expects section.key=value, got \"%s\"", dotted);
		return -1;
	}
	memcpy(section, dotted, (size_t)(dot - dotted));
	section[dot - dotted] = '\0';
	const struct conf_entry *e = find_entry(section, dot + 1);
	if (e == NULL) {
		snprintf(err, errlen, "unknown setting \"%s\"", dotted);
		return -1;
	}
	return set_entry(cfg, e, value, err, errlen);
}

const char *
config_default_path(const char *from_cmdline)
{
	if (from_cmdline != NULL)
		return from_cmdline;
	const char *env = getenv("CRMX_CONF");
	if (env != NULL && *env != '\0')
		return env;
	if (access(CRMX_SYSCONFDIR "/crmx.conf", R_OK) == 0)
		return CRMX_SYSCONFDIR "/crmx.conf";
	return NULL;
}

void
config_print(const struct crmx_config *cfg, FILE *out)
{
	const char *section = "";
	for (size_t i = 0; i < CONF_N; i++) {
		const struct conf_entry *e = &conf_table[i];
		if (strcmp(section, e->section) != 0) {
			fprintf(out, "%s[%s]\n", i ? "\n" : "", e->section);
			section = e->section;
		}
		switch (e->type) {
		case CONF_STRING:
			/* Secrets stay out of --print-config output and logs. */
			fprintf(out, "%s = %s\n", e->key,
			        strcmp(e->key, "password") == 0 && **(char *const *)cfield(cfg, e) ?
			        "(set)" : *(char *const *)cfield(cfg, e));
			break;
		case CONF_INT:
			fprintf(out, "%s = %d\n", e->key, *(const int *)cfield(cfg, e));
			break;
		case CONF_DOUBLE:
			fprintf(out, "%s = %g\n", e->key, *(const double *)cfield(cfg, e));
			break;
		case CONF_BOOL:
			fprintf(out, "%s = %s\n", e->key, *(const bool *)cfield(cfg, e) ? "yes" : "no");
			break;
		}
	}
}

void
config_free(struct crmx_config *cfg)
{
	for (size_t i = 0; i < CONF_N; i++)
		if (conf_table[i].type == CONF_STRING) {
			char **p = field(cfg, &conf_table[i]);
			free(*p);
			*p = NULL;
		}
}
