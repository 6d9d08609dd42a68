/* The demo data generator's command and its people: `crmx-admin demo`
 * writes a plausible sales organisation, deterministic from a seed and an
 * anchor date, straight into the native tables with COPY so that a
 * million accounts take minutes, not hours.
 *
 * The shape the method needs: owners in teams by region, of differing
 * skill and diligence; accounts with distinct names and contacts with
 * purchase roles (some accounts lack a decision maker, some decision
 * makers are not reached yet); qualification records that mostly agree
 * with the contacts; deals whose outcomes depend on what they would in a
 * real team (demo_deals.c); customers that buy till they die
 * (demo_buy.c), whose revenue is Pareto-like; visits and calls. */
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
#include "demo.h"
#include "log.h"
#include "pgcopy.h"
#include "util.h"

/* ---- vocabulary ---- */

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
	"Maple", "Falcon", "Cedar", "Harbor Point", "Granite", "Sunrise",
	"Copperfield", "Bluewater", "Kingsway", "Meridian", "Fairview", "Ashford",
	"Greenfield", "Orion", "Beacon", "Windmill", "Northstar", "Seaview",
};
/* Index 0: no middle word. */
static const char *const name_m[] = {
	"", "Pacific", "United", "Precision", "Global", "Advanced", "Allied",
	"Continental", "Digital", "Eastern", "Modern", "Prime", "Standard",
};
static const char *const name_b[] = {
	"Industries", "Trading", "Systems", "Group", "Partners", "Holdings",
	"Technologies", "Supplies", "Works", "Solutions", "Logistics", "Foods",
	"Machinery", "Electronics", "Materials", "Instruments", "Services",
	"Components", "Engineering", "Labs",
};
static const char *const brand_zh[] = {
	"华腾", "金达", "宏远", "鑫源", "恒信", "瑞丰", "海川", "天成", "中科",
	"东方", "新纪元", "博远", "长盛", "盛世", "永泰", "嘉禾", "华信", "正泰",
	"安达", "德盛", "富源", "广汇", "汇通", "锦程", "凯达", "利华", "明远",
	"同创", "万通", "祥和", "远航", "卓越",
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

/* ---- shared helpers (demo.h) ---- */

int64_t
day_to_ts(int32_t day)
{
	return (int64_t)day * 86400;
}

/* A time of day in office hours. */
int64_t
office_time(struct gen *g, int32_t day)
{
	return day_to_ts(day) + 3600 * (1 + (int64_t)pick(&g->r, 9)) + 60 * (int64_t)pick(&g->r, 60);
}

void
ts_field(struct pgcopy *c, int64_t ts)
{
	char buf[32];
	format_timestamp(ts, buf, sizeof buf);
	pgcopy_rawf(c, "%s", buf);
}

void
date_field(struct pgcopy *c, int32_t day)
{
	char buf[16];
	format_date(day, buf, sizeof buf);
	pgcopy_rawf(c, "%s", buf);
}

void
rep_login(const struct gen *g, uint32_t rep, char *buf, size_t len)
{
	(void)g;
	snprintf(buf, len, "rep%lu", (unsigned long)rep + 1);
}

/* ---- people ---- */

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

static void
user_row(struct pgcopy *c, int64_t id, const char *login, const char *name,
    const char *team, const char *role)
{
	pgcopy_rawf(c, "%lld", (long long)id);
	pgcopy_text(c, login);
	pgcopy_text(c, name);
	pgcopy_text(c, team);
	pgcopy_text(c, role);
	pgcopy_endrow(c);
}

static void
team_name(long t, char *buf, size_t len)
{
	snprintf(buf, len, "%s %ld", regions[t % (long)N_OF(regions)], t / (long)N_OF(regions) + 1);
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
	user_row(&c, id++, "admin", "Ada Admin", NULL, "admin");
	user_row(&c, id++, "exec", "Evelyn Exec", NULL, "exec");
	user_row(&c, id++, "exec2", "周总", NULL, "exec");
	for (long t = 0; t < g->n_teams; t++) {
		team_name(t, team, sizeof team);
		snprintf(login, sizeof login, "manager%ld", t + 1);
		person_name(g, t % 2, name, sizeof name);
		user_row(&c, id++, login, name, team, "manager");
	}
	for (long i = 0; i < g->n_reps; i++) {
		long t = i % g->n_teams;
		struct user_info *u = &g->reps[i];
		team_name(t, team, sizeof team);
		rep_login(g, (uint32_t)i, login, sizeof login);
		person_name(g, i % 3 != 0, name, sizeof name);
		u->id = id;
		u->team = (int)t;
		u->region = (int)(t % (long)N_OF(regions));
		u->skill = 0.45 * normal(&g->r);
		u->diligence = 0.15 + 0.75 * unif(&g->r);
		user_row(&c, id++, login, name, team, "rep");
	}
	return pgcopy_finish(&c, "demo: users");
}

/* ---- accounts ---- */

struct namer { long en, zh[N_OF(places)][N_OF(industries_zh)]; };

/* Distinct names: the k-th English name is combination k * P modulo the
 * number of combinations (P prime to it); the k-th Chinese name of a city
 * and industry takes the brand k * 5 modulo the number of brands; past the
 * combinations a number tells them apart. */
static void
account_name(struct namer *nm, size_t place, int chinese, int ind, char *buf, size_t len)
{
	if (chinese) {
		const long nb = N_OF(brand_zh);
		long k = nm->zh[place][ind]++, round = k / nb;
		const char *city = places[place].city_zh, *brand = brand_zh[k * 5 % nb];
		if (round == 0)
			snprintf(buf, len, "%s%s%s有限公司", city, brand, industries_zh[ind]);
		else
			snprintf(buf, len, "%s%s%s%ld厂有限公司", city, brand, industries_zh[ind], round + 1);
		return;
	}
	const long na = N_OF(name_a), nmid = N_OF(name_m), space = na * nmid * (long)N_OF(name_b);
	long k = nm->en++, c = k * 7919 % space, round = k / space;
	const char *a = name_a[c % na], *m = name_m[c / na % nmid], *b = name_b[c / na / nmid];
	int n = snprintf(buf, len, "%s%s%s %s", a, *m ? " " : "", m, b);
	if (round > 0 && n > 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, " %ld", round + 1);
}

static void
account_row(struct gen *g, struct pgcopy *c, struct namer *nm, long a)
{
	char name[160];
	struct acct_info *ai = &g->acct[a];
	ai->rep = pick(&g->r, (uint32_t)g->n_reps);
	const struct user_info *rep = &g->reps[ai->rep];
	/* Cities of the owner's region, so that a team's map makes sense. */
	size_t pl;
	do
		pl = pick(&g->r, N_OF(places));
	while (strcmp(places[pl].region, regions[rep->region]) != 0);
	int ind = (int)pick(&g->r, N_OF(industries));
	int chinese = chance(&g->r, 0.4);
	if (a == 7)	/* one hostile name, so every page shows it escaped */
		snprintf(name, sizeof name, "<script>alert(1)</script> & Sons \"Ltd\"");
	else
		account_name(nm, pl, chinese, ind, name, sizeof name);
	int32_t created = g->o.anchor - 30 - (int32_t)pick(&g->r, 4 * 365);
	ai->created = office_time(g, created);
	ai->value = chance(&g->r, 0.78) ? lognormal(&g->r, 0, 1.1) : 0;
	pgcopy_rawf(c, "%ld", a);
	pgcopy_text(c, name);
	pgcopy_rawf(c, "%lld", (long long)rep->id);
	pgcopy_text(c, places[pl].region);
	pgcopy_text(c, places[pl].city);
	pgcopy_text(c, industries[ind]);
	ts_field(c, ai->created);
	pgcopy_endrow(c);
}

static int
gen_accounts(struct gen *g)
{
	struct pgcopy c;
	struct namer nm = { 0 };
	g->acct = xcalloc((size_t)g->o.accounts + 1, sizeof *g->acct);
	if (pgcopy_begin(&c, g->conn, "COPY crmx_native.accounts (account_id, name, owner_id,"
	    " region, city, industry, created_at) FROM STDIN") != 0)
		return -1;
	for (long a = 1; a <= g->o.accounts; a++)
		account_row(g, &c, &nm, a);
	return pgcopy_finish(&c, "demo: accounts");
}

/* Contacts with purchase roles: about 72% of accounts list a decision
 * maker, of whom about two in three have been reached. */
static int
gen_contacts(struct gen *g)
{
	struct pgcopy c;
	char person[64];
	if (pgcopy_begin(&c, g->conn, "COPY crmx_native.contacts (contact_id, account_id,"
	    " name, title, purchase_role) FROM STDIN") != 0)
		return -1;
	int64_t cid = 1;
	for (long a = 1; a <= g->o.accounts; a++) {
		struct acct_info *ai = &g->acct[a];
		int k = 1 + (int)pick(&g->r, 4);
		ai->has_dm = (uint8_t)chance(&g->r, 0.72);
		ai->dm_reached = (uint8_t)(ai->has_dm && chance(&g->r, 0.65));
		for (int i = 0; i < k; i++) {
			person_name(g, chance(&g->r, 0.45), person, sizeof person);
			const char *role = NULL;
			if (i == 0 && ai->has_dm) {
				role = "decision_maker";
				ai->dm_contact = cid;
			} else if (chance(&g->r, 0.8))
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

/* Whether each decision maker has been reached (the plugin's table). */
static int
gen_reached(struct gen *g)
{
	struct pgcopy c;
	if (pgcopy_begin(&c, g->conn, "COPY crmx.contact_role (contact_id, purchase_role,"
	    " reached, updated_by, updated_at) FROM STDIN") != 0)
		return -1;
	for (long a = 1; a <= g->o.accounts; a++) {
		const struct acct_info *ai = &g->acct[a];
		if (!ai->has_dm)
			continue;
		pgcopy_rawf(&c, "%lld", (long long)ai->dm_contact);
		pgcopy_text(&c, NULL);
		pgcopy_rawf(&c, "%s", ai->dm_reached ? "t" : "f");
		pgcopy_text(&c, "demo");
		ts_field(&c, office_time(g, g->o.anchor - 1 - (int32_t)pick(&g->r, 300)));
		pgcopy_endrow(&c);
	}
	g->rows_total += c.rows;
	return pgcopy_finish(&c, "demo: contacts reached");
}

/* The plugin's own qualification records for about 60% of accounts.
 * "Decision maker known" agrees with the contacts for about 92% of them;
 * the rest are the usual disagreements (a record not updated since the
 * decision maker was entered, or one claiming a decision maker nobody
 * listed). */
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
		int authority = g->acct[a].has_dm ^ chance(&g->r, 0.08);
		pgcopy_rawf(&c, "%ld", a);
		pgcopy_rawf(&c, "%s", chance(&g->r, 0.75) ? "t" : "f");
		pgcopy_rawf(&c, "%s", chance(&g->r, 0.7) ? "t" : "f");
		pgcopy_rawf(&c, "%s", authority ? "t" : "f");
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

/* ---- the command ---- */

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

/* One option into o; 0, or the exit status (2 bad usage), or -1 after --help. */
static int
demo_option(struct demo_opts *o, int ch, char **argv, const struct option *longopts)
{
	int64_t v;
	switch (ch) {
	case 'a': return parse_count("accounts", optarg, &o->accounts) ? 2 : 0;
	case 'o': return parse_count("opportunities", optarg, &o->opportunities) ? 2 : 0;
	case 'r': return parse_count("revenue-rows", optarg, &o->revenue_rows) ? 2 : 0;
	case 't': return parse_count("activities", optarg, &o->activities) ? 2 : 0;
	case 's':
		if (parse_int64(optarg, 0, INT64_MAX, &v) != 0) {
			log_error("demo: --seed expects a whole number, got \"%s\"", optarg);
			return 2;
		}
		o->seed = (uint64_t)v;
		return 0;
	case 'd':
		if (parse_date(optarg, &o->anchor) != 0) {
			log_error("demo: --anchor expects a date YYYY-MM-DD, got \"%s\"", optarg);
			return 2;
		}
		return 0;
	case 'f': o->force = 1; return 0;
	case 'h': demo_usage(stdout); return -1;
	default: return app_bad_option("crmx-admin demo", argv, longopts);
	}
}

/* The options; 0 to go on, 3 after --help (exit 0), else the exit status. */
static int
demo_parse(struct demo_opts *o, int argc, char **argv)
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
	int ch, rc;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1)
		if ((rc = demo_option(o, ch, argv, longopts)) != 0)
			return rc < 0 ? 3 : rc;
	if (optind < argc || o->accounts < 1) {
		demo_usage(stderr);
		return 2;
	}
	if (o->opportunities < 0) o->opportunities = o->accounts;
	if (o->revenue_rows < 0) o->revenue_rows = 10 * o->accounts;
	if (o->activities < 0) o->activities = 3 * o->accounts;
	return 0;
}

/* 0 when the native tables are empty (or --force), 2 when they hold data,
 * -1 on a database error. */
static int
demo_may_replace(struct gen *g)
{
	if (g->o.force)
		return 0;
	PGresult *res = db_check(g->conn, PQexec(g->conn,
	    "SELECT EXISTS (SELECT 1 FROM crmx_native.accounts)"),
	    PGRES_TUPLES_OK, "demo (has `crmx-admin migrate` run?)");
	if (res == NULL)
		return -1;
	int has = PQgetvalue(res, 0, 0)[0] == 't';
	PQclear(res);
	if (!has)
		return 0;
	log_error("demo: the native tables already hold data; --force replaces it");
	return 2;
}

/* The tables the generator fills (the TRUNCATE below and the COPYs). */
#define DEMO_TABLES "crmx_native.users, crmx_native.accounts," \
	" crmx_native.contacts, crmx_native.opportunities," \
	" crmx_native.stage_history, crmx_native.revenue," \
	" crmx_native.activities, crmx.qualification," \
	" crmx.qualification_history, crmx.deal_review, crmx.contact_role"

/* The generated tables' indexes that back no constraint (the search
 * index of names, the lookups by owner and date), as their definitions:
 * dropped before the rows come and built again after them, in the same
 * transaction.  Kept up row by row, the search index (0040) held the
 * COPY of 5 million accounts to about 1,300 rows a second; 100,000
 * accounts took 111 s that way, 87 s so (the same rows and indexes).  The
 * definitions come from the catalog, so a migration's index is set aside
 * and made again unchanged.  NULL on a database error. */
#define DEMO_INDEXES " FROM pg_index i WHERE i.indrelid = ANY(string_to_array(" \
	" regexp_replace('" DEMO_TABLES "', '\\s', '', 'g'), ',')::regclass[])" \
	" AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)"
static PGresult *
indexes_set_aside(PGconn *conn)
{
	PGresult *res = db_check(conn, PQexec(conn, "SELECT pg_get_indexdef(i.indexrelid)"
	    DEMO_INDEXES " ORDER BY i.indexrelid"), PGRES_TUPLES_OK, "demo: the tables' indexes");
	if (res != NULL && db_command(conn, "DO $$ DECLARE x regclass; BEGIN"
	    " FOR x IN SELECT i.indexrelid::regclass" DEMO_INDEXES " LOOP"
	    " EXECUTE format('DROP INDEX %s', x); END LOOP; END $$") != 0) {
		PQclear(res);
		return NULL;
	}
	return res;
}

/* The indexes indexes_set_aside dropped, made again; 0 or -1. */
static int
indexes_restore(PGconn *conn, PGresult *defs)
{
	for (int i = 0; i < PQntuples(defs); i++)
		if (db_command(conn, PQgetvalue(defs, i, 0)) != 0)
			return -1;
	return 0;
}

/* Everything, in the open transaction; 0 or -1. */
static int
demo_generate(struct gen *g)
{
	if (db_command(g->conn, "SET LOCAL synchronous_commit = off") != 0 ||
	    db_command(g->conn, "TRUNCATE " DEMO_TABLES " CASCADE") != 0)
		return -1;
	PGresult *defs = indexes_set_aside(g->conn);
	if (defs == NULL)
		return -1;
	int rc = gen_users(g) || gen_accounts(g) || gen_contacts(g) || gen_reached(g) ||
	    gen_deals(g) || gen_revenue(g) || gen_activities(g) || gen_qualification(g) ||
	    indexes_restore(g->conn, defs);
	PQclear(defs);
	if (rc)
		return -1;
	char seed[32], anchor[16];
	snprintf(seed, sizeof seed, "%llu", (unsigned long long)g->o.seed);
	format_date(g->o.anchor, anchor, sizeof anchor);
	const char *params[2] = { seed, anchor };
	return db_command_params(g->conn,
	    "INSERT INTO crmx.settings (key, value) VALUES ('demo', 'seed ' || $1 || ', anchor ' || $2)"
	    " ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()",
	    2, params, "demo: settings");
}

int
cmd_demo(struct admin_ctx *ctx, int argc, char **argv)
{
	struct gen g = { .o = { .accounts = 2000, .opportunities = -1, .revenue_rows = -1,
	                        .activities = -1, .seed = 1, .anchor = today_utc() } };
	int rc = demo_parse(&g.o, argc, argv);
	if (rc != 0)
		return rc == 3 ? 0 : rc;
	admin_connect(ctx);
	g.conn = ctx->conn;
	rng_seed(&g.r, g.o.seed);

	double t0 = mono();
	rc = 1;
	if (db_command(g.conn, "BEGIN") != 0)
		goto out;
	int may = demo_may_replace(&g);
	if (may != 0 || demo_generate(&g) != 0) {
		rc = may > 0 ? may : 1;
		db_command(g.conn, "ROLLBACK");
		log_error("demo: nothing loaded");
		goto out;
	}
	if (db_command(g.conn, "COMMIT") != 0)
		goto out;
	/* Fresh statistics: the first report's queries plan on them. */
	db_command(g.conn, "ANALYZE crmx_native.accounts, crmx_native.opportunities,"
	           " crmx_native.stage_history, crmx_native.revenue, crmx_native.activities,"
	           " crmx_native.contacts, crmx.deal_review, crmx.contact_role");
	log_info("demo: %ld accounts, %ld opportunities, %ld revenue rows, %ld activities"
	         " (%lld rows in all) in %.1f s", g.o.accounts, g.o.opportunities,
	         g.o.revenue_rows, g.o.activities, (long long)(g.rows_total + g.o.accounts),
	         mono() - t0);
	rc = 0;
out:
	free(g.reps);
	free(g.acct);
	free(g.deals);
	return rc;
}
