/* The team panel as HTML (data: team.c): a table on a wide screen, one
 * card per rep on a narrow one (each cell carries its label). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "listnav.h"
#include "team.h"
#include "util.h"

/* The columns after the rep: label, sort key, field and its format. */
enum fmt { F_COUNT, F_MONEY, F_PERCENT, F_HOURS, F_ACCURACY };
static const struct col {
	const char	*label;		/* N_() */
	const char	*sort;
	int		 field;		/* enum team_f; -1: accuracy */
	enum fmt	 fmt;
} cols[] = {
	{ N_("Open deals"), "open", TM_OPEN_DEALS, F_COUNT },
	{ N_("Open amount"), "amount", TM_OPEN_AMOUNT, F_MONEY },
	{ N_("Weighted"), "weighted", TM_WEIGHTED, F_MONEY },
	{ N_("Learned forecast"), "learned", TM_LEARNED, F_MONEY },
	{ N_("Forecast this month"), "month", TM_FORECAST_MONTH, F_MONEY },
	{ N_("Forecast this quarter"), "quarter", TM_FORECAST_QUARTER, F_MONEY },
	{ N_("Won this quarter"), "won", TM_WON_QUARTER, F_MONEY },
	{ N_("Win rate, 12 months"), "win_rate", TM_WIN_RATE, F_PERCENT },
	{ N_("Forecast accuracy"), "accuracy", -1, F_ACCURACY },
	{ N_("Stalled"), "stalled", TM_STALLED, F_COUNT },
	{ N_("No review in 14 days"), "unreviewed", TM_UNREVIEWED, F_COUNT },
	{ N_("Activity hours"), "hours", TM_ACTIVITY_HOURS, F_HOURS },
	{ N_("Revenue per activity hour"), "per_hour", TM_REVENUE_PER_HOUR, F_MONEY },
	{ N_("Precise customers"), "precise", TM_PRECISE, F_COUNT },
	{ N_("Key-person coverage"), "coverage", TM_KEY_PERSON, F_PERCENT },
	{ N_("Share of won revenue"), "share", TM_SHARE, F_PERCENT },
	{ N_("Cumulative share"), "share", TM_CUM_SHARE, F_PERCENT },
};
#define NCOLS (sizeof cols / sizeof *cols)

/* SEP "team=NAME" for a link to one team (NAME URL-encoded, then as
 * HTML); nothing when team is NULL. */
static void
team_arg(struct ctx *c, const char *sep, const char *team)
{
	char enc[3 * 255 + 1];
	if (team == NULL)
		return;
	url_encode(team, enc, sizeof enc);
	out_raw(c->out, sep);
	out_raw(c->out, "team=");
	html_text(c->out, enc);
}

/* A sort's link: to the first page, of the same size */
static void
sort_link(struct ctx *c, const struct team_view *v, const char *key, const char *label,
          int current)
{
	out_rawf(c->out, "<a href=\"/crmx/team?sort=%s", key);
	team_arg(c, "&amp;", v->team);
	if (v->teams != NULL && v->size != TEAM_PAGE_SIZE)
		out_rawf(c->out, "&amp;size=%lld", (long long)v->size);
	out_rawf(c->out, "%s\"%s>", c->embed ? "&amp;embed=1" : "",
	         current ? " class=\"sorted\"" : "");
	html_text(c->out, label);
	out_raw(c->out, current ? " \xE2\x86\x93</a>" : "</a>");
}

