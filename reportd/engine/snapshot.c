/* Reads crmx_src once, in one REPEATABLE READ read-only transaction, with
 * COPY ... TO STDOUT (the cheapest way to move many rows out of
 * PostgreSQL), into the arrays of snapshot.h.
 *
 * COPY takes no $n parameters, so the statements below are constant and
 * the as_of cut (rows after as_of are left out) is applied here, in C.
 * A deal closed after as_of counts as open at as_of; history after as_of
 * is ignored, so a past as_of sees the funnel as it then stood.
 * Here: the views, their rows, grouping, and the thread that reads the
 * revenue view beside the rest; the field parsers are snapfield.c, the
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
#include "snapfield.h"
#include "snapshot.h"
#include "util.h"

const char *const snapshot_view_names[8] = {
	"users", "accounts", "contacts", "opportunities", "stage_history",
	"revenue", "activities", "qualification",
};

#define MAX_FIELDS 16

struct reader {
	struct snapshot	*s;
	struct idmap	 accts, owners, opps, sources;
	double		 end_ts;	/* as_of + 1 day, epoch seconds */
	char		*err;
	size_t		 errlen;
	struct sf_state	 sf;		/* sf.bad: a value could not be parsed */
	const char	*view;
	long		 skipped;	/* rows left out by this reader */
	size_t		 cap_rev, cap_opp, cap_hist, cap_act, cap_src, cap_owner;
	size_t		 cap_acct;	/* accounts counted before the COPY */
};

/* ---- field parsing (COPY text format; NULL is "\N") ---- */

static int
is_null(const char *f)
{
	return f == NULL;
}

/* ---- index maps ---- */

static uint32_t
owner_index(struct reader *r, const char *f)
{
	if (is_null(f))
		return NO_INDEX;
	struct snapshot *s = r->s;
	int added;
	int64_t id = sf_int(&r->sf, f);
	uint32_t i = idmap_put(&r->owners, id, (uint32_t)s->n_owner, &added);
	if (added) {
		if (s->n_owner == r->cap_owner) {
			r->cap_owner = r->cap_owner ? 2 * r->cap_owner : 256;
			s->owner_id = xrealloc(s->owner_id, r->cap_owner * sizeof *s->owner_id);
		}
		s->owner_id[s->n_owner++] = id;
	}
	return i;
}

