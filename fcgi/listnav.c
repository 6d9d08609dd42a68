/* Navigation of the list pages: kept values, links, search form, sortable
 * heads, count and pager (see listnav.h). */
#include <stdio.h>
#include <string.h>

#include "listnav.h"
#include "util.h"

void
ln_init(struct listnav *l, struct ctx *c, const char *path)
{
	memset(l, 0, sizeof *l);
	l->path = path;
	l->page = 1;
	l->size = 50;
	ln_keep(l, "lang", request_param(c->req, "lang"));
	if (c->embed)
		ln_keep(l, "embed", "1");
}

void
ln_keep(struct listnav *l, const char *name, const char *val)
{
	if (val == NULL || val[0] == '\0' || l->n == LN_MAX)
		return;
	l->name[l->n] = name;
	l->val[l->n] = val;
	l->n++;
}

const char *
ln_get(const struct listnav *l, const char *name)
{
	for (int i = 0; i < l->n; i++)
		if (strcmp(l->name[i], name) == 0)
			return l->val[i];
	return NULL;
}

static void
href_pair(struct sbuf *href, int *first, const char *name, const char *val)
{
	char enc[3 * REQ_MAX_QUERY + 1];	/* any value of the query, whole */
	url_encode(val, enc, sizeof enc);
	sb_printf(href, "%c%s=%s", *first ? '?' : '&', name, enc);
	*first = 0;
}

void
ln_href(const struct listnav *l, struct sbuf *href, const char *name, const char *val,
        int64_t page)
{
	int first = 1, set = 0;
	char pg[24];
	sb_raw(href, l->path);
	if (page > 0) {
		snprintf(pg, sizeof pg, "%lld", (long long)page);
		href_pair(href, &first, "page", pg);
	}
	for (int i = 0; i < l->n; i++) {
		if (name != NULL && strcmp(l->name[i], name) == 0) {
			if (val != NULL && val[0] != '\0')
				href_pair(href, &first, name, val);
			set = 1;
		} else {
			href_pair(href, &first, l->name[i], l->val[i]);
		}
	}
	if (name != NULL && !set && val != NULL && val[0] != '\0')
		href_pair(href, &first, name, val);
}

int
ln_term_ok(const char *term)
{
	return strlen(term) <= LN_TERM_MAX;
}

const char *
ln_pattern(const char *term, char *buf, size_t len)
{
	if (term == NULL)
		return NULL;
	while (*term == ' ')
		term++;
	size_t n = strlen(term);
	while (n > 0 && term[n - 1] == ' ')
		n--;
	if (n == 0 || len < 2 * n + 3)
		return NULL;
	char *w = buf;
	*w++ = '%';
	for (size_t i = 0; i < n; i++) {
		if (term[i] == '%' || term[i] == '_' || term[i] == '\\')
			*w++ = '\\';
		*w++ = term[i];
	}
	*w++ = '%';
	*w = '\0';
	return buf;
}

void
ln_count_html(struct ctx *c, const struct listnav *l)
{
	struct out *o = c->out;
	char a[32], b[32], t[40];
	long long from = l->shown ? (l->page - 1) * l->size + 1 : 0;
	long long to = from + l->shown - (l->shown ? 1 : 0);
	fmt_number(a, sizeof a, (double)from, 0);
	fmt_number(b, sizeof b, (double)to, 0);
	fmt_number(t, sizeof t, (double)l->total, 0);
	if (l->capped)
		strcat(t, "+");
	out_raw(o, "<p class=\"count\">");
	if (l->shown > 1 || from > 1) {
		html_num(o, a);
		out_raw(o, "\xE2\x80\x93");	/* en dash */
	}
	html_num(o, l->shown ? b : a);
	out_raw(o, " ");
	html_text(o, _("of"));
	out_raw(o, " <span class=\"total\">");
	html_num(o, t);
	out_raw(o, "</span></p>");
}

static void
page_link(struct ctx *c, const struct listnav *l, int64_t page, const char *label)
{
	struct sbuf href;
	sb_init(&href);
	ln_href(l, &href, NULL, NULL, page);
	out_raw(c->out, " <a class=\"page\" href=\"");
	html_text(c->out, href.s);
	out_raw(c->out, "\">");
	html_text(c->out, label);
	out_raw(c->out, "</a>");
	sb_free(&href);
}

