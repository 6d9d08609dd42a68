/* The weekly report's HTML, CSV and JSON files, assembled in a staging
 * directory and renamed into place (see report.h).  All HTML text from the
 * database or translations goes through sb_html(), all CSV through
 * csv_field(), JSON through jansson. */
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
#include "log.h"
#include "report.h"
#include "reportdata.h"
#include "sbuf.h"
#include "util.h"

static struct { report_hook fn; void *arg; } hooks[8];
static int nhooks;
static pthread_mutex_t last_mu = PTHREAD_MUTEX_INITIALIZER;
static struct report_info last;
static int have_last;

int
report_last_written(struct report_info *info)
{
	pthread_mutex_lock(&last_mu);
	int rc = have_last ? 0 : -1;
	if (have_last)
		*info = last;
	pthread_mutex_unlock(&last_mu);
	return rc;
}

int
report_on_written(report_hook fn, void *arg)
{
	if (nhooks == 8)
		return -1;
	hooks[nhooks].fn = fn;
	hooks[nhooks++].arg = arg;
	return 0;
}

void
report_week(int32_t day, char *buf, size_t len)
{
	int y, w;
	iso_week(day, &y, &w);
	snprintf(buf, len, "%04d-W%02d", y, w);
}

int
report_is_week(const char *s)
{
	if (strlen(s) != 8 || s[4] != '-' || s[5] != 'W')
		return 0;
	for (int i = 0; i < 8; i++)
		if (i != 4 && i != 5 && (s[i] < '0' || s[i] > '9'))
			return 0;
	int w = atoi(s + 6);
	return w >= 1 && w <= 53;
}

int
report_languages(const char *setting, int langs[], int max)
{
	int n = 0;
	char code[32];
	const char *p = setting;
	while (*p) {
		p += strspn(p, ", ");
		size_t k = strcspn(p, ", ");
		if (k == 0)
			break;
		if (k >= sizeof code)
			return 0;
		memcpy(code, p, k);
		code[k] = '\0';
		p += k;
		int l = i18n_parse(code);
		if (l < 0)
			return 0;
		int dup = 0;
		for (int i = 0; i < n; i++)
			dup |= langs[i] == l;
		if (!dup && n < max)
			langs[n++] = l;
	}
	return n;
}

/* ---- HTML ----------------------------------------------------------- */

static const char report_css[] =
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

struct page_ctx {
	const struct rdata		*d;
	const struct crmx_config	*cfg;
	enum lang			 lang;
	const char			*suffix;
	const struct chart_status	*charts;
	const int			*langs;
	int				 nlangs;
	const char			*week;
};

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
	case COL_MONEY: fmt_money(buf, sizeof buf, strtod(v, NULL), p->cfg->metrics_currency, 1, p->lang); break;
	case COL_PCT:   fmt_percent(buf, sizeof buf, strtod(v, NULL), 1); break;
	case COL_INT:
	case COL_DAYS:  fmt_number(buf, sizeof buf, strtod(v, NULL), 0); break;
	}
	sb_raw(b, "<td class=\"n\">");
	sb_html(b, buf);
	sb_raw(b, "</td>");
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
			sb_raw(b, "<tr>");
			for (int c = 0; c < def->ncols; c++)
				cell(b, &def->cols[c], db_val(tb->res, r, db_col(tb->res, def->cols[c].name)), p);
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

static void
write_page(struct sbuf *b, const struct page_ctx *p)
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
	write_tables(b, p);
	sb_raw(b, "<footer>");
	sb_html(b, _("Revenue is net revenue in the 12 months to the as-of date. Predicted lifetime value uses the BG/NBD and Gamma-Gamma models. The forecast of a past week is rebuilt from the stage history: deals open at its start and expected to close in it, weighted by their stage's probability."));
	sb_raw(b, "</footer>\n</body>\n</html>\n");
}

/* ---- CSV and JSON ------------------------------------------------------ */

static int
write_csvs(const struct rdata *d, const char *dir, char *err, size_t errlen)
{
	for (int t = 0; t < T__MAX; t++) {
		const struct rtable *tb = &d->tables[t];
		struct sbuf b;
		char path[4200];
		sb_init(&b);
		for (int c = 0; c < tb->def->ncols; c++)
			csv_field(&b, tb->def->cols[c].name, c == 0);
		csv_end_row(&b);
		for (int r = 0; r < PQntuples(tb->res); r++) {
			for (int c = 0; c < tb->def->ncols; c++)
				csv_field(&b, db_val(tb->res, r, db_col(tb->res, tb->def->cols[c].name)), c == 0);
			csv_end_row(&b);
		}
		snprintf(path, sizeof path, "%s/%s.csv", dir, tb->def->id);
		int rc = sb_write_file(&b, path);
		sb_free(&b);
		if (rc != 0) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			return -1;
		}
	}
	return 0;
}

static json_t *
jval(double v)
{
	return isnan(v) ? json_null() : json_real(v);
}

