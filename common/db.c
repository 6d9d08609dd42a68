/* Connection helpers over libpq.  Queries themselves live in each program's
 * data-access file; this file only connects and checks. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "clock.h"
#include "db.h"
#include "log.h"

const char *
db_errmsg(const PGconn *conn)
{
	/* One buffer per thread: reportd calls this from its HTTP, runner
	 * and mail threads at once. */
	static _Thread_local char buf[512];
	const char *msg = conn ? PQerrorMessage(conn) : "no connection";
	size_t j = 0;
	for (size_t i = 0; msg[i] != '\0' && j + 1 < sizeof buf; i++) {
		char c = msg[i];
		if (c == '\n' || c == '\t')
			c = ' ';
		if (c == ' ' && (j == 0 || buf[j - 1] == ' '))
			continue;
		buf[j++] = c;
	}
	while (j > 0 && buf[j - 1] == ' ')
		j--;
	buf[j] = '\0';
	return buf;
}

PGconn *
db_connect(const struct crmx_config *cfg, const char *conninfo,
           const char *appname, char *err, size_t errlen)
{
	char timeout[16], options[64];
	snprintf(timeout, sizeof timeout, "%d", cfg->db_connect_timeout_s);
	snprintf(options, sizeof options, "-c statement_timeout=%d",
	         cfg->db_statement_timeout_ms);
	/* Our keywords come first so that the same ones in the conninfo string
	 * (expanded from dbname, last) win; the PG* environment fills the rest. */
	const char *keys[8], *vals[8];
	int n = 0;
	keys[n] = "fallback_application_name"; vals[n++] = appname;
	keys[n] = "connect_timeout"; vals[n++] = timeout;
	keys[n] = "options"; vals[n++] = options;
	/* Over TCP, a server that vanished without closing (a failover, a cut
	 * network) is noticed within a minute, not the system's two hours: an
	 * idle panel worker learns of changes only from its connection. */
	keys[n] = "keepalives_idle"; vals[n++] = "30";
	keys[n] = "keepalives_interval"; vals[n++] = "10";
	keys[n] = "keepalives_count"; vals[n++] = "3";
	if (conninfo != NULL && *conninfo != '\0') {
		keys[n] = "dbname"; vals[n++] = conninfo;
	}
	keys[n] = NULL; vals[n] = NULL;
	PGconn *conn = PQconnectdbParams(keys, vals, 1);
	if (conn == NULL) {
		snprintf(err, errlen, "database: out of memory");
		return NULL;
	}
	if (PQstatus(conn) != CONNECTION_OK) {
		snprintf(err, errlen, "database: %s", db_errmsg(conn));
		PQfinish(conn);
		return NULL;
	}
	return conn;
}

PGconn *
db_connect_like(PGconn *conn)
{
	PQconninfoOption *opts = PQconninfo(conn);
	if (opts == NULL)
		return NULL;
	const char *keys[64], *vals[64];
	int n = 0;
	for (PQconninfoOption *o = opts; o->keyword != NULL && n < 63; o++)
		if (o->val != NULL && o->val[0] != '\0') {
			keys[n] = o->keyword;
			vals[n++] = o->val;
		}
	keys[n] = vals[n] = NULL;
	PGconn *c2 = PQconnectdbParams(keys, vals, 0);
	PQconninfoFree(opts);
	if (c2 != NULL && PQstatus(c2) != CONNECTION_OK) {
		log_debug("db: no second connection (%s)", db_errmsg(c2));
		PQfinish(c2);
		return NULL;
	}
	return c2;
}

int
db_command(PGconn *conn, const char *sql)
{
	PGresult *res = PQexec(conn, sql);
	ExecStatusType st = PQresultStatus(res);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		log_error("db: %s: %s", sql, db_errmsg(conn));
		PQclear(res);
		return -1;
	}
	PQclear(res);
	return 0;
}

int
db_command_params(PGconn *conn, const char *sql, int n, const char *const *params,
                  const char *context)
{
	PGresult *res = db_check(conn, PQexecParams(conn, sql, n, NULL, params, NULL, NULL, 0),
	                         PGRES_COMMAND_OK, context);
	if (res == NULL)
		return -1;
	PQclear(res);
	return 0;
}

