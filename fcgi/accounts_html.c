/* The accounts list as HTML (data: accounts.c). */
#include <stdlib.h>

#include "accounts.h"
#include "label.h"
#include "util.h"

/* The search box and a control for each filter the list takes. */
static void
list_form(struct ctx *c, const struct accounts_view *v)
{
	static const char *const classes[] = { "", N_("any"), "A", "A", "B", "B", "C", "C" };
	static const char *const segments[] = { "", N_("any"), "prospect", N_("prospect"),
	                                        "active", N_("active"), "lapsed", N_("lapsed") };
	static const char *const grades[] = { "", N_("any"), "A", "A", "B", "B", "C", "C" };
	static const char *const controls[] = { "owner", "region", "city", "class", "segment",
	                                        "grade", "sort" };
	static const char *const sorts[] = { "revenue", N_("Revenue, 12 months"),
	                                     "ltv", N_("Predicted value"), "name", N_("Account"),
	                                     "activity", N_("Last activity") };
	const struct rows *u = &v->owners;
	ln_form_begin(c, &v->nav, _("Account name or city"));
	if (u->res != NULL && u->n > 1 && u->n <= 100) {
		const char *opts[2 * 101];
		opts[0] = "";
		opts[1] = _("any");
		for (int i = 0; i < u->n; i++) {
			opts[2 + 2 * i] = rows_s(u, i, 0);
			opts[3 + 2 * i] = rows_s(u, i, 1);
		}
		ln_form_select(c, &v->nav, "owner", _("Owner"), opts, u->n + 1, 0);
	} else if (u->n > 100) {
		ln_form_text(c, &v->nav, "owner", _("Owner id"));
	}
	ln_form_text(c, &v->nav, "region", _("Region"));
	ln_form_text(c, &v->nav, "city", _("City"));
	ln_form_select(c, &v->nav, "class", _("Class"), classes, 4, 1);
	ln_form_select(c, &v->nav, "segment", _("Lifecycle"), segments, 4, 1);
	ln_form_select(c, &v->nav, "grade", _("Grade"), grades, 4, 1);
	ln_form_select(c, &v->nav, "sort", _("Sort by"), sorts, 4, 1);
	/* a rep's own list has no owner control: the value goes along hidden */
	ln_form_end(c, &v->nav, controls, u->n > 1 ? 7 : 0);
}

static void
list_head(struct ctx *c, const struct accounts_view *v)
{
	struct out *o = c->out;
	out_raw(o, "<h1>");
	html_text(o, _("Accounts"));
	out_raw(o, "</h1><p class=\"meta\"><a href=\"/crmx/regions\">");
	html_text(o, _("By region and city"));
	out_raw(o, "</a></p>");
	list_form(c, v);
	ln_count_html(c, &v->nav);
	out_raw(o, "<table class=\"list accounts\"><tr>");
	ln_sort_th(c, &v->nav, _("Account"), "name", 0);
	static const char *const heads[] = { N_("City"), N_("Owner"), N_("Class") };
	for (int i = 0; i < 3; i++) {
		out_raw(o, "<th>");
		html_text(o, _(heads[i]));
		out_raw(o, "</th>");
	}
	ln_sort_th(c, &v->nav, _("Revenue, 12 months"), "revenue", 1);
	ln_sort_th(c, &v->nav, _("Predicted value"), "ltv", 1);
	static const char *const tail[] = { N_("Lifecycle"), N_("Grade") };
	for (int i = 0; i < 2; i++) {
		out_raw(o, "<th>");
		html_text(o, _(tail[i]));
		out_raw(o, "</th>");
	}
	out_raw(o, "<th class=\"num\">");
	html_text(o, _("Open deals"));
	out_raw(o, "</th></tr>");
}

static void
list_row(struct ctx *c, const struct rows *r, int i)
{
	struct out *o = c->out;
	char b[64];
	out_raw(o, "<tr><td><a href=\"/crmx/accounts/");
	out_int(o, atoll(rows_s(r, i, LS_ID)));
	out_raw(o, "\">");
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
	panel_td_count(c, rows_s(r, i, LS_OPEN_DEALS));
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
	if (v->n == 0)
		panel_para(c, "note", _("No account matches."));
	ln_pager_html(c, &v->nav);
	page_end(c);
}
