/* /crmx/deals/<id>: the deal panel — the deal's facts, its way through the
 * five funnel layers (stage history with days in each), and the four
 * questions asked of every deal: which step was just completed, the
 * evidence for it, the action now under way and the plan for the next
 * step.  POST records a new review.  Deals are the owner's, the team
 * manager's and the executives' to see, exactly as in the pipeline.
 * With the latest run's learned close probability (docs/metrics.md §6).
 * This file fetches (by column name) and dispatches; the writers are
 * deal_html.c and deal_json.c. */
#include <stdio.h>

#include "deal.h"

static const char *const deal_cols[DL__N] = {
	"name", "account_id", "account", "owner", "stage", "stage_rank", "amount",
	"probability", "source", "created_at", "expected_close", "closed_at", "outcome",
	"lost_reason", "days_in_stage", "age_days", "key_person_known",
};
static const char *const stage_cols[SH__N] = { "stage_rank", "entered_at", "days" };
static const char *const fc_cols[DF__N] = {
	"probability", "stage_weight", "features", "effects", "uses_model",
};
static const char *const review_cols[RV__N] = {
	"step_completed", "evidence", "action", "plan", "created_by", "created_at",
};

/* The steps a review can name: the funnel layers, stored by key. */
static const char *const steps[] = {
	"qualified", N_("Qualified: need, budget and authority checked"),
	"judged", N_("Win chance judged"),
	"designed", N_("Inside contact found, solution designed"),
	"consensus", N_("Consensus reached with the customer"),
	"negotiation", N_("Negotiation and signing"),
	NULL,
};

const struct field review_fields[NREVIEW] = {
	{ "step", FIELD_CHOICE, 1, 0, N_("Step just completed"), steps },
	{ "evidence", FIELD_TEXT, 1, 2000, N_("Evidence that it is done"), NULL },
	{ "action", FIELD_TEXT, 1, 2000, N_("Action under way now"), NULL },
	{ "plan", FIELD_TEXT, 1, 2000, N_("Plan for the next step"), NULL },
};

/* The deal, its stage history and its reviews in one round trip.  -1:
 * the database failed; 1: not the viewer's (or none). */
static int
deal_fetch(struct ctx *c, struct deal_view *v)
{
	char ids[24];
	snprintf(ids, sizeof ids, "%lld", (long long)v->id);
	const char *extra[1] = { ids };
	static const enum query parts[] = { Q_DEAL, Q_DEAL_HISTORY, Q_DEAL_REVIEWS,
	                                    Q_DEAL_FORECAST };
	PGresult *r[4];
	if (scoped_batch(c, parts, 4, 1, extra, r) != 0)
		return -1;
	rows_bind(&v->d, r[0], deal_cols, DL__N);
	rows_bind(&v->history, r[1], stage_cols, SH__N);
	rows_bind(&v->reviews, r[2], review_cols, RV__N);
	rows_bind(&v->fc, r[3], fc_cols, DF__N);
	if (v->d.n != 1)
		return 1;
	v->has_dm = rows_s(&v->d, 0, DL_KEY_PERSON)[0] == 't';
	return 0;
}

static int
render_deal(struct ctx *c, int64_t id, const char *const *values, const char *const *errors)
{
	struct deal_view v = { .id = id, .values = values, .errors = errors };
	int st = deal_fetch(c, &v);
	if (st < 0)
		return -1;
	if (st > 0)
		panel_error(c, 404, _("No such deal, or it is not yours to see."));
	else if (c->req->want_json)
		deal_json(c, &v);
	else
		deal_html(c, &v);
	rows_clear(&v.d);
	rows_clear(&v.history);
	rows_clear(&v.reviews);
	rows_clear(&v.fc);
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
	"opportunity_id", NULL,
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
