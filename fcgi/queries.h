/* Every SQL statement of the panels, in one table (queries.c), prepared
 * once on each worker's connection and run by name.  User input only ever
 * travels as $n parameters.  Scoped statements take the viewer's visible
 * owners as $1 (NULL: all; see SCOPE_SQL in auth.h) and their own values
 * from $2 on. */
#ifndef CRMX_QUERIES_H
#define CRMX_QUERIES_H

#include <stdio.h>

#include <libpq-fe.h>

enum query {
	Q_VIEWER,		/* $1 login */
	Q_VIEWER_AGG,		/* the same with Q_PANEL_AGG's columns */
	Q_ACCOUNTS_REVENUE,	/* the list, one statement per sort key */
	Q_ACCOUNTS_LTV,
	Q_ACCOUNTS_NAME,
	Q_ACCOUNTS_ACTIVITY,
	Q_ACCOUNTS_NAME_ZH,	/* by name in pinyin order (ICU), for Chinese readers */
	Q_ACCOUNTS_COUNT,	/* the list's total, capped */
	Q_REGIONS,		/* accounts grouped by region and city */
	Q_ACCOUNT,		/* the account panel's head, metrics, qualification */
	Q_CONTACTS,
	Q_ACCOUNT_DEALS,
	Q_ACCOUNT_MONTHS,	/* revenue per month, last 24 months */
	Q_QUAL_HISTORY,
	Q_SAVE_QUAL,		/* upsert + history in one statement */
	Q_FUNNEL,
	Q_PIPELINE_DEALS,
	Q_DEAL,
	Q_DEAL_HISTORY,
	Q_DEAL_REVIEWS,
	Q_SAVE_REVIEW,
	Q_LIST_OWNERS,		/* the owners a list can be filtered by */
	Q_PIPELINE_COUNT,	/* the open deals the pipeline pages through */
	Q_ACCOUNT_CLOSED,	/* an account's won and lost deals */
	Q_TEAM,			/* one row per rep; the stall days STALL_DAYS */
	Q_TEAM_AGG,		/* the same from the run's sums; $2 the scope */
	Q_FORECAST_ACCURACY,	/* per owner in scope and closed month */
	Q_FORECAST_ACCURACY_AGG, /* the same from the run's won months; $2 the scope */
	Q_SAVE_CONTACT,		/* a contact's role and the key person reached, + history */
	Q_CONTACT_HISTORY,
	Q_CLOSED_PARTS,		/* lost deals of 12 months by reason, then win rate by source */
	Q_ACCOUNTS_REVENUE_DEEP,	/* the same lists far down: one sort of every row */
	Q_ACCOUNTS_LTV_DEEP,
	Q_ACCOUNTS_ACTIVITY_DEEP,
	Q_DEAL_FORECAST,	/* the deal's learned probability (0028), latest run */
	Q_PANEL_AGG,		/* whether the run's sums serve the all-scope pages; who changed */
	Q_FUNNEL_AGG,		/* the same figures from the run's sums: $1 the changed owners */
	Q_CLOSED_PARTS_AGG,
	Q_REGIONS_AGG,
	Q_ACCOUNTS_REVENUE_WALK,	/* a search with many matches: the index walked */
	Q_ACCOUNTS_LTV_WALK,
	Q_ACCOUNTS_ACTIVITY_WALK,
	Q_ACCOUNTS_REVENUE_OWNED,	/* a scope's list from the run's rows by owner (0032) */
	Q_ACCOUNTS_LTV_OWNED,
	Q_ACCOUNTS_ACTIVITY_OWNED,
	Q_ACCOUNTS_NAME_OWNED,	/* a scope's list by name, each owner's first */
	Q_ACCOUNTS_NAME_ZH_OWNED,
	Q_ACCOUNTS_COUNT_AGG,	/* Q_ACCOUNTS_COUNT from the run's sums (0027) */
	Q_PIPELINE_PAGE,	/* Q_PIPELINE_DEALS with its total given ($6) */
	Q_PIPELINE_TOP,		/* the same by priority: only deals that may make the page */
	Q_PIPELINE_TOP_AMOUNT,	/* the same by amount */
	Q_PIPELINE_PAGE_PRIO,	/* Q_PIPELINE_PAGE by priority, its one order */
	Q_TEAM_OWNERS,		/* $2 a team: its users in scope, as a scope */
	Q_ACCOUNTS_REVENUE_ALL,	/* an unfiltered list sorted by a figure: one plan */
	Q_ACCOUNTS_LTV_ALL,
	Q_ACCOUNTS_ACTIVITY_ALL,
	Q_LATEST_RUN,		/* the latest run's id, for the statements' RUN */
	Q_TEAM_LIVE,		/* the team view's owners read live beside its sums per team */
	Q_TEAM_TEAMS,		/* an executive's teams from the run's sums per team; $1 those */
	Q_TEAM_TEAMS_ACC,	/* their forecast accuracy by month; $2 the closed deals' changed */
	Q_PIPELINE_TOP_RUN,	/* Q_PIPELINE_TOP over everyone from the run's priorities (0055) */
	Q_PIPELINE_PAGE_PRIO_RUN,	/* Q_PIPELINE_PAGE_PRIO from the run's open deals (0055) */
	Q_PIPELINE_TEAM_PRIO_RUN,	/* the same for a team: from its index when the scope is its users */
	Q_TEAM_WHOLE,		/* Q_TEAM_TEAMS from the run's whole rows per team (0056) */
	Q_TEAM_ACC_DELTA,	/* Q_TEAM_TEAMS_ACC's changes, for Q_TEAM_WHOLE (0056) */
	Q_TEAM_QUIET,		/* Q_TEAM_WHOLE when nothing it reads live changed */
	Q_FUNNEL_QUIET,		/* Q_FUNNEL_AGG on a quiet day: a team's sums (0060), a rep's */
	Q_CLOSED_PARTS_QUIET,	/* Q_CLOSED_PARTS_AGG the same way */
	Q_ACCOUNTS_REVENUE_TEAM,	/* a team's usual list on a quiet day (0061) */
	Q_PIPELINE_PRIO_QUIET,	/* Q_PIPELINE_PAGE_PRIO_RUN on a quiet day */
	Q_ACCOUNTS_REVENUE_OWNER,	/* a rep's usual list on a quiet day (0061) */
	Q_PIPELINE_TEAM_PRIO_QUIET,	/* Q_PIPELINE_TEAM_PRIO_RUN on a quiet day */
	Q_PIPELINE_TOP_QUIET,	/* Q_PIPELINE_TOP_RUN on a quiet day */
	Q_FORECAST_ACCURACY_QUIET,	/* Q_FORECAST_ACCURACY_AGG on a quiet day */
	Q__MAX
};

