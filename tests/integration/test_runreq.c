/* The queue of requested runs (reportd/daemon/runreq.c) against a real
 * server: a request waiting for its retry is never reported as "nothing
 * pending", whenever its retry time falls (the runner would then sleep
 * until the next scheduled report and the retry would never come). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "runreq.h"
#include "testlib.h"

static PGconn *conn;

static int
setup(void **state)
{
	(void)state;
	if (!testdb_available())
		return 0;
	conn = testdb_fresh("t_runreq", NULL);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	PQfinish(conn);
	return 0;
}

/* A request whose retry falls 20–60 ms from now, as a failed attempt
 * leaves it; its retry time in epoch seconds. */
static double
add_retrying(void)
{
	PQclear(testdb_exec(conn, "UPDATE crmx.run_request SET status = 'done' WHERE status = 'pending'"));
	return atof(testdb_value(conn,
	    "INSERT INTO crmx.run_request (as_of, attempts, next_try_at)"
	    " VALUES ('2026-07-07', 1, clock_timestamp() + make_interval(secs => 0.02 + random() * 0.04))"
	    " RETURNING extract(epoch FROM next_try_at)"));
}

/* Polls the queue as the runner does until the request is claimed; every
 * answer before that must name a time to look again, and not one before
 * the retry is due (no busy polling). */
static void
test_retry_never_lost(void **state)
{
	(void)state;
	if (conn == NULL)
		skip();
	int lost = 0, early = 0, trials = 60;
	for (int t = 0; t < trials; t++) {
		double due = add_retrying();
		struct runreq q;
		time_t next;
		int got, polls = 0;
		while ((got = runreq_claim(conn, &q, &next)) == 0 && polls++ < 100000) {
			if (next == 0) {
				lost++;
				break;
			}
			if ((double)next < due)
				early++;
		}
		assert_true(got >= 0);
		if (got == 1)
			PQclear(testdb_exec(conn, "SELECT pg_advisory_unlock_all()"));
	}
	if (lost || early)
		print_error("%d of %d retries reported as nothing pending; %d polls told to look"
		            " again before the retry was due\n", lost, trials, early);
	assert_int_equal(lost, 0);
	assert_int_equal(early, 0);
}

/* Nothing pending: 0 and no time; a request held by another session is
 * looked at again within a minute, not at once. */
static void
test_nothing_and_busy(void **state)
{
	(void)state;
	if (conn == NULL)
		skip();
	struct runreq q;
	time_t next = 1;
	PQclear(testdb_exec(conn, "UPDATE crmx.run_request SET status = 'done' WHERE status = 'pending'"));
	assert_int_equal(runreq_claim(conn, &q, &next), 0);
	assert_int_equal(next, 0);

	const char *id = testdb_value(conn,
	    "INSERT INTO crmx.run_request (as_of) VALUES ('2026-07-07') RETURNING id");
	PGconn *other = PQconnectdb(testdb_conninfo("t_runreq"));
	assert_int_equal(PQstatus(other), CONNECTION_OK);
	char sql[128];
	snprintf(sql, sizeof sql, "SELECT pg_advisory_lock(1668443506, %s)", id);
	PQclear(testdb_exec(other, sql));
	time_t now = time(NULL);
	assert_int_equal(runreq_claim(conn, &q, &next), 0);
	assert_true(next > now && next <= now + 61);
	PQclear(testdb_exec(other, "SELECT pg_advisory_unlock_all()"));
	PQfinish(other);
	assert_int_equal(runreq_claim(conn, &q, &next), 1);
	assert_int_equal(q.id, atoll(id));
	PQclear(testdb_exec(conn, "SELECT pg_advisory_unlock_all()"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_retry_never_lost),
		cmocka_unit_test(test_nothing_and_busy),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
