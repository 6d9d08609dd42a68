/* Looks the viewer up by login. */
#include <stdio.h>
#include <string.h>

#include "auth.h"

int
auth_lookup(PGconn *conn, const char *login, struct viewer *v)
{
	const char *params[1] = { login };
	memset(v, 0, sizeof *v);
	PGresult *res = PQexecParams(conn,
	    "SELECT u.user_id, u.role, coalesce(u.team, ''), u.name, coalesce(p.lang, '')"
	    " FROM crmx_src.users u LEFT JOIN crmx.user_pref p ON p.login = u.login"
	    " WHERE u.login = $1", 1, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		PQclear(res);
		return -1;
	}
	if (PQntuples(res) != 1) {
		PQclear(res);
		return 1;
	}
	snprintf(v->id, sizeof v->id, "%s", PQgetvalue(res, 0, 0));
	snprintf(v->role, sizeof v->role, "%s", PQgetvalue(res, 0, 1));
	snprintf(v->team, sizeof v->team, "%s", PQgetvalue(res, 0, 2));
	snprintf(v->name, sizeof v->name, "%s", PQgetvalue(res, 0, 3));
	snprintf(v->lang_pref, sizeof v->lang_pref, "%s", PQgetvalue(res, 0, 4));
	PQclear(res);
	return 0;
}
