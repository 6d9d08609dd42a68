/* The headline figures (see figures.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "figures.h"
#include "summary.h"

const struct figure figures[] = {
	{ "revenue", N_("Revenue, last 12 months"), "accounts.total", FIG_MONEY, 1 },
	{ "accounts", N_("Accounts with revenue"), "accounts.n", FIG_COUNT, 1 },
	{ "a_class_accounts", N_("A-class accounts"), "accounts.classes.A", FIG_COUNT, 0 },
	/* xgettext:no-c-format */
	{ "top20_share", N_("Revenue from the top 20% of accounts"), "accounts.top20_share", FIG_PCT, 0 },
	{ "predicted_ltv", N_("Predicted lifetime value"), "ltv.predicted_total", FIG_MONEY, 1 },
	{ "mean_p_alive", N_("Mean P(alive)"), "ltv.mean_p_alive", FIG_PCT, 1 },
	{ "weighted_pipeline", N_("Weighted pipeline"), "funnel.weighted_pipeline", FIG_MONEY, 1 },
	{ "win_rate", N_("Win rate"), "funnel.win_rate", FIG_PCT, 1 },
	{ "open_deals", N_("Open deals"), "funnel.open_deals", FIG_COUNT, 0 },
	{ "stalled", N_("Stalled deals"), "funnel.stalled", FIG_COUNT, -1 },
	{ "key_person_coverage", N_("Open deals with a known decision maker"),
	  "efficiency.key_person_coverage", FIG_PCT, 1 },
	{ "cycle_median_days", N_("Median sales cycle, days"), "funnel.cycle_median_days", FIG_DAYS, -1 },
	{ "gini", N_("Gini coefficient of account revenue (0 even, 1 one account)"), "accounts.gini",
	  FIG_RATIO, 0 },
	{ "revenue_per_activity_hour", N_("Revenue per logged activity hour"),
	  "efficiency.revenue_per_activity_hour", FIG_MONEY, 1 },
};
const size_t nfigures = sizeof figures / sizeof figures[0];

double
figure_value(json_t *summary, const struct figure *f)
{
	return summary_value(summary, f->path);
}

void
figure_format(char *buf, size_t len, double v, const struct figure *f, const char *currency,
              enum lang l)
{
	switch (f->kind) {
	case FIG_MONEY: fmt_amount(buf, len, v, currency, l); break;
	case FIG_COUNT: fmt_number(buf, len, v, 0); break;
	case FIG_PCT:   fmt_percent(buf, len, v, 1); break;
	case FIG_DAYS:  fmt_number(buf, len, v, 1); break;
	case FIG_RATIO: fmt_number(buf, len, v, 3); break;
	}
}

int
figure_change(char *buf, size_t len, double now, double before, const struct figure *f)
{
	char n[64];
	double d = now - before;
	buf[0] = '\0';
	if (isnan(now) || isnan(before))
		return 0;
	const char *arrow = fabs(d) < 1e-9 ? "\xE2\x96\xBA" : d > 0 ? "\xE2\x96\xB2" : "\xE2\x96\xBC";
	if (f->kind == FIG_PCT) {
		fmt_number(n, sizeof n, fabs(d) * 100, 1);
		/* TRANSLATORS: a change in percentage points */
		snprintf(buf, len, _("%s %s pts"), arrow, n);
	} else if (before != 0) {
		fmt_percent(n, sizeof n, fabs(d / before), 1);
		snprintf(buf, len, "%s %.40s", arrow, n);
	} else {
		fmt_number(n, sizeof n, fabs(d), f->kind == FIG_DAYS ? 1 : f->kind == FIG_RATIO ? 3 : 0);
		snprintf(buf, len, "%s %.40s", arrow, n);
	}
	if (fabs(d) < 1e-9)
		return 0;
	return d > 0 ? f->good : -f->good;
}
