/* The adapter contract of docs/design.md, held against every adapter's
 * crmx_src: each view with exactly these columns, in this order, of these
 * types, and values inside the contract's domains.  The databases to check
 * are named in $CRMX_CONTRACT_DBS (tests/run-all sets one per adapter), each
 * as DB or DB:VIEW,VIEW naming views its CRM has no data for (Tryton 6.0
 * records no activities), which may then be empty. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "contract.h"
#include "testlib.h"

/* Prints one way a database breaks the contract, naming the database. */
static void
report(void *arg, const char *line)
{
	print_error("%s: %s\n", (const char *)arg, line);
}

/* Number of ways db's crmx_src breaks the contract; each is printed.
 * Views in may_be_empty (comma-separated, or NULL) may hold no rows. */
static int
contract_violations(const char *db, const char *may_be_empty)
{
	PGconn *conn = PQconnectdb(testdb_conninfo(db));
	assert_int_equal(PQstatus(conn), CONNECTION_OK);
	char name[128];
	snprintf(name, sizeof name, "%s", db);
	int bad = contract_check(conn, may_be_empty ? may_be_empty : "", report, name);
	PQfinish(conn);
	return bad;
}

static void
test_contract(void **state)
{
	(void)state;
	if (!testdb_available())
		skip();
	const char *env = getenv("CRMX_CONTRACT_DBS");
	char dbs[1024];
	snprintf(dbs, sizeof dbs, "%s", env && *env ? env : "crmx_demo");
	for (char *save = NULL, *db = strtok_r(dbs, " ", &save); db; db = strtok_r(NULL, " ", &save)) {
		char *empty = strchr(db, ':');
		if (empty)
			*empty++ = '\0';
		print_message("adapter contract on %s\n", db);
		assert_int_equal(contract_violations(db, empty), 0);
	}
}

/* The check must be able to fail: a retyped column, a missing column, an
 * out-of-domain value and an adapter's owned_names giving other names are
 * each caught. */
static void
test_contract_catches_drift(void **state)
{
	(void)state;
	PGconn *conn = testdb_fresh("crmx_contract_drift", "crmx_demo");
	PQclear(testdb_exec(conn, "DROP VIEW crmx_src.revenue; CREATE VIEW crmx_src.revenue AS"
	        " SELECT account_id, booked_at, amount, margin::float8 AS margin FROM crmx_native.revenue"));
	PQclear(testdb_exec(conn, "DROP VIEW crmx_src.activities; CREATE VIEW crmx_src.activities AS"
	        " SELECT activity_id, account_id, opportunity_id, owner_id, kind, started_at"
	        " FROM crmx_native.activities"));
	PQclear(testdb_exec(conn, "UPDATE crmx_native.users SET role = 'admin' WHERE false;"
	        " ALTER TABLE crmx_native.users DROP CONSTRAINT users_role_check;"
	        " UPDATE crmx_native.users SET role = 'boss' WHERE login = 'exec'"));
	PQclear(testdb_exec(conn, "CREATE OR REPLACE FUNCTION crmx_src.owned_names(owners bigint[])"
	        " RETURNS TABLE (account_id bigint, name text) LANGUAGE sql STABLE AS"
	        " 'SELECT a.account_id, a.name || ''*'' FROM crmx_src.accounts a"
	        " WHERE a.owner_id = ANY(owners)'"));
	PQfinish(conn);
	/* margin's type, activities' column count, the missing column's
	 * domain rule, the role and the owners' names */
	assert_int_equal(contract_violations("crmx_contract_drift", NULL), 5);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_contract),
		cmocka_unit_test(test_contract_catches_drift),
	};
	return cmocka_run_group_tests_name("contract", tests, NULL, NULL);
}
