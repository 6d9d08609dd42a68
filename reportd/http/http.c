/* The HTTP service (see http.h).  Paths under /reports/ are validated
 * segment by segment (letters, digits, '.', '_', '-', no leading dot)
 * before any file is opened, and only regular files of known types are
 * served: no traversal, no listing of anything but report weeks.
 * A thread per connection (libmicrohttpd's), so a request that waits on
 * the database holds only its own client; the database is reached by a
 * bounded number of requests at once (a busy one answers 503 at once),
 * /healthz and /metrics read dbhealth.c's shared check, and slow clients
 * are cut by connguard.c. */
#include <stdarg.h>
#include <stdatomic.h>
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <microhttpd.h>

#include "asof.h"
#include "connguard.h"
#include "db.h"
#include "dbhealth.h"
#include "deliver.h"
#include "http.h"
#include "i18n.h"
#include "log.h"
#include "report.h"
#include "runreq.h"
#include "sbuf.h"
#include "schedule.h"
#include "state.h"
#include "util.h"

struct http_server {
	struct MHD_Daemon		*mhd;
	const struct crmx_config	*cfg;
	int				 langs[LANG_COUNT];
	int				 nlangs;
};

struct req {
	struct http_server	*srv;
	struct MHD_Connection	*c;
	const char		*url;
	const char		*method;
};

/* A connection's thread: far more than a request needs (the largest
 * frames are a few kB of paths and messages), a tenth of the default, so
 * hundreds of connections start quickly. */
#define STACK_SIZE (1024 * 1024)

/* Requests that use a database connection of their own at once. */
#define DB_REQUESTS_MAX 4
static atomic_int db_requests;

#define CSP "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'self'"

static enum MHD_Result
send_resp(struct req *r, unsigned status, struct MHD_Response *resp, const char *ctype,
          const char *cache)
{
	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, "Content-Type", ctype);
	MHD_add_response_header(resp, "Cache-Control", cache);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
	MHD_add_response_header(resp, "Content-Security-Policy", CSP);
	if (status >= 500)
		state_count_5xx();
	enum MHD_Result ret = MHD_queue_response(r->c, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result
send_buf(struct req *r, unsigned status, const char *ctype, const char *cache, const char *body,
         size_t len)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(len, (void *)(uintptr_t)body,
	                                                            MHD_RESPMEM_MUST_COPY);
	return send_resp(r, status, resp, ctype, cache);
}

static enum MHD_Result
send_text(struct req *r, unsigned status, const char *msg)
{
	char body[700];
	int n = snprintf(body, sizeof body, "%s\n", msg);
	return send_buf(r, status, "text/plain; charset=utf-8", "no-store", body,
	                (size_t)n < sizeof body ? (size_t)n : sizeof body - 1);
}

static enum MHD_Result
send_json(struct req *r, unsigned status, json_t *o)
{
	char *s = json_dumps(o, JSON_INDENT(2) | JSON_REAL_PRECISION(15));
	json_decref(o);
	if (s == NULL)
		return send_text(r, 500, "out of memory");
	enum MHD_Result ret = send_buf(r, status, "application/json", "no-store", s, strlen(s));
	free(s);
	return ret;
}

static enum MHD_Result
redirect(struct req *r, const char *to)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, "Location", to);
	return send_resp(r, 301, resp, "text/plain; charset=utf-8", "no-cache");
}

/* ---- report files ------------------------------------------------------ */

static const struct { const char *ext, *type; } types[] = {
	{ ".html", "text/html; charset=utf-8" }, { ".css", "text/css; charset=utf-8" },
	{ ".svg", "image/svg+xml" }, { ".png", "image/png" },
	{ ".csv", "text/csv; charset=utf-8" }, { ".json", "application/json" },
	{ ".js", "text/javascript; charset=utf-8" },
};

static const char *
type_of(const char *path)
{
	size_t n = strlen(path);
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
		size_t k = strlen(types[i].ext);
		if (n > k && strcmp(path + n - k, types[i].ext) == 0)
			return types[i].type;
	}
	return NULL;
}

/* 1 when rel is a safe relative path: segments of [A-Za-z0-9._-], none
 * starting with '.', at most 3 deep. */
