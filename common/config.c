/* The configuration table and its parser (inih).  Unknown sections or keys,
 * a key set twice, a line over CONF_LINE_MAX and out-of-range values are
 * errors naming the line: a typo in crmx.conf must not be silently
 * ignored.  Printing it hides the secrets. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ini.h>
#include <libpq-fe.h>

#include "config.h"

/* Strings that are more than strings: checked when set, or hidden when
 * printed.  CONF_LISTEN and CONF_HOSTPORT take their port range from
 * min and max. */
enum conf_type {
	CONF_STRING, CONF_INT, CONF_BOOL, CONF_DOUBLE, CONF_MODE,
	CONF_SECRET,	/* printed as "(set)" */
	CONF_CONNINFO,	/* a libpq conninfo; its password printed as "(set)" */
	CONF_URL,	/* a URL; a password in it printed as "(set)" */
	CONF_LISTEN,	/* a unix socket path, HOST:PORT, :PORT or empty */
	CONF_HOSTPORT,	/* HOST:PORT */
};

/* The longest line of crmx.conf (a long conninfo or secret fits). */
#define CONF_LINE_MAX 4096

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
	{ "database", "conninfo", CONF_CONNINFO, F(db_conninfo), "", 0, 0 },
	{ "database", "read_conninfo", CONF_CONNINFO, F(db_read_conninfo), "", 0, 0 },
	{ "database", "max_replica_lag_s", CONF_INT, F(db_max_replica_lag_s), "10", 0, 86400 },
	{ "database", "statement_timeout_ms", CONF_INT, F(db_statement_timeout_ms), "5000", 0, 3600000 },
	{ "database", "connect_timeout_s", CONF_INT, F(db_connect_timeout_s), "5", 1, 600 },

	{ "log", "level", CONF_STRING, F(log_level), "info", 0, 0 },
	{ "log", "syslog", CONF_BOOL, F(log_syslog), "no", 0, 0 },

	{ "metrics", "window_days", CONF_INT, F(metrics_window_days), "365", 1, 36500 },
	{ "metrics", "stall_days", CONF_INT, F(metrics_stall_days), "14", 1, 3650 },
	{ "metrics", "horizon_weeks", CONF_INT, F(metrics_horizon_weeks), "52", 1, 520 },
	{ "metrics", "discount_monthly", CONF_DOUBLE, F(metrics_discount_monthly), "0.01", 0, 1 },
	{ "metrics", "margin", CONF_DOUBLE, F(metrics_margin), "1.0", 0, 1 },
	{ "metrics", "holdout_weeks", CONF_INT, F(metrics_holdout_weeks), "13", 0, 520 },
	{ "metrics", "forecast_holdout_weeks", CONF_INT, F(metrics_forecast_holdout_weeks), "13", 0, 520 },
	{ "metrics", "currency", CONF_STRING, F(metrics_currency), "CNY", 0, 0 },

	{ "fcgi", "listen", CONF_LISTEN, F(fcgi_listen), "", 1, 65535 },
	{ "fcgi", "socket_owner", CONF_STRING, F(fcgi_socket_owner), "", 0, 0 },
	{ "fcgi", "socket_group", CONF_STRING, F(fcgi_socket_group), "", 0, 0 },
	{ "fcgi", "socket_mode", CONF_MODE, F(fcgi_socket_mode), "0660", 0, 0 },
	{ "fcgi", "backlog", CONF_INT, F(fcgi_backlog), "1024", 1, 65535 },
	{ "fcgi", "workers", CONF_INT, F(fcgi_workers), "4", 1, 256 },
	{ "fcgi", "page_size_max", CONF_INT, F(fcgi_page_size_max), "200", 1, 10000 },
	{ "fcgi", "search_walk_min", CONF_INT, F(fcgi_search_walk_min), "10000", 0, 10000 },
	{ "fcgi", "pipeline_top_max", CONF_INT, F(fcgi_pipeline_top_max), "2000", 0, 1000000 },
	{ "fcgi", "body_max", CONF_INT, F(fcgi_body_max), "65536", 1024, 16777216 },
	{ "fcgi", "csrf_secret", CONF_SECRET, F(fcgi_csrf_secret), "", 0, 0 },
	{ "fcgi", "cache_mb", CONF_INT, F(fcgi_cache_mb), "32", 0, 65536 },
	/* at most an hour: a kept form's CSRF token must stay good (12 h) */
	{ "fcgi", "cache_max_age_s", CONF_INT, F(fcgi_cache_max_age_s), "300", 1, 3600 },

	{ "reportd", "listen", CONF_HOSTPORT, F(reportd_listen), "127.0.0.1:8091", 0, 65535 },
	{ "reportd", "schedule", CONF_STRING, F(reportd_schedule), "mon 06:00", 0, 0 },
	{ "reportd", "timezone", CONF_STRING, F(reportd_timezone), "UTC", 0, 0 },
	{ "reportd", "report_dir", CONF_STRING, F(reportd_report_dir), "/var/lib/crmx/reports", 0, 0 },
	{ "reportd", "gnuplot", CONF_STRING, F(reportd_gnuplot), "/usr/bin/gnuplot", 0, 0 },
	{ "reportd", "gnuplot_timeout_s", CONF_INT, F(reportd_gnuplot_timeout_s), "20", 1, 600 },
	{ "reportd", "gnuplot_jobs", CONF_INT, F(reportd_gnuplot_jobs), "4", 1, 64 },
	{ "reportd", "allow_run_from", CONF_STRING, F(reportd_allow_run_from), "127.0.0.1 ::1", 0, 0 },
	{ "reportd", "language", CONF_STRING, F(reportd_language), "en", 0, 0 },
	{ "reportd", "panels_url", CONF_STRING, F(reportd_panels_url), "", 0, 0 },
	{ "reportd", "retry_s", CONF_INT, F(reportd_retry_s), "300", 1, 86400 },
	{ "reportd", "max_connections", CONF_INT, F(reportd_max_connections), "512", 16, 65536 },
	{ "reportd", "request_timeout_s", CONF_INT, F(reportd_request_timeout_s), "10", 1, 3600 },
	{ "reportd", "waiting_per_address", CONF_INT, F(reportd_waiting_per_address), "16", 0, 65536 },
	{ "reportd", "store_work_mem_mb", CONF_INT, F(reportd_store_work_mem_mb), "256", 4, 65536 },
	{ "reportd", "second_read_accounts", CONF_INT, F(reportd_second_read_accounts), "100000", 0, 1000000000 },

	{ "mail", "transport", CONF_STRING, F(mail_transport), "off", 0, 0 },
	{ "mail", "smtp_url", CONF_URL, F(mail_smtp_url), "smtp://localhost:25", 0, 0 },
	{ "mail", "starttls", CONF_STRING, F(mail_starttls), "yes", 0, 0 },
	{ "mail", "tls_verify", CONF_BOOL, F(mail_tls_verify), "yes", 0, 0 },
	{ "mail", "username", CONF_STRING, F(mail_username), "", 0, 0 },
	{ "mail", "password", CONF_SECRET, F(mail_password), "", 0, 0 },
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

