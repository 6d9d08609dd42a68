/* Sales efficiency (docs/metrics.md §4) per owner and overall: revenue of won
 * deals, its concentration across owners, win rate and cycle per owner,
 * activity minutes per won deal, revenue per activity hour ("what an hour
 * of this rep's time is worth"), and key-person coverage of open deals
 * (share whose account has a contact with the decision-maker role). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "concentration.h"
#include "money.h"
#include "results.h"
#include "stats.h"
#include "util.h"

void
metrics_efficiency(const struct snapshot *s, const struct metric_params *mp, struct results *res)
{
	(void)mp;
	const double ws = (double)res->window_start * 86400.0;
	const double we = ((double)res->as_of + 1.0) * 86400.0;
	size_t n = s->n_owner;
	struct dvec *cycles = xcalloc(n + 1, sizeof *cycles);
	int32_t open_with_dm = 0;
	int64_t won_revenue = 0;
	const int dg = s->money_digits;

	/* The funnel may have made the owners' rows already (reached per rank). */
	if (res->owner == NULL)
		res->owner = xcalloc(n + 1, sizeof *res->owner);
	for (size_t i = 0; i < s->n_opp; i++) {
		const struct snap_opp *o = &s->opp[i];
		struct owner_result *w = o->owner == NO_INDEX ? NULL : &res->owner[o->owner];
		if (o->outcome == OUTCOME_OPEN) {
			int dm = s->acct[o->acct].has_dm;
			open_with_dm += dm;
			if (w) {
				w->open_deals++;
				w->open_with_dm += dm;
				if (!isnan(o->probability))
					w->weighted_pipeline += money_to_double(o->amount, dg) *
					                        o->probability;
			}
		} else if (o->closed >= ws && o->closed < we) {
			if (o->outcome == OUTCOME_WON)
				won_revenue += o->amount;
			if (w == NULL)
				continue;
			if (o->outcome == OUTCOME_WON) {
				w->won++;
				w->revenue += o->amount;
				dvec_push(&cycles[o->owner], (o->closed - o->created) / 86400.0);
			} else {
				w->lost++;
			}
		}
	}
	res->minutes = 0;
	for (size_t i = 0; i < s->n_act; i++) {
		const struct snap_activity *a = &s->act[i];
		if (!(a->started >= ws && a->started < we))
			continue;
		res->minutes += a->minutes;
		if (a->owner != NO_INDEX)
			res->owner[a->owner].minutes += a->minutes;
	}

	size_t rate_cap = res->n_rates;
	for (size_t i = 0; i < n; i++) {
		struct owner_result *w = &res->owner[i];
		w->win_rate = w->won + w->lost ? (double)w->won / (w->won + w->lost) : NAN;
		w->cycle_median = dvec_median(&cycles[i]);
		w->cycle_mean = dvec_mean(&cycles[i]);
		free(cycles[i].v);
		w->minutes_per_won = w->won ? (double)w->minutes / w->won : NAN;
		w->revenue_per_hour = w->minutes ?
		                      money_to_double(w->revenue, dg) / (w->minutes / 60.0) : NAN;
		w->key_person_coverage = w->open_deals ? (double)w->open_with_dm / w->open_deals : NAN;
		if (w->won + w->lost > 0) {
			if (res->n_rates == rate_cap) {
				rate_cap = rate_cap ? 2 * rate_cap : 32;
				res->rates = xrealloc(res->rates, rate_cap * sizeof *res->rates);
			}
			struct rate_row *r = &res->rates[res->n_rates++];
			char key[24];
			snprintf(key, sizeof key, "%lld", (long long)s->owner_id[i]);
			r->dimension = "owner";
			r->key = xstrdup(key);
			r->won = w->won;
			r->lost = w->lost;
			r->rate = w->win_rate;
		}
	}
	free(cycles);

	res->key_person_coverage = res->open_deals ? (double)open_with_dm / res->open_deals : NAN;
	res->minutes_per_won = res->won ? (double)res->minutes / res->won : NAN;
	res->revenue_per_hour = res->minutes ?
	                        money_to_double(won_revenue, dg) / (res->minutes / 60.0) : NAN;

	/* Concentration across owners: "what share of the reps makes 80% of
	 * the sales". */
	int64_t *values = xmalloc((n ? n : 1) * sizeof *values);
	char *abc = xmalloc(n ? n : 1);
	uint32_t *rank = xmalloc((n ? n : 1) * sizeof *rank);
	for (size_t i = 0; i < n; i++)
		values[i] = res->owner[i].revenue;
	concentration_compute(s->owner_id, values, n, &res->conc_owners, abc, rank);
	for (size_t i = 0; i < n; i++) {
		res->owner[i].abc = abc[i];
		res->owner[i].rank = rank[i];
		res->owner[i].share = res->conc_owners.total > 0 && res->owner[i].revenue > 0 ?
		                      (double)res->owner[i].revenue / (double)res->conc_owners.total : NAN;
	}
	free(values);
	free(abc);
	free(rank);
}
