/* Requested runs (POST /api/runs) as a queue in the database,
 * crmx.run_request (migration 0015): a request is recorded before it is
 * acknowledged, and any instance works on it under a session advisory
 * lock on its id, so that a run requested of an instance that dies is
 * taken up after a restart (or at once by another instance).  The SQL of
 * that table lives here and only here. */
#ifndef CRMX_RUNREQ_H
#define CRMX_RUNREQ_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <libpq-fe.h>

#include "config.h"
#include "job.h"

/* Attempts before a request is given up ('failed'). */
#define RUNREQ_TRIES	5

struct runreq {
	int64_t		 id;
	int32_t		 as_of;
	double		 requested_at;	/* epoch seconds */
	int		 attempts;	/* before this one */
};

/* Records a request for as_of from `by` (the client's address); its id,
 * or -1 with a one-line reason in err. */
int64_t runreq_add(const struct crmx_config *cfg, int32_t as_of, const char *by,
                   char *err, size_t errlen);

/* Claims the oldest due request no other session works on, holding its
 * lock on conn: 1 (q filled), 0 none (*next: when one comes due, already
 * past when one came due while looking, 0 when none is pending), -1
 * database error. */
int runreq_claim(PGconn *conn, struct runreq *q, time_t *next);

/* Records the job's outcome for the claimed request (done, or pending
 * again after retry_s, or failed after RUNREQ_TRIES) and releases the
 * lock.  Other pending requests for the same date that the run answers
 * (requested before it finished) are done too.  0 or -1. */
int runreq_finish(PGconn *conn, const struct runreq *q, const struct job_result *r,
                  int retry_s);

#endif
