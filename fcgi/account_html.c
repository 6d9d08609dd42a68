/* The account panel as HTML (data: account.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "label.h"
#include "util.h"

static const char *
money(struct ctx *c, const struct rows *a, int f, char *buf, size_t len)
{
	if (rows_null(a, 0, f))
		return NULL;
	fmt_amount(buf, len, rows_num(a, 0, f), c->cfg->metrics_currency, c->lang);
	return buf;
}

/* A stored boolean as the form's value: "yes", "no" or "" (not known). */
static const char *
yesno(const struct rows *r, int row, int f)
{
	if (rows_null(r, row, f))
		return "";
	return rows_s(r, row, f)[0] == 't' ? "yes" : "no";
}

static const char *
yesno_label(const char *v)
{
	return v[0] == 'y' ? _("yes") : v[0] == 'n' ? _("no") : _("not known");
}

/* Revenue by month as a small bar chart drawn inline (no script, no
 * external asset; the CSP allows neither). */
static void
sparkline(struct ctx *c, const struct rows *mo)
{
	struct out *o = c->out;
	double max = 0;
	for (int i = 0; i < mo->n; i++) {
		double v = rows_num(mo, i, MO_REVENUE);
		max = v > max ? v : max;
	}
	out_raw(o, "<figure class=\"spark\"><figcaption>");
	html_text(o, _("Revenue by month, last 24 months"));
	out_rawf(o, "</figcaption><svg viewBox=\"0 0 %d 40\" preserveAspectRatio=\"none\" role=\"img\""
	         " aria-label=\"", mo->n * 10);
	html_text(o, _("Revenue by month, last 24 months"));
	out_raw(o, "\">");
	for (int i = 0; i < mo->n; i++) {
		double v = rows_num(mo, i, MO_REVENUE);
		double h = max > 0 && v > 0 ? 38.0 * v / max : 0;
		out_rawf(o, "<rect x=\"%d\" y=\"%.1f\" width=\"8\" height=\"%.1f\" fill=\"#3b6fb6\">"
		         "<title>", i * 10 + 1, 39 - h, h > 0 ? h : 0.5);
		char b[64];
		fmt_money(b, sizeof b, v, c->cfg->metrics_currency, 1, c->lang);
		html_text(o, rows_s(mo, i, MO_MONTH));
		out_raw(o, ": ");
		html_num(o, b);
		out_raw(o, "</title></rect>");
	}
	out_raw(o, "</svg></figure>");
}

/* Whether the last save was the contact form's (its redirect names it). */
static int
contact_saved(struct ctx *c)
{
	const char *s = request_param(c->req, "saved");
	return s != NULL && strcmp(s, "contact") == 0;
}

/* Whether the record says precise customer, and who saved it when. */
static void
qualification_state(struct ctx *c, const struct rows *a)
{
	struct out *o = c->out;
	char when[64];
	if (rows_null(a, 0, AC_UPDATED_BY)) {
		panel_para(c, "note", _("Not qualified yet."));
		return;
	}
	int yes = 0;
	for (int f = AC_HAS_NEED; f <= AC_HAS_AUTHORITY; f++)
		yes += !rows_null(a, 0, f) && rows_s(a, 0, f)[0] == 't';
	out_raw(o, "<p>");
	html_text(o, yes == 3 ? _("Precise customer: need, ability to pay and decision maker all confirmed.") :
	             _("Not yet a precise customer."));
	out_raw(o, "</p><p class=\"meta\">");
	html_text(o, _("Updated by"));
	out_raw(o, " ");
	html_text(o, rows_s(a, 0, AC_UPDATED_BY));
	out_raw(o, ", ");
	html_text(o, panel_date(c, rows_s(a, 0, AC_UPDATED_AT), when, sizeof when));
	out_raw(o, "</p>");
}

