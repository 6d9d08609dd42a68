/* The metrics engine against hand-computed figures: the small
 * organisation of tests/fixtures/engine_small.sql, loaded into a fresh
 * database on the throwaway cluster, run through engine_run(), and every
 * stored figure compared with the value worked out by hand below. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "date.h"
#include "engine.h"
#include "testlib.h"
#include "util.h"

static PGconn *conn;
static struct crmx_config cfg;

/* NAN for SQL NULL. */
static double
qnum(const char *sql)
{
	PGresult *res = testdb_exec(conn, sql);
	if (PQntuples(res) != 1) {
		print_error("expected one row from: %s\n", sql);
		PQclear(res);
		fail();
	}
	double v = PQgetisnull(res, 0, 0) ? NAN : atof(PQgetvalue(res, 0, 0));
	PQclear(res);
	return v;
}

#define assert_close(got, want, tol) do { \
	double g_ = (got), w_ = (want); \
	if (!(fabs(g_ - w_) <= (tol))) { \
		print_error("%s = %.10g, expected %.10g\n", #got, g_, w_); \
		fail(); \
	} \
} while (0)

#define assert_absent(got) do { \
	double g_ = (got); \
	if (!isnan(g_)) { \
		print_error("%s = %.10g, expected absent (NULL)\n", #got, g_); \
		fail(); \
	} \
} while (0)

static int64_t
run_at(const char *as_of, struct engine_result *res)
{
	int rc = engine_run(conn, &cfg, test_day(as_of), res);
	if (rc != 0)
		print_error("engine_run: %s\n", res->error);
	assert_int_equal(rc, 0);
	assert_true(res->ok);
	return res->run_id;
}

static int
setup(void **state)
{
	(void)state;
	if (!testdb_available())
		return 0;
	conn = testdb_fresh("crmx_test_engine", NULL);
	char *sql = slurp("tests/fixtures/engine_small.sql", NULL);
	assert_non_null(sql);
	PQclear(testdb_exec(conn, sql));
	free(sql);
	config_defaults(&cfg);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	PQfinish(conn);
	config_free(&cfg);
	return 0;
}

