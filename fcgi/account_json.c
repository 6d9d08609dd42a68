/* The account panel as JSON (data: account.c). */
#include <stdlib.h>

#include "account.h"

static json_t *
contacts_json(const struct rows *ct)
{
	json_t *a = json_array();
	for (int i = 0; i < ct->n; i++)
		json_array_append_new(a, json_pack("{s:I, s:o, s:o, s:o, s:o, s:o, s:o}",
		    "contact_id", (json_int_t)atoll(rows_s(ct, i, CT_ID)),
		    "name", rows_jstr(ct, i, CT_NAME), "title", rows_jstr(ct, i, CT_TITLE),
		    "purchase_role", rows_s(ct, i, CT_ROLE)[0] ? rows_jstr(ct, i, CT_ROLE) : json_null(),
		    "reached", rows_jbool(ct, i, CT_REACHED),
		    "reached_on", rows_jstr(ct, i, CT_REACHED_ON),
		    "reached_by", rows_jstr(ct, i, CT_REACHED_BY)));
	return a;
}

static json_t *
deals_json(const struct rows *dl)
{
	json_t *a = json_array();
	for (int i = 0; i < dl->n; i++)
		json_array_append_new(a, json_pack("{s:I, s:o, s:o, s:o, s:o, s:o, s:o}",
		    "opportunity_id", (json_int_t)atoll(rows_s(dl, i, AD_ID)),
		    "name", rows_jstr(dl, i, AD_NAME), "stage", rows_jstr(dl, i, AD_STAGE),
		    "stage_rank", rows_jnum(dl, i, AD_RANK), "amount", rows_jnum(dl, i, AD_AMOUNT),
		    "probability", rows_jnum(dl, i, AD_PROBABILITY),
		    "days_in_stage", rows_jnum(dl, i, AD_DAYS)));
	return a;
}

json_t *
account_closed_json(const struct rows *cd)
{
	json_t *a = json_array();
	for (int i = 0; i < cd->n; i++)
		json_array_append_new(a, json_pack("{s:I, s:o, s:o, s:o, s:o, s:o}",
		    "opportunity_id", (json_int_t)atoll(rows_s(cd, i, CD_ID)),
		    "name", rows_jstr(cd, i, CD_NAME), "outcome", rows_jstr(cd, i, CD_OUTCOME),
		    "amount", rows_jnum(cd, i, CD_AMOUNT), "lost_reason", rows_jstr(cd, i, CD_LOST_REASON),
		    "closed_at", rows_jstr(cd, i, CD_CLOSED_AT)));
	return a;
}

static json_t *
metrics_json(const struct account_view *v)
{
	const struct rows *a = &v->a;
	if (!v->computed)
		return json_null();
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
	    "as_of", rows_jstr(a, 0, AC_AS_OF), "computed_at", rows_jstr(a, 0, AC_COMPUTED_AT),
	    "abc_class", rows_jstr(a, 0, AC_CLASS), "revenue_window", rows_jnum(a, 0, AC_REVENUE),
	    "hist_ltv", rows_jnum(a, 0, AC_HIST_LTV), "ltv_pred", rows_jnum(a, 0, AC_LTV_PRED),
	    "value_basis", rows_jstr(a, 0, AC_VALUE_BASIS),
	    "p_alive", rows_jnum(a, 0, AC_P_ALIVE), "segment", rows_jstr(a, 0, AC_SEGMENT),
	    "qualification_grade", rows_jstr(a, 0, AC_GRADE),
	    "last_activity", rows_jstr(a, 0, AC_LAST_ACTIVITY),
	    "expected_purchases", rows_jnum(a, 0, AC_EXP_PURCHASES));
}

static json_t *
months_json(const struct rows *mo)
{
	json_t *a = json_array();
	for (int i = 0; i < mo->n; i++)
		json_array_append_new(a, json_pack("{s:o, s:o}", "month", rows_jstr(mo, i, MO_MONTH),
		                                   "revenue", rows_jnum(mo, i, MO_REVENUE)));
	return a;
}

static json_t *
history_json(const struct rows *qh)
{
	json_t *a = json_array();
	for (int i = 0; i < qh->n; i++)
		json_array_append_new(a, json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}",
		    "has_need", rows_jbool(qh, i, QH_HAS_NEED), "can_pay", rows_jbool(qh, i, QH_CAN_PAY),
		    "has_authority", rows_jbool(qh, i, QH_HAS_AUTHORITY),
		    "burning_issue", rows_jstr(qh, i, QH_BURNING_ISSUE),
		    "updated_by", rows_jstr(qh, i, QH_UPDATED_BY),
		    "updated_at", rows_jstr(qh, i, QH_UPDATED_AT)));
	return a;
}

static json_t *
qualification_json(const struct rows *a)
{
	if (rows_null(a, 0, AC_UPDATED_BY))
		return json_null();
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}",
	    "has_need", rows_jbool(a, 0, AC_HAS_NEED), "can_pay", rows_jbool(a, 0, AC_CAN_PAY),
	    "has_authority", rows_jbool(a, 0, AC_HAS_AUTHORITY),
	    "burning_issue", rows_jstr(a, 0, AC_BURNING_ISSUE),
	    "updated_by", rows_jstr(a, 0, AC_UPDATED_BY), "updated_at", rows_jstr(a, 0, AC_UPDATED_AT));
}

void
account_json(struct ctx *c, const struct account_view *v)
{
	const struct rows *a = &v->a;
	json_t *j = json_pack("{s:I, s:o, s:o, s:o, s:o, s:o, s:b, s:o, s:o}",
	    "account_id", (json_int_t)v->id, "name", rows_jstr(a, 0, AC_NAME),
	    "region", rows_jstr(a, 0, AC_REGION), "city", rows_jstr(a, 0, AC_CITY),
	    "industry", rows_jstr(a, 0, AC_INDUSTRY), "owner", rows_jstr(a, 0, AC_OWNER),
	    "key_person_known", v->has_dm, "contacts", contacts_json(&v->contacts),
	    "open_deals", deals_json(&v->deals));
	json_object_set_new(j, "closed_deals", account_closed_json(&v->closed));
	json_object_set_new(j, "metrics", metrics_json(v));
	json_object_set_new(j, "revenue_months", months_json(&v->months));
	json_object_set_new(j, "qualification", qualification_json(a));
	json_object_set_new(j, "qualification_history", history_json(&v->history));
	char tok[CSRF_LEN];
	form_token(c, tok, sizeof tok);
	json_object_set_new(j, "csrf_token", json_string(tok));
	send_json(c, j);
}
