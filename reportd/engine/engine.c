/* One metric run: record the run, read the snapshot, compute, store.  The
 * order of the steps is the data flow of docs/design.md; each step is a file. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "db.h"
#include "engine.h"
#include "holdout.h"
#include "log.h"
#include "replica.h"
#include "money.h"
#include "results.h"
#include "snapshot.h"
#include "store.h"
#include "summary.h"
#include "winforecast.h"
#include "util.h"

/* A run in progress holds a session advisory lock on its id in this class
 * for as long as it computes: a row still 'running' whose lock nobody
 * holds belongs to a process that died (killed, crashed, its connection
 * cut), whenever that was. */
#define RUN_LOCK_CLASS	"1668443509"	/* "crmu" as a 32-bit integer */

/* Inserts the run row and takes its lock (one transaction, so that no one
 * sees the row unlocked; the row stands alone so that a failure can be
 * recorded against it); returns the run id or -1, and in *snap (malloc'd)
 * the primary's snapshot of that statement: every change it shows was
 * committed before the run's read began, on the primary or on a replica
 * that had replayed the primary's position of after it (read_snapshot),
 * so each sum the run stores is of it or later, and it is recorded as
 * the run's (crmx.store_panel_aggregates: the marks of changes it shows
 * go).  First, the runs left 'running' by dead processes are closed. */
static int64_t
begin_run(PGconn *conn, int32_t as_of, int32_t window_start, char **snap)
{
	char a[16], w[16], e[16], host[256] = "";
	format_date(as_of, a, sizeof a);
	format_date(window_start, w, sizeof w);
	format_date(as_of + 1, e, sizeof e);
	gethostname(host, sizeof host - 1);
	PGresult *res = db_check(conn, PQexec(conn,
	    "UPDATE crmx.run r SET status = 'failed', error = 'interrupted (the process ended)',"
	    " finished_at = now() WHERE status = 'running' AND NOT EXISTS ("
	    "  SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted"
	    "   AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
	    "   AND l.classid = " RUN_LOCK_CLASS "::bigint::oid AND l.objid = r.run_id::oid"
	    "   AND l.objsubid = 2)"),
	    PGRES_COMMAND_OK, "closing the runs of dead processes");
	if (res == NULL)
		return -1;
	PQclear(res);
	if (db_command(conn, "BEGIN") != 0)
		return -1;
	const char *params[4] = { a, w, e, host };
	res = db_check(conn, PQexecParams(conn,
	    "WITH r AS (INSERT INTO crmx.run (as_of, window_start, window_end, host)"
	    " VALUES ($1, $2, $3, $4) RETURNING run_id)"
	    " SELECT run_id, pg_advisory_lock(" RUN_LOCK_CLASS ", run_id::int),"
	    " pg_current_snapshot()::text FROM r",
	    4, NULL, params, NULL, NULL, 0), PGRES_TUPLES_OK, "starting a run");
	if (res == NULL || db_command(conn, "COMMIT") != 0) {
		PQclear(res);
		db_command(conn, "ROLLBACK");
		return -1;
	}
	int64_t id = atoll(PQgetvalue(res, 0, 0));
	*snap = xstrdup(PQgetvalue(res, 0, 2));
	PQclear(res);
	return id;
}

/* The run's lock, once it is over (ok or failed). */
static void
end_run(PGconn *conn, int64_t run_id)
{
	if (run_id > 0 && PQstatus(conn) == CONNECTION_OK)
		db_unlock(conn, atol(RUN_LOCK_CLASS), run_id);
}

