/* /crmx/accounts/<id>: the account panel — its metrics with their "as
 * of" time, revenue by month, the qualification record with its history
 * and form, contacts with their purchase roles and whether the key person
 * is reached, and open deals with stage and age.  POST stores a new
 * qualification.  An account outside the viewer's scope is "not found",
 * exactly like one that does not exist, for reading and writing alike. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "form.h"
#include "panel.h"
#include "util.h"

static const char *const role_names[][2] = {
	{ "decision_maker", N_("decision maker (key person)") },
	{ "recommender", N_("recommender") },
	{ "user", N_("user") },
	{ "influencer", N_("influencer") },
	{ "insider", N_("insider") },
};

static const char *
role_label(const char *role)
{
	for (size_t i = 0; i < sizeof role_names / sizeof *role_names; i++)
		if (strcmp(role, role_names[i][0]) == 0)
			return _(role_names[i][1]);
	return "";
}

static const char *const segment_names[][2] = {
	{ "prospect", N_("prospect") }, { "active", N_("active") }, { "lapsed", N_("lapsed") },
};

static const char *
segment_label(const char *s)
{
	for (size_t i = 0; i < sizeof segment_names / sizeof *segment_names; i++)
		if (strcmp(s, segment_names[i][0]) == 0)
			return _(segment_names[i][1]);
	return s;
}

static void
row(struct ctx *c, const char *label, const char *value)
{
	out_raw(c->out, "<tr><th>");
	html_text(c->out, label);
	out_raw(c->out, "</th><td>");
	html_text(c->out, value && *value ? value : "\xE2\x80\x94");
	out_raw(c->out, "</td></tr>");
}

static const char *
money(struct ctx *c, PGresult *r, int col, char *buf, size_t len)
{
	if (PQgetisnull(r, 0, col))
		return NULL;
	fmt_money(buf, len, atof(PQgetvalue(r, 0, col)), c->cfg->metrics_currency, 0, c->lang);
	return buf;
}

/* The qualification form: the three checks of a precise customer and the
 * burning issue that makes the need urgent. */
static const struct field qual_fields[] = {
	{ "has_need", FIELD_YESNO, 0, 0, N_("Has a real need"), NULL },
	{ "can_pay", FIELD_YESNO, 0, 0, N_("Can pay (budget available)"), NULL },
	{ "has_authority", FIELD_YESNO, 0, 0, N_("Decision maker known"), NULL },
	{ "burning_issue", FIELD_TEXT, 0, 500, N_("Burning issue"), NULL },
};
#define NQUAL ((int)(sizeof qual_fields / sizeof *qual_fields))

/* A stored boolean as the form's value: "yes", "no" or "" (not known). */
static const char *
yesno(PGresult *r, int row, int col)
{
	if (PQgetisnull(r, row, col))
		return "";
	return PQgetvalue(r, row, col)[0] == 't' ? "yes" : "no";
}

static const char *
yesno_label(const char *v)
{
	return v[0] == 'y' ? _("yes") : v[0] == 'n' ? _("no") : _("not known");
}

static json_t *
jbool_val(PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? json_null() :
	       json_boolean(PQgetvalue(r, row, col)[0] == 't');
}

/* Revenue by month as a small bar chart drawn inline (no script, no
 * external asset; the CSP allows neither). */
static void
sparkline(struct ctx *c, PGresult *mo)
{
	struct out *o = c->out;
	int n = PQntuples(mo);
	double max = 0;
	for (int i = 0; i < n; i++) {
		double v = atof(PQgetvalue(mo, i, 1));
		max = v > max ? v : max;
	}
	out_raw(o, "<figure class=\"spark\"><figcaption>");
	html_text(o, _("Revenue by month, last 24 months"));
	out_rawf(o, "</figcaption><svg viewBox=\"0 0 %d 40\" preserveAspectRatio=\"none\" role=\"img\""
	         " aria-label=\"", n * 10);
	html_text(o, _("Revenue by month, last 24 months"));
	out_raw(o, "\">");
	for (int i = 0; i < n; i++) {
		double v = atof(PQgetvalue(mo, i, 1));
		double h = max > 0 && v > 0 ? 38.0 * v / max : 0;
		out_rawf(o, "<rect x=\"%d\" y=\"%.1f\" width=\"8\" height=\"%.1f\" fill=\"#3b6fb6\">"
		         "<title>", i * 10 + 1, 39 - h, h > 0 ? h : 0.5);
		char b[64];
		fmt_money(b, sizeof b, v, c->cfg->metrics_currency, 1, c->lang);
		html_text(o, PQgetvalue(mo, i, 0));
		out_raw(o, ": ");
		html_num(o, b);
		out_raw(o, "</title></rect>");
	}
	out_raw(o, "</svg></figure>");
}

