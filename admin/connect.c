/* The commands' database connection, made once a command knows its
 * options are good. */
#include "admin.h"
#include "db.h"
#include "log.h"

void
admin_connect(struct admin_ctx *ctx)
{
	char err[768];
	if (ctx->conn != NULL)
		return;
	ctx->conn = db_connect(&ctx->cfg, ctx->cfg.db_conninfo, "crmx-admin", err, sizeof err);
	if (ctx->conn == NULL)
		die(1, "%s", err);
	/* [database] statement_timeout_ms guards the panels' queries;
	 * loading and migrating take as long as the data needs. */
	if (db_command(ctx->conn, "SET statement_timeout = 0") != 0)
		die(1, "%s", db_errmsg(ctx->conn));
}
