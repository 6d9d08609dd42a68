/* Cohort curves (docs/metrics.md §2): accounts grouped by the month of their
 * first purchase; for k = 0, 1, 2 ... months since, the cohort's
 * cumulative net revenue divided by the cohort's size at acquisition
 * (accounts that stopped buying stay in the denominator).  k runs to the
 * as_of month.  Revenue booked before the first purchase (a credit) counts
 * in month 0. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "money.h"
#include "results.h"
#include "util.h"

void
metrics_cohorts(const struct snapshot *s, struct results *res)
{
	int32_t last = month_of_day(s->as_of), first = last;
	for (size_t a = 0; a < s->n_acct; a++)
		if (res->acct[a].first_day != INT32_MIN) {
			int32_t m = month_of_day(res->acct[a].first_day);
			if (m < first)
				first = m;
		}
	size_t months = (size_t)(last - first + 1);
	/* sum[c][k]: net revenue of cohort c in its month k; a dense square,
	 * small: a cohort per month since the first purchase. */
	int64_t *sum = xcalloc(months * months, sizeof *sum);	/* minor units */
	int32_t *size = xcalloc(months, sizeof *size);
	for (size_t a = 0; a < s->n_acct; a++) {
		if (res->acct[a].first_day == INT32_MIN)
			continue;
		size_t c = (size_t)(month_of_day(res->acct[a].first_day) - first);
		size[c]++;
		for (uint32_t i = s->rev_first[a]; i < s->rev_first[a + 1]; i++) {
			int32_t k = month_of_day(s->rev[i].day) - first - (int32_t)c;
			sum[c * months + (size_t)(k < 0 ? 0 : k)] += s->rev[i].amount;
		}
	}
	size_t n = 0;
	for (size_t c = 0; c < months; c++)
		if (size[c])
			n += months - c;
	res->cohorts = xmalloc((n ? n : 1) * sizeof *res->cohorts);
	res->n_cohorts = 0;
	for (size_t c = 0; c < months; c++) {
		if (size[c] == 0)
			continue;
		int64_t cum = 0;
		for (size_t k = 0; c + k < months; k++) {
			cum += sum[c * months + k];
			struct cohort_row *r = &res->cohorts[res->n_cohorts++];
			r->cohort_month = first + (int32_t)c;
			r->k = (int32_t)k;
			r->size = size[c];
			r->cum_per_account = money_to_double(cum, s->money_digits) / size[c];
		}
	}
	free(sum);
	free(size);
}
