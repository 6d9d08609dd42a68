/* What one metric run computes, before it is stored: per account, per
 * owner, per funnel rank, cohorts, forecast, and the run's headline
 * figures.  NAN means "cannot be computed" everywhere: the writers turn it
 * into SQL NULL and JSON null, never 0 or NaN.  Amounts of money that are
 * sums (int64_t) are exact integers of the currency's minor unit
 * (snapshot.money_digits); expected values (weighted by a probability),
 * means and predictions are double and rounded to the minor unit only
 * when written. */
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
	double	 margin;		/* assumed margin rate when the data has none */
	int	 holdout_weeks;		/* the model check's holdout, 0: off */
	int	 forecast_holdout_weeks;	/* the learned forecast's backtest, 0: off */
};

struct acct_result {
	int64_t	 revenue_window;	/* net, in the window */
	char	 abc;			/* 'A' 'B' 'C', or 0 when net <= 0 */
	uint32_t rank;			/* 1 = largest; 0 when not ranked */
	int64_t	 hist_ltv;		/* on the run's ltv_basis; MONEY_NONE when
					 * the account has no revenue row */
	int64_t	 margins;		/* sum of the margins carried */
	int	 by_margin;		/* every revenue row carries a margin: hist_ltv
					 * and ltv_pred are margin, else revenue */
	double	 margin_rate;		/* turns predicted revenue into hist_ltv's basis */
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
	int64_t	 revenue;		/* won deals closed in the window */
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
	int64_t	 reached_amount;
	int32_t	 conv_base, conv_next;	/* conversion k -> k+1 = next / base */
	double	 conversion;
	double	 median_days;		/* time in stage */
	int32_t	 open_count;
	int64_t	 open_amount;
	double	 weighted;
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
	int64_t	 amount;
	double	 weighted;
};

struct concentration {
	size_t	 n, non_positive;
	int64_t	 total;
	double	 top20_share, frac_for_80, gini;	/* NAN when n = 0 */
	size_t	 n_a, n_b, n_c;
	int64_t	 rev_a, rev_b, rev_c;
	double	 lorenz_x[101], lorenz_y[101];
	size_t	 n_lorenz;
};

struct model_fit {
	int	 fitted;		/* 0: too little data, or the fit failed */
	double	 p[4];			/* BG/NBD r alpha a b; Gamma-Gamma p q gamma */
	double	 loglik;
	size_t	 n;			/* accounts the fit used */
};

/* The model check (holdout.c): BG/NBD fitted on the purchases up to
 * cut = as_of - 7 weeks, its conditional expectations for (cut, as_of]
 * against the purchases that happened there, over the accounts that had
 * bought by the cut.  bins[k]: those with k earlier repeat purchases
 * (k = HOLDOUT_BINS - 1: that many or more); sums, not means. */
#define HOLDOUT_BINS 8

struct holdout_bin {
	int32_t	 accounts;
	double	 actual, predicted;
};

struct holdout {
	int			 weeks;		/* 0: the check is off */
	int32_t			 cut;		/* last day of the calibration period */
	struct model_fit	 fit;		/* BG/NBD on the calibration period */
	size_t			 accounts;	/* accounts that bought by the cut */
	double			 actual;	/* purchases in the holdout */
	double			 predicted;	/* NAN when the fit failed */
	double			 mae;		/* mean |predicted - actual| per account */
	struct holdout_bin	 bins[HOLDOUT_BINS];
};

/* The learned forecast (winforecast.c): the close-probability model's
 * backtest (fitted on what was known at the cut, scored on the deals open
 * then that have closed since, beside the stage weights they then had)
 * and, per deal open at as_of, its learned probability and the three
 * features that move it most (column keys of dealstate.h, grouped:
 * "layer", "source"; effects on the logit against an average deal). */
#define WF_DECILES 10
#define WF_TOP 3

struct wf_deal {
	uint32_t opp;
	double	 p, weight;		/* learned; the stage weight */
	const char *top[WF_TOP];	/* NULL past the last */
	double	 effect[WF_TOP];
};

struct wf_decile {
	int32_t	 n;
	double	 predicted, observed;	/* means */
};

struct wf_backtest {
	int	 weeks;			/* 0: off */
	int32_t	 cut;			/* last day known to the fit */
	size_t	 train_rows;
	int32_t	 deals, resolved;	/* open at the cut; of those, closed by as_of */
	double	 brier_model, brier_stage, logloss_model, logloss_stage;	/* NAN: none */
	double	 expected_model, expected_stage, won_amount;	/* over the resolved */
	struct wf_decile decile[WF_DECILES];
};

struct winforecast {
	int		 fitted;	/* the model on everything to as_of */
	int		 uses_model;	/* the forecast uses it */
	const char	*reason;	/* why: "beats_stage_weights", "no_better",
					 * "too_little_data", "backtest_off" */
	size_t		 train_rows, features;
	struct wf_backtest bt;
	struct wf_deal	*deals;		/* the deals open at as_of */
	size_t		 n_deals;
	double		 learned, weighted;	/* sums of amount times probability */
};

struct results {
	int32_t			 as_of, window_start;	/* days; window is [start, as_of] */
	int			 money_digits;		/* of every int64_t amount */
	const char		*timezone;		/* [reportd] timezone: the panels' */
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
	struct holdout		 holdout;
	struct winforecast	 winfc;

	/* headline figures (NAN: absent) */
	double	 win_rate, lead_to_opp, cycle_median, cycle_mean, mean_won_amount;
	double	 velocity, weighted_pipeline, key_person_coverage;
	int64_t	 open_amount;
	double	 minutes_per_won, revenue_per_hour, ltv_pred_total, mean_p_alive;
	int32_t	 won, lost, open_deals, stalled, created_in_window;
	int64_t	 minutes;
	size_t	 segments[3];		/* prospect, active, lapsed */
	size_t	 grades[4];		/* A, B, C, not recorded */
	int64_t	 revenue_window_total;
	/* what historical and predicted values are in: "margin", "revenue"
	 * (times metric_params.margin when that is not 1) or "mixed" (per
	 * account: acct_result.by_margin) */
	const char *ltv_basis;
};

/* Fills every part of res from the snapshot. */
void metrics_customers(const struct snapshot *s, const struct metric_params *mp, struct results *res);
void metrics_funnel(const struct snapshot *s, const struct metric_params *mp, struct results *res);
void metrics_efficiency(const struct snapshot *s, const struct metric_params *mp, struct results *res);
void metrics_cohorts(const struct snapshot *s, struct results *res);

void results_free(struct results *res);

#endif
