/* The replica connection of a worker and the choice of where a request
 * reads (see readconn.h).  The replica's position is measured at most once
 * a second, and at every request while it has not replayed a change heard
 * of or a probe not yet decided (judge()); a failed connect is retried
 * after [database] connect_timeout_s. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cache.h"
#include "clock.h"
#include "db.h"
#include "log.h"
#include "queries.h"
#include "readconn.h"
#include "replica.h"

#define MEASURE_EVERY_S 1.0

static struct {
	PGconn			*conn;
	double			 failed_at;	/* a failed connect (mono()), or 0 */
	double			 measured_at;
	struct replica_state	 st;
	uint64_t		 heard;		/* the primary's position at a change heard */
	unsigned long		 stamp;		/* the cache's stamp then */
	int			 stamp_known;
	uint64_t		 probe;		/* the primary's position when the replica
					 * looked too far behind (judge()), or 0 */
	double			 probe_at;	/* mono() then */
	const char		*used;
	int			 fit;		/* the last verdict, to log its changes */
} r = { .used = "primary", .fit = -1 };

int
readconn_on(const struct crmx_config *cfg)
{
	return replica_configured(cfg);
}

int
readconn_is(const PGconn *conn)
{
	return conn != NULL && conn == r.conn;
}

PGconn **
readconn_slot(void)
{
	r.measured_at = 0;	/* reconnected: measured anew */
	return &r.conn;
}

const char *
readconn_used(void)
{
	return r.used;
}

void
readconn_heard(PGconn *primary)
{
	if (r.stamp_known && r.stamp == cache_stamp())
		return;
	r.stamp = cache_stamp();
	r.stamp_known = 1;
	/* Unknown (the primary is down): no read on the replica is known
	 * to be recent enough until the primary answers again. */
	r.heard = primary != NULL ? replica_primary_lsn(primary) : 0;
	if (r.heard == 0)
		r.heard = UINT64_MAX;
}

static void
drop(void)
{
	PQfinish(r.conn);
	r.conn = NULL;
	r.measured_at = 0;
	r.probe = 0;
}

int
readconn_lost(const PGconn *conn, const PGconn *primary, const char *sqlstate)
{
	if (!readconn_is(conn) || primary == NULL || PQstatus(primary) != CONNECTION_OK)
		return 0;
	/* 40001: a recovery conflict cancelled the read; else the server
	 * went away (no state, a connection exception, a shutdown). */
	if (PQstatus(conn) == CONNECTION_OK && sqlstate[0] != '\0' &&
	    strncmp(sqlstate, "08", 2) != 0 && strncmp(sqlstate, "57P", 3) != 0 &&
	    strcmp(sqlstate, "40001") != 0)
		return 0;
	log_warn("replica: a read failed (%s); answering from the primary",
	         sqlstate[0] ? sqlstate : "connection lost");
	if (PQstatus(conn) != CONNECTION_OK || strcmp(sqlstate, "40001") != 0)
		drop();
	return 1;
}

/* The replica connected, prepared and measured; 0, or -1 when it is not
 * to be had now. */
static int
ready(const struct crmx_config *cfg)
{
	double now = mono();
	/* A server that shut down said so and closed: seen before a read. */
	if (r.conn != NULL && (PQconsumeInput(r.conn) == 0 || PQstatus(r.conn) != CONNECTION_OK))
		drop();
	if (r.conn == NULL) {
		if (r.failed_at != 0 && now - r.failed_at < cfg->db_connect_timeout_s)
			return -1;
		char err[512];
		r.conn = db_connect(cfg, cfg->db_read_conninfo, "crmx.fcgi", err, sizeof err);
		if (r.conn == NULL) {
			log_error("replica: %s", err);
		} else if (queries_prepare(r.conn, cfg->reportd_timezone, cfg->metrics_stall_days) != 0) {
			log_error("replica: preparing the connection: %s", db_errmsg(r.conn));
			drop();
		}
		r.failed_at = r.conn == NULL ? now : 0;
		if (r.conn == NULL)
			return -1;
	}
	if (r.measured_at == 0 || now - r.measured_at >= MEASURE_EVERY_S ||
	    r.st.replayed < r.heard ||
	    (r.probe != 0 && r.measured_at - r.probe_at <= cfg->db_max_replica_lag_s)) {
		if (replica_measure(r.conn, &r.st) != 0) {
			log_error("replica: %s", db_errmsg(r.conn));
			drop();
			r.failed_at = now;
			return -1;
		}
		r.measured_at = now;
	}
	return 0;
}

/* Whether the replica is within [database] max_replica_lag_s: 1 yes, 0 no,
 * -1 not known yet.  Its own measure (replica_measure) is the age of the
 * last transaction it replayed while received WAL waits, so after a quiet
 * spell any new WAL makes a prompt replica look as far behind as the spell
 * was long.  A measure over the limit is therefore put to the primary (the
 * probe): its position now must be replayed within the limit.  Until it is,
 * or the limit passes without it, reads go to the primary and nothing is
 * logged; a probe seen replayed only after the limit (no request came in
 * between) says nothing, and the next measure decides again.  When the
 * primary does not say its position, the replica's own measure. */
static int
judge(const struct crmx_config *cfg, PGconn *primary)
{
	double now = mono(), max = cfg->db_max_replica_lag_s;
	if (r.probe != 0 && r.st.replayed >= r.probe && now - r.probe_at > max)
		r.probe = 0;	/* replayed, but when is not known */
	if (r.probe == 0 && r.st.lag_s > max) {
		r.probe = replica_primary_lsn(primary);
		r.probe_at = now;
	}
	if (r.probe != 0 && r.st.replayed >= r.probe) {
		if (r.st.lag_s > now - r.probe_at)
			r.st.lag_s = now - r.probe_at;
		r.probe = 0;
		return 1;
	}
	if (r.st.lag_s <= max) {
		r.probe = 0;
		return 1;
	}
	if (r.probe == 0)	/* the primary did not say */
		return 0;
	if (now - r.probe_at <= max)
		return -1;
	r.st.lag_s = now - r.probe_at;	/* at least */
	return 0;
}

static void
note(int fit, const struct crmx_config *cfg)
{
	if (fit == r.fit)
		return;
	if (fit)
		log_info("reads go to the replica again (%.1f s behind)", r.st.lag_s);
	else if (r.conn != NULL && r.st.lag_s > cfg->db_max_replica_lag_s)
		log_warn("reads go to the primary: the replica is %.1f s behind, more than"
		         " [database] max_replica_lag_s (%d)", r.st.lag_s, cfg->db_max_replica_lag_s);
	else if (r.conn == NULL)
		log_warn("reads go to the primary: the replica is not reachable");
	r.fit = fit;
}

PGconn *
readconn_pick(const struct crmx_config *cfg, PGconn *primary, int fresh)
{
	int up = ready(cfg) == 0;
	if (primary == NULL || PQstatus(primary) != CONNECTION_OK) {
		r.used = up ? "replica" : "primary";
		return up ? r.conn : NULL;
	}
	int verdict = up ? judge(cfg, primary) : 0, fit = verdict == 1;
	if (verdict >= 0)
		note(fit, cfg);
	/* Behind a change this worker heard of: a page read there could be
	 * older than what the feed already told. */
	if (fit && !fresh && r.st.replayed >= r.heard) {
		r.used = "replica";
		return r.conn;
	}
	r.used = "primary";
	return primary;
}
