/* The model check against what happened (reportd/metrics/holdout.c): the
 * split at the cut on a hand-made base, no leakage from the holdout into
 * the fit on a synthetic one, and the comparison of Fader, Hardie & Lee
 * (2005) on CDNOW (39 weeks of calibration, 39 of holdout). */
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
#include "date.h"
#include "holdout.h"
#include "testlib.h"

#define assert_near(got, want, tol) do {						\
	double g_ = (got), w_ = (want), t_ = (tol);					\
	if (!(fabs(g_ - w_) <= t_))							\
		fail_msg("%s = %.17g, want %.17g within %g", #got, g_, w_, t_);	\
} while (0)

static int32_t
civil(int y, int m, int d)
{
	return days_from_civil(y, (unsigned)m, (unsigned)d);
}

/* A snapshot of revenue rows only, built row by row (rows of one account
 * together, days ascending within). */
struct base {
	struct snapshot	 s;
	size_t		 cap;
};

static void
base_init(struct base *b, size_t n_acct, int32_t as_of)
{
	memset(b, 0, sizeof *b);
	b->s.as_of = as_of;
	b->s.n_acct = n_acct;
	b->s.acct = calloc(n_acct + 1, sizeof *b->s.acct);
	b->s.rev_first = calloc(n_acct + 1, sizeof *b->s.rev_first);
	b->cap = 1024;
	b->s.rev = malloc(b->cap * sizeof *b->s.rev);
	assert_non_null(b->s.acct);
	assert_non_null(b->s.rev);
}

static void
base_add(struct base *b, uint32_t acct, int32_t day, double amount)
{
	if (b->s.n_rev == b->cap) {
		b->cap *= 2;
		b->s.rev = realloc(b->s.rev, b->cap * sizeof *b->s.rev);
		assert_non_null(b->s.rev);
	}
	/* amounts in minor units, as the snapshot holds them */
	b->s.rev[b->s.n_rev++] = (struct snap_revenue){ acct, day, (int64_t)llround(amount * 100), MONEY_NONE };
}

static int
cmp_rev(const void *pa, const void *pb)
{
	const struct snap_revenue *a = pa, *b = pb;
	if (a->acct != b->acct)
		return a->acct < b->acct ? -1 : 1;
	return (a->day > b->day) - (a->day < b->day);
}

/* Sorts the rows and indexes them by account. */
static void
base_done(struct base *b)
{
	qsort(b->s.rev, b->s.n_rev, sizeof *b->s.rev, cmp_rev);
	size_t i = 0;
	for (size_t a = 0; a <= b->s.n_acct; a++) {
		while (i < b->s.n_rev && b->s.rev[i].acct < a)
			i++;
		b->s.rev_first[a] = (uint32_t)i;
	}
}

static void
base_free(struct base *b)
{
	free(b->s.acct);
	free(b->s.rev);
	free(b->s.rev_first);
}

/* The split by hand: what counts as a purchase, on which side of the cut,
 * and who is in the comparison. */
static void
test_split(void **state)
{
	(void)state;
	struct base b;
	int32_t as_of = civil(2026, 6, 30), cut = as_of - 7 * 13;
	base_init(&b, 4, as_of);
	/* 0: three purchase days by the cut (one of two rows), one credit-only
	 *    day, two purchases after the cut, the last on as_of */
	base_add(&b, 0, cut - 70, 10);
	base_add(&b, 0, cut - 35, 5);
	base_add(&b, 0, cut - 35, 7);
	base_add(&b, 0, cut, 1);
	base_add(&b, 0, cut + 1, -4);
	base_add(&b, 0, cut + 2, 3);
	base_add(&b, 0, as_of, 3);
	/* 1: one purchase by the cut, none after */
	base_add(&b, 1, cut - 7, 2);
	/* 2: first seen after the cut: not in the comparison */
	base_add(&b, 2, cut + 10, 8);
	base_add(&b, 2, cut + 20, 8);
	/* 3: a credit only */
	base_add(&b, 3, cut - 3, -1);
	base_done(&b);

	struct holdout h;
	holdout_check(&b.s, 13, &h);
	assert_int_equal(h.weeks, 13);
	assert_int_equal(h.cut, cut);
	assert_int_equal(h.accounts, 2);
	assert_near(h.actual, 2, 0);
	assert_int_equal(h.bins[2].accounts, 1);	/* account 0: x = 2 */
	assert_near(h.bins[2].actual, 2, 0);
	assert_int_equal(h.bins[0].accounts, 1);	/* account 1: x = 0 */
	assert_near(h.bins[0].actual, 0, 0);
	/* two accounts are too few to fit: the predictions are absent */
	assert_false(h.fit.fitted);
	assert_true(isnan(h.predicted) && isnan(h.mae));

	holdout_check(&b.s, 0, &h);			/* off */
	assert_int_equal(h.weeks, 0);
	assert_int_equal(h.accounts, 0);
	assert_true(isnan(h.actual) && isnan(h.predicted));
	base_free(&b);
}

