/* The adapter contract of DESIGN.md, held against every adapter's
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

#include "testlib.h"

struct col { const char *name, *type; };
struct view { const char *name; struct col cols[16]; };

#define BIG "bigint"
#define TXT "text"
#define TS "timestamp with time zone"

static const struct view contract[] = {
	{ "users", { { "user_id", BIG }, { "login", TXT }, { "name", TXT }, { "team", TXT },
	             { "role", TXT } } },
	{ "accounts", { { "account_id", BIG }, { "name", TXT }, { "owner_id", BIG },
	                { "region", TXT }, { "city", TXT }, { "industry", TXT },
	                { "created_at", TS } } },
	{ "contacts", { { "contact_id", BIG }, { "account_id", BIG }, { "name", TXT },
	                { "title", TXT }, { "purchase_role", TXT } } },
	{ "stages", { { "stage", TXT }, { "stage_rank", "integer" },
	              { "probability", "double precision" }, { "is_won", "boolean" },
	              { "is_lost", "boolean" } } },
	{ "opportunities", { { "opportunity_id", BIG }, { "account_id", BIG },
	                     { "owner_id", BIG }, { "name", TXT }, { "source", TXT },
	                     { "stage", TXT }, { "stage_rank", "integer" },
	                     { "amount", "numeric" }, { "probability", "double precision" },
	                     { "created_at", TS }, { "stage_entered_at", TS },
	                     { "expected_close", "date" }, { "closed_at", TS },
	                     { "outcome", TXT }, { "lost_reason", TXT } } },
	{ "stage_history", { { "opportunity_id", BIG }, { "stage_rank", "integer" },
	                     { "entered_at", TS } } },
	{ "revenue", { { "account_id", BIG }, { "booked_at", "date" }, { "amount", "numeric" },
	               { "margin", "numeric" } } },
	{ "activities", { { "activity_id", BIG }, { "account_id", BIG },
	                  { "opportunity_id", BIG }, { "owner_id", BIG }, { "kind", TXT },
	                  { "started_at", TS }, { "minutes", "integer" } } },
};

/* Each query counts rows breaking a rule of the contract: must be 0. */
static const char *const domain_rules[][2] = {
	{ "role outside rep/manager/exec/admin",
	  "SELECT count(*) FROM crmx_src.users WHERE role NOT IN ('rep','manager','exec','admin') OR role IS NULL" },
	{ "duplicate user login",
	  "SELECT count(*) - count(DISTINCT login) FROM crmx_src.users" },
	{ "purchase_role outside the five roles",
	  "SELECT count(*) FROM crmx_src.contacts WHERE purchase_role NOT IN"
	  " ('decision_maker','recommender','user','influencer','insider')" },
	{ "funnel stage rank outside 1..5",
	  "SELECT count(*) FROM crmx_src.stages WHERE NOT is_lost AND stage_rank NOT BETWEEN 1 AND 5" },
	{ "outcome outside open/won/lost",
	  "SELECT count(*) FROM crmx_src.opportunities WHERE outcome NOT IN ('open','won','lost') OR outcome IS NULL" },
	{ "open deal without a rank",
	  "SELECT count(*) FROM crmx_src.opportunities WHERE outcome = 'open' AND stage_rank IS NULL" },
	{ "probability outside 0..1",
	  "SELECT count(*) FROM crmx_src.opportunities WHERE probability NOT BETWEEN 0 AND 1" },
	{ "closed deal without closed_at",
	  "SELECT count(*) FROM crmx_src.opportunities WHERE outcome <> 'open' AND closed_at IS NULL" },
	{ "history rank outside 1..5",
	  "SELECT count(*) FROM crmx_src.stage_history WHERE stage_rank NOT BETWEEN 1 AND 5" },
	{ "duplicate account id",
	  "SELECT count(*) - count(DISTINCT account_id) FROM crmx_src.accounts" },
	{ "duplicate opportunity id",
	  "SELECT count(*) - count(DISTINCT opportunity_id) FROM crmx_src.opportunities" },
	{ "revenue of an unknown account",
	  "SELECT count(*) FROM crmx_src.revenue r WHERE NOT EXISTS"
	  " (SELECT 1 FROM crmx_src.accounts a WHERE a.account_id = r.account_id)" },
	{ "negative activity minutes",
	  "SELECT count(*) FROM crmx_src.activities WHERE minutes < 0" },
};

