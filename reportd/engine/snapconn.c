/* The snapshot's transactions (see snapconn.h): REPEATABLE READ, read
 * only, UTC and ISO dates on every connection, and a second connection in
 * the first one's exported snapshot. */
#include <stdio.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "snapconn.h"

/* Settings of every snapshot transaction (on each connection). */
int
snapshot_begin(PGconn *conn, const char *import_id)
{
	char set[96];
	if (db_command(conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY") != 0)
		return -1;
	if (import_id != NULL) {
		/* SET TRANSACTION SNAPSHOT takes no parameters; the id comes
		 * from pg_export_snapshot() and is checked to be hex and dashes. */
		if (strspn(import_id, "0123456789ABCDEFabcdef-") != strlen(import_id) ||
		    strlen(import_id) > 64)
			return -1;
		snprintf(set, sizeof set, "SET TRANSACTION SNAPSHOT '%s'", import_id);
		if (db_command(conn, set) != 0)
			return -1;
	}
	return db_command(conn, "SET LOCAL TimeZone = 'UTC'") != 0 ||
	       /* the statement timeout guards interactive queries, not a run */
	       db_command(conn, "SET LOCAL statement_timeout = 0") != 0 ||
	       db_command(conn, "SET LOCAL DateStyle = 'ISO, YMD'") != 0 ||
	       db_command(conn, "SET LOCAL extra_float_digits = 1") != 0 ? -1 : 0;
}

/* A second connection with the same parameters, in the same snapshot as
 * the first (pg_export_snapshot), so that the largest view is read on
 * another core at the same time.  NULL when that is not possible (the
 * caller then reads everything on one connection). */
PGconn *
snapshot_second_conn(PGconn *conn)
{
	PGresult *res = PQexec(conn, "SELECT pg_export_snapshot()");
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		log_debug("snapshot: no exported snapshot (%s); reading on one connection",
		          db_errmsg(conn));
		PQclear(res);
		return NULL;
	}
	char id[80];
	snprintf(id, sizeof id, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	PGconn *c2 = db_connect_like(conn);
	if (c2 == NULL)
		return NULL;
	if (snapshot_begin(c2, id) != 0) {
		log_debug("snapshot: no second transaction (%s); reading on one", db_errmsg(c2));
		PQfinish(c2);
		return NULL;
	}
	return c2;
}
