/* The team panel as HTML (data: team.c): a table on a wide screen, one
 * card per rep on a narrow one (each cell carries its label). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

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

static void
sort_link(struct ctx *c, const char *key, const char *label, int current)
{
	out_rawf(c->out, "<a href=\"/crmx/team?sort=%s%s\"%s>", key, c->embed ? "&amp;embed=1" : "",
	         current ? " class=\"sorted\"" : "");
	html_text(c->out, label);
	out_raw(c->out, current ? " \xE2\x86\x93</a>" : "</a>");
}

static void
team_head(struct ctx *c, const struct team_view *v)
{
	struct out *o = c->out;
	out_raw(o, "<h1>");
	html_text(o, _("Team"));
	out_raw(o, "</h1><p class=\"meta\">");
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
	out_raw(o, "</p><table class=\"list team cards\"><thead><tr><th>");
	sort_link(c, "name", _("Rep"), strcmp(v->sort, "name") == 0);
	out_raw(o, "</th>");
	for (size_t k = 0; k < NCOLS; k++) {
		out_raw(o, "<th class=\"num\">");
		sort_link(c, cols[k].sort, _(cols[k].label),
		          strcmp(v->sort, cols[k].sort) == 0 && cols[k].field != TM_CUM_SHARE);
		out_raw(o, "</th>");
	}
	out_raw(o, "</tr></thead><tbody>");
}

static void
cell(struct ctx *c, const struct col *k, const struct team_rep *r)
{
	struct out *o = c->out;
	char b[64];
	double x = k->field >= 0 ? r->v[k->field] : NAN;
	/* one value span: on a card, the label and the value side by side */
	out_raw(o, "<td class=\"num\" data-label=\"");
	html_text(o, _(k->label));
	out_raw(o, "\"><span class=\"v\">");
	if (k->fmt == F_ACCURACY) {
		accuracy_html(c, &r->acc);
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
	/* the reps that bring the first 80% of the team's won revenue */
	if (k->field == TM_CUM_SHARE && !isnan(x) && x - r->v[TM_SHARE] < 0.8 &&
	    r->v[TM_SHARE] > 0) {
		out_raw(o, " <span class=\"ok\">");
		html_text(o, _("top 80%"));
		out_raw(o, "</span>");
	}
	out_raw(o, "</span></td>");
}

static void
rep_row(struct ctx *c, const struct team_rep *r)
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
		cell(c, &cols[k], r);
	out_raw(o, "</tr>");
}

void
team_html(struct ctx *c, const struct team_view *v)
{
	struct out *o = c->out;
	page_begin(c, _("Team"));
	team_head(c, v);
	const char *team = NULL;
	for (int i = 0; i < v->n; i++) {
		const struct team_rep *r = &v->reps[i];
		if (v->grouped && (team == NULL || strcmp(team, r->team) != 0)) {
			team = r->team;
			out_rawf(o, "<tr class=\"group\"><th colspan=\"%zu\">", NCOLS + 1);
			html_text(o, team[0] ? team : _("No team"));
			out_raw(o, "</th></tr>");
		}
		rep_row(c, r);
	}
	out_raw(o, "</tbody></table>");
	if (v->keeps != NULL)
		panel_para(c, "note keeps", v->keeps);
	if (v->n == 0)
		panel_para(c, "note", _("No reps in your team."));
	page_end(c);
}
