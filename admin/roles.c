/* crmx-admin roles: the database roles of a deployment, each with exactly
 * the rights its program needs.  The role that runs crmx-admin owns
 * schemas crmx and crmx_src (it runs migrations and adapters); the panels'
 * role reads crmx_src and what the panels show from crmx and writes only
 * the panels' own records; reportd's role reads crmx_src and writes only
 * its runs, their results and the mail deliveries.  The rights are the
 * tables below, applied as one script: every right a role had on crmx's
 * schemas is revoked and the listed ones granted, in one transaction.
 * The role names are kept in crmx.settings, so that `migrate` and
 * `adapter` (which remakes crmx_src) grant them again (roles_reapply). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "admin.h"
#include "app.h"
#include "db.h"
#include "log.h"
#include "sbuf.h"
#include "util.h"

/* One right on one object of schema crmx (names are ours: constants). */
struct right {
	const char	*privs;		/* "SELECT, INSERT", "USAGE", "EXECUTE" */
	const char	*kind;		/* "TABLE", "SEQUENCE" or "FUNCTION" */
	const char	*name;		/* in schema crmx */
	const char	*args;		/* a function's argument types, else NULL */
};

/* crmx.fcgi (fcgi/queries.c): the latest metrics, the panels' records,
 * and writes to the forms (qualification and its history, reviews, contacts roles
 * and the key person reached, with their history). */
static const struct right panels_rights[] = {
	/* the latest run's rows, read by its id (queries.c, RUN) */
	{ "SELECT", "TABLE", "latest_run", NULL },
	{ "SELECT", "TABLE", "account_metrics", NULL },
	{ "SELECT", "TABLE", "owner_metrics", NULL },
	{ "SELECT", "TABLE", "run", NULL },		/* forecast accuracy: each */
	{ "SELECT", "TABLE", "forecast", NULL },	/* run's stored forecast */
	{ "SELECT", "TABLE", "funnel_metrics", NULL },
	{ "SELECT", "TABLE", "deal_forecast", NULL },	/* 0028 */
	{ "SELECT", "TABLE", "forecast_backtest", NULL },
	{ "SELECT, INSERT, UPDATE", "TABLE", "contact_role", NULL },
	{ "SELECT, INSERT", "TABLE", "contact_role_history", NULL },
	{ "USAGE", "SEQUENCE", "contact_role_history_id_seq", NULL },
	{ "SELECT", "TABLE", "user_pref", NULL },
	{ "SELECT, INSERT, UPDATE", "TABLE", "qualification", NULL },
	{ "SELECT, INSERT", "TABLE", "qualification_history", NULL },
	{ "SELECT, INSERT", "TABLE", "deal_review", NULL },
	{ "USAGE", "SEQUENCE", "qualification_history_id_seq", NULL },
	{ "USAGE", "SEQUENCE", "deal_review_id_seq", NULL },
	{ "SELECT", "TABLE", "changed_owner", NULL },	/* 0027: the pipeline and */
	{ "SELECT", "TABLE", "pipeline_agg", NULL },	/* regions from the run's */
	{ "SELECT", "TABLE", "closed_agg", NULL },	/* sums */
	{ "SELECT", "TABLE", "owner_funnel", NULL },	/* 0052: everyone's funnel counts */
	{ "SELECT", "TABLE", "region_agg", NULL },
	{ "SELECT", "TABLE", "team_agg", NULL },	/* the team view from the run's (0031) */
	{ "SELECT", "TABLE", "team_precise", NULL },
	{ "SELECT", "TABLE", "region_top", NULL },
	{ "SELECT", "TABLE", "changed_deal", NULL },	/* 0038: the pipeline and the */
	{ "SELECT", "TABLE", "open_deal", NULL },	/* team view by changed deal */
	{ "SELECT", "TABLE", "open_team", NULL },	/* 0057: a team's pipeline */
	{ "SELECT", "TABLE", "changed_account", NULL },	/* qualifications by account */
	{ "SELECT", "TABLE", "precise_account", NULL },	/* by account */
	{ "SELECT", "TABLE", "won_month", NULL },	/* 0044, 0045: forecast accuracy */
	{ "SELECT", "TABLE", "team_member", NULL },	/* 0048: an executive's teams */
	{ "SELECT", "TABLE", "team_open", NULL },
	{ "SELECT", "TABLE", "team_base", NULL },
	{ "SELECT", "TABLE", "team_month", NULL },
	{ "SELECT", "TABLE", "team_pipeline_agg", NULL },	/* 0060: a manager's */
	{ "SELECT", "TABLE", "team_closed_agg", NULL },	/* pipeline on a quiet day */
	{ "SELECT", "TABLE", "owner_top_account", NULL },	/* 0061: the accounts */
	{ "SELECT", "TABLE", "team_top_account", NULL },	/* lists' first rows */
};

