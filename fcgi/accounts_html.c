/* The accounts list as HTML (data: accounts.c). */
#include <stdlib.h>

#include "accounts.h"
#include "label.h"
#include "util.h"

/* A link to another page of the same list: sort and every filter kept
 * (values URL-encoded, then HTML-escaped by the one writer). */
static void
page_link(struct ctx *c, const struct accounts_view *v, int64_t page, const char *label)
{
	struct sbuf href;
	char enc[3 * REQ_MAX_QUERY + 1];	/* any value of the query, whole */
	sb_init(&href);
	sb_printf(&href, "/crmx/accounts?page=%lld&size=%lld&sort=%s", (long long)page,
	          (long long)v->size, v->sort);
	for (int i = 0; i < NFILTERS; i++)
		if (v->fv[i] != NULL) {
			url_encode(v->fv[i], enc, sizeof enc);
			sb_printf(&href, "&%s=%s", accounts_filters[i], enc);
		}
	if (c->embed)
		sb_raw(&href, "&embed=1");
	out_raw(c->out, " <a class=\"page\" href=\"");
	html_text(c->out, href.s);
	out_raw(c->out, "\">");
	html_text(c->out, label);
	out_raw(c->out, "</a>");
	sb_free(&href);
}

static void
list_head(struct ctx *c, const struct accounts_view *v)
{
	struct out *o = c->out;
	char b[64];
	out_raw(o, "<h1>");
	html_text(o, _("Accounts"));
	out_raw(o, "</h1><p class=\"meta\">");
	fmt_number(b, sizeof b, (double)(v->capped ? COUNT_CAP : v->total), 0);
	html_num(o, b);
	out_raw(o, v->capped ? "+ \xC2\xB7 <a href=\"/crmx/regions\">" :
	                       " \xC2\xB7 <a href=\"/crmx/regions\">");
	html_text(o, _("By region and city"));
	out_raw(o, "</a></p><table class=\"list\">");
	static const char *const heads[] = { N_("Account"), N_("City"), N_("Owner"), N_("Class"),
	                                     N_("Revenue, 12 months"), N_("Predicted value"),
	                                     N_("Lifecycle"), N_("Grade"), N_("Open deals") };
	panel_thead(c, heads, 9, 1u << 4 | 1u << 5 | 1u << 8);
}

static void
list_row(struct ctx *c, const struct rows *r, int i)
{
	struct out *o = c->out;
	char b[64];
	out_rawf(o, "<tr><td><a href=\"/crmx/accounts/%lld\">", atoll(rows_s(r, i, LS_ID)));
	html_text(o, rows_s(r, i, LS_NAME));
	out_raw(o, "</a></td>");
	panel_td(c, NULL, rows_s(r, i, LS_CITY));
	panel_td(c, NULL, rows_s(r, i, LS_OWNER));
	panel_td(c, NULL, rows_s(r, i, LS_CLASS));
	static const int money[] = { LS_REVENUE, LS_LTV_PRED };
	for (int k = 0; k < 2; k++) {
		if (!rows_null(r, i, money[k]))
			fmt_money(b, sizeof b, rows_num(r, i, money[k]), c->cfg->metrics_currency,
			          1, c->lang);
		panel_td(c, "num", rows_null(r, i, money[k]) ? NULL : b);
	}
	panel_td(c, NULL, crm_label(LABEL_LIFECYCLE, rows_s(r, i, LS_SEGMENT)));
	panel_td(c, NULL, rows_s(r, i, LS_GRADE));
	panel_td(c, "num", rows_s(r, i, LS_OPEN_DEALS));
	out_raw(o, "</tr>");
}

void
accounts_html(struct ctx *c, const struct accounts_view *v)
{
	struct out *o = c->out;
	page_begin(c, _("Accounts"));
	list_head(c, v);
	for (int i = 0; i < v->n; i++)
		list_row(c, &v->rows, i);
	out_raw(o, "</table>");
	out_raw(o, "<p class=\"pages\">");
	if (v->page > 1)
		page_link(c, v, v->page - 1, _("Previous page"));
	if (v->more)
		page_link(c, v, v->page + 1, _("Next page"));
	out_raw(o, "</p>");
	page_end(c);
}
