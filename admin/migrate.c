/* Schema migrations and adapter installation.  Migrations are the files
 * sql/migrations/NNNN_name.sql, applied in order, each recorded in
 * crmx.schema_version with the SHA-256 of its text, all in one transaction
 * under an advisory lock so that two concurrent set-ups cannot both apply
 * them.  A file changed after it was applied is refused: the database
 * holds what the old text did, and only a new migration may change it. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "admin.h"
#include "db.h"
#include "log.h"
#include "util.h"

/* Any constant shared by every crmx-admin: "crmx" in ASCII. */
#define MIGRATE_LOCK "SELECT pg_advisory_xact_lock(1668441464)"

struct migration {
	int	 version;
	int	 applied;	/* recorded in crmx.schema_version */
	char	 name[256];
	char	 sha256[65];	/* of the file's text, hex */
};

/* The SHA-256 of the file at path, as hex into out[65]; 0 or -1. */
static int
file_sha256(const char *path, char out[65])
{
	size_t len;
	char *text = slurp(path, &len);
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	if (text == NULL) {
		log_error("%s: %s", path, strerror(errno));
		return -1;
	}
	int ok = EVP_Digest(text, len, md, &mdlen, EVP_sha256(), NULL);
	free(text);
	if (!ok || mdlen != 32) {
		log_error("%s: cannot compute its SHA-256", path);
		return -1;
	}
	for (unsigned i = 0; i < mdlen; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	return 0;
}

static int
cmp_migration(const void *a, const void *b)
{
	const struct migration *x = a, *y = b;
	return (x->version > y->version) - (x->version < y->version);
}

/* Lists NNNN_*.sql in dir, sorted; *out is malloc'd. */
static int
list_migrations(const char *dir, struct migration **out, size_t *n)
{
	DIR *d = opendir(dir);
	if (d == NULL) {
		log_error("migrate: %s: %s", dir, strerror(errno));
		return -1;
	}
	size_t cap = 16;
	*n = 0;
	*out = xmalloc(cap * sizeof **out);
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		int v;
		char sep;
		if (len < 9 || len >= sizeof((*out)->name) ||
		    strcmp(e->d_name + len - 4, ".sql") != 0 ||
		    sscanf(e->d_name, "%4d%c", &v, &sep) != 2 || sep != '_')
			continue;
		if (*n == cap)
			*out = xrealloc(*out, (cap *= 2) * sizeof **out);
		(*out)[*n].version = v;
		(*out)[*n].applied = 0;
		snprintf((*out)[*n].name, sizeof((*out)[*n].name), "%s", e->d_name);
		(*n)++;
	}
	closedir(d);
	qsort(*out, *n, sizeof **out, cmp_migration);
	for (size_t i = 0; i < *n; i++) {
		char path[4400];
		snprintf(path, sizeof path, "%s/%s", dir, (*out)[i].name);
		if (file_sha256(path, (*out)[i].sha256) != 0) {
			free(*out);
			return -1;
		}
	}
	for (size_t i = 1; i < *n; i++)
		if ((*out)[i].version == (*out)[i - 1].version) {
			log_error("migrate: two migrations numbered %04d", (*out)[i].version);
			free(*out);
			return -1;
		}
	return 0;
}

/* Runs a file of SQL statements (trusted: shipped with crmx). */
static int
exec_file(PGconn *conn, const char *path)
{
	char *sql = slurp(path, NULL);
	if (sql == NULL) {
		log_error("%s: %s", path, strerror(errno));
		return -1;
	}
	PGresult *res = PQexec(conn, sql);
	free(sql);
	if (db_check(conn, res, PGRES_COMMAND_OK, path) == NULL)
		return -1;
	PQclear(res);
	return 0;
}

/* An applied migration m against what crmx.schema_version recorded for
 * it (recorded: its checksum, NULL when applied before checksums were
 * kept, then recorded now).  0, or -1 when the file was changed since. */
