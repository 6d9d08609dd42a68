/* crmx-admin check: what a deployment needs, one line each ("ok" or
 * "FAIL", the thing, what was found), exit 1 when anything failed.  It
 * reads and never changes: the configuration, the database, the schema
 * version against the migrations shipped, the adapter contract, gnuplot,
 * the report font and the report folder. */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "admin.h"
#include "contract.h"
#include "db.h"

/* The font the report's charts and pages ask for (reportd/report). */
#define REPORT_FONT "Noto Sans CJK SC"

struct check {
	const char	*name;
	/* 0 ok, -1 failed; what was found goes into msg. */
	int		(*fn)(struct admin_ctx *, char *msg, size_t len);
};

static int
check_config(struct admin_ctx *ctx, char *msg, size_t len)
{
	const char *path = ctx->config_path ? ctx->config_path : getenv("CRMX_CONF");
	snprintf(msg, len, "%s read", path && *path ? path : CRMX_SYSCONFDIR "/crmx.conf");
	return 0;	/* app_load() exits on a bad one before we get here */
}

static int
check_database(struct admin_ctx *ctx, char *msg, size_t len)
{
	char err[768];
	ctx->conn = db_connect(&ctx->cfg, ctx->cfg.db_conninfo, "crmx-admin", err, sizeof err);
	if (ctx->conn == NULL) {
		snprintf(msg, len, "%s", err);
		return -1;
	}
	snprintf(msg, len, "reachable (PostgreSQL %d.%d, database %s)",
	         PQserverVersion(ctx->conn) / 10000, PQserverVersion(ctx->conn) % 10000,
	         PQdb(ctx->conn));
	return 0;
}

/* A one-value query, or NULL (no database, an error, no row). */
static char *
one_value(PGconn *conn, const char *sql, char *out, size_t len)
{
	if (conn == NULL)
		return NULL;
	PGresult *res = PQexec(conn, sql);
	char *v = NULL;
	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 &&
	    !PQgetisnull(res, 0, 0)) {
		snprintf(out, len, "%s", PQgetvalue(res, 0, 0));
		v = out;
	}
	PQclear(res);
	return v;
}

/* The shipped migrations not recorded in crmx.schema_version. */
static int
check_schema(struct admin_ctx *ctx, char *msg, size_t len)
{
	char pattern[4200], applied[8192], newest[16] = "0";
	glob_t g;
	snprintf(pattern, sizeof pattern, "%s/migrations/[0-9][0-9][0-9][0-9]_*.sql", ctx->sql_dir);
	if (glob(pattern, 0, NULL, &g) != 0) {
		snprintf(msg, len, "no migrations in %s/migrations", ctx->sql_dir);
		return -1;
	}
	if (one_value(ctx->conn, "SELECT ',' || string_agg(version::text, ',') || ','"
	    " FROM crmx.schema_version", applied, sizeof applied) == NULL) {
		globfree(&g);
		snprintf(msg, len, "no crmx schema (run crmx-admin migrate)");
		return -1;
	}
	int pending = 0;
	for (size_t i = 0; i < g.gl_pathc; i++) {
		const char *base = strrchr(g.gl_pathv[i], '/') + 1;
		char key[16];
		snprintf(key, sizeof key, ",%d,", atoi(base));
		if (strstr(applied, key) == NULL)
			pending++;
		snprintf(newest, sizeof newest, "%d", atoi(base));
	}
	globfree(&g);
	if (pending > 0) {
		snprintf(msg, len, "%d migration(s) up to %s not applied (run crmx-admin migrate)",
		         pending, newest);
		return -1;
	}
	snprintf(msg, len, "version %s, every shipped migration applied", newest);
	return 0;
}

static void
count_breach(void *arg, const char *line)
{
	char *first = arg;
	if (*first == '\0')
		snprintf(first, 256, "%s", line);
}

