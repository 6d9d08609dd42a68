/* The demo's deals: each walks the funnel from rank 1, staying an
 * exponential number of days per rank, then moving on (now and then
 * skipping a rank) or being lost; one still walking at the anchor date is
 * open.  Whether it moves on depends on what moves a real team's deals:
 * the owner's skill, the lead source, whether the account's decision
 * maker is known and reached, whether the step was reviewed, how engaged
 * the buyer is (which also sets how many activities the deal gets) and
 * how long it sat in the rank.  Writes the deals, their stage history,
 * their reviews (the four questions) and the activities. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "demo.h"
#include "pgcopy.h"

static const char *const industries[] = {
	"Manufacturing", "Retail", "Logistics", "Healthcare", "Software",
	"Education", "Energy", "Food & Beverage", "Construction", "Finance",
};
static const char *const sources[] = {
	"referral", "website", "event", "cold call", "partner",
};
/* Each source's share of deals and its effect on the odds (logit). */
static const double source_share[] = { 0.2, 0.3, 0.15, 0.2, 0.15 };
static const double source_effect[] = { 0.6, -0.1, 0.1, -0.6, 0.3 };
static const char *const lost_reasons[] = {
	"price", "competitor", "no budget", "no decision maker reached",
	"timing", "no real need",
};
static const char *const stage_names[] = {
	"", "qualified", "judged", "designed", "consensus", "negotiation",
};
/* Chance of moving on from rank k (index k) rather than being lost there,
 * for an average deal; at rank 5 it is the chance of winning. */
static const double p_advance[] = { 0, 0.70, 0.65, 0.72, 0.80, 0.62 };
/* Mean days spent in rank k. */
static const double mean_days[] = { 0, 9, 14, 18, 12, 10 };

static double
logistic(double x)
{
	return 1 / (1 + exp(-x));
}

static uint32_t
pick_source(struct rng *r)
{
	double u = unif(r);
	for (uint32_t i = 0; i < N_OF(source_share) - 1; i++) {
		if ((u -= source_share[i]) < 0)
			return i;
	}
	return N_OF(source_share) - 1;
}

/* What a deal brings to every step, on the logit scale. */
static double
deal_odds(struct gen *g, struct deal *d)
{
	const struct acct_info *ai = &g->acct[d->acct];
	double e = 0.7 * normal(&g->r);
	d->engage = exp(e);
	return g->reps[ai->rep].skill + source_effect[d->src] + 0.6 * e +
	       (!ai->has_dm ? -0.7 : ai->dm_reached ? 0.5 : -0.2);
}

/* One step: the days spent in the current rank, and whether the deal
 * then moves on.  Returns 1 to move on, 0 lost, -1 still there today. */
static int
deal_step(struct gen *g, struct deal *d, double odds, int64_t *t, int64_t today)
{
	const struct user_info *rep = &g->reps[g->acct[d->acct].rep];
	int k = d->rank;
	double days = 0.5 + expo(&g->r, mean_days[k] * lognormal(&g->r, 0, 0.4));
	int reviewed = chance(&g->r, rep->diligence);
	if (reviewed)
		d->reviewed |= (uint8_t)(1u << k);
	if (*t + (int64_t)(86400 * days) > today)
		return -1;
	*t += (int64_t)(86400 * days);
	double stall = days / mean_days[k] - 1;
	double x = log(p_advance[k] / (1 - p_advance[k])) + odds + (reviewed ? 0.5 : -0.3) -
	           0.6 * (stall > 3 ? 3 : stall);
	return chance(&g->r, logistic(x));
}

static void
deal_walk(struct gen *g, struct deal *d)
{
	int64_t today = day_to_ts(g->o.anchor) + 18 * 3600;
	d->acct = 1 + (long)pick(&g->r, (uint32_t)g->o.accounts);
	/* Over two years, growing: twice as many new deals a week now as a
	 * year ago (an exponential density, no spike at the anchor). */
	double ago = -365.0 / M_LN2 * log(1 - unif(&g->r) * 0.75);
	d->created = day_to_ts(g->o.anchor - (int32_t)ago) + 3600 * (1 + (int64_t)pick(&g->r, 9));
	if (d->created < g->acct[d->acct].created)
		d->created = g->acct[d->acct].created + 3600;
	double v = g->acct[d->acct].value > 0 ? g->acct[d->acct].value : 0.5;
	d->amount = floor(20000.0 * sqrt(v) * lognormal(&g->r, 0, 0.6) / 100.0) * 100.0 + 500.0;
	d->src = (uint8_t)pick_source(&g->r);
	double odds = deal_odds(g, d);
	int64_t t = d->created;
	d->rank = 1;
	d->entered[1] = t;
	for (;;) {
		int step = deal_step(g, d, odds, &t, today);
		if (step < 0)
			break;
		if (step == 0) {
			d->lost = 1;
			break;
		}
		if (d->rank == 5) {
			d->won = 1;
			break;
		}
		d->rank += (d->rank <= 3 && chance(&g->r, 0.06)) ? 2 : 1;
		d->entered[d->rank] = t;
	}
	d->end = (d->won || d->lost) ? t : today;
	const struct acct_info *ai = &g->acct[d->acct];
	d->why = (uint8_t)((!ai->dm_reached && chance(&g->r, 0.5)) ? 3 : pick(&g->r, N_OF(lost_reasons)));
	/* The close date the rep expected: for an open deal 10-70 days after
	 * its last stage change; a closed deal keeps the date that was
	 * expected, which mostly slipped (45 days before to 15 after the
	 * actual close), so that runs back-dated by `make run` forecast from
	 * what was expected, not from what happened. */
	int32_t spread = (int32_t)pick(&g->r, 60);
	d->exp_close = (d->won || d->lost) ? (int32_t)(d->end / 86400) + 15 - spread :
	               (int32_t)(d->entered[d->rank] / 86400) + 10 + spread;
	if (d->exp_close < (int32_t)(d->created / 86400))
		d->exp_close = (int32_t)(d->created / 86400);
}

