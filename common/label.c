/* The one table of labels for CRM codes (see label.h).  Stage labels are
 * the short funnel layer names the report's charts use (i18n.c), so a
 * stage reads the same in a chart and in a table. */
#include <string.h>

#include "i18n.h"
#include "label.h"

/* code, N_(label), … per kind; the codes alone again for label_codes. */
static const char *const stages[] = {
	"qualified", N_("Qualified"), "judged", N_("Judged"), "designed", N_("Solution"),
	"consensus", N_("Consensus"), "negotiation", N_("Signing"),
	"won", N_("won"), "lost", N_("lost"), NULL,
};
static const char *const lifecycles[] = {
	"prospect", N_("prospect"), "active", N_("active"), "lapsed", N_("lapsed"),
	"at_risk", N_("at risk"), NULL,
};
static const char *const sources[] = {
	"referral", N_("Referral"), "website", N_("Website"), "event", N_("Event"),
	"cold call", N_("Cold call"), "partner", N_("Partner"), "(none)", N_("(no source)"), NULL,
};
static const char *const lost_reasons[] = {
	"price", N_("Price"), "competitor", N_("Lost to a competitor"),
	"no budget", N_("No budget"), "no decision maker reached", N_("Decision maker not reached"),
	"timing", N_("Timing"), "no real need", N_("No real need"), NULL,
};
const char *const label_roles[] = {
	"decision_maker", N_("decision maker (key person)"), "recommender", N_("recommender"),
	"user", N_("user"), "influencer", N_("influencer"), "insider", N_("insider"), NULL,
};
static const char *const *const tables[LABEL__N] = {
	[LABEL_STAGE] = stages, [LABEL_LIFECYCLE] = lifecycles, [LABEL_SOURCE] = sources,
	[LABEL_LOST_REASON] = lost_reasons, [LABEL_ROLE] = label_roles,
};

const char *
crm_label(enum label_kind k, const char *code)
{
	if (code == NULL)
		return "";
	if (k >= LABEL__N)
		return code;
	for (const char *const *p = tables[k]; *p; p += 2)
		if (strcmp(code, p[0]) == 0)
			return _(p[1]);
	return code;
}
