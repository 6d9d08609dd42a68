/* The BFGS minimiser (reportd/metrics/optim.c) on a function that, like
 * the models' mean log likelihood over millions of accounts, carries
 * rounding in its last digits: it must stop at that floor without
 * halving its line search on to steps that can only show rounding. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "optim.h"

/* The minimum of the smooth part: a badly scaled bowl, at f = 17 with
 * rounding (about the BG/NBD fit's mean at a million accounts). */
static const double X0[4] = { -1.4, 1.5, -0.2, 0.9 };
static const double SCALE[4] = { 0.05, 1, 3, 40 };

/* A number in [-1, 1] fixed by x and k (x's bits mixed as splitmix64
 * does): the same point always gives the same rounding, as a sum over
 * fixed data does. */
static double
wobble(const double *x, int n, uint64_t k)
{
	uint64_t h = k * 0x9e3779b97f4a7c15u;
	for (int i = 0; i < n; i++) {
		uint64_t b;
		memcpy(&b, &x[i], sizeof b);
		h ^= b + 0x9e3779b97f4a7c15u + (h << 6) + (h >> 2);
		h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9u;
		h = (h ^ (h >> 27)) * 0x94d049bb133111ebu;
		h ^= h >> 31;
	}
	return (double)(h >> 11) / (double)(1ull << 52) - 1;
}

struct rounded {
	double	base;			/* f at the minimum */
	double	f_noise, g_noise;	/* relative in f, absolute in the gradient */
};

static double
bowl(const double *x, double *grad, void *vctx)
{
	const struct rounded *c = vctx;
	double f = c->base;
	for (int i = 0; i < 4; i++) {
		double d = x[i] - X0[i];
		f += 0.5 * SCALE[i] * d * d + 0.01 * d * d * d * d;
		grad[i] = SCALE[i] * d + 0.04 * d * d * d + c->g_noise * wobble(x, 4, (uint64_t)i + 2);
	}
	return f * (1 + c->f_noise * wobble(x, 4, 1));
}

/* Without rounding, and with f near 0 at its minimum (so that its digits
 * resolve the last steps), the fit goes down to the gradient asked for. */
static void
test_exact(void **state)
{
	(void)state;
	struct rounded c = { 0, 0, 0 };
	double x[4] = { 0, 0, 0, 0 };
	struct optim_result o;
	optim_bfgs(bowl, &c, x, 4, 500, 1e-9, &o);
	assert_true(o.converged);
	assert_true(o.grad_norm < 1e-9);
	for (int i = 0; i < 4; i++)
		assert_true(fabs(x[i] - X0[i]) < 1e-8);
}

/* Rounding of 4e-13 in f and 1e-8 in the gradient (a mean over 4M terms
 * and its derivative): the gradient never gets under the 1e-9 asked for.
 * Before the search's floor (F_RESOLUTION) each of the last searches
 * halved up to 60 times, about 60 evaluations each; now it stops with few
 * evaluations more than iterations, at the minimum to the noise's digits. */
static void
test_rounding_floor(void **state)
{
	(void)state;
	struct rounded c = { 17, 4e-13, 1e-8 };
	double x[4] = { 0, 0, 0, 0 };
	struct optim_result o;
	optim_bfgs(bowl, &c, x, 4, 500, 1e-9, &o);
	printf("# iterations %d, evaluations %d, gradient %g\n", o.iterations, o.evaluations,
	       o.grad_norm);
	assert_true(o.converged);
	for (int i = 0; i < 4; i++)
		assert_true(fabs(x[i] - X0[i]) < 1e-5);
	assert_true(o.evaluations <= o.iterations + 15);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact),
		cmocka_unit_test(test_rounding_floor),
	};
	return cmocka_run_group_tests_name("optim", tests, NULL, NULL);
}
