/* CSV import into the native tables.  A file's rows are validated against
 * the column table below (with file and line in every message); only a
 * file with no bad row is loaded, in one transaction, by COPY into a
 * staging table and one upsert, so that re-importing the same file changes
 * nothing and a bad file changes nothing either. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csv.h>

#include "admin.h"
#include "db.h"
#include "log.h"
#include "pgcopy.h"
#include "utf8.h"
#include "util.h"

enum ctype { C_ID, C_COUNT, C_RANK, C_TEXT, C_MONEY, C_PROB, C_DATE, C_TS,
             C_ROLE, C_USERROLE, C_IGNORED };

struct column {
	const char	*name;
	enum ctype	 type;
	int		 required;
};

/* A reference checked in SQL, reported by line. */
struct ref {
	const char	*column;
	const char	*target;	/* "crmx_native.accounts (account_id)" */
	const char	*what;		/* "account" */
};

#define MAX_COLS 16

struct table {
	const char		*name;		/* file name without .csv */
	const char		*target;	/* crmx_native.<name> */
	const char		*key;		/* conflict target columns */
	int			 update;	/* upsert (1) or keep the first (0) */
	struct column		 cols[MAX_COLS];
	struct ref		 refs[4];
};

/* In load order: a directory is imported in this order. */
static const struct table tables[] = {
	{ "users", "crmx_native.users", "user_id", 1, {
		{ "user_id", C_ID, 1 }, { "login", C_TEXT, 1 }, { "name", C_TEXT, 1 },
		{ "team", C_TEXT, 0 }, { "role", C_USERROLE, 1 } }, { { 0 } } },
	{ "accounts", "crmx_native.accounts", "account_id", 1, {
		{ "account_id", C_ID, 1 }, { "name", C_TEXT, 1 }, { "owner_id", C_ID, 0 },
		{ "region", C_TEXT, 0 }, { "city", C_TEXT, 0 }, { "industry", C_TEXT, 0 },
		{ "created_at", C_TS, 0 } },
	  { { "owner_id", "crmx_native.users (user_id)", "user" } } },
	{ "contacts", "crmx_native.contacts", "contact_id", 1, {
		{ "contact_id", C_ID, 1 }, { "account_id", C_ID, 1 }, { "name", C_TEXT, 1 },
		{ "title", C_TEXT, 0 }, { "purchase_role", C_ROLE, 0 } },
	  { { "account_id", "crmx_native.accounts (account_id)", "account" } } },
	{ "opportunities", "crmx_native.opportunities", "opportunity_id", 1, {
		{ "opportunity_id", C_ID, 1 }, { "account_id", C_ID, 1 },
		{ "owner_id", C_ID, 0 }, { "name", C_TEXT, 1 }, { "source", C_TEXT, 0 },
		{ "stage", C_TEXT, 1 }, { "amount", C_MONEY, 0 }, { "probability", C_PROB, 0 },
		{ "created_at", C_TS, 1 }, { "stage_entered_at", C_TS, 0 },
		{ "expected_close", C_DATE, 0 }, { "closed_at", C_TS, 0 },
		{ "lost_reason", C_TEXT, 0 },
		/* derived by the native adapter; accepted so that an export of
		 * crmx_src loads back, but not stored */
		{ "stage_rank", C_IGNORED, 0 }, { "outcome", C_IGNORED, 0 } },
	  { { "account_id", "crmx_native.accounts (account_id)", "account" },
	    { "owner_id", "crmx_native.users (user_id)", "user" },
	    { "stage", "crmx_native.stages (stage)", "stage" } } },
	{ "stage_history", "crmx_native.stage_history", "opportunity_id, stage_rank, entered_at", 0, {
		{ "opportunity_id", C_ID, 1 }, { "stage_rank", C_RANK, 1 },
		{ "entered_at", C_TS, 1 } },
	  { { "opportunity_id", "crmx_native.opportunities (opportunity_id)", "opportunity" } } },
	{ "revenue", "crmx_native.revenue", "import_key", 1, {
		{ "revenue_id", C_TEXT, 0 }, { "account_id", C_ID, 1 },
		{ "booked_at", C_DATE, 1 }, { "amount", C_MONEY, 1 }, { "margin", C_MONEY, 0 } },
	  { { 0 } } },	/* unknown accounts are created instead */
	{ "activities", "crmx_native.activities", "activity_id", 1, {
		{ "activity_id", C_ID, 1 }, { "account_id", C_ID, 1 },
		{ "opportunity_id", C_ID, 0 }, { "owner_id", C_ID, 0 }, { "kind", C_TEXT, 1 },
		{ "started_at", C_TS, 1 }, { "minutes", C_COUNT, 0 } },
	  { { "account_id", "crmx_native.accounts (account_id)", "account" },
	    { "opportunity_id", "crmx_native.opportunities (opportunity_id)", "opportunity" },
	    { "owner_id", "crmx_native.users (user_id)", "user" } } },
};
#define N_TABLES (sizeof tables / sizeof tables[0])

