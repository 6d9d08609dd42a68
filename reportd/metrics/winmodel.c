/* The close-probability model's fit (winmodel.h): Newton steps on the
 * penalised log likelihood, the Hessian solved by Cholesky, a step halved
 * while it does not lower the objective. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "parallel.h"
#include "winmodel.h"

#define DIM (WINMODEL_MAX_P + 1)

static double
sigmoid(double z)
{
	return z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z));
}

/* Each row's nonzero columns (n[i] of them, col + i * p), found once
 * per fit: every pass looked at each of a row's p values again for them,
 * a branch per value (one-hot and flag columns are mostly 0).  A zero
 * adds nothing to a sum, so the sums over them are the same. */
struct nonzero {
	unsigned char	*n, *col;
};
_Static_assert(WINMODEL_MAX_P <= 255, "a column number in a byte");

struct nz_job {
	const double	*x;
	size_t		 p;
	struct nonzero	*nzs;
};

static void
nonzero_chunk(void *ctx, int c, size_t from, size_t to)
{
	const struct nz_job *j = ctx;
	(void)c;
	for (size_t i = from; i < to; i++) {
		const double *xi = j->x + i * j->p;
		unsigned char *col = j->nzs->col + i * j->p, m = 0;
		for (size_t k = 0; k < j->p; k++)
			if (xi[k] != 0)
				col[m++] = (unsigned char)k;
		j->nzs->n[i] = m;
	}
}

static int
nonzero_find(const double *x, size_t n, size_t p, struct nonzero *nzs)
{
	nzs->n = malloc(n + 1);
	nzs->col = malloc(n * p + 1);
	if (nzs->n == NULL || nzs->col == NULL)
		return -1;
	struct nz_job j = { x, p, nzs };
	parallel_chunks(n, nonzero_chunk, &j);
	return 0;
}

/* The rows' sums are taken in parallel_chunks' fixed slices of the rows,
 * each its own partial sums, added in slice order: the cores share the
 * passes, and the result is the same bits on any number of cores. */
struct partial {
	double	ll;
	double	g[DIM];
	double	h[DIM * DIM];
};

struct eval_job {
	const double		*x, *y, *beta;
	const struct nonzero	*nzs;
	size_t			 n, p;
	int			 derivs;	/* the gradient and Hessian too */
	struct partial		*part;		/* PARALLEL_CHUNKS of them */
};

/* Chunk c's sums: the log likelihood and, when asked, its gradient and
 * Hessian (lower triangle).  log(1 + exp(z)) and the logistic function
 * share exp(-|z|).  Only each row's nonzero columns are read. */
static void
eval_chunk(void *ctx, int c, size_t from, size_t to)
{
	const struct eval_job *j = ctx;
	struct partial *pt = &j->part[c];
	size_t p = j->p, idx[DIM];
	double val[DIM], ll = 0;
	double *g = pt->g, *h = pt->h;
	if (j->derivs) {
		memset(g, 0, sizeof pt->g);
		memset(h, 0, sizeof pt->h);
	}
	for (size_t i = from; i < to; i++) {
		const double *xi = j->x + i * p;
		const unsigned char *col = j->nzs->col + i * p;
		size_t m = j->nzs->n[i];
		double z = j->beta[0];
		for (size_t k = 0; k < m; k++)
			z += j->beta[col[k] + 1] * xi[col[k]];
		double e = exp(-fabs(z));
		ll += (z > 0 ? z + log1p(e) : log1p(e)) - j->y[i] * z;
		if (!j->derivs)
			continue;
		size_t nz = 1;
		idx[0] = 0;
		val[0] = 1;
		for (size_t k = 0; k < m; k++) {
			idx[nz] = col[k] + 1u;
			val[nz++] = xi[col[k]];
		}
		double mu = z >= 0 ? 1 / (1 + e) : e / (1 + e);
		double r = mu - j->y[i], wt = mu * (1 - mu);
		for (size_t a = 0; a < nz; a++) {
			g[idx[a]] += r * val[a];
			double wa = wt * val[a];
			double *ha = h + idx[a] * DIM;
			for (size_t b = 0; b <= a; b++)
				ha[idx[b]] += wa * val[b];
		}
	}
	pt->ll = ll;
}

/* The objective at beta and, when g is not NULL, its gradient g and
 * Hessian h (DIM x DIM, lower triangle used) there, in one pass over the
 * rows: a fit evaluated the objective at each trial step and then, in a
 * second pass over the same 450 MB of rows (1.86 million rows at a
 * million deals), the derivatives at the step it took.  part: PARALLEL_CHUNKS
 * partial sums' room. */
static double
evaluate(const double *x, const double *y, const struct nonzero *nzs, size_t n, size_t p, double c,
         const double *beta, double *g, double *h, struct partial *part)
{
	size_t q = p + 1;
	double ll = 0, pen = 0;
	struct eval_job job = { x, y, beta, nzs, n, p, g != NULL, part };
	parallel_chunks(n, eval_chunk, &job);
	for (size_t k = 0; k < PARALLEL_CHUNKS; k++)
		ll += part[k].ll;
	if (g != NULL) {
		memset(g, 0, q * sizeof *g);
		memset(h, 0, DIM * DIM * sizeof *h);
		for (size_t k = 0; k < PARALLEL_CHUNKS; k++)
			for (size_t a = 0; a < q; a++) {
				g[a] += part[k].g[a];
				for (size_t b = 0; b <= a; b++)
					h[a * DIM + b] += part[k].h[a * DIM + b];
			}
	}
	for (size_t j = 1; j <= p; j++)
		pen += beta[j] * beta[j];
	if (g != NULL) {
		for (size_t j = 0; j < q; j++) {
			g[j] *= c;
			for (size_t k = 0; k <= j; k++)
				h[j * DIM + k] *= c;
		}
		for (size_t j = 1; j < q; j++) {
			g[j] += beta[j];
			h[j * DIM + j] += 1;
		}
	}
	return 0.5 * pen + c * ll;
}

