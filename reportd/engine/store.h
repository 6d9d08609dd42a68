/* Writing a run's results into the crmx tables (see store.c). */
#ifndef CRMX_STORE_H
#define CRMX_STORE_H

#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "results.h"
#include "snapshot.h"

/* A run's results are stored in one transaction that ends by marking the
 * run 'ok': nothing a reader takes for a run's is visible before (the
 * panels and the report read the latest 'ok' run's).  Three transactions
 * come before it, once the accounts' metrics are computed:
 *
 *   store_accounts_commit  the accounts' rows into the run's own table,
 *                          committed (not a partition yet: unread);
 *   store_beside_hold      on a second connection (or on this one when
 *                          none can be made), a transaction holding the
 *                          table for reading: store_begin must come after
 *                          it (its attach then waits for the sums' end);
 *   store_sums_beside      in that transaction, the regions' sums and
 *                          precise customers from the table and the
 *                          closed deals' sums, committed,
 *                          and the snapshot they were read in (*snap,
 *                          malloc'd: the caller frees it);
 *   store_begin            opens the store transaction and leaves the
 *                          server indexing the table and attaching it as
 *                          the run's partition (the largest part of the
 *                          store) while the learned forecast is computed;
 *
 * then store_results stores the rest, with the sums' snapshot, the
 * summary and row counts (JSON texts), and commits.  The transactions'
 * work_mem is work_mem_mb ([reportd] store_work_mem_mb).  Each returns -1
 * and a one-line reason in err on failure, its transaction rolled back;
 * the run is then failed and its committed rows discarded (engine.c,
 * crmx.discard_run).  Between store_begin and store_results the
 * connection is busy: nothing else may use it, and a run that fails there
 * calls store_abort (harmless when no store is open). */
int store_accounts_commit(PGconn *conn, int64_t run_id, const struct snapshot *s,
                          const struct results *r, char *err, size_t errlen);
int store_beside_hold(PGconn *conn, int64_t run_id, int work_mem_mb, char *err, size_t errlen);
int store_sums_beside(PGconn *conn, int64_t run_id, char **snap, char *err, size_t errlen);
int store_begin(PGconn *conn, int64_t run_id, int work_mem_mb, char *err, size_t errlen);
void store_abort(PGconn *conn);
int store_results(PGconn *conn, int64_t run_id, const struct snapshot *s, const struct results *r,
                  const char *beside_snap, const char *summary_json,
                  const char *row_counts_json, long duration_ms, char *err, size_t errlen);

/* The learned forecast's rows (store_winfc.c), within that transaction. */
int store_winfc(PGconn *conn, int64_t run, const struct snapshot *s, const struct results *r);

#endif
