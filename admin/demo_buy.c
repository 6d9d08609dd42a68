/* The demo's purchases: a buy-till-you-die process per customer, as the
 * BG/NBD model assumes.  Each customer (an account with a size factor)
 * makes a first purchase some weeks after it was created, then buys at
 * its own Poisson rate (gamma distributed across customers) and after each
 * purchase drops out for good with its own probability (beta distributed).
 * The requested number of revenue rows is shared out exactly: a purchase
 * day gets one row, plus extra lines in proportion to the customer's size
 * (or, when fewer rows than purchases were asked for, every k-th purchase
 * is written).  A few extra lines are credits. */
#include <math.h>
#include <stdint.h>

#include "demo.h"
#include "log.h"
#include "pgcopy.h"

/* Heterogeneity across customers (weeks): rate ~ gamma(R_SHAPE, mean
 * R_MEAN), dropout ~ beta(P_A, P_B). */
#define R_SHAPE	0.9
#define R_MEAN	0.2
#define P_A	1.0
#define P_B	5.0
#define MAX_PURCHASES 5000

struct buyer {
	struct rng	 w;
	double		 gap_mean, p, t;	/* days */
	int32_t		 anchor;
	int		 n;
};

/* Each customer's draws come from its own stream, so that the counting
 * pass and the writing pass see the same purchases. */
static int
buyer_start(const struct gen *g, long a, struct buyer *b)
{
	const struct acct_info *ai = &g->acct[a];
	if (ai->value <= 0)
		return -1;
	rng_seed(&b->w, (g->o.seed * 0x9e3779b97f4a7c15ULL) ^ ((uint64_t)a << 20) ^ 0xb0b0ULL);
	double rate = gamma_draw(&b->w, R_SHAPE, R_MEAN / R_SHAPE);
	b->gap_mean = 7.0 / (rate > 1e-4 ? rate : 1e-4);
	b->p = beta_draw(&b->w, P_A, P_B);
	b->t = (double)(ai->created / 86400) + 1 + expo(&b->w, 30);
	b->anchor = g->o.anchor;
	b->n = 0;
	return 0;
}

/* The next purchase day, or -1 when the customer has dropped out or the
 * next purchase would fall after the anchor. */
static int32_t
buyer_next(struct buyer *b)
{
	if (b->n > 0) {
		if (b->n >= MAX_PURCHASES || chance(&b->w, b->p))
			return -1;
		b->t += 1 + expo(&b->w, b->gap_mean);
	}
	if (b->t > b->anchor)
		return -1;
	b->n++;
	return (int32_t)b->t;
}

struct shares {
	double	 purchases, weight;	/* in all */
	double	 extra, cum;		/* extra rows to share; running sum */
	int64_t	 given;
	int	 thin;			/* fewer rows than purchases */
};

/* Rows for the next purchase of a customer of size v. */
static int64_t
rows_for(struct shares *sh, double v, int64_t rows_asked)
{
	if (sh->thin) {
		sh->cum += 1;
		int64_t upto = (int64_t)llround(sh->cum / sh->purchases * (double)rows_asked);
		int64_t k = upto - sh->given;
		sh->given = upto;
		return k;
	}
	sh->cum += v;
	int64_t upto = (int64_t)llround(sh->cum / sh->weight * sh->extra);
	int64_t k = upto - sh->given;
	sh->given = upto;
	return 1 + k;
}

static void
write_rows(struct gen *g, struct pgcopy *c, long a, int32_t day, int64_t k)
{
	double typical = 1500.0 * pow(g->acct[a].value, 0.3);
	for (int64_t i = 0; i < k; i++) {
		double amt = round(typical * lognormal(&g->r, 0, 0.5) * 100.0) / 100.0;
		if (i > 0 && chance(&g->r, 0.06))
			amt = -round(amt * 0.5 * 100.0) / 100.0;
		double margin = round(amt * (0.2 + 0.25 * unif(&g->r)) * 100.0) / 100.0;
		pgcopy_rawf(c, "%ld", a);
		date_field(c, day);
		pgcopy_rawf(c, "%.2f", amt);
		pgcopy_rawf(c, "%.2f", margin);
		pgcopy_endrow(c);
	}
}

int
gen_revenue(struct gen *g)
{
	struct pgcopy c;
	struct buyer b;
	struct shares sh = { 0 };
	int32_t day;

	for (long a = 1; a <= g->o.accounts; a++) {
		if (buyer_start(g, a, &b) != 0)
			continue;
		while ((day = buyer_next(&b)) >= 0) {
			sh.purchases += 1;
			sh.weight += g->acct[a].value;
		}
	}
	if (sh.purchases == 0 || g->o.revenue_rows == 0)
		return 0;
	sh.thin = (double)g->o.revenue_rows < sh.purchases;
	sh.extra = sh.thin ? 0 : (double)g->o.revenue_rows - sh.purchases;
	if (pgcopy_begin(&c, g->conn, "COPY crmx_native.revenue (account_id, booked_at,"
	    " amount, margin) FROM STDIN") != 0)
		return -1;
	for (long a = 1; a <= g->o.accounts; a++) {
		if (buyer_start(g, a, &b) != 0)
			continue;
		while ((day = buyer_next(&b)) >= 0)
			write_rows(g, &c, a, day, rows_for(&sh, g->acct[a].value, g->o.revenue_rows));
	}
	g->rows_total += c.rows;
	log_info("demo: %.0f purchase days", sh.purchases);
	return pgcopy_finish(&c, "demo: revenue");
}
