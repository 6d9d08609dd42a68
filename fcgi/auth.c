/* Looks the viewer up by login. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "cache.h"
#include "db.h"
#include "queries.h"
#include "util.h"

/* A kept viewer: name, language, role and owners ("" for all: a set is
 * never empty); dropped only when everything changed (users, teams and
 * preferences say '*'). */
static int
from_cache(const char *key, size_t keylen, struct viewer *v, time_t now)
{
	const char *parts[4];
	size_t len;
	if (cache_get_fields(key, keylen, 4, parts, &len, now) != 0)
		return -1;
	snprintf(v->name, sizeof v->name, "%s", parts[0]);
	snprintf(v->lang_pref, sizeof v->lang_pref, "%s", parts[1]);
	snprintf(v->role, sizeof v->role, "%s", parts[2]);
	v->owners = len ? xstrdup(parts[3]) : NULL;
	return 0;
}

int
auth_lookup(PGconn *conn, const char *login, struct viewer *v, unsigned long stamp, time_t now,
            PGresult **agg)
{
	const char *params[1] = { login };
	memset(v, 0, sizeof *v);
	if (agg != NULL)
		*agg = NULL;
	char key[300];
	int keylen = snprintf(key, sizeof key, "V\n%s", login);
	int keep = keylen > 0 && (size_t)keylen < sizeof key;
	if (keep && from_cache(key, (size_t)keylen, v, now) == 0)
		return 0;
	PGresult *res = query_run(conn, agg != NULL ? Q_VIEWER_AGG : Q_VIEWER, 1, params);
	if (res == NULL)
		return -1;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return 1;
	}
	const char *name = db_val(res, 0, db_col(res, "name"));
	const char *lang = db_val(res, 0, db_col(res, "lang"));
	const char *owners = db_val(res, 0, db_col(res, "owners"));
	const char *role = db_val(res, 0, db_col(res, "role"));
	query_note_run(conn, db_val(res, 0, db_col(res, "run_id")));
	snprintf(v->name, sizeof v->name, "%s", name ? name : "");
	snprintf(v->lang_pref, sizeof v->lang_pref, "%s", lang ? lang : "");
	snprintf(v->role, sizeof v->role, "%s", role ? role : "");
	v->owners = owners ? xstrdup(owners) : NULL;
	if (agg != NULL)
		*agg = res;
	else
		PQclear(res);
	if (keep) {
		const char *own = v->owners ? v->owners : "";
		const char *parts[4] = { v->name, v->lang_pref, v->role, own };
		size_t lens[4] = { strlen(v->name), strlen(v->lang_pref), strlen(v->role),
		                   strlen(own) };
		cache_put_fields(key, (size_t)keylen, NULL, 1, 4, parts, lens, stamp, now);
	}
	return 0;
}

void
auth_free(struct viewer *v)
{
	free(v->owners);
	v->owners = NULL;
}
