/* Gamma-Gamma maximum likelihood by BFGS on log-parameters.  As for
 * BG/NBD, the log-gamma and digamma terms depend on x only and are
 * evaluated once per distinct x. */
#include <math.h>
#include <stdlib.h>

#include "gammagamma.h"
#include "optim.h"
#include "special.h"
#include "util.h"

struct ggctx {
	const struct gg_obs *d;
	size_t	 n;
	int32_t	*xs;
	double	*cnt;
	size_t	 nx;
	double	 sum_xlm, sum_lm, sum_xlx;	/* constants of the data */
};

static double
negll(const double *theta, double *grad, void *vctx)
{
	struct ggctx *c = vctx;
	double p = exp(theta[0]), q = exp(theta[1]), g = exp(theta[2]);
	if (!(isfinite(p) && isfinite(q) && isfinite(g) && p > 0 && q > 0 && g > 0))
		return NAN;
	double N = (double)c->n, lg = log(g);
	double ll = -N * lgamma(q) + N * q * lg + p * c->sum_xlm - c->sum_lm + p * c->sum_xlx;
	double gp = c->sum_xlm + c->sum_xlx, gq = -N * digamma(q) + N * lg, gg = N * q / g;
	for (size_t k = 0; k < c->nx; k++) {
		double x = c->xs[k], w = c->cnt[k];
		ll += w * (lgamma(p * x + q) - lgamma(p * x));
		double ps = digamma(p * x + q);
		gp += w * x * (ps - digamma(p * x));
		gq += w * ps;
	}
	for (size_t i = 0; i < c->n; i++) {
		double x = c->d[i].x, l = log(g + c->d[i].m * x), pxq = p * x + q;
		ll -= pxq * l;
		gp -= x * l;
		gq -= l;
		gg -= pxq / (g + c->d[i].m * x);
	}
	grad[0] = -gp * p / N;
	grad[1] = -gq * q / N;
	grad[2] = -gg * g / N;
	return -ll / N;
}

static int
cmp_i32(const void *pa, const void *pb)
{
	int32_t a = *(const int32_t *)pa, b = *(const int32_t *)pb;
	return (a > b) - (a < b);
}

int
gammagamma_fit(const struct gg_obs *d, size_t n, double p[3], double *loglik)
{
	struct ggctx c = { .d = d, .n = n };
	double mean_m = 0;
	if (n < 2)
		return -1;
	int32_t *sorted = xmalloc(n * sizeof *sorted);
	for (size_t i = 0; i < n; i++) {
		if (d[i].x <= 0 || !(d[i].m > 0) || !isfinite(d[i].m)) {
			free(sorted);
			return -1;
		}
		sorted[i] = d[i].x;
		double lm = log(d[i].m), lx = log(d[i].x);
		c.sum_xlm += d[i].x * lm;
		c.sum_lm += lm;
		c.sum_xlx += d[i].x * lx;
		mean_m += d[i].m / (double)n;
	}
	qsort(sorted, n, sizeof *sorted, cmp_i32);
	c.xs = xmalloc(n * sizeof *c.xs);
	c.cnt = xcalloc(n, sizeof *c.cnt);
	for (size_t i = 0; i < n; i++) {
		if (c.nx == 0 || c.xs[c.nx - 1] != sorted[i])
			c.xs[c.nx++] = sorted[i];
		c.cnt[c.nx - 1] += 1;
	}
	free(sorted);

	/* Start where E[M] of a new account equals the observed mean. */
	double theta[3] = { 0, log(2), log(mean_m) };
	struct optim_result o;
	optim_bfgs(negll, &c, theta, 3, 500, 1e-9, &o);
	for (int i = 0; i < 3; i++)
		p[i] = exp(theta[i]);
	*loglik = -o.f * (double)n;
	free(c.xs);
	free(c.cnt);
	return o.converged && isfinite(o.f) ? 0 : -1;
}

double
gammagamma_loglik1(const double p[3], const struct gg_obs *d)
{
	double px = p[0] * d->x, q = p[1], g = p[2];
	return lgamma(px + q) - lgamma(px) - lgamma(q) + q * log(g) + (px - 1) * log(d->m) +
	       px * log(d->x) - (px + q) * log(g + d->m * d->x);
}

double
gammagamma_expected(const double p[3], int32_t x, double m)
{
	if (x <= 0 || !(m > 0))
		return p[1] > 1 ? p[0] * p[2] / (p[1] - 1) : NAN;
	return p[0] * (p[2] + m * x) / (p[0] * x + p[1] - 1);
}
