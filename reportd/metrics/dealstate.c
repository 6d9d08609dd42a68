/* A deal's state at a past time (dealstate.h): the dated records grouped
 * by deal and owner once, then each row read off them with binary searches
 * bounded by t. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dealstate.h"
#include "money.h"
#include "util.h"

#define DAY 86400.0
/* Deals closed before t that the owner's rate is shrunk towards the
 * team's, as if this many more deals had closed at the team's rate. */
#define OWNER_PRIOR 10.0

static const char *const names[DS_FIXED] = {
	"layer_2", "layer_3", "layer_4", "layer_5", "days_in_layer", "age", "amount",
	"owner_win_rate", "key_person_reached", "qualified", "qualification_yes",
	"reviewed_in_layer", "days_since_review", "days_since_activity", "activities_30d",
	"layers_skipped", "layers_back",
};

const char *
dealstate_name(size_t j)
{
	return j < DS_FIXED ? names[j] : "source";
}

size_t
dealstate_width(const struct dealstate *ds)
{
	return DS_FIXED + ds->n_src;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Groups n (key, time) pairs by key (keys >= n_keys are left out), times
 * ascending within each key. */
static void
times_build(struct ds_times *g, size_t n_keys, size_t n, const uint32_t *key, size_t kstride,
            const double *t, size_t tstride)
{
	g->first = xcalloc(n_keys + 1, sizeof *g->first);
	for (size_t i = 0; i < n; i++) {
		uint32_t k = *(const uint32_t *)((const char *)key + i * kstride);
		if (k < n_keys)
			g->first[k + 1]++;
	}
	for (size_t k = 0; k < n_keys; k++)
		g->first[k + 1] += g->first[k];
	g->t = xmalloc((g->first[n_keys] + 1) * sizeof *g->t);
	uint32_t *pos = xmalloc((n_keys + 1) * sizeof *pos);
	memcpy(pos, g->first, (n_keys + 1) * sizeof *pos);
	for (size_t i = 0; i < n; i++) {
		uint32_t k = *(const uint32_t *)((const char *)key + i * kstride);
		if (k < n_keys)
			g->t[pos[k]++] = *(const double *)((const char *)t + i * tstride);
	}
	free(pos);
	for (size_t k = 0; k < n_keys; k++)
		qsort(g->t + g->first[k], g->first[k + 1] - g->first[k], sizeof *g->t, cmp_double);
}

static void
times_free(struct ds_times *g)
{
	free(g->first);
	free(g->t);
}

/* How many of key k's times are <= t. */
static size_t
count_upto(const struct ds_times *g, uint32_t k, double t)
{
	const double *v = g->t + g->first[k];
	size_t lo = 0, hi = g->first[k + 1] - g->first[k];
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (v[mid] <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Closed deals' times by owner (and all together), won and lost apart. */
static void
closes_build(const struct snapshot *s, int outcome, struct ds_times *by_owner, struct ds_times *all)
{
	uint32_t *key = xmalloc((s->n_opp + 1) * sizeof *key);
	uint32_t *zero = xcalloc(s->n_opp + 1, sizeof *zero);
	double *t = xmalloc((s->n_opp + 1) * sizeof *t);
	for (size_t i = 0; i < s->n_opp; i++) {
		int mine = s->opp[i].outcome == outcome;
		key[i] = mine ? s->opp[i].owner : NO_INDEX;
		zero[i] = mine ? 0 : NO_INDEX;
		t[i] = s->opp[i].closed;
	}
	times_build(by_owner, s->n_owner, s->n_opp, key, sizeof *key, t, sizeof *t);
	times_build(all, 1, s->n_opp, zero, sizeof *zero, t, sizeof *t);
	free(key);
	free(zero);
	free(t);
}

void
dealstate_init(struct dealstate *ds, const struct snapshot *s)
{
	memset(ds, 0, sizeof *ds);
	ds->s = s;
	ds->n_src = s->n_source < DS_MAX_SOURCES ? s->n_source : DS_MAX_SOURCES;
	static const uint32_t nokey = NO_INDEX;
	static const double notime = 0;
	times_build(&ds->act, s->n_opp, s->n_act, s->n_act ? &s->act[0].opp : &nokey,
	            sizeof *s->act, s->n_act ? &s->act[0].started : &notime, sizeof *s->act);
	times_build(&ds->review, s->n_opp, s->n_review,
	            s->n_review ? &s->review[0].opp : &nokey, sizeof *s->review,
	            s->n_review ? &s->review[0].at : &notime, sizeof *s->review);
	closes_build(s, OUTCOME_WON, &ds->won, &ds->all_won);
	closes_build(s, OUTCOME_LOST, &ds->lost, &ds->all_lost);
}

void
dealstate_free(struct dealstate *ds)
{
	times_free(&ds->act);
	times_free(&ds->review);
	times_free(&ds->won);
	times_free(&ds->lost);
	times_free(&ds->all_won);
	times_free(&ds->all_lost);
	memset(ds, 0, sizeof *ds);
}

int
dealstate_open_at(const struct snapshot *s, uint32_t o, double t)
{
	const struct snap_opp *d = &s->opp[o];
	return d->created <= t && !(d->closed <= t);
}

static double
log_days(double seconds)
{
	return log1p(fmax(seconds, 0) / DAY);
}

/* The layer at t from the stage history (layer 1 since creation when
 * none is recorded by t), when it was entered, and the layers skipped and
 * gone back on the way. */
static void
layer_at(const struct snapshot *s, uint32_t o, double t, double *x, double *entered)
{
	const struct snap_opp *d = &s->opp[o];
	int rank = 1, skipped = 0, back = 0;
	*entered = d->created;
	for (uint32_t i = 0; i < d->hist_n; i++) {
		const struct snap_hist *h = &s->hist[d->hist_first + i];
		if (h->entered > t)
			break;
		if (i > 0 && h->rank > rank + 1)
			skipped += h->rank - rank - 1;
		if (i > 0 && h->rank < rank)
			back++;
		if (i == 0 || h->rank != rank)
			*entered = h->entered;
		rank = h->rank;
	}
	for (int k = 2; k <= 5; k++)
		x[DS_LAYER2 + k - 2] = rank == k;
	x[DS_SKIPPED] = skipped;
	x[DS_WENT_BACK] = back;
}

double
dealstate_prior(const struct dealstate *ds, double t)
{
	double tw = (double)count_upto(&ds->all_won, 0, t);
	double tl = (double)count_upto(&ds->all_lost, 0, t);
	return (tw + 1) / (tw + tl + 2);
}

/* The owner's share of won deals among those closed before t, shrunk
 * towards the team's (prior, dealstate_prior's at t). */
static double
owner_rate(const struct dealstate *ds, uint32_t owner, double t, double prior)
{
	if (owner == NO_INDEX)
		return prior;
	double w = (double)count_upto(&ds->won, owner, t);
	double l = (double)count_upto(&ds->lost, owner, t);
	return (w + OWNER_PRIOR * prior) / (w + l + OWNER_PRIOR);
}

/* The latest of key o's times at or before t, or `none`. */
static double
last_upto(const struct ds_times *g, uint32_t o, double t, double none)
{
	size_t n = count_upto(g, o, t);
	return n > 0 ? g->t[g->first[o] + n - 1] : none;
}

static void
account_at(const struct snap_account *a, double t, double *x)
{
	x[DS_KEY_PERSON] = a->reached_at <= t;
	int known = a->qualified && a->qual_at <= t;
	x[DS_QUAL_KNOWN] = known;
	x[DS_QUAL_YES] = known ? (a->need == 1) + (a->pay == 1) + (a->authority == 1) : 0;
}

void
dealstate_row(const struct dealstate *ds, uint32_t o, double t, double prior, double *x)
{
	const struct snapshot *s = ds->s;
	const struct snap_opp *d = &s->opp[o];
	double entered;
	memset(x, 0, dealstate_width(ds) * sizeof *x);
	layer_at(s, o, t, x, &entered);
	x[DS_DAYS_IN_LAYER] = log_days(t - entered);
	x[DS_AGE] = log_days(t - d->created);
	x[DS_AMOUNT] = log1p(fmax(money_to_double(d->amount, s->money_digits), 0));
	x[DS_OWNER_RATE] = owner_rate(ds, d->owner, t, prior);
	account_at(&s->acct[d->acct], t, x);
	double rv = last_upto(&ds->review, o, t, NAN);
	x[DS_REVIEWED_IN_LAYER] = rv >= entered;
	x[DS_DAYS_SINCE_REVIEW] = log_days(t - (isnan(rv) ? d->created : rv));
	x[DS_DAYS_SINCE_ACTIVITY] = log_days(t - last_upto(&ds->act, o, t, d->created));
	x[DS_ACTIVITIES_30D] = log1p((double)(count_upto(&ds->act, o, t) -
	                                      count_upto(&ds->act, o, t - 30 * DAY)));
	if (d->source < ds->n_src)
		x[DS_FIXED + d->source] = 1;
}
