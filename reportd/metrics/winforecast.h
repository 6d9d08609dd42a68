/* The learned forecast (docs/metrics.md, "Learned close probability"):
 * the close-probability model fitted on the deals closed in the window,
 * each seen at weekly points before its close as it then stood
 * (dealstate.h), backtested against the stage weights on what was known
 * forecast_holdout_weeks ago, and used for the forecast only if it
 * scored better there. */
#ifndef CRMX_WINFORECAST_H
#define CRMX_WINFORECAST_H

#include <stddef.h>

#include "dealstate.h"
#include "results.h"
#include "winmodel.h"

/* Training rows: a row per deal closed by the cut and per weekly point
 * before its close within the window (x: n * p, y: 1 won, 0 lost),
 * ordered by deal, then point. */
struct wf_rows {
	double	*x, *y;
	size_t	 n, cap, p;
};

/* The rows known at cut_end (epoch seconds, the end of the cut's day). */
void wf_rows_build(const struct dealstate *ds, double cut_end, int window_days,
                   struct wf_rows *r);
void wf_rows_free(struct wf_rows *r);

/* Fills *f (f->deals malloc'd; results_free() frees it) from the deal
 * state of the run's snapshot (dealstate_init: after it, the forecast reads
 * the snapshot's deals, stage history and accounts, not its activities). */
void winforecast_run(const struct dealstate *ds, const struct metric_params *mp,
                     struct winforecast *f);

#endif
