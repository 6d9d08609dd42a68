/* The Gamma-Gamma model of the value of repeat purchases (Fader, Hardie &
 * Lee 2005, "RFM and CLV"; docs/metrics.md §2).  Parameters p, q, gamma. */
#ifndef CRMX_GAMMAGAMMA_H
#define CRMX_GAMMAGAMMA_H

#include <stddef.h>
#include <stdint.h>

/* An account with x > 0 repeat purchases of mean value m > 0. */
struct gg_obs {
	int32_t	 x;
	double	 m;
};

/* Fits p, q, gamma; returns 0 and fills p and *loglik, or -1. */
int gammagamma_fit(const struct gg_obs *d, size_t n, double p[3], double *loglik);

double gammagamma_loglik1(const double p[3], const struct gg_obs *d);

/* E[M]: the expected mean purchase value of an account with x repeat
 * purchases of mean m; for x = 0 the population mean p gamma / (q - 1).
 * NAN when it does not exist (q <= 1 for the population mean). */
double gammagamma_expected(const double p[3], int32_t x, double m);

#endif