static const char *const sql_types[] = {
	[C_ID] = "bigint", [C_COUNT] = "integer", [C_RANK] = "integer", [C_TEXT] = "text",
	[C_MONEY] = "numeric", [C_PROB] = "double precision", [C_DATE] = "date",
	[C_TS] = "timestamptz", [C_ROLE] = "text", [C_USERROLE] = "text", [C_IGNORED] = "text",
};

#define MAX_ERRORS 20

/* ---- field validation ---- */

static int
is_digits(const char *s, size_t n)
{
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* -?digits(.digits)? with at most 16 integer and 2 decimal digits:
 * what numeric(18,2) holds. */
static int
valid_money(const char *s)
{
	if (*s == '-')
		s++;
	const char *dot = strchr(s, '.');
	size_t ip = dot ? (size_t)(dot - s) : strlen(s);
	if (!is_digits(s, ip) || ip > 16)
		return 0;
	if (dot == NULL)
		return 1;
	size_t fp = strlen(dot + 1);
	return fp >= 1 && fp <= 2 && is_digits(dot + 1, fp);
}

/* YYYY-MM-DD, optionally followed by [T ]HH:MM[:SS[.fff]] and a zone
 * Z / +HH[:MM] / -HH[:MM].  Without a zone, UTC. */
static int
valid_ts(const char *s)
{
	char date[11];
	int32_t day;
	if (strlen(s) < 10)
		return 0;
	memcpy(date, s, 10);
	date[10] = '\0';
	if (parse_date(date, &day) != 0)
		return 0;
	s += 10;
	if (*s == '\0')
		return 1;
	if (*s != 'T' && *s != ' ')
		return 0;
	s++;
	if (!is_digits(s, 2) || s[2] != ':' || !is_digits(s + 3, 2) ||
	    atoi(s) > 23 || atoi(s + 3) > 59)
		return 0;
	s += 5;
	if (*s == ':') {
		if (!is_digits(s + 1, 2) || atoi(s + 1) > 59)
			return 0;
		s += 3;
		if (*s == '.') {
			size_t n = strspn(s + 1, "0123456789");
			if (n == 0 || n > 6)
				return 0;
			s += 1 + n;
		}
	}
	if (*s == '\0' || strcmp(s, "Z") == 0)
		return 1;
	if (*s != '+' && *s != '-')
		return 0;
	s++;
	if (!is_digits(s, 2))
		return 0;
	s += 2;
	if (*s == ':')
		s++;
	return *s == '\0' || (is_digits(s, 2) && s[2] == '\0');
}

static int
in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return 1;
	return 0;
}

/* NULL when v is fine for the column, else what was expected. */
static const char *
check_field(enum ctype t, const char *v)
{
	static const char *const purchase_roles[] = { "decision_maker", "recommender", "user",
	                                             "influencer", "insider", NULL };
	static const char *const user_roles[] = { "rep", "manager", "exec", "admin", NULL };
	int64_t n;
	double d;
	char *end;
	if (!utf8_valid_str(v))
		return "valid UTF-8 text";
	switch (t) {
	case C_ID:
		return parse_int64(v, 1, INT64_MAX, &n) ? "a positive whole number" : NULL;
	case C_COUNT:
		return parse_int64(v, 0, 2147483647, &n) ? "a whole number >= 0" : NULL;
	case C_RANK:
		return parse_int64(v, 1, 5, &n) ? "a funnel rank from 1 to 5" : NULL;
	case C_TEXT:
	case C_IGNORED:
		return strlen(v) > 10000 ? "text of at most 10000 bytes" : NULL;
	case C_MONEY:
		return valid_money(v) ? NULL : "an amount like 1234.50 (at most 2 decimals)";
	case C_PROB:
		errno = 0;
		d = strtod(v, &end);
		return (errno || end == v || *end || !(d >= 0 && d <= 1)) ?
		       "a probability from 0 to 1" : NULL;
	case C_DATE: {
		int32_t day;
		return parse_date(v, &day) ? "a date YYYY-MM-DD" : NULL;
	}
	case C_TS:
		return valid_ts(v) ? NULL : "a time YYYY-MM-DD[ HH:MM[:SS]][zone]";
	case C_ROLE:
		return in_list(v, purchase_roles) ? NULL :
		       "decision_maker, recommender, user, influencer or insider";
	case C_USERROLE:
		return in_list(v, user_roles) ? NULL : "rep, manager, exec or admin";
	}
	return "a known type";
}

