/* The BG/NBD model of Fader, Hardie & Lee (2005) for non-contractual
 * repeat buying (docs/metrics.md §2): fit by maximum likelihood, P(alive),
 * expected purchases in a coming period.  Parameters are in the order
 * r, alpha, a, b; times are in weeks. */
#ifndef CRMX_BGNBD_H
#define CRMX_BGNBD_H

#include <stddef.h>
#include <stdint.h>

/* One account's purchase summary: x repeat purchases, t_x the time of the
 * last purchase and T the time of as_of, both since the first. */
struct rfm {
	int32_t	 x;
	double	 t_x, T;
};

/* Fits the four parameters over n accounts.  Returns 0 and fills p and
 * *loglik (the full log-likelihood, comparable with published values),
 * or -1 when the fit did not converge (too little data, or no repeat
 * purchase at all). */
int bgnbd_fit(const struct rfm *d, size_t n, double p[4], double *loglik);

/* The log-likelihood of one account (for tests and diagnostics). */
double bgnbd_loglik1(const double p[4], const struct rfm *d);

double bgnbd_p_alive(const double p[4], const struct rfm *d);

/* E[Y(t)]: expected purchases in the next t weeks; NAN when the series
 * does not converge (never seen in practice). */
double bgnbd_expected(const double p[4], const struct rfm *d, double t);

#endif
