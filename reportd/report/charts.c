/* Chart data and gnuplot scripts (see charts.h).  Every script is fixed
 * text plus numbers we computed and our own translated strings (through
 * gp_string); names from the database (stages, owners) are only ever in
 * data.tsv, read with xticlabels()/labels. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "charts.h"
#include "clock.h"
#include "db.h"
#include "gnuplot.h"
#include "log.h"
#include "util.h"

#define FONT "Noto Sans CJK SC"

struct chart_ctx {
	const struct rdata	*d;
	enum lang		 lang;
	const char		*currency;
	double			 scale;		/* money axis divisor */
	char			 unit[64];	/* money axis label */
};

typedef int (*build_fn)(struct chart_ctx *c, struct sbuf *data, struct sbuf *plot);

struct chart_def {
	const char	*name;
	const char	*title;		/* N_() */
	build_fn	 build;		/* 0 built, 1 no data */
};

static double
num(const PGresult *r, int row, const char *col)
{
	const char *v = db_val(r, row, db_col(r, col));
	return v ? strtod(v, NULL) : NAN;
}

static const char *
str(const PGresult *r, int row, const char *col)
{
	const char *v = db_val(r, row, db_col(r, col));
	return v ? v : "";
}

static double
jpath(json_t *o, const char *a, const char *b)
{
	json_t *v = json_object_get(json_object_get(o, a), b);
	return json_is_number(v) ? json_number_value(v) : NAN;
}

/* An axis label: translated text, sanitised. */
static void
axis(struct sbuf *p, const char *which, const char *text)
{
	sb_printf(p, "set %s ", which);
	gp_string(p, text);
	sb_raw(p, "\n");
}

static int
build_lorenz(struct chart_ctx *c, struct sbuf *data, struct sbuf *p)
{
	const PGresult *r = c->d->lorenz_accounts;
	int n = PQntuples(r);
	if (n < 2)
		return 1;
	for (int i = 0; i < n; i++)
		sb_printf(data, "%.6f\t%.6f\n", 100 * num(r, i, "x"), 100 * num(r, i, "y"));
	double f80 = jpath(c->d->summary, "accounts", "frac_for_80");
	sb_raw(data, "\n\n");
	if (!isnan(f80)) {
		char pct[32], label[256];
		fmt_percent(pct, sizeof pct, f80, 1);
		/* TRANSLATORS: the 80/20 point of the Lorenz curve; %s is a share of accounts */
		snprintf(label, sizeof label, _("the top %s of accounts bring 80%% of revenue"), pct);
		sb_printf(data, "%.6f\t20\t", 100 * (1 - f80));
		gp_label(data, label);
		sb_raw(data, "\n");
	} else {
		sb_raw(data, "0\t0\t\"\"\n");
	}
	sb_raw(p, "set xrange [0:100]\nset yrange [0:100]\nset key top left\n"
	          "set format x '%g%%'\nset format y '%g%%'\n");
	axis(p, "xlabel", _("Share of accounts, smallest first"));
	axis(p, "ylabel", _("Share of revenue"));
	sb_raw(p, "plot 'data.tsv' index 0 using 1:2 with lines lw 2.5 lc rgb '#1f5fa8' title ");
	gp_string(p, _("Lorenz curve"));
	sb_raw(p, ", x with lines dt 2 lc rgb '#999999' title ");
	gp_string(p, _("Equal shares"));
	sb_raw(p, ", 'data.tsv' index 1 using 1:2 with points pt 7 ps 1.6 lc rgb '#d2562a' notitle,"
	          " '' index 1 using 1:2:3 with labels right offset -1,1 tc rgb '#d2562a' notitle\n");
	return 0;
}

