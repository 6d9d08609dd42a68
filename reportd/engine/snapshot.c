/* Reads crmx_src once, in one REPEATABLE READ read-only transaction, with
 * COPY ... TO STDOUT (the cheapest way to move many rows out of
 * PostgreSQL), into the arrays of snapshot.h.
 *
 * COPY takes no $n parameters, so the statements (snaprows.c) are
 * constant and the as_of cut (rows after as_of are left out) is applied
 * in C.  A deal closed after as_of counts as open at as_of, weighted by
 * the stage weight of its rank then; history after as_of is ignored, so a
 * past as_of sees the funnel as it then stood.
 * Here: the read as a whole (the order of the views, the thread that
 * reads the revenue and the key persons reached beside the rest on a
 * second connection and groups the revenue) and the grouping after it;
 * one view's rows are snaprows.c, the field parsers snapfield.c, the
 * transactions and the second connection snapconn.c. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "idmap.h"
#include "log.h"
#include "snapconn.h"
#include "snapint.h"
#include "util.h"

const char *const snapshot_view_names[10] = {
	"users", "accounts", "contacts", "opportunities", "stage_history",
	"revenue", "activities", "qualification", "deal_review", "key_person_reached",
};

/* ---- grouping ---- */

/* Rows of one account by day, then amount and margin: a total order on
 * what a row holds, so that the grouping's order of the input (below,
 * not stable) cannot show in any result. */
static int
cmp_rev_day(const void *a, const void *b)
{
	const struct snap_revenue *x = a, *y = b;
	if (x->day != y->day)
		return (x->day > y->day) - (x->day < y->day);
	if (x->amount != y->amount)
		return (x->amount > y->amount) - (x->amount < y->amount);
	return (x->margin > y->margin) - (x->margin < y->margin);
}

/* Rows rev[start[0], start[nk]) moved in place into nk groups, group k
 * (of the rows whose (acct - base) >> shift is k) to begin at start[k]: a
 * counting sort whose rows are swapped into their groups, O(n), NEXT
 * room for nk slots. */
static void
group_rows(struct snap_revenue *rev, const uint32_t *start, uint32_t nk, uint32_t base,
           int shift, uint32_t *next)
{
	memcpy(next, start, nk * sizeof *next);
	for (uint32_t k = 0; k < nk; k++)
		while (next[k] < start[k + 1]) {
			/* carry the row in k's next slot to its own group,
			 * taking up the row there, until one of k's comes */
			struct snap_revenue v = rev[next[k]];
			uint32_t kv;
			while ((kv = (v.acct - base) >> shift) != k) {
				struct snap_revenue t = rev[next[kv]];
				rev[next[kv]++] = v;
				v = t;
			}
			rev[next[k]++] = v;
		}
}

/* Revenue grouped by account in place (a second array of the rows, 240 MB
 * at 10 million, was the run's peak memory), then by cmp_rev_day.  In
 * two passes: into blocks of 2^shift accounts, then each block (a few
 * thousand rows, in the cache) by account.  In one pass the rows went to
 * a million places at random, each move waiting on the memory: 1.3 s of
 * the read at 10 million rows. */