static int
check_adapter(struct admin_ctx *ctx, char *msg, size_t len)
{
	char name[128], first[256] = "";
	if (one_value(ctx->conn, "SELECT value FROM crmx.settings WHERE key = 'adapter'",
	    name, sizeof name) == NULL) {
		snprintf(msg, len, "none installed (run crmx-admin adapter NAME)");
		return -1;
	}
	/* A CRM may have no rows in a view yet: empty views are fine here. */
	int bad = contract_check(ctx->conn, NULL, count_breach, first);
	if (bad > 0) {
		snprintf(msg, len, "%s breaks the contract %d way(s), first: %s", name, bad, first);
		return -1;
	}
	snprintf(msg, len, "%s, crmx_src meets the contract", name);
	return 0;
}

/* Runs argv (no shell), its first output line into out; exit status or -1. */
static int
run_line(char *const argv[], char *out, size_t len)
{
	int fd[2], status;
	posix_spawn_file_actions_t fa;
	pid_t pid;
	*out = '\0';
	if (pipe2(fd, O_CLOEXEC) != 0)
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fd[1], 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	int rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(fd[1]);
	if (rc != 0) {
		close(fd[0]);
		errno = rc;
		return -1;
	}
	FILE *f = fdopen(fd[0], "r");
	if (f == NULL || fgets(out, (int)len, f) == NULL)
		*out = '\0';
	out[strcspn(out, "\n")] = '\0';
	while (f && fgetc(f) != EOF)
		;
	if (f)
		fclose(f);
	else
		close(fd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int
check_gnuplot(struct admin_ctx *ctx, char *msg, size_t len)
{
	char line[256], version[] = "--version";
	char *argv[] = { ctx->cfg.reportd_gnuplot, version, NULL };
	if (run_line(argv, line, sizeof line) != 0 || line[0] == '\0') {
		snprintf(msg, len, "%s does not run ([reportd] gnuplot)", ctx->cfg.reportd_gnuplot);
		return -1;
	}
	snprintf(msg, len, "%s (%s)", ctx->cfg.reportd_gnuplot, line);
	return 0;
}

static int
check_fonts(struct admin_ctx *ctx, char *msg, size_t len)
{
	(void)ctx;
	char line[256], prog[] = "/usr/bin/fc-match", f[] = "-f", fmt[] = "%{family}",
	     font[] = REPORT_FONT;
	char *argv[] = { prog, f, fmt, font, NULL };
	if (run_line(argv, line, sizeof line) != 0) {
		snprintf(msg, len, "fc-match (fontconfig) does not run");
		return -1;
	}
	if (strstr(line, REPORT_FONT) == NULL) {
		snprintf(msg, len, "\"%s\" not installed (fonts-noto-cjk); charts fall back to \"%s\"",
		         REPORT_FONT, line);
		return -1;
	}
	snprintf(msg, len, "\"%s\" installed", REPORT_FONT);
	return 0;
}

static int
check_report_dir(struct admin_ctx *ctx, char *msg, size_t len)
{
	const char *dir = ctx->cfg.reportd_report_dir;
	if (access(dir, W_OK | X_OK) != 0) {
		snprintf(msg, len, "%s: %s (for the user running this; crmx-reportd runs as crmx)",
		         dir, strerror(errno));
		return -1;
	}
	snprintf(msg, len, "%s writable", dir);
	return 0;
}

static const struct check checks[] = {
	{ "config", check_config },
	{ "database", check_database },
	{ "schema", check_schema },
	{ "adapter", check_adapter },
	{ "gnuplot", check_gnuplot },
	{ "fonts", check_fonts },
	{ "reports", check_report_dir },
};

int
cmd_check(struct admin_ctx *ctx, int argc, char **argv)
{
	(void)argv;
	if (argc > 1) {
		printf("usage: crmx-admin check\n"
		       "  One line per thing a deployment needs: config, database, schema,\n"
		       "  adapter contract, gnuplot, fonts, report folder; exit 1 on a problem.\n");
		return strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ? 0 : 2;
	}
	int failed = 0;
	for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++) {
		char msg[1024];
		int ok = checks[i].fn(ctx, msg, sizeof msg) == 0;
		printf("%-4s  %-8s  %s\n", ok ? "ok" : "FAIL", checks[i].name, msg);
		failed += !ok;
	}
	return failed ? 1 : 0;
}
