/* Looks the viewer up by login. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "queries.h"
#include "util.h"

int
auth_lookup(PGconn *conn, const char *login, struct viewer *v)
{
	const char *params[1] = { login };
	memset(v, 0, sizeof *v);
	PGresult *res = query_run(conn, Q_VIEWER, 1, params);
	if (res == NULL)
		return -1;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return 1;
	}
	snprintf(v->name, sizeof v->name, "%s", PQgetvalue(res, 0, 0));
	snprintf(v->lang_pref, sizeof v->lang_pref, "%s", PQgetvalue(res, 0, 1));
	v->owners = PQgetisnull(res, 0, 2) ? NULL : xstrdup(PQgetvalue(res, 0, 2));
	PQclear(res);
	return 0;
}

void
auth_free(struct viewer *v)
{
	free(v->owners);
	v->owners = NULL;
}