/* nav: the pages of teams, when there is more than one */
static void
team_head(struct ctx *c, const struct team_view *v, const struct listnav *nav)
{
	struct out *o = c->out;
	out_raw(o, "<h1>");
	html_text(o, v->teams != NULL ? _("Teams") : _("Team"));
	if (v->team != NULL) {
		out_raw(o, ": ");
		html_text(o, v->team[0] ? v->team : _("No team"));
	}
	out_raw(o, "</h1>");
	if (v->grouped && v->team != NULL) {
		out_rawf(o, "<p class=\"links\"><a href=\"/crmx/team%s\">",
		         c->embed ? "?embed=1" : "");
		html_text(o, _("All teams"));
		out_raw(o, "</a></p>");
	}
	out_raw(o, "<p class=\"meta\">");
	if (v->teams != NULL) {
		html_text(o, _("One row per team: the sums of its reps, rates of the sums, and its "
		               "share of the won revenue of all teams. Open a team for its reps."));
		out_raw(o, " ");
	}
	html_text(o, _("Who brings the sales, whose forecast can be trusted, and where deals "
	               "wait. Won revenue and win rate: the 12 months up to the latest run"));
	if (v->as_of != NULL) {
		out_raw(o, " (");
		html_text(o, v->as_of);
		out_raw(o, ")");
	}
	out_raw(o, ". ");
	html_text(o, _("Forecast accuracy: won in a closed month divided by the weighted forecast "
	               "for it that the last run before the month recorded; error: the mean "
	               "absolute difference from 100%."));
	out_raw(o, "</p>");
	if (nav != NULL)
		ln_count_html(c, nav);
	out_raw(o, "<table class=\"list team cards\"><thead><tr><th>");
	sort_link(c, v, "name", v->teams != NULL ? _("Team") : _("Rep"),
	          strcmp(v->sort, "name") == 0);
	out_raw(o, "</th>");
	for (size_t k = 0; k < NCOLS; k++) {
		out_raw(o, "<th class=\"num\">");
		sort_link(c, v, cols[k].sort, _(cols[k].label),
		          strcmp(v->sort, cols[k].sort) == 0 && cols[k].field != TM_CUM_SHARE);
		out_raw(o, "</th>");
	}
	out_raw(o, "</tr></thead><tbody>");
}

/* Each column's cell up to its value, `<td class="num" data-label="LABEL">
 * <span class="v">` (one value span: on a card, the label and the value
 * side by side), its label translated and escaped once a page: every row
 * has every column's (escaped in each of a page's 850 cells it took a
 * twelfth of crmx.fcgi's time on the page of teams).  Column k's is
 * b.s[at[k]..at[k + 1]). */
struct cell_opens {
	struct sbuf	 b;
	size_t		 at[NCOLS + 1];
};

static void
cell_opens_init(struct cell_opens *co)
{
	sb_init(&co->b);
	for (size_t k = 0; k < NCOLS; k++) {
		co->at[k] = co->b.len;
		sb_raw(&co->b, "<td class=\"num\" data-label=\"");
		sb_html(&co->b, _(cols[k].label));
		sb_raw(&co->b, "\"><span class=\"v\">");
	}
	co->at[NCOLS] = co->b.len;
}

/* Column k's figure of a rep or a team: v its fields, acc its forecast
 * accuracy. */
static void
cell(struct ctx *c, size_t ki, const struct cell_opens *co, const double *v,
     const struct accuracy *acc)
{
	struct out *o = c->out;
	const struct col *k = &cols[ki];
	char b[64];
	double x = k->field >= 0 ? v[k->field] : NAN;
	sb_rawn(&o->body, co->b.s + co->at[ki], co->at[ki + 1] - co->at[ki]);
	if (k->fmt == F_ACCURACY) {
		accuracy_html(c, acc);
		out_raw(o, "</span></td>");
		return;
	}
	if (isnan(x))
		snprintf(b, sizeof b, "\xE2\x80\x94");
	else if (k->fmt == F_MONEY)
		fmt_money(b, sizeof b, x, c->cfg->metrics_currency, 1, c->lang);
	else if (k->fmt == F_PERCENT)
		fmt_percent(b, sizeof b, x, 0);
	else
		fmt_number(b, sizeof b, x, k->fmt == F_HOURS ? 1 : 0);
	html_num(o, b);
	/* the reps (teams) that bring the first 80% of the team's (all teams')
	 * won revenue */
	if (k->field == TM_CUM_SHARE && !isnan(x) && x - v[TM_SHARE] < 0.8 &&
	    v[TM_SHARE] > 0) {
		out_raw(o, " <span class=\"ok\">");
		html_text(o, _("top 80%"));
		out_raw(o, "</span>");
	}
	out_raw(o, "</span></td>");
}

