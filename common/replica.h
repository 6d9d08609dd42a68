/* A streaming replica for reads ([database] read_conninfo): how far it is
 * behind, and the primary's WAL position that it must have replayed for a
 * read there to see every change committed before it. */
#ifndef CRMX_REPLICA_H
#define CRMX_REPLICA_H

#include <stdint.h>

#include <libpq-fe.h>

#include "config.h"

struct replica_state {
	int		 standby;	/* in recovery (a hot standby) */
	double		 lag_s;		/* 0 when it has replayed all it received */
	uint64_t	 replayed;	/* its replay position; UINT64_MAX: not a standby */
};

/* 1 when [database] read_conninfo names a server of its own. */
int replica_configured(const struct crmx_config *cfg);

/* Reads conn's replay position and lag into *st; -1 on a database error. */
int replica_measure(PGconn *conn, struct replica_state *st);

/* The primary's WAL insert position: past the commit of every change
 * already notified.  0 on a database error. */
uint64_t replica_primary_lsn(PGconn *primary);

/* "16/B374D848" as a number; 0 when malformed. */
uint64_t replica_parse_lsn(const char *s);

/* A connection to the replica when it answers and is behind by at most
 * [database] max_replica_lag_s, its state in *st; else NULL with the reason
 * in why ("" when no replica is configured).  With the primary (NULL: it
 * is down), behind means not yet replayed to the primary's position of
 * now, waited for up to max_replica_lag_s, st->lag_s then the time that
 * took; without, the replica's own measure. */
PGconn *replica_connect_fit(const struct crmx_config *cfg, const char *appname, PGconn *primary,
                            struct replica_state *st, char *why, size_t whylen);

#endif
