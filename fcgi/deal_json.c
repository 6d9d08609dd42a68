/* The deal panel as JSON (data: deal.c). */
#include <stdlib.h>

#include "deal.h"
#include "winfeature.h"

static json_t *
history_json(const struct rows *h)
{
	json_t *a = json_array();
	for (int i = 0; i < h->n; i++)
		json_array_append_new(a, json_pack("{s:i, s:o, s:o}",
		    "stage_rank", atoi(rows_s(h, i, SH_RANK)), "entered_at", rows_jstr(h, i, SH_ENTERED_AT),
		    "days", rows_jnum(h, i, SH_DAYS)));
	return a;
}

static json_t *
reviews_json(const struct rows *rv)
{
	json_t *a = json_array();
	for (int i = 0; i < rv->n; i++)
		json_array_append_new(a, json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}",
		    "step", rows_jstr(rv, i, RV_STEP), "evidence", rows_jstr(rv, i, RV_EVIDENCE),
		    "action", rows_jstr(rv, i, RV_ACTION), "plan", rows_jstr(rv, i, RV_PLAN),
		    "created_by", rows_jstr(rv, i, RV_CREATED_BY),
		    "created_at", rows_jstr(rv, i, RV_CREATED_AT)));
	return a;
}

/* The latest run's learned close probability, or null. */
static json_t *
learned_json(const struct rows *f)
{
	if (f->n != 1 || rows_null(f, 0, DF_PROBABILITY))
		return json_null();
	json_t *top = json_array();
	char buf[256];
	const char *key[WINFEATURE_TOP];
	double eff[WINFEATURE_TOP];
	int n = winfeature_split(rows_s(f, 0, DF_FEATURES), rows_s(f, 0, DF_EFFECTS), buf,
	                         sizeof buf, key, eff);
	for (int i = 0; i < n; i++)
		json_array_append_new(top, json_pack("{s:s, s:s, s:f}", "key", key[i],
		    "label", winfeature_label(key[i]), "effect", eff[i]));
	return json_pack("{s:o, s:o, s:b, s:o}", "probability", rows_jnum(f, 0, DF_PROBABILITY),
	    "stage_weight", rows_jnum(f, 0, DF_STAGE_WEIGHT),
	    "forecast_uses_it", rows_s(f, 0, DF_USES_MODEL)[0] == 't', "top_features", top);
}

void
deal_json(struct ctx *c, const struct deal_view *v)
{
	const struct rows *d = &v->d;
	char tok[CSRF_LEN];
	form_token(c, tok, sizeof tok);
	json_t *j = json_pack("{s:I, s:o, s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
	    "opportunity_id", (json_int_t)v->id, "name", rows_jstr(d, 0, DL_NAME),
	    "account_id", (json_int_t)atoll(rows_s(d, 0, DL_ACCOUNT_ID)),
	    "account", rows_jstr(d, 0, DL_ACCOUNT), "owner", rows_jstr(d, 0, DL_OWNER),
	    "stage", rows_jstr(d, 0, DL_STAGE), "stage_rank", rows_jnum(d, 0, DL_RANK),
	    "amount", rows_jnum(d, 0, DL_AMOUNT), "probability", rows_jnum(d, 0, DL_PROBABILITY),
	    "source", rows_jstr(d, 0, DL_SOURCE));
	json_object_set_new(j, "created_at", rows_jstr(d, 0, DL_CREATED_AT));
	json_object_set_new(j, "expected_close", rows_jstr(d, 0, DL_EXPECTED_CLOSE));
	json_object_set_new(j, "closed_at", rows_jstr(d, 0, DL_CLOSED_AT));
	json_object_set_new(j, "outcome", rows_jstr(d, 0, DL_OUTCOME));
	json_object_set_new(j, "lost_reason", rows_jstr(d, 0, DL_LOST_REASON));
	json_object_set_new(j, "days_in_stage", rows_jnum(d, 0, DL_DAYS_IN_STAGE));
	json_object_set_new(j, "age_days", rows_jnum(d, 0, DL_AGE_DAYS));
	json_object_set_new(j, "key_person_known", json_boolean(v->has_dm));
	json_object_set_new(j, "stage_history", history_json(&v->history));
	json_object_set_new(j, "reviews", reviews_json(&v->reviews));
	json_object_set_new(j, "learned", learned_json(&v->fc));
	json_object_set_new(j, "csrf_token", json_string(tok));
	send_json(c, j);
}