/* crmx-reportd (engine.c, store.c, deliver.c, reportdata.c, snapshot.c):
 * its runs (pruning deletes them; their rows go by ON DELETE CASCADE,
 * or the panels' sums by 0046's trigger, both running as the tables'
 * owner), their results, the requested runs'
 * queue (0015), the mail deliveries,
 * the qualifications it grades, and a run's partition through the two
 * functions of 0016_run_partitions.sql. */
static const struct right reportd_rights[] = {
	{ "SELECT", "TABLE", "latest_run", NULL },
	{ "SELECT", "TABLE", "qualification", NULL },
	{ "SELECT, INSERT, UPDATE, DELETE", "TABLE", "run", NULL },
	{ "SELECT, INSERT", "TABLE", "account_metrics", NULL },
	{ "SELECT, INSERT", "TABLE", "owner_metrics", NULL },
	{ "SELECT, INSERT", "TABLE", "concentration", NULL },
	{ "SELECT, INSERT", "TABLE", "lorenz", NULL },
	{ "SELECT, INSERT", "TABLE", "funnel_metrics", NULL },
	{ "SELECT, INSERT", "TABLE", "win_rate", NULL },
	{ "SELECT, INSERT", "TABLE", "cohort_curve", NULL },
	{ "SELECT, INSERT", "TABLE", "forecast", NULL },
	{ "SELECT, INSERT", "TABLE", "deal_forecast", NULL },	/* 0028 */
	{ "SELECT, INSERT", "TABLE", "forecast_backtest", NULL },
	{ "INSERT", "TABLE", "region_agg", NULL },	/* 0054: the regions' sums */
	{ "INSERT", "TABLE", "region_top", NULL },
	{ "INSERT", "TABLE", "precise_account", NULL },
	{ "SELECT", "TABLE", "deal_review", NULL },	/* the learned forecast's */
	{ "SELECT", "TABLE", "contact_role", NULL },	/* dated features */
	{ "SELECT, INSERT, UPDATE", "TABLE", "mail_delivery", NULL },
	{ "SELECT, INSERT, UPDATE", "TABLE", "run_request", NULL },
	{ "USAGE", "SEQUENCE", "run_run_id_seq", NULL },
	{ "USAGE", "SEQUENCE", "run_request_id_seq", NULL },
	{ "USAGE", "SEQUENCE", "mail_delivery_id_seq", NULL },
	{ "EXECUTE", "FUNCTION", "add_run_partition", "bigint" },
	{ "EXECUTE", "FUNCTION", "drop_run_partition", "bigint" },
	{ "EXECUTE", "FUNCTION", "drop_run_accounts", "bigint" },	/* 0017 */
	{ "EXECUTE", "FUNCTION", "analyze_run_partition", "bigint" },
	{ "EXECUTE", "FUNCTION", "store_panel_aggregates", "bigint, text, pg_snapshot" },	/* 0051 */
	{ "EXECUTE", "FUNCTION", "discard_run", "bigint" },	/* 0051 */
	{ "EXECUTE", "FUNCTION", "store_closed_sums", "bigint" },	/* 0054 */
	{ "EXECUTE", "FUNCTION", "store_team_aggregates", "bigint" },	/* 0031 */
	{ "EXECUTE", "FUNCTION", "store_won_months", "bigint" },	/* 0044, 0045 */
	{ "EXECUTE", "FUNCTION", "store_team_rows", "bigint" },	/* 0048 */
	{ "EXECUTE", "FUNCTION", "store_team_whole", "bigint" },	/* 0056 */
	{ "EXECUTE", "FUNCTION", "store_pipeline_team_sums", "bigint" },	/* 0060 */
	{ "EXECUTE", "FUNCTION", "store_top_accounts", "bigint" },	/* 0061 */
	{ "EXECUTE", "FUNCTION", "attach_run_partition", "bigint" },	/* 0035 */
};

