/* The report's machine-readable files: one CSV per table (through
 * csv_field()) and summary.json (through jansson). */
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
#include "money.h"
#include "report.h"
#include "reportint.h"
#include "reportdata.h"
#include "sbuf.h"
#include "util.h"


/* A money column's text (numeric(18,2), or a float8 prediction) to the
 * currency's minor unit; anything else as it is. */
static const char *
csv_money(const char *v, int digits, char *buf, size_t len)
{
	int64_t m;
	if (v == NULL || money_parse(v, digits, &m) != 0)
		return v;
	money_format(buf, len, m, digits);
	return buf;
}

int
report_csvs(const struct rdata *d, const char *dir, int digits, char *err, size_t errlen)
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
			for (int c = 0; c < tb->def->ncols; c++) {
				const struct rcol *col = &tb->def->cols[c];
				const char *v = db_val(tb->res, r, db_col(tb->res, col->name));
				char buf[32];
				if (col->kind == COL_MONEY)
					v = csv_money(v, digits, buf, sizeof buf);
				csv_field(&b, v, c == 0);
			}
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

/* A headline figure; amounts to the currency's minor unit. */
static json_t *
jfig(double v, const struct figure *f, int digits)
{
	if (f->kind != FIG_MONEY || isnan(v))
		return jval(v);
	return digits == 0 ? json_integer((json_int_t)llround(v)) : json_real(money_round(v, digits));
}

int
report_json(const struct rdata *d, const char *dir, const char *week, const int *langs, int nl,
           const struct chart_status *st, int digits, char *err, size_t errlen)
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
		    "value", jfig(now, &figures[i], digits), "previous", jfig(before, &figures[i], digits),
		    "change", jfig(now - before, &figures[i], digits)));
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
