/* The learned forecast in the run summary ("learned_forecast"): which
 * forecast the run uses and why, both forecasts, and the backtest's
 * figures and calibration; null figures when they cannot be computed. */
#include <math.h>

#include "money.h"
#include "summary.h"
#include "util.h"

static json_t *
num_or_null(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *
expected(double v, int digits)
{
	if (!isfinite(v))
		return json_null();
	if (digits == 0)
		return json_integer((json_int_t)llround(v));
	return json_real(money_round(v, digits));
}

static json_t *
backtest_json(const struct wf_backtest *bt, int dg)
{
	char cut[16];
	if (bt->weeks <= 0)
		return json_null();
	format_date(bt->cut, cut, sizeof cut);
	json_t *cal = json_array();
	for (int k = 0; k < WF_DECILES; k++)
		json_array_append_new(cal, json_pack("{s:i, s:i, s:o, s:o}", "decile", k + 1,
		    "deals", bt->decile[k].n, "predicted", num_or_null(bt->decile[k].predicted),
		    "observed", num_or_null(bt->decile[k].observed)));
	return json_pack("{s:i, s:s, s:I, s:i, s:i, s:{s:o, s:o}, s:{s:o, s:o},"
	    " s:{s:o, s:o, s:o}, s:o}",
	    "weeks", bt->weeks, "cut", cut, "training_rows", (json_int_t)bt->train_rows,
	    "deals_open_at_cut", bt->deals, "deals_closed_since", bt->resolved,
	    "brier", "model", num_or_null(bt->brier_model), "stage_weights",
	    num_or_null(bt->brier_stage),
	    "log_loss", "model", num_or_null(bt->logloss_model), "stage_weights",
	    num_or_null(bt->logloss_stage),
	    "revenue", "model_expected", expected(bt->expected_model, dg),
	    "stage_weights_expected", expected(bt->expected_stage, dg),
	    "won", expected(bt->won_amount, dg),
	    "calibration", cal);
}

json_t *
summary_winfc(const struct winforecast *f, int dg)
{
	return json_pack("{s:s, s:s, s:b, s:I, s:I, s:o, s:o, s:o}",
	    "forecast_uses", f->uses_model ? "model" : "stage_weights",
	    "reason", f->reason ? f->reason : "too_little_data",
	    "model_fitted", f->fitted, "features", (json_int_t)f->features,
	    "training_rows", (json_int_t)f->train_rows,
	    "learned_forecast", expected(f->learned, dg),
	    "weighted_forecast", expected(f->weighted, dg),
	    "backtest", backtest_json(&f->bt, dg));
}