static void
test_accounts(void **state)
{
	(void)state;
	struct engine_result r;
	if (!testdb_available())
		skip();
	run_at("2026-06-30", &r);
	json_decref(r.summary);

	/* Revenue in the window; 1 and 2 tie at 350 and the tie goes to the
	 * lower id; 3 (credits only), 4 (before the window) and 6 (nothing)
	 * are not ranked. */
	assert_close(qnum("SELECT revenue_window FROM crmx.latest_account_metrics WHERE account_id = 1"), 350, 1e-9);
	assert_close(qnum("SELECT revenue_rank FROM crmx.latest_account_metrics WHERE account_id = 1"), 1, 0);
	assert_close(qnum("SELECT revenue_rank FROM crmx.latest_account_metrics WHERE account_id = 2"), 2, 0);
	assert_close(qnum("SELECT revenue_rank FROM crmx.latest_account_metrics WHERE account_id = 5"), 3, 0);
	assert_absent(qnum("SELECT revenue_rank FROM crmx.latest_account_metrics WHERE account_id = 3"));
	assert_close(qnum("SELECT revenue_window FROM crmx.latest_account_metrics WHERE account_id = 3"), -40, 1e-9);
	assert_close(qnum("SELECT revenue_window FROM crmx.latest_account_metrics WHERE account_id = 5"), 100, 1e-9);
	assert_string_equal(testdb_value(conn, "SELECT string_agg(coalesce(abc_class, '-'), '' ORDER BY account_id)"
	                                       " FROM crmx.latest_account_metrics"), "AA--B-");

	/* Concentration: 350, 350, 100 of 800; k = round(0.6) = 1 -> 350/800;
	 * 80% reached at the 2nd of 3; Gini (2(100 + 700 + 1050)/(3*800) - 4/3). */
	assert_close(qnum("SELECT n FROM crmx.concentration c JOIN crmx.latest_run USING (run_id) WHERE scope = 'accounts'"), 3, 0);
	assert_close(qnum("SELECT non_positive FROM crmx.concentration JOIN crmx.latest_run USING (run_id) WHERE scope = 'accounts'"), 3, 0);
	assert_close(qnum("SELECT top20_share FROM crmx.concentration JOIN crmx.latest_run USING (run_id) WHERE scope = 'accounts'"), 0.4375, 1e-9);
	assert_close(qnum("SELECT frac_for_80 FROM crmx.concentration JOIN crmx.latest_run USING (run_id) WHERE scope = 'accounts'"), 2.0 / 3, 1e-9);
	assert_close(qnum("SELECT gini FROM crmx.concentration JOIN crmx.latest_run USING (run_id) WHERE scope = 'accounts'"), 3700.0 / 2400 - 4.0 / 3, 1e-9);

	/* RFM of account 1: purchases on 2026-01-10 (two rows) and 03-01. */
	assert_close(qnum("SELECT x FROM crmx.latest_account_metrics WHERE account_id = 1"), 1, 0);
	assert_close(qnum("SELECT t_x FROM crmx.latest_account_metrics WHERE account_id = 1"), 50.0 / 7, 1e-9);
	assert_close(qnum("SELECT t_cal FROM crmx.latest_account_metrics WHERE account_id = 1"), 171.0 / 7, 1e-9);
	assert_close(qnum("SELECT hist_ltv FROM crmx.latest_account_metrics WHERE account_id = 1"), 350, 1e-9);
	/* margins where every row has one; the row after as_of left out */
	assert_close(qnum("SELECT hist_ltv FROM crmx.latest_account_metrics WHERE account_id = 5"), 40, 1e-9);
	assert_close(qnum("SELECT hist_ltv FROM crmx.latest_account_metrics WHERE account_id = 4"), 300, 1e-9);
	assert_close(qnum("SELECT hist_ltv FROM crmx.latest_account_metrics WHERE account_id = 3"), -40, 1e-9);
	assert_absent(qnum("SELECT x FROM crmx.latest_account_metrics WHERE account_id = 3"));
	assert_absent(qnum("SELECT hist_ltv FROM crmx.latest_account_metrics WHERE account_id = 6"));

	assert_string_equal(testdb_value(conn, "SELECT string_agg(segment, ',' ORDER BY account_id)"
	                    " FROM crmx.latest_account_metrics"),
	                    "active,active,prospect,lapsed,active,prospect");
	assert_string_equal(testdb_value(conn, "SELECT string_agg(coalesce(qual_grade, '-'), '' ORDER BY account_id)"
	                    " FROM crmx.latest_account_metrics"), "ABC---");
	assert_string_equal(testdb_value(conn, "SELECT string_agg(open_deals::text, '' ORDER BY account_id)"
	                    " FROM crmx.latest_account_metrics"), "000011");
	assert_string_equal(testdb_value(conn, "SELECT last_activity FROM crmx.latest_account_metrics"
	                    " WHERE account_id = 5"), "2026-06-01 09:00:00+00");
}

