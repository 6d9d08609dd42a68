/* Writing a run's results into the crmx tables (see store.c). */
#ifndef CRMX_STORE_H
#define CRMX_STORE_H

#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "results.h"
#include "snapshot.h"

/* A run's results are stored in one transaction that ends by marking the
 * run 'ok': nothing of a run that fails is ever visible.  The transaction
 * opens early: store_accounts_begin copies the accounts' rows, once their
 * metrics are computed, and leaves the server indexing them (the largest
 * part of the store) while the learned forecast is computed; then
 * store_results stores the rest, with the summary and row counts (JSON
 * texts), and commits.  The transaction's work_mem is work_mem_mb
 * ([reportd] store_work_mem_mb).  Each returns -1 and a one-line reason in err on
 * failure, the transaction rolled back.  Between the two the connection
 * is busy: nothing else may use it, and a run that fails there calls
 * store_abort (harmless when no store is open). */
int store_accounts_begin(PGconn *conn, int64_t run_id, const struct snapshot *s,
                         const struct results *r, int work_mem_mb, char *err, size_t errlen);
void store_abort(PGconn *conn);
int store_results(PGconn *conn, int64_t run_id, const struct snapshot *s, const struct results *r,
                  const char *summary_json, const char *row_counts_json, long duration_ms,
                  char *err, size_t errlen);

/* The learned forecast's rows (store_winfc.c), within that transaction. */
int store_winfc(PGconn *conn, int64_t run, const struct snapshot *s, const struct results *r);

#endif
