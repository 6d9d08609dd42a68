/* Concentration (docs/metrics.md §1): ranks the items with a positive value by
 * value descending, ties by id ascending, and derives the top-20% share,
 * the share of items needed for 80%, the Gini coefficient, Lorenz points
 * and ABC classes.  Values are exact integers (minor units of money):
 * totals, ties and the 80%/95% class boundaries are integer arithmetic
 * (cum < 0.8 total as 5 cum < 4 total), so an item that nets to exactly 0
 * is non-positive and no boundary depends on summation order.  Only the
 * shares and the Gini coefficient, ratios, are computed in long double. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "concentration.h"
#include "util.h"

struct item {
	int64_t	 v;
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
concentration_compute(const int64_t *ids, const int64_t *values, size_t n,
                      struct concentration *c, char *abc, uint32_t *rank)
{
	memset(c, 0, sizeof *c);
	c->top20_share = c->frac_for_80 = c->gini = NAN;
	struct item *it = xmalloc((n ? n : 1) * sizeof *it);
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		abc[i] = 0;
		rank[i] = 0;
		if (values[i] > 0)
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

	int64_t total = 0;
	long double weighted = 0;
	for (size_t i = 0; i < m; i++)
		total += it[i].v;
	c->total = total;

	/* Ranks, ABC classes, top 20% and the share needed for 80%. */
	size_t k20 = (2 * m + 5) / 10;	/* round(0.2 m), never a half here */
	if (k20 < 1)
		k20 = 1;
	int64_t cum = 0;
	for (size_t i = 0; i < m; i++) {
		/* cum < 80% of total, < 95%: exact while 20 total fits an int64
		 * (totals below 4.6e17 minor units) */
		char cls = 5 * cum < 4 * total ? 'A' : 20 * cum < 19 * total ? 'B' : 'C';
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
			c->top20_share = (double)((long double)cum / (long double)total);
		if (isnan(c->frac_for_80) && 5 * cum >= 4 * total)
			c->frac_for_80 = (double)(i + 1) / (double)m;
		/* ascending position of this item is m - i */
		weighted += (long double)(m - i) * (long double)it[i].v;
	}
	c->gini = (double)(2.0L * weighted / ((long double)m * (long double)total) -
	                   (long double)(m + 1) / (long double)m);

	/* Lorenz points over the ascending order: (j/m, share of the j
	 * smallest); all of them up to 100 items, else 101 evenly spaced. */
	size_t pts = m <= 100 ? m + 1 : 101;
	int64_t below = 0;	/* total of the j smallest */
	size_t j = 0;
	for (size_t p = 0; p < pts; p++) {
		size_t target = m <= 100 ? p : (size_t)llround((double)p * (double)m / 100.0);
		while (j < target) {
			below += it[m - 1 - j].v;
			j++;
		}
		c->lorenz_x[p] = (double)j / (double)m;
		c->lorenz_y[p] = j == m ? 1.0 : (double)((long double)below / (long double)total);
	}
	c->n_lorenz = pts;
	free(it);
}
