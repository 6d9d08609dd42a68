/* Shared by the C tests: where the test data and the throwaway PostgreSQL
 * cluster are (tests/run-all sets CRMX_TEST_PGHOST), and fresh databases
 * copied from the prepared template. */
#ifndef CRMX_TESTLIB_H
#define CRMX_TESTLIB_H

#include <stdint.h>

#include <libpq-fe.h>

/* The shared data folder ($CRMX_TESTDATA, else ../shared/data), or NULL
 * when absent.  testdata_path() returns a static buffer or NULL when the
 * file is missing; callers then print "skipped: data not found". */
const char *testdata_dir(void);
const char *testdata_path(const char *relative);

/* Whether the integration cluster is there ($CRMX_TEST_PGHOST). */
int testdb_available(void);

/* Drops and re-creates database `name` as a copy of `template` (NULL:
 * "crmx_template", migrated with the native adapter and no data); returns a
 * connection the caller PQfinish()es.  Fails the test on error. */
PGconn *testdb_fresh(const char *name, const char *template_db);

/* conninfo string for database `name` (static buffer). */
const char *testdb_conninfo(const char *name);

/* Runs SQL that must succeed (fails the test otherwise), returns the
 * result for the caller to PQclear(). */
PGresult *testdb_exec(PGconn *conn, const char *sql);

/* First value of a one-row query, as a static string ("" for NULL). */
const char *testdb_value(PGconn *conn, const char *sql);

/* The day number of a date YYYY-MM-DD that must parse (fails the test
 * otherwise). */
int32_t test_day(const char *iso);

#endif