/* ---- parsing ---- */

struct rowset {
	const struct table	*t;
	const char		*path;
	const char		*base;		/* file name, for import keys */
	int			 ncols;		/* in the file */
	int			 map[MAX_COLS];	/* file column -> table column, -1 ignored */
	int			 header_done;
	long			 line;		/* physical line being fed */
	long			 row_line;	/* line where the current record began */
	int			 nfield;	/* fields seen in the current record */
	char			*fields[MAX_COLS];
	int			 errors;
	/* rows kept for loading: nrows x tcols strings (NULL = SQL NULL) */
	char			**cells;
	long			*lines;
	size_t			 nrows, cap;
	int			 tcols;
};

static void
row_error(struct rowset *rs, long line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
row_error(struct rowset *rs, long line, const char *fmt, ...)
{
	if (rs->errors++ >= MAX_ERRORS)
		return;
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s:%ld: %s\n", rs->path, line, msg);
}

static int
table_col(const struct table *t, const char *name)
{
	for (int i = 0; i < MAX_COLS && t->cols[i].name; i++)
		if (strcmp(t->cols[i].name, name) == 0)
			return i;
	return -1;
}

static int
count_cols(const struct table *t)
{
	int n = 0;
	while (n < MAX_COLS && t->cols[n].name)
		n++;
	return n;
}

static void
on_field(void *data, size_t len, void *p)
{
	struct rowset *rs = p;
	if (rs->nfield == 0)
		rs->row_line = rs->line;
	if (rs->nfield < MAX_COLS)
		rs->fields[rs->nfield] = data ? strndup(data, len) : NULL;
	rs->nfield++;
}

static void
take_header(struct rowset *rs)
{
	const struct table *t = rs->t;
	int seen[MAX_COLS] = { 0 };
	rs->header_done = 1;
	rs->ncols = rs->nfield;
	if (rs->nfield > MAX_COLS) {
		row_error(rs, rs->row_line, "too many columns (%d)", rs->nfield);
		return;
	}
	for (int i = 0; i < rs->nfield; i++) {
		const char *h = rs->fields[i] ? rs->fields[i] : "";
		if (i == 0 && strncmp(h, "\xef\xbb\xbf", 3) == 0)	/* BOM */
			h += 3;
		int c = table_col(t, h);
		if (c < 0) {
			row_error(rs, rs->row_line, "unknown column \"%s\" for %s", h, t->name);
			continue;
		}
		if (seen[c]++) {
			row_error(rs, rs->row_line, "column \"%s\" appears twice", h);
			continue;
		}
		rs->map[i] = t->cols[c].type == C_IGNORED ? -1 : c;
	}
	for (int c = 0; c < rs->tcols; c++)
		if (t->cols[c].required && !seen[c])
			row_error(rs, rs->row_line, "required column \"%s\" is missing",
			          t->cols[c].name);
}

static void
take_row(struct rowset *rs)
{
	const struct table *t = rs->t;
	if (rs->nfield != rs->ncols) {
		row_error(rs, rs->row_line, "%d fields, the header has %d", rs->nfield, rs->ncols);
		return;
	}
	char **row = NULL;
	if (rs->errors == 0) {
		if (rs->nrows == rs->cap) {
			rs->cap = rs->cap ? rs->cap * 2 : 1024;
			rs->cells = xrealloc(rs->cells, rs->cap * (size_t)rs->tcols * sizeof *rs->cells);
			rs->lines = xrealloc(rs->lines, rs->cap * sizeof *rs->lines);
		}
		row = rs->cells + rs->nrows * (size_t)rs->tcols;
		memset(row, 0, (size_t)rs->tcols * sizeof *row);
	}
	for (int i = 0; i < rs->nfield; i++) {
		int c = rs->map[i];
		if (c < 0)
			continue;
		const char *v = rs->fields[i];
		if (v == NULL || *v == '\0') {
			if (t->cols[c].required)
				row_error(rs, rs->row_line, "%s is empty", t->cols[c].name);
			continue;
		}
		const char *want = check_field(t->cols[c].type, v);
		if (want != NULL) {
			row_error(rs, rs->row_line, "%s: expected %s, got \"%.60s\"",
			          t->cols[c].name, want, v);
			continue;
		}
		if (row != NULL && rs->errors == 0) {
			row[c] = rs->fields[i];
			rs->fields[i] = NULL;	/* now owned by cells */
		}
	}
	if (row != NULL && rs->errors == 0)
		rs->lines[rs->nrows++] = rs->row_line;
}

static void
on_row(int c, void *p)
{
	(void)c;
	struct rowset *rs = p;
	if (rs->nfield == 0)
		rs->row_line = rs->line;
	if (!rs->header_done)
		take_header(rs);
	else if (!(rs->nfield == 1 && rs->fields[0] == NULL))	/* blank line */
		take_row(rs);
	for (int i = 0; i < rs->nfield && i < MAX_COLS; i++) {
		free(rs->fields[i]);
		rs->fields[i] = NULL;
	}
	rs->nfield = 0;
}

static int
parse_file(struct rowset *rs)
{
	FILE *f = fopen(rs->path, "r");
	if (f == NULL) {
		log_error("import: %s: %s", rs->path, strerror(errno));
		return -1;
	}
	struct csv_parser p;
	csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL | CSV_EMPTY_IS_NULL);
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	rs->line = 0;
	while ((len = getline(&line, &cap, f)) > 0) {
		rs->line++;
		if (csv_parse(&p, line, (size_t)len, on_field, on_row, rs) != (size_t)len) {
			row_error(rs, rs->line, "malformed CSV: %s", csv_strerror(csv_error(&p)));
			break;
		}
		if (rs->errors > MAX_ERRORS)
			break;
	}
	if (rs->errors == 0 && csv_fini(&p, on_field, on_row, rs) != 0)
		row_error(rs, rs->line, "malformed CSV: %s", csv_strerror(csv_error(&p)));
	for (int i = 0; i < MAX_COLS; i++)
		free(rs->fields[i]);
	csv_free(&p);
	free(line);
	fclose(f);
	if (!rs->header_done)
		row_error(rs, 1, "empty file: a header row is needed");
	return 0;
}

