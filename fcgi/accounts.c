/* /crmx/accounts: the accounts the viewer may see, with their metrics;
 * filters (owner, region, city, class, segment, grade), sort and pages.
 * Filters are $n parameters that are NULL when unused, so one statement
 * serves every combination. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "panel.h"
#include "util.h"

/* Sort keys: the request names one of these, never SQL. */
static const struct {
	const char	*key;
	enum query	 q;
} sorts[] = {
	{ "revenue", Q_ACCOUNTS_REVENUE },
	{ "ltv", Q_ACCOUNTS_LTV },
	{ "name", Q_ACCOUNTS_NAME },
	{ "activity", Q_ACCOUNTS_ACTIVITY },
};

/* Lists count their rows up to this many ("10,000+" beyond): an exact
 * count of a million accounts costs more than the page itself. */
#define COUNT_CAP 10000

static const char *const filters[] = { "owner", "region", "city", "class", "segment", "grade" };

/* A link to another page of the same list: sort and every filter kept
 * (values URL-encoded, then HTML-escaped by the one writer). */
static void
page_link(struct ctx *c, int64_t page, int64_t size, const char *sort, const char *const *fv,
          const char *label)
{
	char href[1024], enc[256];
	int n = snprintf(href, sizeof href, "/crmx/accounts?page=%lld&size=%lld&sort=%s",
	                 (long long)page, (long long)size, sort);
	for (int i = 0; i < 6 && n > 0 && (size_t)n < sizeof href; i++)
		if (fv[i] != NULL) {
			url_encode(fv[i], enc, sizeof enc);
			n += snprintf(href + n, sizeof href - (size_t)n, "&%s=%s", filters[i], enc);
		}
	if (c->embed && n > 0 && (size_t)n < sizeof href)
		snprintf(href + n, sizeof href - (size_t)n, "&embed=1");
	out_raw(c->out, " <a class=\"page\" href=\"");
	html_text(c->out, href);
	out_raw(c->out, "\">");
	html_text(c->out, label);
	out_raw(c->out, "</a>");
}

