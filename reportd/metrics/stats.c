/* Medians and means for the funnel and efficiency figures. */
#include <math.h>
#include <stdlib.h>

#include "stats.h"
#include "util.h"

void
dvec_push(struct dvec *d, double x)
{
	if (d->n == d->cap) {
		d->cap = d->cap ? 2 * d->cap : 64;
		d->v = xrealloc(d->v, d->cap * sizeof *d->v);
	}
	d->v[d->n++] = x;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

double
dvec_median(struct dvec *d)
{
	if (d->n == 0)
		return NAN;
	qsort(d->v, d->n, sizeof *d->v, cmp_double);
	size_t m = d->n / 2;
	return d->n % 2 ? d->v[m] : (d->v[m - 1] + d->v[m]) / 2.0;
}

double
dvec_mean(const struct dvec *d)
{
	if (d->n == 0)
		return NAN;
	double sum = 0;
	for (size_t i = 0; i < d->n; i++)
		sum += d->v[i];
	return sum / (double)d->n;
}