/* ---- loading ---- */

static int
load_rows(PGconn *conn, struct rowset *rs)
{
	const struct table *t = rs->t;
	char sql[4096], cols[1024] = "", sel[2048] = "", upd[1024] = "";
	size_t cl = 0, sl = 0, ul = 0;
	PGresult *res;

	/* The statements are built from the static table above, never from
	 * the file: file values only travel through COPY and $n. */
	cl += (size_t)snprintf(sql, sizeof sql, "CREATE TEMP TABLE import_rows (line bigint");
	for (int c = 0; c < rs->tcols; c++)
		cl += (size_t)snprintf(sql + cl, sizeof sql - cl, ", %s text", t->cols[c].name);
	snprintf(sql + cl, sizeof sql - cl, ") ON COMMIT DROP");
	if (db_command(conn, sql) != 0)
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
	if (pgcopy_finish(&cp, "import: staging") != 0)
		return -1;

	/* References, with the line of each row that breaks one. */
	for (int i = 0; i < 4 && t->refs[i].column; i++) {
		const struct ref *rf = &t->refs[i];
		const char *paren = strchr(rf->target, '(');
		char tab[128], col[64];
		snprintf(tab, sizeof tab, "%.*s", (int)(paren - rf->target - 1), rf->target);
		snprintf(col, sizeof col, "%.*s", (int)(strlen(paren) - 2), paren + 1);
		snprintf(sql, sizeof sql,
		         "SELECT line, %s FROM import_rows r WHERE %s IS NOT NULL AND NOT EXISTS"
		         " (SELECT 1 FROM %s x WHERE x.%s::text = r.%s) ORDER BY line LIMIT %d",
		         rf->column, rf->column, tab, col, rf->column, MAX_ERRORS);
		res = db_check(conn, PQexec(conn, sql), PGRES_TUPLES_OK, "import: references");
		if (res == NULL)
			return -1;
		for (int k = 0; k < PQntuples(res); k++)
			row_error(rs, atol(PQgetvalue(res, k, 0)), "%s %s is not a known %s",
			          rf->column, PQgetvalue(res, k, 1), rf->what);
		PQclear(res);
	}
	/* The same key twice in one file is ambiguous: say where. */
	int is_revenue = strcmp(t->name, "revenue") == 0;
	snprintf(sql, sizeof sql,
	         "SELECT min(line), max(line) FROM import_rows GROUP BY %s"
	         " HAVING count(*) > 1 ORDER BY 1 LIMIT %d",
	         is_revenue ? "coalesce(revenue_id, line::text)" : t->key, MAX_ERRORS);
	res = db_check(conn, PQexec(conn, sql), PGRES_TUPLES_OK, "import: duplicates");
	if (res == NULL)
		return -1;
	for (int k = 0; k < PQntuples(res); k++)
		row_error(rs, atol(PQgetvalue(res, k, 1)), "same %s as line %s",
		          t->key, PQgetvalue(res, k, 0));
	PQclear(res);
	if (rs->errors > 0)
		return -1;

	if (is_revenue) {
		/* Accounts that revenue names but no accounts file listed. */
		res = db_check(conn, PQexec(conn,
		    "INSERT INTO crmx_native.accounts (account_id, name)"
		    " SELECT DISTINCT account_id::bigint, 'Account ' || account_id FROM import_rows"
		    " ON CONFLICT (account_id) DO NOTHING"), PGRES_COMMAND_OK, "import: new accounts");
		if (res == NULL)
			return -1;
		if (atol(PQcmdTuples(res)) > 0)
			log_info("import: %s: created %s accounts named only by revenue rows",
			         rs->path, PQcmdTuples(res));
		PQclear(res);
	}

	for (int c = 0; c < rs->tcols; c++) {
		const struct column *col = &t->cols[c];
		if (col->type == C_IGNORED || (is_revenue && strcmp(col->name, "revenue_id") == 0))
			continue;
		int present = 0;
		for (int i = 0; i < rs->ncols; i++)
			present |= rs->map[i] == c;
		if (!present)
			continue;	/* leave the table's default */
		size_t a = strlen(cols);
		snprintf(cols + a, sizeof cols - a, "%s%s", a ? ", " : "", col->name);
		sl += (size_t)snprintf(sel + sl, sizeof sel - sl, "%s%s::%s", sl ? ", " : "",
		                       col->name, sql_types[col->type]);
		if (strstr(t->key, col->name) == NULL)
			ul += (size_t)snprintf(upd + ul, sizeof upd - ul, "%s%s = EXCLUDED.%s",
			                       ul ? ", " : "", col->name, col->name);
	}
	if (is_revenue) {
		/* The import key: the file's revenue_id, else file name and line. */
		size_t a = strlen(cols);
		snprintf(cols + a, sizeof cols - a, ", import_key");
		sl += (size_t)snprintf(sel + sl, sizeof sel - sl,
		                       ", coalesce('id:' || revenue_id, $1::text || ':' || line)");
	}
	snprintf(sql, sizeof sql, "INSERT INTO %s (%s) SELECT %s FROM import_rows ORDER BY line"
	         " ON CONFLICT (%s) DO %s%s", t->target, cols, sel, t->key,
	         (t->update && ul) ? "UPDATE SET " : "NOTHING", (t->update && ul) ? upd : "");
	const char *params[1] = { rs->base };
	res = db_check(conn, PQexecParams(conn, sql, is_revenue ? 1 : 0, NULL,
	               is_revenue ? params : NULL, NULL, NULL, 0), PGRES_COMMAND_OK, rs->path);
	if (res == NULL)
		return -1;
	log_info("import: %s: %zu rows read, %s inserted or updated into %s",
	         rs->path, rs->nrows, PQcmdTuples(res), t->target);
	PQclear(res);
	return 0;
}

