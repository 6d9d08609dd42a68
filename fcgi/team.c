/* /crmx/team: a manager's team (an executive's every team, grouped by
 * team; a rep gets 403), one row per rep with the open pipeline, the
 * forecast, wins, win rate, forecast accuracy, stalled and unreviewed
 * deals, activity, precise customers, the learned forecast beside the
 * weighted one, key-person coverage and the share
 * of the team's won revenue (the 80/20 of reps); ?sort= orders the rows
 * (within each team).  An executive's page sums each team into one row
 * (the 80/20 of teams), a page of them at a time (?page=, ?size=), and
 * ?team= shows one team's reps.  This file
 * fetches (by column name), sums, sorts and dispatches; the writers are
 * team_html.c and team_json.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "panelagg.h"
#include "scope.h"
#include "team.h"
#include "util.h"
#include "winfeature.h"

static const char *const team_cols[] = {
	"open_deals", "open_amount", "weighted", "forecast_month", "forecast_quarter",
	"won_quarter", "win_rate", "stalled", "unreviewed", "activity_hours",
	"revenue_per_hour", "won_12m", "precise", "key_person_coverage", "revenue_share",
	"cum_share", "learned",
};

/* Sort keys: the request names one; each orders by a field, largest first
 * (name: alphabetical; accuracy: smallest error first). */
static const struct {
	const char	*key;
	int		 field;		/* enum team_f, or -1 name, -2 accuracy */
} sorts[] = {
	{ "share", TM_SHARE }, { "name", -1 }, { "open", TM_OPEN_DEALS },
	{ "amount", TM_OPEN_AMOUNT }, { "weighted", TM_WEIGHTED }, { "learned", TM_LEARNED },
	{ "month", TM_FORECAST_MONTH }, { "quarter", TM_FORECAST_QUARTER },
	{ "won", TM_WON_QUARTER }, { "win_rate", TM_WIN_RATE }, { "accuracy", -2 },
	{ "stalled", TM_STALLED }, { "unreviewed", TM_UNREVIEWED },
	{ "hours", TM_ACTIVITY_HOURS }, { "per_hour", TM_REVENUE_PER_HOUR },
	{ "precise", TM_PRECISE }, { "coverage", TM_KEY_PERSON },
};

int
team_sort(const char *key)
{
	for (size_t i = 0; i < sizeof sorts / sizeof *sorts; i++)
		if (strcmp(key, sorts[i].key) == 0)
			return (int)i;
	return -1;
}

static int sort_field;	/* of the current qsort; each worker is one thread */

/* NAN (not known) sorts last whatever the direction. */
static int
cmp_num(double a, double b, int ascending)
{
	if (isnan(a) || isnan(b))
		return isnan(a) - isnan(b);
	if (a == b)
		return 0;
	return (a < b) == ascending ? -1 : 1;
}

static int
cmp_field(const double *a, const double *b, const struct accuracy *aa,
          const struct accuracy *ab)
{
	if (sort_field == -2)
		return cmp_num(aa->mape, ab->mape, 1);
	return cmp_num(a[sort_field], b[sort_field], 0);
}

static int
cmp_team(const void *pa, const void *pb)
{
	const struct team_sum *a = pa, *b = pb;
	int d = sort_field == -1 ? 0 : cmp_field(a->v, b->v, &a->acc, &b->acc);
	return d ? d : strcmp(a->team, b->team);
}

static int
cmp_rep(const void *pa, const void *pb)
{
	const struct team_rep *a = pa, *b = pb;
	int d = strcmp(a->team, b->team);
	if (d == 0)
		d = sort_field == -1 ? strcmp(a->name, b->name) :
		    cmp_field(a->v, b->v, &a->acc, &b->acc);
	return d ? d : (a->id > b->id) - (a->id < b->id);
}

