/* reportd/engine/: a metric run: the snapshot read (snapshot.c, its views'
 * rows in snaprows.c, field parsers in snapfield.c, connections in
 * snapconn.c), ids to indexes (idmap.c), the results and run
 * summary, and the store that writes them; the numbers are metrics/.
 *
 * The metrics engine: one run reads a consistent snapshot of crmx_src,
 * computes every metric of docs/metrics.md §1-5 and stores the results in the
 * crmx tables (sql/migrations/0003_metrics.sql) in one transaction. */
#ifndef CRMX_ENGINE_H
#define CRMX_ENGINE_H

#include <stdint.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "config.h"

struct engine_result {
	int64_t	 run_id;	/* the crmx.run row (also set for a failed run) */
	int	 ok;		/* 1: results stored; 0: failed, previous results kept */
	double	 seconds;	/* wall time of the whole run */
	char	 error[512];	/* why it failed, one line */
	json_t	*summary;	/* the run's summary (as stored in crmx.run.summary);
				 * the caller json_decref()s it; NULL on failure */
};

/* Runs the engine for as_of (a day number, see common/util.h).  conn must
 * be an idle connection; the function opens and ends its own transactions.
 * Returns 0 when the results were stored, -1 otherwise (see res->error).
 * A failed run is recorded as status 'failed' when the database is still
 * reachable. */
int engine_run(PGconn *conn, const struct crmx_config *cfg, int32_t as_of,
               struct engine_result *res);

#endif
