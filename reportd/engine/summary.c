/* Builds the run summary JSON.  A figure that cannot be computed (NAN in
 * the results) is written as null, never 0 or NaN.  Amounts are numbers
 * with no more decimals than the currency has: exact sums from their
 * integers, expected values and means rounded to the minor unit (written
 * with JSON_REAL_PRECISION(15), exact below 10^13 major units). */
#include <math.h>
#include <string.h>

#include "i18n.h"
#include "money.h"
#include "summary.h"
#include "util.h"

static json_t *
jnum(double v)
{
	return (isnan(v) || isinf(v)) ? json_null() : json_real(v);
}

/* An exact amount. */
static json_t *
jmoney(int64_t v, int digits)
{
	/* jansson writes a real with ".0": whole units as an integer */
	return digits == 0 ? json_integer(v) : json_real(money_to_double(v, digits));
}

/* An expected amount or a mean, to the minor unit. */
static json_t *
jmoney_exp(double v, int digits)
{
	if (digits == 0 && isfinite(v))
		return json_integer((json_int_t)llround(v));
	return jnum(money_round(v, digits));
}

static json_t *
jdate(int32_t day)
{
	char buf[16];
	format_date(day, buf, sizeof buf);
	return json_string(buf);
}

static json_t *
concentration_json(const struct concentration *c, int dg)
{
	return json_pack("{s:I, s:I, s:o, s:o, s:o, s:o, s:{s:I, s:I, s:I}, s:{s:o, s:o, s:o}}",
	    "n", (json_int_t)c->n, "non_positive", (json_int_t)c->non_positive,
	    "total", jmoney(c->total, dg), "top20_share", jnum(c->top20_share),
	    "frac_for_80", jnum(c->frac_for_80), "gini", jnum(c->gini),
	    "classes", "A", (json_int_t)c->n_a, "B", (json_int_t)c->n_b, "C", (json_int_t)c->n_c,
	    "revenue", "A", jmoney(c->rev_a, dg), "B", jmoney(c->rev_b, dg),
	    "C", jmoney(c->rev_c, dg));
}

static json_t *
fit_json(const struct model_fit *f, const char *const names[], int np)
{
	if (!f->fitted)
		return json_null();
	json_t *o = json_object();
	for (int i = 0; i < np; i++)
		json_object_set_new(o, names[i], jnum(f->p[i]));
	json_object_set_new(o, "log_likelihood", jnum(f->loglik));
	json_object_set_new(o, "accounts", json_integer((json_int_t)f->n));
	return o;
}

/* The model check (holdout.c): null when off; the figures null when the
 * fit failed.  "by_repeat_purchases" holds means per account. */
static json_t *
holdout_json(const struct holdout *h)
{
	static const char *const bg_names[] = { "r", "alpha", "a", "b" };
	if (h->weeks <= 0)
		return json_null();
	json_t *bins = json_array();
	for (int k = 0; k < HOLDOUT_BINS; k++) {
		const struct holdout_bin *b = &h->bins[k];
		double n = b->accounts;
		json_array_append_new(bins, json_pack("{s:i, s:b, s:i, s:o, s:o}",
		    "repeat_purchases", k, "or_more", k == HOLDOUT_BINS - 1, "accounts", b->accounts,
		    "actual_mean", jnum(n > 0 ? b->actual / n : NAN),
		    "predicted_mean", jnum(n > 0 ? b->predicted / n : NAN)));
	}
	double err = h->actual > 0 ? h->predicted / h->actual - 1 : NAN;
	return json_pack("{s:i, s:o, s:o, s:I, s:o, s:o, s:o, s:o, s:o, s:o}",
	    "weeks", h->weeks, "calibration_end", jdate(h->cut), "holdout_end", jdate(h->cut + 7 * h->weeks),
	    "accounts", (json_int_t)h->accounts, "predicted", jnum(h->predicted),
	    "actual", jnum(h->actual), "relative_error", jnum(err),
	    "mean_absolute_error", jnum(h->mae), "bgnbd", fit_json(&h->fit, bg_names, 4),
	    "by_repeat_purchases", bins);
}

