/* The regions view's sums of a run, made here from the snapshot and the
 * accounts' results rather than by the server joining the accounts, their
 * metrics and their qualification (0051's crmx.store_sums_beside: at a
 * million accounts 5-6 s of a server process while the run computed):
 *
 *   crmx.precise_account  every precise customer (need, ability to pay
 *                         and decision authority all recorded true) and
 *                         its owner;
 *   crmx.region_agg       per owner (none: its own group), region and
 *                         city, and per region and city over everyone
 *                         (whole): accounts, precise ones, class A ones,
 *                         revenue in the window and open deals;
 *   crmx.region_top       each owner's five largest precise customers of
 *                         each region and city by revenue in the window
 *                         (then by account id), named as the accounts are
 *                         when stored.
 *
 * A NULL region or city is "", as the panels group them.  Amounts are the
 * accounts' rows' own (cents of numeric(18,2)), summed as integers.  The
 * rows are copied in the caller's transaction: region_agg and region_top
 * through temporary tables, inserted in the order the panels read them
 * (by owner, then region and city in the database's collation) with the
 * names joined there. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "pgcopy.h"
#include "store.h"
#include "util.h"

#define TOP_PER_CITY 5

/* One row of region_agg: an owner's (whole = 0; owner NO_INDEX for the
 * accounts without one) or everyone's (whole = 1) accounts in a region
 * and city. */
struct group {
	uint32_t	 owner, region, city;
	int		 whole;
	int64_t		 accounts, precise, a_class, revenue, open_deals;
};

/* The groups, found by key through an open-addressing table of indexes
 * into g (slot 0: empty, else index + 1). */
struct groups {
	struct group	*g;
	size_t		 n, cap;
	uint32_t	*slot;
	size_t		 mask;
};

static uint64_t
group_hash(uint32_t owner, uint32_t region, uint32_t city, int whole)
{
	uint64_t h = ((uint64_t)owner << 32 | region) * 0x9E3779B97F4A7C15ULL;
	h ^= ((uint64_t)city << 1 | (uint64_t)whole) * 0xC2B2AE3D27D4EB4FULL;
	return h ^ (h >> 29);
}

static void
groups_rehash(struct groups *t, size_t slots)
{
	free(t->slot);
	t->slot = xcalloc(slots, sizeof *t->slot);
	t->mask = slots - 1;
	for (size_t i = 0; i < t->n; i++) {
		const struct group *g = &t->g[i];
		size_t k = group_hash(g->owner, g->region, g->city, g->whole) & t->mask;
		while (t->slot[k] != 0)
			k = (k + 1) & t->mask;
		t->slot[k] = (uint32_t)i + 1;
	}
}

static struct group *
groups_get(struct groups *t, uint32_t owner, uint32_t region, uint32_t city, int whole)
{
	size_t k = group_hash(owner, region, city, whole) & t->mask;
	for (; t->slot[k] != 0; k = (k + 1) & t->mask) {
		struct group *g = &t->g[t->slot[k] - 1];
		if (g->owner == owner && g->region == region && g->city == city && g->whole == whole)
			return g;
	}
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 1024;
		t->g = xrealloc(t->g, t->cap * sizeof *t->g);
	}
	struct group *g = &t->g[t->n++];
	memset(g, 0, sizeof *g);
	g->owner = owner, g->region = region, g->city = city, g->whole = whole;
	t->slot[k] = (uint32_t)t->n;
	if (2 * t->n > t->mask)		/* at most half full */
		groups_rehash(t, 2 * (t->mask + 1));
	return g;
}

/* A precise customer: need, ability to pay and decision authority all
 * recorded true, the qualification grade A the run gave it
 * (metrics/customers.c). */
static int
precise(const struct acct_result *m)
{
	return m->grade == 'A';
}

static void
group_add(struct group *g, const struct acct_result *m, int64_t revenue)
{
	g->accounts++;
	g->precise += precise(m);
	g->a_class += m->abc == 'A';
	g->revenue += revenue;
	g->open_deals += m->open_deals;
}

/* The order of the precise customers for their five largest: by owner,
 * region and city (as indexes: only grouped), then revenue, largest
 * first, then account id. */
struct by_city {
	const struct snapshot	*s;
	const int64_t		*revenue;
};

static int
cmp_city_revenue(const void *pa, const void *pb, void *arg)
{
	const struct by_city *o = arg;
	uint32_t i = *(const uint32_t *)pa, j = *(const uint32_t *)pb;
	const struct snap_account *a = &o->s->acct[i], *b = &o->s->acct[j];
	if (a->owner != b->owner)
		return a->owner < b->owner ? -1 : 1;
	if (a->region != b->region)
		return a->region < b->region ? -1 : 1;
	if (a->city != b->city)
		return a->city < b->city ? -1 : 1;
	if (o->revenue[i] != o->revenue[j])
		return o->revenue[i] > o->revenue[j] ? -1 : 1;
	return (a->id > b->id) - (a->id < b->id);
}

static void
owner_or_null(struct pgcopy *c, const struct snapshot *s, uint32_t owner)
{
	if (owner == NO_INDEX)
		pgcopy_bnull(c);
	else
		pgcopy_bint8(c, s->owner_id[owner]);
}

static int
copy_precise(PGconn *conn, int64_t run, const struct snapshot *s, const struct results *r)
{
	struct pgcopy c;
	if (pgcopy_begin_binary(&c, conn, "COPY crmx.precise_account (run_id, account_id,"
	    " owner_id) FROM STDIN (FORMAT binary)") != 0)
		return -1;
	for (size_t i = 0; i < s->n_acct; i++) {
		const struct snap_account *a = &s->acct[i];
		if (!precise(&r->acct[i]))
			continue;
		pgcopy_brow(&c, 3);
		pgcopy_bint8(&c, run);
		pgcopy_bint8(&c, a->id);
		owner_or_null(&c, s, a->owner);
	}
	return pgcopy_finish(&c, "storing the precise customers");
}