static int
safe_path(const char *rel)
{
	int depth = 0;
	const char *p = rel;
	if (*p == '\0')
		return 0;
	while (*p) {
		size_t n = strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-");
		if (n == 0 || p[0] == '.' || n > 128 || ++depth > 3)
			return 0;
		p += n;
		if (*p == '/') {
			p++;
			if (*p == '\0')
				return 0;
		} else if (*p != '\0') {
			return 0;
		}
	}
	return 1;
}

static int
cmp_desc(const void *a, const void *b)
{
	return strcmp(*(char *const *)b, *(char *const *)a);
}

/* The report weeks with an index.html, newest first; free each and the array. */
static char **
list_weeks(const char *dir, int *n)
{
	char **v = NULL;
	int cap = 0;
	*n = 0;
	DIR *d = opendir(dir);
	if (d == NULL)
		return NULL;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		char path[4200];
		struct stat sb;
		if (!report_is_week(e->d_name))
			continue;
		/* Not through a symbolic link (see open_report_file()). */
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		if (lstat(path, &sb) != 0 || !S_ISDIR(sb.st_mode))
			continue;
		snprintf(path, sizeof path, "%s/%s/index.html", dir, e->d_name);
		if (lstat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
			continue;
		if (*n == cap) {
			cap = cap ? 2 * cap : 16;
			v = xrealloc(v, (size_t)cap * sizeof *v);
		}
		v[(*n)++] = xstrdup(e->d_name);
	}
	closedir(d);
	if (*n > 1)
		qsort(v, (size_t)*n, sizeof *v, cmp_desc);
	return v;
}