static void
qualification_history(struct ctx *c, const struct rows *qh)
{
	struct out *o = c->out;
	char when[64];
	if (qh->n == 0)
		return;
	out_raw(o, "<details class=\"history\"><summary>");
	html_text(o, _("Qualification history"));
	out_raw(o, "</summary><table class=\"list\">");
	static const char *const heads[] = { N_("When"), N_("Who"), N_("Need"), N_("Can pay"),
	                                     N_("Decision maker"), N_("Burning issue") };
	panel_thead(c, heads, sizeof heads / sizeof *heads, 0);
	for (int i = 0; i < qh->n; i++) {
		out_raw(o, "<tr>");
		panel_td(c, NULL, panel_date(c, rows_s(qh, i, QH_UPDATED_AT), when, sizeof when));
		panel_td(c, NULL, rows_s(qh, i, QH_UPDATED_BY));
		for (int f = QH_HAS_NEED; f <= QH_HAS_AUTHORITY; f++)
			panel_td(c, NULL, yesno_label(yesno(qh, i, f)));
		panel_td(c, NULL, rows_s(qh, i, QH_BURNING_ISSUE));
		out_raw(o, "</tr>");
	}
	out_raw(o, "</table></details>");
}

static void
qualification_html(struct ctx *c, const struct account_view *v)
{
	const struct rows *a = &v->a;
	out_raw(c->out, "<h2 id=\"qualification\">");
	html_text(c->out, _("Qualification"));
	out_raw(c->out, "</h2>");
	qualification_state(c, a);
	const char *const *values = v->contact_form ? NULL : v->values;
	const char *const *errors = v->contact_form ? NULL : v->errors;
	if (errors != NULL)
		panel_para(c, "error", _("Not saved: please correct the fields marked below."));
	else if (request_param(c->req, "saved") != NULL && !contact_saved(c))
		panel_para(c, "saved", _("Saved."));
	char action[64];
	snprintf(action, sizeof action, "/crmx/accounts/%lld%s", (long long)v->id,
	         c->embed ? "?embed=1" : "");
	const char *cur[NQUAL] = { yesno(a, 0, AC_HAS_NEED), yesno(a, 0, AC_CAN_PAY),
	                           yesno(a, 0, AC_HAS_AUTHORITY), rows_s(a, 0, AC_BURNING_ISSUE) };
	form_html(c, action, _("Save qualification"), qual_fields, NQUAL,
	          values ? values : cur, errors);
	qualification_history(c, &v->history);
}

static void
metrics_html(struct ctx *c, const struct rows *a)
{
	char b1[64], b2[64];
	out_raw(c->out, "<table class=\"kv\">");
	panel_kv(c, _("Class"), rows_s(a, 0, AC_CLASS));
	panel_kv(c, _("Revenue in the last 12 months"), money(c, a, AC_REVENUE, b1, sizeof b1));
	/* both on the account's basis (reportd/metrics/customers.c) */
	const char *basis = rows_null(a, 0, AC_VALUE_BASIS) ? "" : rows_s(a, 0, AC_VALUE_BASIS);
	int by_margin = strcmp(basis, "margin") == 0, by_revenue = strcmp(basis, "revenue") == 0;
	panel_kv(c, by_margin ? _("Historical margin") : by_revenue ? _("Historical revenue") :
	         _("Historical value"), money(c, a, AC_HIST_LTV, b1, sizeof b1));
	panel_kv(c, by_margin ? _("Predicted margin") : by_revenue ? _("Predicted revenue") :
	         _("Predicted value"), money(c, a, AC_LTV_PRED, b1, sizeof b1));
	if (!rows_null(a, 0, AC_P_ALIVE))
		fmt_percent(b1, sizeof b1, rows_num(a, 0, AC_P_ALIVE), 0);
	panel_kv(c, _("Probability still a customer"), rows_null(a, 0, AC_P_ALIVE) ? NULL : b1);
	panel_kv(c, _("Lifecycle"), crm_label(LABEL_LIFECYCLE, rows_s(a, 0, AC_SEGMENT)));
	panel_kv(c, _("Qualification grade"), rows_s(a, 0, AC_GRADE));
	panel_kv(c, _("Last activity"), panel_date(c, rows_s(a, 0, AC_LAST_ACTIVITY), b2, sizeof b2));
	out_raw(c->out, "</table><p class=\"asof\">");
	html_text(c->out, _("As of"));
	out_raw(c->out, " ");
	html_text(c->out, panel_date(c, rows_s(a, 0, AC_AS_OF), b2, sizeof b2));
	out_raw(c->out, "</p>");
}

