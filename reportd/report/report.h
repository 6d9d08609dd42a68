/* reportd/report/: the weekly report's folder (report.c): its data
 * (reportdata.c), the headline figures (figures.c, which the mail shows
 * too), charts through gnuplot children (charts.c, gnuplot.c), the HTML
 * pages (page.c), CSV and summary.json (exports.c, csvout.c).
 *
 * The weekly report: <report_dir>/<YYYY-Www>/ with index.html (the first
 * language of [reportd] language) and index.<code>.html for each further
 * one (index.zh-CN.html), charts/<chart>.svg|.png (charts/<chart>.<code>.svg|
 * .png for further languages), one <table>.csv per table, report.css and
 * summary.json.  The directory is built under a temporary name and renamed
 * into place: a reader sees the old report or the new one, never half. */
#ifndef CRMX_REPORT_H
#define CRMX_REPORT_H

#include <stdint.h>

#include <libpq-fe.h>

#include <jansson.h>

#include "config.h"
#include "i18n.h"
#include "sbuf.h"

struct report_info {
	char	 week[16];		/* "2026-W27" */
	char	 dir[4096];		/* the report's directory, final name */
	int64_t	 run_id;
	int32_t	 as_of;			/* day number */
	int	 charts_missing;	/* charts of the first language not drawn */
	double	 chart_seconds;		/* rendering every chart of every language */
};

/* Called after a report is in place (for example by the mail feature:
 * it reads index.html, charts/<chart>.png, <table>.csv and summary.json from
 * info->dir).  Called in the thread that wrote the report. */
typedef void (*report_hook)(const struct report_info *info, void *arg);
/* Registers a hook (at most 8); returns -1 when full. */
int report_on_written(report_hook fn, void *arg);

/* The report this process wrote last: 0 and *info filled, or -1 when it
 * has written none yet.  Safe from any thread. */
int report_last_written(struct report_info *info);

/* Writes the report of the complete run run_id.  Returns 0 and fills
 * *info, or -1 with a one-line reason in err (the previous report of that
 * week, if any, stays in place).  Missing charts do not fail the report:
 * the page says which are missing and why. */
int report_write(PGconn *conn, const struct crmx_config *cfg, int64_t run_id,
                 struct report_info *info, char *err, size_t errlen);

/* Staging folders ".new-WEEK-ASOF-XXXXXX" (ASOF: the run's as-of date)
 * that a process which died while writing left in report_dir: each is
 * removed when hold(as_of) takes the run lock of its date (1; release
 * follows the removal), kept when a live run holds it (0).  When that
 * cannot be known (-1, hold NULL, or a name of the older ".new-WEEK-XXXXXX"
 * pattern), a folder is removed once it is an hour old. */
void report_clean_staging(const char *report_dir, int (*hold)(int32_t as_of, void *arg),
                          void (*release)(int32_t as_of, void *arg), void *arg);

/* "2026-W27" for a day. */
void report_week(int32_t day, char *buf, size_t len);
/* 1 when s is a week directory name YYYY-Www. */
int  report_is_week(const char *s);
/* The configured languages, first = main; returns how many (0: invalid). */
int  report_languages(const char *setting, int langs[], int max);

/* The page's headline figure cards (figures.h), each <div class="kpi"
 * id="kpi-ID"> with its label, value and change against prev_summary
 * (NULL: "no comparison"). */
void report_figure_cards(struct sbuf *b, json_t *summary, json_t *prev_summary,
                         const char *currency, enum lang l);

#endif