/* Whether view is in the comma-separated list (NULL: none). */
static int
listed(const char *list, const char *view)
{
	size_t n = strlen(view);
	for (const char *p = list; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (strncmp(p, view, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return 1;
	return 0;
}

/* Number of ways db's crmx_src breaks the contract; each is printed.
 * Views in may_be_empty (comma-separated, or NULL) may hold no rows. */
static int
contract_violations(const char *db, const char *may_be_empty)
{
	int bad = 0;
	PGconn *conn = PQconnectdb(testdb_conninfo(db));
	assert_int_equal(PQstatus(conn), CONNECTION_OK);
	for (size_t v = 0; v < sizeof contract / sizeof contract[0]; v++) {
		const struct view *vw = &contract[v];
		const char *params[1] = { vw->name };
		PGresult *res = PQexecParams(conn,
		    "SELECT column_name, data_type FROM information_schema.columns"
		    " WHERE table_schema = 'crmx_src' AND table_name = $1 ORDER BY ordinal_position",
		    1, NULL, params, NULL, NULL, 0);
		assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
		int n = 0;
		while (n < 16 && vw->cols[n].name)
			n++;
		if (PQntuples(res) != n) {
			print_error("%s: crmx_src.%s has %d columns, the contract %d\n",
			            db, vw->name, PQntuples(res), n);
			bad++;
		}
		for (int i = 0; i < n && i < PQntuples(res); i++)
			if (strcmp(PQgetvalue(res, i, 0), vw->cols[i].name) != 0 ||
			    strcmp(PQgetvalue(res, i, 1), vw->cols[i].type) != 0) {
				print_error("%s: crmx_src.%s column %d is %s %s, the contract says %s %s\n",
				            db, vw->name, i + 1, PQgetvalue(res, i, 0),
				            PQgetvalue(res, i, 1), vw->cols[i].name, vw->cols[i].type);
				bad++;
			}
		int found = PQntuples(res);
		PQclear(res);
		if (found == 0)
			continue;
		/* Every view must be readable and, on data, non-empty. */
		char sql[256];
		snprintf(sql, sizeof sql, "SELECT count(*) FROM crmx_src.%s", vw->name);
		if (strcmp(testdb_value(conn, sql), "0") == 0 && !listed(may_be_empty, vw->name)) {
			print_error("%s: crmx_src.%s is empty\n", db, vw->name);
			bad++;
		}
	}
	for (size_t r = 0; r < sizeof domain_rules / sizeof domain_rules[0]; r++) {
		PGresult *res = PQexec(conn, domain_rules[r][1]);
		if (PQresultStatus(res) != PGRES_TUPLES_OK) {
			print_error("%s: cannot check %s: %s", db, domain_rules[r][0],
			            PQerrorMessage(conn));
			bad++;
		} else if (strcmp(PQgetvalue(res, 0, 0), "0") != 0) {
			print_error("%s: %s rows with %s\n", db, PQgetvalue(res, 0, 0),
			            domain_rules[r][0]);
			bad++;
		}
		PQclear(res);
	}
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

/* The check must be able to fail: a retyped column, a missing column and
 * an out-of-domain value are each caught. */
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
	PQfinish(conn);
	/* margin's type, activities' column count, the missing column's
	 * domain rule, and the role */
	assert_int_equal(contract_violations("crmx_contract_drift", NULL), 4);
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
