/* Funnel and conversion (docs/metrics.md §3): reach and conversion per rank,
 * lead -> opportunity, win rates by dimension, sales cycle, time in stage,
 * stalled deals, the weighted pipeline and forecast, and velocity.
 *
 * Conventions fixed here (the tests follow them):
 * - a deal reached rank k when its highest rank (history or current) is
 *   >= k, so skipped ranks count as reached;
 * - conversion k -> k+1 is over deals created in the window that reached
 *   k and have left it (reached a higher rank) or are closed;
 * - rank 1 is the lead layer: lead -> opportunity is, over deals created in
 *   the window, reached(2) / reached(1);
 * - time in stage: stays in rank k that ended in the window (by a move or
 *   a close); a stay still going on at as_of is not counted;
 * - stalled: open, and more than stall_days whole days since the deal
 *   entered its rank (as_of minus that day);
 * - forecast month: the expected close month; a deal whose expected close
 *   is past is forecast into the as_of month; one without a date is left
 *   out of the months but counted in the totals. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "money.h"
#include "results.h"
#include "stats.h"
#include "util.h"

struct rate_acc {
	int32_t won, lost;
};

static void
add_rate(struct results *res, size_t *cap, const char *dimension, const char *key,
         const struct rate_acc *acc)
{
	if (acc->won + acc->lost == 0)
		return;
	if (res->n_rates == *cap) {
		*cap = *cap ? *cap * 2 : 32;
		res->rates = xrealloc(res->rates, *cap * sizeof *res->rates);
	}
	struct rate_row *r = &res->rates[res->n_rates++];
	r->dimension = dimension;
	r->key = xstrdup(key);
	r->won = acc->won;
	r->lost = acc->lost;
	r->rate = (double)acc->won / (double)(acc->won + acc->lost);
}

static int
cmp_forecast(const void *a, const void *b)
{
	const struct forecast_row *x = a, *y = b;
	if (x->owner != y->owner)
		return (x->owner > y->owner) - (x->owner < y->owner);
	return (x->month > y->month) - (x->month < y->month);
}

/* One forecast row per (owner, month): sorted keys, then merged. */
static void
build_forecast(const struct snapshot *s, struct results *res)
{
	int32_t now_month = month_of_day(s->as_of);
	struct forecast_row *f = xmalloc((s->n_opp ? s->n_opp : 1) * sizeof *f);
	size_t n = 0;
	for (size_t i = 0; i < s->n_opp; i++) {
		const struct snap_opp *o = &s->opp[i];
		if (o->outcome != OUTCOME_OPEN || o->expected_close == INT32_MIN)
			continue;
		int32_t m = month_of_day(o->expected_close);
		f[n].owner = o->owner;
		f[n].month = m < now_month ? now_month : m;
		f[n].open_deals = 1;
		f[n].amount = o->amount;
		f[n].weighted = isnan(o->probability) ? 0 :
		                money_to_double(o->amount, s->money_digits) * o->probability;
		n++;
	}
	qsort(f, n, sizeof *f, cmp_forecast);
	size_t w = 0;
	for (size_t i = 0; i < n; i++) {
		if (w > 0 && f[w - 1].owner == f[i].owner && f[w - 1].month == f[i].month) {
			f[w - 1].open_deals++;
			f[w - 1].amount += f[i].amount;
			f[w - 1].weighted += f[i].weighted;
		} else {
			f[w++] = f[i];
		}
	}
	res->forecast = f;
	res->n_forecast = w;
}