static void
free_weeks(char **v, int n)
{
	for (int i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Opens the segment `name` (n bytes) under the directory dfd, which it
 * closes, without following a symbolic link: -1 for a link. */
static int
open_below(int dfd, const char *name, size_t n, int flags)
{
	char seg[130];
	int fd = -1;
	if (n > 0 && n < sizeof seg) {
		memcpy(seg, name, n);
		seg[n] = '\0';
		fd = openat(dfd, seg, flags | O_NOFOLLOW | O_CLOEXEC);
	}
	close(dfd);
	return fd;
}

/* Opens report_dir/week/rel (rel already checked by safe_path()) following
 * no symbolic link below report_dir, at any depth: a link there, made by
 * whatever wrote into the folder, could point anywhere.  report_dir itself
 * may be a link (the administrator's choice). */
static int
open_report_file(const char *root, const char *week, const char *rel)
{
	int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	fd = open_below(fd, week, strlen(week), O_RDONLY | O_DIRECTORY);
	while (fd >= 0) {
		size_t k = strcspn(rel, "/");
		if (rel[k] == '\0')
			return open_below(fd, rel, k, O_RDONLY);
		fd = open_below(fd, rel, k, O_RDONLY | O_DIRECTORY);
		rel += k + 1;
	}
	return -1;
}

static enum MHD_Result
serve_file(struct req *r, const char *week, const char *rel, int latest)
{
	struct stat sb;
	const char *type = type_of(rel);
	if (type == NULL || !safe_path(rel))
		return send_text(r, 404, _("No such report file."));
	int fd = open_report_file(r->srv->cfg->reportd_report_dir, week, rel);
	if (fd < 0)
		return send_text(r, 404, _("No such report file."));
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return send_text(r, 404, _("No such report file."));
	}
	struct MHD_Response *resp = MHD_create_response_from_fd((uint64_t)sb.st_size, fd);
	if (resp == NULL) {
		close(fd);
		return MHD_NO;
	}
	char lm[64];
	struct tm tm;
	gmtime_r(&sb.st_mtime, &tm);
	strftime(lm, sizeof lm, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	MHD_add_response_header(resp, "Last-Modified", lm);
	/* A week's report may be written again (a rerun); latest/ moves on. */
	const char *cache = latest || strstr(type, "text/html") ? "no-cache" : "public, max-age=300";
	return send_resp(r, 200, resp, type, cache);
}

static enum MHD_Result
page_list(struct req *r)
{
	int n;
	char **weeks = list_weeks(r->srv->cfg->reportd_report_dir, &n);
	struct sbuf b;
	sb_init(&b);
	sb_printf(&b, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head><meta charset=\"utf-8\"><title>",
	          i18n_code(i18n_current()));
	sb_html(&b, _("Weekly sales reports"));
	sb_raw(&b, "</title></head>\n<body>\n<h1>");
	sb_html(&b, _("Weekly sales reports"));
	sb_raw(&b, "</h1>\n");
	if (n == 0) {
		sb_raw(&b, "<p>");
		sb_html(&b, _("No report has been written yet."));
		sb_raw(&b, "</p>\n");
	} else {
		sb_raw(&b, "<ul>\n");
	}
	for (int i = 0; i < n; i++) {
		sb_printf(&b, "<li><a href=\"%s/\">", weeks[i]);
		sb_html(&b, weeks[i]);
		sb_raw(&b, "</a>");
		for (int l = 1; l < r->srv->nlangs; l++) {
			const char *code = i18n_code((enum lang)r->srv->langs[l]);
			sb_printf(&b, " · <a href=\"%s/index.%s.html\">%s</a>", weeks[i], code, code);
		}
		if (i == 0) {
			sb_raw(&b, " (");
			sb_html(&b, _("latest"));
			sb_raw(&b, ")");
		}
		sb_raw(&b, "</li>\n");
	}
	if (n > 0)
		sb_raw(&b, "</ul>\n");
	sb_raw(&b, "</body>\n</html>\n");
	enum MHD_Result ret = send_buf(r, 200, "text/html; charset=utf-8", "no-cache", b.s, b.len);
	sb_free(&b);
	free_weeks(weeks, n);
	return ret;
}

/* /reports/..., the prefix already removed. */
static enum MHD_Result
route_reports(struct req *r, const char *rest)
{
	if (*rest == '\0')
		return page_list(r);
	size_t k = strcspn(rest, "/");
	char week[16];
	int latest = 0;
	if (k == 6 && strncmp(rest, "latest", 6) == 0) {
		int n;
		char **weeks = list_weeks(r->srv->cfg->reportd_report_dir, &n);
		if (n == 0) {
			free_weeks(weeks, n);
			return send_text(r, 404, _("No report has been written yet."));
		}
		snprintf(week, sizeof week, "%s", weeks[0]);
		free_weeks(weeks, n);
		latest = 1;
	} else {
		if (k >= sizeof week)
			return send_text(r, 404, _("No such report."));
		memcpy(week, rest, k);
		week[k] = '\0';
		if (!report_is_week(week))
			return send_text(r, 404, _("No such report."));
	}
	if (rest[k] == '\0') {
		char to[64];
		snprintf(to, sizeof to, "/reports/%s/", latest ? "latest" : week);
		return redirect(r, to);
	}
	const char *file = rest + k + 1;
	return serve_file(r, week, *file ? file : "index.html", latest);
}

/* ---- API, health, metrics ------------------------------------------- */

/* 503 with Retry-After: the database cannot answer now.  The reason is
 * logged, never sent: it names hosts, sockets and SQL. */
static enum MHD_Result
db_unavailable(struct req *r, const char *msg)
{
	json_t *o = json_pack("{s:s}", "error", msg);
	char *s = json_dumps(o, JSON_INDENT(2));
	json_decref(o);
	if (s == NULL)
		return MHD_NO;
	struct MHD_Response *resp = MHD_create_response_from_buffer(strlen(s), s, MHD_RESPMEM_MUST_FREE);
	if (resp == NULL) {
		free(s);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Retry-After", "5");
	return send_resp(r, 503, resp, "application/json", "no-store");
}

static enum MHD_Result api_summary_db(struct req *r);

static enum MHD_Result
api_summary(struct req *r)
{
	if (atomic_fetch_add(&db_requests, 1) >= DB_REQUESTS_MAX) {
		atomic_fetch_sub(&db_requests, 1);
		return db_unavailable(r, _("The database is busy; try again shortly."));
	}
	enum MHD_Result ret = api_summary_db(r);
	atomic_fetch_sub(&db_requests, 1);
	return ret;
}

static enum MHD_Result
api_summary_db(struct req *r)
{
	char err[600];
	PGconn *conn = db_connect(r->srv->cfg, r->srv->cfg->db_conninfo, "crmx-reportd", err, sizeof err);
	if (conn == NULL) {
		log_error("/api/summary.json: %s", err);
		return db_unavailable(r, _("The database is not reachable."));
	}
	PGresult *res = PQexecParams(conn,
	    "SELECT run_id, as_of::text, to_char(finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
	    " summary::text FROM crmx.latest_run", 0, NULL, NULL, NULL, NULL, 0);
	enum MHD_Result ret;
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		log_error("/api/summary.json: %s", db_errmsg(conn));
		ret = db_unavailable(r, _("The database is not reachable."));
	} else if (PQntuples(res) == 0) {
		ret = send_json(r, 404, json_pack("{s:s}", "error", _("No metrics run has completed yet.")));
	} else {
		json_t *summary = json_loads(PQgetvalue(res, 0, 3), 0, NULL);
		ret = send_json(r, 200, json_pack("{s:I, s:s, s:s, s:o}",
		    "run_id", (json_int_t)atoll(PQgetvalue(res, 0, 0)), "as_of", PQgetvalue(res, 0, 1),
		    "finished_at", PQgetvalue(res, 0, 2), "summary", summary ? summary : json_null()));
	}
	PQclear(res);
	PQfinish(conn);
	return ret;
}

static void
iso_time(time_t t, char *buf, size_t len)
{
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The weekly mail's deliveries (crmx.mail_delivery): "ok", "retrying"
 * while some wait for another attempt, "failed" when some were given up.
 * NULL when mail is off. */
static json_t *
mail_health(const struct crmx_config *cfg, const struct db_health *h)
{
	const struct deliver_stats *d = &h->mail;
	if (strcmp(cfg->mail_transport, "off") == 0)
		return NULL;
	if (!h->mail_known)
		return json_pack("{s:s}", "status", "unknown");
	return json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I}",
	    "status", d->failed > 0 ? "failed" : d->retrying > 0 ? "retrying" : "ok",
	    "transport", cfg->mail_transport,
	    "pending", (json_int_t)d->pending, "sending", (json_int_t)d->sending,
	    "sent", (json_int_t)d->sent, "failed", (json_int_t)d->failed,
	    "retrying", (json_int_t)d->retrying,
	    "oldest_unsent_seconds", (json_int_t)d->oldest_unsent_s);
}

static enum MHD_Result
healthz(struct req *r)
{
	struct rd_state s;
	struct db_health h;
	char t[32], n[32];
	state_get(&s);
	dbhealth_get(r->srv->cfg, &h);
	int db_ok = h.ok;
	json_t *mail = db_ok ? mail_health(r->srv->cfg, &h) : NULL;
	json_t *last;
	if (!s.has_result) {
		last = json_pack("{s:s}", "status", "none");
	} else {
		iso_time(s.last_finished, t, sizeof t);
		last = json_pack("{s:s, s:s, s:I, s:o}", "status", s.last_ok ? "ok" : "failed",
		    "finished_at", t, "age_seconds", (json_int_t)(time(NULL) - s.last_finished),
		    "error", s.last_ok ? json_null() : json_string(s.last_error));
		if (s.last_success) {
			iso_time(s.last_success, t, sizeof t);
			json_object_set_new(last, "last_success", json_string(t));
			json_object_set_new(last, "week", json_string(s.last_week));
		}
	}
	iso_time(s.next_due, n, sizeof n);
	json_t *o = json_pack("{s:s, s:o, s:o, s:b, s:s}", "status", db_ok ? "ok" : "unavailable",
	    "database", json_string(h.state),
	    "last_run", last, "running", s.running, "next_scheduled", n);
	if (s.retry_at) {
		iso_time(s.retry_at, t, sizeof t);
		json_object_set_new(o, "retry_at", json_string(t));
	}
	if (mail)
		json_object_set_new(o, "mail", mail);
	return send_json(r, db_ok ? 200 : 503, o);
}

static enum MHD_Result
metrics(struct req *r)
{
	struct rd_state s;
	struct sbuf b;
	state_get(&s);
	sb_init(&b);
#define METRIC(name, type, help) sb_printf(&b, "# HELP " name " " help "\n# TYPE " name " " type "\n")
	METRIC("crmx_reportd_jobs_total", "counter", "Report jobs by result.");
	sb_printf(&b, "crmx_reportd_jobs_total{result=\"ok\"} %ld\n", s.jobs_ok);
	sb_printf(&b, "crmx_reportd_jobs_total{result=\"failed\"} %ld\n", s.jobs_failed);
	METRIC("crmx_reportd_runs_computed_total", "counter", "Metric runs this instance computed.");
	sb_printf(&b, "crmx_reportd_runs_computed_total %ld\n", s.runs_computed);
	METRIC("crmx_reportd_runs_reused_total", "counter", "Runs another instance computed that this one reported.");
	sb_printf(&b, "crmx_reportd_runs_reused_total %ld\n", s.runs_reused);
	METRIC("crmx_reportd_errors_total", "counter", "Failed report jobs and HTTP 5xx responses.");
	sb_printf(&b, "crmx_reportd_errors_total %ld\n", s.jobs_failed + s.http_5xx);
	METRIC("crmx_reportd_last_job_duration_seconds", "gauge", "Wall time of the last report job.");
	sb_printf(&b, "crmx_reportd_last_job_duration_seconds %.3f\n", s.last_seconds);
	METRIC("crmx_reportd_last_run_duration_seconds", "gauge", "Wall time of the last metrics run computed here.");
	sb_printf(&b, "crmx_reportd_last_run_duration_seconds %.3f\n", s.last_run_seconds);
	METRIC("crmx_reportd_last_charts_duration_seconds", "gauge", "Wall time of rendering the last report's charts.");
	sb_printf(&b, "crmx_reportd_last_charts_duration_seconds %.3f\n", s.last_chart_seconds);
	METRIC("crmx_reportd_last_run_rows_read", "gauge", "crmx_src rows the last computed run read.");
	sb_printf(&b, "crmx_reportd_last_run_rows_read %ld\n", s.last_rows_read);
	METRIC("crmx_reportd_last_charts_missing", "gauge", "Charts missing from the last report.");
	sb_printf(&b, "crmx_reportd_last_charts_missing %d\n", s.last_charts_missing);
	METRIC("crmx_reportd_last_success_timestamp_seconds", "gauge", "When the last report was written (0: never).");
	sb_printf(&b, "crmx_reportd_last_success_timestamp_seconds %lld\n", (long long)s.last_success);
	METRIC("crmx_reportd_running", "gauge", "1 while a report job runs.");
	sb_printf(&b, "crmx_reportd_running %d\n", s.running);
	if (strcmp(r->srv->cfg->mail_transport, "off") != 0) {
		/* From the database: every instance shows the same deliveries. */
		struct db_health h;
		dbhealth_get(r->srv->cfg, &h);
		const struct deliver_stats *d = &h.mail;
		int ok = h.mail_known;
		METRIC("crmx_mail_stats_up", "gauge", "1 when the mail figures below could be read.");
		sb_printf(&b, "crmx_mail_stats_up %d\n", ok);
		if (ok) {
			METRIC("crmx_mail_deliveries", "gauge", "Weekly report deliveries (week and recipient) by status.");
			sb_printf(&b, "crmx_mail_deliveries{status=\"pending\"} %lld\n", (long long)d->pending);
			sb_printf(&b, "crmx_mail_deliveries{status=\"sending\"} %lld\n", (long long)d->sending);
			sb_printf(&b, "crmx_mail_deliveries{status=\"sent\"} %lld\n", (long long)d->sent);
			sb_printf(&b, "crmx_mail_deliveries{status=\"failed\"} %lld\n", (long long)d->failed);
			METRIC("crmx_mail_retrying", "gauge", "Deliveries waiting for another attempt after a failed one.");
			sb_printf(&b, "crmx_mail_retrying %lld\n", (long long)d->retrying);
			METRIC("crmx_mail_failed_attempts", "gauge", "Attempts that did not end in a sent message, over the kept deliveries.");
			sb_printf(&b, "crmx_mail_failed_attempts %lld\n", (long long)d->attempts_failed);
			METRIC("crmx_mail_oldest_unsent_seconds", "gauge", "Age of the oldest delivery not sent yet (0: none).");
			sb_printf(&b, "crmx_mail_oldest_unsent_seconds %.0f\n", d->oldest_unsent_s);
		}
	}
#undef METRIC
	enum MHD_Result ret = send_buf(r, 200, "text/plain; version=0.0.4; charset=utf-8", "no-store",
	                               b.s, b.len);
	sb_free(&b);
	return ret;
}

static int
client_allowed(struct req *r)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(r->c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	char addr[INET6_ADDRSTRLEN] = "";
	if (ci == NULL || ci->client_addr == NULL)
		return 0;
	const struct sockaddr *sa = ci->client_addr;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, addr, sizeof addr);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, addr, sizeof addr);
	const char *a = strncmp(addr, "::ffff:", 7) == 0 ? addr + 7 : addr;
	const char *p = r->srv->cfg->reportd_allow_run_from;
	while (*p) {
		p += strspn(p, ", ");
		size_t k = strcspn(p, ", ");
		if (k > 0 && k == strlen(a) && strncmp(p, a, k) == 0)
			return 1;
		p += k;
	}
	return 0;
}