/* "reached 2026-06-30 by Li" or "not reached yet" for a key person. */
static void
reached_html(struct ctx *c, const struct rows *ct, int i)
{
	struct out *o = c->out;
	char when[64];
	int reached = rows_s(ct, i, CT_REACHED)[0] == 't';
	out_raw(o, reached ? " <span class=\"ok\">" : " <span class=\"flag\">");
	html_text(o, reached ? _("reached") : _("not reached yet"));
	if (reached && !rows_null(ct, i, CT_REACHED_ON)) {
		out_raw(o, " ");
		html_text(o, panel_date(c, rows_s(ct, i, CT_REACHED_ON), when, sizeof when));
	}
	if (reached && !rows_null(ct, i, CT_REACHED_BY)) {
		out_raw(o, " \xC2\xB7 ");
		html_text(o, rows_s(ct, i, CT_REACHED_BY));
	}
	out_raw(o, "</span>");
}

/* The form to set a contact's role and record the key person reached:
 * the contacts of this account as its list. */
static void
contact_form_html(struct ctx *c, const struct account_view *v)
{
	const struct rows *ct = &v->contacts;
	if (ct->n == 0)
		return;
	int n = ct->n < 200 ? ct->n : 200;
	const char **choices = xcalloc((size_t)(2 * n + 1), sizeof *choices);
	for (int i = 0; i < n; i++) {
		choices[2 * i] = rows_s(ct, i, CT_ID);
		choices[2 * i + 1] = rows_s(ct, i, CT_NAME);
	}
	struct field f[NCONTACT];
	memcpy(f, contact_fields, sizeof f);
	f[0].choices = choices;
	char action[64];
	snprintf(action, sizeof action, "/crmx/accounts/%lld%s", (long long)v->id,
	         c->embed ? "?embed=1" : "");
	out_raw(c->out, "<details class=\"contact-form\" open><summary>");
	html_text(c->out, _("Set a purchase role or record the key person reached"));
	out_raw(c->out, "</summary>");
	form_html(c, action, _("Save contact"), f, NCONTACT,
	          v->contact_form ? v->values : NULL, v->contact_form ? v->errors : NULL);
	out_raw(c->out, "</details>");
	free(choices);
}

static void
contact_history_html(struct ctx *c, const struct rows *h)
{
	struct out *o = c->out;
	char when[64], on[64];
	if (h->n == 0)
		return;
	out_raw(o, "<details class=\"history\"><summary>");
	html_text(o, _("Contact history"));
	out_raw(o, "</summary><table class=\"list\">");
	static const char *const heads[] = { N_("When"), N_("Who"), N_("Contact"),
	                                     N_("Purchase role"), N_("Key person reached") };
	panel_thead(c, heads, sizeof heads / sizeof *heads, 0);
	for (int i = 0; i < h->n; i++) {
		out_raw(o, "<tr>");
		panel_td(c, NULL, panel_date(c, rows_s(h, i, CH_UPDATED_AT), when, sizeof when));
		panel_td(c, NULL, rows_s(h, i, CH_UPDATED_BY));
		panel_td(c, NULL, rows_s(h, i, CH_NAME));
		panel_td(c, NULL, crm_label(LABEL_ROLE, rows_s(h, i, CH_ROLE)));
		out_raw(o, "<td>");
		if (rows_s(h, i, CH_REACHED)[0] == 't') {
			html_text(o, panel_date(c, rows_s(h, i, CH_REACHED_ON), on, sizeof on));
			out_raw(o, " \xC2\xB7 ");
			html_text(o, rows_s(h, i, CH_REACHED_BY));
		} else {
			html_text(o, _("no"));
		}
		out_raw(o, "</td></tr>");
	}
	out_raw(o, "</table></details>");
}

static void
contacts_html(struct ctx *c, const struct account_view *v)
{
	struct out *o = c->out;
	const struct rows *ct = &v->contacts;
	out_raw(o, "<h2 id=\"contacts\">");
	html_text(o, _("Contacts"));
	out_raw(o, "</h2>");
	if (!v->has_dm)
		panel_para(c, "warn", _("No decision maker known: find the key person."));
	if (v->contact_form && v->errors != NULL)
		panel_para(c, "error", _("Not saved: please correct the fields marked below."));
	else if (contact_saved(c))
		panel_para(c, "saved", _("Saved."));
	out_raw(o, "<ul class=\"contacts\">");
	for (int i = 0; i < ct->n; i++) {
		out_raw(o, "<li>");
		html_text(o, rows_s(ct, i, CT_NAME));
		out_raw(o, " <span class=\"title\">");
		html_text(o, rows_s(ct, i, CT_TITLE));
		out_raw(o, "</span> <span class=\"role\">");
		html_text(o, crm_label(LABEL_ROLE, rows_s(ct, i, CT_ROLE)));
		out_raw(o, "</span>");
		if (strcmp(rows_s(ct, i, CT_ROLE), "decision_maker") == 0)
			reached_html(c, ct, i);
		out_raw(o, "</li>");
	}
	out_raw(o, "</ul>");
	contact_form_html(c, v);
	contact_history_html(c, &v->contact_history);
}

