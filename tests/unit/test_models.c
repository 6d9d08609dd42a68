/* The customer-base models against their published results (docs/metrics.md
 * §2, on shared/data/cdnow/cdnow_summary_39w.csv) and the special
 * functions against closed forms. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bgnbd.h"
#include "concentration.h"
#include "gammagamma.h"
#include "special.h"
#include "testlib.h"

#define assert_near(got, want, tol) do {						\
	double g_ = (got), w_ = (want), t_ = (tol);					\
	if (!(fabs(g_ - w_) <= t_))							\
		fail_msg("%s = %.17g, want %.17g within %g", #got, g_, w_, t_);	\
} while (0)

/* A published figure with `decimals` digits: docs/metrics.md's relative
 * tolerance, but never tighter than the rounding of the publication. */
#define assert_published(got, pub, decimals) \
	assert_near(got, pub, fmax(1e-3 * fabs(pub), 0.5 * pow(10, -(decimals))))

static void
test_digamma(void **state)
{
	(void)state;
	assert_near(digamma(1), -0.57721566490153286, 1e-14);
	assert_near(digamma(0.5), -1.9635100260214235, 1e-13);
	assert_near(digamma(10), 2.2517525890667211, 1e-14);
	assert_near(digamma(1e-3), -1000.5755719318103, 1e-9);
	assert_true(isnan(digamma(0)));
}

static void
test_hyp2f1(void **state)
{
	(void)state;
	/* 2F1(1,1;2;z) = -ln(1-z)/z */
	for (double z = 0.05; z < 0.999; z += 0.0731)
		assert_near(exp(log_hyp2f1(1, 1, 2, z, 10000000L)), -log1p(-z) / z, 1e-12);
	/* 2F1(a,b;b;z) = (1-z)^-a, also where the terms would overflow */
	assert_near(log_hyp2f1(300, 7.5, 7.5, 0.99, 10000000L), -300 * log(0.01), 1e-8);
	assert_near(log_hyp2f1(2.5, 3, 3, 0.999, 10000000L), -2.5 * log(0.001), 1e-9);
	assert_near(log_hyp2f1(1, 1, 2, 0, 10), 0, 0);
	assert_true(isnan(log_hyp2f1(1, 1, 2, 1, 10)));
	assert_true(isnan(log_hyp2f1(1, 1, 2, 0.999999, 100)));	/* not converged */
}

/* Reads ID,x,t_x,T,zbar. */
static size_t
read_summary(struct rfm **out, double **zbar)
{
	const char *path = testdata_path("cdnow/cdnow_summary_39w.csv");
	if (path == NULL)
		return 0;
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	char line[256];
	size_t n = 0, cap = 4096;
	*out = malloc(cap * sizeof **out);
	*zbar = malloc(cap * sizeof **zbar);
	assert_non_null(fgets(line, sizeof line, f));
	assert_int_equal(strncmp(line, "ID,x,t_x,T,zbar", 15), 0);
	while (fgets(line, sizeof line, f)) {
		int id, x;
		double tx, T, z;
		assert_int_equal(sscanf(line, "%d,%d,%lf,%lf,%lf", &id, &x, &tx, &T, &z), 5);
		assert_true(n < cap);
		(*out)[n] = (struct rfm){ x, tx, T };
		(*zbar)[n++] = z;
	}
	fclose(f);
	return n;
}

static void
test_cdnow_published(void **state)
{
	(void)state;
	struct rfm *d = NULL;
	double *zbar = NULL;
	size_t n = read_summary(&d, &zbar);
	if (n == 0) {
		print_message("skipped: data not found (cdnow/cdnow_summary_39w.csv)\n");
		skip();
	}
	assert_int_equal(n, 2357);

	double p[4], ll;
	assert_int_equal(bgnbd_fit(d, n, p, &ll), 0);
	/* published: r 0.2426, alpha 4.4136, a 0.7929, b 2.4259, LL -9582.43;
	 * 1e-3 relative on parameters, 1e-2 absolute on the log-likelihood */
	assert_published(p[0], 0.2426, 4);
	assert_published(p[1], 4.4136, 4);
	assert_published(p[2], 0.7929, 4);
	assert_published(p[3], 2.4259, 4);
	assert_near(ll, -9582.43, 1e-2);
	double sum = 0;
	for (size_t i = 0; i < n; i++)
		sum += bgnbd_loglik1(p, &d[i]);
	assert_near(sum, ll, 1e-6);

	print_message("BG/NBD r %.6f alpha %.6f a %.6f b %.6f LL %.4f\n", p[0], p[1], p[2], p[3], ll);
	struct rfm c1 = { 2, 30.43, 38.86 };
	assert_near(bgnbd_expected(p, &c1, 39), 1.2259, 1e-4);
	assert_near(bgnbd_expected(p, &c1, 0), 0, 0);
	double pa = bgnbd_p_alive(p, &c1);
	assert_true(pa > 0 && pa < 1);
	struct rfm never = { 0, 0, 38.86 };
	assert_near(bgnbd_p_alive(p, &never), 1, 0);

	struct gg_obs *g = malloc(n * sizeof *g);
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (d[i].x > 0)
			g[m++] = (struct gg_obs){ d[i].x, zbar[i] };
	assert_int_equal(m, 946);
	double q[3];
	assert_int_equal(gammagamma_fit(g, m, q, &ll), 0);
	assert_published(q[0], 6.25, 2);
	assert_published(q[1], 3.74, 2);
	assert_published(q[2], 15.44, 2);
	print_message("Gamma-Gamma p %.6f q %.6f gamma %.6f LL %.4f\n", q[0], q[1], q[2], ll);
	assert_near(ll, -4055.92, 1e-2);
	sum = 0;
	for (size_t i = 0; i < m; i++)
		sum += gammagamma_loglik1(q, &g[i]);
	assert_near(sum, ll, 1e-6);
	static const double ev[10] = { 24.65, 18.91, 35.17, 35.17, 35.17, 71.46, 18.91,
	                               35.17, 27.28, 35.17 };
	for (int i = 0; i < 10; i++)
		assert_near(gammagamma_expected(q, d[i].x, zbar[i]), ev[i], 0.1);
	free(g);
	free(d);
	free(zbar);
}

