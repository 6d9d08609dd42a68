/* crmx-reportd: the reporting daemon.  This entry point parses the
 * command line; without --run-once or --check it runs as a daemon
 * (daemon.c: schedule, HTTP service); --run-once computes one metric run
 * (engine.c), prints its summary and with --report writes the report. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "daemon.h"
#include "db.h"
#include "engine.h"
#include "i18n.h"
#include "job.h"
#include "log.h"
#include "snapshot.h"
#include "summary.h"
#include "util.h"

static void
usage(FILE *out)
{
	fprintf(out,
	    "usage: crmx-reportd [OPTIONS]      (no --run-once/--check: run as a daemon)\n"
	    "  -c, --config FILE    configuration file (default $CRMX_CONF, then %s/crmx.conf)\n"
	    "  -s, --set S.K=V      override one setting (repeatable)\n"
	    "      --run-once       compute one metric run, store it, print its summary, exit\n"
	    "      --report         with --run-once: also write the weekly report\n"
	    "      --as-of DATE     the run's as-of date, YYYY-MM-DD (default: today, UTC)\n"
	    "      --format FMT     summary format for --run-once: text (default) or json\n"
	    "      --check          connect to the database and exit\n"
	    "      --snapshot-sql   print the COPY statements a run reads crmx_src with\n"
	    "      --print-config   print the effective configuration and exit\n"
	    "  -h, --help           this text\n"
	    "  -V, --version        print the version\n"
	    "exit status: 0 done, 1 the run or the database failed, 2 usage or configuration\n",
	    CRMX_SYSCONFDIR);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "set", required_argument, NULL, 's' },
		{ "run-once", no_argument, NULL, 'R' },
		{ "report", no_argument, NULL, 'W' },
		{ "as-of", required_argument, NULL, 'A' },
		{ "format", required_argument, NULL, 'F' },
		{ "check", no_argument, NULL, 'K' },
		{ "snapshot-sql", no_argument, NULL, 'Q' },
		{ "print-config", no_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct app_opts opts = { 0 };
	struct crmx_config cfg;
	int c, check = 0, run_once = 0, json = 0, report = 0;
	int32_t as_of = today_utc();

	log_init("crmx-reportd", LOG_LVL_INFO, false);
	opterr = 0;
	while ((c = getopt_long(argc, argv, "c:s:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': opts.config_path = optarg; break;
		case 's': app_add_set(&opts, optarg); break;
		case 'R': run_once = 1; break;
		case 'W': report = 1; break;
		case 'A':
			if (parse_date(optarg, &as_of) != 0) {
				log_error("--as-of: \"%s\" is not a date YYYY-MM-DD", optarg);
				return 2;
			}
			break;
		case 'F':
			if (strcmp(optarg, "json") == 0)
				json = 1;
			else if (strcmp(optarg, "text") == 0)
				json = 0;
			else {
				log_error("--format: \"%s\" is neither text nor json", optarg);
				return 2;
			}
			break;
		case 'K': check = 1; break;
		case 'Q':
			for (size_t i = 0; snapshot_copy_sql(i); i++)
				printf("%s;\n", snapshot_copy_sql(i));
			return 0;
		case 'P': opts.print_config = 1; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("crmx-reportd %s\n", CRMX_VERSION); return 0;
		default:  return app_bad_option("crmx-reportd", argv, longopts);
		}
	}
	if (optind < argc) {
		log_error("unexpected argument \"%s\" (see --help)", argv[optind]);
		return 2;
	}
	if (report && !run_once) {
		log_error("--report goes with --run-once");
		return 2;
	}
	app_load(&opts, "crmx-reportd", &cfg);
	i18n_init(NULL);
	/* A gnuplot child or an HTTP client that goes away must not kill us. */
	signal(SIGPIPE, SIG_IGN);
	if (!run_once && !check) {
		int st = daemon_main(&cfg);
		config_free(&cfg);
		return st;
	}
	/* The text summary speaks the first configured report language. */
	char first[16] = "";
	if (cfg.reportd_language)
		snprintf(first, sizeof first, "%.*s", (int)strcspn(cfg.reportd_language, ", "),
		         cfg.reportd_language);
	i18n_use(i18n_pick(first, NULL, NULL, LANG_EN));
	char err[768];
	if (run_once && report) {
		/* Through the advisory lock, like the daemon: another instance
		 * computing the same report meanwhile is waited for and reused. */
		struct job_result jr;
		int rc = job_run(&cfg, as_of, job_now(), 1, &jr) == 0 ? 0 : 1;
		if (rc == 0)
			printf("%s\n", jr.report.dir);
		else
			log_error("%s", jr.error);
		config_free(&cfg);
		return rc;
	}
	PGconn *conn = db_connect(&cfg, cfg.db_conninfo, "crmx-reportd", err, sizeof err);
	if (conn == NULL)
		die(1, "%s", err);
	int rc = 0;
	if (check)
		log_info("database reachable (server %d)", PQserverVersion(conn));
	if (run_once) {
		struct engine_result r;
		if (engine_run(conn, &cfg, as_of, &r) != 0) {
			log_error("run failed: %s", r.error);
			rc = 1;
		} else {
			if (json) {
				json_dumpf(r.summary, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(15));
				fputc('\n', stdout);
			} else {
				summary_print_text(stdout, r.summary, r.seconds);
			}
			json_decref(r.summary);
		}
	}
	PQfinish(conn);
	config_free(&cfg);
	if (fflush(stdout) != 0)
		die(1, "writing the summary: standard output failed");
	return rc;
}
