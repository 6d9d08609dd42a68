/* The query parameter table of the panels (see params.h). */
#include <stddef.h>
#include <string.h>

#include "i18n.h"
#include "listnav.h"
#include "params.h"
#include "util.h"

static int
any(const char *v, const struct crmx_config *cfg)
{
	(void)v;
	(void)cfg;
	return 1;
}

static int
sort_key(const char *v, const struct crmx_config *cfg)
{
	(void)cfg;
	return accounts_sort(v) >= 0;
}

static int
team_sort_key(const char *v, const struct crmx_config *cfg)
{
	(void)cfg;
	return team_sort(v) >= 0;
}

static int
page_no(const char *v, const struct crmx_config *cfg)
{
	int64_t n;
	(void)cfg;
	return parse_int64(v, 1, 1000000, &n) == 0;
}

static int
page_size(const char *v, const struct crmx_config *cfg)
{
	int64_t n;
	return parse_int64(v, 1, cfg->fcgi_page_size_max, &n) == 0;
}

static int
deal_sort_key(const char *v, const struct crmx_config *cfg)
{
	(void)cfg;
	return pipeline_sort(v) >= 0;
}

static int
search_term(const char *v, const struct crmx_config *cfg)
{
	(void)cfg;
	return ln_term_ok(v);
}

/* A user id; empty means "no filter". */
static int
user_id(const char *v, const struct crmx_config *cfg)
{
	int64_t n;
	(void)cfg;
	return v[0] == '\0' || parse_id(v, &n) == 0;
}

/* A team's name ("": the users without one), as long as a search. */
static int
team_name(const char *v, const struct crmx_config *cfg)
{
	(void)cfg;
	return strlen(v) <= 255;
}

static const struct {
	const char	*name;
	int		(*valid)(const char *value, const struct crmx_config *cfg);
	const char	*message;	/* N_(): the 400's, naming the parameter */
} params[P__MAX] = {
	[P_LANG] = { "lang", any, NULL },
	[P_EMBED] = { "embed", any, NULL },
	[P_SAVED] = { "saved", any, NULL },
	[P_SORT] = { "sort", sort_key, N_("Unknown sort: use revenue, ltv, name or activity.") },
	[P_PAGE] = { "page", page_no, N_("The page must be a positive whole number.") },
	[P_SIZE] = { "size", page_size, N_("The page size is out of range.") },
	[P_OWNER] = { "owner", user_id, N_("The owner must be a user id.") },
	[P_REGION] = { "region", any, NULL },
	[P_CITY] = { "city", any, NULL },
	[P_CLASS] = { "class", any, NULL },
	[P_SEGMENT] = { "segment", any, NULL },
	[P_GRADE] = { "grade", any, NULL },
	[P_Q] = { "q", search_term, N_("The search is too long: at most 100 bytes.") },
	[P_DSORT] = { "sort", deal_sort_key,
	              N_("Unknown sort: use priority, amount, days, account or name.") },
	[P_TEAM_SORT] = { "sort", team_sort_key, N_("Unknown sort: use name, open, amount, weighted, "
	                  "month, quarter, won, win_rate, accuracy, stalled, unreviewed, hours, "
	                  "per_hour, precise, coverage or share.") },
	[P_TEAM] = { "team", team_name, N_("The team name is too long: at most 255 bytes.") },
};

const char *
param_name(enum param p)
{
	return params[p].name;
}

const char *
params_check(unsigned takes, const struct request *r, const struct crmx_config *cfg)
{
	for (int p = 0; p < P__MAX; p++) {
		if (!(takes & PARAM(p)))
			continue;
		const char *v = request_param(r, params[p].name);
		if (v != NULL && !params[p].valid(v, cfg))
			return _(params[p].message);
	}
	return NULL;
}