static void
test_fit_refuses(void **state)
{
	(void)state;
	double p[4], q[3], ll;
	struct rfm none[3] = { { 0, 0, 10 }, { 0, 0, 12 }, { 0, 0, 3 } };
	assert_int_equal(bgnbd_fit(none, 3, p, &ll), -1);	/* no repeat purchase */
	assert_int_equal(bgnbd_fit(none, 1, p, &ll), -1);
	struct rfm bad[2] = { { 1, 5, 3 }, { 0, 0, 2 } };	/* t_x > T */
	assert_int_equal(bgnbd_fit(bad, 2, p, &ll), -1);
	struct gg_obs neg[2] = { { 1, -3 }, { 2, 5 } };
	assert_int_equal(gammagamma_fit(neg, 2, q, &ll), -1);
	q[0] = 2;
	q[1] = 0.5;
	q[2] = 1;
	assert_true(isnan(gammagamma_expected(q, 0, 0)));
}

/* docs/metrics.md §1 on a hand-computable population with ties, a credit-only
 * item and a zero. */
static void
test_concentration(void **state)
{
	(void)state;
	const int64_t ids[] = { 7, 3, 9, 1, 4, 5, 2 };
	const int64_t v[] = { 10, 40, 10, 20, -5, 0, 20 };
	char abc[7];
	uint32_t rank[7];
	struct concentration c;
	concentration_compute(ids, v, 7, &c, abc, rank);
	/* ranked: 3:40, 1:20, 2:20, 7:10, 9:10 (ties by id); T = 100 */
	assert_int_equal(c.n, 5);
	assert_int_equal(c.non_positive, 2);
	assert_near(c.total, 100, 0);
	assert_near(c.top20_share, 0.4, 1e-15);	/* k = round(1.0) = 1 */
	assert_near(c.frac_for_80, 0.6, 1e-15);	/* cum 40 60 80: i = 3 */
	/* ascending 10 10 20 20 40: 2 * 370 / 500 - 6 / 5 */
	assert_near(c.gini, 0.28, 1e-15);
	const char want_abc[] = { 'B', 'A', 'B', 'A', 0, 0, 'A' };
	const uint32_t want_rank[] = { 4, 1, 5, 2, 0, 0, 3 };
	for (int i = 0; i < 7; i++) {
		assert_int_equal(abc[i], want_abc[i]);
		assert_int_equal(rank[i], want_rank[i]);
	}
	assert_int_equal(c.n_a, 3);
	assert_int_equal(c.n_b, 2);
	assert_int_equal(c.n_c, 0);
	assert_near(c.rev_a, 80, 0);
	assert_int_equal(c.n_lorenz, 6);
	const double ly[] = { 0, 0.1, 0.2, 0.4, 0.6, 1 };
	for (int i = 0; i < 6; i++) {
		assert_near(c.lorenz_x[i], i / 5.0, 1e-15);
		assert_near(c.lorenz_y[i], ly[i], 1e-15);
	}

	/* Nothing positive: every figure absent. */
	const int64_t z[] = { 0, -1 };
	concentration_compute(ids, z, 2, &c, abc, rank);
	assert_int_equal(c.n, 0);
	assert_true(isnan(c.top20_share) && isnan(c.gini) && isnan(c.frac_for_80));

	/* A large population gets 101 Lorenz points ending at (1, 1). */
	enum { BIG = 1003 };
	int64_t *bid = malloc(BIG * sizeof *bid);
	int64_t *bv = malloc(BIG * sizeof *bv);
	char *babc = malloc(BIG);
	uint32_t *brank = malloc(BIG * sizeof *brank);
	for (int i = 0; i < BIG; i++) {
		bid[i] = i;
		bv[i] = 1;	/* all equal: Gini 0, top 20% hold 20% */
	}
	concentration_compute(bid, bv, BIG, &c, babc, brank);
	assert_int_equal(c.n_lorenz, 101);
	assert_near(c.lorenz_x[100], 1, 0);
	assert_near(c.lorenz_y[100], 1, 0);
	assert_near(c.gini, 0, 1e-12);
	assert_near(c.top20_share, 201.0 / BIG, 1e-12);	/* round(200.6) = 201 */
	assert_int_equal(brank[0], 1);			/* ties by id */
	assert_int_equal(brank[BIG - 1], BIG);
	free(bid);
	free(bv);
	free(babc);
	free(brank);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_digamma),
		cmocka_unit_test(test_hyp2f1),
		cmocka_unit_test(test_cdnow_published),
		cmocka_unit_test(test_fit_refuses),
		cmocka_unit_test(test_concentration),
	};
	return cmocka_run_group_tests_name("models", tests, NULL, NULL);
}
