/* The learned forecast (winforecast.h): training rows, the standardised
 * fit, the backtest against the stage weights, and each open deal's
 * probability with the features that move it most. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "money.h"
#include "parallel.h"
#include "util.h"
#include "winforecast.h"

#define DAY 86400.0
#define WEEK (7 * DAY)
/* Weekly points per deal at most (half a year before its close). */
#define MAX_POINTS 26
/* The fewest won and lost rows a fit needs. */
#define MIN_CLASS 30
/* scikit-learn's default inverse penalty, on standardised features. */
#define INV_PENALTY 1.0
/* The fewest deals a backtest decides on: below, it proves nothing. */
#define MIN_BACKTEST 50
#define P_CLIP 1e-6

/* Every row fits the model's columns (standardise's sums). */
_Static_assert(DS_FIXED + DS_MAX_SOURCES <= WINMODEL_MAX_P, "a row wider than the model");

/* A fit on scaled columns z = x / sd: with an unpenalised intercept,
 * centring would change only the intercept, and zeros stay zeros (the
 * fit skips them).  The means measure a deal against the average one. */
struct wf_model {
	struct winmodel_fit	 fit;
	double			 mean[WINMODEL_MAX_P], sd[WINMODEL_MAX_P];
	size_t			 p;
};

/* Whether deal o gives a row at t: its end known at the cut, open at t. */
static int
row_at(const struct snapshot *s, size_t o, double t, double cut_end)
{
	const struct snap_opp *d = &s->opp[o];
	return d->outcome != OUTCOME_OPEN && d->closed < cut_end &&
	       dealstate_open_at(s, (uint32_t)o, t);
}

/* Deal o's rows known at cut_end (1.. weeks back from it, not before
 * from; prior[j] the prior win rate j weeks back): counted when x is
 * NULL, else written from x and y on. */
static size_t
deal_rows(const struct dealstate *ds, size_t o, double cut_end, double from,
          const double *prior, double *x, double *y)
{
	const struct snapshot *s = ds->s;
	size_t k = 0, p = dealstate_width(ds);
	for (int j = 1; j <= MAX_POINTS && cut_end - j * WEEK >= from; j++) {
		double t = cut_end - j * WEEK;
		if (!row_at(s, o, t, cut_end))
			continue;
		if (x != NULL) {
			dealstate_row(ds, (uint32_t)o, t, prior[j], x + k * p);
			y[k] = s->opp[o].outcome == OUTCOME_WON;
		}
		k++;
	}
	return k;
}

/* Deal by deal (its records stay in cache), the rows counted first so
 * that the arrays are made once.  The count too: week by week, it read
 * every deal's record 26 times, 0.7 s of each fit's rows at a million
 * deals.  Each week's prior once, not once per row (two searches through
 * all closed deals' times).  Both passes on every core, each over
 * parallel_chunks' slices of the deals: a slice's rows start where the
 * slices before it end, so the rows are those of one pass in deal order. */
struct rows_job {
	const struct dealstate	*ds;
	double			 cut_end, from;
	const double		*prior;		/* NULL: count only */
	size_t			 at[PARALLEL_CHUNKS];	/* a slice's rows, then where they start */
	struct wf_rows		*r;
};

static void
rows_chunk(void *ctx, int c, size_t from, size_t to)
{
	struct rows_job *j = ctx;
	size_t k = j->prior != NULL ? j->at[c] : 0, p = j->r->p;
	for (size_t o = from; o < to; o++)
		k += deal_rows(j->ds, o, j->cut_end, j->from, j->prior,
		               j->prior != NULL ? j->r->x + k * p : NULL,
		               j->prior != NULL ? j->r->y + k : NULL);
	if (j->prior == NULL)
		j->at[c] = k;
}

void
wf_rows_build(const struct dealstate *ds, double cut_end, int window_days, struct wf_rows *r)
{
	const struct snapshot *s = ds->s;
	double prior[MAX_POINTS + 1];
	struct rows_job j = { ds, cut_end, cut_end - window_days * DAY, NULL, { 0 }, r };
	memset(r, 0, sizeof *r);
	r->p = dealstate_width(ds);
	parallel_chunks(s->n_opp, rows_chunk, &j);
	for (int c = 0; c < PARALLEL_CHUNKS; c++) {
		size_t n = j.at[c];
		j.at[c] = r->cap;
		r->cap += n;
	}
	r->x = xmalloc((r->cap + 1) * r->p * sizeof *r->x);
	r->y = xmalloc((r->cap + 1) * sizeof *r->y);
	for (int k = 1; k <= MAX_POINTS; k++)
		prior[k] = dealstate_prior(ds, cut_end - k * WEEK);
	j.prior = prior;
	parallel_chunks(s->n_opp, rows_chunk, &j);
	r->n = r->cap;
}

