/* Special functions the customer-base models need and libm lacks. */
#ifndef CRMX_SPECIAL_H
#define CRMX_SPECIAL_H

/* The digamma function psi(x) = d/dx ln Gamma(x), for x > 0. */
double digamma(double x);

/* ln 2F1(a, b; c; z) of the Gauss hypergeometric series for a, b, c > 0
 * and 0 <= z < 1, where every term is positive.  The terms are summed on
 * a log scale, so that large a and b with z near 1 (a frequent buyer asked
 * about a long horizon) neither overflow nor lose the tail.  Returns NAN
 * when the arguments are outside that range or the series has not
 * converged after max_terms. */
double log_hyp2f1(double a, double b, double c, double z, long max_terms);

#endif
