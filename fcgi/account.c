/* /crmx/accounts/<id>: the account panel — its metrics with their "as
 * of" time, contacts with their purchase roles and whether the key person
 * is known, and open deals with stage and age.  An account outside the
 * viewer's scope is "not found", exactly like one that does not exist. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int
h_account(struct ctx *c, const char *arg)
{
	int64_t id;
	if (parse_int64(arg, 1, INT64_MAX, &id) != 0)
		return panel_error(c, 400, _("The account id must be a positive whole number."));
	char ids[24];
	snprintf(ids, sizeof ids, "%lld", (long long)id);
	const char *extra[1] = { ids };
	PGresult *a = scoped_query(c,
	    "SELECT a.account_id, a.name, a.region, a.city, a.industry, u.name,"
	    " m.abc_class, m.revenue_window, m.hist_ltv, m.ltv_pred, m.p_alive, m.segment,"
	    " m.qual_grade, m.open_deals, to_char(m.last_activity, 'YYYY-MM-DD'),"
	    " m.as_of::text, to_char(m.computed_at, 'YYYY-MM-DD HH24:MI'), m.exp_purchases"
	    " FROM crmx_src.accounts a LEFT JOIN crmx_src.users u ON u.user_id = a.owner_id"
	    " LEFT JOIN crmx.latest_account_metrics m ON m.account_id = a.account_id"
	    " WHERE a.account_id = $4::bigint AND " SCOPE_SQL("a.owner_id"), 1, extra);
	if (a == NULL)
		return -1;
	if (PQntuples(a) != 1) {
		PQclear(a);
		return panel_error(c, 404, _("No such account, or it is not yours to see."));
	}
	PGresult *ct = scoped_query(c,
	    "SELECT k.name, k.title, coalesce(k.purchase_role, '') FROM crmx_src.contacts k"
	    " JOIN crmx_src.accounts a ON a.account_id = k.account_id"
	    " WHERE k.account_id = $4::bigint AND " SCOPE_SQL("a.owner_id")
	    " ORDER BY coalesce(k.purchase_role = 'decision_maker', false) DESC, k.name", 1, extra);
	PGresult *dl = ct == NULL ? NULL : scoped_query(c,
	    "SELECT o.opportunity_id, o.name, o.stage, o.stage_rank, o.amount, o.probability,"
	    " (current_date - o.stage_entered_at::date)"
	    " FROM crmx_src.opportunities o"
	    " WHERE o.account_id = $4::bigint AND o.outcome = 'open' AND " SCOPE_SQL("o.owner_id")
	    " ORDER BY o.amount DESC NULLS LAST, o.opportunity_id", 1, extra);
	if (ct == NULL || dl == NULL) {
		PQclear(a);
		PQclear(ct);
		return -1;
	}
	int has_dm = 0;
	for (int i = 0; i < PQntuples(ct); i++)
		has_dm |= strcmp(PQgetvalue(ct, i, 2), "decision_maker") == 0;
	int computed = !PQgetisnull(a, 0, 15);

	if (c->req->want_json) {
		json_t *contacts = json_array(), *deals = json_array();
		for (int i = 0; i < PQntuples(ct); i++)
			json_array_append_new(contacts, json_pack("{s:o, s:o, s:o}",
			    "name", jstr_val(ct, i, 0), "title", jstr_val(ct, i, 1),
			    "purchase_role", PQgetvalue(ct, i, 2)[0] ? jstr_val(ct, i, 2) : json_null()));
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
		send_json(c, j);
		PQclear(a);
		PQclear(ct);
		PQclear(dl);
		return 0;
	}

	struct out *o = c->out;
	char b1[64];
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
		row(c, _("Last activity"), PQgetvalue(a, 0, 14));
		out_raw(o, "</table><p class=\"asof\">");
		html_text(o, _("As of"));
		out_raw(o, " ");
		html_text(o, PQgetvalue(a, 0, 15));
		out_raw(o, "</p>");
	}
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
		out_raw(o, "</span></li>");
	}
	out_raw(o, "</ul><h2>");
	html_text(o, _("Open deals"));
	out_raw(o, "</h2><table class=\"list\"><tr><th>");
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
	page_end(c);
	PQclear(a);
	PQclear(ct);
	PQclear(dl);
	return 0;
}