static uint64_t rng = 88172645463325252ULL;

static double
uniform(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (double)(rng >> 11) / 9007199254740992.0;
}

/* A buy-till-you-die base: each account joins in the first 300 days,
 * buys at its own Poisson rate and, after each purchase, drops out with
 * its own probability.  extra != 0 adds, after the cut, that many
 * purchases to every third account and a new account first seen there. */
static void
synthetic(struct base *b, int32_t as_of, int extra)
{
	enum { N = 600 };
	int32_t cut = as_of - 7 * 13, start = as_of - 500;
	rng = 88172645463325252ULL;
	base_init(b, N + 1, as_of);
	for (uint32_t a = 0; a < N; a++) {
		double rate = 0.01 + 0.09 * uniform(), drop = 0.05 + 0.3 * uniform();
		double day = start + 300 * uniform();
		for (;;) {
			base_add(b, a, (int32_t)day, 1 + 99 * uniform());
			if (uniform() < drop)
				break;
			day += -log(1 - uniform()) / rate;
			if (day > as_of)
				break;
		}
		if (extra && a % 3 == 0)
			for (int k = 0; k < extra; k++)
				base_add(b, a, cut + 1 + (k * 7) % (7 * 13), 50);
	}
	if (extra) {
		base_add(b, N, cut + 5, 20);
		base_add(b, N, cut + 40, 20);
	}
	base_done(b);
}

/* Purchases after the cut change the actual figures only: the fit and
 * every prediction stay bit for bit the same.  A change before the cut
 * does move the fit (so the test can tell). */
static void
test_no_leakage(void **state)
{
	(void)state;
	int32_t as_of = civil(2026, 6, 30), cut = as_of - 7 * 13;
	struct base b0, b1;
	struct holdout h0, h1;
	synthetic(&b0, as_of, 0);
	synthetic(&b1, as_of, 5);
	holdout_check(&b0.s, 13, &h0);
	holdout_check(&b1.s, 13, &h1);
	assert_true(h0.fit.fitted);
	assert_true(h1.fit.fitted);
	print_message("synthetic: %zu accounts, predicted %.2f, actual %.0f, MAE %.3f;"
	              " with holdout purchases added: actual %.0f\n",
	              h0.accounts, h0.predicted, h0.actual, h0.mae, h1.actual);
	assert_true(h0.accounts > 300);
	assert_true(h0.actual > 0);
	assert_int_equal(h1.accounts, h0.accounts);
	assert_memory_equal(h1.fit.p, h0.fit.p, sizeof h0.fit.p);
	assert_memory_equal(&h1.fit.loglik, &h0.fit.loglik, sizeof h0.fit.loglik);
	assert_memory_equal(&h1.predicted, &h0.predicted, sizeof h0.predicted);
	size_t added = 0;
	for (size_t a = 0; a < 600; a += 3) {
		/* the added purchases count for accounts that had bought by the
		 * cut, on days they had not bought already */
		const struct snap_revenue *g = b0.s.rev + b0.s.rev_first[a];
		size_t n = b0.s.rev_first[a + 1] - b0.s.rev_first[a];
		if (n == 0 || g[0].day > cut)
			continue;
		for (int k = 0; k < 5; k++) {
			int32_t day = cut + 1 + (k * 7) % (7 * 13);
			int seen = 0;
			for (size_t i = 0; i < n; i++)
				seen |= g[i].day == day;
			added += !seen;
		}
	}
	assert_true(added > 100);
	assert_near(h1.actual, h0.actual + (double)added, 0);
	for (int k = 0; k < HOLDOUT_BINS; k++) {
		assert_int_equal(h1.bins[k].accounts, h0.bins[k].accounts);
		assert_memory_equal(&h1.bins[k].predicted, &h0.bins[k].predicted, sizeof(double));
	}
	assert_true(h1.mae != h0.mae);

	/* one more purchase before the cut moves the fit */
	base_add(&b0, 1, cut - 1, 10);
	base_done(&b0);
	holdout_check(&b0.s, 13, &h1);
	assert_true(h1.fit.fitted);
	assert_true(memcmp(h1.fit.p, h0.fit.p, sizeof h0.fit.p) != 0);
	base_free(&b0);
	base_free(&b1);
}

