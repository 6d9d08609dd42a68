/* Delivery of the weekly mail: queue, claim, send, record.  The SQL of the
 * mail tables lives here and only here.
 *
 * At most once per week and recipient: the unique index on
 * (week, lower(recipient)) allows one row; a row is claimed by one UPDATE
 * over SELECT ... FOR UPDATE SKIP LOCKED that marks it 'sending' with the
 * claimer's database session (pid and start time), committed before the
 * server is contacted.  A 'sending' row is taken over only when that
 * session is gone (the instance died or lost its connection), so a
 * restart resumes where the dead one stopped.  The one window SMTP cannot
 * close (RFC 1047) is a death between the server's final 250 and our
 * 'sent' update, a few milliseconds. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "db.h"
#include "deliver.h"
#include "i18n.h"
#include "log.h"
#include "mail.h"
#include "transport.h"
#include "util.h"

static const char sql_enqueue[] =
    "INSERT INTO crmx.mail_delivery (week, recipient, language) VALUES ($1, $2, $3) "
    "ON CONFLICT (week, lower(recipient)) DO NOTHING";

/* The oldest due row, or one whose claimer's session is gone (or whose
 * claim is older than a send can take), marked 'sending' for us. */
static const char sql_claim[] =
    "WITH c AS ("
    " SELECT d.id FROM crmx.mail_delivery d"
    " WHERE (d.status = 'pending' AND d.next_try_at <= $2::timestamptz)"
    "    OR (d.status = 'sending' AND (d.claimed_at < now() - make_interval(secs => $3::int)"
    "        OR NOT EXISTS (SELECT 1 FROM pg_stat_activity a"
    "                       WHERE a.pid = d.claimed_pid"
    "                         AND (a.backend_start IS NULL"	/* hidden from other roles: alive */
    "                              OR a.backend_start = d.claimed_backend_start))))"
    " ORDER BY d.next_try_at, d.id LIMIT 1 FOR UPDATE OF d SKIP LOCKED)"
    " UPDATE crmx.mail_delivery d SET status = 'sending', attempts = d.attempts + 1,"
    "   claimed_by = $1, claimed_pid = pg_backend_pid(),"
    "   claimed_backend_start = (SELECT backend_start FROM pg_stat_activity"
    "                            WHERE pid = pg_backend_pid()),"
    "   claimed_at = now(), updated_at = now()"
    " FROM c WHERE d.id = c.id"
    " RETURNING d.id, d.week, d.recipient, d.language, d.attempts";

static const char sql_sent[] =
    "UPDATE crmx.mail_delivery SET status = 'sent', sent_at = now(), message_id = $3,"
    " run_id = NULLIF($4, '0')::bigint, smtp_code = NULLIF($5, '0')::int, last_error = NULL,"
    " updated_at = now()"
    " WHERE id = $1 AND status = 'sending' AND claimed_by = $2";

/* Backoff: base * 2^(attempts - 1), at most cap; 'failed' after max. */
static const char sql_failed[] =
    "UPDATE crmx.mail_delivery SET"
    " status = CASE WHEN attempts >= $3::int THEN 'failed' ELSE 'pending' END,"
    " next_try_at = now() + make_interval(secs => least($5::float8,"
    "                 $4::float8 * power(2, greatest(attempts - 1, 0)))),"
    " last_error = $6, smtp_code = NULLIF($7, '0')::int, updated_at = now()"
    " WHERE id = $1 AND status = 'sending' AND claimed_by = $2"
    " RETURNING status";

static const char sql_stats[] =
    "SELECT count(*) FILTER (WHERE status = 'pending') AS pending,"
    "       count(*) FILTER (WHERE status = 'sending') AS sending,"
    "       count(*) FILTER (WHERE status = 'sent') AS sent,"
    "       count(*) FILTER (WHERE status = 'failed') AS failed,"
    "       coalesce(sum(attempts - CASE WHEN status = 'sent' THEN 1 ELSE 0 END)"
    "                FILTER (WHERE status <> 'sending'), 0) AS attempts_failed,"
    "       count(*) FILTER (WHERE status = 'pending' AND attempts > 0) AS retrying,"
    "       coalesce(extract(epoch FROM now() - min(created_at)"
    "                FILTER (WHERE status IN ('pending', 'sending'))), 0) AS oldest"
    "  FROM crmx.mail_delivery";

