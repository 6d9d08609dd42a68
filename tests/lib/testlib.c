/* Helpers for the C tests (cmocka).  Nothing here mocks PostgreSQL: the
 * integration tests run against the throwaway cluster of tests/run-all. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "date.h"
#include "testlib.h"

const char *
testdata_dir(void)
{
	static char buf[4096];
	const char *env = getenv("CRMX_TESTDATA");
	snprintf(buf, sizeof buf, "%s", (env && *env) ? env : "../shared/data");
	return access(buf, R_OK | X_OK) == 0 ? buf : NULL;
}

const char *
testdata_path(const char *relative)
{
	static char buf[4096];
	const char *dir = testdata_dir();
	if (dir == NULL)
		return NULL;
	snprintf(buf, sizeof buf, "%s/%s", dir, relative);
	return access(buf, R_OK) == 0 ? buf : NULL;
}

int
testdb_available(void)
{
	const char *h = getenv("CRMX_TEST_PGHOST");
	return h != NULL && *h != '\0';
}

const char *
testdb_conninfo(const char *name)
{
	static char buf[4096];
	snprintf(buf, sizeof buf, "host=%s dbname=%s user=crmx options='-c client_min_messages=warning'",
	         getenv("CRMX_TEST_PGHOST"), name);
	return buf;
}

PGresult *
testdb_exec(PGconn *conn, const char *sql)
{
	PGresult *res = PQexec(conn, sql);
	ExecStatusType st = PQresultStatus(res);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		print_error("SQL failed: %s\n  %s\n", sql, PQerrorMessage(conn));
		PQclear(res);
		fail();
	}
	return res;
}

const char *
testdb_value(PGconn *conn, const char *sql)
{
	static char buf[4096];
	PGresult *res = testdb_exec(conn, sql);
	assert_int_equal(PQntuples(res), 1);
	snprintf(buf, sizeof buf, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return buf;
}

PGconn *
testdb_fresh(const char *name, const char *template_db)
{
	char sql[512];
	if (!testdb_available())
		skip();
	PGconn *adm = PQconnectdb(testdb_conninfo("postgres"));
	if (PQstatus(adm) != CONNECTION_OK) {
		print_error("cannot reach the test cluster: %s\n", PQerrorMessage(adm));
		PQfinish(adm);
		fail();
	}
	snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS \"%s\" WITH (FORCE)", name);
	PQclear(testdb_exec(adm, sql));
	snprintf(sql, sizeof sql, "CREATE DATABASE \"%s\" TEMPLATE \"%s\"", name,
	         template_db ? template_db : "crmx_template");
	PQclear(testdb_exec(adm, sql));
	PQfinish(adm);
	PGconn *conn = PQconnectdb(testdb_conninfo(name));
	if (PQstatus(conn) != CONNECTION_OK) {
		print_error("cannot connect to %s: %s\n", name, PQerrorMessage(conn));
		PQfinish(conn);
		fail();
	}
	PQclear(testdb_exec(conn, "SET client_min_messages = warning"));
	return conn;
}

int32_t
test_day(const char *iso)
{
	int32_t d;
	assert_int_equal(parse_date(iso, &d), 0);
	return d;
}