struct role {
	const char		*what;		/* "panels", "reportd": the settings key */
	const char		*name;
	char			*password;	/* from --password-file, or NULL */
	const struct right	*rights;
	size_t			 n_rights;
	int			 exec_src;	/* EXECUTE on crmx_src's functions */
};

/* The schemas crmx makes besides crmx: rights there are revoked, and
 * crmx_src's views granted to read.  Those of an adapter exist only with it. */
static const char *const other_schemas[] = { "crmx_src", "crmx_native", "crmx_tryton", "crmx_odoo" };
#define N_OTHER (sizeof other_schemas / sizeof other_schemas[0])

/* Role names: lower-case letters, digits and _, as unquoted SQL names are
 * (they are quoted anyway). */
static int
good_name(const char *s)
{
	size_t n = strlen(s);
	return n > 0 && n < 64 && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_") == n &&
	    !(s[0] >= '0' && s[0] <= '9') && strncmp(s, "pg_", 3) != 0;
}

/* Appends s quoted as an identifier (as_literal: as a string) or fails. */
static int
sb_quoted(struct sbuf *b, PGconn *conn, const char *s, int as_literal)
{
	char *q = as_literal ? PQescapeLiteral(conn, s, strlen(s))
	                     : PQescapeIdentifier(conn, s, strlen(s));
	if (q == NULL) {
		log_error("roles: %s", db_errmsg(conn));
		return -1;
	}
	sb_raw(b, q);
	PQfreemem(q);
	return 0;
}

/* Which of other_schemas exist: present[i]. */
static int
schemas_present(PGconn *conn, int present[N_OTHER])
{
	PGresult *res = db_check(conn, PQexec(conn,
	    "SELECT nspname FROM pg_namespace"
	    " WHERE nspname IN ('crmx_src', 'crmx_native', 'crmx_tryton', 'crmx_odoo')"),
	    PGRES_TUPLES_OK, "roles: schemas");
	if (res == NULL)
		return -1;
	for (size_t i = 0; i < N_OTHER; i++) {
		present[i] = 0;
		for (int r = 0; r < PQntuples(res); r++)
			if (strcmp(PQgetvalue(res, r, 0), other_schemas[i]) == 0)
				present[i] = 1;
	}
	PQclear(res);
	return 0;
}

/* The role, made when missing (LOGIN and nothing else); refused when it
 * exists with rights beyond crmx's grants (superuser, CREATEROLE, which
 * may grant itself any role, replication, or membership in the owner). */
static int
script_role(struct sbuf *b, PGconn *conn, const struct role *r)
{
	sb_printf(b, "-- %s: role ", r->what);
	sb_raw(b, r->name);
	sb_raw(b, "\nDO $crmx$\nDECLARE\n    r pg_roles;\nBEGIN\n"
	          "    SELECT * INTO r FROM pg_roles WHERE rolname = ");
	if (sb_quoted(b, conn, r->name, 1) != 0)
		return -1;
	sb_raw(b, ";\n    IF NOT FOUND THEN\n        CREATE ROLE ");
	if (sb_quoted(b, conn, r->name, 0) != 0)
		return -1;
	sb_raw(b, " LOGIN;\n"
	          "    ELSIF r.rolsuper OR r.rolcreaterole OR r.rolreplication OR r.rolbypassrls\n"
	          "          OR pg_has_role(r.oid, (SELECT nspowner FROM pg_namespace"
	          " WHERE nspname = 'crmx'), 'MEMBER') THEN\n"
	          "        RAISE EXCEPTION 'role % may do more than crmx grants it (superuser,"
	          " CREATEROLE, REPLICATION, BYPASSRLS, or the owner of schema crmx or a member"
	          " of it): use another', r.rolname;\n"
	          "    ELSIF NOT r.rolcanlogin THEN\n        ALTER ROLE ");
	if (sb_quoted(b, conn, r->name, 0) != 0)
		return -1;
	sb_raw(b, " LOGIN;\n    END IF;\nEND $crmx$;\n");
	if (r->password != NULL) {
		/* Hashed here as the server would (password_encryption): neither
		 * the script nor the server's log sees the password itself. */
		char *hash = PQencryptPasswordConn(conn, r->password, r->name, NULL);
		if (hash == NULL) {
			log_error("roles: hashing the password of %s: %s", r->name, db_errmsg(conn));
			return -1;
		}
		sb_raw(b, "ALTER ROLE ");
		int rc = sb_quoted(b, conn, r->name, 0);
		sb_raw(b, " PASSWORD ");
		rc = rc || sb_quoted(b, conn, hash, 1);
		PQfreemem(hash);
		if (rc)
			return -1;
		sb_raw(b, ";\n");
	}
	return 0;
}

