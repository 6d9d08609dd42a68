/* The identity check behind nginx's auth_request for a CRM whose logins
 * are sessions kept in its own database (Tryton): the request's
 * Authorization header goes to the adapter's crmx_src.session_login(),
 * which answers the login or NULL; 200 with the login in X-Crmx-User, else
 * 401.  nginx then passes that login to the panels as REMOTE_USER. */
#include <string.h>

#include "log.h"
#include "panel.h"

/* Longer headers are not sessions (Tryton's are about 100 bytes). */
#define AUTH_MAX 1024

int
h_session(struct ctx *c, const char *authorization)
{
	PGresult *res = NULL;
	c->out->status = 401;
	if (authorization == NULL || *authorization == '\0' || strlen(authorization) > AUTH_MAX)
		goto out;
	const char *params[1] = { authorization };
	/* Not among the prepared statements of queries.c: only the tryton
	 * adapter defines the function, and preparing it on another CRM's
	 * database would fail every worker's connection. */
	res = PQexecParams(c->conn, "SELECT crmx_src.session_login($1)", 1, NULL, params,
	                   NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
		if (state != NULL && strcmp(state, "42883") == 0) {
			/* undefined_function: an adapter without session logins */
			log_error("session check: crmx_src.session_login() is missing"
			          " (only the tryton adapter has one)");
		} else {
			log_error("session check: %s", PQerrorMessage(c->conn));
			query_note_failure(res);
			c->db_failed = 1;
		}
		goto out;
	}
	if (PQntuples(res) == 1 && !PQgetisnull(res, 0, 0)) {
		c->out->status = 200;
		out_header(c->out, "X-Crmx-User", PQgetvalue(res, 0, 0));
	}
out:
	PQclear(res);
	return 0;
}