static void
test_funnel(void **state)
{
	(void)state;
	if (!testdb_available())
		skip();
	/* Reached, over deals created in the window (o1..o4; max ranks 5, 2, 3, 1). */
	assert_string_equal(testdb_value(conn, "SELECT string_agg(reached::text, ',' ORDER BY stage_rank)"
	                    " FROM crmx.latest_funnel_metrics"), "4,3,2,1,1");
	/* 1->2: 3/3 (o4 is open and still in rank 1); 2->3: 2/3; 3->4: 1/1
	 * (o3 has not left rank 3); 4->5: 1/1 (o1 skipped 4: counts as reached). */
	assert_close(qnum("SELECT conversion_next FROM crmx.latest_funnel_metrics WHERE stage_rank = 1"), 1, 1e-9);
	assert_close(qnum("SELECT conversion_next FROM crmx.latest_funnel_metrics WHERE stage_rank = 2"), 2.0 / 3, 1e-9);
	assert_close(qnum("SELECT conversion_next FROM crmx.latest_funnel_metrics WHERE stage_rank = 3"), 1, 1e-9);
	assert_close(qnum("SELECT conversion_next FROM crmx.latest_funnel_metrics WHERE stage_rank = 4"), 1, 1e-9);
	assert_absent(qnum("SELECT conversion_next FROM crmx.latest_funnel_metrics WHERE stage_rank = 5"));
	/* Stays that ended in the window: rank 1 {10, 5, 10}, 2 {10, 10, 20},
	 * 3 {20}, 4 none, 5 {20} days. */
	assert_close(qnum("SELECT median_days_in_stage FROM crmx.latest_funnel_metrics WHERE stage_rank = 1"), 10, 1e-9);
	assert_close(qnum("SELECT median_days_in_stage FROM crmx.latest_funnel_metrics WHERE stage_rank = 2"), 10, 1e-9);
	assert_close(qnum("SELECT median_days_in_stage FROM crmx.latest_funnel_metrics WHERE stage_rank = 3"), 20, 1e-9);
	assert_absent(qnum("SELECT median_days_in_stage FROM crmx.latest_funnel_metrics WHERE stage_rank = 4"));
	assert_close(qnum("SELECT median_days_in_stage FROM crmx.latest_funnel_metrics WHERE stage_rank = 5"), 20, 1e-9);
	/* Open pipeline: o3 in rank 3 (2000 x 0.45), o4 in rank 1 (300 x 0.10). */
	assert_close(qnum("SELECT weighted_amount FROM crmx.latest_funnel_metrics WHERE stage_rank = 3"), 900, 1e-9);
	assert_close(qnum("SELECT weighted_amount FROM crmx.latest_funnel_metrics WHERE stage_rank = 1"), 30, 1e-9);

	assert_close(qnum("SELECT (summary->'funnel'->>'lead_to_opportunity')::float8 FROM crmx.latest_run"), 0.75, 1e-9);
	assert_close(qnum("SELECT (summary->'funnel'->>'win_rate')::float8 FROM crmx.latest_run"), 0.5, 1e-9);
	assert_close(qnum("SELECT (summary->'funnel'->>'cycle_median_days')::float8 FROM crmx.latest_run"), 60, 1e-9);
	assert_close(qnum("SELECT (summary->'funnel'->>'cycle_mean_days')::float8 FROM crmx.latest_run"), 60, 1e-9);
	assert_close(qnum("SELECT (summary->'funnel'->>'stalled')::float8 FROM crmx.latest_run"), 1, 0);
	assert_close(qnum("SELECT (summary->'funnel'->>'open_deals')::float8 FROM crmx.latest_run"), 2, 0);
	assert_close(qnum("SELECT (summary->'funnel'->>'weighted_pipeline')::float8 FROM crmx.latest_run"), 930, 1e-9);
	/* velocity = 2 open x 1000 mean won x 0.5 / 60 days */
	assert_close(qnum("SELECT (summary->'funnel'->>'velocity_per_day')::float8 FROM crmx.latest_run"), 1000.0 / 60, 1e-9);

	/* Win rates by dimension. */
	assert_string_equal(testdb_value(conn, "SELECT string_agg(dimension || ':' || key || '=' || won || '/' || lost,"
	                    " ' ' ORDER BY dimension, key) FROM crmx.win_rate JOIN crmx.latest_run USING (run_id)"),
	                    "overall:=1/1 owner:10=1/1 source:web=1/1 stage_reached:2=0/1 stage_reached:5=1/0");
	/* Forecast: o4's past expected close moves to the as_of month. */
	assert_string_equal(testdb_value(conn, "SELECT string_agg(owner_id || '@' || period_start || '=' || weighted,"
	                    " ' ' ORDER BY owner_id, period_start) FROM crmx.forecast JOIN crmx.latest_run USING (run_id)"),
	                    "11@2026-06-01=30.00 11@2026-07-01=900.00");
}