static void
write_deal(struct pgcopy *c, const struct gen *g, long o, const struct deal *d)
{
	char name[96];
	snprintf(name, sizeof name, "%s #%ld", industries[o % (long)N_OF(industries)], o);
	pgcopy_rawf(c, "%ld", o);
	pgcopy_rawf(c, "%ld", d->acct);
	pgcopy_rawf(c, "%lld", (long long)g->reps[g->acct[d->acct].rep].id);
	pgcopy_text(c, name);
	pgcopy_text(c, sources[d->src]);
	pgcopy_text(c, d->won ? "won" : d->lost ? "lost" : stage_names[d->rank]);
	pgcopy_rawf(c, "%.2f", d->amount);
	pgcopy_text(c, NULL);	/* the stage's probability */
	ts_field(c, d->created);
	ts_field(c, d->entered[d->rank]);
	date_field(c, d->exp_close);
	if (d->won || d->lost)
		ts_field(c, d->end);
	else
		pgcopy_text(c, NULL);
	pgcopy_text(c, d->lost ? lost_reasons[d->why] : NULL);
	pgcopy_endrow(c);
}

static int
write_history(struct gen *g)
{
	struct pgcopy h;
	if (pgcopy_begin(&h, g->conn, "COPY crmx_native.stage_history"
	    " (opportunity_id, stage_rank, entered_at) FROM STDIN") != 0)
		return -1;
	for (long o = 1; o <= g->o.opportunities; o++) {
		for (int k = 1; k <= 5; k++) {
			if (g->deals[o].entered[k] == 0)
				continue;
			pgcopy_rawf(&h, "%ld", o);
			pgcopy_rawf(&h, "%d", k);
			ts_field(&h, g->deals[o].entered[k]);
			pgcopy_endrow(&h);
		}
	}
	g->rows_total += h.rows;
	return pgcopy_finish(&h, "demo: stage history");
}

/* ---- reviews: the four questions of a deal review ---- */

static const char *const evidence[][2] = {
	{ "the customer confirmed the need in writing", "客户书面确认了需求" },
	{ "budget line seen in their plan", "看到了对方预算中的这一项" },
	{ "the engineers accepted our design", "对方工程师认可了方案" },
	{ "purchasing asked for the contract draft", "采购部要了合同草稿" },
	{ "the decision maker attended the demo", "决策人参加了演示" },
};
static const char *const actions[][2] = {
	{ "site visit with our engineer", "带工程师上门拜访" },
	{ "send the reference case", "发送参考案例" },
	{ "meet the decision maker", "约见决策人" },
	{ "price proposal", "提交报价" },
	{ "trial installation", "试装" },
};
static const char *const plans[][2] = {
	{ "agreement on the design within two weeks", "两周内确定方案" },
	{ "budget approved this quarter", "本季度批预算" },
	{ "signature before month end", "月底前签约" },
	{ "all stakeholders on board by the next meeting", "下次会议前各方达成一致" },
};

static void
write_review(struct pgcopy *c, struct gen *g, long o, int k, int64_t at)
{
	char login[32];
	int zh = o % 3 == 0;
	rep_login(g, g->acct[g->deals[o].acct].rep, login, sizeof login);
	pgcopy_rawf(c, "%ld", o);
	pgcopy_text(c, stage_names[k]);
	pgcopy_text(c, evidence[pick(&g->r, N_OF(evidence))][zh]);
	pgcopy_text(c, actions[pick(&g->r, N_OF(actions))][zh]);
	pgcopy_text(c, plans[pick(&g->r, N_OF(plans))][zh]);
	pgcopy_text(c, login);
	ts_field(c, at);
	pgcopy_endrow(c);
}

