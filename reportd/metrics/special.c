/* digamma by recurrence up to x >= 10 and the asymptotic series there;
 * ln 2F1 by direct summation on a log scale (see special.h). */
#include <math.h>

#include "special.h"

double
digamma(double x)
{
	double r = 0;
	if (!(x > 0))
		return NAN;
	while (x < 10) {
		r -= 1 / x;
		x += 1;
	}
	double f = 1 / (x * x);
	/* psi(x) ~ ln x - 1/2x - sum B_2k / (2k x^2k) */
	double t = f * (-1.0 / 12 + f * (1.0 / 120 + f * (-1.0 / 252 + f * (1.0 / 240 +
	           f * (-1.0 / 132 + f * (691.0 / 32760 + f * (-1.0 / 12)))))));
	return r + log(x) - 0.5 / x + t;
}

double
log_hyp2f1(double a, double b, double c, double z, long max_terms)
{
	if (!(a > 0 && b > 0 && c > 0 && z >= 0 && z < 1))
		return NAN;
	if (z == 0)
		return 0;
	/* term_0 = 1; term_{n+1} = term_n (a+n)(b+n) z / ((c+n)(n+1)).  The
	 * sum is s * e^shift: whenever the current term passes 2^600 both
	 * are scaled down, so frequent buyers with z near 1 do not overflow;
	 * no logarithm per term. */
	double term = 1, s = 1, shift = 0;
	for (long n = 0; n < max_terms; n++) {
		double dn = (double)n;
		double ratio = (a + dn) * (b + dn) * z / ((c + dn) * (dn + 1));
		term *= ratio;
		s += term;
		if (term > 0x1p600) {
			s *= 0x1p-600;
			term *= 0x1p-600;
			shift += 600 * M_LN2;
		}
		/* Once the ratios are below 1 the tail is below a geometric
		 * series with the larger of this ratio and their limit z (the
		 * ratios move monotonically towards z from here on). */
		double q = ratio > z ? ratio : z;
		if (q < 1 && term * q < 1e-17 * (1 - q) * s)
			return shift + log(s);
	}
	return NAN;
}