void
ln_pager_html(struct ctx *c, const struct listnav *l)
{
	struct out *o = c->out;
	long long pages = l->total > 0 ? (l->total + l->size - 1) / l->size : 1;
	out_raw(o, "<p class=\"pages\">");
	if (l->page > 1)
		page_link(c, l, l->page - 1, _("Previous page"));
	out_raw(o, " <span class=\"pageno\">");
	html_text(o, _("Page"));
	out_rawf(o, " %lld", (long long)l->page);
	if (!l->capped) {
		out_raw(o, " ");
		html_text(o, _("of"));
		out_rawf(o, " %lld", pages < l->page ? (long long)l->page : pages);
	}
	out_raw(o, "</span>");
	if (l->more)
		page_link(c, l, l->page + 1, _("Next page"));
	out_raw(o, "</p>");
}

void
ln_sort_th(struct ctx *c, const struct listnav *l, const char *label, const char *key, int num)
{
	struct out *o = c->out;
	const char *cur = ln_get(l, "sort");
	out_raw(o, num ? "<th class=\"num\">" : "<th>");
	if (cur != NULL && strcmp(cur, key) == 0) {
		out_raw(o, "<span class=\"sorted\" aria-sort=\"descending\">");
		html_text(o, label);
		out_raw(o, " \xE2\x96\xBE</span>");	/* ▾ */
	} else {
		struct sbuf href;
		sb_init(&href);
		ln_href(l, &href, "sort", key, 0);
		out_raw(o, "<a class=\"sort\" href=\"");
		html_text(o, href.s);
		out_raw(o, "\">");
		html_text(o, label);
		out_raw(o, "</a>");
		sb_free(&href);
	}
	out_raw(o, "</th>");
}

void
ln_form_begin(struct ctx *c, const struct listnav *l, const char *placeholder)
{
	struct out *o = c->out;
	const char *q = ln_get(l, "q");
	out_raw(o, "<form class=\"listnav\" method=\"get\" action=\"");
	html_text(o, l->path);
	out_raw(o, "\" role=\"search\"><input type=\"search\" name=\"q\" maxlength=\"100\""
	           " aria-label=\"");
	html_text(o, placeholder);
	out_raw(o, "\" placeholder=\"");
	html_text(o, placeholder);
	out_raw(o, "\" value=\"");
	html_text(o, q ? q : "");
	out_raw(o, "\">");
}

void
ln_form_text(struct ctx *c, const struct listnav *l, const char *name, const char *label)
{
	struct out *o = c->out;
	const char *v = ln_get(l, name);
	out_raw(o, "<label>");
	html_text(o, label);
	out_rawf(o, " <input type=\"text\" size=\"10\" name=\"%s\" value=\"", name);
	html_text(o, v ? v : "");
	out_raw(o, "\"></label>");
}

void
ln_form_select(struct ctx *c, const struct listnav *l, const char *name, const char *label,
               const char *const *opts, int n, int translate)
{
	struct out *o = c->out;
	const char *v = ln_get(l, name);
	out_raw(o, "<label>");
	html_text(o, label);
	out_rawf(o, " <select name=\"%s\">", name);
	for (int i = 0; i < n; i++) {
		const char *val = opts[2 * i], *text = opts[2 * i + 1];
		int sel = v != NULL ? strcmp(v, val) == 0 : val[0] == '\0';
		out_raw(o, "<option value=\"");
		html_text(o, val);
		out_raw(o, sel ? "\" selected>" : "\">");
		html_text(o, translate ? _(text) : text);
		out_raw(o, "</option>");
	}
	out_raw(o, "</select></label>");
}

void
ln_form_end(struct ctx *c, const struct listnav *l, const char *const *controls, int n)
{
	struct out *o = c->out;
	for (int i = 0; i < l->n; i++) {
		int shown = strcmp(l->name[i], "q") == 0;
		for (int k = 0; k < n && !shown; k++)
			shown = strcmp(l->name[i], controls[k]) == 0;
		if (shown)
			continue;
		out_rawf(o, "<input type=\"hidden\" name=\"%s\" value=\"", l->name[i]);
		html_text(o, l->val[i]);
		out_raw(o, "\">");
	}
	out_raw(o, "<button type=\"submit\">");
	html_text(o, _("Search"));
	out_raw(o, "</button></form>");
}