static uint32_t
source_index(struct reader *r, char *f)
{
	if (is_null(f) || *f == '\0')
		return NO_INDEX;
	sf_unescape(f);
	/* Sources are few: a hash of the text keyed into the id map, with the
	 * text compared on a hit to rule out collisions. */
	struct snapshot *s = r->s;
	uint64_t h = 1469598103934665603ULL;
	for (const char *p = f; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	for (uint64_t k = h;; k++) {
		uint32_t i = idmap_get(&r->sources, (int64_t)k);
		if (i == NO_INDEX) {
			int added;
			if (s->n_source == r->cap_src) {
				r->cap_src = r->cap_src ? 2 * r->cap_src : 16;
				s->sources = xrealloc(s->sources, r->cap_src * sizeof *s->sources);
			}
			s->sources[s->n_source] = xstrdup(f);
			return idmap_put(&r->sources, (int64_t)k, (uint32_t)s->n_source++, &added);
		}
		if (strcmp(s->sources[i], f) == 0)
			return i;
	}
}

/* ---- the COPY loop ---- */

typedef void (*row_fn)(struct reader *r, char **f, int nf);

static int
copy_view(PGconn *conn, struct reader *r, enum snap_view view, const char *sql, int want,
          row_fn fn)
{
	PGresult *res = PQexec(conn, sql);
	if (PQresultStatus(res) != PGRES_COPY_OUT) {
		snprintf(r->err, r->errlen, "reading crmx_src.%s: %s", snapshot_view_names[view],
		         db_errmsg(conn));
		PQclear(res);
		return -1;
	}
	PQclear(res);
	r->view = snapshot_view_names[view];
	char *buf, *f[MAX_FIELDS];
	int len, rc = 0;
	while ((len = PQgetCopyData(conn, &buf, 0)) > 0) {
		int nf = 0;
		char *p = buf, *end = buf + len;
		if (len > 0 && end[-1] == '\n')
			*--end = '\0';
		while (nf < MAX_FIELDS) {
			char *tab = memchr(p, '\t', (size_t)(end - p));
			if (tab)
				*tab = '\0';
			f[nf++] = (p[0] == '\\' && p[1] == 'N' && p[2] == '\0') ? NULL : p;
			if (!tab)
				break;
			p = tab + 1;
		}
		if (nf != want) {
			r->sf.bad = 1;
		} else if (rc == 0) {
			fn(r, f, nf);
			r->s->rows_read[view]++;
		}
		PQfreemem(buf);
		if (r->sf.bad && rc == 0) {
			if (r->err[0] == '\0')	/* a row function may have said why */
				snprintf(r->err, r->errlen, "crmx_src.%s: unexpected value in row %ld",
				         snapshot_view_names[view], r->s->rows_read[view] + 1);
			rc = -1;	/* keep draining: the connection stays usable */
		}
	}
	if (len == -2) {
		snprintf(r->err, r->errlen, "reading crmx_src.%s: %s", snapshot_view_names[view],
		         db_errmsg(conn));
		return -1;
	}
	res = PQgetResult(conn);
	if (PQresultStatus(res) != PGRES_COMMAND_OK && rc == 0) {
		snprintf(r->err, r->errlen, "reading crmx_src.%s: %s", snapshot_view_names[view],
		         db_errmsg(conn));
		rc = -1;
	}
	PQclear(res);
	while ((res = PQgetResult(conn)) != NULL)
		PQclear(res);
	return rc;
}

/* ---- one function per view ---- */

static void
row_user(struct reader *r, char **f, int nf)
{
	(void)nf;
	owner_index(r, f[0]);
}

static void
row_account(struct reader *r, char **f, int nf)
{
	(void)nf;
	struct snapshot *s = r->s;
	if (is_null(f[0])) {
		r->sf.bad = 1;
		return;
	}
	int added;
	int64_t id = sf_int(&r->sf, f[0]);
	idmap_put(&r->accts, id, (uint32_t)s->n_acct, &added);
	if (!added) {
		snprintf(r->err, r->errlen, "crmx_src.accounts: account %lld twice", (long long)id);
		r->sf.bad = 1;
		return;
	}
	/* The array is sized by the count: a view that returns more rows
	 * to the COPY (not one snapshot, or a volatile view) fails the run. */
	if (s->n_acct >= r->cap_acct) {
		snprintf(r->err, r->errlen, "crmx_src.accounts returned more rows than the %zu"
		         " counted just before in the same snapshot", r->cap_acct);
		r->sf.bad = 1;
		return;
	}
	struct snap_account *a = &s->acct[s->n_acct++];
	memset(a, 0, sizeof *a);
	a->id = id;
	a->owner = owner_index(r, f[1]);
	a->need = a->pay = a->authority = -1;
}

static uint32_t
acct_of(struct reader *r, const char *f)
{
	if (is_null(f))
		return NO_INDEX;
	return idmap_get(&r->accts, sf_int(&r->sf, f));
}

static void
row_dm(struct reader *r, char **f, int nf)
{
	(void)nf;
	uint32_t a = acct_of(r, f[0]);
	if (a != NO_INDEX)
		r->s->acct[a].has_dm = true;
}

static void
row_qual(struct reader *r, char **f, int nf)
{
	(void)nf;
	uint32_t a = acct_of(r, f[0]);
	if (a == NO_INDEX)
		return;	/* a record for an account the CRM no longer has */
	struct snap_account *ac = &r->s->acct[a];
	ac->qualified = true;
	ac->need = sf_bool(&r->sf, f[1]);
	ac->pay = sf_bool(&r->sf, f[2]);
	ac->authority = sf_bool(&r->sf, f[3]);
}

static void
row_opp(struct reader *r, char **f, int nf)
{
	(void)nf;
	struct snapshot *s = r->s;
	uint32_t a = acct_of(r, f[1]);
	if (a == NO_INDEX || is_null(f[0]) || is_null(f[7])) {
		r->skipped++;
		return;
	}
	double created = sf_ts(&r->sf, f[7]);
	if (created >= r->end_ts) {
		r->skipped++;
		return;	/* not yet created at as_of */
	}
	if (s->n_opp == r->cap_opp) {
		r->cap_opp = r->cap_opp ? 2 * r->cap_opp : 4096;
		s->opp = xrealloc(s->opp, r->cap_opp * sizeof *s->opp);
	}
	struct snap_opp *o = &s->opp[s->n_opp];
	memset(o, 0, sizeof *o);
	o->id = sf_int(&r->sf, f[0]);
	int added;
	idmap_put(&r->opps, o->id, (uint32_t)s->n_opp, &added);
	if (!added) {
		snprintf(r->err, r->errlen, "crmx_src.opportunities: opportunity %lld twice",
		         (long long)o->id);
		r->sf.bad = 1;
		return;
	}
	s->n_opp++;
	o->acct = a;
	o->owner = owner_index(r, f[2]);
	o->source = source_index(r, f[3]);
	o->rank = is_null(f[4]) ? 0 : (int8_t)sf_int(&r->sf, f[4]);
	if (o->rank < 0 || o->rank > 5)
		r->sf.bad = 1;
	o->max_rank = o->rank;
	o->amount = is_null(f[5]) ? 0 : sf_num(&r->sf, f[5]);
	o->probability = is_null(f[6]) ? NAN : sf_num(&r->sf, f[6]);
	o->created = created;
	o->entered = is_null(f[8]) ? NAN : sf_ts(&r->sf, f[8]);
	o->expected_close = is_null(f[9]) ? INT32_MIN : sf_date(&r->sf, f[9]);
	o->closed = is_null(f[10]) ? NAN : sf_ts(&r->sf, f[10]);
	const char *out = f[11] ? f[11] : "";
	o->outcome = strcmp(out, "won") == 0 ? OUTCOME_WON :
	             strcmp(out, "lost") == 0 ? OUTCOME_LOST : OUTCOME_OPEN;
	if (o->outcome != OUTCOME_OPEN && !(o->closed < r->end_ts)) {
		/* closed after as_of (or without a date): open at as_of, its rank
		 * taken from the history below */
		o->outcome = OUTCOME_OPEN;
		o->closed = NAN;
		o->rank = 0;
		o->max_rank = 0;
	}
}

static void
row_hist(struct reader *r, char **f, int nf)
{
	(void)nf;
	struct snapshot *s = r->s;
	uint32_t o = is_null(f[0]) ? NO_INDEX : idmap_get(&r->opps, sf_int(&r->sf, f[0]));
	if (o == NO_INDEX || is_null(f[1]) || is_null(f[2])) {
		r->skipped++;
		return;
	}
	double t = sf_ts(&r->sf, f[2]);
	if (t >= r->end_ts) {
		r->skipped++;
		return;
	}
	if (s->n_hist == r->cap_hist) {
		r->cap_hist = r->cap_hist ? 2 * r->cap_hist : 8192;
		s->hist = xrealloc(s->hist, r->cap_hist * sizeof *s->hist);
	}
	struct snap_hist *h = &s->hist[s->n_hist++];
	h->opp = o;
	h->rank = (int8_t)sf_int(&r->sf, f[1]);
	if (h->rank < 1 || h->rank > 5)
		r->sf.bad = 1;
	h->entered = t;
}

static void
row_rev(struct reader *r, char **f, int nf)
{
	(void)nf;
	struct snapshot *s = r->s;
	uint32_t a = acct_of(r, f[0]);
	if (a == NO_INDEX || is_null(f[1]) || is_null(f[2])) {
		r->skipped++;
		return;
	}
	int32_t day = sf_date(&r->sf, f[1]);
	if (day > s->as_of) {
		r->skipped++;
		return;
	}
	if (s->n_rev == r->cap_rev) {
		r->cap_rev = r->cap_rev ? 2 * r->cap_rev : 65536;
		s->rev = xrealloc(s->rev, r->cap_rev * sizeof *s->rev);
	}
	struct snap_revenue *v = &s->rev[s->n_rev++];
	v->acct = a;
	v->day = day;
	v->amount = sf_num(&r->sf, f[2]);
	v->margin = is_null(f[3]) ? NAN : sf_num(&r->sf, f[3]);
}

static void
row_act(struct reader *r, char **f, int nf)
{
	(void)nf;
	struct snapshot *s = r->s;
	if (is_null(f[2])) {
		r->skipped++;
		return;
	}
	double t = sf_ts(&r->sf, f[2]);
	if (t >= r->end_ts) {
		r->skipped++;
		return;
	}
	if (s->n_act == r->cap_act) {
		r->cap_act = r->cap_act ? 2 * r->cap_act : 8192;
		s->act = xrealloc(s->act, r->cap_act * sizeof *s->act);
	}
	struct snap_activity *a = &s->act[s->n_act++];
	a->acct = acct_of(r, f[0]);
	a->owner = owner_index(r, f[1]);
	a->started = t;
	a->minutes = is_null(f[3]) ? 0 : (int32_t)sf_int(&r->sf, f[3]);
}

/* ---- grouping ---- */

static int
cmp_rev_day(const void *a, const void *b)
{
	const struct snap_revenue *x = a, *y = b;
	return (x->day > y->day) - (x->day < y->day);
}

/* Revenue grouped by account (a counting sort: O(n)), then by day. */
static void
group_revenue(struct snapshot *s)
{
	s->rev_first = xcalloc(s->n_acct + 1, sizeof *s->rev_first);
	for (size_t i = 0; i < s->n_rev; i++)
		s->rev_first[s->rev[i].acct + 1]++;
	for (size_t a = 0; a < s->n_acct; a++)
		s->rev_first[a + 1] += s->rev_first[a];
	struct snap_revenue *sorted = xmalloc((s->n_rev ? s->n_rev : 1) * sizeof *sorted);
	uint32_t *pos = xmalloc((s->n_acct + 1) * sizeof *pos);
	memcpy(pos, s->rev_first, (s->n_acct + 1) * sizeof *pos);
	for (size_t i = 0; i < s->n_rev; i++)
		sorted[pos[s->rev[i].acct]++] = s->rev[i];
	free(pos);
	free(s->rev);
	s->rev = sorted;
	for (size_t a = 0; a < s->n_acct; a++) {
		struct snap_revenue *g = s->rev + s->rev_first[a];
		size_t n = s->rev_first[a + 1] - s->rev_first[a];
		if (n < 2)
			continue;
		int sorted_already = 1;
		for (size_t i = 1; i < n && sorted_already; i++)
			sorted_already = g[i - 1].day <= g[i].day;
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
	}
}

/* What a snapshot reads, in order, and the row parser of each. */
static const struct {
	enum snap_view	 view;
	const char	*sql;
	int		 ncols;
	row_fn		 row;
} reads[] = {
	{ SV_USERS, "COPY (SELECT user_id FROM crmx_src.users) TO STDOUT", 1, row_user },
	{ SV_ACCOUNTS, "COPY (SELECT account_id, owner_id FROM crmx_src.accounts) TO STDOUT",
	  2, row_account },
	{ SV_CONTACTS, "COPY (SELECT DISTINCT account_id FROM crmx_src.contacts"
	  " WHERE purchase_role = 'decision_maker') TO STDOUT", 1, row_dm },
	{ SV_QUALIFICATION, "COPY (SELECT account_id, has_need, can_pay, has_authority"
	  " FROM crmx.qualification) TO STDOUT", 4, row_qual },
	{ SV_OPPS, "COPY (SELECT opportunity_id, account_id, owner_id, source, stage_rank,"
	  " amount, probability, created_at, stage_entered_at, expected_close, closed_at,"
	  " outcome FROM crmx_src.opportunities) TO STDOUT", 12, row_opp },
	{ SV_HIST, "COPY (SELECT opportunity_id, stage_rank, entered_at"
	  " FROM crmx_src.stage_history) TO STDOUT", 3, row_hist },
	{ SV_REVENUE, "COPY (SELECT account_id, booked_at, amount, margin"
	  " FROM crmx_src.revenue) TO STDOUT", 4, row_rev },
	{ SV_ACTIVITIES, "COPY (SELECT account_id, owner_id, started_at, minutes"
	  " FROM crmx_src.activities) TO STDOUT", 4, row_act },
};

const char *
snapshot_copy_sql(size_t i)
{
	return i < sizeof reads / sizeof *reads ? reads[i].sql : NULL;
}

struct side_read {
	PGconn		*conn;
	struct reader	 r;
	char		 err[512];
	size_t		 view;	/* index into reads[] */
	int		 rc;
};

static void *
side_read_main(void *arg)
{
	struct side_read *sr = arg;
	sr->rc = copy_view(sr->conn, &sr->r, reads[sr->view].view, reads[sr->view].sql,
	                   reads[sr->view].ncols, reads[sr->view].row);
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

/* Revenue (the largest view, which only looks accounts up) on the second
 * connection's thread, once the account map is frozen. */
static int
start_side(struct side_read *side, const struct reader *r, pthread_t *th)
{
	for (size_t w = 0; w < sizeof reads / sizeof *reads; w++) {
		if (reads[w].view != SV_REVENUE)
			continue;
		side->r = *r;	/* shares the frozen account map, read only */
		side->r.err = side->err;
		side->r.errlen = sizeof side->err;
		side->view = w;
		return pthread_create(th, NULL, side_read_main, side) == 0;
	}
	return 0;
}

/* Every view in order on conn (revenue on the side thread when it runs):
 * users and accounts first (they give the indexes), opportunities before
 * their history.  0, or -1 with the error in r. */
static int
read_views(PGconn *conn, struct reader *r, size_t n_acct, struct side_read *side,
           pthread_t *th, int *side_started)
{
	for (size_t v = 0; v < sizeof reads / sizeof *reads; v++) {
		if (reads[v].view == SV_REVENUE && *side_started)
			continue;	/* being read on the second connection */
		if (copy_view(conn, r, reads[v].view, reads[v].sql, reads[v].ncols, reads[v].row))
			return -1;
		if (reads[v].view == SV_ACCOUNTS && r->s->n_acct != n_acct) {
			snprintf(r->err, r->errlen, "crmx_src.accounts changed size within one snapshot");
			return -1;
		}
		/* Later views only look ids up. */
		if (reads[v].view == SV_OPPS)
			idmap_freeze(&r->opps);
		if (reads[v].view != SV_ACCOUNTS)
			continue;
		idmap_freeze(&r->accts);
		if (side->conn != NULL)
			*side_started = start_side(side, r, th);
	}
	return 0;
}

int
snapshot_read(PGconn *conn, int32_t as_of, struct snapshot *s, char *err, size_t errlen)
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
	r.end_ts = ((double)as_of + 1.0) * 86400.0;
	idmap_init(&r.owners, 1024);
	idmap_init(&r.opps, 1024);
	idmap_init(&r.sources, 64);
	r.accts.keys = NULL;

	if (snapshot_begin(conn, NULL) != 0) {
		snprintf(err, errlen, "starting the snapshot: %s", db_errmsg(conn));
		goto out;
	}
	if (count_accounts(conn, &n_acct, err, errlen) != 0)
		goto rollback;
	s->acct = xcalloc(n_acct + 1, sizeof *s->acct);
	r.cap_acct = n_acct;
	idmap_init(&r.accts, n_acct);
	/* Large data sets: revenue on a second connection and thread. */
	if (n_acct >= 100000)
		side.conn = snapshot_second_conn(conn);
	if (read_views(conn, &r, n_acct, &side, &th, &side_started) != 0)
		goto rollback;
	if (side_started) {
		pthread_join(th, NULL);
		side_started = 0;
		r.skipped += side.r.skipped;
		if (side.rc != 0) {
			snprintf(err, errlen, "%s", side.err);
			goto rollback;
		}
	}
	if (db_command(conn, "COMMIT") != 0) {
		snprintf(err, errlen, "ending the snapshot: %s", db_errmsg(conn));
		goto out;
	}
	s->rows_skipped = r.skipped;
	group_revenue(s);
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
snapshot_free(struct snapshot *s)
{
	free(s->acct);
	free(s->owner_id);
	for (size_t i = 0; i < s->n_source; i++)
		free(s->sources[i]);
	free(s->sources);
	free(s->rev);
	free(s->rev_first);
	free(s->opp);
	free(s->hist);
	free(s->act);
	memset(s, 0, sizeof *s);
}
