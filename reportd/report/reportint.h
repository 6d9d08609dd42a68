/* What the files of the report's folder writer share (report.c calls
 * page.c and exports.c): a page's context and the writers. */
#ifndef CRMX_REPORTINT_H
#define CRMX_REPORTINT_H

#include "charts.h"
#include "report.h"
#include "reportdata.h"
#include "sbuf.h"

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

/* The model check (holdoutpage.c): its sentence for the summary (0: the
 * check is off), and its section with the table by earlier purchases. */
int  report_holdout_sentence(char *buf, size_t len, json_t *summary, enum lang l);
void report_holdout_section(struct sbuf *b, const struct page_ctx *p);

/* The learned forecast (winfcpage.c): its sentence for the summary (0:
 * none in the run), and its section with the backtest. */
int  report_winfc_sentence(char *buf, size_t len, json_t *summary, const char *cur, enum lang l);
void report_winfc_section(struct sbuf *b, const struct page_ctx *p);

/* report.css, written once per report. */
extern const char report_css[];

/* One language's index page. */
void report_page(struct sbuf *b, const struct page_ctx *p);
/* <table>.csv for every table, and summary.json, into dir. */
int report_csvs(const struct rdata *d, const char *dir, int money_digits, char *err, size_t errlen);
int report_json(const struct rdata *d, const char *dir, const char *week, const int *langs, int nl,
                const struct chart_status *st, int money_digits, char *err, size_t errlen);

#endif