static int
write_json(const struct rdata *d, const char *dir, const char *week, const int *langs, int nl,
           const struct chart_status *st, char *err, size_t errlen)
{
	char asof[16], path[4200];
	format_date(d->as_of, asof, sizeof asof);
	json_t *o = json_object();
	json_object_set_new(o, "week", json_string(week));
	json_object_set_new(o, "as_of", json_string(asof));
	json_object_set_new(o, "run_id", json_integer(d->run_id));
	json_object_set_new(o, "previous_run_id", d->prev_run_id ? json_integer(d->prev_run_id) : json_null());
	json_t *files = json_object(), *langa = json_array();
	for (int i = 0; i < nl; i++) {
		const char *code = i18n_code((enum lang)langs[i]);
		char f[64];
		if (i == 0)
			snprintf(f, sizeof f, "index.html");
		else
			snprintf(f, sizeof f, "index.%s.html", code);
		json_array_append_new(langa, json_string(code));
		json_object_set_new(files, code, json_string(f));
	}
	json_object_set_new(o, "languages", langa);
	json_object_set_new(o, "pages", files);
	json_t *head = json_array();
	for (size_t i = 0; i < nfigures; i++) {
		double now = figure_value(d->summary, &figures[i]);
		double before = d->prev_summary ? figure_value(d->prev_summary, &figures[i]) : NAN;
		json_array_append_new(head, json_pack("{s:s, s:o, s:o, s:o}", "id", figures[i].id,
		    "value", jval(now), "previous", jval(before), "change", jval(now - before)));
	}
	json_object_set_new(o, "headline", head);
	json_t *charts = json_array();
	for (int i = 0; i < CH__MAX; i++) {
		char svg[64], png[64];
		snprintf(svg, sizeof svg, "charts/%s.svg", chart_name((enum chart)i));
		snprintf(png, sizeof png, "charts/%s.png", chart_name((enum chart)i));
		json_array_append_new(charts, json_pack("{s:s, s:s, s:b, s:o, s:s, s:s}",
		    "name", chart_name((enum chart)i), "title", chart_title((enum chart)i),
		    "ok", st[i].ok, "missing_because", st[i].ok ? json_null() : json_string(st[i].why),
		    "svg", svg, "png", png));
	}
	json_object_set_new(o, "charts", charts);
	json_t *tables = json_array();
	for (int t = 0; t < T__MAX; t++) {
		char csv[96];
		snprintf(csv, sizeof csv, "%s.csv", d->tables[t].def->id);
		json_array_append_new(tables, json_pack("{s:s, s:s, s:i, s:I, s:s}",
		    "id", d->tables[t].def->id, "title", _(d->tables[t].def->title),
		    "rows", PQntuples(d->tables[t].res), "total", (json_int_t)d->tables[t].total, "csv", csv));
	}
	json_object_set_new(o, "tables", tables);
	json_object_set(o, "summary", d->summary);
	snprintf(path, sizeof path, "%s/summary.json", dir);
	int rc = json_dump_file(o, path, JSON_INDENT(2) | JSON_REAL_PRECISION(15));
	json_decref(o);
	if (rc != 0) {
		snprintf(err, errlen, "%s: cannot write", path);
		return -1;
	}
	return 0;
}

/* ---- the directory ------------------------------------------------------ */

static int
rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb; (void)flag; (void)ftw;
	return remove(path);
}

static void
rm_tree(const char *dir)
{
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* The as-of date in a staging folder's name ".new-YYYY-Www-YYYY-MM-DD-XXXXXX". */
static int
staging_as_of(const char *name, int32_t *as_of)
{
	char day[11];
	if (strlen(name) != 5 + 8 + 1 + 10 + 1 + 6 || name[13] != '-' || name[24] != '-')
		return -1;
	memcpy(day, name + 14, 10);
	day[10] = '\0';
	return parse_date(day, as_of);
}

void
report_clean_staging(const char *report_dir, int (*hold)(int32_t as_of, void *arg),
                     void (*release)(int32_t as_of, void *arg), void *arg)
{
	DIR *d = opendir(report_dir);
	struct dirent *e;
	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		char path[4400];
		struct stat sb;
		int32_t as_of;
		if (strncmp(e->d_name, ".new-", 5) != 0)
			continue;
		snprintf(path, sizeof path, "%.4000s/%s", report_dir, e->d_name);
		if (lstat(path, &sb) != 0 || !S_ISDIR(sb.st_mode))
			continue;
		int held = -1;
		if (hold != NULL && staging_as_of(e->d_name, &as_of) == 0)
			held = hold(as_of, arg);
		if (held == 1) {
			log_info("removing %s, left by a report run that died", path);
			rm_tree(path);
			release(as_of, arg);
		} else if (held < 0 && sb.st_mtime < time(NULL) - 3600) {
			log_info("removing %s, left by an interrupted report", path);
			rm_tree(path);
		}
	}
	closedir(d);
}

/* The staging folder (and its charts/) beside the week's: the as-of date
 * in its name ties it to its run's lock (report_clean_staging). */
