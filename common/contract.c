/* The adapter contract as data (contract.h), and its check. */
#include <stdio.h>
#include <string.h>

#include "contract.h"

#define BIG "bigint"
#define TXT "text"
#define TS "timestamp with time zone"

const struct contract_view contract_views[] = {
	{ "users", { { "user_id", BIG }, { "login", TXT }, { "name", TXT }, { "team", TXT },
	             { "role", TXT } } },
	{ "accounts", { { "account_id", BIG }, { "name", TXT }, { "owner_id", BIG },
	                { "region", TXT }, { "city", TXT }, { "industry", TXT },
	                { "created_at", TS } } },
	{ "contacts", { { "contact_id", BIG }, { "account_id", BIG }, { "name", TXT },
	                { "title", TXT }, { "purchase_role", TXT } } },
	{ "stages", { { "stage", TXT }, { "stage_rank", "integer" },
	              { "probability", "double precision" }, { "is_won", "boolean" },
	              { "is_lost", "boolean" } } },
	{ "opportunities", { { "opportunity_id", BIG }, { "account_id", BIG },
	                     { "owner_id", BIG }, { "name", TXT }, { "source", TXT },
	                     { "stage", TXT }, { "stage_rank", "integer" },
	                     { "amount", "numeric" }, { "probability", "double precision" },
	                     { "created_at", TS }, { "stage_entered_at", TS },
	                     { "expected_close", "date" }, { "closed_at", TS },
	                     { "outcome", TXT }, { "lost_reason", TXT } } },
	{ "stage_history", { { "opportunity_id", BIG }, { "stage_rank", "integer" },
	                     { "entered_at", TS } } },
	{ "revenue", { { "account_id", BIG }, { "booked_at", "date" }, { "amount", "numeric" },
	               { "margin", "numeric" } } },
	{ "activities", { { "activity_id", BIG }, { "account_id", BIG },
	                  { "opportunity_id", BIG }, { "owner_id", BIG }, { "kind", TXT },
	                  { "started_at", TS }, { "minutes", "integer" } } },
};
const unsigned contract_nviews = sizeof contract_views / sizeof contract_views[0];

/* Each query counts rows breaking a rule of the contract: must be 0. */
static const char *const domain_rules[][2] = {
	{ "role outside rep/manager/exec/admin",
	  "SELECT count(*) FROM crmx_src.users WHERE role NOT IN ('rep','manager','exec','admin') OR role IS NULL" },
	{ "duplicate user login",
	  "SELECT count(*) - count(DISTINCT login) FROM crmx_src.users" },
	{ "purchase_role outside the five roles",
	  "SELECT count(*) FROM crmx_src.contacts WHERE purchase_role NOT IN"
	  " ('decision_maker','recommender','user','influencer','insider')" },
	{ "funnel stage rank outside 1..5",
	  "SELECT count(*) FROM crmx_src.stages WHERE NOT is_lost AND stage_rank NOT BETWEEN 1 AND 5" },
	{ "outcome outside open/won/lost",
	  "SELECT count(*) FROM crmx_src.opportunities WHERE outcome NOT IN ('open','won','lost') OR outcome IS NULL" },
	{ "open deal without a rank",
	  "SELECT count(*) FROM crmx_src.opportunities WHERE outcome = 'open' AND stage_rank IS NULL" },
	{ "probability outside 0..1",
	  "SELECT count(*) FROM crmx_src.opportunities WHERE probability NOT BETWEEN 0 AND 1" },
	{ "closed deal without closed_at",
	  "SELECT count(*) FROM crmx_src.opportunities WHERE outcome <> 'open' AND closed_at IS NULL" },
	{ "history rank outside 1..5",
	  "SELECT count(*) FROM crmx_src.stage_history WHERE stage_rank NOT BETWEEN 1 AND 5" },
	{ "duplicate account id",
	  "SELECT count(*) - count(DISTINCT account_id) FROM crmx_src.accounts" },
	{ "duplicate opportunity id",
	  "SELECT count(*) - count(DISTINCT opportunity_id) FROM crmx_src.opportunities" },
	{ "revenue of an unknown account",
	  "SELECT count(*) FROM crmx_src.revenue r WHERE NOT EXISTS"
	  " (SELECT 1 FROM crmx_src.accounts a WHERE a.account_id = r.account_id)" },
	{ "negative activity minutes",
	  "SELECT count(*) FROM crmx_src.activities WHERE minutes < 0" },
	{ "owned_names gives an account not of its owner, or another name",
	  "SELECT count(*) FROM crmx_src.users u"
	  " CROSS JOIN LATERAL crmx_src.owned_names(ARRAY[u.user_id]) n WHERE NOT EXISTS"
	  " (SELECT 1 FROM crmx_src.accounts a WHERE a.account_id = n.account_id"
	  " AND a.owner_id = u.user_id AND a.name IS NOT DISTINCT FROM n.name)" },
};