static enum MHD_Result
api_runs(struct req *r)
{
	if (!client_allowed(r))
		return send_json(r, 403, json_pack("{s:s}", "error",
		    _("This client may not start runs ([reportd] allow_run_from).")));
	const char *v = MHD_lookup_connection_value(r->c, MHD_GET_ARGUMENT_KIND, "as_of");
	int32_t as_of = schedule_today();
	char bad[256];
	if (v != NULL && asof_check(v, schedule_today(), &as_of, bad, sizeof bad) != 0)
		return send_json(r, 400, json_pack("{s:s}", "error", bad));
	char day[16];
	format_date(as_of, day, sizeof day);
	/* Recorded before it is acknowledged: it survives a restart. */
	int64_t id = runreq_add(r->srv->cfg, as_of, NULL, bad, sizeof bad);
	if (id < 0) {
		log_error("run for %s requested over HTTP: %s", day, bad);
		return send_json(r, 503, json_pack("{s:s}", "error",
		    _("The run could not be recorded: the database is not reachable.")));
	}
	state_request(as_of);
	log_info("run %lld for %s requested over HTTP", (long long)id, day);
	return send_json(r, 202, json_pack("{s:b, s:s, s:I}", "accepted", 1, "as_of", day,
	                                   "request_id", (json_int_t)id));
}

