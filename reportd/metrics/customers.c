/* Per-account figures (docs/metrics.md §1, §2, §5): revenue in the window and
 * its concentration (ABC classes), historical LTV, the RFM summary
 * (x, t_x, T), the BG/NBD and Gamma-Gamma fits and predictions, predictive
 * LTV, lifecycle segment, qualification grade, open deals, last activity.
 *
 * Conventions fixed here:
 * - a purchase is a distinct day with at least one revenue row >= 0 (a
 *   day of credits only is not a purchase); its value is the day's net;
 *   this reproduces the published CDNOW summary exactly;
 * - amounts are exact integers of the currency's minor unit: an account
 *   whose rows net to exactly 0 has no revenue (non-positive, no class);
 * - historical and predictive value of an account are on one basis:
 *   "margin" when every revenue row of the account carries a margin:
 *   historical value is the sum of margins, and predicted revenue is
 *   turned into margin by the account's margin rate (margins / net
 *   revenue; the configured [metrics] margin when the net is not
 *   positive); "revenue" otherwise: net revenue and predicted revenue,
 *   both times the configured margin (1 by default);
 * - segment: active when a won deal closed or a purchase happened in the
 *   365 days ending at as_of; lapsed when either happened before only;
 *   prospect otherwise;
 * - grade: A when need, ability to pay and decision authority are all
 *   recorded true, B when two are, C otherwise; none without a record. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "concentration.h"
#include "log.h"
#include "models.h"
#include "money.h"
#include "results.h"
#include "util.h"

/* Historical value on the account's basis, and the rate that turns its
 * predicted revenue into the same basis. */
static void
value_basis(struct acct_result *r, int64_t total, double assumed)
{
	if (r->by_margin) {
		r->hist_ltv = r->margins;
		r->margin_rate = total > 0 ? (double)r->margins / (double)total : assumed;
	} else {
		r->hist_ltv = assumed == 1.0 ? total : llround((double)total * assumed);
		r->margin_rate = assumed;
	}
}

static void
rfm(const struct snapshot *s, size_t a, struct acct_result *r, int32_t ws, int *bought_recently)
{
	const struct snap_revenue *g = s->rev + s->rev_first[a];
	size_t n = s->rev_first[a + 1] - s->rev_first[a];
	int64_t total = 0, margins = 0, repeat_sum = 0;
	int purchases = 0;
	r->by_margin = n > 0;

	r->first_day = r->last_day = INT32_MIN;
	r->x = -1;
	r->revenue_window = 0;
	*bought_recently = 0;
	for (size_t i = 0; i < n;) {
		int32_t day = g[i].day;
		int64_t net = 0;
		int bought = 0;
		for (; i < n && g[i].day == day; i++) {
			net += g[i].amount;
			total += g[i].amount;
			if (g[i].margin == MONEY_NONE)
				r->by_margin = 0;
			else
				margins += g[i].margin;
			if (g[i].amount >= 0)
				bought = 1;
			if (day >= ws)
				r->revenue_window += g[i].amount;
		}
		if (!bought)
			continue;
		if (purchases++ == 0)
			r->first_day = day;
		else
			repeat_sum += net;
		r->last_day = day;
		if (day > s->as_of - 365)
			*bought_recently = 1;
	}
	r->hist_ltv = n ? total : MONEY_NONE;
	r->margins = margins;
	r->t_x = r->t_cal = r->mean_repeat = NAN;
	if (purchases > 0) {
		r->x = purchases - 1;
		r->t_x = (r->last_day - r->first_day) / 7.0;
		r->t_cal = (s->as_of - r->first_day) / 7.0;
		r->mean_repeat = r->x > 0 ?
		                 money_to_double(repeat_sum, s->money_digits) / r->x : NAN;
	}
}

void
metrics_customers(const struct snapshot *s, const struct metric_params *mp, struct results *res)
{
	size_t n = s->n_acct;
	double t0 = mono();
	int *recent = xcalloc(n + 1, sizeof *recent);
	res->acct = xcalloc(n + 1, sizeof *res->acct);

	size_t basis[2] = { 0, 0 };	/* accounts with revenue valued by revenue, by margin */
	for (size_t a = 0; a < n; a++) {
		struct acct_result *r = &res->acct[a];
		r->last_activity = NAN;
		rfm(s, a, r, res->window_start, &recent[a]);
		if (r->hist_ltv == MONEY_NONE) {
			r->margin_rate = mp->margin;
			continue;
		}
		value_basis(r, r->hist_ltv, mp->margin);
		basis[r->by_margin]++;
	}
	res->ltv_basis = basis[1] == 0 ? "revenue" : basis[0] == 0 ? "margin" : "mixed";
	for (size_t i = 0; i < s->n_opp; i++) {
		const struct snap_opp *o = &s->opp[i];
		struct acct_result *r = &res->acct[o->acct];
		if (o->outcome == OUTCOME_OPEN)
			r->open_deals++;
		else if (o->outcome == OUTCOME_WON) {
			r->won_ever = 1;
			if (floor(o->closed / 86400.0) > s->as_of - 365)
				r->won_recent = 1;
		}
	}
	for (size_t i = 0; i < s->n_act; i++) {
		const struct snap_activity *act = &s->act[i];
		if (act->acct == NO_INDEX)
			continue;
		struct acct_result *r = &res->acct[act->acct];
		if (isnan(r->last_activity) || act->started > r->last_activity)
			r->last_activity = act->started;
	}

	memset(res->segments, 0, sizeof res->segments);
	memset(res->grades, 0, sizeof res->grades);
	res->revenue_window_total = 0;
	for (size_t a = 0; a < n; a++) {
		struct acct_result *r = &res->acct[a];
		const struct snap_account *sa = &s->acct[a];
		int seg = (r->won_recent || recent[a]) ? 1 :
		          (r->won_ever || r->first_day != INT32_MIN) ? 2 : 0;
		static const char *const names[] = { "prospect", "active", "lapsed" };
		r->segment = names[seg];
		res->segments[seg]++;
		if (sa->qualified) {
			int yes = (sa->need == 1) + (sa->pay == 1) + (sa->authority == 1);
			r->grade = yes == 3 ? 'A' : yes == 2 ? 'B' : 'C';
			res->grades[yes == 3 ? 0 : yes == 2 ? 1 : 2]++;
		} else {
			res->grades[3]++;
		}
		res->revenue_window_total += r->revenue_window;
	}
	free(recent);

	/* Concentration of revenue in the window over accounts. */
	int64_t *ids = xmalloc((n ? n : 1) * sizeof *ids);
	int64_t *values = xmalloc((n ? n : 1) * sizeof *values);
	char *abc = xmalloc(n ? n : 1);
	uint32_t *rank = xmalloc((n ? n : 1) * sizeof *rank);
	for (size_t a = 0; a < n; a++) {
		ids[a] = s->acct[a].id;
		values[a] = res->acct[a].revenue_window;
	}
	concentration_compute(ids, values, n, &res->conc_accounts, abc, rank);
	for (size_t a = 0; a < n; a++) {
		res->acct[a].abc = abc[a];
		res->acct[a].rank = rank[a];
	}
	free(ids);
	free(values);
	free(abc);
	free(rank);

	log_info("customers: RFM and concentration of %zu accounts, %zu revenue rows in %.3f s",
	         n, s->n_rev, mono() - t0);
	models_fit_predict(s, mp, res);
}
