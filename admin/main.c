/* crmx-admin: command-line entry point.  Parses the common options,
 * connects, and dispatches to the command named in the table below. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "app.h"
#include "db.h"
#include "log.h"

struct command {
	const char	*name;
	int		(*fn)(struct admin_ctx *, int, char **);
	int		 connects_itself;	/* after checking its options */
	const char	*usage;
};

static const struct command commands[] = {
	{ "migrate", cmd_migrate, 0, "migrate                 apply pending schema migrations" },
	{ "adapter", cmd_adapter, 0, "adapter NAME            install the crmx_src views of an adapter (native, tryton, odoo)" },
	{ "status",  cmd_status, 0,  "status                  schema version, adapter and row counts" },
	{ "demo",    cmd_demo,    1, "demo [OPTIONS]          generate demo data into the native tables (demo --help)" },
	{ "import",  cmd_import, 0,  "import FILE|DIR ...     load CSV files into the native tables (import --help)" },
	{ "roles",   cmd_roles,   1, "roles [OPTIONS]         the programs' database roles and their rights (roles --help)" },
	{ "check",   cmd_check,   1, "check                   what a deployment needs, one line each; exit 1 on a problem" },
};

static void
usage(FILE *out)
{
	fprintf(out,
	    "usage: crmx-admin [--config FILE] [--set SECTION.KEY=VALUE] [--sql-dir DIR] COMMAND [ARGS]\n"
	    "\ncommands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(out, "  %s\n", commands[i].usage);
	fprintf(out,
	    "\noptions:\n"
	    "      --sql-dir DIR    folder with migrations/ and adapters/ (default %s/sql)\n",
	    CRMX_DATADIR);
}

static const struct option own_options[] = {
	{ "sql-dir", required_argument, NULL, 'S' },
	{ NULL, 0, NULL, 0 },
};

/* crmx-admin's own option before the command: --sql-dir. */
static int
own_option(void *ctx, int ch, const char *arg)
{
	(void)ch;
	((struct admin_ctx *)ctx)->sql_dir = arg;
	return -1;
}

/* The command named by word, or NULL. */
static const struct command *
find_command(const char *word)
{
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(word, commands[i].name) == 0)
			return &commands[i];
	return NULL;
}

int
main(int argc, char **argv)
{
	struct app_opts opts = { 0 };
	struct admin_ctx ctx = { .sql_dir = CRMX_DATADIR "/sql" };
	const struct app_cli cli = { "crmx-admin", own_options, own_option, &ctx, usage, 1 };

	log_init("crmx-admin", LOG_LVL_INFO, false);
	int st = app_parse(&cli, argc, argv, &opts);
	if (st >= 0)
		return st;
	if (optind >= argc && opts.print_config)
		app_load(&opts, "crmx-admin", &ctx.cfg);	/* prints and exits */
	if (optind >= argc) {
		log_error("no command given (see crmx-admin --help)");
		return 2;
	}
	const int first = optind;
	const struct command *cmd = find_command(argv[optind]);
	if (cmd == NULL) {
		log_error("unknown command \"%s\" (see crmx-admin --help)", argv[optind]);
		return 2;
	}
	app_load(&opts, "crmx-admin", &ctx.cfg);
	ctx.config_path = opts.config_path;

	/* A command's --help needs no database. */
	int wants_help = 0;
	for (int i = optind + 1; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			wants_help = 1;
	if (!wants_help && !cmd->connects_itself)
		admin_connect(&ctx);
	/* Commands parse their own options with getopt from their name on;
	 * optind = 0 makes glibc's getopt start afresh. */
	optind = 0;
	int rc = cmd->fn(&ctx, argc - first, argv + first);
	PQfinish(ctx.conn);
	config_free(&ctx.cfg);
	return rc;
}