void
wf_rows_free(struct wf_rows *r)
{
	free(r->x);
	free(r->y);
	memset(r, 0, sizeof *r);
}

/* Scales r's columns in place by their deviations, those and the means
 * into m (a constant column gets sd 1).  Row by row, three passes over
 * all the columns at once: column by column (each a stride of p doubles
 * through the rows) it read every cache line of the rows three times per
 * column, 1.5 s of the learned forecast at 1.86 million rows.  Each pass
 * on every core over parallel_chunks' slices of the rows, each slice's
 * sums taken in row order and added in slice order. */
struct scale_job {
	struct wf_rows	*r;
	int		 pass;		/* 0 sums, 1 squared deviations, 2 scaling */
	const double	*mean, *sd;
	double		 sum[PARALLEL_CHUNKS][WINMODEL_MAX_P];
};

static void
scale_chunk(void *ctx, int c, size_t from, size_t to)
{
	struct scale_job *j = ctx;
	size_t p = j->r->p;
	double *sum = j->sum[c];
	memset(sum, 0, sizeof j->sum[c]);
	for (size_t i = from; i < to; i++) {
		double *xi = j->r->x + i * p;
		if (j->pass == 0) {
			for (size_t k = 0; k < p; k++)
				sum[k] += xi[k];
		} else if (j->pass == 1) {
			for (size_t k = 0; k < p; k++) {
				double dv = xi[k] - j->mean[k];
				sum[k] += dv * dv;
			}
		} else {
			for (size_t k = 0; k < p; k++)
				xi[k] /= j->sd[k];
		}
	}
}

/* Pass `pass` of j; its column sums into out (passes 0 and 1). */
static void
scale_pass(struct scale_job *j, int pass, double *out)
{
	j->pass = pass;
	parallel_chunks(j->r->n, scale_chunk, j);
	if (out == NULL)
		return;
	for (size_t k = 0; k < j->r->p; k++) {
		out[k] = 0;
		for (int c = 0; c < PARALLEL_CHUNKS; c++)
			out[k] += j->sum[c][k];
	}
}

static void
standardise(struct wf_rows *r, struct wf_model *m)
{
	size_t p = r->p;
	double sum[WINMODEL_MAX_P], sq[WINMODEL_MAX_P];
	struct scale_job *j = xcalloc(1, sizeof *j);
	j->r = r;
	j->mean = m->mean;
	j->sd = m->sd;
	m->p = p;
	scale_pass(j, 0, sum);
	for (size_t k = 0; k < p; k++)
		m->mean[k] = sum[k] / (double)r->n;
	scale_pass(j, 1, sq);
	for (size_t k = 0; k < p; k++) {
		double sd = sqrt(sq[k] / (double)r->n);
		m->sd[k] = sd > 1e-12 ? sd : 1;
	}
	scale_pass(j, 2, NULL);
	free(j);
}

/* Start's coefficients for m's scales (NULL when start has none). */
static const struct winmodel_fit *
rescaled(const struct wf_model *start, const struct wf_model *m, struct winmodel_fit *f)
{
	if (start == NULL || start->p != m->p || start->fit.p != m->p)
		return NULL;
	*f = start->fit;
	for (size_t j = 0; j < m->p; j++)
		f->w[j] *= m->sd[j] / start->sd[j];
	return f;
}

/* The model on what was known at cut_end (started from start's, when
 * given); its training rows into *rows_n.  0, or -1 when too few deals of
 * either kind closed. */
static int
fit_at(const struct dealstate *ds, double cut_end, int window_days, const struct wf_model *start,
       struct wf_model *m, size_t *rows_n)
{
	struct wf_rows r;
	wf_rows_build(ds, cut_end, window_days, &r);
	size_t won = 0;
	for (size_t i = 0; i < r.n; i++)
		won += r.y[i] > 0;
	*rows_n = r.n;
	int rc = -1;
	if (won >= MIN_CLASS && r.n - won >= MIN_CLASS) {
		struct winmodel_fit from;
		standardise(&r, m);
		rc = winmodel_fit_from(r.x, r.y, r.n, r.p, INV_PENALTY, rescaled(start, m, &from),
		                       &m->fit);
	}

	wf_rows_free(&r);
	return rc;
}

/* Deal o's learned probability at t (prior: dealstate_prior's at t); its
 * row against the average deal's, in deviations, into z. */