static void
read_reps(struct team_view *v, PGresult *res)
{
	int cid = db_col(res, "user_id"), cname = db_col(res, "name"), cteam = db_col(res, "team");
	int cwon = db_col(res, "won_n"), clost = db_col(res, "lost_n"), copen = db_col(res, "run_open");
	int cmin = db_col(res, "activity_minutes");
	int col[TM__NUM];
	for (int f = 0; f < TM__NUM; f++)
		col[f] = db_col(res, team_cols[f]);
	v->n = PQntuples(res);
	v->reps = xcalloc(v->n ? (size_t)v->n : 1, sizeof *v->reps);
	v->as_of = v->n ? db_val(res, 0, db_col(res, "as_of")) : NULL;
	for (int i = 0; i < v->n; i++) {
		struct team_rep *r = &v->reps[i];
		const char *s;
		r->id = atoll(db_val(res, i, cid));
		r->name = (s = db_val(res, i, cname)) ? s : "";
		r->team = (s = db_val(res, i, cteam)) ? s : "";
		for (int f = 0; f < TM__NUM; f++)
			r->v[f] = (s = db_val(res, i, col[f])) ? text_num(s) : NAN;
		r->won = (s = db_val(res, i, cwon)) ? text_num(s) : 0;
		r->lost = (s = db_val(res, i, clost)) ? text_num(s) : 0;
		r->run_open = (s = db_val(res, i, copen)) ? text_num(s) : 0;
		r->minutes = (s = db_val(res, i, cmin)) ? text_num(s) : NAN;
	}
	/* the same on every row: the latest run's */
	if (v->n > 0)
		v->keeps = winfeature_keeps_note(db_val(res, 0, db_col(res, "keeps_weights")));
}

/* x + y where NAN is "not known": known when either is. */
static double
add_known(double x, double y)
{
	return isnan(x) ? y : isnan(y) ? x : x + y;
}

/* The fields summed over a team's reps; the rest are rates of sums, and
 * the activity hours of the summed minutes (summed in hours, a team's
 * total could round either way on the page). */
static int
summed(int f)
{
	return f != TM_WIN_RATE && f != TM_REVENUE_PER_HOUR && f != TM_KEY_PERSON &&
	       f != TM_SHARE && f != TM_CUM_SHARE && f != TM_ACTIVITY_HOURS;
}

/* The bases of a team's rates as its rows are summed: won and decided
 * deals, the open deals of the reps whose key-person coverage is known
 * with those covered, and the activity minutes (NAN: none known). */
struct team_bases {
	double	 won, decided, open, covered, minutes;
};

/* An empty row for TEAM: every sum not known yet. */
static void
team_begin(struct team_sum *t, struct team_bases *b, const char *team)
{
	memset(t, 0, sizeof *t);
	memset(b, 0, sizeof *b);
	t->team = team;
	for (int f = 0; f < TM__NUM; f++)
		t->v[f] = NAN;
	t->acc.mape = NAN;
	b->minutes = NAN;
}

/* Rep r added to team row t: its sums, the bases of its rates (as the
 * run defines them per rep, docs/metrics.md: win rate won / (won + lost),
 * key-person coverage of the run's open deals) and its forecast and won
 * amount per month (every rep has the same months: they are the runs'). */
static void
team_add(struct team_sum *t, struct team_bases *b, const struct team_rep *r)
{
	t->reps++;
	for (int f = 0; f < TM__NUM; f++)
		if (summed(f))
			t->v[f] = add_known(t->v[f], r->v[f]);
	b->won += r->won;
	b->decided += r->won + r->lost;
	b->minutes = add_known(b->minutes, r->minutes);
	if (!isnan(r->v[TM_KEY_PERSON]) && r->run_open > 0) {
		b->open += r->run_open;
		b->covered += round(r->v[TM_KEY_PERSON] * r->run_open);
	}
	if (t->acc.n == 0 && r->acc.n > 0) {
		t->acc.n = r->acc.n;
		memcpy(t->acc.month, r->acc.month, sizeof t->acc.month);
	}
	if (r->acc.n != t->acc.n)
		return;
	for (int k = 0; k < t->acc.n; k++)
		if (strcmp(r->acc.month[k], t->acc.month[k]) == 0) {
			t->acc.forecast[k] += r->acc.forecast[k];
			t->acc.won[k] += r->acc.won[k];
		}
}

/* The rates of the sums: activity hours, win rate, key-person coverage,
 * revenue per activity hour, forecast accuracy per month. */