static void
deals_html(struct ctx *c, const struct rows *dl)
{
	struct out *o = c->out;
	char b1[64];
	panel_h2(c, _("Open deals"));
	if (dl->n == 0) {
		panel_para(c, "note", _("No open deals."));
		return;
	}
	static const char *const heads[] = { N_("Deal"), N_("Stage"), N_("Amount"),
	                                     N_("Days in stage") };
	out_raw(o, "<table class=\"list\">");
	panel_thead(c, heads, 4, 1u << 2 | 1u << 3);
	for (int i = 0; i < dl->n; i++) {
		out_rawf(o, "<tr><td><a href=\"/crmx/deals/%lld\">", atoll(rows_s(dl, i, AD_ID)));
		html_text(o, rows_s(dl, i, AD_NAME));
		out_raw(o, "</a></td>");
		panel_td(c, NULL, crm_label(LABEL_STAGE, rows_s(dl, i, AD_STAGE)));
		fmt_amount(b1, sizeof b1, rows_num(dl, i, AD_AMOUNT), c->cfg->metrics_currency, c->lang);
		panel_td(c, "num", b1);
		panel_td(c, "num", rows_s(dl, i, AD_DAYS));
		out_raw(o, "</tr>");
	}
	out_raw(o, "</table>");
}

void
account_closed_html(struct ctx *c, const struct rows *cd)
{
	struct out *o = c->out;
	char b[64], d[64];
	out_raw(o, "<h2 id=\"closed\">");
	html_text(o, _("Closed deals"));
	out_raw(o, "</h2>");
	if (cd->n == 0) {
		panel_para(c, "note", _("No closed deals."));
		return;
	}
	static const char *const heads[] = { N_("Deal"), N_("Outcome"), N_("Closed"), N_("Amount"),
	                                     N_("Lost reason") };
	out_raw(o, "<table class=\"list closed\">");
	panel_thead(c, heads, 5, 1u << 3);
	for (int i = 0; i < cd->n; i++) {
		int won = strcmp(rows_s(cd, i, CD_OUTCOME), "won") == 0;
		out_rawf(o, "<tr class=\"%s\"><td><a href=\"/crmx/deals/%lld\">", won ? "won" : "lost",
		         atoll(rows_s(cd, i, CD_ID)));
		html_text(o, rows_s(cd, i, CD_NAME));
		out_raw(o, "</a></td>");
		panel_td(c, won ? "ok" : "flag", won ? _("won") : _("lost"));
		panel_td(c, NULL, panel_date(c, rows_s(cd, i, CD_CLOSED_AT), d, sizeof d));
		fmt_amount(b, sizeof b, rows_num(cd, i, CD_AMOUNT), c->cfg->metrics_currency, c->lang);
		panel_td(c, "num", b);
		panel_td(c, NULL, rows_null(cd, i, CD_LOST_REASON) ? "" :
		         crm_label(LABEL_LOST_REASON, rows_s(cd, i, CD_LOST_REASON)));
		out_raw(o, "</tr>");
	}
	out_raw(o, "</table>");
}

void
account_html(struct ctx *c, const struct account_view *v)
{
	struct out *o = c->out;
	const struct rows *a = &v->a;
	page_begin(c, rows_s(a, 0, AC_NAME));
	out_raw(o, "<h1>");
	html_text(o, rows_s(a, 0, AC_NAME));
	out_raw(o, "</h1><p class=\"meta\">");
	html_text(o, rows_s(a, 0, AC_REGION));
	out_raw(o, " \xC2\xB7 ");
	html_text(o, rows_s(a, 0, AC_CITY));
	out_raw(o, " \xC2\xB7 ");
	html_text(o, rows_s(a, 0, AC_OWNER));
	out_raw(o, "</p>");
	if (!v->computed)
		panel_para(c, "note", _("Metrics not computed yet."));
	else
		metrics_html(c, a);
	sparkline(c, &v->months);
	qualification_html(c, v);
	contacts_html(c, v);
	deals_html(c, &v->deals);
	account_closed_html(c, &v->closed);
	page_end(c);
}
