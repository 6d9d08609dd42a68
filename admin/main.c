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
	    "  -c, --config FILE    configuration file (default $CRMX_CONF, then %s/crmx.conf)\n"
	    "  -s, --set S.K=V      override one setting, e.g. --set database.conninfo=dbname=crm\n"
	    "      --sql-dir DIR    folder with migrations/ and adapters/ (default %s/sql)\n"
	    "      --print-config   print the effective configuration and exit\n"
	    "  -h, --help           this text\n"
	    "  -V, --version        print the version\n",
	    CRMX_SYSCONFDIR, CRMX_DATADIR);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "set", required_argument, NULL, 's' },
		{ "sql-dir", required_argument, NULL, 'S' },
		{ "print-config", no_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct app_opts opts = { 0 };
	struct admin_ctx ctx = { .sql_dir = CRMX_DATADIR "/sql" };
	int c;

	log_init("crmx-admin", LOG_LVL_INFO, false);
	/* "+": stop at the command so that its own options reach it. */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+c:s:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': opts.config_path = optarg; break;
		case 's': app_add_set(&opts, optarg); break;
		case 'S': ctx.sql_dir = optarg; break;
		case 'P': opts.print_config = 1; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("crmx-admin %s\n", CRMX_VERSION); return 0;
		default:  return app_bad_option("crmx-admin", argv, longopts);
		}
	}
	if (optind >= argc && opts.print_config)
		app_load(&opts, "crmx-admin", &ctx.cfg);	/* prints and exits */
	if (optind >= argc) {
		log_error("no command given (see crmx-admin --help)");
		return 2;
	}
	const int first = optind;
	const struct command *cmd = NULL;
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(argv[optind], commands[i].name) == 0)
			cmd = &commands[i];
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
