/* The queue of requested runs (see runreq.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "log.h"
#include "runreq.h"
#include "util.h"

#define REQ_LOCK_CLASS	1668443506L	/* "crmr" as a 32-bit integer */

static const char sql_add[] =
    "INSERT INTO crmx.run_request (as_of, requested_by) VALUES ($1::date, $2) RETURNING id";

/* Candidates, oldest first (each is then tried for its lock), and when to
 * look again: the first request not yet due, in whole seconds rounded up
 * (so that looking then finds it due).  One statement, one instant: with
 * two, a request coming due between them was in neither, and the runner
 * slept until the next scheduled report.  Always one row at least (a NULL
 * id when nothing is due). */
static const char sql_due[] =
    "SELECT r.id, r.as_of::text, extract(epoch FROM r.requested_at), r.attempts,"
    "       (SELECT ceil(extract(epoch FROM min(next_try_at)))::bigint"
    "          FROM crmx.run_request WHERE status = 'pending' AND next_try_at > now())"
    "  FROM (SELECT 1) one LEFT JOIN LATERAL"
    "       (SELECT id, as_of, requested_at, attempts FROM crmx.run_request"
    "         WHERE status = 'pending' AND next_try_at <= now() ORDER BY id LIMIT 50) r ON true";

/* Still pending once the lock is ours (another session may have finished
 * it between the listing and the lock). */
static const char sql_still[] =
    "SELECT 1 FROM crmx.run_request WHERE id = $1 AND status = 'pending'";

static const char sql_done[] =
    "UPDATE crmx.run_request SET status = 'done', run_id = $2, attempts = attempts + 1,"
    " last_error = NULL, finished_at = now() WHERE id = $1";

/* The run answers every request for its date made before it finished. */
static const char sql_done_same[] =
    "UPDATE crmx.run_request q SET status = 'done', run_id = r.run_id, finished_at = now()"
    "  FROM crmx.run r WHERE r.run_id = $1 AND q.as_of = r.as_of AND q.status = 'pending'"
    "   AND q.requested_at <= r.finished_at";

static const char sql_failed[] =
    "UPDATE crmx.run_request SET attempts = attempts + 1, last_error = $2,"
    " status = CASE WHEN attempts + 1 >= $3::int THEN 'failed' ELSE 'pending' END,"
    " next_try_at = now() + make_interval(secs => $4::int) WHERE id = $1 RETURNING status";

int64_t
runreq_add(const struct crmx_config *cfg, int32_t as_of, const char *by, char *err,
           size_t errlen)
{
	char day[16];
	format_date(as_of, day, sizeof day);
	PGconn *conn = db_connect(cfg, cfg->db_conninfo, "crmx-reportd", err, errlen);
	if (conn == NULL)
		return -1;
	const char *p[2] = { day, by };
	PGresult *res = PQexecParams(conn, sql_add, 2, NULL, p, NULL, NULL, 0);
	int64_t id = -1;
	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
		id = atoll(PQgetvalue(res, 0, 0));
	else
		snprintf(err, errlen, "recording the run: %s", db_errmsg(conn));
	PQclear(res);
	PQfinish(conn);
	return id;
}

/* 1 locked, 0 held by another session, -1 error. */
static int
lock_request(PGconn *conn, const char *id)
{
	return db_try_lock(conn, REQ_LOCK_CLASS, atoll(id), "run request lock");
}

static void
unlock_request(PGconn *conn, int64_t id)
{
	db_unlock(conn, REQ_LOCK_CLASS, id);
}

static int
still_pending(PGconn *conn, const char *id)
{
	const char *p[1] = { id };
	PGresult *res = db_check(conn, PQexecParams(conn, sql_still, 1, NULL, p, NULL, NULL, 0),
	                         PGRES_TUPLES_OK, "run request");
	if (res == NULL)
		return -1;
	int n = PQntuples(res);
	PQclear(res);
	return n == 1;
}

int
runreq_claim(PGconn *conn, struct runreq *q, time_t *next)
{
	*next = 0;
	PGresult *res = db_check(conn, PQexec(conn, sql_due), PGRES_TUPLES_OK, "run requests");
	if (res == NULL)
		return -1;
	int busy = 0;
	if (PQntuples(res) > 0 && !PQgetisnull(res, 0, 4))
		*next = (time_t)atoll(PQgetvalue(res, 0, 4));
	for (int i = 0; i < PQntuples(res) && !PQgetisnull(res, i, 0); i++) {
		const char *id = PQgetvalue(res, i, 0);
		int got = lock_request(conn, id);
		if (got < 0)
			goto fail;
		if (got == 0) {
			busy = 1;	/* another instance works on it */
			continue;
		}
		int still = still_pending(conn, id);
		if (still == 1 && parse_date(PQgetvalue(res, i, 1), &q->as_of) == 0) {
			q->id = atoll(id);
			q->requested_at = atof(PQgetvalue(res, i, 2));
			q->attempts = atoi(PQgetvalue(res, i, 3));
			PQclear(res);
			return 1;
		}
		unlock_request(conn, atoll(id));
		if (still < 0)
			goto fail;
	}
	PQclear(res);
	if (busy && (*next == 0 || *next > time(NULL) + 60))
		*next = time(NULL) + 60;	/* see whether its instance is still alive */
	return 0;
fail:
	PQclear(res);
	return -1;
}

int
runreq_finish(PGconn *conn, const struct runreq *q, const struct job_result *r, int retry_s)
{
	char id[32], run[32], tries[16], retry[16];
	PGresult *res;
	int rc = 0;
	snprintf(id, sizeof id, "%lld", (long long)q->id);
	snprintf(run, sizeof run, "%lld", (long long)r->run_id);
	if (r->ok) {
		const char *p[2] = { id, run };
		res = db_check(conn, PQexecParams(conn, sql_done, 2, NULL, p, NULL, NULL, 0),
		               PGRES_COMMAND_OK, "recording a requested run");
		rc = res ? 0 : -1;
		PQclear(res);
		const char *p1[1] = { run };
		res = db_check(conn, PQexecParams(conn, sql_done_same, 1, NULL, p1, NULL, NULL, 0),
		               PGRES_COMMAND_OK, "recording requested runs");
		PQclear(res);
	} else {
		snprintf(tries, sizeof tries, "%d", RUNREQ_TRIES);
		snprintf(retry, sizeof retry, "%d", retry_s);
		const char *p[4] = { id, r->error, tries, retry };
		res = db_check(conn, PQexecParams(conn, sql_failed, 4, NULL, p, NULL, NULL, 0),
		               PGRES_TUPLES_OK, "recording a failed requested run");
		if (res == NULL)
			rc = -1;
		else if (PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "failed") == 0)
			log_error("requested run %lld: given up after %d attempts", (long long)q->id,
			          RUNREQ_TRIES);
		PQclear(res);
	}
	unlock_request(conn, q->id);
	return rc;
}