static void
test_efficiency(void **state)
{
	(void)state;
	if (!testdb_available())
		skip();
	/* rep_a: 90 + 30 minutes, won o1 (1000): 120 min/won, 500 per hour. */
	assert_close(qnum("SELECT activity_minutes FROM crmx.latest_owner_metrics WHERE owner_id = 10"), 120, 0);
	assert_close(qnum("SELECT minutes_per_won_deal FROM crmx.latest_owner_metrics WHERE owner_id = 10"), 120, 1e-9);
	assert_close(qnum("SELECT revenue_per_hour FROM crmx.latest_owner_metrics WHERE owner_id = 10"), 500, 1e-9);
	assert_close(qnum("SELECT win_rate FROM crmx.latest_owner_metrics WHERE owner_id = 10"), 0.5, 1e-9);
	assert_close(qnum("SELECT cycle_median_days FROM crmx.latest_owner_metrics WHERE owner_id = 10"), 60, 1e-9);
	assert_absent(qnum("SELECT key_person_coverage FROM crmx.latest_owner_metrics WHERE owner_id = 10"));
	/* rep_b: 60 minutes (the 2024 visit is outside), nothing won or lost:
	 * no win rate, no minutes per won deal, 0 revenue per hour; of its
	 * open deals o3's account has a decision maker, o4's not. */
	assert_close(qnum("SELECT activity_minutes FROM crmx.latest_owner_metrics WHERE owner_id = 11"), 60, 0);
	assert_absent(qnum("SELECT win_rate FROM crmx.latest_owner_metrics WHERE owner_id = 11"));
	assert_absent(qnum("SELECT minutes_per_won_deal FROM crmx.latest_owner_metrics WHERE owner_id = 11"));
	assert_absent(qnum("SELECT cycle_median_days FROM crmx.latest_owner_metrics WHERE owner_id = 11"));
	assert_close(qnum("SELECT revenue_per_hour FROM crmx.latest_owner_metrics WHERE owner_id = 11"), 0, 1e-9);
	assert_close(qnum("SELECT key_person_coverage FROM crmx.latest_owner_metrics WHERE owner_id = 11"), 0.5, 1e-9);
	assert_close(qnum("SELECT weighted_pipeline FROM crmx.latest_owner_metrics WHERE owner_id = 11"), 930, 1e-9);
	/* Overall: 180 minutes, one won deal of 1000 -> 333.33 per hour. */
	assert_close(qnum("SELECT (summary->'efficiency'->>'minutes_per_won_deal')::float8 FROM crmx.latest_run"), 180, 1e-9);
	assert_close(qnum("SELECT (summary->'efficiency'->>'revenue_per_activity_hour')::float8 FROM crmx.latest_run"), 1000.0 / 3, 1e-6);
	assert_close(qnum("SELECT (summary->'efficiency'->>'key_person_coverage')::float8 FROM crmx.latest_run"), 0.5, 1e-9);
	/* Owners' concentration: only rep_a has revenue. */
	assert_close(qnum("SELECT n FROM crmx.concentration JOIN crmx.latest_run USING (run_id) WHERE scope = 'owners'"), 1, 0);
	assert_close(qnum("SELECT top20_share FROM crmx.concentration JOIN crmx.latest_run USING (run_id) WHERE scope = 'owners'"), 1, 1e-9);
	assert_close(qnum("SELECT gini FROM crmx.concentration JOIN crmx.latest_run USING (run_id) WHERE scope = 'owners'"), 0, 1e-9);
	assert_close(qnum("SELECT revenue_share FROM crmx.latest_owner_metrics WHERE owner_id = 10"), 1, 1e-9);
	assert_absent(qnum("SELECT revenue_share FROM crmx.latest_owner_metrics WHERE owner_id = 11"));
}

static void
test_cohorts(void **state)
{
	(void)state;
	if (!testdb_available())
		skip();
	/* Cohort 2026-01 is account 1 alone: 150 in January, 350 from March. */
	assert_string_equal(testdb_value(conn, "SELECT string_agg(k || '=' || cum_revenue_per_acct, ' ' ORDER BY k)"
	                    " FROM crmx.cohort_curve JOIN crmx.latest_run USING (run_id) WHERE cohort = '2026-01-01'"),
	                    "0=150 1=150 2=350 3=350 4=350 5=350");
	/* Cohort 2024-01 (account 4) runs to June 2026: k = 0..29. */
	assert_close(qnum("SELECT max(k) FROM crmx.cohort_curve JOIN crmx.latest_run USING (run_id) WHERE cohort = '2024-01-01'"), 29, 0);
	assert_close(qnum("SELECT count(DISTINCT cohort) FROM crmx.cohort_curve JOIN crmx.latest_run USING (run_id)"), 4, 0);
}

/* A window with no closed deals (as_of 2026-02-10: o2 closes on the 16th,
 * o1 in March) and, as of then, o1 open in rank 5 and o2 in rank 2. */