static int
check_recorded(PGconn *conn, const struct migration *m, const char *recorded)
{
	if (recorded == NULL) {
		char ver[16];
		snprintf(ver, sizeof ver, "%d", m->version);
		const char *params[2] = { ver, m->sha256 };
		return db_command_params(conn, "UPDATE crmx.schema_version SET checksum = $2"
		    " WHERE version = $1", 2, params, "migrate: record a checksum");
	}
	if (strcmp(recorded, m->sha256) == 0)
		return 0;
	log_error("migrate: %s was changed after it was applied (recorded SHA-256 %.12s…,"
	          " the file's %.12s…): the database holds what the applied text did;"
	          " restore the file and put the change in a new migration",
	          m->name, recorded, m->sha256);
	return -1;
}

/* In the open transaction: the lock, the version table, and which of the
 * n migrations m are applied already (m[i].applied), each checked against
 * its recorded checksum; the highest version recorded into *current.
 * 0, or -1 (logged). */
static int
mark_applied(PGconn *conn, struct migration *m, size_t n, int *current)
{
	if (db_command(conn, MIGRATE_LOCK) != 0 ||
	    db_command(conn, "SET LOCAL client_min_messages = warning") != 0 ||
	    db_command(conn, "CREATE SCHEMA IF NOT EXISTS crmx") != 0 ||
	    db_command(conn, "CREATE TABLE IF NOT EXISTS crmx.schema_version ("
	                     " version integer PRIMARY KEY, name text NOT NULL,"
	                     " applied_at timestamptz NOT NULL DEFAULT now())") != 0 ||
	    db_command(conn, "ALTER TABLE crmx.schema_version"
	                     " ADD COLUMN IF NOT EXISTS checksum text") != 0)
		return -1;
	PGresult *res = db_check(conn, PQexec(conn,
	    "SELECT version, checksum FROM crmx.schema_version ORDER BY version"),
	    PGRES_TUPLES_OK, "migrate: applied versions");
	if (res == NULL)
		return -1;
	*current = 0;
	int rc = 0;
	for (int k = 0; k < PQntuples(res) && rc == 0; k++) {
		int v = atoi(PQgetvalue(res, k, 0));
		for (size_t i = 0; i < n; i++)
			if (v == m[i].version) {
				m[i].applied = 1;
				rc = check_recorded(conn, &m[i],
				    PQgetisnull(res, k, 1) ? NULL : PQgetvalue(res, k, 1));
			}
		if (v > *current)
			*current = v;
	}
	PQclear(res);
	return rc;
}

/* Every migration not recorded yet, in order (branches developed side by
 * side may add numbers below the newest one): how many, or -1. */
static long
apply_pending(PGconn *conn, const char *dir, struct migration *m, size_t n)
{
	long applied = 0;
	for (size_t i = 0; i < n; i++) {
		if (m[i].applied)
			continue;
		char path[4400], ver[16];
		snprintf(path, sizeof path, "%s/%s", dir, m[i].name);
		snprintf(ver, sizeof ver, "%d", m[i].version);
		if (exec_file(conn, path) != 0)
			return -1;
		const char *params[3] = { ver, m[i].name, m[i].sha256 };
		if (db_command_params(conn,
		    "INSERT INTO crmx.schema_version (version, name, checksum) VALUES ($1, $2, $3)",
		    3, params, "migrate: record") != 0)
			return -1;
		log_info("migrate: applied %s", m[i].name);
		applied++;
	}
	return applied;
}

static int
migrate(struct admin_ctx *ctx, int quiet)
{
	PGconn *conn = ctx->conn;
	struct migration *m = NULL;
	size_t n = 0;
	long applied = -1;
	int current = 0;
	char dir[4096];

	snprintf(dir, sizeof dir, "%s/migrations", ctx->sql_dir);
	if (list_migrations(dir, &m, &n) != 0)
		return 1;
	if (db_command(conn, "BEGIN") != 0) {
		free(m);
		return 1;
	}
	if (mark_applied(conn, m, n, &current) == 0)
		applied = apply_pending(conn, dir, m, n);
	/* The programs' roles get their rights again, also with nothing to
	 * apply: new tables get them, and a new release's programs may read
	 * other tables (the panels came to read the run's tables by its id
	 * instead of its views).  Views may have changed under
	 * the panels' kept pages (0012). */
	if (applied < 0 || roles_reapply(conn) != 0 ||
	    (applied > 0 && db_command(conn, "NOTIFY crmx_changed, '*'") != 0)) {
		db_command(conn, "ROLLBACK");
		log_error("migrate: nothing applied");
		free(m);
		return 1;
	}
	int rc = db_command(conn, "COMMIT") != 0;
	if (rc == 0 && (!quiet || applied > 0))
		log_info("migrate: schema at version %d (%ld applied now)",
		         n ? (m[n - 1].version > current ? m[n - 1].version : current) : current,
		         applied);
	free(m);
	return rc;
}

