/* The learned forecast on the report page: a sentence for the summary
 * (which forecast the run uses and why) and a section with the backtest
 * (Brier score and log loss of the learned model beside the stage
 * weights', the revenue each expected against what was won) and the two
 * forecasts side by side; the calibration chart is charts.c's.  All read
 * from the run summary's "learned_forecast" (reportd/engine/summary_winfc.c). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "charts.h"
#include "i18n.h"
#include "reportint.h"
#include "sbuf.h"
#include "util.h"

#define DASH "\xE2\x80\x94"

static double
num2(json_t *o, const char *a, const char *b)
{
	json_t *v = b ? json_object_get(json_object_get(o, a), b) : json_object_get(o, a);
	return json_is_number(v) ? json_number_value(v) : NAN;
}

/* Why the run's forecast uses what it uses, translated. */
static const char *
reason_text(const char *reason)
{
	if (strcmp(reason, "beats_stage_weights") == 0)
		return _("the learned model predicted the deals closed since the backtest's cut better than the stage weights (lower Brier score and log loss), so the forecast uses it");
	if (strcmp(reason, "no_better") == 0)
		return _("the learned model did not predict the deals closed since the backtest's cut better than the stage weights, so the forecast keeps the stage weights");
	if (strcmp(reason, "backtest_off") == 0)
		return _("the backtest is turned off (forecast_holdout_weeks = 0), so the forecast keeps the stage weights");
	return _("too few deals have closed to fit the model and test it, so the forecast keeps the stage weights");
}

int
report_winfc_sentence(char *buf, size_t len, json_t *summary, const char *cur, enum lang l)
{
	json_t *f = json_object_get(summary, "learned_forecast");
	const char *reason = json_string_value(json_object_get(f, "reason"));
	char lf[64], wf[64];
	if (!json_is_object(f) || reason == NULL)
		return 0;
	fmt_money(lf, sizeof lf, num2(f, "learned_forecast", NULL), cur, 1, l);
	fmt_money(wf, sizeof wf, num2(f, "weighted_forecast", NULL), cur, 1, l);
	if (isnan(num2(f, "learned_forecast", NULL)))
		snprintf(lf, sizeof lf, "%s", DASH);
	/* TRANSLATORS: the learned and the weighted forecast (amounts), then
	 * why the forecast uses one of them (a clause) */
	snprintf(buf, len, _("Learned forecast %s beside the stage-weighted %s: %s."), lf, wf,
	         reason_text(reason));
	return 1;
}

static void
row(struct sbuf *b, const char *label, const char *model, const char *stage)
{
	sb_raw(b, "<tr><th scope=\"row\">");
	sb_html(b, label);
	sb_raw(b, "</th><td class=\"n\">");
	sb_html(b, model);
	sb_raw(b, "</td><td class=\"n\">");
	sb_html(b, stage);
	sb_raw(b, "</td></tr>\n");
}

static void
fig(char *buf, size_t len, double v, int decimals)
{
	if (isnan(v))
		snprintf(buf, len, "%s", DASH);
	else
		fmt_number(buf, len, v, decimals);
}

static void
money_or_dash(char *buf, size_t len, double v, const struct page_ctx *p)
{
	if (isnan(v))
		snprintf(buf, len, "%s", DASH);
	else
		fmt_amount(buf, len, v, p->cfg->metrics_currency, p->lang);
}

/* The backtest's table: each figure for the model and the stage weights. */
static void
backtest_table(struct sbuf *b, json_t *f, const struct page_ctx *p)
{
	json_t *bt = json_object_get(f, "backtest");
	char m[64], s[64];
	sb_raw(b, "<table>\n<thead><tr><th></th><th>");
	sb_html(b, _("Learned model"));
	sb_raw(b, "</th><th>");
	sb_html(b, _("Stage weights"));
	sb_raw(b, "</th></tr></thead>\n<tbody>\n");
	fig(m, sizeof m, num2(bt, "brier", "model"), 4);
	fig(s, sizeof s, num2(bt, "brier", "stage_weights"), 4);
	row(b, _("Brier score (lower is better)"), m, s);
	fig(m, sizeof m, num2(bt, "log_loss", "model"), 4);
	fig(s, sizeof s, num2(bt, "log_loss", "stage_weights"), 4);
	row(b, _("Log loss (lower is better)"), m, s);
	money_or_dash(m, sizeof m, num2(bt, "revenue", "model_expected"), p);
	money_or_dash(s, sizeof s, num2(bt, "revenue", "stage_weights_expected"), p);
	row(b, _("Revenue expected from those deals"), m, s);
	money_or_dash(m, sizeof m, num2(bt, "revenue", "won"), p);
	row(b, _("Revenue those deals brought (won)"), m, m);
	money_or_dash(m, sizeof m, num2(f, "learned_forecast", NULL), p);
	money_or_dash(s, sizeof s, num2(f, "weighted_forecast", NULL), p);
	row(b, _("Forecast of the deals open now"), m, s);
	sb_raw(b, "</tbody></table>\n");
}

void
report_winfc_section(struct sbuf *b, const struct page_ctx *p)
{
	json_t *f = json_object_get(p->d->summary, "learned_forecast");
	json_t *bt = json_object_get(f, "backtest");
	char t[1024], cut[48];
	if (!json_is_object(f))
		return;
	sb_raw(b, "<section id=\"learned-forecast\">\n<h2>");
	sb_html(b, _("Learned close probability against the stage weights"));
	sb_raw(b, "</h2>\n<p class=\"note\">");
	sb_html(b, _("Each deal's chance to close is learned from the deals closed in the window, each seen as it stood week by week before its close (layer, days in it, age, amount, source, the owner's win rate until then, key person reached, qualification, reviews, activities, layers skipped or gone back); nothing recorded after a point is seen at it. The backtest fits the model on what was known at the cut, predicts the deals open then that have closed since, and compares it with the stage weights those deals had."));
	sb_raw(b, "</p>\n");
	if (report_winfc_sentence(t, sizeof t, p->d->summary, p->cfg->metrics_currency, p->lang)) {
		sb_raw(b, "<p>");
		sb_html(b, t);
		sb_raw(b, "</p>\n");
	}
	if (json_is_object(bt)) {
		int32_t day;
		const char *c = json_string_value(json_object_get(bt, "cut"));
		if (c != NULL && parse_date(c, &day) == 0)
			fmt_date(cut, sizeof cut, day, p->lang);
		else
			snprintf(cut, sizeof cut, "%s", DASH);
		/* TRANSLATORS: a date, then a number of deals */
		snprintf(t, sizeof t, _("Backtest: fitted on what was known on %s; %.0f deals open then have closed since."),
		         cut, num2(bt, "deals_closed_since", NULL));
		sb_raw(b, "<p class=\"note\">");
		sb_html(b, t);
		sb_raw(b, "</p>\n");
		backtest_table(b, f, p);
	}
	sb_raw(b, "</section>\n");
}