void
snapshot_group_revenue(struct snapshot *s)
{
	s->rev_first = xcalloc(s->n_acct + 1, sizeof *s->rev_first);
	for (size_t i = 0; i < s->n_rev; i++)
		s->rev_first[s->rev[i].acct + 1]++;
	for (size_t a = 0; a < s->n_acct; a++)
		s->rev_first[a + 1] += s->rev_first[a];
	int shift = 0;
	while ((s->n_acct >> shift) >= 2048)
		shift++;
	uint32_t nb = (uint32_t)((s->n_acct + ((size_t)1 << shift) - 1) >> shift);
	uint32_t *start = xmalloc(((size_t)nb + 1) * sizeof *start);
	uint32_t *next = xmalloc(((size_t)nb + ((size_t)1 << shift)) * sizeof *next);
	for (uint32_t b = 0; b <= nb; b++)
		start[b] = s->rev_first[(size_t)b << shift < s->n_acct ? (size_t)b << shift : s->n_acct];
	group_rows(s->rev, start, nb, 0, shift, next);
	for (uint32_t b = 0; shift > 0 && b < nb; b++) {
		uint32_t a0 = b << shift;
		uint32_t a1 = (size_t)a0 + ((size_t)1 << shift) < s->n_acct ?
		    a0 + (1u << shift) : (uint32_t)s->n_acct;
		group_rows(s->rev, s->rev_first + a0, a1 - a0, a0, 0, next);
	}
	free(start);
	free(next);
	for (size_t a = 0; a < s->n_acct; a++) {
		struct snap_revenue *g = s->rev + s->rev_first[a];
		size_t n = s->rev_first[a + 1] - s->rev_first[a];
		if (n < 2)
			continue;
		int sorted_already = 1;
		for (size_t i = 1; i < n && sorted_already; i++)
			sorted_already = cmp_rev_day(&g[i - 1], &g[i]) <= 0;
		if (!sorted_already)
			qsort(g, n, sizeof *g, cmp_rev_day);
	}
}

static int
cmp_hist(const void *a, const void *b)
{
	const struct snap_hist *x = a, *y = b;
	if (x->opp != y->opp)
		return (x->opp > y->opp) - (x->opp < y->opp);
	if (x->entered != y->entered)
		return (x->entered > y->entered) - (x->entered < y->entered);
	return (x->rank > y->rank) - (x->rank < y->rank);
}

/* History grouped by deal and time; each deal's highest rank reached and,
 * for deals open at as_of, its rank then. */
static void
group_history(struct snapshot *s)
{
	int sorted = 1;	/* history usually arrives in key order */
	for (size_t i = 1; i < s->n_hist && sorted; i++)
		sorted = cmp_hist(&s->hist[i - 1], &s->hist[i]) <= 0;
	if (!sorted)
		qsort(s->hist, s->n_hist, sizeof *s->hist, cmp_hist);
	for (size_t i = 0; i < s->n_hist; i++) {
		struct snap_opp *o = &s->opp[s->hist[i].opp];
		if (o->hist_n == 0)
			o->hist_first = (uint32_t)i;
		o->hist_n++;
		if (s->hist[i].rank > o->max_rank)
			o->max_rank = s->hist[i].rank;
	}
	for (size_t i = 0; i < s->n_opp; i++) {
		struct snap_opp *o = &s->opp[i];
		if (o->rank == 0 && o->hist_n > 0) {
			const struct snap_hist *last = &s->hist[o->hist_first + o->hist_n - 1];
			o->rank = last->rank;
			if (isnan(o->entered) || o->entered >= last->entered)
				o->entered = last->entered;
		}
		/* Its probability today is how it ended (100% or 0%), which
		 * was not known at as_of. */
		if (o->reopened)
			o->probability = o->rank >= 1 && o->rank <= 5 ? s->rank_weight[o->rank] : NAN;
	}
}

/* Each open rank's stage weight (the highest when a CRM has several
 * stages on one rank), for the deals that closed after as_of. */
static int
read_rank_weights(PGconn *conn, struct snapshot *s, char *err, size_t errlen)
{
	for (size_t k = 0; k < sizeof s->rank_weight / sizeof s->rank_weight[0]; k++)
		s->rank_weight[k] = NAN;
	PGresult *res = PQexec(conn, "SELECT stage_rank, max(probability) FROM crmx_src.stages"
	                       " WHERE NOT is_won AND NOT is_lost AND stage_rank BETWEEN 1 AND 5"
	                       "   AND probability IS NOT NULL GROUP BY stage_rank");
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		snprintf(err, errlen, "reading crmx_src.stages: %s", db_errmsg(conn));
		PQclear(res);
		return -1;
	}
	for (int i = 0; i < PQntuples(res); i++)
		s->rank_weight[atoi(PQgetvalue(res, i, 0))] = atof(PQgetvalue(res, i, 1));
	PQclear(res);
	return 0;
}

