/* The team panel as JSON (data: team.c). */
#include <math.h>

#include "team.h"

static const char *const keys[TM__NUM] = {
	"open_deals", "open_amount", "weighted", "forecast_month", "forecast_quarter",
	"won_quarter", "win_rate", "stalled", "unreviewed", "activity_hours",
	"revenue_per_hour", "won_12m", "precise", "key_person_coverage", "revenue_share",
	"cumulative_share", "learned_forecast",
};

static void
fields(json_t *j, const double *v)
{
	for (int f = 0; f < TM__NUM; f++)
		json_object_set_new(j, keys[f], isnan(v[f]) ? json_null() : json_real(v[f]));
}

/* reps: every rep of the scope (an executive: grouped by team, with the
 * teams' rows in teams); ?team=: that team's. */
void
team_json(struct ctx *c, const struct team_view *v)
{
	json_t *reps = json_array();
	for (int i = 0; i < v->n; i++) {
		const struct team_rep *r = &v->reps[i];
		json_t *j = json_pack("{s:I, s:s, s:o}", "user_id", (json_int_t)r->id, "name", r->name,
		                      "team", r->team[0] ? json_string(r->team) : json_null());
		fields(j, r->v);
		json_object_set_new(j, "forecast_accuracy", accuracy_json(&r->acc));
		json_array_append_new(reps, j);
	}
	json_t *j = json_pack("{s:s, s:b, s:o, s:o, s:o, s:o}", "sort", v->sort, "grouped", v->grouped,
	                      "team", v->team ? json_string(v->team) : json_null(),
	                      "as_of", v->as_of ? json_string(v->as_of) : json_null(),
	                      "reps", reps, "keeps_stage_weights",
	                      v->keeps ? json_string(v->keeps) : json_null());
	if (v->teams != NULL) {
		json_t *teams = json_array();
		for (int i = 0; i < v->nteams; i++) {
			const struct team_sum *t = &v->teams[i];
			json_t *o = json_pack("{s:o, s:i}", "team",
			                      t->team[0] ? json_string(t->team) : json_null(),
			                      "reps", t->reps);
			fields(o, t->v);
			json_object_set_new(o, "forecast_accuracy", accuracy_json(&t->acc));
			json_array_append_new(teams, o);
		}
		json_object_set_new(j, "teams", teams);
	}
	send_json(c, j);
}
