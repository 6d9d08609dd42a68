/* Each deal's state as it stood at a past time t, rebuilt from what the
 * snapshot records with dates (stage history, activities, reviews, the
 * key person's reached date, the qualification's date, the deals closed
 * before t): the features of the close-probability model.  Nothing dated
 * after t is seen; what has no date (the deal's amount, source, owner) is
 * taken as it is now. */
#ifndef CRMX_DEALSTATE_H
#define CRMX_DEALSTATE_H

#include <stddef.h>
#include <stdint.h>

#include "snapshot.h"

/* The columns of a row; sources follow, one per source (up to DS_MAX_SOURCES). */
enum ds_col {
	DS_LAYER2, DS_LAYER3, DS_LAYER4, DS_LAYER5, DS_DAYS_IN_LAYER, DS_AGE, DS_AMOUNT,
	DS_OWNER_RATE, DS_KEY_PERSON, DS_QUAL_KNOWN, DS_QUAL_YES, DS_REVIEWED_IN_LAYER,
	DS_DAYS_SINCE_REVIEW, DS_DAYS_SINCE_ACTIVITY, DS_ACTIVITIES_30D, DS_SKIPPED,
	DS_WENT_BACK, DS_FIXED
};
#define DS_MAX_SOURCES 12

/* Times grouped by a key (a deal, an owner), ascending within. */
struct ds_times {
	uint32_t	*first;		/* n_keys + 1 */
	double		*t;
};

struct dealstate {
	const struct snapshot	*s;
	struct ds_times		 act, review;		/* by deal */
	struct ds_times		 won, lost;		/* close times by owner */
	struct ds_times		 all_won, all_lost;	/* close times, one key */
	size_t			 n_src;			/* source columns */
};

void   dealstate_init(struct dealstate *ds, const struct snapshot *s);
void   dealstate_free(struct dealstate *ds);
size_t dealstate_width(const struct dealstate *ds);
/* The key of column j ("layer_3", "days_in_layer", "source"...). */
const char *dealstate_name(size_t j);
/* Whether deal o was open at t (created, not yet closed). */
int    dealstate_open_at(const struct snapshot *s, uint32_t o, double t);
/* The share of won deals among all closed by t, shrunk towards a half:
 * the same for every deal at t, the prior of each owner's win rate (two
 * searches through every closed deal's time: once per t, not per deal). */
double dealstate_prior(const struct dealstate *ds, double t);
/* Deal o's row at time t into x (dealstate_width() values); prior:
 * dealstate_prior(ds, t). */
void   dealstate_row(const struct dealstate *ds, uint32_t o, double t, double prior, double *x);

#endif
