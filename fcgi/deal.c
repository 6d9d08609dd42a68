/* /crmx/deals/<id>: the deal panel — the deal's facts, its way through the
 * five funnel layers (stage history with days in each), and the four
 * questions asked of every deal: which step was just completed, the
 * evidence for it, the action now under way and the plan for the next
 * step.  POST records a new review.  Deals are the owner's, the team
 * manager's and the executives' to see, exactly as in the pipeline. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "form.h"
#include "panel.h"
#include "util.h"

/* The steps a review can name: the funnel layers, stored by key. */
static const char *const steps[] = {
	"qualified", N_("Qualified: need, budget and authority checked"),
	"judged", N_("Win chance judged"),
	"designed", N_("Inside contact found, solution designed"),
	"consensus", N_("Consensus reached with the customer"),
	"negotiation", N_("Negotiation and signing"),
	NULL,
};

static const struct field review_fields[] = {
	{ "step", FIELD_CHOICE, 1, 0, N_("Step just completed"), steps },
	{ "evidence", FIELD_TEXT, 1, 2000, N_("Evidence that it is done"), NULL },
	{ "action", FIELD_TEXT, 1, 2000, N_("Action under way now"), NULL },
	{ "plan", FIELD_TEXT, 1, 2000, N_("Plan for the next step"), NULL },
};
#define NREVIEW ((int)(sizeof review_fields / sizeof *review_fields))

static const char *
step_label(const char *key)
{
	for (const char *const *s = steps; *s; s += 2)
		if (strcmp(key, s[0]) == 0)
			return _(s[1]);
	return key;
}

static const char *
outcome_label(const char *o)
{
	return strcmp(o, "won") == 0 ? _("won") : strcmp(o, "lost") == 0 ? _("lost") : _("open");
}

static void
kv(struct ctx *c, const char *label, const char *value)
{
	out_raw(c->out, "<tr><th>");
	html_text(c->out, label);
	out_raw(c->out, "</th><td>");
	html_text(c->out, value && *value ? value : "\xE2\x80\x94");
	out_raw(c->out, "</td></tr>");
}

static void
reviews_html(struct ctx *c, PGresult *rv)
{
	struct out *o = c->out;
	char when[64];
	for (int i = 0; i < PQntuples(rv); i++) {
		out_raw(o, i == 0 ? "<div class=\"review latest\">" : "<div class=\"review\">");
		out_raw(o, "<p class=\"meta\">");
		html_text(o, panel_date(c, PQgetvalue(rv, i, 5), when, sizeof when));
		out_raw(o, " \xC2\xB7 ");
		html_text(o, PQgetvalue(rv, i, 4));
		out_raw(o, "</p><dl>");
		for (int k = 0; k < NREVIEW; k++) {
			out_raw(o, "<dt>");
			html_text(o, _(review_fields[k].label));
			out_raw(o, "</dt><dd>");
			html_text(o, k == 0 ? step_label(PQgetvalue(rv, i, 0)) : PQgetvalue(rv, i, k));
			out_raw(o, "</dd>");
		}
		out_raw(o, "</dl></div>");
		if (i == 0 && PQntuples(rv) > 1) {
			out_raw(o, "<details class=\"history\"><summary>");
			html_text(o, _("Earlier reviews"));
			out_raw(o, "</summary>");
		}
	}
	if (PQntuples(rv) > 1)
		out_raw(o, "</details>");
}