/* A review a few days into each step the owner reviewed, before the deal
 * left it. */
static int
write_reviews(struct gen *g)
{
	struct pgcopy c;
	if (pgcopy_begin(&c, g->conn, "COPY crmx.deal_review (opportunity_id, step_completed,"
	    " evidence, action, plan, created_by, created_at) FROM STDIN") != 0)
		return -1;
	for (long o = 1; o <= g->o.opportunities; o++) {
		const struct deal *d = &g->deals[o];
		for (int k = 1; k <= d->rank; k++) {
			if (d->entered[k] == 0 || !(d->reviewed & (1u << k)))
				continue;
			int64_t next = d->end;
			for (int j = k + 1; j <= d->rank; j++)
				if (d->entered[j]) { next = d->entered[j]; break; }
			int64_t span = next - d->entered[k];
			if (span > 10 * 86400)
				span = 10 * 86400;
			write_review(&c, g, o, k, d->entered[k] + (int64_t)(unif(&g->r) * (double)span));
		}
	}
	g->rows_total += c.rows;
	return pgcopy_finish(&c, "demo: reviews");
}

int
gen_deals(struct gen *g)
{
	struct pgcopy c;
	g->deals = calloc((size_t)g->o.opportunities + 1, sizeof *g->deals);
	if (g->deals == NULL)
		return -1;
	if (pgcopy_begin(&c, g->conn, "COPY crmx_native.opportunities"
	    " (opportunity_id, account_id, owner_id, name, source, stage, amount,"
	    " probability, created_at, stage_entered_at, expected_close, closed_at,"
	    " lost_reason) FROM STDIN") != 0)
		return -1;
	for (long o = 1; o <= g->o.opportunities; o++) {
		deal_walk(g, &g->deals[o]);
		write_deal(&c, g, o, &g->deals[o]);
	}
	g->rows_total += c.rows;
	if (pgcopy_finish(&c, "demo: opportunities") != 0)
		return -1;
	return write_history(g) || write_reviews(g) ? -1 : 0;
}

/* ---- activities ---- */

static const struct { const char *kind; int lo, hi; } kinds[] = {
	{ "visit", 45, 180 }, { "call", 5, 45 }, { "meeting", 30, 120 }, { "email", 5, 15 },
};

static void
write_activity(struct pgcopy *c, struct gen *g, long id, long a, long o, int64_t at)
{
	uint32_t k = pick(&g->r, N_OF(kinds));
	pgcopy_rawf(c, "%ld", id);
	pgcopy_rawf(c, "%ld", a);
	if (o > 0)
		pgcopy_rawf(c, "%ld", o);
	else
		pgcopy_text(c, NULL);
	pgcopy_rawf(c, "%lld", (long long)g->reps[g->acct[a].rep].id);
	pgcopy_text(c, kinds[k].kind);
	ts_field(c, at);
	pgcopy_rawf(c, "%d", kinds[k].lo + (int)pick(&g->r, (uint32_t)(kinds[k].hi - kinds[k].lo)));
	pgcopy_endrow(c);
}

/* Three quarters of the activities belong to deals, shared out by the
 * deal's length times the buyer's engagement (exactly the requested
 * number in all); the rest are account visits and calls of the last year. */
int
gen_activities(struct gen *g)
{
	struct pgcopy c;
	double w = 0, cum = 0;
	long id = 0, n_deal = g->o.opportunities > 0 ? g->o.activities * 3 / 4 : 0;
	for (long o = 1; o <= g->o.opportunities; o++)
		w += g->deals[o].engage * (double)(g->deals[o].end - g->deals[o].created + 86400);
	if (pgcopy_begin(&c, g->conn, "COPY crmx_native.activities (activity_id, account_id,"
	    " opportunity_id, owner_id, kind, started_at, minutes) FROM STDIN") != 0)
		return -1;
	for (long o = 1; o <= g->o.opportunities && w > 0; o++) {
		const struct deal *d = &g->deals[o];
		cum += d->engage * (double)(d->end - d->created + 86400);
		long upto = (long)llround(cum / w * (double)n_deal);
		for (; id < upto; id++) {
			int64_t at = d->created + (int64_t)(unif(&g->r) * (double)(d->end - d->created));
			write_activity(&c, g, id + 1, d->acct, o, office_time(g, (int32_t)(at / 86400)));
		}
	}
	for (; id < g->o.activities; id++) {
		long a = 1 + (long)pick(&g->r, (uint32_t)g->o.accounts);
		write_activity(&c, g, id + 1, a, 0, office_time(g, g->o.anchor - (int32_t)pick(&g->r, 365)));
	}
	g->rows_total += c.rows;
	return pgcopy_finish(&c, "demo: activities");
}
