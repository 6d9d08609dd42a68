/* BG/NBD maximum likelihood and predictions.  The log-likelihood of
 * docs/metrics.md §2 splits into terms that depend on x only (log-gammas,
 * evaluated once per distinct x) and a per-account log-sum-exp, so one
 * evaluation over a million accounts costs a few logarithms each.  The
 * fit runs BFGS on log-parameters with the analytic gradient. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bgnbd.h"
#include "optim.h"
#include "parallel.h"
#include "special.h"
#include "util.h"

struct fitctx {
	const struct rfm *d;
	size_t	 n;
	int32_t	*xs;		/* distinct x values */
	double	*cnt;		/* accounts per distinct x */
	size_t	 nx;
	uint32_t *xi;		/* per account: index into xs */
	double	*lbx;		/* scratch per distinct x: ln(b + x - 1) */
};

/* The per-account terms of the log-likelihood and its gradient, summed
 * per slot: ll, d/dr, d/dalpha, d/da, d/db. */
struct part {
	const struct fitctx *c;
	double	 r, al, a, b;
	double	 sum[PARALLEL_MAX][5];
};

static void
account_terms(void *arg, size_t from, size_t to, int slot)
{
	struct part *p = arg;
	const struct fitctx *c = p->c;
	double r = p->r, al = p->al, a = p->a, b = p->b, la = log(a);
	double ll = 0, gr = 0, gal = 0, ga = 0, gb = 0;
	for (size_t i = from; i < to; i++) {
		const struct rfm *d = &c->d[i];
		double rx = r + d->x, lT = log(al + d->T);
		double l3 = -rx * lT;
		if (d->x == 0) {
			ll += l3;
			gr -= lT;
			gal -= rx / (al + d->T);
			continue;
		}
		double lt = log(al + d->t_x);
		double l4 = la - c->lbx[c->xi[i]] - rx * lt;
		double mx = l3 > l4 ? l3 : l4;
		double e3 = exp(l3 - mx), e4 = exp(l4 - mx), sum = e3 + e4;
		double w3 = e3 / sum, w4 = e4 / sum;
		ll += mx + log(sum);
		gr -= w3 * lT + w4 * lt;
		gal -= rx * (w3 / (al + d->T) + w4 / (al + d->t_x));
		ga += w4 / a;
		gb -= w4 / (b + d->x - 1);
	}
	p->sum[slot][0] = ll;
	p->sum[slot][1] = gr;
	p->sum[slot][2] = gal;
	p->sum[slot][3] = ga;
	p->sum[slot][4] = gb;
}

/* Negative mean log-likelihood and its gradient in theta = ln(params). */
static double
negll(const double *theta, double *grad, void *vctx)
{
	struct fitctx *c = vctx;
	double r = exp(theta[0]), al = exp(theta[1]), a = exp(theta[2]), b = exp(theta[3]);
	if (!(isfinite(r) && isfinite(al) && isfinite(a) && isfinite(b) && r > 0 && al > 0 &&
	      a > 0 && b > 0))
		return NAN;
	double ll = 0, gr = 0, gal = 0, ga = 0, gb = 0;
	double lgr = lgamma(r), lgab = lgamma(a + b), lgb = lgamma(b);
	double psr = digamma(r), psab = digamma(a + b), psb = digamma(b);
	for (size_t k = 0; k < c->nx; k++) {
		double x = c->xs[k], w = c->cnt[k];
		ll += w * (lgamma(r + x) - lgr + lgab + lgamma(b + x) - lgb - lgamma(a + b + x));
		gr += w * (digamma(r + x) - psr);
		double pabx = digamma(a + b + x);
		ga += w * (psab - pabx);
		gb += w * (psab + digamma(b + x) - psb - pabx);
		c->lbx[k] = x > 0 ? log(b + x - 1) : 0;
	}
	double lal = log(al);
	ll += (double)c->n * r * lal;
	gr += (double)c->n * lal;
	gal += (double)c->n * r / al;
	/* the per-account part, one slice per core */
	struct part part = { .c = c, .r = r, .al = al, .a = a, .b = b };
	parallel_for(c->n, 20000, account_terms, &part);
	for (int k = 0; k < PARALLEL_MAX; k++) {
		ll += part.sum[k][0];
		gr += part.sum[k][1];
		gal += part.sum[k][2];
		ga += part.sum[k][3];
		gb += part.sum[k][4];
	}
	double inv = 1.0 / (double)c->n;
	grad[0] = -gr * r * inv;
	grad[1] = -gal * al * inv;
	grad[2] = -ga * a * inv;
	grad[3] = -gb * b * inv;
	return -ll * inv;
}

