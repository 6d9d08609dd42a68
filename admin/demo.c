/* The demo data generator: a plausible sales organisation, deterministic
 * from a seed and an anchor date, written straight into the native tables
 * with COPY so that a million accounts take minutes, not hours.
 *
 * The shape the method needs: owners in teams by region; contacts with
 * purchase roles (some accounts lack a decision maker); deals moving
 * through the five funnel ranks with drop-off, skipped ranks, won/lost
 * outcomes and lost reasons; revenue whose concentration is Pareto-like
 * (about 20% of accounts bring 65-75% of it); visits and calls. */
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "admin.h"
#include "app.h"
#include "clock.h"
#include "date.h"
#include "db.h"
#include "log.h"
#include "pgcopy.h"
#include "util.h"

/* ---- deterministic random numbers: xoshiro256** seeded by splitmix64 ---- */

struct rng { uint64_t s[4]; };

static uint64_t
splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void
rng_seed(struct rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

static uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t
rng_next(struct rng *r)
{
	uint64_t *s = r->s;
	const uint64_t result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
	s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

/* Uniform in (0, 1). */
static double
unif(struct rng *r)
{
	return ((double)(rng_next(r) >> 11) + 0.5) * 0x1.0p-53;
}

static uint32_t
pick(struct rng *r, uint32_t n)
{
	return (uint32_t)(unif(r) * n);
}

static double
normal(struct rng *r)
{
	return sqrt(-2.0 * log(unif(r))) * cos(2.0 * M_PI * unif(r));
}

static double
lognormal(struct rng *r, double mu, double sigma)
{
	return exp(mu + sigma * normal(r));
}

static int
chance(struct rng *r, double p)
{
	return unif(r) < p;
}

/* ---- vocabulary ---- */

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

struct place { const char *region, *city, *city_zh; };
static const struct place places[] = {
	{ "East", "Shanghai", "上海" }, { "East", "Hangzhou", "杭州" },
	{ "East", "Nanjing", "南京" }, { "East", "Suzhou", "苏州" },
	{ "North", "Beijing", "北京" }, { "North", "Tianjin", "天津" },
	{ "North", "Jinan", "济南" }, { "South", "Guangzhou", "广州" },
	{ "South", "Shenzhen", "深圳" }, { "South", "Xiamen", "厦门" },
	{ "West", "Chengdu", "成都" }, { "West", "Chongqing", "重庆" },
	{ "West", "Xi'an", "西安" }, { "Central", "Wuhan", "武汉" },
	{ "Central", "Changsha", "长沙" }, { "Central", "Zhengzhou", "郑州" },
};
static const char *const regions[] = { "East", "North", "South", "West", "Central" };
static const char *const industries[] = {
	"Manufacturing", "Retail", "Logistics", "Healthcare", "Software",
	"Education", "Energy", "Food & Beverage", "Construction", "Finance",
};
static const char *const industries_zh[] = {
	"机械", "商贸", "物流", "医疗", "软件", "教育", "能源", "食品", "建设", "金融",
};
static const char *const name_a[] = {
	"Northwind", "Blue Harbor", "Silverline", "Redwood", "Golden Gate", "Evergreen",
	"Summit", "Pioneer", "Crescent", "Lakeside", "Ironbridge", "Brightstar",
	"Oakmont", "Westfield", "Highland", "Riverbend", "Stonegate", "Clearwater",
};
static const char *const name_b[] = {
	"Industries", "Trading", "Systems", "Group", "Partners", "Holdings",
	"Technologies", "Supplies", "Works", "Solutions",
};
static const char *const brand_zh[] = {
	"华腾", "金达", "宏远", "鑫源", "恒信", "瑞丰", "海川", "天成", "中科",
	"东方", "新纪元", "博远", "长盛", "盛世", "永泰", "嘉禾",
};
static const char *const first_en[] = {
	"James", "Mary", "Robert", "Linda", "Michael", "Sarah", "David", "Emma",
	"Daniel", "Olivia", "Thomas", "Sophie", "Peter", "Grace", "Mark", "Alice",
};
static const char *const last_en[] = {
	"Smith", "Johnson", "Brown", "Taylor", "Wilson", "Clark", "Walker", "Hall",
	"Young", "King", "Wright", "Green", "Baker", "Adams", "Turner", "Hughes",
};
static const char *const surname_zh[] = {
	"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱",
};
static const char *const given_zh[] = {
	"伟", "芳", "娜", "敏", "静", "强", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛",
	"明", "超", "秀英", "建华", "志强", "晓东", "海燕", "丽华",
};
static const char *const titles[] = {
	"CEO", "CFO", "Purchasing Manager", "IT Director", "Engineer",
	"Operations Manager", "总经理", "采购经理", "技术总监", "财务总监",
};
static const char *const roles[] = {
	"recommender", "user", "influencer", "insider",
};
static const char *const sources[] = {
	"referral", "website", "event", "cold call", "partner",
};
static const char *const lost_reasons[] = {
	"price", "competitor", "no budget", "no decision maker reached",
	"timing", "no real need",
};
static const char *const stage_names[] = {
	"", "qualified", "judged", "designed", "consensus", "negotiation",
};
/* Chance of moving on from rank k (index k) rather than being lost there;
 * at rank 5 it is the chance of winning. */
static const double p_advance[] = { 0, 0.70, 0.65, 0.72, 0.80, 0.62 };
/* Mean days spent in rank k. */
static const double mean_days[] = { 0, 9, 14, 18, 12, 10 };

/* ---- generation ---- */

struct demo_opts {
	long	 accounts, opportunities, revenue_rows, activities;
	uint64_t seed;
	int32_t	 anchor;		/* day number: "today" of the data */
	int	 force;
};

struct user_info { int64_t id; int region; int team; };

struct gen {
	struct demo_opts	 o;
	struct rng		 r;
	PGconn			*conn;
	long			 n_reps, n_teams;
	struct user_info	*reps;
	int64_t			*acct_owner;
	int64_t			*acct_created;	/* epoch seconds */
	double			*acct_value;	/* size factor, 0 for prospects */
	int64_t			*acct_first_opp;
	int64_t			 rows_total;
};

static int64_t
day_to_ts(int32_t day)
{
	return (int64_t)day * 86400;
}

/* A time of day in office hours. */
static int64_t
office_time(struct gen *g, int32_t day)
{
	return day_to_ts(day) + 3600 * (1 + (int64_t)pick(&g->r, 9)) + 60 * (int64_t)pick(&g->r, 60);
}

static void
ts_field(struct pgcopy *c, int64_t ts)
{
	char buf[32];
	format_timestamp(ts, buf, sizeof buf);
	pgcopy_rawf(c, "%s", buf);
}

static void
date_field(struct pgcopy *c, int32_t day)
{
	char buf[16];
	format_date(day, buf, sizeof buf);
	pgcopy_rawf(c, "%s", buf);
}

static void
person_name(struct gen *g, int chinese, char *buf, size_t len)
{
	if (chinese)
		snprintf(buf, len, "%s%s", surname_zh[pick(&g->r, N_OF(surname_zh))],
		         given_zh[pick(&g->r, N_OF(given_zh))]);
	else
		snprintf(buf, len, "%s %s", first_en[pick(&g->r, N_OF(first_en))],
		         last_en[pick(&g->r, N_OF(last_en))]);
}

static int
gen_users(struct gen *g)
{
	struct pgcopy c;
	char name[64], login[32], team[32];
	g->n_reps = g->o.accounts / 50;
	if (g->n_reps < 6) g->n_reps = 6;
	if (g->n_reps > 1000) g->n_reps = 1000;
	g->n_teams = (g->n_reps + 5) / 6;
	g->reps = xcalloc((size_t)g->n_reps, sizeof *g->reps);

	if (pgcopy_begin(&c, g->conn,
	    "COPY crmx_native.users (user_id, login, name, team, role) FROM STDIN") != 0)
		return -1;
	int64_t id = 1;
	/* Fixed logins first, so that the README can name them. */
	static const char *const fixed[][3] = {
		{ "admin", "Ada Admin", "admin" }, { "exec", "Evelyn Exec", "exec" },
		{ "exec2", "周总", "exec" },
	};
	for (size_t i = 0; i < N_OF(fixed); i++) {
		pgcopy_rawf(&c, "%lld", (long long)id++);
		pgcopy_text(&c, fixed[i][0]);
		pgcopy_text(&c, fixed[i][1]);
		pgcopy_text(&c, NULL);
		pgcopy_text(&c, fixed[i][2]);
		pgcopy_endrow(&c);
	}
	for (long t = 0; t < g->n_teams; t++) {
		snprintf(team, sizeof team, "%s %ld", regions[t % N_OF(regions)], t / (long)N_OF(regions) + 1);
		snprintf(login, sizeof login, "manager%ld", t + 1);
		person_name(g, t % 2, name, sizeof name);
		pgcopy_rawf(&c, "%lld", (long long)id++);
		pgcopy_text(&c, login);
		pgcopy_text(&c, name);
		pgcopy_text(&c, team);
		pgcopy_text(&c, "manager");
		pgcopy_endrow(&c);
	}
	for (long i = 0; i < g->n_reps; i++) {
		long t = i % g->n_teams;
		snprintf(team, sizeof team, "%s %ld", regions[t % N_OF(regions)], t / (long)N_OF(regions) + 1);
		snprintf(login, sizeof login, "rep%ld", i + 1);
		person_name(g, i % 3 != 0, name, sizeof name);
		g->reps[i].id = id;
		g->reps[i].team = (int)t;
		g->reps[i].region = (int)(t % N_OF(regions));
		pgcopy_rawf(&c, "%lld", (long long)id++);
		pgcopy_text(&c, login);
		pgcopy_text(&c, name);
		pgcopy_text(&c, team);
		pgcopy_text(&c, "rep");
		pgcopy_endrow(&c);
	}
	return pgcopy_finish(&c, "demo: users");
}

static int
gen_accounts_contacts(struct gen *g)
{
	struct pgcopy c;
	long n = g->o.accounts;
	char name[160], person[64];
	g->acct_owner = xcalloc((size_t)n + 1, sizeof *g->acct_owner);
	g->acct_created = xcalloc((size_t)n + 1, sizeof *g->acct_created);
	g->acct_value = xcalloc((size_t)n + 1, sizeof *g->acct_value);
	g->acct_first_opp = xcalloc((size_t)n + 1, sizeof *g->acct_first_opp);

	if (pgcopy_begin(&c, g->conn, "COPY crmx_native.accounts (account_id, name, owner_id,"
	    " region, city, industry, created_at) FROM STDIN") != 0)
		return -1;
	for (long a = 1; a <= n; a++) {
		const struct user_info *rep = &g->reps[pick(&g->r, (uint32_t)g->n_reps)];
		/* Cities of the owner's region, so that a team's map makes sense. */
		const struct place *pl;
		do
			pl = &places[pick(&g->r, N_OF(places))];
		while (strcmp(pl->region, regions[rep->region]) != 0);
		int ind = (int)pick(&g->r, N_OF(industries));
		if (a == 7)	/* one hostile name, so every page shows it escaped */
			snprintf(name, sizeof name, "<script>alert(1)</script> & Sons \"Ltd\"");
		else if (chance(&g->r, 0.4))
			snprintf(name, sizeof name, "%s%s%s有限公司", pl->city_zh,
			         brand_zh[pick(&g->r, N_OF(brand_zh))], industries_zh[ind]);
		else
			snprintf(name, sizeof name, "%s %s", name_a[pick(&g->r, N_OF(name_a))],
			         name_b[pick(&g->r, N_OF(name_b))]);
		int32_t created = g->o.anchor - 30 - (int32_t)pick(&g->r, 4 * 365);
		g->acct_owner[a] = rep->id;
		g->acct_created[a] = office_time(g, created);
		g->acct_value[a] = chance(&g->r, 0.78) ? lognormal(&g->r, 0, 1.1) : 0;
		pgcopy_rawf(&c, "%ld", a);
		pgcopy_text(&c, name);
		pgcopy_rawf(&c, "%lld", (long long)rep->id);
		pgcopy_text(&c, pl->region);
		pgcopy_text(&c, pl->city);
		pgcopy_text(&c, industries[ind]);
		ts_field(&c, g->acct_created[a]);
		pgcopy_endrow(&c);
	}
	if (pgcopy_finish(&c, "demo: accounts") != 0)
		return -1;

	if (pgcopy_begin(&c, g->conn, "COPY crmx_native.contacts (contact_id, account_id,"
	    " name, title, purchase_role) FROM STDIN") != 0)
		return -1;
	int64_t cid = 1;
	for (long a = 1; a <= n; a++) {
		int k = 1 + (int)pick(&g->r, 4);
		int has_dm = chance(&g->r, 0.72);
		for (int i = 0; i < k; i++) {
			person_name(g, chance(&g->r, 0.45), person, sizeof person);
			const char *role = NULL;
			if (i == 0 && has_dm)
				role = "decision_maker";
			else if (chance(&g->r, 0.8))
				role = roles[pick(&g->r, N_OF(roles))];
			pgcopy_rawf(&c, "%lld", (long long)cid++);
			pgcopy_rawf(&c, "%ld", a);
			pgcopy_text(&c, person);
			pgcopy_text(&c, titles[pick(&g->r, N_OF(titles))]);
			pgcopy_text(&c, role);
			pgcopy_endrow(&c);
		}
	}
	g->rows_total += c.rows;
	return pgcopy_finish(&c, "demo: contacts");
}

/* Deals and their stage history: each deal walks the funnel from rank 1,
 * staying an exponential number of days per rank, moving on, skipping a
 * rank now and then, or being lost; one still walking at the anchor date
 * is open. */
static int
gen_opportunities(struct gen *g)
{
	struct pgcopy c, h;
	long n = g->o.opportunities;
	int64_t anchor_ts = day_to_ts(g->o.anchor) + 18 * 3600;
	char name[96];

	/* A connection runs one COPY at a time: write the deals, then replay
	 * the same walk from the same seed for their stage history. */
	uint64_t walk_seed = g->o.seed ^ 0x5eedf00dULL;
	for (int pass = 0; pass < 2; pass++) {
		struct rng w;
		rng_seed(&w, walk_seed);
		struct pgcopy *out = pass == 0 ? &c : &h;
		if (pass == 0 ? pgcopy_begin(&c, g->conn, "COPY crmx_native.opportunities"
		        " (opportunity_id, account_id, owner_id, name, source, stage, amount,"
		        " probability, created_at, stage_entered_at, expected_close, closed_at,"
		        " lost_reason) FROM STDIN")
		    : pgcopy_begin(&h, g->conn, "COPY crmx_native.stage_history"
		        " (opportunity_id, stage_rank, entered_at) FROM STDIN"))
			return -1;
		for (long o = 1; o <= n; o++) {
			long a = 1 + (long)(unif(&w) * (double)g->o.accounts);
			if (a > g->o.accounts)
				a = g->o.accounts;
			if (pass == 0 && g->acct_first_opp[a] == 0)
				g->acct_first_opp[a] = o;
			/* Skewed to recent dates, as a growing pipeline is. */
			double u = unif(&w);
			int64_t created = day_to_ts(g->o.anchor - (int32_t)(u * u * 730)) +
			                  3600 * (1 + (int64_t)(unif(&w) * 9));
			if (created < g->acct_created[a])
				created = g->acct_created[a] + 3600;
			double v = g->acct_value[a] > 0 ? g->acct_value[a] : 0.5;
			double amount = floor(20000.0 * sqrt(v) * exp(0.6 * (sqrt(-2.0 * log(unif(&w))) *
			                cos(2.0 * M_PI * unif(&w)))) / 100.0) * 100.0 + 500.0;
			int rank = 1, won = 0, lost = 0;
			int64_t t = created, entered = created;
			if (pass == 1) {
				pgcopy_rawf(out, "%ld", o);
				pgcopy_rawf(out, "1");
				ts_field(out, t);
				pgcopy_endrow(out);
			}
			for (;;) {
				int64_t next = t + (int64_t)(86400.0 * (0.5 + -mean_days[rank] * log(unif(&w))));
				u = unif(&w);
				if (next > anchor_ts)
					break;	/* still in this rank today: open */
				t = next;
				if (u >= p_advance[rank]) {
					lost = 1;
					break;
				}
				if (rank == 5) {
					won = 1;
					break;
				}
				int step = (rank <= 3 && unif(&w) < 0.06) ? 2 : 1;
				rank += step;
				entered = t;
				if (pass == 1) {
					pgcopy_rawf(out, "%ld", o);
					pgcopy_rawf(out, "%d", rank);
					ts_field(out, t);
					pgcopy_endrow(out);
				}
			}
			uint32_t src = (uint32_t)(unif(&w) * N_OF(sources));
			uint32_t why = (uint32_t)(unif(&w) * N_OF(lost_reasons));
			int32_t exp_close = (int32_t)(entered / 86400) + 10 + (int32_t)(unif(&w) * 60);
			if (pass == 1)
				continue;
			snprintf(name, sizeof name, "%s #%ld", industries[o % N_OF(industries)], o);
			pgcopy_rawf(out, "%ld", o);
			pgcopy_rawf(out, "%ld", a);
			pgcopy_rawf(out, "%lld", (long long)g->acct_owner[a]);
			pgcopy_text(out, name);
			pgcopy_text(out, sources[src]);
			pgcopy_text(out, won ? "won" : lost ? "lost" : stage_names[rank]);
			pgcopy_rawf(out, "%.2f", amount);
			pgcopy_text(out, NULL);	/* the stage's probability */
			ts_field(out, created);
			ts_field(out, entered);
			date_field(out, (won || lost) ? (int32_t)(t / 86400) : exp_close);
			if (won || lost)
				ts_field(out, t);
			else
				pgcopy_text(out, NULL);
			pgcopy_text(out, lost ? lost_reasons[why] : NULL);
			pgcopy_endrow(out);
		}
		g->rows_total += out->rows;
		if (pgcopy_finish(out, pass == 0 ? "demo: opportunities" : "demo: stage history") != 0)
			return -1;
	}
	return 0;
}

/* Revenue: rows are shared out in proportion to each account's size
 * (lognormal), by a cumulative rounding that gives exactly the requested
 * number of rows; each row's amount grows with the size too.  About 3% of
 * rows are credits. */
static int
gen_revenue(struct gen *g)
{
	struct pgcopy c;
	long n = g->o.accounts;
	double total_w = 0;
	for (long a = 1; a <= n; a++)
		total_w += g->acct_value[a];
	if (total_w <= 0)
		return 0;
	if (pgcopy_begin(&c, g->conn, "COPY crmx_native.revenue (account_id, booked_at,"
	    " amount, margin) FROM STDIN") != 0)
		return -1;
	double cum = 0;
	int64_t given = 0;
	for (long a = 1; a <= n; a++) {
		if (g->acct_value[a] <= 0)
			continue;
		cum += g->acct_value[a];
		int64_t upto = (int64_t)llround(cum / total_w * (double)g->o.revenue_rows);
		int64_t k = upto - given;
		given = upto;
		int32_t first = (int32_t)(g->acct_created[a] / 86400) + 1;
		int32_t span = g->o.anchor - first;
		if (span < 1)
			span = 1;
		double typical = 1500.0 * pow(g->acct_value[a], 0.3);
		for (int64_t i = 0; i < k; i++) {
			int32_t day = first + (int32_t)pick(&g->r, (uint32_t)span);
			double amt = round(typical * lognormal(&g->r, 0, 0.5) * 100.0) / 100.0;
			if (chance(&g->r, 0.03))
				amt = -round(amt * 0.5 * 100.0) / 100.0;
			double margin = round(amt * (0.2 + 0.25 * unif(&g->r)) * 100.0) / 100.0;
			pgcopy_rawf(&c, "%ld", a);
			date_field(&c, day);
			pgcopy_rawf(&c, "%.2f", amt);
			pgcopy_rawf(&c, "%.2f", margin);
			pgcopy_endrow(&c);
		}
	}
	g->rows_total += c.rows;
	return pgcopy_finish(&c, "demo: revenue");
}

static int
gen_activities(struct gen *g)
{
	struct pgcopy c;
	static const struct { const char *kind; int lo, hi; } kinds[] = {
		{ "visit", 45, 180 }, { "call", 5, 45 }, { "meeting", 30, 120 }, { "email", 5, 15 },
	};
	if (pgcopy_begin(&c, g->conn, "COPY crmx_native.activities (activity_id, account_id,"
	    " opportunity_id, owner_id, kind, started_at, minutes) FROM STDIN") != 0)
		return -1;
	for (long i = 1; i <= g->o.activities; i++) {
		long a = 1 + (long)pick(&g->r, (uint32_t)g->o.accounts);
		uint32_t k = pick(&g->r, N_OF(kinds));
		int32_t day = g->o.anchor - (int32_t)pick(&g->r, 365);
		pgcopy_rawf(&c, "%ld", i);
		pgcopy_rawf(&c, "%ld", a);
		if (g->acct_first_opp[a] && chance(&g->r, 0.7))
			pgcopy_rawf(&c, "%lld", (long long)g->acct_first_opp[a]);
		else
			pgcopy_text(&c, NULL);
		pgcopy_rawf(&c, "%lld", (long long)g->acct_owner[a]);
		pgcopy_text(&c, kinds[k].kind);
		ts_field(&c, office_time(g, day));
		pgcopy_rawf(&c, "%d", kinds[k].lo + (int)pick(&g->r, (uint32_t)(kinds[k].hi - kinds[k].lo)));
		pgcopy_endrow(&c);
	}
	g->rows_total += c.rows;
	return pgcopy_finish(&c, "demo: activities");
}

/* The plugin's own qualification records for about 60% of accounts. */
static int
gen_qualification(struct gen *g)
{
	struct pgcopy c;
	static const char *const burning[] = {
		"line stoppage costs", "audit deadline", "capacity shortfall",
		"new plant opening", "迫在眉睫的交付压力", NULL,
	};
	if (pgcopy_begin(&c, g->conn, "COPY crmx.qualification (account_id, has_need,"
	    " can_pay, has_authority, burning_issue, updated_by, updated_at) FROM STDIN") != 0)
		return -1;
	for (long a = 1; a <= g->o.accounts; a++) {
		if (!chance(&g->r, 0.6))
			continue;
		pgcopy_rawf(&c, "%ld", a);
		pgcopy_rawf(&c, "%s", chance(&g->r, 0.75) ? "t" : "f");
		pgcopy_rawf(&c, "%s", chance(&g->r, 0.7) ? "t" : "f");
		pgcopy_rawf(&c, "%s", chance(&g->r, 0.6) ? "t" : "f");
		pgcopy_text(&c, burning[pick(&g->r, N_OF(burning))]);
		pgcopy_text(&c, "demo");
		ts_field(&c, office_time(g, g->o.anchor - 1 - (int32_t)pick(&g->r, 200)));
		pgcopy_endrow(&c);
	}
	g->rows_total += c.rows;
	if (pgcopy_finish(&c, "demo: qualification") != 0)
		return -1;
	return db_command_params(g->conn,
	    "INSERT INTO crmx.qualification_history (account_id, has_need, can_pay,"
	    " has_authority, burning_issue, updated_by, updated_at)"
	    " SELECT account_id, has_need, can_pay, has_authority, burning_issue,"
	    " updated_by, updated_at FROM crmx.qualification",
	    0, NULL, "demo: qualification history");
}

static void
demo_usage(FILE *out)
{
	fprintf(out,
	    "usage: crmx-admin demo [--accounts N] [--opportunities N] [--revenue-rows N]\n"
	    "                       [--activities N] [--seed N] [--anchor YYYY-MM-DD] [--force]\n"
	    "  Replaces the native tables' data with a generated sales organisation.\n"
	    "  Defaults: 2000 accounts, as many opportunities, 10 revenue rows and 3\n"
	    "  activities per account, seed 1, anchor today.  The same seed and anchor\n"
	    "  give the same data.  Refuses to overwrite existing data without --force.\n");
}

static int
parse_count(const char *opt, const char *arg, long *out)
{
	int64_t v;
	if (parse_int64(arg, 0, 100000000, &v) != 0) {
		log_error("demo: --%s expects a whole number from 0 to 100000000, got \"%s\"", opt, arg);
		return -1;
	}
	*out = (long)v;
	return 0;
}

int
cmd_demo(struct admin_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "accounts", required_argument, NULL, 'a' },
		{ "opportunities", required_argument, NULL, 'o' },
		{ "revenue-rows", required_argument, NULL, 'r' },
		{ "activities", required_argument, NULL, 't' },
		{ "seed", required_argument, NULL, 's' },
		{ "anchor", required_argument, NULL, 'd' },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct gen g = { .o = { .accounts = 2000, .opportunities = -1, .revenue_rows = -1,
	                        .activities = -1, .seed = 1, .anchor = today_utc() } };
	int ch, rc = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		int64_t v;
		switch (ch) {
		case 'a': if (parse_count("accounts", optarg, &g.o.accounts)) return 2; break;
		case 'o': if (parse_count("opportunities", optarg, &g.o.opportunities)) return 2; break;
		case 'r': if (parse_count("revenue-rows", optarg, &g.o.revenue_rows)) return 2; break;
		case 't': if (parse_count("activities", optarg, &g.o.activities)) return 2; break;
		case 's':
			if (parse_int64(optarg, 0, INT64_MAX, &v) != 0) {
				log_error("demo: --seed expects a whole number, got \"%s\"", optarg);
				return 2;
			}
			g.o.seed = (uint64_t)v;
			break;
		case 'd':
			if (parse_date(optarg, &g.o.anchor) != 0) {
				log_error("demo: --anchor expects a date YYYY-MM-DD, got \"%s\"", optarg);
				return 2;
			}
			break;
		case 'f': g.o.force = 1; break;
		case 'h': demo_usage(stdout); return 0;
		default: return app_bad_option("crmx-admin demo", argv, longopts);
		}
	}
	if (optind < argc || g.o.accounts < 1) {
		demo_usage(stderr);
		return 2;
	}
	if (g.o.opportunities < 0) g.o.opportunities = g.o.accounts;
	if (g.o.revenue_rows < 0) g.o.revenue_rows = 10 * g.o.accounts;
	if (g.o.activities < 0) g.o.activities = 3 * g.o.accounts;
	admin_connect(ctx);
	g.conn = ctx->conn;
	rng_seed(&g.r, g.o.seed);

	double t0 = mono();
	if (db_command(g.conn, "BEGIN") != 0)
		goto out;
	if (!g.o.force) {
		PGresult *res = db_check(g.conn, PQexec(g.conn,
		    "SELECT EXISTS (SELECT 1 FROM crmx_native.accounts)"),
		    PGRES_TUPLES_OK, "demo (has `crmx-admin migrate` run?)");
		if (res == NULL)
			goto rollback;
		int has = PQgetvalue(res, 0, 0)[0] == 't';
		PQclear(res);
		if (has) {
			log_error("demo: the native tables already hold data; --force replaces it");
			rc = 2;
			goto rollback;
		}
	}
	if (db_command(g.conn, "SET LOCAL synchronous_commit = off") != 0 ||
	    db_command(g.conn, "TRUNCATE crmx_native.users, crmx_native.accounts,"
	               " crmx_native.contacts, crmx_native.opportunities,"
	               " crmx_native.stage_history, crmx_native.revenue,"
	               " crmx_native.activities, crmx.qualification,"
	               " crmx.qualification_history, crmx.deal_review,"
	               " crmx.contact_role CASCADE") != 0)
		goto rollback;
	if (gen_users(&g) || gen_accounts_contacts(&g) || gen_opportunities(&g) ||
	    gen_revenue(&g) || gen_activities(&g) || gen_qualification(&g))
		goto rollback;
	char seed[32], anchor[16];
	snprintf(seed, sizeof seed, "%llu", (unsigned long long)g.o.seed);
	format_date(g.o.anchor, anchor, sizeof anchor);
	const char *params[2] = { seed, anchor };
	if (db_command_params(g.conn,
	    "INSERT INTO crmx.settings (key, value) VALUES ('demo', 'seed ' || $1 || ', anchor ' || $2)"
	    " ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()",
	    2, params, "demo: settings") != 0)
		goto rollback;
	if (db_command(g.conn, "COMMIT") != 0)
		goto out;
	/* Fresh statistics: the first report's queries plan on them. */
	db_command(g.conn, "ANALYZE crmx_native.accounts, crmx_native.opportunities,"
	           " crmx_native.stage_history, crmx_native.revenue, crmx_native.activities,"
	           " crmx_native.contacts");
	log_info("demo: %ld accounts, %ld opportunities, %ld revenue rows, %ld activities"
	         " (%lld rows in all) in %.1f s", g.o.accounts, g.o.opportunities,
	         g.o.revenue_rows, g.o.activities, (long long)(g.rows_total + g.o.accounts),
	         mono() - t0);
	rc = 0;
	goto out;
rollback:
	db_command(g.conn, "ROLLBACK");
	log_error("demo: nothing loaded");
out:
	free(g.reps);
	free(g.acct_owner);
	free(g.acct_created);
	free(g.acct_value);
	free(g.acct_first_opp);
	return rc;
}
