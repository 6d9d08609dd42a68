/* The close-probability model (reportd/metrics/winmodel.c, dealstate.c,
 * winforecast.c): no leakage (a deal's row at t is the same whether or not
 * the records dated after t exist; a deal closed after the cut gives no
 * training row), and a fit on a separable-free toy set.  With
 * `--fit FILE` it prints the fit of the CSV FILE (features..., label) for
 * tests/integration/winmodel.sh to set beside scikit-learn's. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dealstate.h"
#include "parallel.h"
#include "winforecast.h"
#include "winmodel.h"

#define DAY 86400.0
#define T0 (20000 * DAY)	/* the point the rows are taken at */

/* A hand-made snapshot: one account, one owner, one source, two deals
 * (0 open at T0; 1, the owner's other deal, won) with their history,
 * activities and reviews; `later`: also every record dated after T0. */
struct toy {
	struct snapshot		 s;
	struct snap_account	 acct[1];
	int64_t			 owner_id[1];
	char			*sources[1];
	struct snap_opp		 opp[2];
	struct snap_hist	 hist[4];
	struct snap_activity	 act[3];
	struct snap_review	 review[2];
};

static void
toy_deal(struct snap_opp *o, double created, double closed, int outcome)
{
	memset(o, 0, sizeof *o);
	o->owner = 0;
	o->amount = 1000000;
	o->probability = NAN;
	o->created = created;
	o->entered = NAN;
	o->closed = closed;
	o->outcome = (int8_t)outcome;
}

static void
toy_build(struct toy *t, int later)
{
	static char src[] = "referral";
	memset(t, 0, sizeof *t);
	t->s.money_digits = 2;
	t->s.as_of = 20100;
	t->s.acct = t->acct;
	t->s.n_acct = 1;
	t->acct[0].need = t->acct[0].pay = t->acct[0].authority = 1;
	t->acct[0].qualified = later;
	t->acct[0].qual_at = t->acct[0].reached_at = later ? T0 + 3 * DAY : NAN;
	t->s.owner_id = t->owner_id;
	t->s.n_owner = 1;
	t->sources[0] = src;
	t->s.sources = t->sources;
	t->s.n_source = 1;
	t->s.opp = t->opp;
	t->s.n_opp = 2;
	toy_deal(&t->opp[0], T0 - 40 * DAY, later ? T0 + 9 * DAY : NAN,
	         later ? OUTCOME_WON : OUTCOME_OPEN);
	toy_deal(&t->opp[1], T0 - 60 * DAY, later ? T0 + 1 * DAY : NAN,
	         later ? OUTCOME_WON : OUTCOME_OPEN);
	t->s.hist = t->hist;
	t->hist[t->s.n_hist++] = (struct snap_hist){ 0, 1, T0 - 40 * DAY };
	t->hist[t->s.n_hist++] = (struct snap_hist){ 0, 2, T0 - 20 * DAY };
	if (later)
		t->hist[t->s.n_hist++] = (struct snap_hist){ 0, 4, T0 + 2 * DAY };
	t->opp[0].hist_first = 0;
	t->opp[0].hist_n = (uint32_t)t->s.n_hist;
	t->s.act = t->act;
	t->act[t->s.n_act++] = (struct snap_activity){ 0, 0, 0, T0 - 5 * DAY, 30 };
	if (later)
		t->act[t->s.n_act++] = (struct snap_activity){ 0, 0, 0, T0 + 1 * DAY, 30 };
	t->s.review = t->review;
	if (later)
		t->review[t->s.n_review++] = (struct snap_review){ 0, T0 + 3 * DAY };
}

static void
row_of(struct toy *t, double at, double *x)
{
	struct dealstate ds;
	dealstate_init(&ds, &t->s);
	dealstate_row(&ds, 0, at, dealstate_prior(&ds, at), x);
	dealstate_free(&ds);
}

/* Deal 0's row at T0 is the same with and without what happened after
 * T0 (its later layer, activity, review, close, its key person reached,
 * the qualification set, the owner's other deal won): and the records do
 * show at a later point, so the test sees them when they are in reach. */
static void
test_no_leakage(void **state)
{
	(void)state;
	struct toy before, after;
	double xb[WINMODEL_MAX_P], xa[WINMODEL_MAX_P];
	toy_build(&before, 0);
	toy_build(&after, 1);
	row_of(&before, T0, xb);
	row_of(&after, T0, xa);
	for (size_t j = 0; j < DS_FIXED + 1; j++)
		if (xa[j] != xb[j])
			fail_msg("column %s at t: %g without later records, %g with them",
			         dealstate_name(j), xb[j], xa[j]);
	row_of(&after, T0 + 5 * DAY, xa);
	assert_true(xa[DS_LAYER4] == 1 && xa[DS_KEY_PERSON] == 1 && xa[DS_QUAL_KNOWN] == 1);
	assert_true(xa[DS_REVIEWED_IN_LAYER] == 1);
}

/* Training rows at a cut take no deal closed after it. */
static void
test_rows_known_at_cut(void **state)
{
	(void)state;
	struct toy t;
	struct dealstate ds;
	struct wf_rows r;
	toy_build(&t, 1);
	dealstate_init(&ds, &t.s);
	wf_rows_build(&ds, T0 + 5 * DAY, 365, &r);	/* deal 1 closed, deal 0 not yet */
	size_t n1 = r.n;
	wf_rows_free(&r);
	wf_rows_build(&ds, T0 + 30 * DAY, 365, &r);	/* both closed */
	size_t n2 = r.n;
	wf_rows_free(&r);
	dealstate_free(&ds);
	assert_true(n1 > 0);
	assert_true(n2 > n1);
	/* deal 1 (60 days, closed at T0 + 1): weekly points before its close */
	assert_int_equal(n1, 9);
}

