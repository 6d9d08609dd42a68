/* The model check on the report page: one sentence for the summary and
 * a section with the table of actual against predicted purchases by
 * earlier repeat purchases (the chart is charts.c's "holdout").  All read
 * from the run summary's "holdout" (reportd/engine/summary.c). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "charts.h"
#include "i18n.h"
#include "reportint.h"
#include "sbuf.h"
#include "util.h"

static double
num(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_number(v) ? json_number_value(v) : NAN;
}

static void
date_of(json_t *h, const char *key, char *buf, size_t len, enum lang l)
{
	int32_t day;
	const char *s = json_string_value(json_object_get(h, key));
	if (s == NULL || parse_date(s, &day) != 0)
		snprintf(buf, len, "%s", "\xE2\x80\x94");
	else
		fmt_date(buf, len, day, l);
}

int
report_holdout_sentence(char *buf, size_t len, json_t *summary, enum lang l)
{
	json_t *h = json_object_get(summary, "holdout");
	char cut[48], pred[32], act[32], err[64], pct[32], mae[32];
	if (!json_is_object(h))
		return 0;
	int weeks = (int)num(h, "weeks");
	date_of(h, "calibration_end", cut, sizeof cut, l);
	double p = num(h, "predicted"), a = num(h, "actual"), rel = num(h, "relative_error");
	if (isnan(p)) {
		/* TRANSLATORS: %s is a date */
		snprintf(buf, len, _("Model check: there was too little purchase history up to %s to fit the model and test it against the weeks since."), cut);
		return 1;
	}
	fmt_number(pred, sizeof pred, p, 0);
	fmt_number(act, sizeof act, a, 0);
	fmt_number(mae, sizeof mae, num(h, "mean_absolute_error"), 2);
	fmt_percent(pct, sizeof pct, fabs(rel), 1);
	if (isnan(rel))
		snprintf(err, sizeof err, "%s", _("no purchase to compare with"));
	else if (rel < 0)
		/* TRANSLATORS: %s is a percentage: the prediction was below what happened */
		snprintf(err, sizeof err, _("%s too few"), pct);
	else
		/* TRANSLATORS: %s is a percentage: the prediction was above what happened */
		snprintf(err, sizeof err, _("%s too many"), pct);
	/* TRANSLATORS: date, number of weeks, predicted and actual purchases,
	 * the error ("12.2% too few"), mean absolute error per account */
	snprintf(buf, len, _("Model check: fitted on the data up to %s, the model predicted %s purchases for the %d weeks since and %s were made (%s); the mean error per account was %s purchases."),
	         cut, pred, weeks, act, err, mae);
	return 1;
}

void
report_holdout_section(struct sbuf *b, const struct page_ctx *p)
{
	json_t *h = json_object_get(p->d->summary, "holdout");
	json_t *bins = json_object_get(h, "by_repeat_purchases");
	if (!json_is_object(h))
		return;
	sb_raw(b, "<section id=\"holdout\">\n<h2>");
	sb_html(b, _("Model check against what happened"));
	sb_raw(b, "</h2>\n<p class=\"note\">");
	sb_html(b, _("The BG/NBD model is refitted without the last weeks, predicts each account's purchases in them from its history before, and is compared with the purchases made; accounts are grouped by their repeat purchases before those weeks."));
	sb_raw(b, "</p>\n");
	if (json_array_size(bins) == 0 || isnan(num(h, "predicted"))) {
		sb_raw(b, "</section>\n");
		return;
	}
	sb_raw(b, "<table>\n<thead><tr><th>");
	sb_html(b, _("Repeat purchases before"));
	sb_raw(b, "</th><th>");
	sb_html(b, _("Accounts"));
	sb_raw(b, "</th><th>");
	sb_html(b, _("Purchases per account, actual"));
	sb_raw(b, "</th><th>");
	sb_html(b, _("Purchases per account, predicted"));
	sb_raw(b, "</th></tr></thead>\n<tbody>\n");
	for (size_t i = 0; i < json_array_size(bins); i++) {
		json_t *r = json_array_get(bins, i);
		char k[16], n[32], a[32], pr[32];
		snprintf(k, sizeof k, "%.0f%s", num(r, "repeat_purchases"),
		         json_is_true(json_object_get(r, "or_more")) ? "+" : "");
		fmt_number(n, sizeof n, num(r, "accounts"), 0);
		fmt_number(a, sizeof a, num(r, "actual_mean"), 2);
		fmt_number(pr, sizeof pr, num(r, "predicted_mean"), 2);
		sb_printf(b, "<tr><td>%s</td><td class=\"n\">", k);
		sb_html(b, n);
		sb_raw(b, "</td><td class=\"n\">");
		sb_html(b, isnan(num(r, "actual_mean")) ? "\xE2\x80\x94" : a);
		sb_raw(b, "</td><td class=\"n\">");
		sb_html(b, isnan(num(r, "predicted_mean")) ? "\xE2\x80\x94" : pr);
		sb_raw(b, "</td></tr>\n");
	}
	sb_raw(b, "</tbody></table>\n</section>\n");
}