/* Whether view is in the comma-separated list. */
static bool
listed(const char *list, const char *view)
{
	size_t n = strlen(view);
	for (const char *p = list; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (strncmp(p, view, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return true;
	return false;
}

/* A one-value query's value in out, or NULL (then out holds the error). */
static char *
value(PGconn *conn, const char *sql, char *out, size_t outsz)
{
	PGresult *res = PQexec(conn, sql);
	char *v = NULL;
	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1) {
		snprintf(out, outsz, "%s", PQgetvalue(res, 0, 0));
		v = out;
	} else
		snprintf(out, outsz, "%s", PQerrorMessage(conn));
	PQclear(res);
	return v;
}

/* The columns of one view against the contract; number of differences. */
static int
check_columns(PGconn *conn, const struct contract_view *vw, int *found,
              contract_report_fn *report, void *arg)
{
	char line[512];
	int bad = 0, n = 0;
	const char *params[1] = { vw->name };
	PGresult *res = PQexecParams(conn,
	    "SELECT column_name, data_type FROM information_schema.columns"
	    " WHERE table_schema = 'crmx_src' AND table_name = $1 ORDER BY ordinal_position",
	    1, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		snprintf(line, sizeof line, "cannot read the columns of crmx_src.%s: %s",
		         vw->name, PQerrorMessage(conn));
		report(arg, line);
		PQclear(res);
		*found = 0;
		return 1;
	}
	while (n < 16 && vw->cols[n].name)
		n++;
	*found = PQntuples(res);
	if (*found != n) {
		snprintf(line, sizeof line, "crmx_src.%s has %d columns, the contract %d",
		         vw->name, *found, n);
		report(arg, line);
		bad++;
	}
	for (int i = 0; i < n && i < *found; i++)
		if (strcmp(PQgetvalue(res, i, 0), vw->cols[i].name) != 0 ||
		    strcmp(PQgetvalue(res, i, 1), vw->cols[i].type) != 0) {
			snprintf(line, sizeof line,
			         "crmx_src.%s column %d is %s %s, the contract says %s %s",
			         vw->name, i + 1, PQgetvalue(res, i, 0), PQgetvalue(res, i, 1),
			         vw->cols[i].name, vw->cols[i].type);
			report(arg, line);
			bad++;
		}
	PQclear(res);
	return bad;
}

int
contract_check(PGconn *conn, const char *allow_empty, contract_report_fn *report, void *arg)
{
	char line[768], v[512], sql[128];
	int bad = 0;
	for (unsigned i = 0; i < contract_nviews; i++) {
		const struct contract_view *vw = &contract_views[i];
		int found;
		bad += check_columns(conn, vw, &found, report, arg);
		if (found == 0 || allow_empty == NULL || listed(allow_empty, vw->name))
			continue;
		/* On data, every view must be readable and hold rows. */
		snprintf(sql, sizeof sql, "SELECT count(*) FROM crmx_src.%s", vw->name);
		if (value(conn, sql, v, sizeof v) == NULL || strcmp(v, "0") == 0) {
			snprintf(line, sizeof line, "crmx_src.%s is %s", vw->name,
			         strcmp(v, "0") == 0 ? "empty" : "not readable");
			report(arg, line);
			bad++;
		}
	}
	for (size_t r = 0; r < sizeof domain_rules / sizeof domain_rules[0]; r++) {
		if (value(conn, domain_rules[r][1], v, sizeof v) == NULL) {
			snprintf(line, sizeof line, "cannot check %s: %s", domain_rules[r][0], v);
			report(arg, line);
			bad++;
		} else if (strcmp(v, "0") != 0) {
			snprintf(line, sizeof line, "%s rows with %s", v, domain_rules[r][0]);
			report(arg, line);
			bad++;
		}
	}
	return bad;
}