/* "PRIVS ON KIND crmx.NAME[(ARGS)] TO|FROM ROLE;" */
static int
script_right(struct sbuf *b, PGconn *conn, const struct right *g, const char *qrole)
{
	sb_printf(b, "GRANT %s ON %s crmx.", g->privs, g->kind);
	if (sb_quoted(b, conn, g->name, 0) != 0)
		return -1;
	if (g->args != NULL)
		sb_printf(b, "(%s)", g->args);
	sb_printf(b, " TO %s;\n", qrole);
	return 0;
}

/* Every right the role has on crmx's schemas revoked, then the role's own
 * granted.  present: which of other_schemas exist. */
static int
script_grants(struct sbuf *b, PGconn *conn, const struct role *r, const int present[N_OTHER])
{
	char *qrole = PQescapeIdentifier(conn, r->name, strlen(r->name));
	char *qdb = PQescapeIdentifier(conn, PQdb(conn), strlen(PQdb(conn)));
	if (qrole == NULL || qdb == NULL) {
		log_error("roles: %s", db_errmsg(conn));
		PQfreemem(qrole);
		PQfreemem(qdb);
		return -1;
	}
	sb_printf(b, "-- %s: revoke everything, grant its rights\n", r->what);
	sb_printf(b, "REVOKE ALL ON DATABASE %s FROM %s;\n", qdb, qrole);
	sb_printf(b, "GRANT CONNECT ON DATABASE %s TO %s;\n", qdb, qrole);
	for (size_t i = 0; i <= N_OTHER; i++) {
		const char *s = i == 0 ? "crmx" : other_schemas[i - 1];
		if (i > 0 && !present[i - 1])
			continue;
		sb_printf(b, "REVOKE ALL ON SCHEMA %s FROM %s;\n"
		             "REVOKE ALL ON ALL TABLES IN SCHEMA %s FROM %s;\n"
		             "REVOKE ALL ON ALL SEQUENCES IN SCHEMA %s FROM %s;\n"
		             "REVOKE ALL ON ALL FUNCTIONS IN SCHEMA %s FROM %s;\n",
		          s, qrole, s, qrole, s, qrole, s, qrole);
	}
	sb_printf(b, "GRANT USAGE ON SCHEMA crmx TO %s;\n", qrole);
	int rc = 0;
	for (size_t i = 0; i < r->n_rights && rc == 0; i++)
		rc = script_right(b, conn, &r->rights[i], qrole);
	if (present[0]) {	/* crmx_src: every view of the adapter's contract */
		sb_printf(b, "GRANT USAGE ON SCHEMA crmx_src TO %s;\n"
		             "GRANT SELECT ON ALL TABLES IN SCHEMA crmx_src TO %s;\n", qrole, qrole);
		if (r->exec_src)	/* change_feed(), session_login() */
			sb_printf(b, "GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA crmx_src TO %s;\n", qrole);
	}
	PQfreemem(qrole);
	PQfreemem(qdb);
	return rc;
}

/* The names, recorded for roles_reapply. */
static int
script_record(struct sbuf *b, PGconn *conn, const struct role *r)
{
	sb_raw(b, "INSERT INTO crmx.settings (key, value) VALUES ");
	sb_printf(b, "('role.%s', ", r->what);
	if (sb_quoted(b, conn, r->name, 1) != 0)
		return -1;
	sb_raw(b, ") ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now();\n");
	return 0;
}