/* Solves h s = g in place of g (h: lower triangle, overwritten by its
 * Cholesky factor); -1 when h is not positive definite. */
static int
cholesky_solve(double *h, double *g, size_t q)
{
	for (size_t j = 0; j < q; j++) {
		double d = h[j * DIM + j];
		for (size_t k = 0; k < j; k++)
			d -= h[j * DIM + k] * h[j * DIM + k];
		if (!(d > 0))
			return -1;
		h[j * DIM + j] = sqrt(d);
		for (size_t i = j + 1; i < q; i++) {
			double s = h[i * DIM + j];
			for (size_t k = 0; k < j; k++)
				s -= h[i * DIM + k] * h[j * DIM + k];
			h[i * DIM + j] = s / h[j * DIM + j];
		}
	}
	for (size_t i = 0; i < q; i++) {
		for (size_t k = 0; k < i; k++)
			g[i] -= h[i * DIM + k] * g[k];
		g[i] /= h[i * DIM + i];
	}
	for (size_t i = q; i-- > 0;) {
		for (size_t k = i + 1; k < q; k++)
			g[i] -= h[k * DIM + i] * g[k];
		g[i] /= h[i * DIM + i];
	}
	return 0;
}

/* The derivatives of a fit at beta: gradient, Hessian (DIM x DIM), and
 * whether they are at the current beta. */
struct deriv {
	double	 g[DIM];
	double	*h;
	int	 fresh;
};

/* One damped Newton step from beta, with the derivatives d there (the
 * full step's trial computes them at its own point, for the next step:
 * the full step is nearly always the one taken); returns the largest
 * change made. */
static double
newton_step(const double *x, const double *y, const struct nonzero *nzs, size_t n, size_t p,
            double c, double *beta, double *f, struct deriv *d, struct deriv *next,
            struct partial *part)
{
	double trial[DIM];
	size_t q = p + 1;
	if (!d->fresh)
		evaluate(x, y, nzs, n, p, c, beta, d->g, d->h, part);
	d->fresh = 0;		/* solved in place below */
	if (cholesky_solve(d->h, d->g, q) != 0)
		return NAN;
	for (double t = 1; t > 1e-8; t /= 2) {
		double big = 0;
		for (size_t j = 0; j < q; j++) {
			trial[j] = beta[j] - t * d->g[j];
			big = fmax(big, fabs(t * d->g[j]));
		}
		int full = t == 1;
		double ft = evaluate(x, y, nzs, n, p, c, trial, full ? next->g : NULL, next->h, part);
		if (ft <= *f || big < 1e-12) {
			memcpy(beta, trial, q * sizeof *beta);
			*f = ft;
			next->fresh = full;
			return big;
		}
	}
	next->fresh = 0;
	return 0;	/* no step lowers it: at the minimum to rounding */
}

int
winmodel_fit(const double *x, const double *y, size_t n, size_t p, double c,
             struct winmodel_fit *m)
{
	return winmodel_fit_from(x, y, n, p, c, NULL, m);
}

int
winmodel_fit_from(const double *x, const double *y, size_t n, size_t p, double c,
                  const struct winmodel_fit *start, struct winmodel_fit *m)
{
	double beta[DIM] = { 0 };
	if (p > WINMODEL_MAX_P || n == 0 || !(c > 0)) {
		memset(m, 0, sizeof *m);
		return -1;
	}
	if (start != NULL && start->p == p) {
		beta[0] = start->b;
		memcpy(beta + 1, start->w, p * sizeof *beta);
	}
	memset(m, 0, sizeof *m);
	struct deriv dv[2] = { { .h = malloc(DIM * DIM * sizeof(double)) },
	                       { .h = malloc(DIM * DIM * sizeof(double)) } };
	struct nonzero nzs = { NULL, NULL };
	struct partial *part = malloc(PARALLEL_CHUNKS * sizeof *part);
	int rc = -1;
	double f;
	if (part == NULL || nonzero_find(x, n, p, &nzs) != 0 || dv[0].h == NULL || dv[1].h == NULL)
		goto out;
	f = evaluate(x, y, &nzs, n, p, c, beta, dv[0].g, dv[0].h, part);
	dv[0].fresh = 1;
	for (m->iterations = 1; m->iterations <= 100; m->iterations++) {
		/* this step's derivatives in dv[k], the next step's into dv[!k] */
		int k = (m->iterations - 1) & 1;
		double step = newton_step(x, y, &nzs, n, p, c, beta, &f, &dv[k], &dv[!k], part);
		if (isnan(step))
			break;
		if (step < 1e-10) {
			m->converged = 1;
			rc = 0;
			break;
		}
	}
out:
	free(nzs.n);
	free(nzs.col);
	free(part);
	free(dv[0].h);
	free(dv[1].h);
	m->p = p;
	m->b = beta[0];
	memcpy(m->w, beta + 1, p * sizeof *beta);
	return rc;
}

double
winmodel_predict(const struct winmodel_fit *m, const double *x)
{
	double z = m->b;
	for (size_t j = 0; j < m->p; j++)
		z += m->w[j] * x[j];
	return sigmoid(z);
}