static const struct table *
table_for(const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	size_t n = strlen(base);
	if (n < 5 || strcmp(base + n - 4, ".csv") != 0)
		return NULL;
	for (size_t i = 0; i < N_TABLES; i++)
		if (strlen(tables[i].name) == n - 4 && strncmp(base, tables[i].name, n - 4) == 0)
			return &tables[i];
	return NULL;
}

static int
import_file(PGconn *conn, const char *path, const struct table *t)
{
	struct rowset rs = { .t = t, .path = path };
	int rc = -1;
	rs.base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	rs.tcols = count_cols(t);
	for (int i = 0; i < MAX_COLS; i++)
		rs.map[i] = -1;
	if (parse_file(&rs) != 0 || rs.errors > 0)
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
	if (rs.errors > MAX_ERRORS)
		fprintf(stderr, "%s: ... %d more errors\n", path, rs.errors - MAX_ERRORS);
	log_error("import: %s: nothing loaded from this file%s", path,
	          rs.errors ? " (fix the lines above)" : "");
out:
	for (size_t i = 0; i < rs.nrows * (size_t)rs.tcols; i++)
		free(rs.cells[i]);
	free(rs.cells);
	free(rs.lines);
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
			for (size_t k = 0; k < N_TABLES; k++) {
				char path[4096];
				snprintf(path, sizeof path, "%s/%s.csv", argv[i], tables[k].name);
				if (access(path, F_OK) != 0)
					continue;
				any = 1;
				if (import_file(ctx->conn, path, &tables[k]) != 0)
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
		const struct table *t = table_for(argv[i]);
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
