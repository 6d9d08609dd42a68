/* CSV import into the native tables.  A file's rows are read and
 * validated by import_rows.c (with file, line and column in every
 * message); only a file with no bad row is loaded, in one transaction, by
 * COPY into a staging table and one upsert, so that re-importing the same
 * file changes nothing and a bad file changes nothing either.  What only
 * the database knows (references, a login another user holds) is checked
 * here, one query per file, and reported by line too. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "admin.h"
#include "db.h"
#include "import_rows.h"
#include "log.h"
#include "pgcopy.h"
#include "sbuf.h"
#include "util.h"

static const char *const sql_types[] = {
	[C_ID] = "bigint", [C_COUNT] = "integer", [C_RANK] = "integer", [C_TEXT] = "text",
	[C_MONEY] = "numeric", [C_NET] = "numeric", [C_PROB] = "double precision",
	[C_DATE] = "date", [C_TS] = "timestamptz", [C_ROLE] = "text", [C_USERROLE] = "text",
	[C_IGNORED] = "text",
};

/* ---- loading ---- */

/* Columns NOT NULL in the table with a default: an empty field takes the
 * default (NULL would break the whole load without a line). */
static const char *
empty_default(const struct import_table *t, const char *col)
{
	static const struct { const char *table, *col, *sql; } dflt[] = {
		{ "accounts", "created_at", "now()" },
		{ "opportunities", "amount", "0" },
		{ "activities", "minutes", "0" },
	};
	for (size_t i = 0; i < sizeof dflt / sizeof dflt[0]; i++)
		if (strcmp(t->name, dflt[i].table) == 0 && strcmp(col, dflt[i].col) == 0)
			return dflt[i].sql;
	return NULL;
}

/* Runs a statement built in b and empties b; the result (NULL on error,
 * logged with what) is the caller's. */
static PGresult *
run(PGconn *conn, struct sbuf *b, ExecStatusType want, const char *what)
{
	PGresult *res = db_check(conn, PQexec(conn, b->s), want, what);
	sb_clear(b);
	return res;
}

/* The file's rows into a temporary table of text columns, by COPY.  The
 * statements here and below are built from the static table of
 * import_rows.c, never from the file: file values only travel through
 * COPY and $n. */
static int
stage_rows(PGconn *conn, struct import_rows *rs, struct sbuf *sql)
{
	const struct import_table *t = rs->t;
	sb_raw(sql, "CREATE TEMP TABLE import_rows (line bigint");
	for (int c = 0; c < rs->tcols; c++)
		sb_printf(sql, ", %s text", t->cols[c].name);
	sb_raw(sql, ") ON COMMIT DROP");
	int rc = db_command(conn, sql->s);
	sb_clear(sql);
	if (rc != 0)
		return -1;

	struct pgcopy cp;
	if (pgcopy_begin(&cp, conn, "COPY import_rows FROM STDIN") != 0)
		return -1;
	for (size_t r = 0; r < rs->nrows; r++) {
		pgcopy_rawf(&cp, "%ld", rs->lines[r]);
		for (int c = 0; c < rs->tcols; c++)
			pgcopy_text(&cp, rs->cells[r * (size_t)rs->tcols + (size_t)c]);
		pgcopy_endrow(&cp);
	}
	return pgcopy_finish(&cp, "import: staging");
}

/* References, with the line of each row that breaks one. */
static int
check_refs(PGconn *conn, struct import_rows *rs, struct sbuf *sql)
{
	const struct import_table *t = rs->t;
	for (int i = 0; i < 4 && t->refs[i].column; i++) {
		const struct import_ref *rf = &t->refs[i];
		const char *paren = strchr(rf->target, '(');
		sb_printf(sql, "SELECT line, %s FROM import_rows r WHERE %s IS NOT NULL AND NOT EXISTS"
		          " (SELECT 1 FROM %.*s x WHERE x.%.*s::text = r.%s) ORDER BY line LIMIT %d",
		          rf->column, rf->column, (int)(paren - rf->target - 1), rf->target,
		          (int)(strlen(paren) - 2), paren + 1, rf->column, IMPORT_MAX_ERRORS);
		PGresult *res = run(conn, sql, PGRES_TUPLES_OK, "import: references");
		if (res == NULL)
			return -1;
		for (int k = 0; k < PQntuples(res); k++)
			import_rows_error(rs, atol(PQgetvalue(res, k, 0)), "%s %s is not a known %s",
			          rf->column, PQgetvalue(res, k, 1), rf->what);
		PQclear(res);
	}
	return 0;
}

