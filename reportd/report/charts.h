/* The report's charts: for each chart, a data file and a gnuplot script
 * built from the report data, rendered as SVG (for the page) and PNG (for
 * mail and print) by gnuplot children (gnuplot.c).  Database strings reach
 * gnuplot only inside the data file. */
#ifndef CRMX_CHARTS_H
#define CRMX_CHARTS_H

#include "config.h"
#include "i18n.h"
#include "reportdata.h"

enum chart { CH_LORENZ, CH_ABC, CH_FUNNEL, CH_WIN_OWNER, CH_COHORTS, CH_FORECAST,
             CH_OWNERS, CH_HOLDOUT, CH_CALIBRATION, CH__MAX };

struct chart_status {
	int	 ok;		/* charts/<name><suffix>.svg and .png were written */
	char	 why[256];	/* else the reason, in the report's language */
};

/* The file name stem ("lorenz") and the translated title of a chart. */
const char *chart_name(enum chart c);
const char *chart_title(enum chart c);

/* Renders every chart into dir/charts/<name><suffix>.svg|.png in the
 * calling thread's language (i18n_use).  Never fails as a whole: each
 * chart's status says why it is missing.  *seconds: wall time. */
void charts_render(const struct rdata *d, const struct crmx_config *cfg, enum lang l,
                   const char *dir, const char *suffix, struct chart_status st[CH__MAX],
                   double *seconds);

#endif
