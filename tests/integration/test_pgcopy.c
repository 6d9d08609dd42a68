/* The COPY writers against a real server: what goes in binary and text
 * format comes back as the same values. */
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pgcopy.h"
#include "testlib.h"
#include "util.h"

static PGconn *conn;

static int
setup(void **state)
{
	(void)state;
	if (!testdb_available())
		return 0;
	conn = testdb_fresh("t_pgcopy", NULL);
	PQclear(testdb_exec(conn, "CREATE TABLE t (k int4, n numeric(18,2), d date,"
	                          " ts timestamptz, f float8, s text, c char(1), b int8)"));
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	PQfinish(conn);
	return 0;
}

static const int64_t cents[] = { 0, 5, -5, 100, 10000, 123456, -123456789012, 100000000,
                                 99999999, 1000000000000LL, -1 };

static void
test_binary(void **state)
{
	(void)state;
	if (conn == NULL)
		skip();
	struct pgcopy c;
	int32_t day;
	assert_int_equal(parse_date("1969-12-31", &day), 0);
	assert_int_equal(pgcopy_begin_binary(&c, conn, "COPY t FROM STDIN (FORMAT binary)"), 0);
	for (size_t i = 0; i < sizeof cents / sizeof *cents; i++) {
		pgcopy_brow(&c, 8);
		pgcopy_bint4(&c, (int32_t)i);
		pgcopy_bnumeric_cents(&c, cents[i]);
		pgcopy_bdate(&c, day + (int32_t)i);
		pgcopy_btimestamptz(&c, 1782864000.25 + (double)i);	/* 2026-07-01 00:00:00.25 */
		pgcopy_bfloat8(&c, i == 3 ? NAN : 1.0 / 3 + (double)i);
		pgcopy_btext(&c, i == 2 ? NULL : "tab\there, 东方 \\ \"q\"\n");
		pgcopy_btext(&c, i % 2 ? "A" : NULL);
		pgcopy_bint8(&c, -((int64_t)1 << 40));
	}
	assert_int_equal(pgcopy_finish(&c, "binary test"), 0);

	PGresult *res = testdb_exec(conn, "SET TimeZone = 'UTC'");
	PQclear(res);
	res = testdb_exec(conn, "SELECT n::text, d::text, ts::text, f, s, c, b FROM t ORDER BY k");
	assert_int_equal(PQntuples(res), sizeof cents / sizeof *cents);
	static const char *const want[] = { "0.00", "0.05", "-0.05", "1.00", "100.00", "1234.56",
	                                    "-1234567890.12", "1000000.00", "999999.99",
	                                    "10000000000.00", "-0.01" };
	for (int i = 0; i < PQntuples(res); i++) {
		assert_string_equal(PQgetvalue(res, i, 0), want[i]);
		char d[16];
		format_date(day + i, d, sizeof d);
		assert_string_equal(PQgetvalue(res, i, 1), d);
		char ts[40];
		snprintf(ts, sizeof ts, "2026-07-01 00:00:%02d.25+00", i);
		assert_string_equal(PQgetvalue(res, i, 2), ts);
		if (i == 3)
			assert_true(PQgetisnull(res, i, 3));
		else
			assert_true(fabs(atof(PQgetvalue(res, i, 3)) - (1.0 / 3 + i)) < 1e-15);
		if (i == 2)
			assert_true(PQgetisnull(res, i, 4));
		else
			assert_string_equal(PQgetvalue(res, i, 4), "tab\there, 东方 \\ \"q\"\n");
		assert_int_equal(PQgetisnull(res, i, 5), i % 2 == 0);
		assert_string_equal(PQgetvalue(res, i, 6), "-1099511627776");
	}
	PQclear(res);
}

/* A failed COPY loads nothing and says so. */
static void
test_binary_rejected(void **state)
{
	(void)state;
	if (conn == NULL)
		skip();
	struct pgcopy c;
	PQclear(testdb_exec(conn, "TRUNCATE t"));
	assert_int_equal(pgcopy_begin_binary(&c, conn, "COPY t FROM STDIN (FORMAT binary)"), 0);
	pgcopy_brow(&c, 2);	/* the table has 8 columns */
	pgcopy_bint4(&c, 1);
	pgcopy_bint4(&c, 2);
	assert_int_equal(pgcopy_finish(&c, "short row"), -1);
	assert_string_equal(testdb_value(conn, "SELECT count(*) FROM t"), "0");
}

/* Arrays in binary: text[] with a NULL element and text that needs
 * quoting in an array literal, double precision[] with NaN and the
 * extremes, empty arrays, and NULL in place of an array. */
static void
test_binary_arrays(void **state)
{
	(void)state;
	if (conn == NULL)
		skip();
	PQclear(testdb_exec(conn, "CREATE TABLE ta (k int4, t text[], f float8[])"));
	static const char *const t1[] = { "layer", NULL, "a,b {c} \"q\" \\ 东方\tx" };
	static const double f1[] = { 0.378985, -1e-300, 1.0 / 3, NAN, INFINITY, -DBL_MAX };
	struct pgcopy c;
	assert_int_equal(pgcopy_begin_binary(&c, conn, "COPY ta FROM STDIN (FORMAT binary)"), 0);
	pgcopy_brow(&c, 3);
	pgcopy_bint4(&c, 1);
	pgcopy_btext_array(&c, t1, 3);
	pgcopy_bfloat8_array(&c, f1, 6);
	pgcopy_brow(&c, 3);
	pgcopy_bint4(&c, 2);
	pgcopy_btext_array(&c, NULL, 0);
	pgcopy_bfloat8_array(&c, NULL, 0);
	pgcopy_brow(&c, 3);
	pgcopy_bint4(&c, 3);
	pgcopy_bnull(&c);
	pgcopy_bnull(&c);
	assert_int_equal(pgcopy_finish(&c, "binary arrays"), 0);

	PGresult *res = testdb_exec(conn, "SELECT array_length(t, 1), t[1], t[2] IS NULL, t[3],"
	    " array_length(f, 1), f[1]::text, f[2]::text, f[3]::text, f[4]::text, f[5]::text,"
	    " f[6]::text, t = '{}', f = '{}', t IS NULL, f IS NULL FROM ta ORDER BY k");
	assert_int_equal(PQntuples(res), 3);
	assert_string_equal(PQgetvalue(res, 0, 0), "3");
	assert_string_equal(PQgetvalue(res, 0, 1), "layer");
	assert_string_equal(PQgetvalue(res, 0, 2), "t");
	assert_string_equal(PQgetvalue(res, 0, 3), t1[2]);
	assert_string_equal(PQgetvalue(res, 0, 4), "6");
	for (int i = 0; i < 3; i++)	/* the same doubles, bit for bit */
		assert_true(strtod(PQgetvalue(res, 0, 5 + i), NULL) == f1[i]);
	assert_string_equal(PQgetvalue(res, 0, 8), "NaN");
	assert_string_equal(PQgetvalue(res, 0, 9), "Infinity");
	assert_true(strtod(PQgetvalue(res, 0, 10), NULL) == -DBL_MAX);
	assert_string_equal(PQgetvalue(res, 1, 11), "t");
	assert_string_equal(PQgetvalue(res, 1, 12), "t");
	assert_string_equal(PQgetvalue(res, 2, 13), "t");
	assert_string_equal(PQgetvalue(res, 2, 14), "t");
	PQclear(res);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_binary),
		cmocka_unit_test(test_binary_rejected),
		cmocka_unit_test(test_binary_arrays),
	};
	return cmocka_run_group_tests_name("pgcopy", tests, setup, teardown);
}
