/* The holdout check: how well would the model have predicted the last
 * `weeks` weeks from what was known before them?  Conventions fixed here:
 * - cut = as_of - 7 weeks days; the calibration period is every day up to
 *   and including the cut, the holdout (cut, as_of], exactly `weeks`
 *   weeks long;
 * - a purchase is a distinct day with a revenue row >= 0, as in
 *   customers.c; x, t_x and T are taken at the cut (T = cut - first);
 * - the comparison covers the accounts that had bought by the cut (an
 *   account first seen in the holdout was not there to be predicted);
 * - the prediction is E[Y(weeks) | x, t_x, T] under the calibration fit;
 *   the actual figure counts the account's purchases in the holdout;
 * - bins group the accounts by x at the cut, 0 .. HOLDOUT_BINS-2 and
 *   HOLDOUT_BINS-1 or more, as in Fader, Hardie & Lee (2005), Figure 5. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bgnbd.h"
#include "clock.h"
#include "holdout.h"
#include "log.h"
#include "parallel.h"
#include "util.h"

#define MIN_ACCOUNTS 10

struct predict_job {
	const struct rfm	*d;
	const double		*p;
	double			 t;
	double			*pred;
};

static void
predict_slice(void *arg, size_t from, size_t to, int slot)
{
	(void)slot;
	const struct predict_job *j = arg;
	for (size_t i = from; i < to; i++)
		j->pred[i] = bgnbd_expected(j->p, &j->d[i], j->t);
}

/* One account's summary at the cut and its purchases after it; 0 when it
 * had not bought by the cut. */
static int
split(const struct snapshot *s, size_t a, int32_t cut, struct rfm *d, int32_t *after)
{
	const struct snap_revenue *g = s->rev + s->rev_first[a];
	size_t n = s->rev_first[a + 1] - s->rev_first[a];
	int32_t first = INT32_MIN, last = INT32_MIN, before = 0;

	*after = 0;
	for (size_t i = 0; i < n;) {
		int32_t day = g[i].day;
		int bought = 0;
		for (; i < n && g[i].day == day; i++)
			if (g[i].amount >= 0)
				bought = 1;
		if (!bought || day > s->as_of)
			continue;
		if (day > cut) {
			(*after)++;
			continue;
		}
		if (before++ == 0)
			first = day;
		last = day;
	}
	if (before == 0)
		return 0;
	*d = (struct rfm){ before - 1, (last - first) / 7.0, (cut - first) / 7.0 };
	return 1;
}

void
holdout_check(const struct snapshot *s, int weeks, struct holdout *h)
{
	memset(h, 0, sizeof *h);
	h->actual = h->predicted = h->mae = h->fit.loglik = NAN;
	if (weeks <= 0)
		return;
	h->weeks = weeks;
	h->cut = s->as_of - 7 * weeks;

	double t0 = mono();
	size_t n = s->n_acct, m = 0;
	struct rfm *d = xmalloc((n ? n : 1) * sizeof *d);
	int32_t *after = xmalloc((n ? n : 1) * sizeof *after);
	for (size_t a = 0; a < n; a++)
		if (split(s, a, h->cut, &d[m], &after[m]))
			m++;
	h->accounts = h->fit.n = m;
	h->actual = 0;
	for (size_t i = 0; i < m; i++)
		h->actual += after[i];
	if (m >= MIN_ACCOUNTS && bgnbd_fit(d, m, h->fit.p, &h->fit.loglik) == 0)
		h->fit.fitted = 1;
	double t1 = mono();

	double *pred = xmalloc((m ? m : 1) * sizeof *pred);
	if (h->fit.fitted) {
		struct predict_job job = { d, h->fit.p, weeks, pred };
		parallel_for(m, 5000, predict_slice, &job);
	} else {
		for (size_t i = 0; i < m; i++)
			pred[i] = NAN;
	}
	double sum = 0, abserr = 0;
	for (size_t i = 0; i < m; i++) {
		int k = d[i].x < HOLDOUT_BINS - 1 ? d[i].x : HOLDOUT_BINS - 1;
		sum += pred[i];
		abserr += fabs(pred[i] - after[i]);
		h->bins[k].accounts++;
		h->bins[k].actual += after[i];
		h->bins[k].predicted += pred[i];
	}
	/* no fit, or a prediction that did not converge: the figures are absent */
	h->predicted = h->fit.fitted && isfinite(sum) ? sum : NAN;
	h->mae = h->fit.fitted && isfinite(abserr) ? abserr / (double)m : NAN;
	free(pred);
	free(d);
	free(after);
	log_info("holdout: %d weeks from %zu accounts, %s, %.0f purchases predicted, %.0f"
	         " happened; split and fit %.3f s, predictions %.3f s", weeks, m,
	         h->fit.fitted ? "fitted" : "not fitted", h->predicted, h->actual, t1 - t0, mono() - t1);
}
