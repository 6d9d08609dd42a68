/* One view of the snapshot (see snapint.h): its COPY ... TO STDOUT read
 * row by row, each row's fields parsed (snapfield.c) into the snapshot's
 * arrays, ids mapped to indexes; rows after as_of are left out here. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "snapint.h"
#include "util.h"

#define MAX_FIELDS 16

/* ---- field parsing (COPY text format; NULL is "\N") ---- */

static int
is_null(const char *f)
{
	return f == NULL;
}

/* Room for element n of an array of capacity *cap (doubling, `first` to
 * begin with): the array, moved as needed. */
static void *
grow(void *p, size_t *cap, size_t n, size_t size, size_t first)
{
	if (n < *cap)
		return p;
	*cap = *cap ? 2 * *cap : first;
	return xrealloc(p, *cap * size);
}

/* A row's time: 0 with *t when there is one before the end of as_of,
 * else -1 and the row counts as left out. */
static int
before_end(struct reader *r, const char *f, double *t)
{
	if (is_null(f) || (*t = sf_ts(&r->sf, f)) >= r->end_ts) {
		r->skipped++;
		return -1;
	}
	return 0;
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
		s->owner_id = grow(s->owner_id, &r->cap_owner, s->n_owner, sizeof *s->owner_id, 256);
		s->owner_id[s->n_owner++] = id;
	}
	return i;
}

/* The index of text f in the table *tab of *n texts (room for *cap),
 * added when new.  The texts are few (sources, regions, cities): a hash
 * of each keyed into the id map m, the text compared on a hit to rule
 * out collisions. */
static uint32_t
text_index(struct idmap *m, char ***tab, size_t *n, size_t *cap, const char *f)
{
	uint64_t h = 1469598103934665603ULL;
	for (const char *p = f; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	for (uint64_t k = h;; k++) {
		uint32_t i = idmap_get(m, (int64_t)k);
		if (i == NO_INDEX) {
			int added;
			*tab = grow(*tab, cap, *n, sizeof **tab, 16);
			(*tab)[*n] = xstrdup(f);
			return idmap_put(m, (int64_t)k, (uint32_t)(*n)++, &added);
		}
		if (strcmp((*tab)[i], f) == 0)
			return i;
	}
}

static uint32_t
source_index(struct reader *r, char *f)
{
	if (is_null(f) || *f == '\0')
		return NO_INDEX;
	sf_unescape(f);
	return text_index(&r->sources, &r->s->sources, &r->s->n_source, &r->cap_src, f);
}

/* An account's region or city: NULL is "", as the panels group them. */
static uint32_t
place_index(struct reader *r, char *f)
{
	if (is_null(f))
		return text_index(&r->places, &r->s->places, &r->s->n_place, &r->cap_place, "");
	sf_unescape(f);
	return text_index(&r->places, &r->s->places, &r->s->n_place, &r->cap_place, f);
}

/* ---- the COPY loop ---- */

static int
copy_view(PGconn *conn, struct reader *r, enum snap_view view, const char *sql, int want,
          snap_row_fn fn)
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
	a->region = place_index(r, f[2]);
	a->city = place_index(r, f[3]);
	a->need = a->pay = a->authority = -1;
	a->qual_at = a->reached_at = NAN;
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
	ac->qual_at = is_null(f[4]) ? NAN : sf_ts(&r->sf, f[4]);
}

/* When each account's key person was first marked reached (the date
 * given, else when the mark was set): unknown before then. */
static void
row_reached(struct reader *r, char **f, int nf)
{
	(void)nf;
	uint32_t a = acct_of(r, f[0]);
	if (a == NO_INDEX || is_null(f[1]))
		return;
	r->s->acct[a].reached_at = sf_ts(&r->sf, f[1]);
}

static uint32_t
opp_of(struct reader *r, const char *f)
{
	return is_null(f) ? NO_INDEX : idmap_get(&r->opps, sf_int(&r->sf, f));
}

static void
row_review(struct reader *r, char **f, int nf)
{
	(void)nf;
	struct snapshot *s = r->s;
	uint32_t o = opp_of(r, f[0]);
	double t;
	if (o == NO_INDEX) {
		r->skipped++;
		return;
	}
	if (before_end(r, f[1], &t) != 0)
		return;
	s->review = grow(s->review, &r->cap_review, s->n_review, sizeof *s->review, 4096);
	s->review[s->n_review].opp = o;
	s->review[s->n_review++].at = t;
}