/* ---- routes ------------------------------------------------------------- */

enum route_match { EXACT, PREFIX };

static const struct route {
	const char		*method;
	const char		*path;
	enum route_match	 match;
	enum MHD_Result		(*fn)(struct req *r, const char *rest);
} routes[] = {
	{ "GET", "/healthz", EXACT, NULL },
	{ "GET", "/metrics", EXACT, NULL },
	{ "GET", "/api/summary.json", EXACT, NULL },
	{ "POST", "/api/runs", EXACT, NULL },
	{ "GET", "/reports/", PREFIX, route_reports },
};

static enum MHD_Result
dispatch(struct req *r)
{
	const char *url = r->url;
	int is_get = strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0;
	if (strcmp(url, "/") == 0 || strcmp(url, "/reports") == 0)
		return redirect(r, "/reports/");
	for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
		const struct route *rt = &routes[i];
		size_t n = strlen(rt->path);
		int hit = rt->match == EXACT ? strcmp(url, rt->path) == 0 : strncmp(url, rt->path, n) == 0;
		if (!hit)
			continue;
		int ok = strcmp(rt->method, "GET") == 0 ? is_get : strcmp(r->method, rt->method) == 0;
		if (!ok)
			return send_text(r, 405, _("This method is not allowed here."));
		if (rt->fn)
			return rt->fn(r, url + n);
		switch (i) {
		case 0: return healthz(r);
		case 1: return metrics(r);
		case 2: return api_summary(r);
		case 3: return api_runs(r);
		default: abort();
		}
	}
	return send_text(r, 404, _("No such page."));
}