/* CDNOW as in Fader, Hardie & Lee (2005): calibration to 1997-09-30
 * (weeks 1-39), holdout 1997-10-01 to 1998-06-30 (weeks 40-78). */
static void
test_cdnow_holdout(void **state)
{
	(void)state;
	const char *path = testdata_path("cdnow/CDNOW_sample.txt");
	FILE *f = path ? fopen(path, "r") : NULL;
	if (f == NULL) {
		print_message("skipped: data not found (cdnow/CDNOW_sample.txt)\n");
		skip();
	}
	struct base b;
	int32_t as_of = civil(1998, 6, 30);
	base_init(&b, 2357, as_of);
	char line[256];
	while (fgets(line, sizeof line, f)) {
		int master, cust, date, cds;
		double value;
		assert_int_equal(sscanf(line, "%d %d %d %d %lf", &master, &cust, &date, &cds, &value), 5);
		assert_true(cust >= 1 && cust <= 2357);
		base_add(&b, (uint32_t)(cust - 1), civil(date / 10000, date / 100 % 100, date % 100), value);
	}
	fclose(f);
	assert_int_equal(b.s.n_rev, 6919);
	base_done(&b);

	struct holdout h;
	holdout_check(&b.s, 39, &h);
	assert_int_equal(h.cut, civil(1997, 9, 30));
	assert_int_equal(h.accounts, 2357);
	assert_true(h.fit.fitted);
	/* the calibration fit is the published one (docs/metrics.md §2): the
	 * holdout split gives back the 39-week summary */
	assert_near(h.fit.p[0], 0.2426, 1e-3 * 0.2426);
	assert_near(h.fit.p[1], 4.4136, 1e-3 * 4.4136);
	assert_near(h.fit.p[2], 0.7929, 1e-3 * 0.7929);
	assert_near(h.fit.p[3], 2.4259, 1e-3 * 2.4259);
	assert_near(h.fit.loglik, -9582.43, 1e-2);
	print_message("CDNOW holdout: %.2f repeat purchases predicted (sum of conditional"
	              " expectations), %.0f happened, MAE %.4f\n", h.predicted, h.actual, h.mae);
	for (int k = 0; k < HOLDOUT_BINS; k++)
		print_message("  x = %d%s: %4d accounts, actual mean %.3f, predicted mean %.3f\n", k,
		              k == HOLDOUT_BINS - 1 ? "+" : " ", h.bins[k].accounts,
		              h.bins[k].actual / h.bins[k].accounts,
		              h.bins[k].predicted / h.bins[k].accounts);
	/* actual: 1,882 repeat purchases (distinct customer-days) in weeks 40-78 */
	assert_near(h.actual, 1882, 0);
	/* predicted: with the published parameters over the published 39-week
	 * summary, the sum of E[Y(39) | x, t_x, T] is 1653.44 (worked out
	 * apart from this code, with the plain 2F1 series).  Parameters within
	 * docs/metrics.md's 1e-3 relative move that sum by at most 1.45 (the worst
	 * of the 16 corners), hence 1.5.  So the model under-predicts the
	 * holdout by 12%, most of it among the x = 1 and x = 2 accounts. */
	assert_near(h.predicted, 1653.44, 1.5);
	assert_near(h.predicted / h.actual, 0.8786, 1e-3);
	base_free(&b);

	/* the same sum from the published figures alone */
	const char *sum_path = testdata_path("cdnow/cdnow_summary_39w.csv");
	f = sum_path ? fopen(sum_path, "r") : NULL;
	assert_non_null(f);
	static const double pub[4] = { 0.2426, 4.4136, 0.7929, 2.4259 };
	double sum = 0;
	int rows = 0;
	assert_non_null(fgets(line, sizeof line, f));
	while (fgets(line, sizeof line, f)) {
		int id;
		struct rfm d;
		double zbar;
		assert_int_equal(sscanf(line, "%d,%d,%lf,%lf,%lf", &id, &d.x, &d.t_x, &d.T, &zbar), 5);
		sum += bgnbd_expected(pub, &d, 39);
		rows++;
	}
	fclose(f);
	assert_int_equal(rows, 2357);
	assert_near(sum, 1653.44, 0.01);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_no_leakage),
		cmocka_unit_test(test_cdnow_holdout),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