struct enqueue_ctx {
	PGconn		*conn;
	const char	*week;
	int		 added;
	int		 failed;
};

static int
enqueue_one(const char *addr, enum lang l, void *arg)
{
	struct enqueue_ctx *x = arg;
	const char *params[3] = { x->week, addr, i18n_code(l) };
	PGresult *res = db_check(x->conn, PQexecParams(x->conn, sql_enqueue, 3, NULL, params,
	    NULL, NULL, 0), PGRES_COMMAND_OK, "queueing the weekly mail");
	if (res == NULL) {
		x->failed = 1;
		return 1;
	}
	x->added += atoi(PQcmdTuples(res));
	PQclear(res);
	return 0;
}

int
deliver_enqueue(PGconn *conn, const struct crmx_config *cfg, const char *week)
{
	struct enqueue_ctx x = { conn, week, 0, 0 };
	if (strcmp(cfg->mail_transport, "off") == 0)
		return 0;
	mail_each_recipient(cfg, enqueue_one, &x);
	if (x.failed)
		return -1;
	if (x.added > 0)
		log_info("mail: report %s queued for %d recipient(s)", week, x.added);
	return x.added;
}

/* Records the outcome of one attempt, its new status into status;
 * returns 0, or -1 when the database failed. */
static int
record(PGconn *conn, const struct crmx_config *cfg, const char *id, const char *me,
       int ok, const char *msgid, int64_t run_id, const struct send_result *r,
       char *status, size_t statuslen)
{
	char run[32], code[32], max[16], base[16], cap[16];
	PGresult *res;
	snprintf(run, sizeof run, "%lld", (long long)run_id);
	snprintf(code, sizeof code, "%ld", r->code);
	if (ok) {
		const char *p[5] = { id, me, msgid, run, code };
		res = db_check(conn, PQexecParams(conn, sql_sent, 5, NULL, p, NULL, NULL, 0),
		               PGRES_COMMAND_OK, "recording a sent mail");
		if (res == NULL)
			return -1;
		int n = atoi(PQcmdTuples(res));
		PQclear(res);
		snprintf(status, statuslen, "sent");
		if (n != 1)
			log_warn("mail: delivery %s was taken over by another instance while we sent it", id);
		return 0;
	}
	snprintf(max, sizeof max, "%d", cfg->mail_retry_max);
	snprintf(base, sizeof base, "%d", cfg->mail_retry_base_s);
	snprintf(cap, sizeof cap, "%d", cfg->mail_retry_cap_s);
	const char *p[7] = { id, me, max, base, cap, r->error, code };
	res = db_check(conn, PQexecParams(conn, sql_failed, 7, NULL, p, NULL, NULL, 0),
	               PGRES_TUPLES_OK, "recording a failed mail");
	if (res == NULL)
		return -1;
	snprintf(status, statuslen, "%s", PQntuples(res) == 1 ? PQgetvalue(res, 0, 0) : "lost");
	PQclear(res);
	return 0;
}

/* Sends the delivery claimed in res (one row) and records the outcome;
 * counts it in c.  -1 when it could not be recorded. */
static int
send_claimed(PGconn *conn, const struct crmx_config *cfg, PGresult *res, const char *me,
             struct deliver_counts *c)
{
	char id[32], week[16], to[300], status[16];
	snprintf(id, sizeof id, "%s", PQgetvalue(res, 0, db_col(res, "id")));
	snprintf(week, sizeof week, "%s", PQgetvalue(res, 0, db_col(res, "week")));
	snprintf(to, sizeof to, "%s", PQgetvalue(res, 0, db_col(res, "recipient")));
	int l = i18n_parse(PQgetvalue(res, 0, db_col(res, "language")));
	int attempt = atoi(PQgetvalue(res, 0, db_col(res, "attempts")));

	struct mail_message m;
	struct send_result r = { 0 };
	char msgid[300] = "";
	int ok = 0;
	if (mail_build(&m, cfg, week, l < 0 ? LANG_EN : (enum lang)l, r.error, sizeof r.error) == 0)
		ok = transport_send(cfg, &m, to, msgid, sizeof msgid, &r) == 0;
	int recorded = record(conn, cfg, id, me, ok, msgid, m.run_id, &r, status, sizeof status);
	mail_free(&m);
	if (recorded != 0)
		return -1;
	if (ok) {
		c->sent++;
		log_info("mail: report %s sent to %s (%s)", week, to, msgid);
	} else if (strcmp(status, "failed") == 0) {
		c->failed++;
		log_error("mail: report %s to %s failed for good after %d attempts: %s",
		          week, to, attempt, r.error);
	} else {
		c->retry++;
		log_warn("mail: report %s to %s, attempt %d failed (will retry): %s",
		         week, to, attempt, r.error);
	}
	return 0;
}

