/* A worker's read connection when [database] read_conninfo names a
 * streaming replica.  Page reads go there while it is within
 * [database] max_replica_lag_s and has replayed every change this worker
 * has heard of on the change feed (the primary's WAL position when it
 * heard it): a page read there is then never older than a change the
 * worker knows of, so the cache may keep it.  Else reads go to the
 * primary; with the primary down, to the replica (nothing is kept then:
 * the feed is the primary's).  Forms and the session check always use the
 * primary. */
#ifndef CRMX_READCONN_H
#define CRMX_READCONN_H

#include <libpq-fe.h>

#include "config.h"

/* 1 when a replica is configured. */
int readconn_on(const struct crmx_config *cfg);

/* After the primary's feed was read (cache_sync): when the cache's stamp
 * moved (a change heard, a reconnect), asks the primary (NULL: down) for
 * its WAL position, which the replica must replay before reads go there. */
void readconn_heard(PGconn *primary);

/* The connection for this request's reads: the replica when fit (see
 * above; fresh: a read that must see the viewer's own write, the primary),
 * else the primary, else (the primary down) the replica; NULL when
 * neither answers. */
PGconn *readconn_pick(const struct crmx_config *cfg, PGconn *primary, int fresh);

/* After a failed read on conn: 1 when conn is the replica and it was
 * lost (dropped now) while the primary is connected, so the request can
 * be answered again from the primary. */
int readconn_lost(const PGconn *conn, const PGconn *primary, const char *sqlstate);

/* 1 when conn is the replica connection. */
int readconn_is(const PGconn *conn);
/* Where the replica connection is kept, for the failure handling that
 * drops a lost connection (routes.c). */
PGconn **readconn_slot(void);
/* "replica" or "primary": where the last pick sent the reads. */
const char *readconn_used(void);

#endif
