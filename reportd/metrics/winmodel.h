/* L2-regularised logistic regression fitted by Newton's method (IRLS),
 * deterministic (fixed order of every sum).  The objective is the one
 * scikit-learn's LogisticRegression minimises:
 *     0.5 * |w|^2 + C * sum_i logloss(y_i, b + x_i . w)
 * with the intercept b not penalised. */
#ifndef CRMX_WINMODEL_H
#define CRMX_WINMODEL_H

#include <stddef.h>

#define WINMODEL_MAX_P 48

struct winmodel_fit {
	double	 b;			/* intercept */
	double	 w[WINMODEL_MAX_P];	/* coefficients */
	size_t	 p;
	int	 iterations;
	int	 converged;		/* the last Newton step was below 1e-10 */
};

/* Fits on n rows of p features (x row-major, n * p) with labels y (0 or 1)
 * and inverse penalty c > 0.  0, or -1 when p is too large, n is 0 or the
 * Hessian is not positive definite. */
int    winmodel_fit(const double *x, const double *y, size_t n, size_t p, double c,
                    struct winmodel_fit *m);
/* The same from start's coefficients (NULL: from zero, as winmodel_fit):
 * the minimum is the same, reached in fewer steps from a near one. */
int    winmodel_fit_from(const double *x, const double *y, size_t n, size_t p, double c,
                         const struct winmodel_fit *start, struct winmodel_fit *m);
/* The fitted probability of a row of p features. */
double winmodel_predict(const struct winmodel_fit *m, const double *x);

#endif