static int
build_abc(struct chart_ctx *c, struct sbuf *data, struct sbuf *p)
{
	json_t *acc = json_object_get(c->d->summary, "accounts");
	double n = jpath(acc, "classes", "A") + jpath(acc, "classes", "B") + jpath(acc, "classes", "C");
	double total = json_number_value(json_object_get(acc, "total"));
	if (!(n > 0) || !(total > 0))
		return 1;
	static const char *const cls[] = { "A", "B", "C" };
	for (int i = 0; i < 3; i++) {
		double cnt = jpath(acc, "classes", cls[i]), rev = jpath(acc, "revenue", cls[i]);
		char label[64], cl[32];
		/* TRANSLATORS: an ABC class on a chart axis, e.g. "Class A" */
		snprintf(cl, sizeof cl, _("Class %s"), cls[i]);
		gp_label(data, cl);
		snprintf(label, sizeof label, "%.0f", cnt);
		sb_printf(data, "\t%.4f\t%.4f\t", 100 * cnt / n, isnan(rev) ? 0 : 100 * rev / total);
		gp_label(data, label);
		sb_raw(data, "\n");
	}
	sb_raw(p, "set style data histograms\nset style histogram clustered gap 1\n"
	          "set style fill solid 0.9 noborder\nset yrange [0:110]\nset format y '%g%%'\n"
	          "set key top right\n");
	axis(p, "ylabel", _("Share"));
	sb_raw(p, "plot 'data.tsv' using 2:xtic(1) lc rgb '#8fb3dd' title ");
	gp_string(p, _("Share of accounts"));
	sb_raw(p, ", '' using 3 lc rgb '#1f5fa8' title ");
	gp_string(p, _("Share of revenue"));
	sb_raw(p, ", '' using ($0-0.17):($2+3):(sprintf('%.0f%%', $2)) with labels notitle,"
	          " '' using ($0+0.17):($3+3):(sprintf('%.0f%%', $3)) with labels notitle,"
	          " '' using ($0-0.17):($2/2):4 with labels tc rgb '#1a1a1a' notitle\n");
	return 0;
}

static int
build_funnel(struct chart_ctx *c, struct sbuf *data, struct sbuf *p)
{
	const PGresult *r = c->d->funnel;
	int n = PQntuples(r);
	double top = 0;
	if (n == 0)
		return 1;
	for (int i = 0; i < n; i++) {
		double reached = num(r, i, "reached"), conv = num(r, i, "conversion_next");
		char label[64] = "", stage[200];
		if (reached > top)
			top = reached;
		if (!isnan(conv)) {
			char pct[32];
			fmt_percent(pct, sizeof pct, conv, 0);
			snprintf(label, sizeof label, "%s \xE2\x86\x92", pct);	/* → */
		}
		snprintf(stage, sizeof stage, "%s %s", str(r, i, "stage_rank"),
		         funnel_layer(atoi(str(r, i, "stage_rank")), 1));
		sb_printf(data, "%.0f\t", num(r, i, "stage_rank"));
		gp_label(data, stage);
		sb_printf(data, "\t%.0f\t%.4f\t", reached, num(r, i, "reached_amount") / c->scale);
		gp_label(data, label);
		sb_raw(data, "\n");
	}
	if (!(top > 0))
		return 1;
	sb_printf(p, "set boxwidth 0.6\nset style fill solid 0.9 noborder\nset xrange [0.4:%d.6]\n"
	             "set yrange [0:%.0f]\nset y2range [0:*]\nset ytics nomirror\nset y2tics\n"
	             "set key top right\n", n, top * 1.15);
	axis(p, "ylabel", _("Deals reaching the stage"));
	axis(p, "y2label", c->unit);
	sb_raw(p, "plot 'data.tsv' using 1:3:xtic(2) with boxes lc rgb '#1f5fa8' title ");
	gp_string(p, _("Deals"));
	sb_raw(p, ", '' using 1:4 axes x1y2 with linespoints lw 2 pt 7 lc rgb '#d2562a' title ");
	gp_string(p, _("Amount"));
	sb_raw(p, ", '' using ($1+0.5):($3*0.6):5 with labels tc rgb '#333333' notitle,"
	          " '' using 1:($3+0.03*column(3)+1):(sprintf('%d', $3)) with labels offset 0,0.5 notitle\n");
	return 0;
}