int
cmd_migrate(struct admin_ctx *ctx, int argc, char **argv)
{
	(void)argv;
	if (argc > 1 || ctx->conn == NULL) {
		printf("usage: crmx-admin migrate\n  Applies pending migrations from %s/migrations.\n",
		       ctx->sql_dir);
		return ctx->conn == NULL ? 0 : 2;
	}
	return migrate(ctx, 0);
}

int
cmd_adapter(struct admin_ctx *ctx, int argc, char **argv)
{
	if (argc != 2 || ctx->conn == NULL) {
		printf("usage: crmx-admin adapter NAME\n"
		       "  Installs %s/adapters/NAME.sql (native, tryton, odoo) as schema crmx_src.\n",
		       ctx->sql_dir);
		return ctx->conn == NULL ? 0 : 2;
	}
	const char *name = argv[1];
	if (strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(name) || !*name) {
		log_error("adapter: bad name \"%s\" (letters, digits and _ only)", name);
		return 2;
	}
	char path[4400];
	snprintf(path, sizeof path, "%s/adapters/%s.sql", ctx->sql_dir, name);
	if (migrate(ctx, 1) != 0)
		return 1;
	PGconn *conn = ctx->conn;
	if (db_command(conn, "BEGIN") != 0)
		return 1;
	if (db_command(conn, MIGRATE_LOCK) != 0 ||
	    db_command(conn, "SET LOCAL client_min_messages = warning") != 0 ||
	    exec_file(conn, path) != 0)
		goto rollback;
	const char *params[1] = { name };
	if (db_command_params(conn,
	    "INSERT INTO crmx.settings (key, value) VALUES ('adapter', $1)"
	    " ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()",
	    1, params, "adapter: record") != 0)
		goto rollback;
	/* crmx_src was made anew, without the programs' rights. */
	if (roles_reapply(conn) != 0)
		goto rollback;
	/* The panels' workers look again for the adapter's change feed. */
	if (db_command(conn, "NOTIFY crmx_changed, 'adapter'") != 0)
		goto rollback;
	if (db_command(conn, "COMMIT") != 0)
		return 1;
	log_info("adapter: crmx_src now reads through \"%s\"", name);
	return 0;
rollback:
	db_command(conn, "ROLLBACK");
	return 1;
}

int
cmd_status(struct admin_ctx *ctx, int argc, char **argv)
{
	(void)argv;
	if (argc > 1 || ctx->conn == NULL) {
		printf("usage: crmx-admin status\n");
		return ctx->conn == NULL ? 0 : 2;
	}
	static const char *const sql =
	    "SELECT (SELECT coalesce(max(version), 0) FROM crmx.schema_version),"
	    " (SELECT value FROM crmx.settings WHERE key = 'adapter'),"
	    " (SELECT count(*) FROM crmx_src.accounts),"
	    " (SELECT count(*) FROM crmx_src.opportunities),"
	    " (SELECT count(*) FROM crmx_src.revenue)";
	PGresult *res = db_check(ctx->conn, PQexec(ctx->conn, sql), PGRES_TUPLES_OK,
	                         "status (has `crmx-admin adapter` run?)");
	if (res == NULL)
		return 1;
	printf("schema_version %s\nadapter %s\naccounts %s\nopportunities %s\nrevenue_rows %s\n",
	       PQgetvalue(res, 0, 0), PQgetisnull(res, 0, 1) ? "(none)" : PQgetvalue(res, 0, 1),
	       PQgetvalue(res, 0, 2), PQgetvalue(res, 0, 3), PQgetvalue(res, 0, 4));
	PQclear(res);
	return 0;
}