PGresult *
db_check(PGconn *conn, PGresult *res, ExecStatusType want, const char *context)
{
	if (res != NULL && PQresultStatus(res) == want)
		return res;
	const char *msg = res ? PQresultErrorMessage(res) : "";
	if (msg == NULL || *msg == '\0')
		msg = db_errmsg(conn);
	char line[512];
	snprintf(line, sizeof line, "%s", msg);
	line[strcspn(line, "\n")] = '\0';
	log_error("db: %s: %s", context, line);
	PQclear(res);
	return NULL;
}

bool
db_is_down(const PGconn *conn)
{
	return conn == NULL || PQstatus(conn) != CONNECTION_OK;
}

int
db_col(const PGresult *res, const char *name)
{
	int c = PQfnumber(res, name);
	if (c < 0) {
		log_error("db: result has no column \"%s\"", name);
		abort();
	}
	return c;
}

const char *
db_val(const PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? NULL : PQgetvalue(res, row, col);
}

static int reply_timeout_ms;
static int reply_timed_out;

void
db_set_reply_timeout(int ms)
{
	reply_timeout_ms = ms;
}


/* 0 when a result can be read without blocking; -1 when the reply timeout
 * ran out (the connection is then shut) or the connection failed. */
static int
wait_readable(PGconn *conn)
{
	if (reply_timeout_ms <= 0)
		return 0;
	double deadline = mono() + reply_timeout_ms / 1000.0;
	while (PQisBusy(conn)) {
		int left = (int)((deadline - mono()) * 1000.0);
		struct pollfd p = { .fd = PQsocket(conn), .events = POLLIN };
		int n = left > 0 ? poll(&p, 1, left) : 0;
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0) {
			log_error("db: no answer from the server within %d ms; dropping the connection",
			          reply_timeout_ms);
			shutdown(PQsocket(conn), SHUT_RDWR);
			reply_timed_out = 1;
			PQconsumeInput(conn);	/* reads the end: CONNECTION_BAD */
			return -1;
		}
		if (n < 0 || PQconsumeInput(conn) == 0)
			return -1;
	}
	return 0;
}

int
db_take_reply_timeout(void)
{
	int was = reply_timed_out;
	reply_timed_out = 0;
	return was;
}

PGresult *
db_get_result(PGconn *conn)
{
	if (wait_readable(conn) != 0)
		return NULL;
	return PQgetResult(conn);
}

PGresult *
db_exec_result(PGconn *conn)
{
	PGresult *last = NULL, *r;
	while ((r = db_get_result(conn)) != NULL) {
		/* keep the first error, else the last result (as PQexec) */
		if (last != NULL && PQresultStatus(last) == PGRES_FATAL_ERROR) {
			PQclear(r);
			continue;
		}
		PQclear(last);
		last = r;
	}
	if (last == NULL || PQstatus(conn) != CONNECTION_OK) {
		PQclear(last);
		return NULL;
	}
	return last;
}

int
db_try_lock(PGconn *conn, long cls, long long key, const char *what)
{
	char c[24], k[24];
	snprintf(c, sizeof c, "%ld", cls);
	snprintf(k, sizeof k, "%lld", key);
	const char *params[2] = { c, k };
	PGresult *res = db_check(conn, PQexecParams(conn,
	    "SELECT pg_try_advisory_lock($1::int, $2::int)", 2, NULL, params, NULL, NULL, 0),
	    PGRES_TUPLES_OK, what);
	if (res == NULL)
		return -1;
	int got = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	return got;
}

void
db_unlock(PGconn *conn, long cls, long long key)
{
	char c[24], k[24];
	snprintf(c, sizeof c, "%ld", cls);
	snprintf(k, sizeof k, "%lld", key);
	const char *params[2] = { c, k };
	PQclear(PQexecParams(conn, "SELECT pg_advisory_unlock($1::int, $2::int)", 2, NULL,
	                     params, NULL, NULL, 0));
}