static int
copy_groups(PGconn *conn, const struct snapshot *s, const struct groups *t)
{
	struct pgcopy c;
	if (db_command(conn, "CREATE TEMPORARY TABLE region_agg_in (whole int, owner_id bigint,"
	    " region text, city text, accounts bigint, precise bigint, a_class bigint,"
	    " revenue numeric, open_deals bigint) ON COMMIT DROP") != 0 ||
	    pgcopy_begin_binary(&c, conn, "COPY pg_temp.region_agg_in FROM STDIN (FORMAT binary)") != 0)
		return -1;
	for (size_t i = 0; i < t->n; i++) {
		const struct group *g = &t->g[i];
		pgcopy_brow(&c, 9);
		pgcopy_bint4(&c, g->whole);
		owner_or_null(&c, s, g->whole ? NO_INDEX : g->owner);
		pgcopy_btext(&c, s->places[g->region]);
		pgcopy_btext(&c, s->places[g->city]);
		pgcopy_bint8(&c, g->accounts);
		pgcopy_bint8(&c, g->precise);
		pgcopy_bint8(&c, g->a_class);
		pgcopy_bnumeric_cents(&c, g->revenue);
		pgcopy_bint8(&c, g->open_deals);
	}
	return pgcopy_finish(&c, "storing the regions' sums");
}

static int
copy_top(PGconn *conn, const struct snapshot *s, const uint32_t *order, size_t n,
         const int64_t *revenue)
{
	struct pgcopy c;
	if (db_command(conn, "CREATE TEMPORARY TABLE region_top_in (owner_id bigint, region text,"
	    " city text, account_id bigint, revenue numeric) ON COMMIT DROP") != 0 ||
	    pgcopy_begin_binary(&c, conn, "COPY pg_temp.region_top_in FROM STDIN (FORMAT binary)") != 0)
		return -1;
	for (size_t k = 0, in_city = 0; k < n; k++) {
		const struct snap_account *a = &s->acct[order[k]];
		const struct snap_account *p = k > 0 ? &s->acct[order[k - 1]] : NULL;
		if (p == NULL || p->owner != a->owner || p->region != a->region || p->city != a->city)
			in_city = 0;
		if (in_city++ >= TOP_PER_CITY)
			continue;
		pgcopy_brow(&c, 5);
		owner_or_null(&c, s, a->owner);
		pgcopy_btext(&c, s->places[a->region]);
		pgcopy_btext(&c, s->places[a->city]);
		pgcopy_bint8(&c, a->id);
		pgcopy_bnumeric_cents(&c, revenue[order[k]]);
	}
	return pgcopy_finish(&c, "storing the largest precise customers");
}

/* The temporary tables' rows into the run's, in the panels' order (0052:
 * an owner's rows together, the sums over everyone last). */
static const char insert_sums[] =
    "INSERT INTO crmx.region_agg SELECT $1, whole = 1, owner_id, region, city, accounts, precise,"
    " a_class, revenue, open_deals FROM pg_temp.region_agg_in"
    " ORDER BY whole, owner_id, region, city";
/* Each name looked up by its account (joined, the unanalyzed table's
 * estimate had the server hash a million accounts: 0.36 s, 0.07 so). */
static const char insert_top[] =
    "INSERT INTO crmx.region_top SELECT $1, t.owner_id, t.region, t.city, t.account_id,"
    " (SELECT a.name FROM crmx_src.accounts a WHERE a.account_id = t.account_id), t.revenue"
    " FROM pg_temp.region_top_in t"
    " ORDER BY t.owner_id, t.region, t.city, t.revenue DESC, t.account_id";

int
store_regions(PGconn *conn, int64_t run, const struct snapshot *s, const struct results *r)
{
	struct groups t = { .g = NULL };
	int64_t *revenue = xcalloc(s->n_acct ? s->n_acct : 1, sizeof *revenue);
	uint32_t *order = xcalloc(s->n_acct ? s->n_acct : 1, sizeof *order);
	size_t n_precise = 0;
	int rc = -1;
	groups_rehash(&t, 4096);
	for (size_t i = 0; i < s->n_acct; i++) {
		const struct snap_account *a = &s->acct[i];
		const struct acct_result *m = &r->acct[i];
		revenue[i] = store_cents(m->revenue_window, r->money_digits);
		group_add(groups_get(&t, a->owner, a->region, a->city, 0), m, revenue[i]);
		group_add(groups_get(&t, NO_INDEX, a->region, a->city, 1), m, revenue[i]);
		if (precise(m))
			order[n_precise++] = (uint32_t)i;
	}
	struct by_city by = { s, revenue };
	qsort_r(order, n_precise, sizeof *order, cmp_city_revenue, &by);
	char id[24];
	snprintf(id, sizeof id, "%lld", (long long)run);
	const char *params[1] = { id };
	PGresult *res = NULL;
	if (copy_precise(conn, run, s, r) != 0 || copy_groups(conn, s, &t) != 0 ||
	    copy_top(conn, s, order, n_precise, revenue) != 0)
		goto out;
	res = PQexecParams(conn, insert_sums, 1, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		goto out;
	PQclear(res);
	res = PQexecParams(conn, insert_top, 1, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		goto out;
	rc = 0;
out:
	PQclear(res);
	free(t.g);
	free(t.slot);
	free(revenue);
	free(order);
	return rc;
}