/* Sets the session's time zone (times are shown in it) and the stall
 * days ([metrics] stall_days, read by the team view's sums) and prepares
 * every statement on a new connection; -1 (logged) when one fails, e.g.
 * because no adapter is installed. */
int queries_prepare(PGconn *conn, const char *timezone, int stall_days);
/* Writes every statement as the panels prepare or run it (each variant of
 * a scoped one, scope markers resolved), each after a "-- crmx_<n>" line
 * that names it as in pg_prepared_statements: `crmx.fcgi --statements`,
 * for a DBA's EXPLAIN and for the tests. */
void queries_print(FILE *out);

/* Runs a prepared statement (for a scoped one, the variant that fits
 * params[0]); returns the result when it has rows (or
 * none), else logs, clears and returns NULL. */
PGresult *query_run(PGconn *conn, enum query q, int nparams, const char *const *params);

/* The most parameters a caller passes (the latest run's id, which
 * query_run adds, included). */
#define QUERY_MAX_PARAMS 16

/* The SQLSTATE of the last statement that failed ("" when the
 * connection itself failed); each worker is one thread. */
const char *query_failed_state(void);
/* Forgets it and the latest run's id (at the start of each request, and
 * before it is read again on the primary). */
void query_begin_request(void);
/* The latest run's id (NULL: none yet) as read on conn, for the rest of
 * the request: Q_PANEL_AGG's, so that the sums' state and the rows read
 * after it are of one run. */
void query_note_run(PGconn *conn, const char *run_id);
/* Keeps the SQLSTATE of a failed result (NULL: none) for the answer. */
void query_note_failure(const PGresult *res);

/* One statement of a round trip: q with its nparams parameters. */
struct query_call {
	enum query		 q;
	int			 nparams;
	const char *const	*params;
};
#define QUERY_MAX_CALLS 8

/* Runs n (at most QUERY_MAX_CALLS) prepared statements, each with its own
 * parameters, in one round trip (libpq pipeline mode; one after the other
 * when one of them is planned for its values, a pipeline of its own);
 * out[i] receives each result.  Returns 0, or
 * -1 (logged) with every out[i] NULL when any of them failed. */
int query_run_calls(PGconn *conn, const struct query_call *calls, int n, PGresult **out);

#endif
