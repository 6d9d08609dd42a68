/* One consistent read of crmx_src (a REPEATABLE READ, read-only
 * transaction) into compact arrays: everything a metric run needs, read
 * once with COPY.  Ids are mapped to dense indexes so that the metrics work
 * on arrays, not hash lookups. */
#ifndef CRMX_SNAPSHOT_H
#define CRMX_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

enum outcome { OUTCOME_OPEN, OUTCOME_WON, OUTCOME_LOST };

#define NO_INDEX UINT32_MAX

struct snap_account {
	int64_t		 id;
	uint32_t	 owner;		/* owner index, NO_INDEX when none */
	uint32_t	 region, city;	/* indexes into places ("" when NULL) */
	bool		 has_dm;	/* a contact with the decision-maker role */
	int8_t		 need, pay, authority;	/* qualification: -1 unrecorded, 0, 1 */
	bool		 qualified;	/* a qualification record exists */
	double		 qual_at;	/* when it was last set (epoch s), NAN if unknown */
	double		 reached_at;	/* the key person first marked reached, NAN if not */
};

struct snap_revenue {
	uint32_t	 acct;
	int32_t		 day;		/* days since 1970-01-01 */
	int64_t		 amount;	/* minor units of the currency */
	int64_t		 margin;	/* minor units; MONEY_NONE when unknown */
};

#define MONEY_NONE INT64_MIN

struct snap_opp {
	int64_t		 id;
	uint32_t	 acct;
	uint32_t	 owner;		/* NO_INDEX when none */
	uint32_t	 source;	/* index into sources, NO_INDEX when none */
	int8_t		 rank;		/* current/last funnel rank, 0 when unknown */
	int8_t		 max_rank;	/* highest rank reached (history and current) */
	int8_t		 outcome;	/* enum outcome */
	int64_t		 amount;	/* minor units of the currency */
	double		 probability;	/* NAN when unknown */
	bool		 reopened;	/* closed after as_of: open then, weighted
					 * by the stage it was in then */
	double		 created;	/* epoch seconds */
	double		 entered;	/* stage_entered_at, NAN when unknown */
	double		 closed;	/* NAN when open */
	int32_t		 expected_close;	/* day, INT32_MIN when unknown */
	uint32_t	 hist_first, hist_n;	/* its rows in snapshot.hist */
};

struct snap_hist {
	uint32_t	 opp;
	int8_t		 rank;
	double		 entered;
};

struct snap_activity {
	uint32_t	 acct;		/* NO_INDEX when unknown */
	uint32_t	 opp;		/* the deal it was for, NO_INDEX when none */
	uint32_t	 owner;		/* NO_INDEX when none */
	double		 started;
	int32_t		 minutes;
};

/* A deal review (the four questions) and when it was recorded. */
struct snap_review {
	uint32_t	 opp;
	double		 at;
};

struct snapshot {
	int32_t			 as_of;		/* rows after as_of are left out */
	int			 money_digits;	/* amounts are integers of 10^-digits */
	double			 rank_weight[6];	/* open stages' probability by rank, NAN unknown */
	struct snap_account	*acct;
	size_t			 n_acct;
	int64_t			*owner_id;	/* owner index -> user id */
	size_t			 n_owner;
	char			**sources;	/* source index -> text */
	size_t			 n_source;
	char			**places;	/* the accounts' regions and cities */
	size_t			 n_place;
	struct snap_revenue	*rev;		/* grouped by account, by day within */
	size_t			 n_rev;
	uint32_t		*rev_first;	/* per account: first row in rev, n_acct+1 */
	struct snap_opp		*opp;
	size_t			 n_opp;
	struct snap_hist	*hist;		/* grouped by opportunity, by time */
	size_t			 n_hist;
	struct snap_activity	*act;
	size_t			 n_act;
	struct snap_review	*review;	/* in the order read */
	size_t			 n_review;
	/* rows read per view, and rows left out (after as_of, or naming an
	 * unknown account), for crmx.run.row_counts */
	long			 rows_read[10];
	long			 rows_skipped;
};

enum snap_view { SV_USERS, SV_ACCOUNTS, SV_CONTACTS, SV_OPPS, SV_HIST, SV_REVENUE,
                 SV_ACTIVITIES, SV_QUALIFICATION, SV_REVIEWS, SV_REACHED };
extern const char *const snapshot_view_names[10];

/* Reads the snapshot, amounts as integers with money_digits decimals (the
 * currency's minor unit: money.h), on two connections from second_from
 * accounts up ([reportd] second_read_accounts).  Returns 0, or -1 with a
 * one-line reason in err (the connection may be broken: the caller
 * checks).  snapshot_free() releases everything, also after a failure. */
int  snapshot_read(PGconn *conn, int32_t as_of, int money_digits, size_t second_from,
                   struct snapshot *s, char *err, size_t errlen);
void snapshot_free(struct snapshot *s);
/* s->rev (n_rev rows of n_acct accounts) grouped by account in place,
 * each account's rows ordered by day, amount and margin, and
 * s->rev_first set (n_acct + 1 offsets; it must be NULL).  What a read
 * does once its rows are in. */
void snapshot_group_revenue(struct snapshot *s);
/* Releases the revenue rows (rev, rev_first; n_rev stays, a count for the
 * run's log and row counts) once every figure that reads them is made. */
void snapshot_drop_revenue(struct snapshot *s);
/* Releases the activities (act; n_act stays) once the deal state holds
 * their times by deal (dealstate_init) and every figure that reads them
 * is made. */
void snapshot_drop_activities(struct snapshot *s);

/* The i-th COPY statement a snapshot reads with (in order), NULL past the
 * last: `crmx-reportd --snapshot-sql` prints them for DBAs and benchmarks. */
const char *snapshot_copy_sql(size_t i);

/* The account index of an id, or NO_INDEX. */
uint32_t snapshot_account_index(const struct snapshot *s, int64_t id);

#endif
