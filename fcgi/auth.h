/* Who is asking, and what they may see.  The user is REMOTE_USER, set by
 * nginx after authentication; role and team come from crmx_src.users.
 * Visibility is enforced in SQL: every query that returns accounts or
 * deals includes SCOPE_SQL with the viewer's id, role and team as $1..$3. */
#ifndef CRMX_AUTH_H
#define CRMX_AUTH_H

#include <stdint.h>

#include <libpq-fe.h>

struct viewer {
	char	 id[24];	/* user_id as text, the $1 of SCOPE_SQL */
	char	 role[16];	/* rep, manager, exec, admin: $2 */
	char	 team[128];	/* $3 ("" when none) */
	char	 name[128];
	char	 lang_pref[16];	/* crmx.user_pref language, "" when none */
};

/* The rows of owner column `col` a viewer may see: reps their own,
 * managers their team's, executives and admins all. */
#define SCOPE_SQL(col) \
	"($2 IN ('exec', 'admin') OR " col " = $1::bigint OR ($2 = 'manager' AND " col \
	" IN (SELECT user_id FROM crmx_src.users WHERE team = $3)))"

/* 0: found; 1: no such user; -1: database error. */
int auth_lookup(PGconn *conn, const char *login, struct viewer *v);

#endif