/* A value unique in the table (users' login) that another row holds
 * already.  (Twice in the file was found while reading.) */
static int
check_unique(PGconn *conn, struct import_rows *rs, struct sbuf *sql)
{
	const struct import_table *t = rs->t;
	if (t->unique == NULL)
		return 0;
	sb_printf(sql, "SELECT r.line, r.%s, x.%s FROM import_rows r JOIN %s x ON x.%s = r.%s"
	          " WHERE x.%s::text <> r.%s ORDER BY r.line LIMIT %d",
	          t->unique, t->key, t->target, t->unique, t->unique, t->key, t->key,
	          IMPORT_MAX_ERRORS);
	PGresult *res = run(conn, sql, PGRES_TUPLES_OK, "import: unique values");
	if (res == NULL)
		return -1;
	for (int k = 0; k < PQntuples(res); k++)
		import_rows_error(rs, atol(PQgetvalue(res, k, 0)),
		                  "%s: \"%s\" belongs to %s %s already", t->unique,
		                  PQgetvalue(res, k, 1), t->key, PQgetvalue(res, k, 2));
	PQclear(res);
	return 0;
}

/* Accounts that revenue names but no accounts file listed. */
static int
add_named_accounts(PGconn *conn, struct import_rows *rs)
{
	PGresult *res = db_check(conn, PQexec(conn,
	    "INSERT INTO crmx_native.accounts (account_id, name)"
	    " SELECT DISTINCT account_id::bigint, 'Account ' || account_id FROM import_rows"
	    " ON CONFLICT (account_id) DO NOTHING"), PGRES_COMMAND_OK, "import: new accounts");
	if (res == NULL)
		return -1;
	if (atol(PQcmdTuples(res)) > 0)
		log_info("import: %s: created %s accounts named only by revenue rows",
		         rs->path, PQcmdTuples(res));
	PQclear(res);
	return 0;
}

/* The upsert from the staging table into the target: the columns the
 * file has, an empty field taking the column's default where there is
 * one; on a known key, an update of the others where one differs (or
 * nothing): a file imported again rewrites no row it left as it was. */
static void
upsert_sql(const struct import_rows *rs, int is_revenue, struct sbuf *sql)
{
	const struct import_table *t = rs->t;
	struct sbuf cols, sel, upd, was, now;
	sb_init(&cols);
	sb_init(&sel);
	sb_init(&upd);
	sb_init(&was);
	sb_init(&now);
	for (int c = 0; c < rs->tcols; c++) {
		const struct import_column *col = &t->cols[c];
		if (col->type == C_IGNORED || (is_revenue && strcmp(col->name, "revenue_id") == 0))
			continue;
		if (!import_rows_has(rs, c))
			continue;	/* leave the table's default */
		sb_printf(&cols, "%s%s", cols.len ? ", " : "", col->name);
		const char *dflt = empty_default(t, col->name);
		if (dflt != NULL)
			sb_printf(&sel, "%scoalesce(%s::%s, %s)", sel.len ? ", " : "", col->name,
			          sql_types[col->type], dflt);
		else
			sb_printf(&sel, "%s%s::%s", sel.len ? ", " : "", col->name, sql_types[col->type]);
		if (strstr(t->key, col->name) == NULL) {
			sb_printf(&upd, "%s%s = EXCLUDED.%s", upd.len ? ", " : "", col->name, col->name);
			sb_printf(&was, "%st.%s", was.len ? ", " : "", col->name);
			sb_printf(&now, "%sEXCLUDED.%s", now.len ? ", " : "", col->name);
		}
	}
	if (is_revenue) {
		/* The import key: the file's revenue_id, else file name and line. */
		sb_raw(&cols, ", import_key");
		sb_raw(&sel, ", coalesce('id:' || revenue_id, $1::text || ':' || line)");
	}
	int update = t->update && upd.len;
	sb_printf(sql, "INSERT INTO %s AS t (%s) SELECT %s FROM import_rows ORDER BY line"
	          " ON CONFLICT (%s) DO ", t->target, cols.s, sel.s, t->key);
	if (update)
		sb_printf(sql, "UPDATE SET %s WHERE (%s) IS DISTINCT FROM (%s)", upd.s, was.s, now.s);
	else
		sb_raw(sql, "NOTHING");
	sb_free(&cols);
	sb_free(&sel);
	sb_free(&upd);
	sb_free(&was);
	sb_free(&now);
}

