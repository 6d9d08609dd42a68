/* A report job (see job.h).  The lock is a session-level advisory lock on
 * (crmx, as_of), so it goes away with the connection if this process dies;
 * waiting is a polled pg_try_advisory_lock so the statement timeout never
 * cuts it short. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "db.h"
#include "engine.h"
#include "job.h"
#include "log.h"
#include "util.h"

#define LOCK_CLASS	1668443512L	/* "crmx" as a 32-bit integer */
#define LOCK_WAIT_S	3600

/* 1 locked, 0 busy, -1 error. */
static int
try_lock(PGconn *conn, const char *key)
{
	return db_try_lock(conn, LOCK_CLASS, atoll(key), "report lock");
}

static void
unlock(PGconn *conn, const char *key)
{
	db_unlock(conn, LOCK_CLASS, atoll(key));
}

/* A complete run for as_of that finished at or after `since` (it was under
 * way or started after the request, so it is as fresh as the request
 * asks): its id, else 0 (-1 on error). */
static int64_t
fresh_run(PGconn *conn, const char *as_of, double since)
{
	char s[24];
	snprintf(s, sizeof s, "%.6f", since);
	const char *params[2] = { as_of, s };
	PGresult *res = db_check(conn, PQexecParams(conn,
	    "SELECT run_id FROM crmx.run WHERE status = 'ok' AND as_of = $1::date"
	    " AND finished_at >= to_timestamp($2::float8) ORDER BY run_id DESC LIMIT 1",
	    2, NULL, params, NULL, NULL, 0), PGRES_TUPLES_OK, "looking for a fresh run");
	if (res == NULL)
		return -1;
	int64_t id = PQntuples(res) ? atoll(PQgetvalue(res, 0, 0)) : 0;
	PQclear(res);
	return id;
}

double
job_now(void)
{
	return wall_now();
}

/* Waits for the report lock of key (polled, at most LOCK_WAIT_S from t0):
 * 0 when held, -1 with the error in r. */
static int
wait_lock(PGconn *conn, const char *key, const char *day, double t0, struct job_result *r)
{
	for (;;) {
		int got = try_lock(conn, key);
		if (got < 0) {
			snprintf(r->error, sizeof r->error, "report lock: %s", db_errmsg(conn));
			return -1;
		}
		if (got)
			return 0;
		if (mono() - t0 > LOCK_WAIT_S) {
			snprintf(r->error, sizeof r->error, "report lock for %s: still held after %d s",
			         day, LOCK_WAIT_S);
			return -1;
		}
		log_debug("report for %s: another instance holds the lock; waiting", day);
		struct timespec ts = { 0, 200 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
}

/* A metric run computed now, its figures into r. */
static int
compute_run(PGconn *conn, const struct crmx_config *cfg, int32_t as_of, struct job_result *r)
{
	struct engine_result er;
	if (engine_run(conn, cfg, as_of, &er) != 0) {
		snprintf(r->error, sizeof r->error, "metrics run: %s", er.error);
		r->run_id = er.run_id;
		return -1;
	}
	r->computed = 1;
	r->run_id = er.run_id;
	r->run_seconds = er.seconds;
	json_t *rows = json_object_get(er.summary, "rows");
	const char *k;
	json_t *v;
	json_object_foreach(rows, k, v)
		if (strcmp(k, "left_out") != 0)
			r->rows_read += (long)json_integer_value(v);
	json_decref(er.summary);
	return 0;
}

int
job_run(const struct crmx_config *cfg, int32_t as_of, double requested_at, int write_report,
        struct job_result *r)
{
	char key[16], day[16];
	int locked = 0, rc = -1;
	double t0 = mono();
	PGconn *conn;

	memset(r, 0, sizeof *r);
	snprintf(key, sizeof key, "%d", (int)as_of);
	format_date(as_of, day, sizeof day);
	conn = db_connect(cfg, cfg->db_conninfo, "crmx-reportd", r->error, sizeof r->error);
	if (conn == NULL || wait_lock(conn, key, day, t0, r) != 0)
		goto out;
	locked = 1;
	int64_t id = fresh_run(conn, day, requested_at);
	if (id < 0) {
		snprintf(r->error, sizeof r->error, "%s", db_errmsg(conn));
		goto out;
	}
	if (id > 0) {
		log_info("report for %s: run %lld finished after the request; reusing it",
		         day, (long long)id);
		r->run_id = id;
	} else if (compute_run(conn, cfg, as_of, r) != 0) {
		goto out;
	}
	if (write_report && report_write(conn, cfg, r->run_id, &r->report, r->error,
	                                 sizeof r->error) != 0)
		goto out;
	r->ok = 1;
	rc = 0;
out:
	if (locked && PQstatus(conn) == CONNECTION_OK)
		unlock(conn, key);
	if (conn)
		PQfinish(conn);
	r->seconds = mono() - t0;
	return rc;
}

/* ---- staging folders of dead runs ---- */

static int
hold_as_of(int32_t as_of, void *arg)
{
	char key[16];
	snprintf(key, sizeof key, "%d", (int)as_of);
	return try_lock(arg, key);
}

static void
release_as_of(int32_t as_of, void *arg)
{
	char key[16];
	snprintf(key, sizeof key, "%d", (int)as_of);
	unlock(arg, key);
}

void
job_clean_staging(const struct crmx_config *cfg)
{
	char err[512];
	PGconn *conn = db_connect(cfg, cfg->db_conninfo, "crmx-reportd", err, sizeof err);
	if (conn == NULL) {
		log_warn("staging folders: %s; only those over an hour old are removed", err);
		report_clean_staging(cfg->reportd_report_dir, NULL, NULL, NULL);
		return;
	}
	report_clean_staging(cfg->reportd_report_dir, hold_as_of, release_as_of, conn);
	PQfinish(conn);
}
