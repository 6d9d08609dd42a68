/* The accounts list as JSON (data: accounts.c). */
#include <stdlib.h>

#include "accounts.h"

void
accounts_json(struct ctx *c, const struct accounts_view *v)
{
	const struct rows *r = &v->rows;
	json_t *rows = json_array();
	for (int i = 0; i < v->n; i++)
		json_array_append_new(rows, json_pack(
		    "{s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
		    "account_id", (json_int_t)atoll(rows_s(r, i, LS_ID)),
		    "name", rows_jstr(r, i, LS_NAME), "region", rows_jstr(r, i, LS_REGION),
		    "city", rows_jstr(r, i, LS_CITY), "owner", rows_jstr(r, i, LS_OWNER),
		    "abc_class", rows_jstr(r, i, LS_CLASS), "revenue_window", rows_jnum(r, i, LS_REVENUE),
		    "hist_ltv", rows_jnum(r, i, LS_HIST_LTV), "ltv_pred", rows_jnum(r, i, LS_LTV_PRED),
		    "p_alive", rows_jnum(r, i, LS_P_ALIVE), "segment", rows_jstr(r, i, LS_SEGMENT),
		    "qualification_grade", rows_jstr(r, i, LS_GRADE),
		    "open_deals", rows_jnum(r, i, LS_OPEN_DEALS),
		    "last_activity", rows_jstr(r, i, LS_LAST_ACTIVITY)));
	send_json(c, json_pack("{s:I, s:b, s:I, s:I, s:b, s:o}", "total", (json_int_t)v->total,
	                       "total_capped", v->capped, "page", (json_int_t)v->page,
	                       "size", (json_int_t)v->size, "more", v->more, "accounts", rows));
}
