/* /crmx/team: a manager's team (an executive's every team, grouped by
 * team; a rep gets 403), one row per rep with the open pipeline, the
 * forecast, wins, win rate, forecast accuracy, stalled and unreviewed
 * deals, activity, precise customers, the learned forecast beside the
 * weighted one, key-person coverage and the share
 * of the team's won revenue (the 80/20 of reps); ?sort= orders the rows
 * (within each team).  An executive's page sums each team into one row
 * (the 80/20 of teams) and ?team= shows one team's reps.  This file
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
			r->v[f] = (s = db_val(res, i, col[f])) ? atof(s) : NAN;
		r->won = (s = db_val(res, i, cwon)) ? atof(s) : 0;
		r->lost = (s = db_val(res, i, clost)) ? atof(s) : 0;
		r->run_open = (s = db_val(res, i, copen)) ? atof(s) : 0;
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

/* The fields summed over a team's reps; the rest are rates of sums. */
static int
summed(int f)
{
	return f != TM_WIN_RATE && f != TM_REVENUE_PER_HOUR && f != TM_KEY_PERSON &&
	       f != TM_SHARE && f != TM_CUM_SHARE;
}

/* One team's row from its reps r[0..n): sums, and the rates of the sums
 * as the run defines them per rep (docs/metrics.md): win rate won / (won
 * + lost), revenue per activity hour, key-person coverage of the run's
 * open deals; forecast accuracy per month of the summed forecast and won
 * amounts (every rep has the same months: they are the runs'). */
static void
team_sum(struct team_sum *t, const struct team_rep *r, int n)
{
	double won = 0, decided = 0, open = 0, covered = 0;
	memset(t, 0, sizeof *t);
	t->team = r[0].team;
	t->reps = n;
	for (int f = 0; f < TM__NUM; f++)
		t->v[f] = NAN;
	t->acc.mape = NAN;
	for (int i = 0; i < n; i++) {
		for (int f = 0; f < TM__NUM; f++)
			if (summed(f))
				t->v[f] = add_known(t->v[f], r[i].v[f]);
		won += r[i].won;
		decided += r[i].won + r[i].lost;
		if (!isnan(r[i].v[TM_KEY_PERSON]) && r[i].run_open > 0) {
			open += r[i].run_open;
			covered += round(r[i].v[TM_KEY_PERSON] * r[i].run_open);
		}
		if (t->acc.n == 0 && r[i].acc.n > 0) {
			t->acc.n = r[i].acc.n;
			memcpy(t->acc.month, r[i].acc.month, sizeof t->acc.month);
		}
	}
	t->v[TM_WIN_RATE] = decided > 0 ? won / decided : NAN;
	t->v[TM_KEY_PERSON] = open > 0 ? covered / open : NAN;
	t->v[TM_REVENUE_PER_HOUR] = t->v[TM_ACTIVITY_HOURS] > 0 ?
	    (isnan(t->v[TM_WON_12M]) ? 0 : t->v[TM_WON_12M]) / t->v[TM_ACTIVITY_HOURS] : NAN;
	for (int k = 0; k < t->acc.n; k++)
		for (int i = 0; i < n; i++)
			if (r[i].acc.n == t->acc.n && strcmp(r[i].acc.month[k], t->acc.month[k]) == 0) {
				t->acc.forecast[k] += r[i].acc.forecast[k];
				t->acc.won[k] += r[i].acc.won[k];
			}
	accuracy_finish(&t->acc);
}

static int
cmp_won(const void *pa, const void *pb)
{
	const struct team_sum *a = pa, *b = pb;
	double x = isnan(a->v[TM_WON_12M]) ? 0 : a->v[TM_WON_12M];
	double y = isnan(b->v[TM_WON_12M]) ? 0 : b->v[TM_WON_12M];
	return x != y ? (x < y ? 1 : -1) : strcmp(a->team, b->team);
}

/* Every team's row from the reps (grouped by team), with each team's
 * share of the won revenue of all and the cumulative share, largest
 * first: the 80/20 of teams. */