static int
build_win_owner(struct chart_ctx *c, struct sbuf *data, struct sbuf *p)
{
	const PGresult *r = c->d->win_owner;
	int n = PQntuples(r);
	if (n == 0)
		return 1;
	for (int i = 0; i < n; i++) {
		gp_label(data, str(r, i, "name"));
		sb_printf(data, "\t%.4f\t%.0f\n", 100 * num(r, i, "win_rate"),
		          num(r, i, "won") + num(r, i, "lost"));
	}
	double overall = jpath(c->d->summary, "funnel", "win_rate");
	sb_raw(p, "set style fill solid 0.9 noborder\nset boxwidth 0.7\nset yrange [0:*]\n"
	          "set format y '%g%%'\nset xtics rotate by -40 left\nset key top right\n"
	          "set offsets 0.5,0.5,0,0\nset bmargin 7\n");
	if (!isnan(overall)) {
		char pct[32], t[128];
		fmt_percent(pct, sizeof pct, overall, 1);
		snprintf(t, sizeof t, _("overall %s"), pct);
		sb_printf(p, "set arrow 1 from graph 0, first %.4f to graph 1, first %.4f nohead dt 2 lw 1.5 lc rgb '#d2562a'\n",
		          100 * overall, 100 * overall);
		sb_printf(p, "set label 1 at graph 0.99, first %.4f right offset 0,0.7 tc rgb '#d2562a' ", 100 * overall);
		gp_string(p, t);
		sb_raw(p, "\n");
	}
	axis(p, "ylabel", _("Win rate"));
	sb_raw(p, "plot 'data.tsv' using 0:2:xtic(1) with boxes lc rgb '#1f5fa8' notitle,"
	          " '' using 0:($2+1):(sprintf('%.0f%%', $2)) with labels offset 0,0.5 font ',8' notitle\n");
	return 0;
}

static int
build_cohorts(struct chart_ctx *c, struct sbuf *data, struct sbuf *p)
{
	const PGresult *r = c->d->cohorts;
	int n = PQntuples(r), blocks = 0;
	char names[16][16];
	if (n == 0)
		return 1;
	for (int i = 0; i < n; i++) {
		const char *co = str(r, i, "cohort");
		if (i == 0 || strcmp(co, str(r, i - 1, "cohort")) != 0) {
			if (blocks == 16)
				break;
			if (i > 0)
				sb_raw(data, "\n\n");
			snprintf(names[blocks++], sizeof names[0], "%.7s", co);
		}
		sb_printf(data, "%.0f\t%.4f\n", num(r, i, "k"), num(r, i, "cum_revenue_per_acct") / c->scale);
	}
	sb_raw(p, "set key top left\nset xrange [0:*]\nset yrange [0:*]\n");
	axis(p, "xlabel", _("Months since the first purchase"));
	char yl[160];
	snprintf(yl, sizeof yl, _("Cumulative revenue per account, %s"), c->unit);
	axis(p, "ylabel", yl);
	static const char *const colors[] = { "#1f5fa8", "#d2562a", "#2e8b57", "#8e44ad",
	                                      "#c0392b", "#7f8c8d", "#16a085", "#f39c12" };
	sb_raw(p, "plot ");
	for (int b = 0; b < blocks; b++) {
		char t[64];
		/* TRANSLATORS: legend of a cohort line; %s is the month, YYYY-MM */
		snprintf(t, sizeof t, _("cohort %s"), names[b]);
		sb_printf(p, "%s'data.tsv' index %d using 1:2 with lines lw 2 lc rgb '%s' title ",
		          b ? ", " : "", b, colors[b % 8]);
		gp_string(p, t);
	}
	sb_raw(p, "\n");
	return 0;
}

