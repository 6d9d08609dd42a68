/* The report's HTML pages, one per language (see report.h): summary
 * sentences, the headline figure cards, charts, tables.  All text from
 * the database or translations goes through sb_html(). */
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "charts.h"
#include "csvout.h"
#include "db.h"
#include "figures.h"
#include "i18n.h"
#include "label.h"
#include "log.h"
#include "report.h"
#include "reportint.h"
#include "reportdata.h"
#include "sbuf.h"
#include "util.h"


const char report_css[] =
"body{font-family:'Noto Sans CJK SC','Noto Sans',Helvetica,Arial,sans-serif;color:#1a1a1a;"
"margin:0 auto;max-width:1080px;padding:24px 32px;line-height:1.45;background:#fff}\n"
"header{border-bottom:3px solid #1f5fa8;margin-bottom:16px;padding-bottom:8px}\n"
"h1{font-size:26px;margin:0 0 4px}h2{font-size:19px;margin:28px 0 10px;color:#1f5fa8}\n"
".meta{color:#555;margin:0}.langs{float:right;font-size:14px}.langs a{margin-left:8px}\n"
".summary{background:#f3f6fa;border-left:4px solid #1f5fa8;padding:12px 18px;font-size:16px}\n"
".summary p{margin:6px 0}.missing{color:#a33}\n"
".kpis{display:grid;grid-template-columns:repeat(4,1fr);gap:10px}\n"
".kpi{border:1px solid #d8dee6;border-radius:6px;padding:10px 12px}\n"
".kpi .label{font-size:12px;color:#555;min-height:2.6em}.kpi .value{font-size:21px;font-weight:bold}\n"
".kpi .change{font-size:13px}.good{color:#1e7b34}.bad{color:#b3261e}.flat{color:#666}\n"
".charts{display:grid;grid-template-columns:1fr;gap:16px}\n"
"@media (max-width:900px){.kpis{grid-template-columns:repeat(2,1fr)}}\n"
"figure{margin:0;border:1px solid #e2e6eb;border-radius:6px;padding:8px;break-inside:avoid}\n"
"figure img{width:100%;max-width:900px;height:auto;display:block;margin:0 auto}figcaption{font-weight:bold;margin:0 0 6px}\n"
"figure.absent{background:#fbeeee;color:#a33;padding:16px}\n"
"table{border-collapse:collapse;width:100%;font-size:13px;margin-bottom:6px}\n"
"th,td{border-bottom:1px solid #e2e6eb;padding:4px 6px;text-align:left}\n"
"th{background:#f3f6fa}td.n{text-align:right;font-variant-numeric:tabular-nums}\n"
".note{color:#555;font-size:13px;margin:0 0 6px}.more{color:#555;font-size:12px}\n"
"footer{margin-top:32px;color:#777;font-size:12px;border-top:1px solid #ddd;padding-top:8px}\n"
"@media print{@page{size:A4;margin:14mm}body{max-width:none;padding:0;font-size:11pt}\n"
".langs,.csv{display:none}.kpis{grid-template-columns:repeat(4,1fr)}\n"
"h2{break-after:avoid}table,tr,figure{break-inside:avoid}a{color:inherit;text-decoration:none}}\n";


static double
jnum(json_t *o, const char *a, const char *b)
{
	json_t *v = json_object_get(b ? json_object_get(o, a) : o, b ? b : a);
	return json_is_number(v) ? json_number_value(v) : NAN;
}

static void
para(struct sbuf *b, const char *text)
{
	sb_raw(b, "<p>");
	sb_html(b, text);
	sb_raw(b, "</p>\n");
}