static void
teams_sum(struct team_view *v)
{
	v->teams = xcalloc(v->n ? (size_t)v->n : 1, sizeof *v->teams);
	for (int i = 0, j; i < v->n; i = j) {
		for (j = i + 1; j < v->n && strcmp(v->reps[j].team, v->reps[i].team) == 0; j++)
			;
		team_sum(&v->teams[v->nteams++], &v->reps[i], j - i);
	}
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

/* The viewer's role decides: a rep (or anyone but a manager, executive
 * or admin) gets 403.  0: go on; 1: answered; -1: the database failed. */
static int
team_allowed(struct ctx *c, int *grouped)
{
	const char *extra[1] = { c->req->remote_user };
	PGresult *res = scoped_query(c, Q_TEAM_ROLE, 1, extra);
	if (res == NULL)
		return -1;
	const char *role = PQntuples(res) == 1 ? db_val(res, 0, 0) : NULL;
	int ok = role && (strcmp(role, "manager") == 0 || strcmp(role, "exec") == 0 ||
	                  strcmp(role, "admin") == 0);
	*grouped = role && strcmp(role, "manager") != 0;
	PQclear(res);
	if (ok)
		return 0;
	panel_error(c, 403, _("The team view is for managers and executives."));
	return 1;
}

/* STORED's rows from the latest run's sums for SUMS and the changes since
 * (panelagg.h: its $1 the owners changed for SUMS, $2 the scope, $3 when
 * ALSO is not AGG__N those changed for ALSO) when it stored them and they
 * give rows, else every row read now by LIVE (with LIVE_EXTRA). */
static PGresult *
from_sums(struct ctx *c, enum agg_sums sums, enum agg_sums also, enum query stored,
          enum query live, int nlive, const char *const *live_extra)
{
	char *scope;
	int agg = panel_agg_begin(c, sums, &scope);
	if (agg < 0)
		return NULL;
	if (agg) {
		const char *extra[2] = { scope, also != AGG__N ? panel_agg_changed(c, also) : NULL };
		PGresult *res = scoped_query(c, stored, also != AGG__N ? 2 : 1, extra);
		panel_agg_end(c, scope);
		if (res == NULL || PQntuples(res) > 0)
			return res;
		PQclear(res);	/* none stored (or no rows): read every row */
	}
	return scoped_query(c, live, nlive, live_extra);
}

/* The rows from the run's team sums (0031) and the accounts changed since
 * for its precise customers, else read now. */
static PGresult *
team_fetch(struct ctx *c)
{
	return from_sums(c, AGG_DEALS, AGG_ACCOUNTS, Q_TEAM_AGG, Q_TEAM, 0, NULL);
}

/* The forecast accuracy's rows from the run's won amounts by month
 * (0044), else read now. */
static PGresult *
accuracy_fetch(struct ctx *c)
{
	return from_sums(c, AGG_CLOSED, AGG__N, Q_FORECAST_ACCURACY_AGG, Q_FORECAST_ACCURACY, 0,
	                 NULL);
}

int
h_team(struct ctx *c, const char *arg)
{
	(void)arg;
	struct team_view v;
	memset(&v, 0, sizeof v);
	int allowed = team_allowed(c, &v.grouped);
	if (allowed != 0)
		return allowed < 0 ? -1 : 0;
	const char *sort = request_param(c->req, "sort");	/* checked: params.c */
	char *saved = NULL;
	v.team = request_param(c->req, "team");
	if (v.team != NULL) {
		int r = team_narrow(c, v.team, &saved);
		if (r != 0)
			return r < 0 ? -1 : 0;
	}
	PGresult *acc = NULL;
	if ((v.res = team_fetch(c)) == NULL || (acc = accuracy_fetch(c)) == NULL) {
		PQclear(v.res);
		scope_restore(c, saved);
		return -1;
	}
	scope_restore(c, saved);
	read_reps(&v, v.res);
	int64_t *ids = xcalloc(v.n ? (size_t)v.n : 1, sizeof *ids);
	struct accuracy *a = xcalloc(v.n ? (size_t)v.n : 1, sizeof *a);
	for (int i = 0; i < v.n; i++)
		ids[i] = v.reps[i].id;
	accuracy_read(acc, ids, a, v.n);
	for (int i = 0; i < v.n; i++)
		v.reps[i].acc = a[i];
	free(ids);
	free(a);
	PQclear(acc);
	int si = sort != NULL ? team_sort(sort) : 0;
	v.sort = sorts[si].key;
	sort_field = sorts[si].field;
	/* the rows come by team: each team's sums, then ordered */
	if (v.grouped && v.team == NULL) {
		teams_sum(&v);
		qsort(v.teams, (size_t)v.nteams, sizeof *v.teams, cmp_team);
	}
	qsort(v.reps, (size_t)v.n, sizeof *v.reps, cmp_rep);
	if (c->req->want_json)
		team_json(c, &v);
	else
		team_html(c, &v);
	free(v.teams);
	free(v.reps);
	PQclear(v.res);
	return 0;
}
