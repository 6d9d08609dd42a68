/* The connections of one snapshot read: the settings of its transaction,
 * and a second connection in the same snapshot, so that the largest view
 * is read on another thread at the same time (snapshot.c). */
#ifndef CRMX_SNAPCONN_H
#define CRMX_SNAPCONN_H

#include <libpq-fe.h>

/* BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY, in the exported
 * snapshot import_id when not NULL, with the session settings the COPY
 * parsers expect.  -1 on a database error or a malformed id. */
int snapshot_begin(PGconn *conn, const char *import_id);

/* A second connection with conn's parameters, in conn's snapshot
 * (pg_export_snapshot); NULL when that is not possible (the caller then
 * reads everything on one connection). */
PGconn *snapshot_second_conn(PGconn *conn);

#endif
