/* Who gets the weekly mail and whether they got it: one row per ISO week
 * and recipient in crmx.mail_delivery (migration 0008), claimed atomically
 * so that several reportd instances, or one restarted mid-way, mail each
 * recipient once per week; failed attempts come back with backoff. */
#ifndef CRMX_DELIVER_H
#define CRMX_DELIVER_H

#include <stdint.h>

#include <libpq-fe.h>

#include "config.h"

/* Rows for every configured recipient of `week` that has none yet (an
 * address already queued for the week, under any language, keeps its
 * row).  Returns the number of new rows, or -1 (logged). */
int deliver_enqueue(PGconn *conn, const struct crmx_config *cfg, const char *week);

struct deliver_counts {
	int	 sent;		/* accepted by the server in this pass */
	int	 retry;		/* failed, will be tried again later */
	int	 failed;	/* failed for the last time */
};

/* Claims and sends due deliveries one at a time until none is due.
 * Returns 0, or -1 when the database failed (counts still filled). */
int deliver_due(PGconn *conn, const struct crmx_config *cfg, struct deliver_counts *c);

/* Figures for /healthz and /metrics. */
struct deliver_stats {
	int64_t	 pending, sending, sent, failed;
	int64_t	 attempts_failed;	/* attempts that did not end in 'sent' */
	int64_t	 retrying;		/* pending after at least one attempt */
	double	 oldest_unsent_s;	/* age of the oldest pending/sending row; 0 when none */
};
int deliver_stats(PGconn *conn, struct deliver_stats *s);

/* Sends the report of `week` to one address now, outside the weekly
 * bookkeeping (crmx-reportd --send-test).  0 when accepted; otherwise
 * -1 and one line in err. */
int deliver_test(const struct crmx_config *cfg, const char *week, const char *to,
                 char *err, size_t errlen);

#endif
