/* The deal panel's data, fetched once (deal.c) and drawn by one writer
 * per format (deal_html.c, deal_json.c). */
#ifndef CRMX_DEAL_H
#define CRMX_DEAL_H

#include <stdint.h>

#include "form.h"
#include "panel.h"

/* Fields of Q_DEAL (named in deal.c). */
enum deal_f {
	DL_NAME, DL_ACCOUNT_ID, DL_ACCOUNT, DL_OWNER, DL_STAGE, DL_RANK, DL_AMOUNT,
	DL_PROBABILITY, DL_SOURCE, DL_CREATED_AT, DL_EXPECTED_CLOSE, DL_CLOSED_AT, DL_OUTCOME,
	DL_LOST_REASON, DL_DAYS_IN_STAGE, DL_AGE_DAYS, DL_KEY_PERSON, DL__N
};
/* Q_DEAL_HISTORY */
enum stage_f { SH_RANK, SH_ENTERED_AT, SH_DAYS, SH__N };
/* Q_DEAL_REVIEWS: the first four in the order of the review form's fields. */
enum review_f { RV_STEP, RV_EVIDENCE, RV_ACTION, RV_PLAN, RV_CREATED_BY, RV_CREATED_AT, RV__N };

/* Q_DEAL_FORECAST: the learned close probability (latest run). */
enum dealfc_f { DF_PROBABILITY, DF_STAGE_WEIGHT, DF_FEATURES, DF_EFFECTS, DF_USES_MODEL, DF__N };

struct deal_view {
	int64_t		 id;
	struct rows	 d;		/* one row: the deal */
	struct rows	 history, reviews;
	struct rows	 fc;		/* no row: not in the latest run (closed, newer) */
	int		 has_dm;	/* the account has a decision maker */
	/* A submitted form that failed validation (NULL: a plain view). */
	const char *const *values, *const *errors;
};

extern const struct field review_fields[];
#define NREVIEW 4

void deal_html(struct ctx *c, const struct deal_view *v);
void deal_json(struct ctx *c, const struct deal_view *v);

#endif