static int
render_deal(struct ctx *c, int64_t id, const char *const *values, const char *const *errors)
{
	char ids[24];
	snprintf(ids, sizeof ids, "%lld", (long long)id);
	const char *extra[1] = { ids };
	static const enum query parts[] = { Q_DEAL, Q_DEAL_HISTORY, Q_DEAL_REVIEWS };
	PGresult *r[3];
	if (scoped_batch(c, parts, 3, 1, extra, r) != 0)
		return -1;
	PGresult *d = r[0], *h = r[1], *rv = r[2];
	if (PQntuples(d) != 1) {
		for (int i = 0; i < 3; i++)
			PQclear(r[i]);
		return panel_error(c, 404, _("No such deal, or it is not yours to see."));
	}
	const char *cur = c->cfg->metrics_currency;
	int has_dm = PQgetvalue(d, 0, 17)[0] == 't';
	if (c->req->want_json) {
		json_t *hist = json_array(), *reviews = json_array();
		for (int i = 0; i < PQntuples(h); i++)
			json_array_append_new(hist, json_pack("{s:i, s:o, s:o}",
			    "stage_rank", atoi(PQgetvalue(h, i, 0)), "entered_at", jstr_val(h, i, 1),
			    "days", jnum_val(h, i, 2)));
		for (int i = 0; i < PQntuples(rv); i++)
			json_array_append_new(reviews, json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}",
			    "step", jstr_val(rv, i, 0), "evidence", jstr_val(rv, i, 1),
			    "action", jstr_val(rv, i, 2), "plan", jstr_val(rv, i, 3),
			    "created_by", jstr_val(rv, i, 4), "created_at", jstr_val(rv, i, 5)));
		char tok[CSRF_LEN];
		form_token(c, tok, sizeof tok);
		json_t *j = json_pack("{s:I, s:o, s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
		    "opportunity_id", (json_int_t)id, "name", jstr_val(d, 0, 1),
		    "account_id", (json_int_t)atoll(PQgetvalue(d, 0, 2)), "account", jstr_val(d, 0, 3),
		    "owner", jstr_val(d, 0, 4), "stage", jstr_val(d, 0, 5),
		    "stage_rank", jnum_val(d, 0, 6), "amount", jnum_val(d, 0, 7),
		    "probability", jnum_val(d, 0, 8), "source", jstr_val(d, 0, 9));
		json_object_set_new(j, "created_at", jstr_val(d, 0, 10));
		json_object_set_new(j, "expected_close", jstr_val(d, 0, 11));
		json_object_set_new(j, "closed_at", jstr_val(d, 0, 12));
		json_object_set_new(j, "outcome", jstr_val(d, 0, 13));
		json_object_set_new(j, "lost_reason", jstr_val(d, 0, 14));
		json_object_set_new(j, "days_in_stage", jnum_val(d, 0, 15));
		json_object_set_new(j, "age_days", jnum_val(d, 0, 16));
		json_object_set_new(j, "key_person_known", json_boolean(has_dm));
		json_object_set_new(j, "stage_history", hist);
		json_object_set_new(j, "reviews", reviews);
		json_object_set_new(j, "csrf_token", json_string(tok));
		send_json(c, j);
		goto out;
	}

	struct out *o = c->out;
	char b[64], b2[64];
	page_begin(c, PQgetvalue(d, 0, 1));
	out_raw(o, "<h1>");
	html_text(o, PQgetvalue(d, 0, 1));
	out_rawf(o, "</h1><p class=\"meta\"><a href=\"/crmx/accounts/%lld\">", atoll(PQgetvalue(d, 0, 2)));
	html_text(o, PQgetvalue(d, 0, 3));
	out_raw(o, "</a> \xC2\xB7 ");
	html_text(o, PQgetvalue(d, 0, 4));
	out_raw(o, "</p>");
	if (!has_dm) {
		out_raw(o, "<p class=\"warn\">");
		html_text(o, _("No decision maker known: find the key person."));
		out_raw(o, "</p>");
	}
	out_raw(o, "<table class=\"kv\">");
	int rank = PQgetisnull(d, 0, 6) ? 0 : atoi(PQgetvalue(d, 0, 6));
	snprintf(b2, sizeof b2, "%s", PQgetvalue(d, 0, 5));
	kv(c, _("Stage"), b2);
	kv(c, _("Funnel layer"), funnel_layer(rank, 0));
	kv(c, _("Outcome"), outcome_label(PQgetvalue(d, 0, 13)));
	if (!PQgetisnull(d, 0, 14))
		kv(c, _("Lost reason"), PQgetvalue(d, 0, 14));
	fmt_money(b, sizeof b, atof(PQgetvalue(d, 0, 7)), cur, 0, c->lang);
	kv(c, _("Amount"), b);
	if (!PQgetisnull(d, 0, 8)) {
		fmt_percent(b, sizeof b, atof(PQgetvalue(d, 0, 8)), 0);
		kv(c, _("Probability"), b);
		fmt_money(b, sizeof b, atof(PQgetvalue(d, 0, 7)) * atof(PQgetvalue(d, 0, 8)), cur, 0,
		          c->lang);
		kv(c, _("Weighted"), b);
	}
	kv(c, _("Source"), PQgetvalue(d, 0, 9));
	kv(c, _("Created"), panel_date(c, PQgetvalue(d, 0, 10), b, sizeof b));
	kv(c, _("Expected close"), panel_date(c, PQgetvalue(d, 0, 11), b, sizeof b));
	if (!PQgetisnull(d, 0, 12))
		kv(c, _("Closed"), panel_date(c, PQgetvalue(d, 0, 12), b, sizeof b));
	else
		kv(c, _("Days in stage"), PQgetvalue(d, 0, 15));
	out_raw(o, "</table><h2>");
	html_text(o, _("Stage history"));
	out_raw(o, "</h2><table class=\"list\"><tr><th>");
	html_text(o, _("Funnel layer"));
	out_raw(o, "</th><th>");
	html_text(o, _("Entered"));
	out_raw(o, "</th><th class=\"num\">");
	html_text(o, _("Days"));
	out_raw(o, "</th></tr>");
	for (int i = 0; i < PQntuples(h); i++) {
		out_rawf(o, "<tr><td>%d. ", atoi(PQgetvalue(h, i, 0)));
		html_text(o, funnel_layer(atoi(PQgetvalue(h, i, 0)), 0));
		out_raw(o, "</td><td>");
		html_text(o, panel_date(c, PQgetvalue(h, i, 1), b, sizeof b));
		out_raw(o, "</td><td class=\"num\">");
		html_text(o, PQgetvalue(h, i, 2));
		out_raw(o, "</td></tr>");
	}
	out_raw(o, "</table><h2 id=\"review\">");
	html_text(o, _("Deal review"));
	out_raw(o, "</h2>");
	if (PQntuples(rv) == 0 && errors == NULL) {
		out_raw(o, "<p class=\"note\">");
		html_text(o, _("Not reviewed yet."));
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
	snprintf(action, sizeof action, "/crmx/deals/%lld%s", (long long)id, c->embed ? "?embed=1" : "");
	form_html(c, action, _("Save review"), review_fields, NREVIEW, values, errors);
	reviews_html(c, rv);
	page_end(c);
out:
	PQclear(d);
	PQclear(h);
	PQclear(rv);
	return 0;
}

int
h_deal(struct ctx *c, const char *arg)
{
	int64_t id;
	if (panel_id(c, arg, _("The deal id must be a positive whole number."), &id) != 0)
		return 0;
	return render_deal(c, id, NULL, NULL);
}

static const struct form_spec review_form = {
	review_fields, NREVIEW, Q_SAVE_REVIEW, render_deal,
	N_("No such deal, or it is not yours to see."), "/crmx/deals/", "#review",
	"opportunity_id",
};

/* POST /crmx/deals/<id>: a new review, stored with who and when. */
int
h_deal_post(struct ctx *c, const char *arg)
{
	int64_t id;
	if (panel_id(c, arg, _("The deal id must be a positive whole number."), &id) != 0)
		return 0;
	return form_post(c, id, &review_form);
}
