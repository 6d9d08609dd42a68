/* The account panel's data, fetched once (account.c) and drawn by one
 * writer per format (account_html.c, account_json.c). */
#ifndef CRMX_ACCOUNT_H
#define CRMX_ACCOUNT_H

#include <stdint.h>

#include "form.h"
#include "panel.h"

/* Fields of Q_ACCOUNT (named in account.c). */
enum account_f {
	AC_NAME, AC_REGION, AC_CITY, AC_INDUSTRY, AC_OWNER, AC_CLASS, AC_REVENUE, AC_HIST_LTV,
	AC_LTV_PRED, AC_P_ALIVE, AC_SEGMENT, AC_GRADE, AC_LAST_ACTIVITY, AC_AS_OF,
	AC_COMPUTED_AT, AC_EXP_PURCHASES, AC_VALUE_BASIS, AC_HAS_NEED, AC_CAN_PAY, AC_HAS_AUTHORITY,
	AC_BURNING_ISSUE, AC_UPDATED_BY, AC_UPDATED_AT, AC__N
};
/* Q_CONTACTS */
enum contact_f { CT_ID, CT_NAME, CT_TITLE, CT_ROLE, CT_REACHED, CT_REACHED_ON, CT_REACHED_BY,
		 CT__N };
/* Q_CONTACT_HISTORY */
enum chist_f { CH_NAME, CH_ROLE, CH_REACHED, CH_REACHED_ON, CH_REACHED_BY, CH_UPDATED_BY,
	       CH_UPDATED_AT, CH__N };
/* Q_ACCOUNT_DEALS */
enum adeal_f { AD_ID, AD_NAME, AD_STAGE, AD_RANK, AD_AMOUNT, AD_PROBABILITY, AD_DAYS, AD__N };
/* Q_ACCOUNT_CLOSED */
enum cdeal_f { CD_ID, CD_NAME, CD_OUTCOME, CD_AMOUNT, CD_LOST_REASON, CD_CLOSED_AT, CD__N };
/* Q_ACCOUNT_MONTHS */
enum month_f { MO_MONTH, MO_REVENUE, MO__N };
/* Q_QUAL_HISTORY: the first three in the order of the form's yes/no fields. */
enum qual_f { QH_HAS_NEED, QH_CAN_PAY, QH_HAS_AUTHORITY, QH_BURNING_ISSUE, QH_UPDATED_BY,
	      QH_UPDATED_AT, QH__N };

struct account_view {
	int64_t		 id;
	struct rows	 a;		/* one row: head, metrics, qualification */
	struct rows	 contacts, deals, months, history, contact_history;
	struct rows	 closed;	/* won and lost deals */
	int		 has_dm;	/* a decision maker is among the contacts */
	int		 computed;	/* metrics exist */
	/* A submitted form that failed validation (NULL: a plain view). */
	const char *const *values, *const *errors;
	int		 contact_form;	/* values/errors are the contact form's */
};

extern const struct field qual_fields[];
#define NQUAL 4
/* The contact form: which contact, its purchase role, reached (yes/no),
 * on which day and by whom. */
extern const struct field contact_fields[];
#define NCONTACT 5

void account_html(struct ctx *c, const struct account_view *v);
/* The closed deals' section and JSON array (account_html.c, account_json.c). */
void account_closed_html(struct ctx *c, const struct rows *cd);
json_t *account_closed_json(const struct rows *cd);
void account_json(struct ctx *c, const struct account_view *v);

#endif