static int
build_forecast(struct chart_ctx *c, struct sbuf *data, struct sbuf *p)
{
	const PGresult *r = c->d->forecast;
	int n = PQntuples(r);
	double any = 0;
	if (n == 0)
		return 1;
	for (int i = 0; i < n; i++) {
		gp_label(data, str(r, i, "week_start"));
		sb_printf(data, "\t%.4f\t%.4f\n", num(r, i, "forecast") / c->scale, num(r, i, "won") / c->scale);
		any += num(r, i, "forecast") + num(r, i, "won");
	}
	if (!(any > 0))
		return 1;
	sb_raw(p, "set style data histograms\nset style histogram clustered gap 1\n"
	          "set style fill solid 0.9 noborder\nset yrange [0:*]\nset key top left\n"
	          "set xtics rotate by -40 left\n");
	axis(p, "xlabel", _("Week starting"));
	axis(p, "ylabel", c->unit);
	sb_raw(p, "plot 'data.tsv' using 2:xtic(1) lc rgb '#8fb3dd' title ");
	gp_string(p, _("Weighted forecast"));
	sb_raw(p, ", '' using 3 lc rgb '#1f5fa8' title ");
	gp_string(p, _("Won"));
	sb_raw(p, "\n");
	return 0;
}

static int
build_owners(struct chart_ctx *c, struct sbuf *data, struct sbuf *p)
{
	const PGresult *r = c->d->owners;
	int n = PQntuples(r);
	if (n == 0)
		return 1;
	for (int i = 0; i < n; i++) {
		gp_label(data, str(r, i, "name"));
		sb_printf(data, "\t%.4f\t%.4f\n", 100 * num(r, i, "share"), 100 * num(r, i, "cum_share"));
	}
	sb_raw(p, "set style fill solid 0.9 noborder\nset boxwidth 0.7\nset yrange [0:105]\n"
	          "set format y '%g%%'\nset xtics rotate by -40 left\nset key center right\n"
	          "set offsets 0.5,0.5,0,0\nset bmargin 7\n"
	          "set arrow 1 from graph 0, first 80 to graph 1, first 80 nohead dt 2 lc rgb '#999999'\n");
	axis(p, "ylabel", _("Share of won revenue"));
	sb_raw(p, "plot 'data.tsv' using 0:2:xtic(1) with boxes lc rgb '#1f5fa8' title ");
	gp_string(p, _("Owner's share"));
	sb_raw(p, ", '' using 0:3 with linespoints lw 2 pt 7 lc rgb '#d2562a' title ");
	gp_string(p, _("Cumulative share"));
	sb_raw(p, "\n");
	return 0;
}

/* The model check (summary "holdout"), as Fader, Hardie & Lee (2005)
 * draw it: mean purchases in the holdout weeks per account, actual and
 * predicted, by repeat purchases before them. */
static int
build_holdout(struct chart_ctx *c, struct sbuf *data, struct sbuf *p)
{
	json_t *h = json_object_get(c->d->summary, "holdout");
	json_t *bins = json_object_get(h, "by_repeat_purchases");
	size_t n = json_array_size(bins), shown = 0;
	char t[160];
	if (!json_is_number(json_object_get(h, "predicted")) || n == 0)
		return 1;
	for (size_t i = 0; i < n; i++) {
		json_t *r = json_array_get(bins, i);
		json_t *a = json_object_get(r, "actual_mean"), *pr = json_object_get(r, "predicted_mean");
		if (!json_is_number(a) || !json_is_number(pr))
			continue;
		sb_printf(data, "%zu\t%.6f\t%.6f\n", i, json_number_value(a), json_number_value(pr));
		shown++;
	}
	if (shown == 0)
		return 1;
	sb_printf(p, "set key top left\nset yrange [0:*]\nset xrange [-0.3:%zu.3]\n"
	             "set xtics 1\nset xtics add ('%zu+' %zu)\n", n - 1, n - 1, n - 1);
	axis(p, "xlabel", _("Repeat purchases before the holdout weeks"));
	/* TRANSLATORS: %d is a number of weeks */
	snprintf(t, sizeof t, _("Purchases per account in the last %d weeks"),
	         (int)json_integer_value(json_object_get(h, "weeks")));
	axis(p, "ylabel", t);
	sb_raw(p, "plot 'data.tsv' using 1:2 with linespoints lw 2.5 pt 7 lc rgb '#1f5fa8' title ");
	gp_string(p, _("Actual"));
	sb_raw(p, ", '' using 1:3 with linespoints lw 2 dt 2 pt 6 lc rgb '#d2562a' title ");
	gp_string(p, _("Predicted (BG/NBD)"));
	sb_raw(p, "\n");
	return 0;
}

