/* Predictive LTV: fit, then predict per account.  Conventions fixed here:
 * - both models use the accounts with at least one purchase; Gamma-Gamma
 *   those with x > 0 and a positive mean repeat value;
 * - a fit needs at least MIN_ACCOUNTS accounts and must converge, else the
 *   model's figures are absent;
 * - accounts with x = 0 (or a non-positive mean) get the population mean
 *   value p gamma / (q - 1);
 * - the predictive LTV discounts month by month: the purchases expected in
 *   month k (E[Y(t_k)] - E[Y(t_k-1)], months of 30.4375 days, the last one
 *   cut at the horizon) times E[M] times the account's margin rate (see
 *   customers.c: the same basis as its historical value), divided by
 *   (1 + d)^k. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bgnbd.h"
#include "clock.h"
#include "gammagamma.h"
#include "log.h"
#include "models.h"
#include "parallel.h"
#include "util.h"

#define MIN_ACCOUNTS 10

#define WEEKS_PER_MONTH (30.4375 / 7.0)

/* Predictions are independent per account: parallel_for gives each core
 * a contiguous slice. */
struct predict_job {
	struct results	*res;
	size_t		 n;
	double		 H, disc;
	int		 months;
};

static void
predict_slice(void *arg, size_t from, size_t to, int slot)
{
	(void)slot;
	const struct predict_job *j = arg;
	const struct results *res = j->res;
	for (size_t a = from; a < to; a++) {
		struct acct_result *r = &res->acct[a];
		if (r->x < 0)
			continue;
		if (res->gg.fitted)
			r->exp_value = gammagamma_expected(res->gg.p, r->x, r->mean_repeat);
		if (!res->bgnbd.fitted)
			continue;
		struct rfm one = { r->x, r->t_x, r->t_cal };
		r->p_alive = bgnbd_p_alive(res->bgnbd.p, &one);
		r->exp_purchases = bgnbd_expected(res->bgnbd.p, &one, j->H);
		if (isnan(r->exp_value) || isnan(r->exp_purchases))
			continue;
		double ltv = 0, prev = 0, disc = 1;
		for (int k = 1; k <= j->months; k++) {
			double t = k == j->months ? j->H : k * WEEKS_PER_MONTH;
			double ey = k == j->months ? r->exp_purchases : bgnbd_expected(res->bgnbd.p, &one, t);
			disc /= 1 + j->disc;
			ltv += (ey - prev) * disc;
			prev = ey;
		}
		r->ltv_pred = ltv * r->exp_value * r->margin_rate;
	}
}

void
models_fit_predict(const struct snapshot *s, const struct metric_params *mp, struct results *res)
{
	size_t n = s->n_acct, nb = 0, ng = 0;
	struct rfm *d = xmalloc((n ? n : 1) * sizeof *d);
	struct gg_obs *g = xmalloc((n ? n : 1) * sizeof *g);

	for (size_t a = 0; a < n; a++) {
		struct acct_result *r = &res->acct[a];
		r->exp_purchases = r->p_alive = r->exp_value = r->ltv_pred = NAN;
		if (r->x < 0)
			continue;
		d[nb++] = (struct rfm){ r->x, r->t_x, r->t_cal };
		if (r->x > 0 && r->mean_repeat > 0)
			g[ng++] = (struct gg_obs){ r->x, r->mean_repeat };
	}
	memset(&res->bgnbd, 0, sizeof res->bgnbd);
	memset(&res->gg, 0, sizeof res->gg);
	res->bgnbd.n = nb;
	res->gg.n = ng;
	res->bgnbd.loglik = res->gg.loglik = NAN;
	double t0 = mono();
	if (nb >= MIN_ACCOUNTS && bgnbd_fit(d, nb, res->bgnbd.p, &res->bgnbd.loglik) == 0)
		res->bgnbd.fitted = 1;
	double t1 = mono();
	if (ng >= MIN_ACCOUNTS && gammagamma_fit(g, ng, res->gg.p, &res->gg.loglik) == 0)
		res->gg.fitted = 1;
	double t2 = mono();
	log_info("models: BG/NBD fit on %zu accounts in %.3f s (%s), Gamma-Gamma on %zu in %.3f s (%s)",
	         nb, t1 - t0, res->bgnbd.fitted ? "converged" : "not fitted", ng, t2 - t1,
	         res->gg.fitted ? "converged" : "not fitted");
	free(d);
	free(g);

	struct predict_job job = { .res = res, .n = n, .H = mp->horizon_weeks,
	                           .disc = mp->discount_monthly };
	job.months = (int)ceil(job.H / WEEKS_PER_MONTH - 1e-9);
	parallel_for(n, 5000, predict_slice, &job);
	double total = 0, alive = 0;
	size_t n_alive = 0;
	for (size_t a = 0; a < n; a++) {
		const struct acct_result *r = &res->acct[a];
		if (!isnan(r->p_alive)) {
			alive += r->p_alive;
			n_alive++;
		}
		if (isfinite(r->ltv_pred))
			total += r->ltv_pred;
	}
	log_info("models: predictions for %zu accounts in %.3f s", n_alive, mono() - t2);
	res->ltv_pred_total = res->bgnbd.fitted && res->gg.fitted ? total : NAN;
	res->mean_p_alive = n_alive ? alive / (double)n_alive : NAN;
}