static void
rep_row(struct ctx *c, const struct team_rep *r, const struct cell_opens *co)
{
	struct out *o = c->out;
	out_raw(o, "<tr><th class=\"rep\" scope=\"row\">");
	html_text(o, r->name);
	out_rawf(o, " <span class=\"links\"><a href=\"/crmx/pipeline?owner=%lld\">", (long long)r->id);
	html_text(o, _("Pipeline"));
	out_rawf(o, "</a> <a href=\"/crmx/accounts?owner=%lld\">", (long long)r->id);
	html_text(o, _("Accounts"));
	out_raw(o, "</a></span></th>");
	for (size_t k = 0; k < NCOLS; k++)
		cell(c, k, co, r->v, &r->acc);
	out_raw(o, "</tr>");
}

static void
team_row(struct ctx *c, const struct team_sum *t, const struct cell_opens *co)
{
	struct out *o = c->out;
	char b[32];
	out_raw(o, "<tr><th class=\"rep\" scope=\"row\"><a href=\"/crmx/team");
	team_arg(c, "?", t->team);
	out_rawf(o, "%s\">", c->embed ? "&amp;embed=1" : "");
	html_text(o, t->team[0] ? t->team : _("No team"));
	out_raw(o, "</a> <span class=\"links\">");
	fmt_number(b, sizeof b, t->reps, 0);
	out_rawf(o, "%s ", b);
	html_text(o, _("reps"));
	out_raw(o, "</span></th>");
	for (size_t k = 0; k < NCOLS; k++)
		cell(c, k, co, t->v, &t->acc);
	out_raw(o, "</tr>");
}

/* The pages of teams: what their links keep (the sort, a size other than
 * the usual) and which one this is. */
static void
teams_nav(struct ctx *c, const struct team_view *v, struct listnav *nav, char size[24])
{
	ln_init(nav, c, "/crmx/team");
	ln_keep(nav, "sort", strcmp(v->sort, "share") != 0 ? v->sort : NULL);
	snprintf(size, 24, "%lld", (long long)v->size);
	ln_keep(nav, "size", v->size != TEAM_PAGE_SIZE ? size : NULL);
	nav->page = v->page;
	nav->size = v->size;
	nav->total = v->nteams;
}

void
team_html(struct ctx *c, const struct team_view *v)
{
	struct out *o = c->out;
	struct listnav nav;
	char size[24];
	teams_nav(c, v, &nav, size);
	int paged = v->teams != NULL && (v->nteams > nav.size || nav.page > 1);
	int64_t first = (nav.page - 1) * nav.size, left = v->nteams - first;
	nav.shown = left <= 0 ? 0 : (int)(left < nav.size ? left : nav.size);
	nav.more = left > nav.size;
	page_begin(c, _("Team"));
	team_head(c, v, paged ? &nav : NULL);
	struct cell_opens co;
	cell_opens_init(&co);
	const char *team = NULL;
	for (int k = 0; k < nav.shown; k++)
		team_row(c, &v->teams[first + k], &co);
	for (int i = 0; v->teams == NULL && i < v->n; i++) {
		const struct team_rep *r = &v->reps[i];
		if (v->grouped && v->team == NULL && (team == NULL || strcmp(team, r->team) != 0)) {
			team = r->team;
			out_rawf(o, "<tr class=\"group\"><th colspan=\"%zu\">", NCOLS + 1);
			html_text(o, team[0] ? team : _("No team"));
			out_raw(o, "</th></tr>");
		}
		rep_row(c, r, &co);
	}
	sb_free(&co.b);
	out_raw(o, "</tbody></table>");
	if (paged)
		ln_pager_html(c, &nav);
	if (v->keeps != NULL)
		panel_para(c, "note keeps", v->keeps);
	if (v->n == 0 && v->nteams == 0)
		panel_para(c, "note", _("No reps in your team."));
	page_end(c);
}