static void
write_summary(struct sbuf *b, const struct page_ctx *p)
{
	json_t *s = p->d->summary, *ps = p->d->prev_summary;
	const char *cur = p->cfg->metrics_currency;
	char t[1024], a[64], c[64], e[64], date[48];

	sb_raw(b, "<section class=\"summary\">\n");
	fmt_date(date, sizeof date, p->d->as_of, p->lang);
	double rev = jnum(s, "accounts", "total"), prev = ps ? jnum(ps, "accounts", "total") : NAN;
	fmt_money(a, sizeof a, rev, cur, 1, p->lang);
	if (!isnan(prev) && prev != 0) {
		fmt_percent(c, sizeof c, fabs(rev / prev - 1), 1);
		snprintf(e, sizeof e, rev > prev ? _("up %s") : rev < prev ? _("down %s") : _("unchanged"), c);
		snprintf(t, sizeof t, _("In the 12 months to %s, revenue was %s, %s on the week before."),
		         date, a, e);
	} else {
		snprintf(t, sizeof t, _("In the 12 months to %s, revenue was %s."), date, a);
	}
	para(b, t);
	fmt_percent(a, sizeof a, jnum(s, "accounts", "frac_for_80"), 1);
	fmt_percent(c, sizeof c, jnum(s, "accounts", "top20_share"), 1);
	snprintf(t, sizeof t, _("%s of the accounts bring 80%% of the revenue; the top 20%% bring %s."), a, c);
	para(b, t);
	fmt_percent(a, sizeof a, jnum(s, "funnel", "win_rate"), 1);
	fmt_money(c, sizeof c, jnum(s, "funnel", "weighted_pipeline"), cur, 1, p->lang);
	snprintf(t, sizeof t, _("The win rate is %s. %.0f open deals carry %s of weighted pipeline; %.0f of them are stalled."),
	         a, jnum(s, "funnel", "open_deals"), c, jnum(s, "funnel", "stalled"));
	para(b, t);
	if (p->d->prev_run_id)
		snprintf(t, sizeof t, _("Needs attention: %ld accounts newly lapsed or at risk, %ld open deals without a known decision maker."),
		         p->d->tables[T_AT_RISK].total, p->d->tables[T_NO_DM].total);
	else
		snprintf(t, sizeof t, _("Needs attention: %ld open deals without a known decision maker (no earlier run to compare accounts with)."),
		         p->d->tables[T_NO_DM].total);
	para(b, t);
	if (report_holdout_sentence(t, sizeof t, s, p->lang))
		para(b, t);
	if (report_winfc_sentence(t, sizeof t, s, cur, p->lang))
		para(b, t);
	for (int i = 0; i < CH__MAX; i++) {
		if (p->charts[i].ok)
			continue;
		snprintf(t, sizeof t, _("Chart missing: %s (%s)."), chart_title((enum chart)i), p->charts[i].why);
		sb_raw(b, "<p class=\"missing\">");
		sb_html(b, t);
		sb_raw(b, "</p>\n");
	}
	sb_raw(b, "</section>\n");
}

void
report_figure_cards(struct sbuf *b, json_t *summary, json_t *prev_summary, const char *currency,
                    enum lang l)
{
	char v[64], ch[64];
	static const char *const tones[] = { "bad", "flat", "good" };
	for (size_t i = 0; i < nfigures; i++) {
		const struct figure *f = &figures[i];
		double now = figure_value(summary, f);
		double before = prev_summary ? figure_value(prev_summary, f) : NAN;
		figure_format(v, sizeof v, now, f, currency, l);
		int tone = figure_change(ch, sizeof ch, now, before, f);
		if (ch[0] == '\0')
			snprintf(ch, sizeof ch, "%s", _("no comparison"));
		sb_printf(b, "<div class=\"kpi\" id=\"kpi-%s\"><div class=\"label\">", f->id);
		sb_html(b, _(f->label));
		sb_raw(b, "</div><div class=\"value\">");
		sb_html(b, v);
		sb_printf(b, "</div><div class=\"change %s\" title=\"", tones[tone + 1]);
		sb_html(b, _("change against the week before"));
		sb_raw(b, "\">");
		sb_html(b, ch);
		sb_raw(b, "</div></div>\n");
	}
}

static void
write_kpis(struct sbuf *b, const struct page_ctx *p)
{
	sb_raw(b, "<section>\n<h2>");
	sb_html(b, _("Headline figures"));
	sb_raw(b, "</h2>\n<div class=\"kpis\">\n");
	report_figure_cards(b, p->d->summary, p->d->prev_summary, p->cfg->metrics_currency, p->lang);
	sb_raw(b, "</div>\n");
	if (p->d->prev_run_id) {
		char date[48], t[256];
		fmt_date(date, sizeof date, p->d->prev_as_of, p->lang);
		snprintf(t, sizeof t, _("Changes are against the run as of %s."), date);
		sb_raw(b, "<p class=\"note\">");
		sb_html(b, t);
		sb_raw(b, "</p>\n");
	}
	sb_raw(b, "</section>\n");
}