int
h_accounts(struct ctx *c, const char *arg)
{
	(void)arg;
	const struct request *r = c->req;
	const char *sort = request_param(r, "sort");
	size_t si = 0;
	if (sort != NULL) {
		for (si = 0; si < sizeof sorts / sizeof *sorts; si++)
			if (strcmp(sort, sorts[si].key) == 0)
				break;
		if (si == sizeof sorts / sizeof *sorts)
			return panel_error(c, 400, _("Unknown sort: use revenue, ltv, name or activity."));
	}
	int64_t page = 1, size = 50;
	const char *p = request_param(r, "page"), *s = request_param(r, "size");
	if (p && parse_int64(p, 1, 1000000, &page) != 0)
		return panel_error(c, 400, _("The page must be a positive whole number."));
	if (s && parse_int64(s, 1, c->cfg->fcgi_page_size_max, &size) != 0)
		return panel_error(c, 400, _("The page size is out of range."));
	const char *fv[6];
	for (int i = 0; i < 6; i++) {
		fv[i] = request_param(r, filters[i]);
		if (fv[i] != NULL && fv[i][0] == '\0')
			fv[i] = NULL;
	}
	int64_t owner;
	if (fv[0] && parse_id(fv[0], &owner) != 0)
		return panel_error(c, 400, _("The owner must be a user id."));
	/* One row more than the page shows: whether a next page exists. */
	char lim[24], off[24], cap[24];
	snprintf(lim, sizeof lim, "%lld", (long long)size + 1);
	snprintf(off, sizeof off, "%lld", (long long)((page - 1) * size));
	snprintf(cap, sizeof cap, "%d", COUNT_CAP + 1);
	const char *extra[8] = { fv[0], fv[1], fv[2], fv[3], fv[4], fv[5], lim, off };
	enum query q = sorts[si].q == Q_ACCOUNTS_NAME && c->lang == LANG_ZH_CN ?
	               Q_ACCOUNTS_NAME_ZH : sorts[si].q;
	PGresult *res = scoped_query(c, q, 8, extra);
	if (res == NULL)
		return -1;
	extra[6] = cap;
	PGresult *cnt = scoped_query(c, Q_ACCOUNTS_COUNT, 7, extra);
	if (cnt == NULL) {
		PQclear(res);
		return -1;
	}
	long long total = atoll(PQgetvalue(cnt, 0, 0));
	int capped = total > COUNT_CAP;
	PQclear(cnt);
	int more = PQntuples(res) > size;
	int n = more ? (int)size : PQntuples(res);

	if (r->want_json) {
		json_t *rows = json_array();
		for (int i = 0; i < n; i++)
			json_array_append_new(rows, json_pack(
			    "{s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
			    "account_id", (json_int_t)atoll(PQgetvalue(res, i, 0)),
			    "name", jstr_val(res, i, 1), "region", jstr_val(res, i, 2),
			    "city", jstr_val(res, i, 3), "owner", jstr_val(res, i, 4),
			    "abc_class", jstr_val(res, i, 5), "revenue_window", jnum_val(res, i, 6),
			    "hist_ltv", jnum_val(res, i, 7), "ltv_pred", jnum_val(res, i, 8),
			    "p_alive", jnum_val(res, i, 9), "segment", jstr_val(res, i, 10),
			    "qualification_grade", jstr_val(res, i, 11), "open_deals", jnum_val(res, i, 12),
			    "last_activity", jstr_val(res, i, 13)));
		send_json(c, json_pack("{s:I, s:b, s:I, s:I, s:b, s:o}", "total", (json_int_t)total,
		                       "total_capped", capped, "page", (json_int_t)page,
		                       "size", (json_int_t)size, "more", more, "accounts", rows));
		PQclear(res);
		return 0;
	}

	struct out *o = c->out;
	char b[64];
	page_begin(c, _("Accounts"));
	out_raw(o, "<h1>");
	html_text(o, _("Accounts"));
	out_raw(o, "</h1><p class=\"meta\">");
	fmt_number(b, sizeof b, (double)(capped ? COUNT_CAP : total), 0);
	html_num(o, b);
	out_raw(o, capped ? "+ \xC2\xB7 <a href=\"/crmx/regions\">" : " \xC2\xB7 <a href=\"/crmx/regions\">");
	html_text(o, _("By region and city"));
	out_raw(o, "</a></p><table class=\"list\"><tr>");
	static const char *const heads[] = { N_("Account"), N_("City"), N_("Owner"), N_("Class"),
	                                     N_("Revenue, 12 months"), N_("Predicted value"),
	                                     N_("Lifecycle"), N_("Grade"), N_("Open deals") };
	for (size_t i = 0; i < sizeof heads / sizeof *heads; i++) {
		out_raw(o, i >= 4 && i != 6 && i != 7 ? "<th class=\"num\">" : "<th>");
		html_text(o, _(heads[i]));
		out_raw(o, "</th>");
	}
	out_raw(o, "</tr>");
	for (int i = 0; i < n; i++) {
		out_rawf(o, "<tr><td><a href=\"/crmx/accounts/%lld\">", atoll(PQgetvalue(res, i, 0)));
		html_text(o, PQgetvalue(res, i, 1));
		out_raw(o, "</a></td><td>");
		html_text(o, PQgetvalue(res, i, 3));
		out_raw(o, "</td><td>");
		html_text(o, PQgetvalue(res, i, 4));
		out_raw(o, "</td><td>");
		html_text(o, PQgetvalue(res, i, 5));
		for (int col = 6; col <= 8; col += 2) {
			out_raw(o, "</td><td class=\"num\">");
			if (!PQgetisnull(res, i, col)) {
				fmt_money(b, sizeof b, atof(PQgetvalue(res, i, col)), c->cfg->metrics_currency,
				          1, c->lang);
				html_num(o, b);
			}
		}
		out_raw(o, "</td><td>");
		html_text(o, PQgetvalue(res, i, 10));
		out_raw(o, "</td><td>");
		html_text(o, PQgetvalue(res, i, 11));
		out_raw(o, "</td><td class=\"num\">");
		html_text(o, PQgetvalue(res, i, 12));
		out_raw(o, "</td></tr>");
	}
	out_raw(o, "</table>");
	out_raw(o, "<p class=\"pages\">");
	if (page > 1)
		page_link(c, page - 1, size, sorts[si].key, fv, _("Previous page"));
	if (more)
		page_link(c, page + 1, size, sorts[si].key, fv, _("Next page"));
	out_raw(o, "</p>");
	page_end(c);
	PQclear(res);
	return 0;
}
