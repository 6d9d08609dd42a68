/* The database as reportd's HTTP service reports it (/healthz, /metrics):
 * one check at a time, in a thread of its own, its result reused for a
 * second.  A request never waits more than about a second for it: while a
 * check has been under way longer, the database counts as not answering.
 * The reason of a failure goes to the log, never to a client. */
#ifndef CRMX_DBHEALTH_H
#define CRMX_DBHEALTH_H

#include "config.h"
#include "deliver.h"

struct db_health {
	int			 ok;		/* connected and answered */
	const char		*state;		/* "reachable", "unreachable", "not answering" */
	int			 mail_known;	/* mail figures read (mail on and ok) */
	struct deliver_stats	 mail;
	/* [database] read_conninfo: where a run reads now, and why */
	int			 replica;	/* one is configured */
	const char		*reads;		/* "replica" or "primary" */
	const char		*replica_state;	/* "streaming", "lagging", "unreachable" */
	double			 replica_lag_s;	/* -1: unknown */
};

void dbhealth_get(const struct crmx_config *cfg, struct db_health *out);

#endif