static void
team_finish(struct team_sum *t, const struct team_bases *b)
{
	t->v[TM_ACTIVITY_HOURS] = b->minutes / 60.0;
	t->v[TM_WIN_RATE] = b->decided > 0 ? b->won / b->decided : NAN;
	t->v[TM_KEY_PERSON] = b->open > 0 ? b->covered / b->open : NAN;
	t->v[TM_REVENUE_PER_HOUR] = t->v[TM_ACTIVITY_HOURS] > 0 ?
	    (isnan(t->v[TM_WON_12M]) ? 0 : t->v[TM_WON_12M]) / t->v[TM_ACTIVITY_HOURS] : NAN;
	accuracy_finish(&t->acc);
}

/* One team's row from its reps r[0..n). */
static void
team_sum(struct team_sum *t, const struct team_rep *r, int n)
{
	struct team_bases b;
	team_begin(t, &b, r[0].team);
	for (int i = 0; i < n; i++)
		team_add(t, &b, &r[i]);
	team_finish(t, &b);
}

static int
cmp_won(const void *pa, const void *pb)
{
	const struct team_sum *a = pa, *b = pb;
	double x = isnan(a->v[TM_WON_12M]) ? 0 : a->v[TM_WON_12M];
	double y = isnan(b->v[TM_WON_12M]) ? 0 : b->v[TM_WON_12M];
	return x != y ? (x < y ? 1 : -1) : strcmp(a->team, b->team);
}

/* Each team's share of the won revenue of all and the cumulative share,
 * largest first: the 80/20 of teams. */
static void
teams_share(struct team_view *v)
{
	qsort(v->teams, (size_t)v->nteams, sizeof *v->teams, cmp_won);
	double all = 0, cum = 0;
	for (int i = 0; i < v->nteams; i++)
		all += isnan(v->teams[i].v[TM_WON_12M]) ? 0 : v->teams[i].v[TM_WON_12M];
	for (int i = 0; i < v->nteams; i++) {
		double won = isnan(v->teams[i].v[TM_WON_12M]) ? 0 : v->teams[i].v[TM_WON_12M];
		cum += won;
		v->teams[i].v[TM_SHARE] = all > 0 ? won / all : NAN;
		v->teams[i].v[TM_CUM_SHARE] = all > 0 ? cum / all : NAN;
	}
}

/* Every team's row from the reps (grouped by team). */
static void
teams_sum(struct team_view *v)
{
	v->teams = xcalloc(v->n ? (size_t)v->n : 1, sizeof *v->teams);
	for (int i = 0, j; i < v->n; i = j) {
		for (j = i + 1; j < v->n && strcmp(v->reps[j].team, v->reps[i].team) == 0; j++)
			;
		team_sum(&v->teams[v->nteams++], &v->reps[i], j - i);
	}
	teams_share(v);
}

/* ?team=: the scope narrowed to that team's users (within the viewer's);
 * *saved the scope to give back (scope_restore).  0: go on; 1: answered
 * 404, no such team in scope; -1: the database failed. */
static int
team_narrow(struct ctx *c, const char *team, char **saved)
{
	*saved = NULL;
	const char *extra[1] = { team };
	PGresult *res = scoped_query(c, Q_TEAM_OWNERS, 1, extra);
	if (res == NULL)
		return -1;
	const char *owners = PQntuples(res) == 1 ? db_val(res, 0, 0) : "{}";
	if (strcmp(owners, "{}") == 0) {
		PQclear(res);
		panel_error(c, 404, _("No such team."));
		return 1;
	}
	*saved = c->v->owners ? c->v->owners : xstrdup("");
	c->v->owners = xstrdup(owners);
	PQclear(res);
	return 0;
}

/* The viewer's role (read with the viewer's row: a round trip of its own
 * cost each page two switches of both processes) decides: a rep (or
 * anyone but a manager, executive or admin) gets 403.  0: go on; 1:
 * answered. */
static int
team_allowed(struct ctx *c, int *grouped)
{
	const char *role = c->v->role;
	int ok = strcmp(role, "manager") == 0 || strcmp(role, "exec") == 0 ||
	         strcmp(role, "admin") == 0;
	*grouped = strcmp(role, "manager") != 0;
	if (ok)
		return 0;
	panel_error(c, 403, _("The team view is for managers and executives."));
	return 1;
}