static void
qualification_html(struct ctx *c, int64_t id, PGresult *a, PGresult *qh,
                   const char *const *values, const char *const *errors)
{
	struct out *o = c->out;
	char when[64];
	out_raw(o, "<h2 id=\"qualification\">");
	html_text(o, _("Qualification"));
	out_raw(o, "</h2>");
	if (PQgetisnull(a, 0, 22)) {
		out_raw(o, "<p class=\"note\">");
		html_text(o, _("Not qualified yet."));
		out_raw(o, "</p>");
	} else {
		int yes = 0;
		for (int k = 18; k <= 20; k++)
			yes += !PQgetisnull(a, 0, k) && PQgetvalue(a, 0, k)[0] == 't';
		out_raw(o, "<p>");
		html_text(o, yes == 3 ? _("Precise customer: need, ability to pay and decision maker all confirmed.") :
		             _("Not yet a precise customer."));
		out_raw(o, "</p><p class=\"meta\">");
		html_text(o, _("Updated by"));
		out_raw(o, " ");
		html_text(o, PQgetvalue(a, 0, 22));
		out_raw(o, ", ");
		html_text(o, panel_date(c, PQgetvalue(a, 0, 23), when, sizeof when));
		out_raw(o, "</p>");
	}
	if (errors != NULL) {
		out_raw(o, "<p class=\"error\">");
		html_text(o, _("Not saved: please correct the fields marked below."));
		out_raw(o, "</p>");
	} else if (request_param(c->req, "saved") != NULL) {
		out_raw(o, "<p class=\"saved\">");
		html_text(o, _("Saved."));
		out_raw(o, "</p>");
	}
	char action[64];
	snprintf(action, sizeof action, "/crmx/accounts/%lld%s", (long long)id,
	         c->embed ? "?embed=1" : "");
	form_html(c, action, _("Save qualification"), qual_fields, NQUAL, values, errors);
	if (PQntuples(qh) == 0)
		return;
	out_raw(o, "<details class=\"history\"><summary>");
	html_text(o, _("Qualification history"));
	out_raw(o, "</summary><table class=\"list\"><tr>");
	static const char *const heads[] = { N_("When"), N_("Who"), N_("Need"), N_("Can pay"),
	                                     N_("Decision maker"), N_("Burning issue") };
	for (size_t i = 0; i < sizeof heads / sizeof *heads; i++) {
		out_raw(o, "<th>");
		html_text(o, _(heads[i]));
		out_raw(o, "</th>");
	}
	out_raw(o, "</tr>");
	for (int i = 0; i < PQntuples(qh); i++) {
		out_raw(o, "<tr><td>");
		html_text(o, panel_date(c, PQgetvalue(qh, i, 5), when, sizeof when));
		out_raw(o, "</td><td>");
		html_text(o, PQgetvalue(qh, i, 4));
		for (int k = 0; k < 3; k++) {
			out_raw(o, "</td><td>");
			html_text(o, yesno_label(yesno(qh, i, k)));
		}
		out_raw(o, "</td><td>");
		html_text(o, PQgetvalue(qh, i, 3));
		out_raw(o, "</td></tr>");
	}
	out_raw(o, "</table></details>");
}

/* Draws the panel (HTML or JSON).  values/errors: a submitted form that
 * failed validation, drawn again as it was sent; NULL for a plain view. */