static int
cmp_i32(const void *pa, const void *pb)
{
	int32_t a = *(const int32_t *)pa, b = *(const int32_t *)pb;
	return (a > b) - (a < b);
}

int
bgnbd_fit(const struct rfm *d, size_t n, double p[4], double *loglik)
{
	struct fitctx c = { .d = d, .n = n };
	size_t repeaters = 0;
	double meanT = 0;
	if (n < 2)
		return -1;
	/* Distinct x values: sort a copy, then map each account. */
	int32_t *sorted = xmalloc(n * sizeof *sorted);
	for (size_t i = 0; i < n; i++) {
		if (d[i].x < 0 || !(d[i].T >= d[i].t_x) || !(d[i].t_x >= 0)) {
			free(sorted);
			return -1;
		}
		sorted[i] = d[i].x;
		repeaters += d[i].x > 0;
		meanT += d[i].T / (double)n;
	}
	if (repeaters == 0) {
		free(sorted);
		return -1;
	}
	qsort(sorted, n, sizeof *sorted, cmp_i32);
	c.xs = xmalloc(n * sizeof *c.xs);
	for (size_t i = 0; i < n; i++)
		if (c.nx == 0 || c.xs[c.nx - 1] != sorted[i])
			c.xs[c.nx++] = sorted[i];
	free(sorted);
	c.cnt = xcalloc(c.nx, sizeof *c.cnt);
	c.lbx = xcalloc(c.nx, sizeof *c.lbx);
	c.xi = xmalloc(n * sizeof *c.xi);
	for (size_t i = 0; i < n; i++) {
		const int32_t *hit = bsearch(&d[i].x, c.xs, c.nx, sizeof *c.xs, cmp_i32);
		c.xi[i] = (uint32_t)(hit - c.xs);
		c.cnt[c.xi[i]] += 1;
	}

	double theta[4] = { 0, log(meanT > 1 ? meanT : 1), 0, 0 };
	struct optim_result o;
	optim_bfgs(negll, &c, theta, 4, 500, 1e-9, &o);
	for (int i = 0; i < 4; i++)
		p[i] = exp(theta[i]);
	*loglik = -o.f * (double)n;
	free(c.xs);
	free(c.cnt);
	free(c.lbx);
	free(c.xi);
	return o.converged && isfinite(o.f) ? 0 : -1;
}

double
bgnbd_loglik1(const double p[4], const struct rfm *d)
{
	double r = p[0], al = p[1], a = p[2], b = p[3], x = d->x;
	double base = lgamma(r + x) - lgamma(r) + r * log(al) + lgamma(a + b) +
	              lgamma(b + x) - lgamma(b) - lgamma(a + b + x);
	double l3 = -(r + x) * log(al + d->T);
	if (d->x == 0)
		return base + l3;
	double l4 = log(a) - log(b + x - 1) - (r + x) * log(al + d->t_x);
	double mx = l3 > l4 ? l3 : l4;
	return base + mx + log(exp(l3 - mx) + exp(l4 - mx));
}

/* 1 + delta a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x), the denominator of
 * both P(alive) and E[Y(t)]. */
static double
alive_denominator(const double p[4], const struct rfm *d)
{
	if (d->x == 0)
		return 1;
	double r = p[0], al = p[1], a = p[2], b = p[3], x = d->x;
	return 1 + exp(log(a) - log(b + x - 1) + (r + x) * (log(al + d->T) - log(al + d->t_x)));
}

double
bgnbd_p_alive(const double p[4], const struct rfm *d)
{
	return 1 / alive_denominator(p, d);
}

double
bgnbd_expected(const double p[4], const struct rfm *d, double t)
{
	double r = p[0], al = p[1], a = p[2], b = p[3], x = d->x;
	if (t <= 0)
		return 0;
	if (fabs(a - 1) < 1e-9)		/* removable singularity at a = 1 */
		a = a < 1 ? 1 - 1e-9 : 1 + 1e-9;
	double z = t / (al + d->T + t);
	double lf = log_hyp2f1(r + x, b + x, a + b + x - 1, z, 10000000L);
	if (isnan(lf))
		return NAN;
	/* ((alpha+T)/(alpha+T+t))^(r+x) = (1-z)^(r+x) */
	double prod = exp((r + x) * log1p(-z) + lf);
	return (a + b + x - 1) / (a - 1) * (1 - prod) / alive_denominator(p, d);
}
