/* The team panel's data, fetched once (team.c) and drawn by one writer
 * per format (team_html.c, team_json.c); the forecast accuracy of a rep
 * (forecast.c) is shared with the pipeline panel. */
#ifndef CRMX_TEAM_H
#define CRMX_TEAM_H

#include <stdint.h>

#include "panel.h"
#include "params.h"

/* Closed months of forecast accuracy shown per rep. */
#define ACC_MONTHS 6
/* An executive's page of teams: teams per page unless ?size= says */
#define TEAM_PAGE_SIZE 50

/* A rep's forecast accuracy over the last closed months: for month M,
 * the won amount closed in M divided by the weighted forecast for M that
 * the last metric run before M recorded; NAN where that forecast was 0.
 * Only months some run before them covers are listed. */
struct accuracy {
	int	 n;			/* months covered */
	char	 month[ACC_MONTHS][8];	/* "YYYY-MM", oldest first */
	double	 forecast[ACC_MONTHS], won[ACC_MONTHS], ratio[ACC_MONTHS];
	double	 mape;			/* mean |ratio - 1|; NAN: no month with a forecast */
};

/* One row per rep: the fields of Q_TEAM (named in team.c), NAN for NULL. */
enum team_f {
	TM_OPEN_DEALS, TM_OPEN_AMOUNT, TM_WEIGHTED, TM_FORECAST_MONTH, TM_FORECAST_QUARTER,
	TM_WON_QUARTER, TM_WIN_RATE, TM_STALLED, TM_UNREVIEWED, TM_ACTIVITY_HOURS,
	TM_REVENUE_PER_HOUR, TM_WON_12M, TM_PRECISE, TM_KEY_PERSON, TM_SHARE, TM_CUM_SHARE,
	TM_LEARNED,		/* NAN without a learned forecast */
	TM__NUM
};

struct team_rep {
	int64_t		 id;
	const char	*name, *team;	/* in the result (team "" when none) */
	double		 v[TM__NUM];
	double		 won, lost, run_open;	/* the run's deals: rate bases */
	double		 minutes;	/* activity; NAN without the run's metrics */
	struct accuracy	 acc;
};

/* One team of an executive's summary: its reps' sums, the rates of the
 * summed bases (win rate, revenue per hour, key-person coverage, forecast
 * accuracy per month), its share of the won revenue of every team. */
struct team_sum {
	const char	*team;		/* "" : users without one */
	int		 reps;
	double		 v[TM__NUM];
	struct accuracy	 acc;
};

struct team_view {
	struct team_rep	*reps;
	int		 n;
	int		 grouped;	/* an executive: every team, grouped */
	const char	*team;		/* ?team=: one team's reps; NULL: none chosen */
	struct team_sum	*teams;		/* grouped, no team chosen: every team */
	int		 nteams;
	const char	*sort;		/* its key */
	int64_t		 page, size;	/* the page of teams shown (?page=, ?size=) */
	const char	*as_of;		/* of the latest run; NULL: none yet */
	const char	*keeps;		/* winfeature_keeps_note; NULL: none */
	PGresult	*res;
	PGresult	*res_live;	/* teams from the run's sums: the reps read live */
};

/* Fills acc[i] for each of the n owner ids from a Q_FORECAST_ACCURACY
 * result (rows by owner, then month). */
void accuracy_read(PGresult *res, const int64_t *ids, struct accuracy *acc, int n);
/* The statement of the scope's forecast accuracy from the run's won
 * amounts by month (after panel_agg_begin or panel_agg_serves returned
 * 1): on a quiet day for them, no owner of the scope changed for the
 * closed deals' sums, the stored months alone (Q_FORECAST_ACCURACY_QUIET),
 * else with the changed owners' read now (Q_FORECAST_ACCURACY_AGG); the
 * team view and a rep's pipeline ask it, with those owners as $1. */
enum query accuracy_agg_query(const struct ctx *c);
/* Appends a month (its forecast and won amount) to a, up to ACC_MONTHS. */
void accuracy_month(struct accuracy *a, const char *month, double forecast, double won);
/* Each month's ratio of the won amount to the forecast and the mean
 * error, from a->month, forecast and won (a rep's, or a team's sums). */
void accuracy_finish(struct accuracy *a);
/* The accuracy as HTML: one line per month and the mean error. */
void accuracy_html(struct ctx *c, const struct accuracy *a);
json_t *accuracy_json(const struct accuracy *a);

void team_html(struct ctx *c, const struct team_view *v);
void team_json(struct ctx *c, const struct team_view *v);

#endif
