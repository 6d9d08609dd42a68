/* Writing a run's results into the crmx tables (see store.c). */
#ifndef CRMX_STORE_H
#define CRMX_STORE_H

#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "results.h"
#include "snapshot.h"

/* All results of run_id in one transaction that also marks the run 'ok'
 * with its summary and row counts (JSON texts).  -1 and a one-line reason
 * in err on failure; nothing of the run is then visible. */
int store_results(PGconn *conn, int64_t run_id, const struct snapshot *s, const struct results *r,
                  const char *summary_json, const char *row_counts_json, long duration_ms,
                  char *err, size_t errlen);

/* The learned forecast's rows (store_winfc.c), within that transaction. */
int store_winfc(PGconn *conn, int64_t run, const struct snapshot *s, const struct results *r);

#endif
