/* The headline figures: one list, read from a run summary (summary.json's
 * "summary"), formatted one way, with one change against the week before.
 * The report's cards, summary.json's "headline" and the mail's table all
 * show this list, so report and mail cannot drift apart. */
#ifndef CRMX_FIGURES_H
#define CRMX_FIGURES_H

#include <stddef.h>

#include <jansson.h>

#include "i18n.h"

enum figure_kind { FIG_MONEY, FIG_COUNT, FIG_PCT, FIG_DAYS, FIG_RATIO /* 0.6297 */ };

struct figure {
	const char		*id;	/* summary.json "headline" id, the card's kpi-<id> */
	const char		*label;	/* N_(): translate when shown */
	const char		*path;	/* in the run summary, "a.b.c" */
	enum figure_kind	 kind;
	int			 good;	/* +1 up is good news, -1 down is, 0 neither */
};

extern const struct figure figures[];
extern const size_t nfigures;

/* The figure's value in a run summary; NAN when absent or not a number. */
double figure_value(json_t *summary, const struct figure *f);
/* The value as shown ("—" for NAN): money as every page shows it
 * (fmt_amount: in Chinese with 万/亿, else in full, to the cent). */
void figure_format(char *buf, size_t len, double v, const struct figure *f,
                   const char *currency, enum lang l);
/* The change from before to now ("▲ 3.2%", "▼ 1.5 pts", "► 0"); "" when
 * either is NAN.  Returns the tone: +1 good news, -1 bad, 0 neither. */
int figure_change(char *buf, size_t len, double now, double before, const struct figure *f);

#endif
