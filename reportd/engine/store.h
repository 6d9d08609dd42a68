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
 * panels and the report read the latest 'ok' run's).  Two transactions
 * come before it, once the accounts' metrics are computed:
 *
 *   store_accounts_commit  the accounts' rows into the run's own table
 *                          (not a partition yet: unread), and the
 *                          regions' sums and precise customers made from
 *                          them (store_regions.c), committed;
 *   store_begin            opens the store transaction and leaves the
 *                          server indexing the table and attaching it as
 *                          the run's partition (the largest part of the
 *                          store) while the learned forecast is computed;
 *
 * then store_results stores the rest, with the run's snapshot (taken
 * before its read: every sum stored is of it or later), the summary and
 * row counts (JSON texts), and commits.  The store transaction's work_mem
 * is work_mem_mb ([reportd] store_work_mem_mb).  Each returns -1 and a
 * one-line reason in err on failure, its transaction rolled back; the run
 * is then failed and its committed rows discarded (engine.c,
 * crmx.discard_run).  Between store_begin and store_results the
 * connection is busy: nothing else may use it, and a run that fails there
 * calls store_abort (harmless when no store is open). */
int store_accounts_commit(PGconn *conn, int64_t run_id, const struct snapshot *s,
                          const struct results *r, char *err, size_t errlen);
int store_begin(PGconn *conn, int64_t run_id, int work_mem_mb, char *err, size_t errlen);
void store_abort(PGconn *conn);
int store_results(PGconn *conn, int64_t run_id, const struct snapshot *s, const struct results *r,
                  const char *run_snap, const char *summary_json,
                  const char *row_counts_json, long duration_ms, char *err, size_t errlen);

/* The regions' sums, the precise customers and each owner's five largest
 * of them per city (store_regions.c), within store_accounts_commit's
 * transaction; 0, or -1 with the connection's error. */
int store_regions(PGconn *conn, int64_t run, const struct snapshot *s, const struct results *r);

/* Minor units with `digits` decimals as the cents of the binary
 * numeric(18,2) columns (a currency with 3 minor digits is rounded). */
int64_t store_cents(int64_t v, int digits);

/* The learned forecast's rows (store_winfc.c), within that transaction. */
int store_winfc(PGconn *conn, int64_t run, const struct snapshot *s, const struct results *r);

#endif
