/* The accounts list's data, fetched once (accounts.c) and drawn by one
 * writer per format (accounts_html.c, accounts_json.c). */
#ifndef CRMX_ACCOUNTS_H
#define CRMX_ACCOUNTS_H

#include <stdint.h>

#include "listnav.h"
#include "panel.h"

/* Lists count their rows up to this many ("10,000+" beyond): an exact
 * count of a million accounts costs more than the page itself. */
#define COUNT_CAP 10000
#define NFILTERS 6

/* Fields of the list's statements (named in accounts.c). */
enum list_f {
	LS_ID, LS_NAME, LS_REGION, LS_CITY, LS_OWNER, LS_CLASS, LS_REVENUE, LS_HIST_LTV,
	LS_LTV_PRED, LS_P_ALIVE, LS_SEGMENT, LS_GRADE, LS_OPEN_DEALS, LS_LAST_ACTIVITY, LS__N
};

struct accounts_view {
	const char	*sort;			/* its key */
	int64_t		 page, size;
	const char	*fv[NFILTERS];		/* filter values, NULL: unused */
	long long	 total;			/* up to COUNT_CAP + 1 */
	int		 capped;		/* more than COUNT_CAP */
	int		 more;			/* a next page exists */
	int		 n;			/* rows shown */
	struct rows	 rows;
	const char	*q;			/* the search term, NULL: none */
	char		 pat[2 * LN_TERM_MAX + 3];	/* its ILIKE pattern */
	struct listnav	 nav;			/* links, form, pager (accounts_html.c) */
	struct rows	 owners;		/* of the owner filter (Q_LIST_OWNERS) */
	char		 sizebuf[24];
};

extern const char *const accounts_filters[NFILTERS];

void accounts_html(struct ctx *c, const struct accounts_view *v);
void accounts_json(struct ctx *c, const struct accounts_view *v);

#endif