static void
test_no_closed_deals(void **state)
{
	(void)state;
	struct engine_result r;
	if (!testdb_available())
		skip();
	run_at("2026-02-10", &r);
	json_t *f = json_object_get(r.summary, "funnel");
	assert_true(json_is_null(json_object_get(f, "win_rate")));
	assert_true(json_is_null(json_object_get(f, "cycle_median_days")));
	assert_true(json_is_null(json_object_get(f, "velocity_per_day")));
	assert_int_equal(json_integer_value(json_object_get(f, "open_deals")), 2);
	json_decref(r.summary);
	assert_string_equal(testdb_value(conn, "SELECT string_agg(open_count::text, ',' ORDER BY stage_rank)"
	                    " FROM crmx.latest_funnel_metrics"), "0,1,0,0,1");
	assert_close(qnum("SELECT count(*) FROM crmx.win_rate JOIN crmx.latest_run USING (run_id)"), 0, 0);
	/* Weighted by the stage each deal was in then, not by how it ended
	 * (o1 won, o2 lost since): 1000 x 0.85 (negotiation) + 500 x 0.25
	 * (judged).  With today's 100% and 0% a back-dated run's forecast
	 * equalled what was later won. */
	assert_close(qnum("SELECT (summary->'funnel'->>'weighted_pipeline')::float8 FROM crmx.latest_run"),
	             975, 1e-9);
	assert_close(qnum("SELECT sum(weighted) FROM crmx.forecast JOIN crmx.latest_run USING (run_id)"),
	             975, 1e-9);
}

/* An empty window: nothing computable is reported as 0. */
static void
test_empty_window(void **state)
{
	(void)state;
	struct engine_result r;
	if (!testdb_available())
		skip();
	run_at("2020-01-01", &r);
	json_t *acc = json_object_get(r.summary, "accounts");
	assert_true(json_is_null(json_object_get(acc, "top20_share")));
	assert_true(json_is_null(json_object_get(acc, "gini")));
	assert_true(json_is_null(json_object_get(acc, "frac_for_80")));
	assert_int_equal(json_integer_value(json_object_get(acc, "n")), 0);
	json_t *f = json_object_get(r.summary, "funnel");
	assert_true(json_is_null(json_object_get(f, "lead_to_opportunity")));
	assert_true(json_is_null(json_object_get(f, "win_rate")));
	assert_true(json_is_null(json_array_get(json_object_get(f, "conversion"), 0)));
	assert_true(json_is_null(json_object_get(json_object_get(r.summary, "ltv"), "bgnbd")));
	/* The stored text has no NaN anywhere. */
	char *text = json_dumps(r.summary, 0);
	assert_null(strstr(text, "nan"));
	assert_null(strstr(text, "NaN"));
	free(text);
	json_decref(r.summary);
	assert_absent(qnum("SELECT top20_share FROM crmx.concentration JOIN crmx.latest_run USING (run_id) WHERE scope = 'accounts'"));
}

/* Run r failed for why (a part of its error), recorded as failed, with no
 * rows of its accounts; the run good is still the latest complete one. */
static void
assert_failed_run(const struct engine_result *r, const char *why, int64_t good)
{
	assert_false(r->ok);
	assert_non_null(strstr(r->error, why));
	char sql[128];
	snprintf(sql, sizeof sql, "SELECT run_id = %lld FROM crmx.latest_run", (long long)good);
	assert_string_equal(testdb_value(conn, sql), "t");
	snprintf(sql, sizeof sql, "SELECT status FROM crmx.run WHERE run_id = %lld", (long long)r->run_id);
	assert_string_equal(testdb_value(conn, sql), "failed");
	snprintf(sql, sizeof sql, "SELECT count(*) FROM crmx.account_metrics WHERE run_id = %lld",
	         (long long)r->run_id);
	assert_string_equal(testdb_value(conn, sql), "0");
}

/* A run that cannot complete leaves the previous results current. */
static void
test_failed_run_keeps_previous(void **state)
{
	(void)state;
	struct engine_result r;
	if (!testdb_available())
		skip();
	int64_t good = run_at("2026-06-30", &r);
	json_decref(r.summary);
	PQclear(testdb_exec(conn, "ALTER TABLE crmx.owner_metrics ADD CONSTRAINT no_rep_b CHECK (owner_id <> 11) NOT VALID"));
	assert_int_not_equal(engine_run(conn, &cfg, test_day("2026-06-30"), &r), 0);
	PQclear(testdb_exec(conn, "ALTER TABLE crmx.owner_metrics DROP CONSTRAINT no_rep_b"));
	assert_failed_run(&r, "no_rep_b", good);
}

/* A run made to fail where the server builds the run's indexes (the
 * attach, store_accounts_begin), after a good run (its id returned): an
 * event trigger on CREATE INDEX, a command only the attach gives, raises
 * MESSAGE (an SQL text expression); the run fails with WHY in its reason
 * and the good run stays current (assert_failed_run). */
