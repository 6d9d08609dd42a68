/* /crmx/accounts/<id>: the account panel — its metrics with their "as
 * of" time, revenue by month, the qualification record with its history
 * and form, contacts with their purchase roles and whether the key person
 * is reached, open deals with stage and age, and the closed deals (won
 * and lost, with the lost reason), each linking to its deal panel.  POST
 * stores a new qualification, or (a form naming a contact) a contact's
 * purchase role and whether, when and by whom the key person was reached,
 * each with its history.  An account outside the viewer's scope is "not found",
 * exactly like one that does not exist, for reading and writing alike.
 * This file fetches (by column name) and dispatches; the writers are
 * account_html.c and account_json.c. */
#include <stdio.h>
#include <string.h>

#include "account.h"
#include "label.h"

static const char *const account_cols[AC__N] = {
	"name", "region", "city", "industry", "owner", "abc_class", "revenue_window", "hist_ltv",
	"ltv_pred", "p_alive", "segment", "qual_grade", "last_activity", "as_of",
	"computed_at", "exp_purchases", "value_basis", "has_need", "can_pay", "has_authority",
	"burning_issue", "updated_by", "updated_at",
};
static const char *const contact_cols[CT__N] = {
	"contact_id", "name", "title", "purchase_role", "reached", "reached_on", "reached_by",
};
static const char *const chist_cols[CH__N] = {
	"name", "purchase_role", "reached", "reached_on", "reached_by", "updated_by", "updated_at",
};
static const char *const adeal_cols[AD__N] = {
	"opportunity_id", "name", "stage", "stage_rank", "amount", "probability", "days_in_stage",
};
static const char *const cdeal_cols[CD__N] = {
	"opportunity_id", "name", "outcome", "amount", "lost_reason", "closed_at",
};
static const char *const month_cols[MO__N] = { "month", "revenue" };
static const char *const qual_cols[QH__N] = {
	"has_need", "can_pay", "has_authority", "burning_issue", "updated_by", "updated_at",
};

/* The qualification form: the three checks of a precise customer and the
 * burning issue that makes the need urgent. */
const struct field qual_fields[NQUAL] = {
	{ "has_need", FIELD_YESNO, 0, 0, N_("Has a real need"), NULL },
	{ "can_pay", FIELD_YESNO, 0, 0, N_("Can pay (budget available)"), NULL },
	{ "has_authority", FIELD_YESNO, 0, 0, N_("Decision maker known"), NULL },
	{ "burning_issue", FIELD_TEXT, 0, 500, N_("Burning issue"), NULL },
};

/* The contact is chosen from the account's (account_html fills the list). */
const struct field contact_fields[NCONTACT] = {
	{ "contact", FIELD_ID, 1, 0, N_("Contact"), NULL },
	{ "role", FIELD_CHOICE, 0, 0, N_("Purchase role"), label_roles },
	{ "reached", FIELD_YESNO, 0, 0, N_("Key person reached"), NULL },
	{ "reached_on", FIELD_DATE, 0, 0, N_("Reached on (empty: today)"), NULL },
	{ "reached_by", FIELD_TEXT, 0, 100, N_("Reached by (empty: you)"), NULL },
};

static void
account_free(struct account_view *v)
{
	rows_clear(&v->a);
	rows_clear(&v->contacts);
	rows_clear(&v->deals);
	rows_clear(&v->months);
	rows_clear(&v->history);
	rows_clear(&v->closed);
	rows_clear(&v->contact_history);
}

/* Every part of the panel in one round trip; each statement checks the
 * scope itself, so the parts of an account the viewer may not see come
 * back empty.  -1: the database failed; 1: not the viewer's (or none). */
static int
account_fetch(struct ctx *c, struct account_view *v)
{
	char ids[24];
	snprintf(ids, sizeof ids, "%lld", (long long)v->id);
	const char *extra[1] = { ids };
	static const enum query parts[] = { Q_ACCOUNT, Q_CONTACTS, Q_ACCOUNT_DEALS,
	                                    Q_ACCOUNT_MONTHS, Q_QUAL_HISTORY, Q_ACCOUNT_CLOSED,
	                                    Q_CONTACT_HISTORY };
	PGresult *r[7];
	if (scoped_batch(c, parts, 7, 1, extra, r) != 0)
		return -1;
	rows_bind(&v->a, r[0], account_cols, AC__N);
	rows_bind(&v->contacts, r[1], contact_cols, CT__N);
	rows_bind(&v->deals, r[2], adeal_cols, AD__N);
	rows_bind(&v->months, r[3], month_cols, MO__N);
	rows_bind(&v->history, r[4], qual_cols, QH__N);
	rows_bind(&v->closed, r[5], cdeal_cols, CD__N);
	rows_bind(&v->contact_history, r[6], chist_cols, CH__N);
	if (v->a.n != 1)
		return 1;
	for (int i = 0; i < v->contacts.n; i++)
		v->has_dm |= strcmp(rows_s(&v->contacts, i, CT_ROLE), "decision_maker") == 0;
	v->computed = !rows_null(&v->a, 0, AC_AS_OF);
	return 0;
}

/* Draws the panel (HTML or JSON).  values/errors: a submitted form that
 * failed validation, drawn again as it was sent (the contact form's when
 * contact_form); NULL for a plain view. */
static int
render_panel(struct ctx *c, int64_t id, const char *const *values, const char *const *errors,
             int contact_form)
{
	struct account_view v = { .id = id, .values = values, .errors = errors,
	                          .contact_form = contact_form };
	int st = account_fetch(c, &v);
	if (st < 0)
		return -1;
	if (st > 0)
		panel_error(c, 404, _("No such account, or it is not yours to see."));
	else if (c->req->want_json)
		account_json(c, &v);
	else
		account_html(c, &v);
	account_free(&v);
	return 0;
}

static int
render_account(struct ctx *c, int64_t id, const char *const *values, const char *const *errors)
{
	return render_panel(c, id, values, errors, 0);
}

int
h_account(struct ctx *c, const char *arg)
{
	int64_t id;
	if (panel_id(c, arg, _("The account id must be a positive whole number."), &id) != 0)
		return 0;
	return render_account(c, id, NULL, NULL);
}

static int
render_contact_form(struct ctx *c, int64_t id, const char *const *values,
                    const char *const *errors)
{
	return render_panel(c, id, values, errors, 1);
}

static const struct form_spec contact_form = {
	contact_fields, NCONTACT, Q_SAVE_CONTACT, render_contact_form,
	N_("No such account, or it is not yours to see."), "/crmx/accounts/", "#contacts",
	"account_id", "contact",
};

static const struct form_spec qual_form = {
	qual_fields, NQUAL, Q_SAVE_QUAL, render_account,
	N_("No such account, or it is not yours to see."), "/crmx/accounts/", "#qualification",
	"account_id", NULL,
};

/* POST /crmx/accounts/<id>: a new qualification, stored with who and when
 * together with its history row; then back to the panel. */
int
h_account_post(struct ctx *c, const char *arg)
{
	int64_t id;
	if (panel_id(c, arg, _("The account id must be a positive whole number."), &id) != 0)
		return 0;
	/* the contact form is the one that names a contact */
	if (request_form(c->req, contact_fields[0].name) != NULL)
		return form_post(c, id, &contact_form);
	return form_post(c, id, &qual_form);
}
