/* /crmx/team: a manager's team (an executive's every team, grouped by
 * team; a rep gets 403), one row per rep with the open pipeline, the
 * forecast, wins, win rate, forecast accuracy, stalled and unreviewed
 * deals, activity, precise customers, the learned forecast beside the
 * weighted one, key-person coverage and the share
 * of the team's won revenue (the 80/20 of reps); ?sort= orders the rows
 * (within each team).  This file fetches (by column name), sorts and
 * dispatches; the writers are team_html.c and team_json.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "panelagg.h"
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
cmp_rep(const void *pa, const void *pb)
{
	const struct team_rep *a = pa, *b = pb;
	int d = strcmp(a->team, b->team);
	if (d == 0 && sort_field == -1)
		d = strcmp(a->name, b->name);
	else if (d == 0 && sort_field == -2)
		d = cmp_num(a->acc.mape, b->acc.mape, 1);
	else if (d == 0)
		d = cmp_num(a->v[sort_field], b->v[sort_field], 0);
	return d ? d : (a->id > b->id) - (a->id < b->id);
}

static void
read_reps(struct team_view *v, PGresult *res)
{
	int cid = db_col(res, "user_id"), cname = db_col(res, "name"), cteam = db_col(res, "team");
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
	}
	/* the same on every row: the latest run's */
	if (v->n > 0)
		v->keeps = winfeature_keeps_note(db_val(res, 0, db_col(res, "keeps_weights")));
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

/* The rows from the latest run's sums and the changes since (0031,
 * panelagg.h) when it stored them, else every row read now. */
static PGresult *
team_fetch(struct ctx *c)
{
	char stall[16], *scope;
	snprintf(stall, sizeof stall, "%d", c->cfg->metrics_stall_days);
	int agg = panel_agg_begin(c, &scope);
	if (agg < 0)
		return NULL;
	PGresult *res = NULL;
	if (agg) {
		const char *extra[2] = { stall, scope };
		res = scoped_query(c, Q_TEAM_AGG, 2, extra);
		panel_agg_end(c, scope);
		if (res == NULL || PQntuples(res) > 0)
			return res;
		PQclear(res);	/* no sums (or no reps): read every row */
	}
	const char *extra[1] = { stall };
	return scoped_query(c, Q_TEAM, 1, extra);
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
	if ((v.res = team_fetch(c)) == NULL)
		return -1;
	const char *extra[1] = { NULL };	/* every owner in scope */
	PGresult *acc = scoped_query(c, Q_FORECAST_ACCURACY, 1, extra);
	if (acc == NULL) {
		PQclear(v.res);
		return -1;
	}
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
	const char *sort = request_param(c->req, "sort");
	int si = sort != NULL && team_sort(sort) >= 0 ? team_sort(sort) : 0;
	v.sort = sorts[si].key;
	sort_field = sorts[si].field;
	qsort(v.reps, (size_t)v.n, sizeof *v.reps, cmp_rep);
	if (c->req->want_json)
		team_json(c, &v);
	else
		team_html(c, &v);
	free(v.reps);
	PQclear(v.res);
	return 0;
}
