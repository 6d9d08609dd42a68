/* The read replica's position and lag (see replica.h).  The lag is the
 * age of the last replayed transaction while WAL waits to be replayed,
 * else 0: a replica that has replayed all it received is current as far
 * as it knows, however quiet the primary is. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "db.h"
#include "log.h"
#include "replica.h"

int
replica_configured(const struct crmx_config *cfg)
{
	return cfg->db_read_conninfo != NULL && cfg->db_read_conninfo[0] != '\0' &&
	       strcmp(cfg->db_read_conninfo, cfg->db_conninfo) != 0;
}

uint64_t
replica_parse_lsn(const char *s)
{
	unsigned hi, lo;
	char tail;
	if (s == NULL || sscanf(s, "%X/%X%c", &hi, &lo, &tail) != 2)
		return 0;
	return (uint64_t)hi << 32 | lo;
}

int
replica_measure(PGconn *conn, struct replica_state *st)
{
	PGresult *r = PQexec(conn,
	    "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text,"
	    " CASE WHEN NOT pg_is_in_recovery()"
	    "        OR pg_last_wal_receive_lsn() IS NULL"
	    "        OR pg_last_wal_receive_lsn() <= pg_last_wal_replay_lsn() THEN 0"
	    "      ELSE coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 0)"
	    " END::float8");
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
		PQclear(r);
		return -1;
	}
	st->standby = PQgetvalue(r, 0, 0)[0] == 't';
	st->replayed = st->standby ? replica_parse_lsn(PQgetvalue(r, 0, 1)) : UINT64_MAX;
	st->lag_s = strtod(PQgetvalue(r, 0, 2), NULL);
	if (st->lag_s < 0)
		st->lag_s = 0;	/* the two clocks differ */
	PQclear(r);
	return 0;
}

uint64_t
replica_primary_lsn(PGconn *primary)
{
	PGresult *r = PQexec(primary, "SELECT pg_current_wal_insert_lsn()::text");
	uint64_t lsn = 0;
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
		lsn = replica_parse_lsn(PQgetvalue(r, 0, 0));
	PQclear(r);
	return lsn;
}

PGconn *
replica_connect_fit(const struct crmx_config *cfg, const char *appname, PGconn *primary,
                    struct replica_state *st, char *why, size_t whylen)
{
	memset(st, 0, sizeof *st);
	why[0] = '\0';
	if (!replica_configured(cfg))
		return NULL;
	/* The primary's position now (0: unknown, the primary down): once
	 * the replica replayed it, it holds every change committed before
	 * t0 and is behind by at most the time that took.  Its own measure
	 * counts from the last transaction it replayed, which after a quiet
	 * spell is old however promptly it replays the next. */
	double t0 = mono();
	uint64_t want = primary != NULL ? replica_primary_lsn(primary) : 0;
	char err[512];
	PGconn *conn = db_connect(cfg, cfg->db_read_conninfo, appname, err, sizeof err);
	if (conn == NULL) {
		snprintf(why, whylen, "replica: %s", err);
		return NULL;
	}
	if (replica_measure(conn, st) != 0)
		goto failed;
	if (want != 0) {
		while (st->replayed < want) {
			if (mono() - t0 >= cfg->db_max_replica_lag_s) {
				if (st->lag_s < mono() - t0)
					st->lag_s = mono() - t0;
				snprintf(why, whylen, "replica: it had not replayed the primary's"
				         " position within [database] max_replica_lag_s (%d)",
				         cfg->db_max_replica_lag_s);
				PQfinish(conn);
				return NULL;
			}
			struct timespec ts = { 0, 50 * 1000 * 1000 };
			nanosleep(&ts, NULL);
			if (replica_measure(conn, st) != 0)
				goto failed;
		}
		st->lag_s = mono() - t0;
		return conn;
	}
	if (st->lag_s > cfg->db_max_replica_lag_s) {
		snprintf(why, whylen, "replica: %.1f s behind, more than [database]"
		         " max_replica_lag_s (%d)", st->lag_s, cfg->db_max_replica_lag_s);
		PQfinish(conn);
		return NULL;
	}
	return conn;
failed:
	snprintf(why, whylen, "replica: %s", db_errmsg(conn));
	PQfinish(conn);
	return NULL;
}
