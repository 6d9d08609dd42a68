/* crmx-admin: the commands that set up and feed the database.  Each
 * command is one file; main.c holds the table that names them. */
#ifndef CRMX_ADMIN_H
#define CRMX_ADMIN_H

#include <libpq-fe.h>

#include "config.h"

struct admin_ctx {
	struct crmx_config	 cfg;
	const char		*sql_dir;	/* folder holding migrations/ and adapters/ */
	const char		*config_path;	/* --config, or NULL */
	PGconn			*conn;
};

/* Connects ctx->conn (once); exits with a one-line error when it cannot. */
void admin_connect(struct admin_ctx *ctx);

/* Each returns the process exit status: 0 ok, 1 failed, 2 bad usage. */
int cmd_migrate(struct admin_ctx *ctx, int argc, char **argv);
int cmd_adapter(struct admin_ctx *ctx, int argc, char **argv);
int cmd_status(struct admin_ctx *ctx, int argc, char **argv);
int cmd_demo(struct admin_ctx *ctx, int argc, char **argv);
int cmd_import(struct admin_ctx *ctx, int argc, char **argv);
int cmd_roles(struct admin_ctx *ctx, int argc, char **argv);
int cmd_check(struct admin_ctx *ctx, int argc, char **argv);

/* Grants the roles recorded by `crmx-admin roles` their rights again, in
 * the open transaction (after a migration or an adapter); 0 or -1. */
int roles_reapply(PGconn *conn);

#endif
