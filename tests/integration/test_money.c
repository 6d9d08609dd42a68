/* Exact money through the whole engine (issue 15):
 * - many small amounts and credits that net to exactly zero: those
 *   accounts are non-positive, the total is the exact sum, and no amount in
 *   the run summary has more decimals than the currency (2 for the default
 *   CNY);
 * - the Online Retail data set (../shared/data/online-retail), loaded by
 *   the CSV import like any CRM export: every concentration figure of the
 *   run equals the same definition computed in SQL numeric here (counts
 *   equal, shares to 1e-9). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "admin.h"
#include "config.h"
#include "engine.h"
#include "testlib.h"
#include "util.h"

static struct crmx_config cfg;

/* Imports one revenue CSV through crmx-admin's import command. */
static void
import_file(PGconn *conn, const char *path)
{
	struct admin_ctx ctx = { .cfg = cfg, .conn = conn };
	char import[] = "import", p[4096];
	snprintf(p, sizeof p, "%s", path);
	char *argv[] = { import, p, NULL };
	assert_int_equal(cmd_import(&ctx, 2, argv), 0);
}

static json_t *
run(PGconn *conn, const char *as_of_iso)
{
	struct engine_result r;
	int rc = engine_run(conn, &cfg, test_day(as_of_iso), &r);
	if (rc != 0)
		print_error("engine_run: %s\n", r.error);
	assert_int_equal(rc, 0);
	return r.summary;
}

/* The keys of the run summary that hold amounts of money. */
static int
is_amount_key(const char *k)
{
	static const char *const keys[] = { "total", "A", "B", "C", "revenue_window",
	    "reached_amount", "open_amount", "weighted", "weighted_pipeline",
	    "predicted_total", "mean_won_amount" };
	for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
		if (strcmp(k, keys[i]) == 0)
			return 1;
	return 0;
}

/* Counts amounts written (as `--format json` writes them: %.15g) with
 * more than `digits` decimals; *seen counts the amounts looked at. */
static int
too_precise(json_t *o, const char *key, int digits, int *seen)
{
	int bad = 0;
	if (json_is_object(o)) {
		const char *k;
		json_t *v;
		json_object_foreach(o, k, v)
			bad += too_precise(v, k, digits, seen);
	} else if (json_is_array(o)) {
		size_t i;
		json_t *v;
		json_array_foreach(o, i, v)
			bad += too_precise(v, key, digits, seen);
	} else if (json_is_real(o) && key != NULL && is_amount_key(key)) {
		char buf[64];
		snprintf(buf, sizeof buf, "%.15g", json_real_value(o));
		const char *dot = strchr(buf, '.');
		(*seen)++;
		if ((dot && (int)strlen(dot + 1) > digits) || strchr(buf, 'e')) {
			print_error("amount %s = %s has more than %d decimals\n", key, buf, digits);
			bad++;
		}
	}
	return bad;
}

static json_int_t
ival(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	assert_true(json_is_integer(v));
	return json_integer_value(v);
}

static double
dval(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	assert_true(json_is_number(v));
	return json_number_value(v);
}

/* 40 accounts whose small amounts and credits net to exactly 0.00, and 20
 * whose net is positive; every row in the window. */
static void
test_net_zero(void **state)
{
	(void)state;
	if (!testdb_available()) {
		print_message("skipped: no test cluster\n");
		skip();
	}
	PGconn *conn = testdb_fresh("crmx_test_money", NULL);
	char dir[] = "/tmp/crmx-money.XXXXXX", path[64];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/revenue.csv", dir);
	FILE *out = fopen(path, "w");
	assert_non_null(out);
	fprintf(out, "account_id,booked_at,amount\n");
	for (int a = 1; a <= 60; a++) {
		/* 30 purchases of 0.10, 0.07 or 0.01 (a cent more for the
		 * positive ones' first), then one credit */
		static const char *const small[] = { "0.10", "0.07", "0.01" };
		static const char *const credit[] = { "-3.00", "-2.10", "-0.30" };
		for (int d = 1; d <= 30; d++)
			fprintf(out, "%d,2026-05-%02d,%s\n", a, d, a > 40 && d == 1 ?
			        "0.11" : small[a % 3]);
		fprintf(out, "%d,2026-06-01,%s\n", a, credit[a % 3]);
	}
	fclose(out);
	import_file(conn, path);
	unlink(path);
	rmdir(dir);

	json_t *s = run(conn, "2026-06-30");
	json_t *acc = json_object_get(s, "accounts");
	assert_int_equal(ival(acc, "n"), 20);
	assert_int_equal(ival(acc, "non_positive"), 40);
	char got[64];
	snprintf(got, sizeof got, "%.2f", dval(acc, "total"));
	assert_string_equal(got, testdb_value(conn, "SELECT sum(amount) FROM crmx_src.revenue"));
	/* equal amounts: ranked by id, classes by the exact running total */
	assert_string_equal(testdb_value(conn, "SELECT count(*) FROM crmx.latest_account_metrics"
	                                 " WHERE abc_class IS NOT NULL"), "20");
	assert_string_equal(testdb_value(conn, "SELECT count(*) FROM crmx.latest_account_metrics"
	                                 " WHERE hist_ltv = 0"), "40");
	int seen = 0;
	assert_int_equal(too_precise(s, NULL, 2, &seen), 0);
	assert_true(seen > 10);
	json_decref(s);
	PQfinish(conn);
}

