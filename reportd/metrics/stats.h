/* Small statistics helpers: a growable vector of doubles, its median and
 * mean; NAN for an empty vector ("cannot be computed"). */
#ifndef CRMX_STATS_H
#define CRMX_STATS_H

#include <stddef.h>

struct dvec {
	double	*v;	/* malloc'd; the owner free()s it */
	size_t	 n, cap;
};

void   dvec_push(struct dvec *d, double x);
/* Sorts d in place; the mean of the two middle values for an even n. */
double dvec_median(struct dvec *d);
double dvec_mean(const struct dvec *d);

#endif