static enum MHD_Result
handler(void *cls, struct MHD_Connection *c, const char *url, const char *method,
        const char *version, const char *upload_data, size_t *upload_size, void **con_cls)
{
	static int first_call_marker;
	struct http_server *srv = cls;
	(void)version;
	(void)upload_data;
	if (*con_cls == NULL) {		/* headers only so far */
		*con_cls = &first_call_marker;
		return MHD_YES;
	}
	if (*upload_size != 0) {	/* no route reads a body */
		*upload_size = 0;
		return MHD_YES;
	}
	connguard_received(c);
	const char *ql = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "lang");
	const char *al = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Accept-Language");
	i18n_use(i18n_pick(ql, NULL, al, (enum lang)srv->langs[0]));
	struct req r = { srv, c, url, method };
	return dispatch(&r);
}

/* libmicrohttpd's messages into our log, on one line; those about one
 * client's connection (closed early, cut as slow: thousands under an
 * attack) only at debug level. */
static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];
	(void)cls;
	vsnprintf(msg, sizeof msg, fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	if (strstr(msg, "onnection") != NULL)
		log_debug("http: %s", msg);
	else
		log_error("http: %s", msg);
}

struct http_server *
http_start(const struct crmx_config *cfg, char *err, size_t errlen)
{
	char host[256];
	const char *l = cfg->reportd_listen, *colon = strrchr(l, ':');
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE }, *ai = NULL;
	if (colon == NULL || (size_t)(colon - l) >= sizeof host) {
		snprintf(err, errlen, "[reportd] listen: expected HOST:PORT, got \"%s\"", l);
		return NULL;
	}
	memcpy(host, l, (size_t)(colon - l));
	host[colon - l] = '\0';
	if (host[0] == '[') {		/* [::1]:8091 */
		memmove(host, host + 1, strlen(host));
		host[strcspn(host, "]")] = '\0';
	}
	int gai = getaddrinfo(host[0] ? host : NULL, colon + 1, &hints, &ai);
	if (gai != 0) {
		snprintf(err, errlen, "[reportd] listen \"%s\": %s", l, gai_strerror(gai));
		return NULL;
	}
	struct http_server *s = xcalloc(1, sizeof *s);
	s->cfg = cfg;
	s->nlangs = report_languages(cfg->reportd_language, s->langs, LANG_COUNT);
	if (s->nlangs == 0) {
		snprintf(err, errlen, "[reportd] language: \"%s\" names no known language (en, zh-CN)",
		         cfg->reportd_language);
		freeaddrinfo(ai);
		free(s);
		return NULL;
	}
	if (connguard_start(cfg->reportd_request_timeout_s, cfg->reportd_waiting_per_address) != 0) {
		snprintf(err, errlen, "cannot start the HTTP connection guard");
		freeaddrinfo(ai);
		free(s);
		return NULL;
	}
	/* A thread per connection: a request waiting on the database holds
	 * no other.  Strict: an HTTP/1.1 request without Host is a 400. */
	unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ERROR_LOG;
	if (ai->ai_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	s->mhd = MHD_start_daemon(flags, 0, NULL, NULL, handler, s,
	                          MHD_OPTION_SOCK_ADDR, ai->ai_addr,
	                          MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
	                          MHD_OPTION_CONNECTION_LIMIT, (unsigned)cfg->reportd_max_connections,
	                          MHD_OPTION_NOTIFY_CONNECTION, connguard_notify, NULL,
	                          MHD_OPTION_NOTIFY_COMPLETED, connguard_completed, NULL,
	                          MHD_OPTION_STRICT_FOR_CLIENT, (int)1,
	                          MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
	                          MHD_OPTION_THREAD_STACK_SIZE, (size_t)STACK_SIZE,
	                          MHD_OPTION_END);
	freeaddrinfo(ai);
	if (s->mhd == NULL) {
		snprintf(err, errlen, "[reportd] listen %s: cannot listen (address in use?)", l);
		connguard_stop();
		free(s);
		return NULL;
	}
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->mhd, MHD_DAEMON_INFO_BIND_PORT);
	log_info("listening on http://%s:%u/reports/", host[0] ? host : "*",
	         di ? (unsigned)di->port : 0);
	return s;
}

void
http_stop(struct http_server *s)
{
	if (s == NULL)
		return;
	MHD_stop_daemon(s->mhd);
	connguard_stop();
	free(s);
}