/* The concentration figures of a window in SQL numeric: n, non-positive,
 * total, top-20% share, fraction for 80%, Gini, A/B/C counts. */
static const char reference_sql[] =
    "WITH net AS ("
    "  SELECT a.account_id, coalesce(sum(r.amount), 0) AS v"
    "    FROM crmx_src.accounts a LEFT JOIN crmx_src.revenue r"
    "      ON r.account_id = a.account_id AND r.booked_at >= $1::date AND r.booked_at < $2::date"
    "   GROUP BY a.account_id"
    "), ranked AS ("
    "  SELECT v, row_number() OVER w AS i, sum(v) OVER (w ROWS UNBOUNDED PRECEDING) AS cum,"
    "         count(*) OVER () AS n, sum(v) OVER () AS t"
    "    FROM net WHERE v > 0 WINDOW w AS (ORDER BY v DESC, account_id)"
    ")"
    "SELECT max(n), (SELECT count(*) FROM net WHERE v <= 0), max(t),"
    "       max(cum) FILTER (WHERE i = greatest(round(0.2 * n), 1)) / max(t),"
    "       min(i) FILTER (WHERE cum >= 0.8 * t)::numeric / max(n),"
    "       2 * sum((n - i + 1) * v) / (max(n) * max(t)) - (max(n) + 1)::numeric / max(n),"
    "       count(*) FILTER (WHERE cum - v < 0.8 * t),"
    "       count(*) FILTER (WHERE cum - v >= 0.8 * t AND cum - v < 0.95 * t),"
    "       count(*) FILTER (WHERE cum - v >= 0.95 * t)"
    "  FROM ranked";

/* The raw invoice lines into a table, then one revenue row per line of a
 * known customer (quantity x unit price, to the penny) as a CSV file. */
static void
retail_csv(PGconn *conn, const char *gz, const char *path)
{
	PQclear(testdb_exec(conn, "CREATE TEMP TABLE raw (invoice text, stock text, descr text,"
	    " qty numeric, at timestamp, price numeric, customer text, country text)"));
	PGresult *res = PQexec(conn, "COPY raw FROM STDIN (FORMAT csv, HEADER)");
	assert_int_equal(PQresultStatus(res), PGRES_COPY_IN);
	PQclear(res);
	char cmd[4200], buf[65536];
	snprintf(cmd, sizeof cmd, "gzip -dc '%s'", gz);
	FILE *in = popen(cmd, "r");
	assert_non_null(in);
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, in)) > 0)
		assert_int_equal(PQputCopyData(conn, buf, (int)n), 1);
	assert_int_equal(pclose(in), 0);
	assert_int_equal(PQputCopyEnd(conn, NULL), 1);
	res = PQgetResult(conn);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		print_error("COPY raw: %s\n", PQerrorMessage(conn));
	assert_int_equal(PQresultStatus(res), PGRES_COMMAND_OK);
	PQclear(res);
	while ((res = PQgetResult(conn)) != NULL)
		PQclear(res);

	res = PQexec(conn, "COPY (SELECT customer AS account_id, at::date AS booked_at,"
	    " round(qty * price, 2) AS amount FROM raw WHERE customer <> '')"
	    " TO STDOUT (FORMAT csv, HEADER)");
	assert_int_equal(PQresultStatus(res), PGRES_COPY_OUT);
	PQclear(res);
	FILE *out = fopen(path, "w");
	assert_non_null(out);
	char *row;
	int len;
	while ((len = PQgetCopyData(conn, &row, 0)) > 0) {
		assert_int_equal(fwrite(row, 1, (size_t)len, out), (size_t)len);
		PQfreemem(row);
	}
	assert_int_equal(len, -1);
	while ((res = PQgetResult(conn)) != NULL)
		PQclear(res);
	assert_int_equal(fclose(out), 0);
}