static void
role_init(struct role *r, const char *what, const char *name)
{
	memset(r, 0, sizeof *r);
	r->what = what;
	r->name = name;
	if (strcmp(what, "panels") == 0) {
		r->rights = panels_rights;
		r->n_rights = sizeof panels_rights / sizeof panels_rights[0];
		r->exec_src = 1;
	} else {
		r->rights = reportd_rights;
		r->n_rights = sizeof reportd_rights / sizeof reportd_rights[0];
	}
}

/* Runs script (statements, no transaction control) in the open
 * transaction. */
static int
exec_script(PGconn *conn, const char *script, const char *what)
{
	PGresult *res = PQexec(conn, script);
	if (db_check(conn, res, PQresultStatus(res) == PGRES_TUPLES_OK ? PGRES_TUPLES_OK :
	             PGRES_COMMAND_OK, what) == NULL)
		return -1;
	PQclear(res);
	return 0;
}

int
roles_reapply(PGconn *conn)
{
	PGresult *res = db_check(conn, PQexec(conn,
	    "SELECT s.key, s.value, r.oid IS NOT NULL FROM crmx.settings s"
	    " LEFT JOIN pg_roles r ON r.rolname = s.value"
	    " WHERE s.key IN ('role.panels', 'role.reportd') ORDER BY s.key"),
	    PGRES_TUPLES_OK, "roles: recorded roles");
	if (res == NULL)
		return -1;
	int present[N_OTHER], rc = 0;
	if (PQntuples(res) > 0 && schemas_present(conn, present) != 0)
		rc = -1;
	for (int i = 0; i < PQntuples(res) && rc == 0; i++) {
		const char *what = PQgetvalue(res, i, 0) + strlen("role.");
		const char *name = PQgetvalue(res, i, 1);
		if (PQgetvalue(res, i, 2)[0] != 't') {
			log_warn("roles: the %s role \"%s\" no longer exists (crmx-admin roles"
			         " makes it again)", what, name);
			continue;
		}
		struct role r;
		struct sbuf b;
		role_init(&r, what, name);
		sb_init(&b);
		rc = script_grants(&b, conn, &r, present);
		if (rc == 0)
			rc = exec_script(conn, b.s, "roles: granting again");
		if (rc == 0)
			log_info("roles: rights of %s granted again", name);
		sb_free(&b);
	}
	PQclear(res);
	return rc;
}

/* --password-file: lines "ROLE:PASSWORD" (a password may hold ':'); the
 * file must be readable by its owner alone, as libpq asks of ~/.pgpass. */
static int
read_passwords(const char *path, struct role *roles, size_t n)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		log_error("roles: %s: %s", path, strerror(errno));
		return -1;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		log_error("roles: %s: others may read it (chmod 600)", path);
		return -1;
	}
	size_t len;
	char *text = slurp(path, &len);
	if (text == NULL) {
		log_error("roles: %s: %s", path, strerror(errno));
		return -1;
	}
	int rc = 0, lineno = 0;
	for (char *line = text, *next; line != NULL && rc == 0; line = next) {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		lineno++;
		line[strcspn(line, "\r")] = '\0';
		if (*line == '\0' || *line == '#')
			continue;
		char *colon = strchr(line, ':');
		size_t k = n;
		if (colon != NULL) {
			*colon = '\0';
			for (k = 0; k < n && strcmp(roles[k].name, line) != 0; k++)
				;
		}
		if (colon == NULL || colon[1] == '\0' || k == n) {
			log_error("roles: %s:%d: expected ROLE:PASSWORD for %s or %s", path, lineno,
			          roles[0].name, roles[1].name);
			rc = -1;
		} else {
			free(roles[k].password);
			roles[k].password = xstrdup(colon + 1);
		}
	}
	explicit_bzero(text, len);
	free(text);
	return rc;
}