/* Q_TEAM_TEAMS's summed fields, by column (the rest are rates). */
static const struct {
	const char	*col;
	int		 field;
} stored_cols[] = {
	{ "open_deals", TM_OPEN_DEALS }, { "open_amount", TM_OPEN_AMOUNT },
	{ "weighted", TM_WEIGHTED }, { "forecast_month", TM_FORECAST_MONTH },
	{ "forecast_quarter", TM_FORECAST_QUARTER }, { "won_quarter", TM_WON_QUARTER },
	{ "stalled", TM_STALLED }, { "unreviewed", TM_UNREVIEWED }, { "won_12m", TM_WON_12M },
	{ "precise", TM_PRECISE }, { "learned", TM_LEARNED },
};

/* The items of an array's text "{a,b,...}" of numbers or of words
 * without commas or quotes (s, changed: each item ends where it did),
 * up to max of them; returns how many. */
static int
array_items(char *s, char **item, int max)
{
	int n = 0;
	if (s == NULL || *s++ != '{')
		return 0;
	while (*s != '\0' && *s != '}' && n < max) {
		item[n++] = s;
		s += strcspn(s, ",}");
		if (*s == '\0')
			break;
		*s++ = '\0';
	}
	return n;
}

/* The months of the forecast accuracy stored with the whole rows (0056):
 * Q_TEAM_WHOLE's acc_months (the same on every row), items into mi
 * (ACC_MONTHS of them at most) of a copy the caller frees; NULL without
 * rows. */
static char *
stored_months(PGresult *res, char **mi, int *n)
{
	*n = 0;
	const char *ms = PQntuples(res) > 0 ? db_val(res, 0, db_col(res, "acc_months")) : NULL;
	if (ms == NULL)
		return NULL;
	char *m = xstrdup(ms);
	*n = array_items(m, mi, ACC_MONTHS);
	return m;
}

/* A team's forecast accuracy from the months stored with its row: ROW of
 * Q_TEAM_WHOLE's rows, its months MI[0..N) (stored_months), col[] the
 * columns acc_forecast and acc_won (arrays' text, "{a,b,...}"). */
static void
stored_accuracy(struct accuracy *a, char *const *mi, int n, PGresult *res, int row,
                const int col[2])
{
	const char *fs = db_val(res, row, col[0]);
	const char *ws = db_val(res, row, col[1]);
	double f[ACC_MONTHS], w[ACC_MONTHS];
	if (fs == NULL || ws == NULL || *fs++ != '{' || *ws++ != '{')
		return;
	/* "{}": no month */
	int nf = *fs == '}' ? 0 : text_num_list(fs, '}', f, ACC_MONTHS);
	int nw = *ws == '}' ? 0 : text_num_list(ws, '}', w, ACC_MONTHS);
	if (nf == n && nw == n)
		for (int k = 0; k < n; k++)
			accuracy_month(a, mi[k], f[k], w[k]);
}

/* Q_TEAM_ACC_DELTA's rows (changes by team and month) added to the months
 * of teams t[0..n). */
static void
accuracy_changes(struct team_sum *t, int n, PGresult *res)
{
	int ct = db_col(res, "team"), cm = db_col(res, "month"), cf = db_col(res, "forecast");
	int cw = db_col(res, "won");
	for (int r = 0; r < PQntuples(res); r++) {
		const char *team = db_val(res, r, ct), *month = db_val(res, r, cm);
		for (int i = 0; i < n; i++) {
			if (strcmp(t[i].team, team) != 0)
				continue;
			for (int k = 0; k < t[i].acc.n; k++)
				if (strcmp(t[i].acc.month[k], month) == 0) {
					t[i].acc.forecast[k] += text_num(db_val(res, r, cf));
					t[i].acc.won[k] += text_num(db_val(res, r, cw));
				}
			break;
		}
	}
}

/* The figures of a stored row's text (0063: team_base.shown_text), in
 * its order */
enum shown_f {
	SH_REPS, SH_OPEN_DEALS, SH_OPEN_AMOUNT, SH_WEIGHTED, SH_FORECAST_MONTH,
	SH_FORECAST_QUARTER, SH_MINUTES, SH_WON_12M, SH_PRECISE, SH_LEARNED,
	SH_WON, SH_LOST, SH_COV_OPEN, SH_COVERED, SH__NUM
};