int
config_parse_hostport(const char *s, char *host, size_t hostlen, unsigned *port,
                      unsigned min_port, char *err, size_t errlen)
{
	const char *colon = strrchr(s, ':');
	if (colon == NULL) {
		snprintf(err, errlen, "expected HOST:PORT or :PORT, got \"%s\"", s);
		return -1;
	}
	size_t hl = (size_t)(colon - s);
	const char *h = s;
	if (hl > 0 && s[0] == '[') {	/* [::1]:9000 */
		if (s[hl - 1] != ']') {
			snprintf(err, errlen, "expected [IPv6]:PORT, got \"%s\"", s);
			return -1;
		}
		h = s + 1;
		hl -= 2;
	} else if (memchr(s, ':', hl) != NULL) {
		snprintf(err, errlen, "an IPv6 address goes in brackets, [::1]:PORT; got \"%s\"", s);
		return -1;
	}
	if (hl >= hostlen || memchr(h, ']', hl) != NULL || memchr(h, '[', hl) != NULL) {
		snprintf(err, errlen, "bad host in \"%s\"", s);
		return -1;
	}
	const char *p = colon + 1;
	size_t digits = strspn(p, "0123456789");
	if (digits == 0 || p[digits] != '\0') {
		snprintf(err, errlen, "the port must be a number from %u to 65535, got \"%s\"",
		         min_port, s);
		return -1;
	}
	unsigned long v = digits > 6 ? 99999999ul : strtoul(p, NULL, 10);
	if (v < min_port || v > 65535) {
		snprintf(err, errlen, "port %s is out of range (%u to 65535) in \"%s\"", p, min_port, s);
		return -1;
	}
	memcpy(host, h, hl);
	host[hl] = '\0';
	*port = (unsigned)v;
	return 0;
}

