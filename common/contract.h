/* The adapter contract (docs: DESIGN, "adapter contract"): the crmx_src
 * views every adapter must provide, each with exactly these columns in
 * this order and of these types, and the rules on their values.  Held
 * against a database by `crmx-admin check` and by the contract test. */
#ifndef CRMX_CONTRACT_H
#define CRMX_CONTRACT_H

#include <stdbool.h>

#include <libpq-fe.h>

struct contract_col { const char *name, *type; };
struct contract_view { const char *name; struct contract_col cols[16]; };

extern const struct contract_view contract_views[];
extern const unsigned contract_nviews;

/* Called once per way the database breaks the contract, with a line of
 * text (no newline). */
typedef void contract_report_fn(void *arg, const char *line);

/* Number of ways the connected database's crmx_src breaks the contract,
 * each reported.  A view with no rows breaks it unless allow_empty says
 * so (NULL: every view may be empty; else a comma-separated list). */
int contract_check(PGconn *conn, const char *allow_empty, contract_report_fn *report,
                   void *arg);

#endif
