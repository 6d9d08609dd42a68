/* Everything the weekly report shows, read from the database for one
 * metric run: the run and the run a week before it, chart series and the
 * tables.  All of the report's SQL is in reportdata.c. */
#ifndef CRMX_REPORTDATA_H
#define CRMX_REPORTDATA_H

#include <stdint.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "config.h"

enum col_kind { COL_ID, COL_TEXT, COL_MONEY, COL_PCT, COL_PCT0 /* no decimals */, COL_INT,
		COL_DAYS, COL_CODE,
		COL_STAGE, COL_SOURCE, COL_LOST_REASON /* CRM codes, shown by their labels */ };

struct rcol {
	const char	*name;		/* the SQL column and the CSV header */
	const char	*label;		/* N_() heading, translated where shown */
	enum col_kind	 kind;
};

struct rtable_def {
	const char	*id;		/* <id>.csv beside index.html */
	const char	*title;		/* N_() */
	const char	*note;		/* N_() what the table lists and why */
	const char	*sql;		/* $1 run, $2 previous run, $3 as_of, $4 stall_days */
	int		 limit;		/* rows shown and exported */
	const struct rcol *cols;
	int		 ncols;
};

enum { T_TOP_REVENUE, T_TOP_LTV, T_AT_RISK, T_STALLED, T_NO_DM, T_FORECAST_ACCURACY, T_FUNNEL,
       T_WIN_SOURCE, T_LOST_REASONS, T__MAX };

struct rtable {
	const struct rtable_def *def;
	PGresult	*res;		/* rows (at most def->limit) */
	long		 total;		/* rows matching before the limit */
};

struct rdata {
	int64_t		 run_id;
	int32_t		 as_of;
	char		 finished_at[40];
	json_t		*summary;	/* the run's stored summary */
	int64_t		 prev_run_id;	/* 0: none */
	int32_t		 prev_as_of;
	json_t		*prev_summary;	/* NULL: none */
	/* chart series */
	PGresult	*lorenz_accounts;	/* x, y */
	PGresult	*owners;		/* name, revenue, share, cum_share */
	PGresult	*funnel;		/* stage_rank, stage, reached, reached_amount, conversion_next */
	PGresult	*win_owner;		/* name, won, lost, win_rate */
	PGresult	*cohorts;		/* cohort, k, size, value */
	PGresult	*forecast;		/* week_start, forecast, won */
	struct rtable	 tables[T__MAX];
};

/* Reads run_id (which must be an 'ok' run).  Returns 0, or -1 with a one-
 * line reason in err.  rdata_free() in both cases. */
int  rdata_load(PGconn *conn, const struct crmx_config *cfg, int64_t run_id,
                struct rdata *d, char *err, size_t errlen);
void rdata_free(struct rdata *d);

extern const struct rtable_def rtable_defs[T__MAX];

#endif