static int
is_string(enum conf_type t)
{
	return t == CONF_STRING || t == CONF_SECRET || t == CONF_CONNINFO || t == CONF_URL ||
	       t == CONF_LISTEN || t == CONF_HOSTPORT;
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

/* A listen address or host:port: checked here, stored as a string. */
static int
check_hostport(const struct conf_entry *e, const char *value, char *err, size_t errlen)
{
	if (e->type == CONF_LISTEN && (value[0] == '\0' || value[0] == '/'))
		return 0;	/* none, or a unix socket path */
	char host[256], why[200];
	unsigned port;
	if (config_parse_hostport(value, host, sizeof host, &port, (unsigned)e->min,
	                          why, sizeof why) == 0)
		return 0;
	snprintf(err, errlen, "%s.%s: %s%s", e->section, e->key, why,
	         e->type == CONF_LISTEN && strchr(value, ':') == NULL ?
	         " (or a unix socket path starting with /)" : "");
	return -1;
}

static int
set_string(struct crmx_config *cfg, const struct conf_entry *e, const char *value,
           char *err, size_t errlen)
{
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

static int
set_int(struct crmx_config *cfg, const struct conf_entry *e, const char *value,
        char *err, size_t errlen)
{
	char *end;
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

static int
set_double(struct crmx_config *cfg, const struct conf_entry *e, const char *value,
           char *err, size_t errlen)
{
	char *end;
	errno = 0;
	double d = strtod(value, &end);
	if (errno || end == value || *end != '\0' || !isfinite(d) || d < e->min || d > e->max) {
		snprintf(err, errlen, "%s.%s: expected a number from %g to %g, got \"%s\"",
		         e->section, e->key, e->min, e->max, value);
		return -1;
	}
	*(double *)field(cfg, e) = d;
	return 0;
}

/* Octal permission bits; connecting needs write permission, so "others"
 * get none: any local user could claim any identity. */
static int
set_mode(struct crmx_config *cfg, const struct conf_entry *e, const char *value,
         char *err, size_t errlen)
{
	char *end;
	errno = 0;
	long v = strtol(value, &end, 8);
	if (value[0] < '0' || value[0] > '7' || errno || *end != '\0' || v < 0 || v > 0777 ||
	    (v & 0007) != 0) {
		snprintf(err, errlen, "%s.%s: expected octal permissions from 0000 to 0770 with none for"
		         " others (the world), got \"%s\"", e->section, e->key, value);
		return -1;
	}
	*(int *)field(cfg, e) = (int)v;
	return 0;
}

static int
set_bool(struct crmx_config *cfg, const struct conf_entry *e, const char *value,
         char *err, size_t errlen)
{
	if (parse_bool(value, field(cfg, e)) == 0)
		return 0;
	snprintf(err, errlen, "%s.%s: expected yes or no, got \"%s\"", e->section, e->key, value);
	return -1;
}

/* Stores value into the entry's field; on error writes why into err. */
static int
set_entry(struct crmx_config *cfg, const struct conf_entry *e, const char *value,
          char *err, size_t errlen)
{
	switch (e->type) {
	case CONF_LISTEN:
	case CONF_HOSTPORT:
		if (check_hostport(e, value, err, errlen) != 0)
			return -1;
		return set_string(cfg, e, value, err, errlen);
	case CONF_STRING:
	case CONF_SECRET:
	case CONF_CONNINFO:
	case CONF_URL:
		return set_string(cfg, e, value, err, errlen);
	case CONF_INT:
		return set_int(cfg, e, value, err, errlen);
	case CONF_DOUBLE:
		return set_double(cfg, e, value, err, errlen);
	case CONF_MODE:
		return set_mode(cfg, e, value, err, errlen);
	case CONF_BOOL:
		return set_bool(cfg, e, value, err, errlen);
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
	FILE	*f;
	char	*line;		/* the reader's buffer (getline) */
	size_t	 linecap;
	int	 lineno;	/* of the line inih works on */
	int	 set_on[CONF_N];	/* the line each setting was given on */
	char	*err;
	size_t	 errlen;
	int	 failed;	/* the line of the first error */
};

/* inih's reader: one whole line per call, so ctx->lineno is the line the
 * handler sees; a line over CONF_LINE_MAX stops the parse with an error
 * (inih would cut it and go on with its tail as the next line). */
static char *
conf_reader(char *str, int num, void *stream)
{
	struct load_ctx *ctx = stream;
	if (ctx->failed)
		return NULL;
	ssize_t n = getline(&ctx->line, &ctx->linecap, ctx->f);
	if (n < 0)
		return NULL;
	ctx->lineno++;
	size_t len = (size_t)n;
	if (len > 0 && ctx->line[len - 1] == '\n')
		len--;
	if (len > 0 && ctx->line[len - 1] == '\r')
		len--;
	if (len > CONF_LINE_MAX || (size_t)n >= (size_t)num) {
		snprintf(ctx->err, ctx->errlen, "the line is %zu characters long; the limit is %d",
		         len, CONF_LINE_MAX);
		ctx->failed = ctx->lineno;
		return NULL;
	}
	memcpy(str, ctx->line, (size_t)n + 1);
	return str;
}

static int
conf_handler(void *user, const char *section, const char *name, const char *value)
{
	struct load_ctx *ctx = user;
	if (ctx->failed)	/* keep the first error */
		return 0;
	const struct conf_entry *e = find_entry(section, name);
	if (e == NULL) {
		snprintf(ctx->err, ctx->errlen, "unknown setting \"%s\" in section [%s]",
		         name, section);
		ctx->failed = ctx->lineno;
		return 0;
	}
	size_t i = (size_t)(e - conf_table);
	if (ctx->set_on[i] != 0) {
		snprintf(ctx->err, ctx->errlen, "[%s] %s is set twice, on line %d and on line %d",
		         section, name, ctx->set_on[i], ctx->lineno);
		ctx->failed = ctx->lineno;
		return 0;
	}
	ctx->set_on[i] = ctx->lineno;
	if (set_entry(ctx->cfg, e, value, ctx->err, ctx->errlen) != 0) {
		ctx->failed = ctx->lineno;
		return 0;
	}
	return 1;
}

int
config_load(struct crmx_config *cfg, const char *path, char *err, size_t errlen)
{
	char why[512] = "";
	struct load_ctx ctx = { .cfg = cfg, .err = why, .errlen = sizeof why };
	ctx.f = fopen(path, "r");
	if (ctx.f == NULL) {
		snprintf(err, errlen, "config %s: %s", path, strerror(errno));
		return -1;
	}
	/* Debian's inih takes these at run time: a heap line buffer long
	 * enough for CONF_LINE_MAX (with "\r\n" and the NUL), and no
	 * continuation lines (an indented line is a line like any other). */
	ini_use_stack = false;
	ini_max_line = CONF_LINE_MAX + 3;
	ini_initial_alloc = CONF_LINE_MAX + 3;
	ini_allow_realloc = false;
	ini_allow_multiline = false;
	int rc = ini_parse_stream(conf_reader, &ctx, conf_handler, &ctx);
	int read_error = ferror(ctx.f);
	fclose(ctx.f);
	free(ctx.line);
	if (ctx.failed) {
		snprintf(err, errlen, "config %s line %d: %s", path, ctx.failed, why);
		return -1;
	}
	if (rc > 0) {
		snprintf(err, errlen, "config %s line %d: syntax error (expected [section] or"
		         " key = value)", path, rc);
		return -1;
	}
	if (rc < 0 || read_error) {
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

/* A conninfo value, quoted as libpq reads it back. */
static void
print_conninfo_value(const char *v, FILE *out)
{
	if (v[0] != '\0' && strpbrk(v, " \t\n\r\\'") == NULL) {
		fputs(v, out);
		return;
	}
	fputc('\'', out);
	for (; *v; v++) {
		if (*v == '\'' || *v == '\\')
			fputc('\\', out);
		fputc(*v, out);
	}
	fputc('\'', out);
}

/* A conninfo (key=value or URI) with its password as "(set)": libpq reads
 * it, and its options are written back as key=value. */
static void
print_conninfo(const char *ci, FILE *out)
{
	char *msg = NULL;
	PQconninfoOption *opts = PQconninfoParse(ci, &msg);
	if (opts == NULL) {	/* the programs refuse it anyway */
		PQfreemem(msg);
		fputs(ci[0] ? "(not readable by libpq; not shown)" : "", out);
		return;
	}
	int has_password = 0;
	for (PQconninfoOption *o = opts; o->keyword; o++)
		if (o->val != NULL && strcmp(o->keyword, "password") == 0)
			has_password = 1;
	if (!has_password) {
		fputs(ci, out);
	} else {
		const char *sep = "";
		for (PQconninfoOption *o = opts; o->keyword; o++) {
			if (o->val == NULL)
				continue;
			fprintf(out, "%s%s=", sep, o->keyword);
			if (strcmp(o->keyword, "password") == 0)
				fputs("(set)", out);
			else
				print_conninfo_value(o->val, out);
			sep = " ";
		}
	}
	PQconninfoFree(opts);
}

/* A URL with the password of its user info as "(set)". */
static void
print_url(const char *url, FILE *out)
{
	const char *auth = strstr(url, "://");
	const char *at = auth ? strchr(auth + 3, '@') : NULL;
	const char *slash = auth ? strchr(auth + 3, '/') : NULL;
	const char *colon = auth ? memchr(auth + 3, ':', at ? (size_t)(at - auth - 3) : 0) : NULL;
	if (at == NULL || (slash != NULL && slash < at) || colon == NULL) {
		fputs(url, out);
		return;
	}
	fprintf(out, "%.*s:(set)%s", (int)(colon - url), url, at);
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
		const char *str = NULL;
		switch (e->type) {
		case CONF_STRING:
		case CONF_LISTEN:
		case CONF_HOSTPORT:
			fprintf(out, "%s = %s\n", e->key, *(char *const *)cfield(cfg, e));
			break;
		/* Secrets stay out of --print-config output and logs. */
		case CONF_SECRET:
			str = *(char *const *)cfield(cfg, e);
			fprintf(out, "%s = %s\n", e->key, str[0] ? "(set)" : "");
			break;
		case CONF_CONNINFO:
			fprintf(out, "%s = ", e->key);
			print_conninfo(*(char *const *)cfield(cfg, e), out);
			fputc('\n', out);
			break;
		case CONF_URL:
			fprintf(out, "%s = ", e->key);
			print_url(*(char *const *)cfield(cfg, e), out);
			fputc('\n', out);
			break;
		case CONF_INT:
			fprintf(out, "%s = %d\n", e->key, *(const int *)cfield(cfg, e));
			break;
		case CONF_MODE:
			fprintf(out, "%s = %04o\n", e->key, (unsigned)*(const int *)cfield(cfg, e));
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
		if (is_string(conf_table[i].type)) {
			char **p = field(cfg, &conf_table[i]);
			free(*p);
			*p = NULL;
		}
}