static int
render_account(struct ctx *c, int64_t id, const char *const *values, const char *const *errors)
{
	char ids[24];
	snprintf(ids, sizeof ids, "%lld", (long long)id);
	const char *extra[1] = { ids };
	/* Every part of the panel in one round trip; each statement checks
	 * the scope itself, so the parts of an account the viewer may not see
	 * come back empty. */
	static const enum query parts[] = { Q_ACCOUNT, Q_CONTACTS, Q_ACCOUNT_DEALS,
	                                    Q_ACCOUNT_MONTHS, Q_QUAL_HISTORY };
	PGresult *r[5];
	if (scoped_batch(c, parts, 5, 1, extra, r) != 0)
		return -1;
	PGresult *a = r[0], *ct = r[1], *dl = r[2], *mo = r[3], *qh = r[4];
	if (PQntuples(a) != 1) {
		for (int i = 0; i < 5; i++)
			PQclear(r[i]);
		return panel_error(c, 404, _("No such account, or it is not yours to see."));
	}
	int has_dm = 0;
	for (int i = 0; i < PQntuples(ct); i++)
		has_dm |= strcmp(PQgetvalue(ct, i, 2), "decision_maker") == 0;
	int computed = !PQgetisnull(a, 0, 15);

	if (c->req->want_json) {
		json_t *contacts = json_array(), *deals = json_array();
		for (int i = 0; i < PQntuples(ct); i++)
			json_array_append_new(contacts, json_pack("{s:o, s:o, s:o, s:o}",
			    "name", jstr_val(ct, i, 0), "title", jstr_val(ct, i, 1),
			    "purchase_role", PQgetvalue(ct, i, 2)[0] ? jstr_val(ct, i, 2) : json_null(),
			    "reached", jbool_val(ct, i, 3)));
		for (int i = 0; i < PQntuples(dl); i++)
			json_array_append_new(deals, json_pack("{s:I, s:o, s:o, s:o, s:o, s:o, s:o}",
			    "opportunity_id", (json_int_t)atoll(PQgetvalue(dl, i, 0)),
			    "name", jstr_val(dl, i, 1), "stage", jstr_val(dl, i, 2),
			    "stage_rank", jnum_val(dl, i, 3), "amount", jnum_val(dl, i, 4),
			    "probability", jnum_val(dl, i, 5), "days_in_stage", jnum_val(dl, i, 6)));
		json_t *j = json_pack("{s:I, s:o, s:o, s:o, s:o, s:o, s:b, s:o, s:o}",
		    "account_id", (json_int_t)id, "name", jstr_val(a, 0, 1), "region", jstr_val(a, 0, 2),
		    "city", jstr_val(a, 0, 3), "industry", jstr_val(a, 0, 4), "owner", jstr_val(a, 0, 5),
		    "key_person_known", has_dm, "contacts", contacts, "open_deals", deals);
		json_object_set_new(j, "metrics", !computed ? json_null() : json_pack(
		    "{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
		    "as_of", jstr_val(a, 0, 15), "computed_at", jstr_val(a, 0, 16),
		    "abc_class", jstr_val(a, 0, 6), "revenue_window", jnum_val(a, 0, 7),
		    "hist_ltv", jnum_val(a, 0, 8), "ltv_pred", jnum_val(a, 0, 9),
		    "p_alive", jnum_val(a, 0, 10), "segment", jstr_val(a, 0, 11),
		    "qualification_grade", jstr_val(a, 0, 12), "last_activity", jstr_val(a, 0, 14),
		    "expected_purchases", jnum_val(a, 0, 17)));
		json_t *months = json_array(), *hist = json_array();
		for (int i = 0; i < PQntuples(mo); i++)
			json_array_append_new(months, json_pack("{s:o, s:o}", "month", jstr_val(mo, i, 0),
			                                         "revenue", jnum_val(mo, i, 1)));
		for (int i = 0; i < PQntuples(qh); i++)
			json_array_append_new(hist, json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}",
			    "has_need", jbool_val(qh, i, 0), "can_pay", jbool_val(qh, i, 1),
			    "has_authority", jbool_val(qh, i, 2), "burning_issue", jstr_val(qh, i, 3),
			    "updated_by", jstr_val(qh, i, 4), "updated_at", jstr_val(qh, i, 5)));
		json_object_set_new(j, "revenue_months", months);
		json_object_set_new(j, "qualification", PQgetisnull(a, 0, 22) ? json_null() :
		    json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}", "has_need", jbool_val(a, 0, 18),
		    "can_pay", jbool_val(a, 0, 19), "has_authority", jbool_val(a, 0, 20),
		    "burning_issue", jstr_val(a, 0, 21), "updated_by", jstr_val(a, 0, 22),
		    "updated_at", jstr_val(a, 0, 23)));
		json_object_set_new(j, "qualification_history", hist);
		char tok[CSRF_LEN];
		form_token(c, tok, sizeof tok);
		json_object_set_new(j, "csrf_token", json_string(tok));
		send_json(c, j);
		goto out;
	}

	struct out *o = c->out;
	char b1[64], b2[64];
	page_begin(c, PQgetvalue(a, 0, 1));
	out_raw(o, "<h1>");
	html_text(o, PQgetvalue(a, 0, 1));
	out_raw(o, "</h1><p class=\"meta\">");
	html_text(o, PQgetvalue(a, 0, 2));
	out_raw(o, " \xC2\xB7 ");
	html_text(o, PQgetvalue(a, 0, 3));
	out_raw(o, " \xC2\xB7 ");
	html_text(o, PQgetvalue(a, 0, 5));
	out_raw(o, "</p>");
	if (!computed) {
		out_raw(o, "<p class=\"note\">");
		html_text(o, _("Metrics not computed yet."));
		out_raw(o, "</p>");
	} else {
		out_raw(o, "<table class=\"kv\">");
		row(c, _("Class"), PQgetvalue(a, 0, 6));
		row(c, _("Revenue in the last 12 months"), money(c, a, 7, b1, sizeof b1));
		row(c, _("Historical value"), money(c, a, 8, b1, sizeof b1));
		row(c, _("Predicted value"), money(c, a, 9, b1, sizeof b1));
		if (!PQgetisnull(a, 0, 10))
			fmt_percent(b1, sizeof b1, atof(PQgetvalue(a, 0, 10)), 0);
		row(c, _("Probability still a customer"), PQgetisnull(a, 0, 10) ? NULL : b1);
		row(c, _("Lifecycle"), segment_label(PQgetvalue(a, 0, 11)));
		row(c, _("Qualification grade"), PQgetvalue(a, 0, 12));
		row(c, _("Last activity"), panel_date(c, PQgetvalue(a, 0, 14), b2, sizeof b2));
		out_raw(o, "</table><p class=\"asof\">");
		html_text(o, _("As of"));
		out_raw(o, " ");
		html_text(o, panel_date(c, PQgetvalue(a, 0, 15), b2, sizeof b2));
		out_raw(o, "</p>");
	}
	sparkline(c, mo);
	const char *cur[NQUAL] = { yesno(a, 0, 18), yesno(a, 0, 19), yesno(a, 0, 20),
	                           PQgetvalue(a, 0, 21) };
	qualification_html(c, id, a, qh, values ? values : cur, errors);
	out_raw(o, "<h2>");
	html_text(o, _("Contacts"));
	out_raw(o, "</h2>");
	if (!has_dm) {
		out_raw(o, "<p class=\"warn\">");
		html_text(o, _("No decision maker known: find the key person."));
		out_raw(o, "</p>");
	}
	out_raw(o, "<ul class=\"contacts\">");
	for (int i = 0; i < PQntuples(ct); i++) {
		out_raw(o, "<li>");
		html_text(o, PQgetvalue(ct, i, 0));
		out_raw(o, " <span class=\"title\">");
		html_text(o, PQgetvalue(ct, i, 1));
		out_raw(o, "</span> <span class=\"role\">");
		html_text(o, role_label(PQgetvalue(ct, i, 2)));
		out_raw(o, "</span>");
		if (strcmp(PQgetvalue(ct, i, 2), "decision_maker") == 0) {
			int reached = PQgetvalue(ct, i, 3)[0] == 't';
			out_raw(o, reached ? " <span class=\"ok\">" : " <span class=\"flag\">");
			html_text(o, reached ? _("reached") : _("not reached yet"));
			out_raw(o, "</span>");
		}
		out_raw(o, "</li>");
	}
	out_raw(o, "</ul><h2>");
	html_text(o, _("Open deals"));
	out_raw(o, "</h2>");
	if (PQntuples(dl) == 0) {
		out_raw(o, "<p class=\"note\">");
		html_text(o, _("No open deals."));
		out_raw(o, "</p>");
		goto end;
	}
	out_raw(o, "<table class=\"list\"><tr><th>");
	html_text(o, _("Deal"));
	out_raw(o, "</th><th>");
	html_text(o, _("Stage"));
	out_raw(o, "</th><th class=\"num\">");
	html_text(o, _("Amount"));
	out_raw(o, "</th><th class=\"num\">");
	html_text(o, _("Days in stage"));
	out_raw(o, "</th></tr>");
	for (int i = 0; i < PQntuples(dl); i++) {
		out_rawf(o, "<tr><td><a href=\"/crmx/deals/%lld\">", atoll(PQgetvalue(dl, i, 0)));
		html_text(o, PQgetvalue(dl, i, 1));
		out_raw(o, "</a></td><td>");
		html_text(o, PQgetvalue(dl, i, 2));
		out_raw(o, "</td><td class=\"num\">");
		fmt_money(b1, sizeof b1, atof(PQgetvalue(dl, i, 4)), c->cfg->metrics_currency, 0, c->lang);
		html_num(o, b1);
		out_raw(o, "</td><td class=\"num\">");
		html_text(o, PQgetvalue(dl, i, 6));
		out_raw(o, "</td></tr>");
	}
	out_raw(o, "</table>");
end:
	page_end(c);
out:
	PQclear(a);
	PQclear(ct);
	PQclear(dl);
	PQclear(mo);
	PQclear(qh);
	return 0;
}

int
h_account(struct ctx *c, const char *arg)
{
	int64_t id;
	if (panel_id(c, arg, _("The account id must be a positive whole number."), &id) != 0)
		return 0;
	return render_account(c, id, NULL, NULL);
}

static const struct form_spec qual_form = {
	qual_fields, NQUAL, Q_SAVE_QUAL, render_account,
	N_("No such account, or it is not yours to see."), "/crmx/accounts/", "#qualification",
	"account_id",
};

/* POST /crmx/accounts/<id>: a new qualification, stored with who and when
 * together with its history row; then back to the panel. */
int
h_account_post(struct ctx *c, const char *arg)
{
	int64_t id;
	if (panel_id(c, arg, _("The account id must be a positive whole number."), &id) != 0)
		return 0;
	return form_post(c, id, &qual_form);
}