void
metrics_funnel(const struct snapshot *s, const struct metric_params *mp, struct results *res)
{
	const double ws = (double)res->window_start * 86400.0;
	const double we = ((double)res->as_of + 1.0) * 86400.0;
	struct dvec cycles = { 0 }, stays[6] = { { 0 } };
	struct rate_acc overall = { 0, 0 }, by_rank[6] = { { 0, 0 } };
	struct rate_acc *by_source = xcalloc(s->n_source + 1, sizeof *by_source);
	int64_t won_amount = 0;
	size_t rate_cap = 0;

	memset(res->funnel, 0, sizeof res->funnel);
	if (res->owner == NULL)	/* one row per owner, shared with efficiency.c */
		res->owner = xcalloc(s->n_owner + 1, sizeof *res->owner);
	res->open_deals = res->stalled = res->created_in_window = 0;
	res->weighted_pipeline = 0;
	res->open_amount = 0;

	for (size_t i = 0; i < s->n_opp; i++) {
		const struct snap_opp *o = &s->opp[i];
		int top = o->max_rank;

		if (o->created >= ws && o->created < we) {
			res->created_in_window++;
			for (int k = 1; k <= top && k <= 5; k++) {
				res->funnel[k].reached++;
				res->funnel[k].reached_amount += o->amount;
				if (o->owner != NO_INDEX)
					res->owner[o->owner].reached[k]++;
			}
			for (int k = 1; k <= 4 && k <= top; k++)
				if (o->outcome != OUTCOME_OPEN || top > k) {
					res->funnel[k].conv_base++;
					if (o->owner != NO_INDEX)
						res->owner[o->owner].conv_base[k]++;
					if (top > k)
						res->funnel[k].conv_next++;
				}
		}

		if (o->outcome == OUTCOME_OPEN) {
			res->open_deals++;
			res->open_amount += o->amount;
			double wgt = isnan(o->probability) ? 0 :
			             money_to_double(o->amount, s->money_digits) * o->probability;
			res->weighted_pipeline += wgt;
			if (o->rank >= 1 && o->rank <= 5) {
				res->funnel[o->rank].open_count++;
				res->funnel[o->rank].open_amount += o->amount;
				res->funnel[o->rank].weighted += wgt;
			}
			double since = isnan(o->entered) ? o->created : o->entered;
			if (s->as_of - (int32_t)floor(since / 86400.0) > mp->stall_days)
				res->stalled++;
		} else if (o->closed >= ws && o->closed < we) {
			int won = o->outcome == OUTCOME_WON;
			struct rate_acc *acc[3] = { &overall, &by_rank[top >= 1 && top <= 5 ? top : 0],
			                            &by_source[o->source == NO_INDEX ? s->n_source : o->source] };
			for (int a = 0; a < 3; a++) {
				if (won)
					acc[a]->won++;
				else
					acc[a]->lost++;
			}
			if (won) {
				dvec_push(&cycles, (o->closed - o->created) / 86400.0);
				won_amount += o->amount;
			}
		}

		/* Stays in each rank that ended in the window. */
		for (uint32_t h = 0; h < o->hist_n; h++) {
			const struct snap_hist *cur = &s->hist[o->hist_first + h];
			double end = h + 1 < o->hist_n ? s->hist[o->hist_first + h + 1].entered :
			             o->outcome != OUTCOME_OPEN ? o->closed : NAN;
			if (!(end >= ws && end < we))
				continue;
			dvec_push(&stays[cur->rank], (end - cur->entered) / 86400.0);
		}
	}

	for (int k = 1; k <= 5; k++) {
		struct funnel_rank *f = &res->funnel[k];
		f->conversion = f->conv_base ? (double)f->conv_next / f->conv_base : NAN;
		f->median_days = dvec_median(&stays[k]);
		free(stays[k].v);
	}
	res->lead_to_opp = res->funnel[1].reached ?
	                   (double)res->funnel[2].reached / res->funnel[1].reached : NAN;

	res->won = overall.won;
	res->lost = overall.lost;
	res->win_rate = overall.won + overall.lost ?
	                (double)overall.won / (overall.won + overall.lost) : NAN;
	res->cycle_median = dvec_median(&cycles);
	res->cycle_mean = dvec_mean(&cycles);
	res->mean_won_amount = overall.won ?
	                       money_to_double(won_amount, s->money_digits) / overall.won : NAN;
	res->velocity = (res->cycle_mean > 0) ?
	                res->open_deals * res->mean_won_amount * res->win_rate / res->cycle_mean : NAN;
	free(cycles.v);

	add_rate(res, &rate_cap, "overall", "", &overall);
	for (size_t i = 0; i < s->n_source; i++)
		add_rate(res, &rate_cap, "source", s->sources[i], &by_source[i]);
	add_rate(res, &rate_cap, "source", "(none)", &by_source[s->n_source]);
	for (int k = 1; k <= 5; k++) {
		char key[8];
		snprintf(key, sizeof key, "%d", k);
		add_rate(res, &rate_cap, "stage_reached", key, &by_rank[k]);
	}
	free(by_source);
	build_forecast(s, res);
}