/* The views read on the second connection, in this order, when there is
 * one: those whose rows only look accounts up (the account map is frozen
 * and shared) and write fields no other view writes.  Revenue, the
 * largest, then the key persons reached and the qualification: at a
 * million accounts the first connection's other views take about as long
 * as those three together (with revenue alone there, one connection read
 * 4.5 s alone at the end, a core idle; with the qualification on the
 * first, once revenue was grouped faster, the first read 0.3-0.4 s
 * alone). */
static const enum snap_view side_views[] = { SV_REVENUE, SV_REACHED, SV_QUALIFICATION };
#define N_SIDE (sizeof side_views / sizeof side_views[0])

static int
on_side(enum snap_view v)
{
	for (size_t k = 0; k < N_SIDE; k++)
		if (side_views[k] == v)
			return 1;
	return 0;
}

struct side_read {
	PGconn		*conn;
	struct reader	 r;
	char		 err[512];
	size_t		 views[N_SIDE];	/* indexes into snap_reads[] */
	size_t		 nviews;
	int		 rc;
};

/* The side's views in turn, then the revenue grouped by account while
 * the first connection is still reading. */
static void *
side_read_main(void *arg)
{
	struct side_read *sr = arg;
	sr->rc = 0;
	for (size_t k = 0; k < sr->nviews && sr->rc == 0; k++)
		sr->rc = snap_copy(sr->conn, &sr->r, sr->views[k]);
	if (sr->rc == 0)
		snapshot_group_revenue(sr->r.s);
	return NULL;
}

/* The account count sizes the arrays: one cheap query in the snapshot. */
static int
count_accounts(PGconn *conn, size_t *n, char *err, size_t errlen)
{
	PGresult *res = PQexec(conn, "SELECT count(*) FROM crmx_src.accounts");
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		snprintf(err, errlen, "counting crmx_src.accounts: %s", db_errmsg(conn));
		PQclear(res);
		return -1;
	}
	*n = (size_t)atol(PQgetvalue(res, 0, 0));
	PQclear(res);
	return 0;
}

/* side_views on the second connection's thread, once the account map is
 * frozen: 1 started, 0 not (everything is read on the first). */
static int
start_side(struct side_read *side, const struct reader *r, pthread_t *th)
{
	side->nviews = 0;
	for (size_t k = 0; k < N_SIDE; k++)
		for (size_t w = 0; w < snap_nreads; w++)
			if (snap_reads[w].view == side_views[k])
				side->views[side->nviews++] = w;
	if (side->nviews != N_SIDE)
		return 0;
	side->r = *r;	/* shares the frozen account map, read only */
	side->r.err = side->err;
	side->r.errlen = sizeof side->err;
	if (pthread_create(th, NULL, side_read_main, side) != 0)
		return 0;
	log_info("snapshot: revenue, the key persons reached and the qualification on a second connection");
	return 1;
}

/* Every view in order on conn (side_views on the side thread when it runs):
 * users and accounts first (they give the indexes), opportunities before
 * their history.  0, or -1 with the error in r. */
static int
read_views(PGconn *conn, struct reader *r, size_t n_acct, struct side_read *side,
           pthread_t *th, int *side_started)
{
	for (size_t v = 0; v < snap_nreads; v++) {
		if (*side_started && on_side(snap_reads[v].view))
			continue;	/* being read on the second connection */
		if (snap_copy(conn, r, v))
			return -1;
		if (snap_reads[v].view == SV_ACCOUNTS && r->s->n_acct != n_acct) {
			snprintf(r->err, r->errlen, "crmx_src.accounts changed size within one snapshot");
			return -1;
		}
		/* Later views only look ids up. */
		if (snap_reads[v].view == SV_OPPS)
			idmap_freeze(&r->opps);
		if (snap_reads[v].view != SV_ACCOUNTS)
			continue;
		idmap_freeze(&r->accts);
		if (side->conn != NULL)
			*side_started = start_side(side, r, th);
	}
	return 0;
}

/* Waits for the side thread: its skipped rows into r; 0, or -1 with its
 * error in err. */