static void
row_opp(struct reader *r, char **f, int nf)
{
	(void)nf;
	struct snapshot *s = r->s;
	uint32_t a = acct_of(r, f[1]);
	double created;
	if (a == NO_INDEX || is_null(f[0])) {
		r->skipped++;
		return;
	}
	if (before_end(r, f[7], &created) != 0)
		return;	/* not yet created at as_of */
	s->opp = grow(s->opp, &r->cap_opp, s->n_opp, sizeof *s->opp, 4096);
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
	o->amount = is_null(f[5]) ? 0 : sf_money(&r->sf, f[5], s->money_digits);
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
		o->reopened = true;
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
	double t;
	if (o == NO_INDEX || is_null(f[1])) {
		r->skipped++;
		return;
	}
	if (before_end(r, f[2], &t) != 0)
		return;
	s->hist = grow(s->hist, &r->cap_hist, s->n_hist, sizeof *s->hist, 8192);
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
	s->rev = grow(s->rev, &r->cap_rev, s->n_rev, sizeof *s->rev, 65536);
	struct snap_revenue *v = &s->rev[s->n_rev++];
	v->acct = a;
	v->day = day;
	v->amount = sf_money(&r->sf, f[2], s->money_digits);
	v->margin = is_null(f[3]) ? MONEY_NONE : sf_money(&r->sf, f[3], s->money_digits);
}

static void
row_act(struct reader *r, char **f, int nf)
{
	(void)nf;
	struct snapshot *s = r->s;
	double t;
	if (before_end(r, f[2], &t) != 0)
		return;
	s->act = grow(s->act, &r->cap_act, s->n_act, sizeof *s->act, 8192);
	struct snap_activity *a = &s->act[s->n_act++];
	a->acct = acct_of(r, f[0]);
	a->owner = owner_index(r, f[1]);
	a->started = t;
	a->minutes = is_null(f[3]) ? 0 : (int32_t)sf_int(&r->sf, f[3]);
	a->opp = opp_of(r, f[4]);
}

/* What a snapshot reads, in order, and the row parser of each. */
const struct snap_read snap_reads[] = {
	{ SV_USERS, "COPY (SELECT user_id FROM crmx_src.users) TO STDOUT", 1, row_user },
	{ SV_ACCOUNTS, "COPY (SELECT account_id, owner_id, region, city FROM crmx_src.accounts)"
	  " TO STDOUT", 4, row_account },
	/* each decision maker's account, repeats and all (row_dm sets a
	 * flag): asked for DISTINCT, PostgreSQL hashed the accounts from an
	 * estimate of 52,000 and, at 5 million accounts with 3.6 million
	 * decision makers, spent over 12 minutes of CPU iterating its
	 * spilled hash tables (16 s sorted) */
	{ SV_CONTACTS, "COPY (SELECT account_id FROM crmx_src.contacts"
	  " WHERE purchase_role = 'decision_maker') TO STDOUT", 1, row_dm },
	{ SV_QUALIFICATION, "COPY (SELECT account_id, has_need, can_pay, has_authority,"
	  " updated_at FROM crmx.qualification) TO STDOUT", 5, row_qual },
	{ SV_REACHED, "COPY (SELECT c.account_id,"
	  " min(coalesce(r.reached_on::timestamptz, r.updated_at))"
	  " FROM crmx.contact_role r JOIN crmx_src.contacts c USING (contact_id)"
	  " WHERE r.reached GROUP BY c.account_id) TO STDOUT", 2, row_reached },
	{ SV_OPPS, "COPY (SELECT opportunity_id, account_id, owner_id, source, stage_rank,"
	  " amount, probability, created_at, stage_entered_at, expected_close, closed_at,"
	  " outcome FROM crmx_src.opportunities) TO STDOUT", 12, row_opp },
	{ SV_HIST, "COPY (SELECT opportunity_id, stage_rank, entered_at"
	  " FROM crmx_src.stage_history) TO STDOUT", 3, row_hist },
	{ SV_REVENUE, "COPY (SELECT account_id, booked_at, amount, margin"
	  " FROM crmx_src.revenue) TO STDOUT", 4, row_rev },
	{ SV_ACTIVITIES, "COPY (SELECT account_id, owner_id, started_at, minutes,"
	  " opportunity_id FROM crmx_src.activities) TO STDOUT", 5, row_act },
	{ SV_REVIEWS, "COPY (SELECT opportunity_id, created_at"
	  " FROM crmx.deal_review) TO STDOUT", 2, row_review },
};

const size_t snap_nreads = sizeof snap_reads / sizeof snap_reads[0];

const char *
snapshot_copy_sql(size_t i)
{
	return i < snap_nreads ? snap_reads[i].sql : NULL;
}

int
snap_copy(PGconn *conn, struct reader *r, size_t i)
{
	return copy_view(conn, r, snap_reads[i].view, snap_reads[i].sql, snap_reads[i].ncols,
	                 snap_reads[i].row);
}