/* The learned forecast's calibration (summary "learned_forecast"): by
 * decile of the backtest's predictions, the mean predicted chance against
 * the share of those deals won, beside the diagonal of a perfect model. */
static int
build_calibration(struct chart_ctx *c, struct sbuf *data, struct sbuf *p)
{
	json_t *bt = json_object_get(json_object_get(c->d->summary, "learned_forecast"), "backtest");
	json_t *cal = json_object_get(bt, "calibration");
	size_t shown = 0;
	for (size_t i = 0; i < json_array_size(cal); i++) {
		json_t *r = json_array_get(cal, i);
		json_t *pr = json_object_get(r, "predicted"), *ob = json_object_get(r, "observed");
		if (!json_is_number(pr) || !json_is_number(ob))
			continue;
		sb_printf(data, "%.4f\t%.4f\n", 100 * json_number_value(pr),
		          100 * json_number_value(ob));
		shown++;
	}
	if (shown == 0)
		return 1;
	sb_raw(p, "set key top left\nset xrange [0:100]\nset yrange [0:100]\n"
	          "set format x '%g%%'\nset format y '%g%%'\nset size ratio -1\n");
	axis(p, "xlabel", _("Predicted chance to win (mean of the decile)"));
	axis(p, "ylabel", _("Share of those deals won"));
	sb_raw(p, "plot x with lines dt 2 lc rgb '#999999' title ");
	gp_string(p, _("Perfect calibration"));
	sb_raw(p, ", 'data.tsv' using 1:2 with linespoints lw 2.5 pt 7 lc rgb '#1f5fa8' title ");
	gp_string(p, _("Learned model, by decile"));
	sb_raw(p, "\n");
	return 0;
}

static const struct chart_def charts[CH__MAX] = {
	[CH_LORENZ] = { "lorenz", N_("Revenue concentration across accounts (Lorenz curve)"), build_lorenz },
	[CH_ABC] = { "abc", N_("ABC classes: share of accounts and of revenue"), build_abc },
	[CH_FUNNEL] = { "funnel", N_("Funnel: deals and amount reaching each stage, with conversion"), build_funnel },
	[CH_WIN_OWNER] = { "win_rate_owner", N_("Win rate by owner (the 25 with the most closed deals)"), build_win_owner },
	[CH_COHORTS] = { "cohort_ltv", N_("Cohort LTV curves"), build_cohorts },
	[CH_FORECAST] = { "forecast", N_("Weighted forecast against won amount, last 12 weeks"), build_forecast },
	[CH_OWNERS] = { "owner_concentration", N_("Revenue concentration across owners (the top 25)"), build_owners },
	[CH_HOLDOUT] = { "holdout", N_("Model check: purchases per account in the holdout weeks, actual and predicted"), build_holdout },
	[CH_CALIBRATION] = { "calibration", N_("Learned close probability: predicted against won, by decile (backtest)"), build_calibration },
};

const char *
chart_name(enum chart c)
{
	return charts[c].name;
}

const char *
chart_title(enum chart c)
{
	return _(charts[c].title);
}

static void
remove_private(const char *dir)
{
	static const char *const files[] = { "data.tsv", "gnuplot.log", "chart.svg", "chart.png" };
	char path[4200];
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		snprintf(path, sizeof path, "%.4000s/%s", dir, files[i]);
		unlink(path);
	}
	rmdir(dir);
}

static int
nonempty(const char *path)
{
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return 0;
	int ok = fgetc(f) != EOF;
	fclose(f);
	return ok;
}

/* Chart i's data file and script in a private folder under dir: 0, or
 * -1 with the reason in st. */
