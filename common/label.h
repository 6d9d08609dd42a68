/* Labels for the codes that come from the CRM: stages, lifecycle
 * segments, lead sources, lost reasons and purchase roles.  One table for
 * the panels and the report, in every language (the English label is the
 * msgid; po/zh_CN.po has the Chinese).  A code the table does not know
 * (another CRM's own stage or source) is shown as it is. */
#ifndef CRMX_LABEL_H
#define CRMX_LABEL_H

enum label_kind {
	LABEL_STAGE,		/* qualified … negotiation, won, lost */
	LABEL_LIFECYCLE,	/* prospect, active, lapsed */
	LABEL_SOURCE,		/* referral, website, … */
	LABEL_LOST_REASON,	/* price, competitor, … */
	LABEL_ROLE,		/* decision_maker, recommender, … */
	LABEL__N
};

/* The label of code in the current language (i18n_use); code itself when
 * unknown, "" for NULL. */
const char *crm_label(enum label_kind k, const char *code);

/* The purchase roles as pairs code, N_(label), …, NULL: the choices of
 * the contact form. */
extern const char *const label_roles[];

#endif
