/* Looks the viewer up by login. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "cache.h"
#include "queries.h"
#include "util.h"

/* A kept viewer: name, language and owners ("" for all: a set is never
 * empty), NUL-separated; dropped only when everything changed (users,
 * teams and preferences say '*'). */
static int
from_cache(const char *key, size_t keylen, struct viewer *v, time_t now)
{
	size_t len;
	const char *val = cache_get(key, keylen, &len, now);
	if (val == NULL)
		return -1;
	size_t n = strlen(val), l = strlen(val + n + 1);
	snprintf(v->name, sizeof v->name, "%s", val);
	snprintf(v->lang_pref, sizeof v->lang_pref, "%s", val + n + 1);
	const char *owners = val + n + l + 2;
	v->owners = owners[0] ? xstrdup(owners) : NULL;
	return 0;
}

int
auth_lookup(PGconn *conn, const char *login, struct viewer *v, unsigned long stamp, time_t now)
{
	const char *params[1] = { login };
	memset(v, 0, sizeof *v);
	char key[300];
	int keylen = snprintf(key, sizeof key, "V\n%s", login);
	int keep = keylen > 0 && (size_t)keylen < sizeof key;
	if (keep && from_cache(key, (size_t)keylen, v, now) == 0)
		return 0;
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
	if (keep) {
		char val[512];
		size_t n = strlen(v->name), l = strlen(v->lang_pref);
		const char *owners = v->owners ? v->owners : "";
		size_t o = strlen(owners);
		if (n + l + o + 3 <= sizeof val) {
			memcpy(val, v->name, n + 1);
			memcpy(val + n + 1, v->lang_pref, l + 1);
			memcpy(val + n + l + 2, owners, o + 1);
			cache_put(key, (size_t)keylen, NULL, 1, val, n + l + o + 3, stamp, now);
		}
	}
	return 0;
}

void
auth_free(struct viewer *v)
{
	free(v->owners);
	v->owners = NULL;
}
