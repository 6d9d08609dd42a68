/* Navigation of the list pages (accounts, pipeline): the values a list
 * keeps from one link to the next (search, filters, sort, page size, and
 * embed and lang), the links built from them with one value changed, the
 * search box and filter form, sortable column heads, the "N of M" count
 * and the pager.  Every link and form of a list carries all the other
 * values, so a sort keeps the search, a page keeps the sort, and so on. */
#ifndef CRMX_LISTNAV_H
#define CRMX_LISTNAV_H

#include <stdint.h>

#include "panel.h"

#define LN_MAX 12
/* The longest search term (bytes); a longer one is a 400. */
#define LN_TERM_MAX 100

struct listnav {
	const char	*path;			/* "/crmx/accounts" */
	const char	*name[LN_MAX];		/* the kept values, in link order */
	const char	*val[LN_MAX];
	int		 n;
	int64_t		 page, size;
	long long	 total;			/* rows of the whole list */
	int		 capped;		/* more than total */
	int		 shown;			/* rows on this page */
	int		 more;			/* a next page exists */
};

/* A list at path; keeps lang and embed when the request has them. */
void ln_init(struct listnav *l, struct ctx *c, const char *path);
/* Keeps name=val in every link (nothing when val is NULL or ""). */
void ln_keep(struct listnav *l, const char *name, const char *val);
/* The kept value of name, or NULL. */
const char *ln_get(const struct listnav *l, const char *name);
/* The list's address with every kept value, name set to val (NULL:
 * dropped) and, when page > 0, that page (first: the pager's links). */
void ln_href(const struct listnav *l, struct sbuf *href, const char *name, const char *val,
             int64_t page);
/* The ILIKE pattern "%term%" of a search term (its %, _ and \ matched as
 * themselves), into buf; NULL when term is NULL or blank. */
const char *ln_pattern(const char *term, char *buf, size_t len);
/* Whether a search term is acceptable (params.c). */
int ln_term_ok(const char *term);

/* <p class="count">51–100 of 396</p> (or "0 of 0", "... of 10,000+"). */
void ln_count_html(struct ctx *c, const struct listnav *l);
/* The pager: previous, "page P of N", next. */
void ln_pager_html(struct ctx *c, const struct listnav *l);
/* A column head that sorts the list by key (the current sort: marked,
 * not a link); num: a number column. */
void ln_sort_th(struct ctx *c, const struct listnav *l, const char *label, const char *key,
                int num);
/* The search and filter form: opens with the search box (the term kept
 * under "q"); each kept value without a control of its own goes along
 * hidden; ln_form_end closes it with the submit button. */
void ln_form_begin(struct ctx *c, const struct listnav *l, const char *placeholder);
/* A text field for a kept value, and a select of values (n pairs of
 * value and N_() label; the first should be "" = any). */
void ln_form_text(struct ctx *c, const struct listnav *l, const char *name, const char *label);
void ln_form_select(struct ctx *c, const struct listnav *l, const char *name, const char *label,
                    const char *const *opts, int n, int translate);
void ln_form_end(struct ctx *c, const struct listnav *l, const char *const *controls, int n);

#endif