/* A fit whose answer is known: one binary feature, no penalty to speak
 * of, gives the logits of the two groups' shares. */
static void
test_fit_groups(void **state)
{
	(void)state;
	double x[200], y[200];
	struct winmodel_fit m;
	for (int i = 0; i < 200; i++) {
		x[i] = i < 100;
		y[i] = i < 100 ? (i % 4 != 0) : (i % 5 == 0);	/* 75% and 20% */
	}
	assert_int_equal(winmodel_fit(x, y, 200, 1, 1e9, &m), 0);
	double one = 1, zero = 0;
	assert_true(fabs(winmodel_predict(&m, &one) - 0.75) < 1e-6);
	assert_true(fabs(winmodel_predict(&m, &zero) - 0.20) < 1e-6);
}

/* parallel_chunks: each slice's bounds and its sum of a series whose
 * float sum depends on the order it is taken in, per slice. */
struct chunk_rec {
	const double	*v;
	unsigned char	*seen;		/* per element: how many times visited */
	size_t		 from[PARALLEL_CHUNKS], to[PARALLEL_CHUNKS];
	int		 calls[PARALLEL_CHUNKS];
	double		 sum[PARALLEL_CHUNKS];
};

static void
chunk_sum(void *ctx, int c, size_t from, size_t to)
{
	struct chunk_rec *r = ctx;
	double s = 0;
	for (size_t i = from; i < to; i++) {
		s += r->v[i];
		r->seen[i]++;
	}
	r->from[c] = from;
	r->to[c] = to;
	r->calls[c]++;
	r->sum[c] = s;
}

/* The slices are fixed by n alone (not by the cores, nor by whether they
 * run on threads): each called once, every element in exactly one, and
 * each slice's sum the one a plain loop over its bounds takes, on the
 * threads' path (n above PARALLEL_CHUNKS_SERIAL) and the calling
 * thread's. */
static void
test_chunks_fixed(void **state)
{
	(void)state;
	const size_t sizes[] = { 1003, (size_t)PARALLEL_CHUNKS_SERIAL * 5 + 7 };
	for (size_t t = 0; t < sizeof sizes / sizeof *sizes; t++) {
		size_t n = sizes[t];
		double *v = malloc(n * sizeof *v);
		struct chunk_rec r = { .v = v, .seen = calloc(n, 1) };
		assert_non_null(v);
		assert_non_null(r.seen);
		for (size_t i = 0; i < n; i++)
			v[i] = 1.0 / (double)(i + 1) * (i % 2 ? -1e8 : 1);
		parallel_chunks(n, chunk_sum, &r);
		for (int c = 0; c < PARALLEL_CHUNKS; c++) {
			assert_int_equal(r.calls[c], 1);
			assert_int_equal(r.from[c], n * (size_t)c / PARALLEL_CHUNKS);
			assert_int_equal(r.to[c], n * (size_t)(c + 1) / PARALLEL_CHUNKS);
			double s = 0;
			for (size_t i = r.from[c]; i < r.to[c]; i++)
				s += v[i];
			assert_memory_equal(&s, &r.sum[c], sizeof s);
		}
		for (size_t i = 0; i < n; i++)
			assert_int_equal(r.seen[i], 1);
		free(v);
		free(r.seen);
	}
}

/* --fit FILE: the coefficients (intercept first), then each row's
 * probability, one a line.  Any number of rows (winmodel.sh fits one set
 * of 30,000, which the fit sums on several cores). */
static int
fit_file(const char *path)
{
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return perror(path), 2;
	double *x = NULL, *y = NULL;
	char line[1024];
	size_t n = 0, p = 0, cap = 0;
	while (fgets(line, sizeof line, f)) {
		if (line[0] == '#')
			continue;
		double v[WINMODEL_MAX_P + 1];
		size_t k = 0;
		for (char *s = line, *e; k <= WINMODEL_MAX_P; s = e + 1) {
			v[k++] = strtod(s, &e);
			if (*e != ',')
				break;
		}
		if (n == cap) {
			cap = cap ? 2 * cap : 1024;
			x = realloc(x, cap * (WINMODEL_MAX_P + 1) * sizeof *x);
			y = realloc(y, cap * sizeof *y);
			if (x == NULL || y == NULL)
				return fprintf(stderr, "out of memory\n"), 2;
		}
		p = k - 1;
		memcpy(x + n * p, v, p * sizeof *v);
		y[n++] = v[p];
	}
	fclose(f);
	struct winmodel_fit m;
	int rc = 0;
	if (winmodel_fit(x, y, n, p, 1.0, &m) != 0) {
		fprintf(stderr, "the fit failed\n");
		rc = 1;
	} else {
		printf("%.10f\n", m.b);
		for (size_t j = 0; j < p; j++)
			printf("%.10f\n", m.w[j]);
		for (size_t i = 0; i < n; i++)
			printf("%.10f\n", winmodel_predict(&m, x + i * p));
	}
	free(x);
	free(y);
	return rc;
}

int
main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--fit") == 0)
		return fit_file(argv[2]);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_leakage),
		cmocka_unit_test(test_rows_known_at_cut),
		cmocka_unit_test(test_fit_groups),
		cmocka_unit_test(test_chunks_fixed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