static int
make_staging(const struct crmx_config *cfg, const struct report_info *info, char *staging,
             size_t len, char *err, size_t errlen)
{
	char day[16], path[4300];
	if (mkdir(cfg->reportd_report_dir, 0755) != 0 && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", cfg->reportd_report_dir, strerror(errno));
		return -1;
	}
	format_date(info->as_of, day, sizeof day);
	snprintf(staging, len, "%s/.new-%s-%s-XXXXXX", cfg->reportd_report_dir, info->week, day);
	if (mkdtemp(staging) == NULL) {
		snprintf(err, errlen, "%s: %s", cfg->reportd_report_dir, strerror(errno));
		staging[0] = '\0';
		return -1;
	}
	snprintf(path, sizeof path, "%s/charts", staging);
	if (chmod(staging, 0755) != 0 || mkdir(path, 0755) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Each language's charts and page; the first language's chart status
 * into st_main. */
static int
write_pages(const struct rdata *d, const struct crmx_config *cfg, const int *langs, int nl,
            const char *staging, struct report_info *info, struct chart_status *st_main,
            char *err, size_t errlen)
{
	struct chart_status st[CH__MAX];
	char path[4300];
	for (int i = 0; i < nl; i++) {
		char suffix[16] = "";
		double secs;
		struct sbuf page;
		i18n_use((enum lang)langs[i]);
		if (i > 0)
			snprintf(suffix, sizeof suffix, ".%s", i18n_code((enum lang)langs[i]));
		charts_render(d, cfg, (enum lang)langs[i], staging, suffix, st, &secs);
		info->chart_seconds += secs;
		if (i == 0)
			memcpy(st_main, st, sizeof st);
		struct page_ctx p = { d, cfg, (enum lang)langs[i], suffix, st, langs, nl, info->week };
		sb_init(&page);
		write_page(&page, &p);
		snprintf(path, sizeof path, "%s/index%s.html", staging, suffix);
		int w = sb_write_file(&page, path);
		sb_free(&page);
		if (w != 0) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			return -1;
		}
	}
	i18n_use((enum lang)langs[0]);
	for (int i = 0; i < CH__MAX; i++)
		info->charts_missing += !st_main[i].ok;
	return 0;
}

static int
write_css(const char *staging, char *err, size_t errlen)
{
	char path[4300];
	struct sbuf css;
	sb_init(&css);
	sb_raw(&css, report_css);
	snprintf(path, sizeof path, "%s/report.css", staging);
	int cw = sb_write_file(&css, path);
	sb_free(&css);
	if (cw != 0)
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
	return cw != 0 ? -1 : 0;
}

/* Into place: a plain rename for a new week (staging emptied); for a week
 * written before, an atomic exchange, after which staging holds the old
 * tree, for the caller to remove. */
static int
put_in_place(char *staging, const char *dir, char *err, size_t errlen)
{
	if (rename(staging, dir) == 0) {
		staging[0] = '\0';
		return 0;
	}
	if ((errno != EEXIST && errno != ENOTEMPTY) ||
	    renameat2(AT_FDCWD, staging, AT_FDCWD, dir, RENAME_EXCHANGE) != 0) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	return 0;
}

/* A report written: remembered for report_last_written(), then the hooks. */
static void
published(const struct report_info *info)
{
	pthread_mutex_lock(&last_mu);
	last = *info;
	have_last = 1;
	pthread_mutex_unlock(&last_mu);
	for (int i = 0; i < nhooks; i++)
		hooks[i].fn(info, hooks[i].arg);
}

int
report_write(PGconn *conn, const struct crmx_config *cfg, int64_t run_id,
             struct report_info *info, char *err, size_t errlen)
{
	struct rdata d;
	struct chart_status st_main[CH__MAX];
	int langs[LANG_COUNT], nl, rc = -1;
	char staging[4200] = "";
	enum lang saved = i18n_current();

	memset(info, 0, sizeof *info);
	if ((nl = report_languages(cfg->reportd_language, langs, LANG_COUNT)) == 0) {
		snprintf(err, errlen, "[reportd] language: \"%s\" names no known language (en, zh-CN)",
		         cfg->reportd_language);
		return -1;
	}
	if (rdata_load(conn, cfg, run_id, &d, err, errlen) != 0)
		goto out;
	report_week(d.as_of, info->week, sizeof info->week);
	info->run_id = run_id;
	info->as_of = d.as_of;
	snprintf(info->dir, sizeof info->dir, "%s/%s", cfg->reportd_report_dir, info->week);
	if (make_staging(cfg, info, staging, sizeof staging, err, errlen) != 0 ||
	    write_pages(&d, cfg, langs, nl, staging, info, st_main, err, errlen) != 0 ||
	    write_css(staging, err, errlen) != 0 ||
	    write_csvs(&d, staging, err, errlen) != 0 ||
	    write_json(&d, staging, info->week, langs, nl, st_main, err, errlen) != 0 ||
	    put_in_place(staging, info->dir, err, errlen) != 0)
		goto out;
	rc = 0;
	log_info("report %s written to %s (run %lld, %d chart(s) missing, charts %.2f s)",
	         info->week, info->dir, (long long)run_id, info->charts_missing, info->chart_seconds);
out:
	if (staging[0])
		rm_tree(staging);
	rdata_free(&d);
	i18n_use(saved);
	if (rc == 0)
		published(info);
	return rc;
}