/* Q_TEAM_QUIET's row i (its column shown, and in the columns of cl the
 * won this quarter, stalled and unreviewed deals, the stored counts with
 * the live ones) into team row t and its bases b: the stored figures as
 * TEAM_WHOLE_ROWS gives them, an empty field not known. */
static void
read_shown(PGresult *res, int i, int cs, const int cl[3], struct team_sum *t,
           struct team_bases *b)
{
	double f[SH__NUM];
	const char *s;
	for (int k = text_num_list(db_val(res, i, cs), '\0', f, SH__NUM); k < SH__NUM; k++)
		f[k] = NAN;
	t->reps = (int)f[SH_REPS];
	t->v[TM_OPEN_DEALS] = f[SH_OPEN_DEALS];
	t->v[TM_OPEN_AMOUNT] = f[SH_OPEN_AMOUNT];
	t->v[TM_WEIGHTED] = f[SH_WEIGHTED];
	t->v[TM_FORECAST_MONTH] = f[SH_FORECAST_MONTH];
	t->v[TM_FORECAST_QUARTER] = f[SH_FORECAST_QUARTER];
	t->v[TM_WON_QUARTER] = text_num(db_val(res, i, cl[0]));
	t->v[TM_STALLED] = (s = db_val(res, i, cl[1])) ? text_num(s) : NAN;
	t->v[TM_UNREVIEWED] = (s = db_val(res, i, cl[2])) ? text_num(s) : NAN;
	t->v[TM_WON_12M] = f[SH_WON_12M];
	t->v[TM_PRECISE] = f[SH_PRECISE];
	t->v[TM_LEARNED] = f[SH_LEARNED];
	b->won = f[SH_WON];
	b->decided = f[SH_WON] + f[SH_LOST];
	b->open = f[SH_COV_OPEN];
	b->covered = f[SH_COVERED];
	b->minutes = f[SH_MINUTES];
}

/* The first of Q_TEAM_TEAMS_ACC's rows (column at the team; NA rows by
 * team in C order, then month) for TEAM, or NA when none. */