static void
test_online_retail(void **state)
{
	(void)state;
	const char *gz = testdata_path("online-retail/online_retail.csv.gz");
	if (gz == NULL || !testdb_available()) {
		print_message("skipped: data not found (%s/online-retail) or no test cluster\n",
		              testdata_dir() ? testdata_dir() : "../shared/data");
		skip();
	}
	char gzpath[4096];
	snprintf(gzpath, sizeof gzpath, "%s", gz);
	PGconn *conn = testdb_fresh("crmx_test_retail", NULL);
	char dir[] = "/tmp/crmx-retail.XXXXXX", path[64];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/revenue.csv", dir);
	retail_csv(conn, gzpath, path);
	import_file(conn, path);
	unlink(path);
	rmdir(dir);
	assert_string_equal(testdb_value(conn, "SELECT count(*) FROM crmx_src.revenue"), "406829");

	/* the whole year; and the last 90 days (a window that cuts
	 * customers' histories) */
	static const int windows[] = { 400, 90 };
	for (size_t w = 0; w < sizeof windows / sizeof *windows; w++) {
		cfg.metrics_window_days = windows[w];
		json_t *s = run(conn, "2011-12-09");
		cfg.metrics_window_days = 365;
		json_t *win = json_object_get(s, "window");
		const char *p[2] = { json_string_value(json_object_get(win, "start")),
		                     json_string_value(json_object_get(win, "end")) };
		assert_non_null(p[0]);
		assert_non_null(p[1]);
		PGresult *ref = PQexecParams(conn, reference_sql, 2, NULL, p, NULL, NULL, 0);
		assert_int_equal(PQresultStatus(ref), PGRES_TUPLES_OK);
		assert_int_equal(PQntuples(ref), 1);
		json_t *acc = json_object_get(s, "accounts"), *cls = json_object_get(acc, "classes");
		print_message("window %s..%s: n %s, non-positive %s, total %s, top 20%% %s,"
		              " for 80%% %s, Gini %s, A %s B %s C %s\n", p[0], p[1],
		              PQgetvalue(ref, 0, 0), PQgetvalue(ref, 0, 1), PQgetvalue(ref, 0, 2),
		              PQgetvalue(ref, 0, 3), PQgetvalue(ref, 0, 4), PQgetvalue(ref, 0, 5),
		              PQgetvalue(ref, 0, 6), PQgetvalue(ref, 0, 7), PQgetvalue(ref, 0, 8));
		assert_int_equal(ival(acc, "n"), atoll(PQgetvalue(ref, 0, 0)));
		assert_int_equal(ival(acc, "non_positive"), atoll(PQgetvalue(ref, 0, 1)));
		char got[64];
		snprintf(got, sizeof got, "%.2f", dval(acc, "total"));
		assert_string_equal(got, PQgetvalue(ref, 0, 2));
		static const char *const shares[] = { "top20_share", "frac_for_80", "gini" };
		for (int k = 0; k < 3; k++) {
			double g = dval(acc, shares[k]), want = atof(PQgetvalue(ref, 0, 3 + k));
			if (!(fabs(g - want) <= 1e-9)) {
				print_error("%s = %.12f, SQL numeric %.12f\n", shares[k], g, want);
				fail();
			}
		}
		assert_int_equal(ival(cls, "A"), atoll(PQgetvalue(ref, 0, 6)));
		assert_int_equal(ival(cls, "B"), atoll(PQgetvalue(ref, 0, 7)));
		assert_int_equal(ival(cls, "C"), atoll(PQgetvalue(ref, 0, 8)));
		int seen = 0;
		assert_int_equal(too_precise(s, NULL, 2, &seen), 0);
		assert_true(seen > 10);
		PQclear(ref);
		json_decref(s);
	}
	PQfinish(conn);
}

static int
setup(void **state)
{
	(void)state;
	config_defaults(&cfg);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	config_free(&cfg);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_net_zero),
		cmocka_unit_test(test_online_retail),
	};
	return cmocka_run_group_tests_name("money", tests, setup, teardown);
}