static double
predict_at(const struct dealstate *ds, const struct wf_model *m, uint32_t o, double t,
           double prior, double *z)
{
	double x[WINMODEL_MAX_P];
	dealstate_row(ds, o, t, prior, x);
	for (size_t j = 0; j < m->p; j++) {
		z[j] = (x[j] - m->mean[j]) / m->sd[j];
		x[j] /= m->sd[j];
	}
	return winmodel_predict(&m->fit, x);
}

/* The stage weight of each layer: the CRM's own (crmx_src.stages, read
 * with the snapshot); where it has none, the mean probability of the deals
 * open at as_of in it; a layer with neither gets k / 6. */
static void
stage_weights(const struct snapshot *s, double w[6])
{
	double sum[6] = { 0 };
	int n[6] = { 0 };
	for (size_t i = 0; i < s->n_opp; i++) {
		const struct snap_opp *d = &s->opp[i];
		if (d->outcome != OUTCOME_OPEN || d->rank < 1 || isnan(d->probability))
			continue;
		sum[d->rank] += d->probability;
		n[d->rank]++;
	}
	for (int k = 0; k < 6; k++)
		w[k] = !isnan(s->rank_weight[k]) ? s->rank_weight[k] :
		       n[k] > 0 ? sum[k] / n[k] : k / 6.0;
}

/* The layer a deal was in at t (the stage history; 1 without one). */
static int
rank_at(const struct snapshot *s, uint32_t o, double t)
{
	const struct snap_opp *d = &s->opp[o];
	int rank = 1;
	for (uint32_t i = 0; i < d->hist_n && s->hist[d->hist_first + i].entered <= t; i++)
		rank = s->hist[d->hist_first + i].rank;
	return rank;
}

static double
logloss(double p, int y)
{
	p = fmin(fmax(p, P_CLIP), 1 - P_CLIP);
	return -(y ? log(p) : log(1 - p));
}

struct scored {
	double	 p;
	int	 y;
};

static int
cmp_scored(const void *a, const void *b)
{
	const struct scored *x = a, *y = b;
	return (x->p > y->p) - (x->p < y->p);
}

/* Predicted and observed win rates by decile of the prediction. */
static void
deciles(struct scored *v, size_t n, struct wf_decile *d)
{
	qsort(v, n, sizeof *v, cmp_scored);
	for (int k = 0; k < WF_DECILES; k++) {
		size_t lo = n * (size_t)k / WF_DECILES, hi = n * (size_t)(k + 1) / WF_DECILES;
		double sp = 0, sy = 0;
		for (size_t i = lo; i < hi; i++) {
			sp += v[i].p;
			sy += v[i].y;
		}
		d[k].n = (int32_t)(hi - lo);
		d[k].predicted = hi > lo ? sp / (double)(hi - lo) : NAN;
		d[k].observed = hi > lo ? sy / (double)(hi - lo) : NAN;
	}
}

static void
bt_clear(struct wf_backtest *bt)
{
	bt->brier_model = bt->brier_stage = bt->logloss_model = bt->logloss_stage = NAN;
	bt->expected_model = bt->expected_stage = bt->won_amount = NAN;
	for (int k = 0; k < WF_DECILES; k++)
		bt->decile[k] = (struct wf_decile){ 0, NAN, NAN };
}

/* Scores m (fitted at cut_end) and the stage weights on the deals open
 * then that have closed by as_of. */
static void
score(const struct dealstate *ds, const struct wf_model *m, double cut_end, const double w[6],
      struct wf_backtest *bt)
{
	const struct snapshot *s = ds->s;
	struct scored *v = xmalloc((s->n_opp + 1) * sizeof *v);
	double z[WINMODEL_MAX_P], bm = 0, bs = 0, lm = 0, ls = 0, em = 0, es = 0, won = 0;
	double prior = dealstate_prior(ds, cut_end);
	size_t n = 0;
	for (size_t i = 0; i < s->n_opp; i++) {
		const struct snap_opp *d = &s->opp[i];
		if (!dealstate_open_at(s, (uint32_t)i, cut_end))
			continue;
		bt->deals++;
		if (d->outcome == OUTCOME_OPEN)
			continue;
		int y = d->outcome == OUTCOME_WON;
		double p = predict_at(ds, m, (uint32_t)i, cut_end, prior, z);
		double q = w[rank_at(s, (uint32_t)i, cut_end)];
		double amt = money_to_double(d->amount, s->money_digits);
		bm += (p - y) * (p - y);
		bs += (q - y) * (q - y);
		lm += logloss(p, y);
		ls += logloss(q, y);
		em += p * amt;
		es += q * amt;
		won += y ? amt : 0;
		v[n++] = (struct scored){ p, y };
	}
	bt->resolved = (int32_t)n;
	if (n > 0) {
		bt->brier_model = bm / (double)n;
		bt->brier_stage = bs / (double)n;
		bt->logloss_model = lm / (double)n;
		bt->logloss_stage = ls / (double)n;
		bt->expected_model = em;
		bt->expected_stage = es;
		bt->won_amount = won;
		deciles(v, n, bt->decile);
	}
	free(v);
}