static int
acc_first(PGresult *acc, int at, int na, const char *team)
{
	int lo = 0, hi = na;
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;
		if (strcmp(db_val(acc, mid, at), team) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < na && strcmp(db_val(acc, lo, at), team) == 0 ? lo : na;
}

/* Team rows t[0..n) (with their bases b) from Q_TEAM_TEAMS's,
 * Q_TEAM_WHOLE's or Q_TEAM_QUIET's rows (in any order: the two last are
 * not sorted, 0.05 ms of the quiet one's 0.44) and their forecast
 * accuracy from Q_TEAM_TEAMS_ACC's (rows by team in C order, then month,
 * maybe with teams the first lacks), or when ACC is NULL from the months
 * of each row. */
static int
read_teams(PGresult *res, PGresult *acc, struct team_sum *t, struct team_bases *b)
{
	int n = PQntuples(res), na = acc ? PQntuples(acc) : 0, ct = db_col(res, "team");
	/* Q_TEAM_QUIET's rows: the stored figures as one text */
	int cs = PQfnumber(res, "shown"), cl[3] = { -1, -1, -1 };
	int creps = -1, cwon = -1, clost = -1, copen = -1, ccov = -1, cmin = -1;
	int col[sizeof stored_cols / sizeof *stored_cols];
	if (cs >= 0) {
		cl[0] = db_col(res, "won_quarter");
		cl[1] = db_col(res, "stalled");
		cl[2] = db_col(res, "unreviewed");
	} else {
		creps = db_col(res, "reps"), cwon = db_col(res, "won_n");
		clost = db_col(res, "lost_n"), copen = db_col(res, "cov_open");
		ccov = db_col(res, "covered"), cmin = db_col(res, "activity_minutes");
		for (size_t f = 0; f < sizeof stored_cols / sizeof *stored_cols; f++)
			col[f] = db_col(res, stored_cols[f].col);
	}
	int at = acc ? db_col(acc, "team") : -1, am = acc ? db_col(acc, "month") : -1;
	int af = acc ? db_col(acc, "forecast") : -1, aw = acc ? db_col(acc, "won") : -1;
	int sa[2] = { -1, -1 }, nm = 0;
	char *mi[ACC_MONTHS], *months = NULL;
	if (acc == NULL) {
		sa[0] = db_col(res, "acc_forecast");
		sa[1] = db_col(res, "acc_won");
		months = stored_months(res, mi, &nm);
	}
	for (int i = 0; i < n; i++) {
		const char *s;
		team_begin(&t[i], &b[i], db_val(res, i, ct));
		if (cs >= 0) {
			read_shown(res, i, cs, cl, &t[i], &b[i]);
		} else {
			t[i].reps = atoi(db_val(res, i, creps));
			for (size_t f = 0; f < sizeof stored_cols / sizeof *stored_cols; f++)
				t[i].v[stored_cols[f].field] =
				    (s = db_val(res, i, col[f])) ? text_num(s) : NAN;
			b[i].won = text_num(db_val(res, i, cwon));
			b[i].decided = b[i].won + text_num(db_val(res, i, clost));
			b[i].open = text_num(db_val(res, i, copen));
			b[i].covered = text_num(db_val(res, i, ccov));
			b[i].minutes = (s = db_val(res, i, cmin)) ? text_num(s) : NAN;
		}
		if (acc == NULL)
			stored_accuracy(&t[i].acc, mi, nm, res, i, sa);
		for (int j = acc_first(acc, at, na, t[i].team);
		     j < na && strcmp(db_val(acc, j, at), t[i].team) == 0; j++)
			accuracy_month(&t[i].acc, db_val(acc, j, am), text_num(db_val(acc, j, af)),
			               text_num(db_val(acc, j, aw)));
	}
	free(months);
	return n;
}

/* v's reps from REPS (Q_TEAM_AGG's or Q_TEAM's rows) with their forecast
 * accuracy from ACC (Q_FORECAST_ACCURACY_AGG's or Q_FORECAST_ACCURACY's),
 * which it clears. */
static void
reps_read(struct team_view *v, PGresult *reps, PGresult *acc)
{
	read_reps(v, reps);
	int64_t *ids = xcalloc(v->n ? (size_t)v->n : 1, sizeof *ids);
	struct accuracy *a = xcalloc(v->n ? (size_t)v->n : 1, sizeof *a);
	for (int i = 0; i < v->n; i++)
		ids[i] = v->reps[i].id;
	accuracy_read(acc, ids, a, v->n);
	for (int i = 0; i < v->n; i++)
		v->reps[i].acc = a[i];
	free(ids);
	free(a);
	PQclear(acc);
}

/* The reps' rows and forecast accuracy for the scope in c->v->owners, as
 * the page reads them per rep: from the run's team sums (0031) and won
 * amounts by month (0044) in one round trip, each with the owners changed
 * for its sums (one after the other they took two); what the run did not
 * store (no rows) read now.  -1: the database failed. */
static int
reps_fetch(struct ctx *c, struct team_view *v)
{
	PGresult *r[2] = { NULL, NULL };
	int agg = panel_agg_serves(c, USE_SUMS);
	if (agg < 0)
		return -1;
	if (agg) {
		const char *team_x[2] = { c->v->owners, panel_agg_changed(c, AGG_ACCOUNTS) };
		const char *acc_x[1] = { c->v->owners };
		struct scoped_call calls[2] = {
			{ Q_TEAM_AGG, panel_agg_changed(c, AGG_DEALS), 2, team_x },
			{ accuracy_agg_query(c), panel_agg_changed(c, AGG_CLOSED), 1, acc_x },
		};
		if (scoped_calls(c, calls, 2, r) != 0)
			return -1;
	}
	if ((v->res = panel_agg_or_live(c, r[0], Q_TEAM)) == NULL) {
		PQclear(r[1]);
		return -1;
	}
	if ((r[1] = panel_agg_or_live(c, r[1], Q_FORECAST_ACCURACY)) == NULL)
		return -1;
	reps_read(v, v->res, r[1]);
	return 0;
}

/* The same for the owners LIVE from the run's sums per owner read with
 * those per team: the changes of everyone's (what panel_agg_begin read
 * for the page, and its run), the scope LIVE; -1: the database failed. */
static int
live_reps_fetch(struct ctx *c, struct team_view *v, const char *live)
{
	char *saved = c->v->owners;
	const char *extra[2] = { live, panel_agg_changed(c, AGG_ACCOUNTS) };
	PGresult *acc = NULL;
	c->v->owners = xstrdup(panel_agg_changed(c, AGG_DEALS));
	v->res = scoped_query(c, Q_TEAM_AGG, 2, extra);
	free(c->v->owners);
	c->v->owners = xstrdup(panel_agg_changed(c, AGG_CLOSED));
	if (v->res != NULL)
		acc = scoped_query(c, Q_FORECAST_ACCURACY_AGG, 1, extra);
	free(c->v->owners);
	c->v->owners = saved;
	if (acc == NULL)
		return -1;
	reps_read(v, v->res, acc);
	return 0;
}

/* An executive's every team (the viewer sees everyone) from the latest
 * run's sums per team (0048): Q_TEAM_WHOLE's rows (0056) while they
 * serve (panel_agg_whole), or on a quiet day Q_TEAM_QUIET's (the same
 * rows, with nothing to read live), which read the owners to read live as
 * Q_TEAM_LIVE does in the same statement (the changed deals looked up
 * once for both), else Q_TEAM_LIVE's owners and Q_TEAM_TEAMS's rows (and
 * the accuracy's by month, with the won amounts of the owners changed for
 * the closed deals' sums read now), which leave out the owners read live,
 * and those owners' rows read per rep and added to their teams as they
 * are now.  1: v->teams filled; 0: the run stored no such sums (or its
 * sums are not usable), read every rep; -1: the database failed. */
static int
teams_from_sums(struct ctx *c, struct team_view *v)
{
	char *scope;
	int agg = panel_agg_begin(c, AGG_DEALS, &scope);
	if (agg <= 0)
		return agg;
	/* the whole rows while today is in the run's month (with their
	 * accuracy's months while the runs give the same), else its due
	 * months summed */
	int whole = panel_agg_whole(c);
	const char *extra[1] = { panel_agg_changed(c, AGG_ACCOUNTS) };
	PGresult *out[2] = { NULL, NULL };
	/* on a quiet day (no owner changed for either sums) the stored rows
	 * with the live counts; no row there (a change it leaves to
	 * Q_TEAM_WHOLE): with the changes */
	int quiet = whole && panel_agg_unchanged(c, AGG_DEALS) &&
	            panel_agg_unchanged(c, AGG_ACCOUNTS);
	PGresult *res = quiet ? scoped_query(c, Q_TEAM_QUIET, 1, extra) : NULL;
	if (quiet && res == NULL) {
		panel_agg_end(c, scope);
		return -1;
	}
	if (res != NULL && PQntuples(res) == 0) {
		PQclear(res);
		res = NULL;
	}
	if (res == NULL)
		res = scoped_query(c, whole ? Q_TEAM_WHOLE : Q_TEAM_LIVE, 1, extra);
	panel_agg_end(c, scope);
	/* none stored for the run */
	const char *lv = res == NULL || PQntuples(res) == 0 ? NULL :
	                 db_val(res, 0, db_col(res, whole ? "live" : "owners"));
	if (lv == NULL) {
		PQclear(res);
		return res == NULL ? -1 : 0;
	}
	char *live = xstrdup(lv);
	if (whole)
		out[0] = res;
	else
		PQclear(res);
	char *saved = c->v->owners;
	c->v->owners = live;		/* $1 of those that follow */
	const char *acc_extra[1] = { panel_agg_changed(c, AGG_CLOSED) };
	if (!whole)
		out[0] = scoped_query(c, Q_TEAM_TEAMS, 0, NULL);
	else {
		int cm = db_col(out[0], "acc_same");
		for (int i = 0; i < PQntuples(out[0]); i++)
			whole &= strcmp(db_val(out[0], i, cm), "t") == 0;
	}
	/* the changes to the whole rows' months: none without owners read
	 * live or changed for the closed deals' sums (nothing to ask) */
	int changes = !whole || strcmp(live, "{}") != 0 || strcmp(acc_extra[0], "{}") != 0;
	int r = out[0] == NULL || (changes && (out[1] = scoped_query(c, whole ? Q_TEAM_ACC_DELTA :
	                           Q_TEAM_TEAMS_ACC, 1, acc_extra)) == NULL) ? -1 :
	        PQntuples(out[0]) > 0;
	c->v->owners = saved;
	if (r == 1 && strcmp(live, "{}") != 0 && live_reps_fetch(c, v, live) != 0)
		r = -1;
	free(live);
	if (r != 1) {
		PQclear(out[0]);
		PQclear(out[1]);
		PQclear(v->res);
		free(v->reps);
		v->res = NULL, v->reps = NULL, v->n = 0;
		return r;
	}
	int n = PQntuples(out[0]);
	v->teams = xcalloc((size_t)(n + v->n), sizeof *v->teams);
	struct team_bases *b = xcalloc((size_t)(n + v->n), sizeof *b);
	v->nteams = read_teams(out[0], whole ? NULL : out[1], v->teams, b);
	if (whole && out[1] != NULL)
		accuracy_changes(v->teams, v->nteams, out[1]);
	PQclear(out[1]);
	for (int i = 0; i < v->n; i++) {	/* the live reps, each to its team now */
		int k = 0;
		while (k < v->nteams && strcmp(v->teams[k].team, v->reps[i].team) != 0)
			k++;
		if (k == v->nteams)
			team_begin(&v->teams[v->nteams++], &b[k], v->reps[i].team);
		team_add(&v->teams[k], &b[k], &v->reps[i]);
	}
	for (int k = 0; k < v->nteams; k++)
		team_finish(&v->teams[k], &b[k]);
	free(b);
	teams_share(v);
	/* the reps read live are drawn only in their teams */
	free(v->reps);
	v->reps = NULL, v->n = 0;
	v->res_live = v->res;
	v->res = out[0];
	v->as_of = db_val(out[0], 0, db_col(out[0], "as_of"));
	v->keeps = winfeature_keeps_note(db_val(out[0], 0, db_col(out[0], "keeps_weights")));
	return 1;
}

int
h_team(struct ctx *c, const char *arg)
{
	(void)arg;
	struct team_view v;
	memset(&v, 0, sizeof v);
	if (team_allowed(c, &v.grouped) != 0)
		return 0;
	const char *sort = request_param(c->req, "sort");	/* checked: params.c */
	const char *page = request_param(c->req, "page"), *size = request_param(c->req, "size");
	v.page = 1, v.size = TEAM_PAGE_SIZE;
	if (page != NULL)
		(void)parse_int64(page, 1, 1000000, &v.page);
	if (size != NULL)
		(void)parse_int64(size, 1, c->cfg->fcgi_page_size_max, &v.size);
	char *saved = NULL;
	v.team = request_param(c->req, "team");
	if (v.team != NULL) {
		int r = team_narrow(c, v.team, &saved);
		if (r != 0)
			return r < 0 ? -1 : 0;
	}
	/* an executive's every team: from the run's sums per team when it
	 * stored them (JSON lists every rep: read per rep) */
	int stored = 0;
	if (v.grouped && v.team == NULL && c->v->owners == NULL && !c->req->want_json &&
	    (stored = teams_from_sums(c, &v)) < 0)
		return -1;
	if (!stored && reps_fetch(c, &v) != 0) {
		PQclear(v.res);
		free(v.reps);
		scope_restore(c, saved);
		return -1;
	}
	scope_restore(c, saved);
	int si = sort != NULL ? team_sort(sort) : 0;
	v.sort = sorts[si].key;
	sort_field = sorts[si].field;
	/* the rows come by team: each team's sums, then ordered */
	if (v.grouped && v.team == NULL && !stored)
		teams_sum(&v);
	if (v.teams != NULL)
		qsort(v.teams, (size_t)v.nteams, sizeof *v.teams, cmp_team);
	if (v.n > 0)
		qsort(v.reps, (size_t)v.n, sizeof *v.reps, cmp_rep);
	if (c->req->want_json)
		team_json(c, &v);
	else
		team_html(c, &v);
	free(v.teams);
	free(v.reps);
	PQclear(v.res);
	PQclear(v.res_live);
	return 0;
}