static int
join_side(pthread_t th, struct side_read *side, struct reader *r, char *err, size_t errlen)
{
	pthread_join(th, NULL);
	r->skipped += side->r.skipped;
	if (side->rc == 0)
		return 0;
	snprintf(err, errlen, "%s", side->err);
	return -1;
}

int
snapshot_read(PGconn *conn, int32_t as_of, int money_digits, size_t second_from,
              struct snapshot *s, char *err, size_t errlen)
{
	struct reader r = { .s = s, .err = err, .errlen = errlen };
	struct side_read side = { .conn = NULL };
	pthread_t th;
	size_t n_acct;
	int rc = -1, side_started = 0;
	memset(s, 0, sizeof *s);
	if (errlen > 0)
		err[0] = '\0';
	s->as_of = as_of;
	s->money_digits = money_digits;
	r.end_ts = ((double)as_of + 1.0) * 86400.0;
	idmap_init(&r.owners, 1024);
	idmap_init(&r.opps, 1024);
	idmap_init(&r.sources, 64);
	idmap_init(&r.places, 1024);
	r.accts.keys = NULL;

	if (snapshot_begin(conn, NULL) != 0) {
		snprintf(err, errlen, "starting the snapshot: %s", db_errmsg(conn));
		goto out;
	}
	if (count_accounts(conn, &n_acct, err, errlen) != 0 ||
	    read_rank_weights(conn, s, err, errlen) != 0)
		goto rollback;
	s->acct = xcalloc(n_acct + 1, sizeof *s->acct);
	r.cap_acct = n_acct;
	idmap_init(&r.accts, n_acct);
	/* Large data sets ([reportd] second_read_accounts): a second
	 * connection and thread. */
	if (n_acct >= second_from)
		side.conn = snapshot_second_conn(conn);
	if (read_views(conn, &r, n_acct, &side, &th, &side_started) != 0)
		goto rollback;
	if (side_started) {
		side_started = 0;
		if (join_side(th, &side, &r, err, errlen) != 0)
			goto rollback;
	}
	if (db_command(conn, "COMMIT") != 0) {
		snprintf(err, errlen, "ending the snapshot: %s", db_errmsg(conn));
		goto out;
	}
	s->rows_skipped = r.skipped;
	if (s->rev_first == NULL)	/* not grouped by the side thread */
		snapshot_group_revenue(s);
	group_history(s);
	rc = 0;
	goto out;
rollback:
	if (side_started)
		pthread_join(th, NULL);
	if (PQstatus(conn) == CONNECTION_OK)
		db_command(conn, "ROLLBACK");
out:
	PQfinish(side.conn);	/* ends its transaction too */
	idmap_free(&r.accts);
	idmap_free(&r.owners);
	idmap_free(&r.opps);
	idmap_free(&r.sources);
	idmap_free(&r.places);
	return rc;
}

uint32_t
snapshot_account_index(const struct snapshot *s, int64_t id)
{
	/* Accounts are few enough per lookup site (tests, reports) for a
	 * linear scan; the engine itself works on indexes. */
	for (size_t i = 0; i < s->n_acct; i++)
		if (s->acct[i].id == id)
			return (uint32_t)i;
	return NO_INDEX;
}

void
snapshot_drop_revenue(struct snapshot *s)
{
	free(s->rev);
	free(s->rev_first);
	s->rev = NULL;
	s->rev_first = NULL;
}

void
snapshot_drop_activities(struct snapshot *s)
{
	free(s->act);
	s->act = NULL;
}

void
snapshot_free(struct snapshot *s)
{
	free(s->acct);
	free(s->owner_id);
	for (size_t i = 0; i < s->n_source; i++)
		free(s->sources[i]);
	free(s->sources);
	for (size_t i = 0; i < s->n_place; i++)
		free(s->places[i]);
	free(s->places);
	free(s->rev);
	free(s->rev_first);
	free(s->opp);
	free(s->hist);
	free(s->act);
	free(s->review);
	memset(s, 0, sizeof *s);
}