static int64_t
run_failing_at_attach(const char *message, const char *why, struct engine_result *r)
{
	int64_t good = run_at("2026-06-30", r);
	json_decref(r->summary);
	char sql[256];
	snprintf(sql, sizeof sql, "CREATE OR REPLACE FUNCTION pg_temp.fail_index()"
	         " RETURNS event_trigger LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION '%%', %s;"
	         " END$$", message);
	PQclear(testdb_exec(conn, sql));
	PQclear(testdb_exec(conn, "CREATE EVENT TRIGGER fail_index ON ddl_command_end"
	    " WHEN TAG IN ('CREATE INDEX') EXECUTE FUNCTION pg_temp.fail_index()"));
	assert_int_not_equal(engine_run(conn, &cfg, test_day("2026-06-30"), r), 0);
	PQclear(testdb_exec(conn, "DROP EVENT TRIGGER fail_index"));
	assert_failed_run(r, why, good);
	return good;
}

/* The accounts' rows are indexed on the server while the learned
 * forecast is computed (store_accounts_begin): an index that cannot be
 * built fails the run when its answer is read, with the reason; the run's
 * rows are gone, the previous run stays current, and the connection is
 * fit for the next run. */
static void
test_failed_attach_keeps_previous(void **state)
{
	(void)state;
	struct engine_result r;
	if (!testdb_available())
		skip();
	run_failing_at_attach("'no index today'", "no index today", &r);
	char sql[128];
	snprintf(sql, sizeof sql, "SELECT to_regclass('crmx.account_metrics_%lld') IS NULL",
	         (long long)r.run_id);
	assert_string_equal(testdb_value(conn, sql), "t");
	/* the next run on the same connection completes */
	int64_t after = run_at("2026-06-30", &r);
	json_decref(r.summary);
	snprintf(sql, sizeof sql, "SELECT run_id = %lld FROM crmx.latest_run", (long long)after);
	assert_string_equal(testdb_value(conn, sql), "t");
}

/* The run's store transaction hashes and sorts with [reportd]
 * store_work_mem_mb of work_mem, on that transaction only: the setting
 * seen where the attach builds the run's indexes (the run failed with
 * it), and the connection's own after. */
static void
test_store_work_mem(void **state)
{
	(void)state;
	struct engine_result r;
	if (!testdb_available())
		skip();
	char *own = strdup(testdb_value(conn, "SHOW work_mem"));
	int saved = cfg.reportd_store_work_mem_mb;
	cfg.reportd_store_work_mem_mb = 37;
	run_failing_at_attach("'work_mem ' || current_setting('work_mem')", "work_mem 37MB", &r);
	cfg.reportd_store_work_mem_mb = saved;
	assert_string_equal(testdb_value(conn, "SHOW work_mem"), own);
	assert_string_not_equal(own, "37MB");
	free(own);
}

/* The last 12 runs keep their per-account partitions; an older run keeps
 * its small tables (owner metrics, forecast...) for two years of as-of
 * dates, then goes whole; the newest results stay complete. */
