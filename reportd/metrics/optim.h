/* A small quasi-Newton minimiser (BFGS with a backtracking line search
 * satisfying the Armijo condition) for smooth functions of a few
 * unconstrained variables with analytic gradients.  The models call it
 * on log-parameters, so positivity needs no bounds. */
#ifndef CRMX_OPTIM_H
#define CRMX_OPTIM_H

#define OPTIM_MAX_DIM 8

/* Returns f(x) and fills grad; a non-finite value tells the minimiser the
 * point is outside the domain (it then steps back). */
typedef double (*optim_fn)(const double *x, double *grad, void *ctx);

struct optim_result {
	double	 f;		/* value at the minimum */
	double	 grad_norm;	/* infinity norm of the gradient there */
	int	 iterations;
	int	 evaluations;
	int	 converged;	/* 1: gradient small or no further progress */
};

/* Minimises f from x (n <= OPTIM_MAX_DIM), leaving the minimiser in x. */
void optim_bfgs(optim_fn f, void *ctx, double *x, int n, int max_iter, double gtol,
                struct optim_result *out);

#endif
