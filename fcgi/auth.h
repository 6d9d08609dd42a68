/* Who is asking, and what they may see.  The user is REMOTE_USER, set by
 * nginx after authentication; role and team come from crmx_src.users and
 * decide, in SQL, which owners the viewer sees.
 * Visibility is enforced in SQL: the viewer lookup computes, in SQL, the
 * owners whose accounts and deals the viewer may see (reps: themselves;
 * managers: their team; executives and admins: everyone), and every query
 * that returns accounts or deals restricts its owner column with
 * SCOPE_SQL to that set, passed as $1. */
#ifndef CRMX_AUTH_H
#define CRMX_AUTH_H

#include <stdint.h>
#include <time.h>

#include <libpq-fe.h>

struct viewer {
	char	*owners;	/* visible owner ids as an SQL array "{1,2}", the $1
				 * of SCOPE_SQL; NULL: all (executives, admins).
				 * malloc'd: auth_free() */
	char	 name[128];
	char	 lang_pref[16];	/* crmx.user_pref language, "" when none */
	char	 role[16];	/* 'rep', 'manager', 'exec', 'admin' ("" when unknown) */
};

/* The rows of owner column `col` the viewer may see.  A marker that
 * queries_prepare() turns into two statements: `col = ANY($1)` for
 * viewers with a set of owners and `true` for those who see all, so that
 * each has a plan that fits (prepared once, never re-planned). */
#define SCOPE_SQL(col) "{{scope:" col "}}"
/* The same with the owners in parameter $N (N a digit, 2..9; a statement
 * whose $1 is something else): `col = ANY($N)`, or `$N IS NULL` (always
 * true there, tested once) for those who see all.  One statement uses one
 * parameter for its markers. */
#define SCOPE_AT(col, n) "{{scope" n ":" col "}}"
/* TEXT in the variant for a set of owners only (OWN_ONLY), or in that for
 * those who see all only (ALL_ONLY): where the two are best asked in
 * different ways (a search: by the scope's owners, or over every
 * account).  A statement with these has a scope marker too; TEXT holds
 * no marker but the latest run's (RUN): its first other "}}" ends it. */
#define OWN_MARK "{{own:"
#define ALL_MARK "{{all:"
#define OWN_ONLY(text) OWN_MARK text "}}"
#define ALL_ONLY(text) ALL_MARK text "}}"

/* 0: found; 1: no such user; -1: database error.  A viewer looked up
 * before is taken from the worker's cache (cache.h); one read now is kept
 * if no change was heard since stamp.  AGG not NULL: a page that reads
 * the run's sums, and *AGG the viewer's row with Q_PANEL_AGG's columns
 * when it was read now (Q_VIEWER_AGG; the caller clears it), else NULL. */
int auth_lookup(PGconn *conn, const char *login, struct viewer *v, unsigned long stamp,
                time_t now, PGresult **agg);
void auth_free(struct viewer *v);

#endif