json_t *
summary_build(const struct snapshot *s, const struct results *r, int64_t run_id)
{
	static const char *const bg_names[] = { "r", "alpha", "a", "b" };
	static const char *const gg_names[] = { "p", "q", "gamma" };
	const int dg = r->money_digits;
	json_t *conv = json_array(), *funnel = json_array();
	for (int k = 1; k <= 5; k++) {
		const struct funnel_rank *f = &r->funnel[k];
		json_array_append_new(funnel, json_pack("{s:i, s:i, s:o, s:o, s:i, s:o, s:o}",
		    "stage_rank", k, "reached", f->reached, "reached_amount",
		    jmoney(f->reached_amount, dg),
		    "median_days_in_stage", jnum(f->median_days), "open", f->open_count,
		    "open_amount", jmoney(f->open_amount, dg), "weighted", jmoney_exp(f->weighted, dg)));
		if (k < 5)
			json_array_append_new(conv, jnum(f->conversion));
	}
	json_t *o = json_pack("{s:I, s:o, s:{s:o, s:o}, s:o, s:o}",
	    "run_id", (json_int_t)run_id, "as_of", jdate(r->as_of),
	    "window", "start", jdate(r->window_start), "end", jdate(r->as_of + 1),
	    "accounts", concentration_json(&r->conc_accounts, dg),
	    "owners", concentration_json(&r->conc_owners, dg));
	json_object_set_new(o, "revenue_window", jmoney(r->revenue_window_total, dg));
	json_object_set_new(o, "ltv", json_pack("{s:s?, s:o, s:o, s:o, s:o}",
	    "basis", r->ltv_basis,
	    "bgnbd", fit_json(&r->bgnbd, bg_names, 4),
	    "gamma_gamma", fit_json(&r->gg, gg_names, 3),
	    "predicted_total", jmoney_exp(r->ltv_pred_total, dg),
	    "mean_p_alive", jnum(r->mean_p_alive)));
	json_object_set_new(o, "holdout", holdout_json(&r->holdout));
	json_object_set_new(o, "learned_forecast", summary_winfc(&r->winfc, dg));
	json_object_set_new(o, "funnel", json_pack("{s:o, s:o, s:o, s:i, s:i, s:i, s:o, s:o,"
	    " s:o, s:o, s:i, s:i, s:o, s:o, s:o}",
	    "stages", funnel, "conversion", conv, "lead_to_opportunity", jnum(r->lead_to_opp),
	    "created", r->created_in_window, "won", r->won, "lost", r->lost,
	    "win_rate", jnum(r->win_rate), "cycle_median_days", jnum(r->cycle_median),
	    "cycle_mean_days", jnum(r->cycle_mean), "mean_won_amount",
	    jmoney_exp(r->mean_won_amount, dg),
	    "open_deals", r->open_deals, "stalled", r->stalled,
	    "open_amount", jmoney(r->open_amount, dg),
	    "weighted_pipeline", jmoney_exp(r->weighted_pipeline, dg),
	    "velocity_per_day", jnum(r->velocity)));
	json_object_set_new(o, "efficiency", json_pack("{s:I, s:o, s:o, s:o}",
	    "activity_minutes", (json_int_t)r->minutes,
	    "minutes_per_won_deal", jnum(r->minutes_per_won),
	    "revenue_per_activity_hour", jnum(r->revenue_per_hour),
	    "key_person_coverage", jnum(r->key_person_coverage)));
	json_object_set_new(o, "segments", json_pack("{s:I, s:I, s:I}",
	    "prospect", (json_int_t)r->segments[0], "active", (json_int_t)r->segments[1],
	    "lapsed", (json_int_t)r->segments[2]));
	json_object_set_new(o, "qualification", json_pack("{s:I, s:I, s:I, s:I}",
	    "A", (json_int_t)r->grades[0], "B", (json_int_t)r->grades[1],
	    "C", (json_int_t)r->grades[2], "unrecorded", (json_int_t)r->grades[3]));
	json_object_set_new(o, "rows", summary_row_counts(s));
	return o;
}

json_t *
summary_row_counts(const struct snapshot *s)
{
	json_t *o = json_object();
	for (int v = 0; v < 10; v++)
		json_object_set_new(o, snapshot_view_names[v], json_integer(s->rows_read[v]));
	json_object_set_new(o, "left_out", json_integer(s->rows_skipped));
	return o;
}

double
summary_value(json_t *o, const char *path)
{
	char key[64];
	while (o != NULL && *path) {
		size_t n = strcspn(path, ".");
		if (n >= sizeof key)
			return NAN;
		memcpy(key, path, n);
		key[n] = 0;
		o = json_object_get(o, key);
		path += n + (path[n] == '.');
	}
	return json_is_number(o) ? json_number_value(o) : NAN;
}

enum { PLAIN, PCT, HOLDOUT };	/* HOLDOUT: a plain figure shown only when the run has a model check */

/* Spaces to fill a label to `width` terminal columns (CJK characters take
 * two). */
static int
pad(const char *s, int width)
{
	int cols = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p & 0xC0) == 0x80)
			continue;
		cols += *p >= 0xE3 ? 2 : 1;
	}
	return cols < width ? width - cols + 1 : 1;
}

static void
line(FILE *out, const char *label, double v, int decimals, int kind)
{
	fprintf(out, "  %s%*s", label, pad(label, 34), "");
	if (isnan(v))
		fprintf(out, "%s\n", _("absent"));
	else
		fprintf(out, "%.*f%s\n", decimals, kind == PCT ? 100 * v : v, kind == PCT ? "%" : "");
}