static void
test_prune(void **state)
{
	(void)state;
	struct engine_result r;
	if (!testdb_available())
		skip();
	/* a run as of more than two years before the others, with its rows */
	PQclear(testdb_exec(conn, "INSERT INTO crmx.run (run_id, as_of, window_start, window_end,"
	    " status) VALUES (900000, '2024-06-29', '2023-06-30', '2024-06-30', 'ok')"));
	PQclear(testdb_exec(conn, "INSERT INTO crmx.forecast VALUES (900000, 1, '2024-07-01', 1, 1, 1)"));
	PQclear(testdb_exec(conn, "SELECT setval('crmx.run_run_id_seq', 900000)"));
	int64_t first = 0, last = 0;
	for (int i = 0; i < 14; i++) {
		last = run_at("2026-06-30", &r);
		if (i == 0)
			first = last;
		json_decref(r.summary);
	}
	char sql[200];
	snprintf(sql, sizeof sql, "SELECT count(*) FROM crmx.run WHERE run_id >= %lld", (long long)first);
	assert_string_equal(testdb_value(conn, sql), "14");
	assert_string_equal(testdb_value(conn, "SELECT count(*) FROM crmx.run WHERE run_id = 900000"), "0");
	assert_string_equal(testdb_value(conn, "SELECT count(*) FROM crmx.forecast WHERE run_id = 900000"), "0");
	assert_string_equal(testdb_value(conn, "SELECT count(*) FROM pg_inherits"
	    " WHERE inhparent = 'crmx.account_metrics'::regclass"), "12");
	snprintf(sql, sizeof sql, "SELECT (SELECT count(*) FROM crmx.account_metrics WHERE run_id = %lld),"
	         " (SELECT count(*) > 0 FROM crmx.owner_metrics WHERE run_id = %lld)",
	         (long long)first, (long long)first);
	PGresult *kept = testdb_exec(conn, sql);
	assert_string_equal(PQgetvalue(kept, 0, 0), "0");	/* no account rows */
	assert_string_equal(PQgetvalue(kept, 0, 1), "t");	/* the small tables stay */
	PQclear(kept);
	/* the panels' sums (0027) go with the account rows; the latest run's stay */
	static const char *const sums[] = { "pipeline_agg", "closed_agg", "region_agg", "region_top" };
	for (size_t i = 0; i < sizeof sums / sizeof sums[0]; i++) {
		snprintf(sql, sizeof sql, "SELECT (SELECT count(*) FROM crmx.%s WHERE run_id = %lld),"
		         " (SELECT count(*) > 0 FROM crmx.%s WHERE run_id = %lld)",
		         sums[i], (long long)first, sums[i], (long long)last);
		PGresult *agg = testdb_exec(conn, sql);
		if (strcmp(PQgetvalue(agg, 0, 0), "0") != 0 || strcmp(PQgetvalue(agg, 0, 1), "t") != 0)
			print_error("crmx.%s: %s rows of the pruned run, latest run's present: %s\n",
			            sums[i], PQgetvalue(agg, 0, 0), PQgetvalue(agg, 0, 1));
		assert_string_equal(PQgetvalue(agg, 0, 0), "0");
		assert_string_equal(PQgetvalue(agg, 0, 1), "t");
		PQclear(agg);
	}
	snprintf(sql, sizeof sql, "SELECT count(*) = (SELECT count(*) FROM crmx_src.accounts)"
	         " FROM crmx.latest_account_metrics WHERE run_id = %lld", (long long)last);
	assert_string_equal(testdb_value(conn, sql), "t");
}

/* Weekly runs over 30 weeks all stay (a report looks back half a year of
 * weekly runs; make run back-fills 26), the older ones without their
 * per-account rows. */
static void
test_prune_weekly(void **state)
{
	(void)state;
	struct engine_result r;
	if (!testdb_available())
		skip();
	/* the runs of this test: those after the earlier tests' */
	char before[32], sql[400];
	snprintf(before, sizeof before, "%s",
	         testdb_value(conn, "SELECT coalesce(max(run_id), 0) FROM crmx.run"));
	for (int k = 0; k < 30; k++) {
		char day[16];
		format_date(test_day("2026-01-05") + 7 * k, day, sizeof day);
		run_at(day, &r);
		json_decref(r.summary);
	}
	/* every weekly run stays (its small tables: summary, forecast, owner
	 * metrics), so that the report looks back over them; only the newest
	 * 12 keep their per-account rows */
	snprintf(sql, sizeof sql, "SELECT count(*) || ' ' || count(DISTINCT date_trunc('week', as_of))"
	         " || ' ' || min(as_of) || ' ' || max(as_of) FROM crmx.run"
	         " WHERE status <> 'running' AND run_id > %s", before);
	assert_string_equal(testdb_value(conn, sql), "30 30 2026-01-05 2026-07-27");
	assert_string_equal(testdb_value(conn, "SELECT count(*) FROM pg_inherits"
	    " WHERE inhparent = 'crmx.account_metrics'::regclass"), "12");
	snprintf(sql, sizeof sql, "SELECT count(DISTINCT run_id) FROM crmx.owner_metrics"
	         " WHERE run_id > %s", before);
	assert_string_equal(testdb_value(conn, sql), "30");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accounts),
		cmocka_unit_test(test_funnel),
		cmocka_unit_test(test_efficiency),
		cmocka_unit_test(test_cohorts),
		cmocka_unit_test(test_no_closed_deals),
		cmocka_unit_test(test_empty_window),
		cmocka_unit_test(test_failed_run_keeps_previous),
		cmocka_unit_test(test_failed_attach_keeps_previous),
		cmocka_unit_test(test_store_work_mem),
		cmocka_unit_test(test_prune),
		cmocka_unit_test(test_prune_weekly),
	};
	return cmocka_run_group_tests_name("engine", tests, setup, teardown);
}