static void
write_charts(struct sbuf *b, const struct page_ctx *p)
{
	sb_raw(b, "<section>\n<h2>");
	sb_html(b, _("Charts"));
	sb_raw(b, "</h2>\n<div class=\"charts\">\n");
	for (int i = 0; i < CH__MAX; i++) {
		const char *title = chart_title((enum chart)i);
		if (p->charts[i].ok) {
			sb_printf(b, "<figure id=\"chart-%s\"><figcaption>", chart_name((enum chart)i));
			sb_html(b, title);
			sb_printf(b, "</figcaption><img src=\"charts/%s%s.svg\" width=\"760\" height=\"380\" alt=\"",
			          chart_name((enum chart)i), p->suffix);
			sb_html(b, title);
			sb_raw(b, "\"></figure>\n");
		} else {
			sb_printf(b, "<figure class=\"absent\" id=\"chart-%s\"><figcaption>", chart_name((enum chart)i));
			sb_html(b, title);
			sb_raw(b, "</figcaption><p>");
			sb_html(b, _("This chart is missing:"));
			sb_raw(b, " ");
			sb_html(b, p->charts[i].why);
			sb_raw(b, "</p></figure>\n");
		}
	}
	sb_raw(b, "</div>\n</section>\n");
}

static void
cell(struct sbuf *b, const struct rcol *c, const char *v, const struct page_ctx *p)
{
	char buf[96];
	if (v == NULL) {
		sb_raw(b, "<td>\xE2\x80\x94</td>");
		return;
	}
	switch (c->kind) {
	case COL_TEXT:
	case COL_ID:
		sb_raw(b, c->kind == COL_ID ? "<td class=\"n\">" : "<td>");
		sb_html(b, v);
		sb_raw(b, "</td>");
		return;
	case COL_CODE:
		sb_raw(b, "<td>");
		sb_html(b, strcmp(v, "lapsed") == 0 ? _("newly lapsed") : _("P(alive) fell"));
		sb_raw(b, "</td>");
		return;
	case COL_STAGE:
	case COL_SOURCE:
	case COL_LOST_REASON:
		sb_raw(b, "<td>");
		sb_html(b, crm_label(c->kind == COL_STAGE ? LABEL_STAGE : c->kind == COL_SOURCE ?
		                     LABEL_SOURCE : LABEL_LOST_REASON, v));
		sb_raw(b, "</td>");
		return;
	case COL_MONEY: fmt_money(buf, sizeof buf, strtod(v, NULL), p->cfg->metrics_currency, 1, p->lang); break;
	case COL_PCT:   fmt_percent(buf, sizeof buf, strtod(v, NULL), 1); break;
	case COL_PCT0:  fmt_percent(buf, sizeof buf, strtod(v, NULL), 0); break;
	case COL_INT:
	case COL_DAYS:  fmt_number(buf, sizeof buf, strtod(v, NULL), 0); break;
	}
	sb_raw(b, "<td class=\"n\">");
	sb_html(b, buf);
	sb_raw(b, "</td>");
}

/* Row r's link to its panel ([reportd] panels_url + /accounts/<id> or
 * /deals/<id>, by the table's id column) into href; 0 when none. */
static int
panel_href(char *href, size_t len, const struct page_ctx *p, const struct rtable_def *def,
           const PGresult *res, int r)
{
	const char *base = p->cfg->reportd_panels_url, *kind;
	if (base == NULL || base[0] == '\0' || def->ncols < 2 || def->cols[0].kind != COL_ID)
		return 0;
	if (strcmp(def->cols[0].name, "account_id") == 0)
		kind = "accounts";
	else if (strcmp(def->cols[0].name, "opportunity_id") == 0)
		kind = "deals";
	else
		return 0;
	const char *id = db_val(res, r, db_col(res, def->cols[0].name));
	if (id == NULL)
		return 0;
	size_t n = strlen(base);
	int w = snprintf(href, len, "%.*s/%s/%s%s", (int)(n > 0 && base[n - 1] == '/' ? n - 1 : n),
	                 base, kind, id, p->lang == LANG_ZH_CN ? "?lang=zh-CN" : "");
	return w > 0 && (size_t)w < len;
}

/* The row's id and name cells as links to its panel. */
static void
linked_cell(struct sbuf *b, const struct rcol *c, const char *v, const char *href,
            const struct page_ctx *p)
{
	if (v == NULL) {
		cell(b, c, v, p);
		return;
	}
	sb_raw(b, c->kind == COL_ID ? "<td class=\"n\"><a href=\"" : "<td><a href=\"");
	sb_html(b, href);
	sb_raw(b, "\">");
	sb_html(b, v);
	sb_raw(b, "</a></td>");
}