/* The terminal summary: a heading (path NULL) or a figure. */
static const struct {
	const char	*label;		/* N_() */
	const char	*path;
	int		 decimals, kind;
} text_lines[] = {
	{ N_("accounts"), NULL, 0, PLAIN },
	{ N_("revenue in window"), "accounts.total", 2, PLAIN },
	{ N_("accounts with revenue"), "accounts.n", 0, PLAIN },
	/* xgettext:no-c-format */
	{ N_("top 20% share of revenue"), "accounts.top20_share", 1, PCT },
	/* xgettext:no-c-format */
	{ N_("share of accounts for 80%"), "accounts.frac_for_80", 1, PCT },
	{ N_("Gini"), "accounts.gini", 4, PLAIN },
	{ N_("A-class accounts"), "accounts.classes.A", 0, PLAIN },
	{ N_("lifetime value"), NULL, 0, PLAIN },
	{ N_("predicted LTV, all accounts"), "ltv.predicted_total", 2, PLAIN },
	{ N_("mean P(alive)"), "ltv.mean_p_alive", 3, PLAIN },
	{ N_("BG/NBD log-likelihood"), "ltv.bgnbd.log_likelihood", 2, PLAIN },
	/* the model check, when the run made one (holdout_weeks > 0) */
	{ N_("model check (the last holdout weeks)"), NULL, 0, HOLDOUT },
	{ N_("purchases predicted"), "holdout.predicted", 1, HOLDOUT },
	{ N_("purchases made"), "holdout.actual", 0, HOLDOUT },
	{ N_("mean absolute error per account"), "holdout.mean_absolute_error", 3, HOLDOUT },
	{ N_("funnel"), NULL, 0, PLAIN },
	{ N_("win rate"), "funnel.win_rate", 1, PCT },
	{ N_("lead to opportunity"), "funnel.lead_to_opportunity", 1, PCT },
	{ N_("median sales cycle (days)"), "funnel.cycle_median_days", 1, PLAIN },
	{ N_("open deals"), "funnel.open_deals", 0, PLAIN },
	{ N_("stalled deals"), "funnel.stalled", 0, PLAIN },
	{ N_("weighted pipeline"), "funnel.weighted_pipeline", 2, PLAIN },
	{ N_("velocity (per day)"), "funnel.velocity_per_day", 2, PLAIN },
	{ N_("learned forecast (docs/metrics.md §6)"), NULL, 0, PLAIN },
	{ N_("learned forecast of open deals"), "learned_forecast.learned_forecast", 2, PLAIN },
	{ N_("weighted forecast of open deals"), "learned_forecast.weighted_forecast", 2, PLAIN },
	{ N_("backtest Brier, learned"), "learned_forecast.backtest.brier.model", 4, PLAIN },
	{ N_("backtest Brier, stage weights"), "learned_forecast.backtest.brier.stage_weights",
	  4, PLAIN },
	{ N_("backtest log loss, learned"), "learned_forecast.backtest.log_loss.model", 4, PLAIN },
	{ N_("backtest log loss, stage weights"), "learned_forecast.backtest.log_loss.stage_weights",
	  4, PLAIN },
	{ N_("efficiency"), NULL, 0, PLAIN },
	/* xgettext:no-c-format */
	{ N_("top 20% of owners' share"), "owners.top20_share", 1, PCT },
	{ N_("activity minutes per won deal"), "efficiency.minutes_per_won_deal", 0, PLAIN },
	{ N_("revenue per activity hour"), "efficiency.revenue_per_activity_hour", 2, PLAIN },
	{ N_("key-person coverage of open deals"), "efficiency.key_person_coverage", 1, PCT },
};

void
summary_print_text(FILE *out, json_t *s, double seconds)
{
	json_t *w = json_object_get(s, "window");
	/* TRANSLATORS: run id, as-of date, window start and end, seconds */
	fprintf(out, _("crmx metrics run %lld as of %s (window %s to %s, %.2f s)\n"),
	        (long long)json_integer_value(json_object_get(s, "run_id")),
	        json_string_value(json_object_get(s, "as_of")),
	        json_string_value(json_object_get(w, "start")),
	        json_string_value(json_object_get(w, "end")), seconds);
	int holdout = json_is_object(json_object_get(s, "holdout"));
	for (size_t i = 0; i < sizeof text_lines / sizeof *text_lines; i++) {
		const char *label = _(text_lines[i].label);
		if (text_lines[i].kind == HOLDOUT && !holdout)
			continue;
		if (text_lines[i].path == NULL)
			fprintf(out, "%s\n", label);
		else
			line(out, label, summary_value(s, text_lines[i].path),
			     text_lines[i].decimals, text_lines[i].kind);
	}
}
