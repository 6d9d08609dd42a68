/* The JSON API, health and Prometheus metrics: the latest run's summary,
 * requested runs, /healthz and /metrics.  The database is reached by a
 * bounded number of requests at once (a busy one answers 503 at once);
 * /healthz and /metrics read dbhealth.c's shared check. */
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
#include "httpint.h"
#include "i18n.h"
#include "log.h"
#include "report.h"
#include "runreq.h"
#include "sbuf.h"
#include "schedule.h"
#include "state.h"
#include "util.h"

/* Requests that use a database connection of their own at once. */
#define DB_REQUESTS_MAX 4
static atomic_int db_requests;

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
	return http_send_resp(r, 503, resp, "application/json", "no-store");
}

static enum MHD_Result api_summary_db(struct req *r);

enum MHD_Result
http_api_summary(struct req *r)
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
		ret = http_send_json(r, 404, json_pack("{s:s}", "error", _("No metrics run has completed yet.")));
	} else {
		json_t *summary = json_loads(PQgetvalue(res, 0, 3), 0, NULL);
		ret = http_send_json(r, 200, json_pack("{s:I, s:s, s:s, s:o}",
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

enum MHD_Result
http_healthz(struct req *r)
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
	if (h.replica && h.reads != NULL)	/* where a run reads: [database] read_conninfo */
		json_object_set_new(o, "replica", json_pack("{s:s, s:s, s:o}", "reads", h.reads,
		    "state", h.replica_state, "lag_seconds",
		    h.replica_lag_s >= 0 ? json_real(h.replica_lag_s) : json_null()));
	return http_send_json(r, db_ok ? 200 : 503, o);
}

#define METRIC(b, name, type, help) \
	sb_printf(b, "# HELP " name " " help "\n# TYPE " name " " type "\n")

/* This instance's jobs and runs (shared state). */
static void
metrics_jobs(struct sbuf *b)
{
	struct rd_state s;
	state_get(&s);
	METRIC(b, "crmx_reportd_jobs_total", "counter", "Report jobs by result.");
	sb_printf(b, "crmx_reportd_jobs_total{result=\"ok\"} %ld\n", s.jobs_ok);
	sb_printf(b, "crmx_reportd_jobs_total{result=\"failed\"} %ld\n", s.jobs_failed);
	METRIC(b, "crmx_reportd_runs_computed_total", "counter", "Metric runs this instance computed.");
	sb_printf(b, "crmx_reportd_runs_computed_total %ld\n", s.runs_computed);
	METRIC(b, "crmx_reportd_runs_reused_total", "counter", "Runs another instance computed that this one reported.");
	sb_printf(b, "crmx_reportd_runs_reused_total %ld\n", s.runs_reused);
	METRIC(b, "crmx_reportd_errors_total", "counter", "Failed report jobs and HTTP 5xx responses.");
	sb_printf(b, "crmx_reportd_errors_total %ld\n", s.jobs_failed + s.http_5xx);
	METRIC(b, "crmx_reportd_last_job_duration_seconds", "gauge", "Wall time of the last report job.");
	sb_printf(b, "crmx_reportd_last_job_duration_seconds %.3f\n", s.last_seconds);
	METRIC(b, "crmx_reportd_last_run_duration_seconds", "gauge", "Wall time of the last metrics run computed here.");
	sb_printf(b, "crmx_reportd_last_run_duration_seconds %.3f\n", s.last_run_seconds);
	METRIC(b, "crmx_reportd_last_charts_duration_seconds", "gauge", "Wall time of rendering the last report's charts.");
	sb_printf(b, "crmx_reportd_last_charts_duration_seconds %.3f\n", s.last_chart_seconds);
	METRIC(b, "crmx_reportd_last_run_rows_read", "gauge", "crmx_src rows the last computed run read.");
	sb_printf(b, "crmx_reportd_last_run_rows_read %ld\n", s.last_rows_read);
	METRIC(b, "crmx_reportd_last_charts_missing", "gauge", "Charts missing from the last report.");
	sb_printf(b, "crmx_reportd_last_charts_missing %d\n", s.last_charts_missing);
	METRIC(b, "crmx_reportd_last_success_timestamp_seconds", "gauge", "When the last report was written (0: never).");
	sb_printf(b, "crmx_reportd_last_success_timestamp_seconds %lld\n", (long long)s.last_success);
	METRIC(b, "crmx_reportd_running", "gauge", "1 while a report job runs.");
	sb_printf(b, "crmx_reportd_running %d\n", s.running);
}

/* Where runs read, with [database] read_conninfo set. */
static void
metrics_replica(struct sbuf *b, const struct crmx_config *cfg)
{
	struct db_health h;
	if (cfg->db_read_conninfo[0] == '\0')
		return;
	dbhealth_get(cfg, &h);
	if (!h.replica || h.reads == NULL)
		return;
	METRIC(b, "crmx_reportd_reads_on_replica", "gauge", "1 when a run now reads on the replica ([database] read_conninfo), 0 on the primary.");
	sb_printf(b, "crmx_reportd_reads_on_replica %d\n", strcmp(h.reads, "replica") == 0);
	METRIC(b, "crmx_reportd_replica_up", "gauge", "1 when the replica answered.");
	sb_printf(b, "crmx_reportd_replica_up %d\n", strcmp(h.replica_state, "unreachable") != 0);
	if (h.replica_lag_s >= 0) {
		METRIC(b, "crmx_reportd_replica_lag_seconds", "gauge", "How far the replica's replay is behind.");
		sb_printf(b, "crmx_reportd_replica_lag_seconds %.3f\n", h.replica_lag_s);
	}
}

/* The mail deliveries, from the database: every instance shows the same. */
static void
metrics_mail(struct sbuf *b, const struct crmx_config *cfg)
{
	struct db_health h;
	if (strcmp(cfg->mail_transport, "off") == 0)
		return;
	dbhealth_get(cfg, &h);
	const struct deliver_stats *d = &h.mail;
	METRIC(b, "crmx_mail_stats_up", "gauge", "1 when the mail figures below could be read.");
	sb_printf(b, "crmx_mail_stats_up %d\n", h.mail_known);
	if (!h.mail_known)
		return;
	METRIC(b, "crmx_mail_deliveries", "gauge", "Weekly report deliveries (week and recipient) by status.");
	sb_printf(b, "crmx_mail_deliveries{status=\"pending\"} %lld\n", (long long)d->pending);
	sb_printf(b, "crmx_mail_deliveries{status=\"sending\"} %lld\n", (long long)d->sending);
	sb_printf(b, "crmx_mail_deliveries{status=\"sent\"} %lld\n", (long long)d->sent);
	sb_printf(b, "crmx_mail_deliveries{status=\"failed\"} %lld\n", (long long)d->failed);
	METRIC(b, "crmx_mail_retrying", "gauge", "Deliveries waiting for another attempt after a failed one.");
	sb_printf(b, "crmx_mail_retrying %lld\n", (long long)d->retrying);
	METRIC(b, "crmx_mail_failed_attempts", "gauge", "Attempts that did not end in a sent message, over the kept deliveries.");
	sb_printf(b, "crmx_mail_failed_attempts %lld\n", (long long)d->attempts_failed);
	METRIC(b, "crmx_mail_oldest_unsent_seconds", "gauge", "Age of the oldest delivery not sent yet (0: none).");
	sb_printf(b, "crmx_mail_oldest_unsent_seconds %.0f\n", d->oldest_unsent_s);
}
#undef METRIC

enum MHD_Result
http_metrics(struct req *r)
{
	struct sbuf b;
	sb_init(&b);
	metrics_jobs(&b);
	metrics_replica(&b, r->srv->cfg);
	metrics_mail(&b, r->srv->cfg);
	enum MHD_Result ret = http_send_buf(r, 200, "text/plain; version=0.0.4; charset=utf-8", "no-store",
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

int
http_refuse_runs(struct req *r, enum MHD_Result *ret)
{
	if (client_allowed(r))
		return 0;
	*ret = http_send_json(r, 403, json_pack("{s:s}", "error",
	    _("This client may not start runs ([reportd] allow_run_from).")));
	return 1;
}

/* POST /api/runs, as of ?as_of= (checked by the parameter table) or today. */
enum MHD_Result
http_api_runs(struct req *r)
{
	int32_t as_of = r->q->has_as_of ? r->q->as_of : schedule_today();
	char day[16], bad[256];
	format_date(as_of, day, sizeof day);
	/* Recorded before it is acknowledged: it survives a restart. */
	int64_t id = runreq_add(r->srv->cfg, as_of, NULL, bad, sizeof bad);
	if (id < 0) {
		log_error("run for %s requested over HTTP: %s", day, bad);
		return http_send_json(r, 503, json_pack("{s:s}", "error",
		    _("The run could not be recorded: the database is not reachable.")));
	}
	state_request(as_of);
	log_info("run %lld for %s requested over HTTP", (long long)id, day);
	return http_send_json(r, 202, json_pack("{s:b, s:s, s:I}", "accepted", 1, "as_of", day,
	                                   "request_id", (json_int_t)id));
}

