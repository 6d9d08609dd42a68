/* Concentration (METRICS.md §1): ranks the items with a positive value by
 * value descending, ties by id ascending, and derives the top-20% share,
 * the share of items needed for 80%, the Gini coefficient, Lorenz points
 * and ABC classes.  Running totals are kept in long double so that ties
 * and the 80%/95% boundaries do not depend on summation order noise. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "concentration.h"
#include "util.h"

struct item {
	double	 v;
	int64_t	 id;
	size_t	 i;
};

static int
by_value_desc(const void *pa, const void *pb)
{
	const struct item *a = pa, *b = pb;
	if (a->v != b->v)
		return a->v > b->v ? -1 : 1;
	return (a->id > b->id) - (a->id < b->id);
}

void
concentration_compute(const int64_t *ids, const double *values, size_t n,
                      struct concentration *c, char *abc, uint32_t *rank)
{
	memset(c, 0, sizeof *c);
	c->top20_share = c->frac_for_80 = c->gini = NAN;
	struct item *it = xmalloc((n ? n : 1) * sizeof *it);
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		abc[i] = 0;
		rank[i] = 0;
		if (values[i] > 0 && isfinite(values[i]))
			it[m++] = (struct item){ values[i], ids[i], i };
		else
			c->non_positive++;
	}
	c->n = m;
	if (m == 0) {
		free(it);
		return;
	}
	qsort(it, m, sizeof *it, by_value_desc);

	long double total = 0, weighted = 0;
	for (size_t i = 0; i < m; i++)
		total += it[i].v;
	c->total = (double)total;

	/* Ranks, ABC classes, top 20% and the share needed for 80%. */
	size_t k20 = (2 * m + 5) / 10;	/* round(0.2 m), never a half here */
	if (k20 < 1)
		k20 = 1;
	long double cum = 0, a80 = 0.80L * total, a95 = 0.95L * total;
	for (size_t i = 0; i < m; i++) {
		char cls = cum < a80 ? 'A' : cum < a95 ? 'B' : 'C';
		abc[it[i].i] = cls;
		rank[it[i].i] = (uint32_t)(i + 1);
		cum += it[i].v;
		if (cls == 'A') {
			c->n_a++;
			c->rev_a += it[i].v;
		} else if (cls == 'B') {
			c->n_b++;
			c->rev_b += it[i].v;
		} else {
			c->n_c++;
			c->rev_c += it[i].v;
		}
		if (i + 1 == k20)
			c->top20_share = (double)(cum / total);
		if (isnan(c->frac_for_80) && cum >= a80)
			c->frac_for_80 = (double)(i + 1) / (double)m;
		/* ascending position of this item is m - i */
		weighted += (long double)(m - i) * it[i].v;
	}
	c->gini = (double)(2.0L * weighted / ((long double)m * total) -
	                   (long double)(m + 1) / (long double)m);

	/* Lorenz points over the ascending order: (j/m, share of the j
	 * smallest); all of them up to 100 items, else 101 evenly spaced. */
	size_t pts = m <= 100 ? m + 1 : 101;
	long double below = 0;	/* total of the j smallest */
	size_t j = 0;
	for (size_t p = 0; p < pts; p++) {
		size_t target = m <= 100 ? p : (size_t)llround((double)p * (double)m / 100.0);
		while (j < target) {
			below += it[m - 1 - j].v;
			j++;
		}
		c->lorenz_x[p] = (double)j / (double)m;
		c->lorenz_y[p] = j == m ? 1.0 : (double)(below / total);
	}
	c->n_lorenz = pts;
	free(it);
}