static void
roles_usage(FILE *out)
{
	fprintf(out,
	    "usage: crmx-admin roles [OPTIONS]\n"
	    "  Creates (when missing) the LOGIN roles of crmx.fcgi and crmx-reportd and\n"
	    "  gives each exactly the rights its program needs in this database; run it\n"
	    "  as the owner of schema crmx, after `migrate` and `adapter`.\n"
	    "      --panels-role NAME    crmx.fcgi's role (default crmx_panels)\n"
	    "      --reportd-role NAME   crmx-reportd's role (default crmx_reportd)\n"
	    "      --password-file FILE  lines ROLE:PASSWORD setting the roles' passwords\n"
	    "      --print               print the SQL instead of running it\n");
}

/* The command line of `crmx-admin roles`. */
struct roles_opts {
	const char	*panels, *reportd, *pwfile;
	int		 print;
};

/* Parses the command line into o: -1 to go on, else the exit status. */
static int
roles_options(int argc, char **argv, struct roles_opts *o)
{
	static const struct option longopts[] = {
		{ "panels-role", required_argument, NULL, 'p' },
		{ "reportd-role", required_argument, NULL, 'r' },
		{ "password-file", required_argument, NULL, 'f' },
		{ "print", no_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'p': o->panels = optarg; break;
		case 'r': o->reportd = optarg; break;
		case 'f': o->pwfile = optarg; break;
		case 'P': o->print = 1; break;
		case 'h': roles_usage(stdout); return 0;
		default: return app_bad_option("crmx-admin roles", argv, longopts);
		}
	}
	if (optind < argc) {
		roles_usage(stderr);
		return 2;
	}
	if (!good_name(o->panels) || !good_name(o->reportd) || strcmp(o->panels, o->reportd) == 0) {
		log_error("roles: role names are two different names of lower-case letters,"
		          " digits and _ (not starting with a digit or pg_)");
		return 2;
	}
	return -1;
}

/* The script for both roles into b: 0, or -1 (logged). */
static int
roles_script(PGconn *conn, struct role *roles, struct sbuf *b)
{
	int present[N_OTHER];
	if (schemas_present(conn, present) != 0)
		return -1;
	if (!present[0])
		log_warn("roles: no adapter installed yet: `crmx-admin adapter` grants crmx_src");
	for (size_t i = 0; i < 2; i++)
		if (script_role(b, conn, &roles[i]) != 0 ||
		    script_grants(b, conn, &roles[i], present) != 0 ||
		    script_record(b, conn, &roles[i]) != 0)
			return -1;
	return 0;
}

/* Runs the script in one transaction: 0, or -1 with nothing changed. */
static int
roles_run(PGconn *conn, const char *script)
{
	if (db_command(conn, "BEGIN") != 0)
		return -1;
	if (db_command(conn, "SET LOCAL client_min_messages = warning") != 0 ||
	    exec_script(conn, script, "roles") != 0 || db_command(conn, "COMMIT") != 0) {
		db_command(conn, "ROLLBACK");
		log_error("roles: nothing changed");
		return -1;
	}
	return 0;
}

int
cmd_roles(struct admin_ctx *ctx, int argc, char **argv)
{
	struct roles_opts o = { "crmx_panels", "crmx_reportd", NULL, 0 };
	int rc = roles_options(argc, argv, &o);
	if (rc >= 0)
		return rc;
	struct role roles[2];
	role_init(&roles[0], "panels", o.panels);
	role_init(&roles[1], "reportd", o.reportd);
	struct sbuf b;
	sb_init(&b);
	rc = 1;
	if (o.pwfile != NULL && read_passwords(o.pwfile, roles, 2) != 0) {
		rc = 2;
	} else {
		admin_connect(ctx);
		if (roles_script(ctx->conn, roles, &b) != 0)
			;
		else if (o.print) {
			printf("BEGIN;\n%sCOMMIT;\n", b.s);
			rc = 0;
		} else if (roles_run(ctx->conn, b.s) == 0) {
			log_info("roles: %s (crmx.fcgi) and %s (crmx-reportd) have their rights%s",
			         o.panels, o.reportd, o.pwfile ? " and passwords" : "");
			rc = 0;
		}
	}
	for (size_t i = 0; i < 2; i++)
		if (roles[i].password != NULL) {
			explicit_bzero(roles[i].password, strlen(roles[i].password));
			free(roles[i].password);
		}
	if (b.s != NULL)
		explicit_bzero(b.s, b.len);
	sb_free(&b);
	return rc;
}