static int
upsert(PGconn *conn, struct import_rows *rs, int is_revenue, struct sbuf *sql)
{
	upsert_sql(rs, is_revenue, sql);
	const char *base = strrchr(rs->path, '/') ? strrchr(rs->path, '/') + 1 : rs->path;
	const char *params[1] = { base };
	PGresult *res = db_check(conn, PQexecParams(conn, sql->s, is_revenue ? 1 : 0, NULL,
	                         is_revenue ? params : NULL, NULL, NULL, 0), PGRES_COMMAND_OK,
	                         rs->path);
	sb_clear(sql);
	if (res == NULL)
		return -1;
	log_info("import: %s: %zu rows read, %s new or changed in %s",
	         rs->path, rs->nrows, PQcmdTuples(res), rs->t->target);
	PQclear(res);
	return 0;
}

static int
load_rows(PGconn *conn, struct import_rows *rs)
{
	int is_revenue = strcmp(rs->t->name, "revenue") == 0;
	struct sbuf sql;
	sb_init(&sql);
	int rc = -1;
	if (stage_rows(conn, rs, &sql) == 0 && check_refs(conn, rs, &sql) == 0 &&
	    check_unique(conn, rs, &sql) == 0 && rs->errors == 0 &&
	    (!is_revenue || add_named_accounts(conn, rs) == 0))
		rc = upsert(conn, rs, is_revenue, &sql);
	sb_free(&sql);
	return rc;
}

static int
import_file(PGconn *conn, const char *path, const struct import_table *t)
{
	struct import_rows rs;
	int rc = -1;
	FILE *f = fopen(path, "r");
	if (f == NULL) {
		log_error("import: %s: %s", path, strerror(errno));
		return -1;
	}
	import_rows_init(&rs, t, path, stderr);
	int errors = import_rows_read(&rs, f);
	fclose(f);
	if (errors > 0)
		goto report;
	if (db_command(conn, "BEGIN") != 0)
		goto out;
	if (load_rows(conn, &rs) != 0 || db_command(conn, "COMMIT") != 0) {
		db_command(conn, "ROLLBACK");
		goto report;
	}
	rc = 0;
	goto out;
report:
	if (rs.errors > IMPORT_MAX_ERRORS)
		fprintf(stderr, "%s: ... %d more errors\n", path, rs.errors - IMPORT_MAX_ERRORS);
	log_error("import: %s: nothing loaded from this file%s", path,
	          rs.errors ? " (fix the lines above)" : "");
out:
	import_rows_free(&rs);
	return rc;
}

static void
import_usage(FILE *out)
{
	fprintf(out,
	    "usage: crmx-admin import FILE.csv|DIR ...\n"
	    "  Loads CSV files into the native tables.  The file name says the table:\n"
	    "  users, accounts, contacts, opportunities, stage_history, revenue,\n"
	    "  activities (.csv); a directory loads those it holds in that order.\n"
	    "  The header row names the columns (those of the crmx_src contract).\n"
	    "  Each file loads whole or not at all; bad rows are listed as FILE:LINE.\n"
	    "  Rows are matched by their id (revenue: revenue_id, else file name and\n"
	    "  line), so importing the same file again duplicates nothing.\n");
}

int
cmd_import(struct admin_ctx *ctx, int argc, char **argv)
{
	int failed = 0, loaded = 0;
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		import_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) != 0) {
			log_error("import: %s: %s", argv[i], strerror(errno));
			failed++;
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			int any = 0;
			for (size_t k = 0; k < import_ntables; k++) {
				char path[4096];
				snprintf(path, sizeof path, "%s/%s.csv", argv[i], import_tables[k].name);
				if (access(path, F_OK) != 0)
					continue;
				any = 1;
				if (import_file(ctx->conn, path, &import_tables[k]) != 0)
					failed++;
				else
					loaded++;
			}
			if (!any) {
				log_error("import: %s: no users/accounts/.../activities .csv files", argv[i]);
				failed++;
			}
			continue;
		}
		const struct import_table *t = import_table_for(argv[i]);
		if (t == NULL) {
			log_error("import: %s: the file name must be one of users, accounts, contacts,"
			          " opportunities, stage_history, revenue, activities (.csv)", argv[i]);
			failed++;
			continue;
		}
		if (import_file(ctx->conn, argv[i], t) != 0)
			failed++;
		else
			loaded++;
	}
	if (failed)
		log_error("import: %d file(s) loaded, %d failed", loaded, failed);
	return failed ? 1 : 0;
}
