/* Forecast accuracy of a rep over the last closed months (team.h): read
 * from Q_FORECAST_ACCURACY and written for the team and pipeline panels. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "panelagg.h"
#include "team.h"
#include "util.h"

/* ids[] sorted through an index: an executive's thousand reps by six
 * months are found by bisection, not by a walk of every rep per row. */
struct by_id {
	int64_t	 id;
	int	 i;
};

static int
cmp_id(const void *pa, const void *pb)
{
	const struct by_id *a = pa, *b = pb;
	return (a->id > b->id) - (a->id < b->id);
}

enum query
accuracy_agg_query(const struct ctx *c)
{
	return panel_agg_unchanged(c, AGG_CLOSED) ? Q_FORECAST_ACCURACY_QUIET :
	       Q_FORECAST_ACCURACY_AGG;
}

static int
find(const struct by_id *sorted, int n, int64_t id)
{
	struct by_id key = { id, 0 };
	const struct by_id *hit = bsearch(&key, sorted, (size_t)n, sizeof *sorted, cmp_id);
	return hit ? hit->i : -1;
}

void
accuracy_month(struct accuracy *a, const char *month, double forecast, double won)
{
	if (a->n == ACC_MONTHS)
		return;
	int k = a->n++;
	size_t len = strnlen(month, sizeof a->month[k] - 1);	/* as snprintf's "%s" cut it */
	memcpy(a->month[k], month, len);
	a->month[k][len] = '\0';
	a->forecast[k] = forecast;
	a->won[k] = won;
}

void
accuracy_read(PGresult *res, const int64_t *ids, struct accuracy *acc, int n)
{
	int cu = db_col(res, "user_id"), cm = db_col(res, "month"), cf = db_col(res, "forecast"),
	    cw = db_col(res, "won");
	struct by_id *sorted = xcalloc(n ? (size_t)n : 1, sizeof *sorted);
	for (int i = 0; i < n; i++) {
		memset(&acc[i], 0, sizeof acc[i]);
		acc[i].mape = NAN;
		sorted[i].id = ids[i];
		sorted[i].i = i;
	}
	qsort(sorted, (size_t)n, sizeof *sorted, cmp_id);
	for (int r = 0; r < PQntuples(res); r++) {
		int i = find(sorted, n, atoll(db_val(res, r, cu)));
		if (i >= 0)
			accuracy_month(&acc[i], db_val(res, r, cm), text_num(db_val(res, r, cf)),
		               text_num(db_val(res, r, cw)));
	}
	free(sorted);
	for (int i = 0; i < n; i++)
		accuracy_finish(&acc[i]);
}

void
accuracy_finish(struct accuracy *a)
{
	double sum = 0;
	int m = 0;
	for (int k = 0; k < a->n; k++) {
		a->ratio[k] = a->forecast[k] > 0 ? a->won[k] / a->forecast[k] : NAN;
		if (!isnan(a->ratio[k])) {
			sum += fabs(a->ratio[k] - 1);
			m++;
		}
	}
	a->mape = m ? sum / m : NAN;
}

void
accuracy_html(struct ctx *c, const struct accuracy *a)
{
	struct out *o = c->out;
	char b[64];
	if (a->n == 0) {
		html_text(o, "\xE2\x80\x94");
		return;
	}
	out_raw(o, "<span class=\"mape\">");
	html_text(o, _("error"));
	out_raw(o, " ");
	fmt_percent(b, sizeof b, a->mape, 0);
	html_num(o, b);
	out_raw(o, "</span><span class=\"months\">");
	for (int k = 0; k < a->n; k++) {
		out_raw(o, " <span class=\"month\">");
		html_text(o, a->month[k] + 5);	/* "MM" */
		out_raw(o, ": ");
		fmt_percent(b, sizeof b, a->ratio[k], 0);
		html_num(o, b);
		out_raw(o, "</span>");
	}
	out_raw(o, "</span>");
}

json_t *
accuracy_json(const struct accuracy *a)
{
	json_t *months = json_array();
	for (int k = 0; k < a->n; k++)
		json_array_append_new(months, json_pack("{s:s, s:f, s:f, s:o}", "month", a->month[k],
		    "forecast", a->forecast[k], "won", a->won[k],
		    "accuracy", isnan(a->ratio[k]) ? json_null() : json_real(a->ratio[k])));
	return json_pack("{s:o, s:o}", "months", months,
	                 "mape", isnan(a->mape) ? json_null() : json_real(a->mape));
}
