/* The pipeline panel as JSON (data: pipeline.c). */
#include <math.h>
#include <stdlib.h>

#include "label.h"

#include "pipeline.h"

void
pipeline_json(struct ctx *c, const struct pipeline_view *v)
{
	const struct layer *l = v->l;
	const struct rows *d = &v->deals;
	json_t *stages = json_array(), *deals = json_array();
	for (int k = 0; k < 5; k++)
		json_array_append_new(stages, json_pack("{s:i, s:i, s:f, s:f, s:o, s:o, s:o}",
		    "stage_rank", k + 1, "open", l[k].open, "amount", l[k].amount,
		    "weighted", l[k].weighted,
		    "reached", l[k].reached < 0 ? json_null() : json_integer(l[k].reached),
		    "to_next", isnan(pipeline_conversion(l, k)) ? json_null() :
		    json_real(pipeline_conversion(l, k)),
		    "median_days_in_stage", isnan(l[k].median_days) ? json_null() :
		    json_real(l[k].median_days)));
	json_t *lost = json_array(), *sources = json_array();
	for (int i = 0; i < v->lost.n; i++)
		json_array_append_new(lost, json_pack("{s:o, s:s, s:I, s:o}",
		    "lost_reason", rows_jstr(&v->lost, i, LR_REASON),
		    "label", crm_label(LABEL_LOST_REASON, rows_s(&v->lost, i, LR_REASON)),
		    "deals", (json_int_t)atoll(rows_s(&v->lost, i, LR_DEALS)),
		    "amount", rows_jnum(&v->lost, i, LR_AMOUNT)));
	for (int i = 0; i < v->sources.n; i++) {
		long won = atol(rows_s(&v->sources, i, WS_WON));
		long n = won + atol(rows_s(&v->sources, i, WS_LOST));
		json_array_append_new(sources, json_pack("{s:o, s:s, s:I, s:I, s:o}",
		    "source", rows_jstr(&v->sources, i, WS_SOURCE),
		    "label", crm_label(LABEL_SOURCE, rows_s(&v->sources, i, WS_SOURCE)),
		    "won", (json_int_t)won, "lost", (json_int_t)(n - won),
		    "win_rate", n > 0 ? json_real((double)won / (double)n) : json_null()));
	}
	for (int i = 0; i < v->nav.shown; i++)
		json_array_append_new(deals, json_pack("{s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:b}",
		    "opportunity_id", (json_int_t)atoll(rows_s(d, i, PD_ID)),
		    "name", rows_jstr(d, i, PD_NAME), "account", rows_jstr(d, i, PD_ACCOUNT),
		    "stage", rows_jstr(d, i, PD_STAGE), "amount", rows_jnum(d, i, PD_AMOUNT),
		    "probability", rows_jnum(d, i, PD_PROBABILITY),
		    "learned_probability", rows_jnum(d, i, PD_LEARNED),
		    "days_in_stage", rows_jnum(d, i, PD_DAYS), "stalled", pipeline_stalled(c, d, i)));
	json_t *body = json_pack("{s:o, s:o, s:{s:f, s:f}, s:o, s:I, s:I, s:I, s:b, s:s}",
	    "stages", stages, "deals", deals,
	    "forecast", "month", v->month, "quarter", v->quarter,
	    "reached_as_of", v->as_of ? json_string(v->as_of) : json_null(),
	    "total", (json_int_t)v->nav.total, "page", (json_int_t)v->nav.page,
	    "size", (json_int_t)v->nav.size, "more", v->nav.more, "sort", v->sort);
	json_object_set_new(body, "lost_reasons", lost);
	json_object_set_new(body, "win_rate_by_source", sources);
	json_object_set_new(body, "keeps_stage_weights",
	    v->keeps ? json_string(v->keeps) : json_null());
	if (v->one_owner)
		json_object_set_new(body, "forecast_accuracy", accuracy_json(&v->acc));
	send_json(c, body);
}