static void
backtest(const struct dealstate *ds, const struct metric_params *mp, const double w[6],
         struct wf_model *m, struct wf_backtest *bt)
{
	bt_clear(bt);
	bt->weeks = mp->forecast_holdout_weeks;
	if (bt->weeks <= 0)
		return;
	bt->cut = ds->s->as_of - 7 * bt->weeks;
	double cut_end = ((double)bt->cut + 1) * DAY;
	if (fit_at(ds, cut_end, mp->window_days, NULL, m, &bt->train_rows) != 0) {
		memset(m, 0, sizeof *m);
		return;
	}
	score(ds, m, cut_end, w, bt);
}

/* The WF_TOP largest effects on deal's logit (grouped columns summed). */
static void
top_features(const struct wf_model *m, const double *z, struct wf_deal *d)
{
	double eff[WINMODEL_MAX_P];
	const char *key[WINMODEL_MAX_P];
	size_t g = 0;
	for (size_t j = 0; j < m->p; j++) {
		const char *k = j <= DS_LAYER5 ? "layer" : dealstate_name(j);
		double e = m->fit.w[j] * z[j];
		if (g > 0 && strcmp(key[g - 1], k) == 0) {
			eff[g - 1] += e;
			continue;
		}
		key[g] = k;
		eff[g++] = e;
	}
	for (int t = 0; t < WF_TOP; t++) {
		size_t best = g;
		for (size_t j = 0; j < g; j++)
			if (key[j] != NULL && (best == g || fabs(eff[j]) > fabs(eff[best])))
				best = j;
		d->top[t] = best < g ? key[best] : NULL;
		d->effect[t] = best < g ? eff[best] : NAN;
		if (best < g)
			key[best] = NULL;
	}
}

/* Every deal open at as_of: its learned probability (when the model is
 * fitted) and its stage weight, and the two forecasts. */
static void
predict_open(const struct dealstate *ds, const struct wf_model *m, const double w[6],
             struct winforecast *f)
{
	const struct snapshot *s = ds->s;
	double z[WINMODEL_MAX_P], end = ((double)s->as_of + 1) * DAY;
	double prior = dealstate_prior(ds, end);
	f->deals = xcalloc(s->n_opp + 1, sizeof *f->deals);
	for (size_t i = 0; i < s->n_opp; i++) {
		const struct snap_opp *o = &s->opp[i];
		if (o->outcome != OUTCOME_OPEN)
			continue;
		struct wf_deal *d = &f->deals[f->n_deals++];
		double amt = money_to_double(o->amount, s->money_digits);
		d->opp = (uint32_t)i;
		d->weight = !isnan(o->probability) ? o->probability : w[o->rank > 0 ? o->rank : 1];
		d->p = NAN;
		f->weighted += d->weight * amt;
		if (!f->fitted)
			continue;
		d->p = predict_at(ds, m, (uint32_t)i, end, prior, z);
		top_features(m, z, d);
		f->learned += d->p * amt;
	}
}

void
winforecast_run(const struct dealstate *ds, const struct metric_params *mp, struct winforecast *f)
{
	const struct snapshot *s = ds->s;
	struct wf_model m, bm;
	double w[6];
	memset(f, 0, sizeof *f);
	memset(&m, 0, sizeof m);
	memset(&bm, 0, sizeof bm);
	stage_weights(s, w);
	backtest(ds, mp, w, &bm, &f->bt);
	f->fitted = fit_at(ds, ((double)s->as_of + 1) * DAY, mp->window_days,
	                   bm.fit.p ? &bm : NULL, &m, &f->train_rows) == 0;
	f->features = dealstate_width(ds);
	f->learned = f->fitted ? 0 : NAN;
	predict_open(ds, &m, w, f);
	const struct wf_backtest *bt = &f->bt;
	if (bt->weeks <= 0)
		f->reason = "backtest_off";
	else if (!f->fitted || isnan(bt->brier_model) || bt->resolved < MIN_BACKTEST)
		f->reason = "too_little_data";
	else if (bt->brier_model < bt->brier_stage && bt->logloss_model < bt->logloss_stage)
		f->reason = "beats_stage_weights";
	else
		f->reason = "no_better";
	f->uses_model = strcmp(f->reason, "beats_stage_weights") == 0;
}