static void
write_tables(struct sbuf *b, const struct page_ctx *p)
{
	for (int t = 0; t < T__MAX; t++) {
		const struct rtable *tb = &p->d->tables[t];
		const struct rtable_def *def = tb->def;
		int n = PQntuples(tb->res);
		sb_printf(b, "<section id=\"%s\">\n<h2>", def->id);
		sb_html(b, _(def->title));
		sb_raw(b, "</h2>\n<p class=\"note\">");
		sb_html(b, _(def->note));
		sb_printf(b, " <a class=\"csv\" href=\"%s.csv\">CSV</a></p>\n", def->id);
		if (t == T_AT_RISK && !p->d->prev_run_id) {
			sb_raw(b, "<p>");
			sb_html(b, _("There is no earlier run to compare with yet."));
			sb_raw(b, "</p>\n</section>\n");
			continue;
		}
		if (n == 0) {
			sb_raw(b, "<p>");
			sb_html(b, _("None."));
			sb_raw(b, "</p>\n</section>\n");
			continue;
		}
		sb_raw(b, "<table>\n<thead><tr>");
		for (int c = 0; c < def->ncols; c++) {
			sb_raw(b, "<th>");
			sb_html(b, _(def->cols[c].label));
			sb_raw(b, "</th>");
		}
		sb_raw(b, "</tr></thead>\n<tbody>\n");
		for (int r = 0; r < n; r++) {
			char href[512];
			int link = panel_href(href, sizeof href, p, def, tb->res, r);
			sb_raw(b, "<tr>");
			for (int c = 0; c < def->ncols; c++) {
				const char *v = db_val(tb->res, r, db_col(tb->res, def->cols[c].name));
				if (link && c < 2)
					linked_cell(b, &def->cols[c], v, href, p);
				else
					cell(b, &def->cols[c], v, p);
			}
			sb_raw(b, "</tr>\n");
		}
		sb_raw(b, "</tbody></table>\n");
		if (tb->total > n) {
			char m[160];
			snprintf(m, sizeof m, _("Showing %d of %ld."), n, tb->total);
			sb_raw(b, "<p class=\"more\">");
			sb_html(b, m);
			sb_raw(b, "</p>\n");
		}
		sb_raw(b, "</section>\n");
	}
}

void
report_page(struct sbuf *b, const struct page_ctx *p)
{
	char week[48], date[48], t[256];
	fmt_week(week, sizeof week, p->d->as_of, p->lang);
	fmt_date(date, sizeof date, p->d->as_of, p->lang);
	sb_printf(b, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
	             "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
	          i18n_code(p->lang));
	snprintf(t, sizeof t, _("Weekly sales report %s"), week);
	sb_html(b, t);
	sb_raw(b, "</title>\n<link rel=\"stylesheet\" href=\"report.css\">\n</head>\n<body>\n<header>\n");
	if (p->nlangs > 1) {
		sb_raw(b, "<nav class=\"langs\">");
		for (int i = 0; i < p->nlangs; i++) {
			const char *code = i18n_code((enum lang)p->langs[i]);
			const char *name = p->langs[i] == LANG_ZH_CN ? "\xE4\xB8\xAD\xE6\x96\x87" : "English";
			if (p->langs[i] == (int)p->lang)
				sb_printf(b, "<strong>%s</strong>", name);
			else if (i == 0)
				sb_printf(b, "<a href=\"index.html\" hreflang=\"%s\">%s</a>", code, name);
			else
				sb_printf(b, "<a href=\"index.%s.html\" hreflang=\"%s\">%s</a>", code, code, name);
			sb_raw(b, " ");
		}
		sb_raw(b, "</nav>\n");
	}
	sb_raw(b, "<h1>");
	sb_html(b, t);
	sb_raw(b, "</h1>\n<p class=\"meta\">");
	snprintf(t, sizeof t, _("As of %s · computed %s · run %lld"), date, p->d->finished_at,
	         (long long)p->d->run_id);
	sb_html(b, t);
	sb_raw(b, "</p>\n</header>\n");
	write_summary(b, p);
	write_kpis(b, p);
	write_charts(b, p);
	report_holdout_section(b, p);
	report_winfc_section(b, p);
	write_tables(b, p);
	sb_raw(b, "<footer>");
	sb_html(b, _("Revenue is net revenue in the 12 months to the as-of date. Predicted lifetime value uses the BG/NBD and Gamma-Gamma models. The forecast of a past week is rebuilt from the stage history: deals open at its start and expected to close in it, weighted by their stage's probability."));
	sb_raw(b, "</footer>\n</body>\n</html>\n");
}