int
deliver_due(PGconn *conn, const struct crmx_config *cfg, struct deliver_counts *c)
{
	char me[300], host[256] = "", pass_start[64];
	PGresult *res = NULL;

	memset(c, 0, sizeof *c);
	if (strcmp(cfg->mail_transport, "off") == 0)
		return 0;
	gethostname(host, sizeof host - 1);
	snprintf(me, sizeof me, "%s:%ld", host, (long)getpid());
	/* Rows that become due during this pass (a quick retry) wait for the
	 * next one, so a pass always ends. */
	res = db_check(conn, PQexec(conn, "SELECT now()::text"), PGRES_TUPLES_OK, "mail");
	if (res == NULL)
		return -1;
	snprintf(pass_start, sizeof pass_start, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	char lease[16];
	/* A claim older than a send can take is dead even if its session is
	 * not (a connection pooler in between hides the claimer's session). */
	snprintf(lease, sizeof lease, "%d", cfg->mail_timeout_s * 2 + 60);

	for (;;) {
		const char *p[3] = { me, pass_start, lease };
		res = db_check(conn, PQexecParams(conn, sql_claim, 3, NULL, p, NULL, NULL, 0),
		               PGRES_TUPLES_OK, "claiming a mail delivery");
		if (res == NULL)
			return -1;
		if (PQntuples(res) == 0)
			break;
		int sent = send_claimed(conn, cfg, res, me, c);
		PQclear(res);
		if (sent != 0)
			return -1;
	}
	PQclear(res);
	return 0;
}

int
deliver_stats(PGconn *conn, struct deliver_stats *s)
{
	memset(s, 0, sizeof *s);
	PGresult *res = db_check(conn, PQexec(conn, sql_stats), PGRES_TUPLES_OK, "mail figures");
	if (res == NULL)
		return -1;
	s->pending = atoll(PQgetvalue(res, 0, db_col(res, "pending")));
	s->sending = atoll(PQgetvalue(res, 0, db_col(res, "sending")));
	s->sent = atoll(PQgetvalue(res, 0, db_col(res, "sent")));
	s->failed = atoll(PQgetvalue(res, 0, db_col(res, "failed")));
	s->attempts_failed = atoll(PQgetvalue(res, 0, db_col(res, "attempts_failed")));
	s->retrying = atoll(PQgetvalue(res, 0, db_col(res, "retrying")));
	s->oldest_unsent_s = atof(PQgetvalue(res, 0, db_col(res, "oldest")));
	PQclear(res);
	return 0;
}

struct find_lang {
	const char	*addr;
	int		 lang;
};

static int
find_lang(const char *addr, enum lang l, void *arg)
{
	struct find_lang *f = arg;
	if (strcasecmp(addr, f->addr) != 0)
		return 0;
	f->lang = (int)l;
	return 1;
}

int
deliver_test(const struct crmx_config *cfg, const char *week, const char *to,
             char *err, size_t errlen)
{
	struct mail_message m;
	struct send_result r;
	char msgid[300];
	int rc = -1;
	/* The language of the list the address is on, else the first one. */
	char first[16];
	snprintf(first, sizeof first, "%.*s", (int)strcspn(cfg->reportd_language, ", "),
	         cfg->reportd_language);
	struct find_lang f = { to, i18n_parse(first) };
	mail_each_recipient(cfg, find_lang, &f);
	if (mail_build(&m, cfg, week, f.lang < 0 ? LANG_EN : (enum lang)f.lang, err, errlen) != 0)
		goto out;
	if (transport_send(cfg, &m, to, msgid, sizeof msgid, &r) != 0) {
		snprintf(err, errlen, "%s", r.error);
		goto out;
	}
	log_info("mail: test of report %s sent to %s (%s)", week, to, msgid);
	rc = 0;
out:
	mail_free(&m);
	return rc;
}