static void
fail_run(PGconn *conn, int64_t run_id, const char *why)
{
	if (run_id <= 0 || PQstatus(conn) != CONNECTION_OK)
		return;
	char id[24];
	snprintf(id, sizeof id, "%lld", (long long)run_id);
	const char *params[2] = { id, why };
	PGresult *res = PQexecParams(conn,
	    "UPDATE crmx.run SET status = 'failed', error = $2, finished_at = clock_timestamp(),"
	    " duration_ms = (extract(epoch FROM clock_timestamp() - started_at) * 1000)::bigint"
	    " WHERE run_id = $1", 2, NULL, params, NULL, NULL, 0);
	PQclear(res);
	/* what it committed before its store (store.h) */
	res = PQexecParams(conn, "SELECT crmx.discard_run($1)", 1, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		log_warn("run %lld: its rows stay until it is pruned: %s", (long long)run_id,
		         db_errmsg(conn));
	PQclear(res);
}

/* The run summary and the row counts into the run, with its results (one
 * transaction, store.c); 0, or -1 with the error in out. */
static int
summarise_and_store(PGconn *conn, struct engine_result *out, const struct snapshot *snap,
                    const struct results *res, const char *run_snap, double t0)
{
	int rc = -1;
	out->summary = summary_build(snap, res, out->run_id);
	json_t *counts = summary_row_counts(snap);
	char *summary_text = json_dumps(out->summary, JSON_COMPACT | JSON_REAL_PRECISION(15));
	char *counts_text = json_dumps(counts, JSON_COMPACT);
	json_decref(counts);
	if (summary_text == NULL || counts_text == NULL)
		snprintf(out->error, sizeof out->error, "out of memory building the summary");
	else if (store_results(conn, out->run_id, snap, res, run_snap, summary_text, counts_text,
	                       (long)((mono() - t0) * 1000), out->error, sizeof out->error) == 0)
		rc = 0;
	free(summary_text);
	free(counts_text);
	return rc;
}

/* The snapshot, read on the replica ([database] read_conninfo) when it is
 * fit (it replays the primary's position of now within max_replica_lag_s:
 * the snapshot then holds every change committed before the run), else
 * (or when the read there fails: a recovery conflict, the replica gone)
 * on the primary; the run itself is recorded on the primary. */
static int
read_snapshot(PGconn *conn, const struct crmx_config *cfg, struct engine_result *out,
              int32_t as_of, struct snapshot *snap)
{
	struct replica_state st;
	char why[600];
	size_t second = (size_t)cfg->reportd_second_read_accounts;
	PGconn *rd = replica_connect_fit(cfg, "crmx-reportd", conn, &st, why, sizeof why);
	if (rd != NULL) {
		log_info("run %lld: reading crmx_src on the replica (%.1f s behind)",
		         (long long)out->run_id, st.lag_s);
		int rc = snapshot_read(rd, as_of, currency_digits(cfg->metrics_currency), second,
		                       snap, out->error, sizeof out->error);
		PQfinish(rd);
		if (rc == 0)
			return 0;
		log_warn("run %lld: reading on the replica failed (%s); reading on the primary",
		         (long long)out->run_id, out->error);
		snapshot_free(snap);
	} else if (why[0] != '\0') {
		log_warn("run %lld: %s; reading on the primary", (long long)out->run_id, why);
	}
	log_info("run %lld: reading crmx_src", (long long)out->run_id);
	return snapshot_read(conn, as_of, currency_digits(cfg->metrics_currency), second, snap,
	                     out->error, sizeof out->error);
}

/* The accounts' rows stored on the run's connection by a thread of their
 * own (store.h: committed with the regions' sums made from them, the
 * store transaction opened with its indexing), while the engine computes what
 * does not change them: the funnel, efficiency, cohorts and holdout only
 * read them and the snapshot, and do not use the connection until it is
 * joined. */
struct accounts_store {
	PGconn			*conn;
	int64_t			 run_id;
	const struct snapshot	*snap;
	const struct results	*res;
	int			 work_mem_mb;
	char			 err[512];
	double			 seconds;
	int			 rc;
};

static void *
accounts_store_main(void *arg)
{
	struct accounts_store *a = arg;
	double t = mono();
	a->rc = store_accounts_commit(a->conn, a->run_id, a->snap, a->res, a->err, sizeof a->err);
	if (a->rc == 0)
		a->rc = store_begin(a->conn, a->run_id, a->work_mem_mb, a->err, sizeof a->err);
	a->seconds = mono() - t;
	return NULL;
}

/* The process's peak resident memory so far, MiB (the run's memory at
 * each stage, for the run's log line). */
static long
peak_mib(void)
{
	struct rusage ru;
	return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss / 1024 : -1;
}

int
engine_run(PGconn *conn, const struct crmx_config *cfg, int32_t as_of, struct engine_result *out)
{
	struct metric_params mp = {
		.window_days = cfg->metrics_window_days,
		.stall_days = cfg->metrics_stall_days,
		.horizon_weeks = cfg->metrics_horizon_weeks,
		.discount_monthly = cfg->metrics_discount_monthly,
		.margin = cfg->metrics_margin,
		.holdout_weeks = cfg->metrics_holdout_weeks,
		.forecast_holdout_weeks = cfg->metrics_forecast_holdout_weeks,
	};
	struct snapshot snap;
	struct results res;
	char *run_snap = NULL;
	double t0 = mono();
	int rc = -1;

	memset(out, 0, sizeof *out);
	memset(&snap, 0, sizeof snap);
	memset(&res, 0, sizeof res);
	res.as_of = as_of;
	res.window_start = as_of - mp.window_days + 1;
	res.timezone = cfg->reportd_timezone;

	out->run_id = begin_run(conn, as_of, res.window_start, &run_snap);
	if (out->run_id < 0) {
		snprintf(out->error, sizeof out->error, "cannot record the run: %s", db_errmsg(conn));
		goto out;
	}
	if (read_snapshot(conn, cfg, out, as_of, &snap) != 0)
		goto out;
	double t1 = mono();
	long m1 = peak_mib();
	res.money_digits = snap.money_digits;

	metrics_customers(&snap, &mp, &res);
	/* The accounts' rows are final: stored now, by a thread while the
	 * rest is computed (when one cannot be made, before it), and the
	 * server indexes them while the learned forecast (one thread,
	 * reading neither) is computed.  At a million accounts the funnel,
	 * efficiency, cohorts and holdout left a core idle for a third of
	 * their time. */
	struct accounts_store as = { .conn = conn, .run_id = out->run_id, .snap = &snap,
	                             .res = &res, .work_mem_mb = cfg->reportd_store_work_mem_mb };
	pthread_t ath;
	int threaded = pthread_create(&ath, NULL, accounts_store_main, &as) == 0;
	if (!threaded)
		accounts_store_main(&as);
	metrics_funnel(&snap, &mp, &res);
	metrics_efficiency(&snap, &mp, &res);
	metrics_cohorts(&snap, &res);
	holdout_check(&snap, mp.holdout_weeks, &res.holdout);
	/* The revenue rows are read by nothing after this (a quarter of the
	 * run's memory at 10M rows): gone before the learned forecast makes
	 * its training rows, the run's peak. */
	long mf = peak_mib();
	snapshot_drop_revenue(&snap);
	if (threaded)
		pthread_join(ath, NULL);
	if (as.rc != 0) {
		snprintf(out->error, sizeof out->error, "%s", as.err);
		goto out;
	}
	/* Neither the accounts' results (copied) nor the activities (the deal
	 * state keeps their times by deal) are read again: at 5 million
	 * accounts a gigabyte gone before the training rows are made. */
	free(res.acct);
	res.acct = NULL;
	double tf = mono(), ta = tf - as.seconds;
	struct dealstate ds;
	dealstate_init(&ds, &snap);
	snapshot_drop_activities(&snap);
	winforecast_run(&ds, &mp, &res.winfc);
	dealstate_free(&ds);
	double t2 = mono();
	long m2 = peak_mib();

	if (summarise_and_store(conn, out, &snap, &res, run_snap, t0) != 0)
		goto out;
	double t3 = mono();
	out->ok = 1;
	rc = 0;
	log_info("run %lld: as of %s, %zu accounts, %zu revenue rows, %zu deals:"
	         " read %.2f s, computed %.2f s (learned forecast %.2f s, accounts' rows"
	         " copied before it %.2f s), stored %.2f s;"
	         " peak memory %ld MiB read, %ld computed before the learned forecast,"
	         " %ld after it, %ld stored",
	         (long long)out->run_id, json_string_value(json_object_get(out->summary, "as_of")),
	         snap.n_acct, snap.n_rev, snap.n_opp, t1 - t0, t2 - t1, t2 - tf, tf - ta, t3 - t2,
	         m1, mf, m2, peak_mib());
out:
	free(run_snap);
	out->seconds = mono() - t0;
	if (rc != 0) {
		log_error("run %lld failed: %s", (long long)out->run_id, out->error);
		store_abort(conn);
		fail_run(conn, out->run_id, out->error);
		json_decref(out->summary);
		out->summary = NULL;
	}
	end_run(conn, out->run_id);
	results_free(&res);
	snapshot_free(&snap);
	return rc;
}

void
results_free(struct results *res)
{
	free(res->acct);
	free(res->owner);
	for (size_t i = 0; i < res->n_rates; i++)
		free(res->rates[i].key);
	free(res->rates);
	free(res->cohorts);
	free(res->forecast);
	free(res->winfc.deals);
	memset(res, 0, sizeof *res);
}