static int
prepare_job(struct chart_ctx *c, int i, const char *dir, struct gp_job *j,
            struct chart_status *st)
{
	struct sbuf data, plot;
	int rc = -1;
	sb_init(&data);
	sb_init(&plot);
	if (charts[i].build(c, &data, &plot) != 0) {
		snprintf(st->why, sizeof st->why, "%s", _("no data for this chart in this run"));
		goto out;
	}
	snprintf(j->dir, sizeof j->dir, "%.3900s/.gp-%s-XXXXXX", dir, charts[i].name);
	if (mkdtemp(j->dir) == NULL) {
		snprintf(st->why, sizeof st->why, "mkdtemp: %s", strerror(errno));
		goto out;
	}
	char path[4200];
	snprintf(path, sizeof path, "%.4000s/data.tsv", j->dir);
	if (sb_write_file(&data, path) != 0) {
		snprintf(st->why, sizeof st->why, "%.160s: %s", path, strerror(errno));
		remove_private(j->dir);
		goto out;
	}
	sb_init(&j->script);
	sb_raw(&j->script,
	    "set encoding utf8\nset datafile separator '\\t'\n"
	    "set terminal svg size 760,380 dynamic noenhanced font '" FONT ",10' background rgb 'white'\n"
	    "set output 'chart.svg'\n"
	    "set border 3 lc rgb '#555555'\nset tics nomirror\nset grid ytics lc rgb '#e0e0e0'\n"
	    "set key noopaque samplen 2\nset style textbox opaque noborder\n");
	sb_raw(&j->script, plot.s);
	sb_raw(&j->script,
	    "set terminal pngcairo size 1140,570 noenhanced font '" FONT ",10' fontscale 1.5"
	    " linewidth 1.5 background rgb 'white'\n"
	    "set output 'chart.png'\nreplot\nset output\n");
	rc = 0;
out:
	sb_free(&data);
	sb_free(&plot);
	return rc;
}

/* Chart i's SVG and PNG from a finished job into dir/charts/; st says
 * whether both are there and why not.  The job's folder goes. */
static void
collect_job(struct gp_job *j, int i, const char *dir, const char *suffix, struct chart_status *st)
{
	char from[4200], to[4200];
	if (j->ok) {
		static const char *const ext[] = { "svg", "png" };
		st->ok = 1;
		for (int e = 0; e < 2 && st->ok; e++) {
			snprintf(from, sizeof from, "%.4000s/chart.%s", j->dir, ext[e]);
			snprintf(to, sizeof to, "%.4000s/charts/%s%s.%s", dir, charts[i].name, suffix, ext[e]);
			if (!nonempty(from)) {
				st->ok = 0;
				snprintf(st->why, sizeof st->why, _("gnuplot wrote no %s file"), ext[e]);
			} else if (rename(from, to) != 0) {
				st->ok = 0;
				snprintf(st->why, sizeof st->why, "%.160s: %s", to, strerror(errno));
			}
		}
	} else {
		snprintf(st->why, sizeof st->why, "%s", j->why);
	}
	if (!st->ok)
		log_warn("chart %s%s missing: %s", charts[i].name, suffix, st->why);
	remove_private(j->dir);
	sb_free(&j->script);
}

void
charts_render(const struct rdata *d, const struct crmx_config *cfg, enum lang l,
              const char *dir, const char *suffix, struct chart_status st[CH__MAX],
              double *seconds)
{
	struct gp_job jobs[CH__MAX];
	int idx[CH__MAX], nj = 0;
	struct chart_ctx c = { .d = d, .lang = l, .currency = cfg->metrics_currency };
	double t0 = mono();

	/* Money axes in 万 for Chinese, thousands otherwise. */
	c.scale = l == LANG_ZH_CN ? 1e4 : 1e3;
	snprintf(c.unit, sizeof c.unit, _("amount, %s %s"), l == LANG_ZH_CN ? "\xE4\xB8\x87" : "k",
	         cfg->metrics_currency);

	memset(jobs, 0, sizeof jobs);
	for (int i = 0; i < CH__MAX; i++) {
		memset(&st[i], 0, sizeof st[i]);
		if (prepare_job(&c, i, dir, &jobs[nj], &st[i]) == 0)
			idx[nj++] = i;
	}
	gp_run_all(cfg->reportd_gnuplot, cfg->reportd_gnuplot_timeout_s, jobs, (size_t)nj,
	           cfg->reportd_gnuplot_jobs);
	for (int k = 0; k < nj; k++)
		collect_job(&jobs[k], idx[k], dir, suffix, &st[idx[k]]);
	*seconds = mono() - t0;
}
