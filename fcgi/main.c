/* crmx.fcgi: the FastCGI program behind the panels.  This entry point
 * parses the command line and checks the database; the accept loop and
 * the routes plug in here. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "app.h"
#include "db.h"
#include "log.h"

static void
usage(FILE *out)
{
	fprintf(out,
	    "usage: crmx.fcgi [OPTIONS]\n"
	    "  -c, --config FILE    configuration file (default $CRMX_CONF, then %s/crmx.conf)\n"
	    "  -s, --set S.K=V      override one setting\n"
	    "      --check          connect to the database and exit\n"
	    "      --print-config   print the effective configuration and exit\n"
	    "  -h, --help           this text\n"
	    "  -V, --version        print the version\n", CRMX_SYSCONFDIR);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "set", required_argument, NULL, 's' },
		{ "check", no_argument, NULL, 'K' },
		{ "print-config", no_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct app_opts opts = { 0 };
	struct crmx_config cfg;
	int c, check = 0;

	log_init("crmx.fcgi", LOG_LVL_INFO, false);
	opterr = 0;
	while ((c = getopt_long(argc, argv, "c:s:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': opts.config_path = optarg; break;
		case 's': app_add_set(&opts, optarg); break;
		case 'K': check = 1; break;
		case 'P': opts.print_config = 1; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("crmx.fcgi %s\n", CRMX_VERSION); return 0;
		default:  return app_bad_option("crmx.fcgi", argv, longopts);
		}
	}
	if (optind < argc) {
		log_error("unexpected argument \"%s\" (see --help)", argv[optind]);
		return 2;
	}
	app_load(&opts, "crmx.fcgi", &cfg);
	char err[768];
	PGconn *conn = db_connect(&cfg, cfg.db_conninfo, "crmx.fcgi", err, sizeof err);
	if (conn == NULL)
		die(1, "%s", err);
	if (check)
		log_info("database reachable (server %d)", PQserverVersion(conn));
	PQfinish(conn);
	config_free(&cfg);
	return 0;
}
