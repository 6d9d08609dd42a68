/* What one metric run computes, before it is stored: per account, per
 * owner, per funnel rank, cohorts, forecast, and the run's headline
 * figures.  NAN means "cannot be computed" everywhere: the writers turn it
 * into SQL NULL and JSON null, never 0 or NaN. */
#ifndef CRMX_RESULTS_H
#define CRMX_RESULTS_H

#include <stddef.h>
#include <stdint.h>

#include "snapshot.h"

/* The settings a run uses (from crmx.conf [metrics]). */
struct metric_params {
	int	 window_days;		/* the window is the window_days ending at as_of */
	int	 stall_days;
	int	 horizon_weeks;
	double	 discount_monthly;
	double	 margin;
};

struct acct_result {
	double	 revenue_window;	/* net, in the window */
	char	 abc;			/* 'A' 'B' 'C', or 0 when net <= 0 */
	uint32_t rank;			/* 1 = largest; 0 when not ranked */
	double	 hist_ltv;		/* NAN when the account never bought */
	int32_t	 first_day, last_day;	/* purchase days; INT32_MIN when none */
	int32_t	 x;			/* repeat purchases; -1 when none */
	double	 t_x, t_cal;		/* weeks */
	double	 mean_repeat;		/* mean value of repeat purchases, NAN if x = 0 */
	double	 exp_purchases, p_alive, exp_value, ltv_pred;
	const char *segment;		/* "prospect", "active", "lapsed" */
	char	 grade;			/* 'A' 'B' 'C', 0 when not recorded */
	int32_t	 open_deals;
	double	 last_activity;		/* epoch seconds, NAN when none */
	int	 won_ever, won_recent;
};

struct owner_result {
	double	 revenue;		/* won deals closed in the window */
	double	 share;
	char	 abc;
	uint32_t rank;
	int32_t	 won, lost;
	double	 win_rate;
	double	 cycle_median, cycle_mean;	/* days */
	int64_t	 minutes;			/* activities in the window */
	double	 minutes_per_won, revenue_per_hour;
	int32_t	 open_deals, open_with_dm;
	double	 weighted_pipeline;
	double	 key_person_coverage;
	int32_t	 reached[6];		/* created in the window, reached rank k (1..5) */
	int32_t	 conv_base[6];		/* of those, left rank k or closed (k = 1..4) */
};

struct funnel_rank {
	int32_t	 reached;		/* created in the window and reached rank k */
	double	 reached_amount;
	int32_t	 conv_base, conv_next;	/* conversion k -> k+1 = next / base */
	double	 conversion;
	double	 median_days;		/* time in stage */
	int32_t	 open_count;
	double	 open_amount, weighted;
};

struct rate_row {
	const char	*dimension;	/* "overall" "owner" "source" "stage_reached" */
	char		*key;		/* malloc'd; freed by results_free() */
	int32_t		 won, lost;
	double		 rate;
};

struct cohort_row {
	int32_t	 cohort_month;		/* year * 12 + month - 1 */
	int32_t	 k, size;
	double	 cum_per_account;
};

struct forecast_row {
	uint32_t owner;			/* owner index, NO_INDEX for none */
	int32_t	 month;			/* year * 12 + month - 1 */
	int32_t	 open_deals;
	double	 amount, weighted;
};

struct concentration {
	size_t	 n, non_positive;
	double	 total;
	double	 top20_share, frac_for_80, gini;	/* NAN when n = 0 */
	size_t	 n_a, n_b, n_c;
	double	 rev_a, rev_b, rev_c;
	double	 lorenz_x[101], lorenz_y[101];
	size_t	 n_lorenz;
};

struct model_fit {
	int	 fitted;		/* 0: too little data, or the fit failed */
	double	 p[4];			/* BG/NBD r alpha a b; Gamma-Gamma p q gamma */
	double	 loglik;
	size_t	 n;			/* accounts the fit used */
};

struct results {
	int32_t			 as_of, window_start;	/* days; window is [start, as_of] */
	struct acct_result	*acct;			/* one per snapshot account */
	struct owner_result	*owner;			/* one per snapshot owner */
	struct concentration	 conc_accounts, conc_owners;
	struct funnel_rank	 funnel[6];		/* index 1..5 */
	struct rate_row		*rates;
	size_t			 n_rates;
	struct cohort_row	*cohorts;
	size_t			 n_cohorts;
	struct forecast_row	*forecast;
	size_t			 n_forecast;
	struct model_fit	 bgnbd, gg;

	/* headline figures (NAN: absent) */
	double	 win_rate, lead_to_opp, cycle_median, cycle_mean, mean_won_amount;
	double	 velocity, weighted_pipeline, open_amount, key_person_coverage;
	double	 minutes_per_won, revenue_per_hour, ltv_pred_total, mean_p_alive;
	int32_t	 won, lost, open_deals, stalled, created_in_window;
	int64_t	 minutes;
	size_t	 segments[3];		/* prospect, active, lapsed */
	size_t	 grades[4];		/* A, B, C, not recorded */
	double	 revenue_window_total;
};

/* Fills every part of res from the snapshot. */
void metrics_customers(const struct snapshot *s, const struct metric_params *mp, struct results *res);
void metrics_funnel(const struct snapshot *s, const struct metric_params *mp, struct results *res);
void metrics_efficiency(const struct snapshot *s, const struct metric_params *mp, struct results *res);
void metrics_cohorts(const struct snapshot *s, struct results *res);

void results_free(struct results *res);

#endif
