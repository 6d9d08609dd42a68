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
#include "asof.h"
#include "daemon.h"
#include "db.h"
#include "deliver.h"
#include "engine.h"
#include "i18n.h"
#include "job.h"
#include "log.h"
#include "mail.h"
#include "schedule.h"
#include "snapshot.h"
#include "summary.h"
#include "transport.h"
#include "util.h"

static void
usage(FILE *out)
{
	fprintf(out,
	    "usage: crmx-reportd [OPTIONS]      (no --run-once/--check: run as a daemon)\n"
	    "      --run-once       compute one metric run, store it, print its summary, exit\n"
	    "      --report         with --run-once: also write the weekly report\n"
	    "      --as-of DATE     the run's as-of date, YYYY-MM-DD (default: today, UTC)\n"
	    "      --format FMT     summary format for --run-once: text (default) or json\n"
	    "      --check          connect to the database and exit\n"
	    "      --deliver        queue the newest report (with --run-once --report: the one\n"
	    "                       written) for the [mail] recipients, send what is due (new\n"
	    "                       mail and retries), exit (1: something failed)\n"
	    "      --send-test ADDR mail the latest report to one address now, exit\n"
	    "      --snapshot-sql   print the COPY statements a run reads crmx_src with\n"
	    "exit status: 0 done, 1 the run or the database failed, 2 usage or configuration\n");
}

/* --send-test: the latest report to one address, no bookkeeping. */
static int
send_test_main(struct crmx_config *cfg, const char *to)
{
	char week[16], err[768];
	int rc = 1;
	if (strcmp(cfg->mail_transport, "off") == 0) {
		log_error("--send-test: mail.transport is off; set it to smtp or sendmail");
		rc = 2;
	} else if (!mail_address_ok(to)) {
		log_error("--send-test: \"%s\" is not an email address", to);
		rc = 2;
	} else if (mail_latest_week(cfg, week, sizeof week) != 0) {
		log_error("--send-test: no report under %s yet", cfg->reportd_report_dir);
	} else if (deliver_test(cfg, week, to, err, sizeof err) != 0) {
		log_error("--send-test: report %s to %s: %s", week, to, err);
	} else {
		printf("report %s sent to %s\n", week, to);
		rc = 0;
	}
	config_free(cfg);
	transport_cleanup();
	return rc;
}

/* --deliver: one pass of the weekly mail (cron, tests, catching up):
 * queue `week` (NULL: the newest report) and send what is due. */
static int
deliver_main(PGconn *conn, const struct crmx_config *cfg, const char *week)
{
	char latest[16];
	struct deliver_counts n;
	if (strcmp(cfg->mail_transport, "off") == 0) {
		log_error("--deliver: mail.transport is off; nothing to do");
		return 1;
	}
	if (week == NULL && mail_latest_week(cfg, latest, sizeof latest) == 0)
		week = latest;
	if (week != NULL && deliver_enqueue(conn, cfg, week) < 0)
		return 1;
	if (deliver_due(conn, cfg, &n) != 0)
		return 1;
	log_info("mail: %d sent, %d to retry, %d failed", n.sent, n.retry, n.failed);
	return n.retry + n.failed > 0;
}

/* The command line. */
struct cli {
	struct app_opts	 opts;
	int		 check, run_once, json, report, deliver;
	const char	*send_test, *as_of_arg;
};
static struct cli cli;	/* the flags' options set it through getopt_long */

static const struct option own_options[] = {
	{ "run-once", no_argument, &cli.run_once, 1 },
	{ "report", no_argument, &cli.report, 1 },
	{ "check", no_argument, &cli.check, 1 },
	{ "deliver", no_argument, &cli.deliver, 1 },
	{ "as-of", required_argument, NULL, 'A' },
	{ "format", required_argument, NULL, 'F' },
	{ "send-test", required_argument, NULL, 'T' },
	{ "snapshot-sql", no_argument, NULL, 'Q' },
	{ NULL, 0, NULL, 0 },
};

/* One of crmx-reportd's own options into the struct cli: -1 to go on,
 * else the exit status (--snapshot-sql, a bad --format). */
static int
own_option(void *arg, int c, const char *optarg)
{
	struct cli *cl = arg;
	switch (c) {
	case 'A': cl->as_of_arg = optarg; break;
	case 'F':
		if (strcmp(optarg, "json") != 0 && strcmp(optarg, "text") != 0) {
			log_error("--format: \"%s\" is neither text nor json", optarg);
			return 2;
		}
		cl->json = strcmp(optarg, "json") == 0;
		break;
	case 'T': cl->send_test = optarg; break;
	case 'Q':
		for (size_t i = 0; snapshot_copy_sql(i); i++)
			printf("%s;\n", snapshot_copy_sql(i));
		return 0;
	}
	return -1;
}

/* Parses the command line into cl: -1 to go on, else the exit status
 * (--help, --version, --snapshot-sql, a bad option). */
static int
parse_args(int argc, char **argv, struct cli *cl)
{
	const struct app_cli app = { "crmx-reportd", own_options, own_option, cl, usage, 0 };
	int st = app_parse(&app, argc, argv, &cl->opts);
	if (st >= 0)
		return st;
	if (cl->report && !cl->run_once) {
		log_error("--report goes with --run-once");
		return 2;
	}
	return -1;
}

/* --as-of: the same limits as POST /api/runs, today in [reportd] timezone. */
static int32_t
resolve_as_of(const struct crmx_config *cfg, const char *arg)
{
	char err[256];
	int32_t as_of;
	if (schedule_set_timezone(cfg->reportd_timezone, err, sizeof err) != 0)
		die(2, "%s", err);
	if (asof_check(arg, schedule_today(), &as_of, err, sizeof err) != 0)
		die(2, "--as-of \"%s\": %s", arg, err);
	return as_of;
}

/* --run-once --report: through the advisory lock, like the daemon (another
 * instance computing the same report meanwhile is waited for and reused).
 * Returns the exit status, or -1 when --deliver follows for the report
 * just written (its week into week). */
static int
report_once(const struct crmx_config *cfg, int32_t as_of, int deliver, char *week, size_t len)
{
	struct job_result jr;
	int rc = job_run(cfg, as_of, job_now(), 1, &jr) == 0 ? 0 : 1;
	if (rc == 0)
		printf("%s\n", jr.report.dir);
	else
		log_error("%s", jr.error);
	if (rc != 0 || !deliver)
		return rc;
	snprintf(week, len, "%s", jr.report.week);
	return -1;
}

/* --run-once: one metric run, its summary on standard output. */
static int
run_once_main(PGconn *conn, const struct crmx_config *cfg, int32_t as_of, int json)
{
	struct engine_result r;
	if (engine_run(conn, cfg, as_of, &r) != 0) {
		log_error("run failed: %s", r.error);
		return 1;
	}
	if (json) {
		json_dumpf(r.summary, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(15));
		fputc('\n', stdout);
	} else {
		summary_print_text(stdout, r.summary, r.seconds);
	}
	json_decref(r.summary);
	return 0;
}

/* --run-once, --check, --deliver (and their combinations): one pass, then
 * the exit status. */
static int
one_shot(struct cli *cl, struct crmx_config *cfg, int32_t as_of)
{
	char err[768], week[16] = "";
	/* The text summary speaks the first configured report language. */
	char first[16] = "";
	if (cfg->reportd_language)
		snprintf(first, sizeof first, "%.*s", (int)strcspn(cfg->reportd_language, ", "),
		         cfg->reportd_language);
	i18n_use(i18n_pick(first, NULL, NULL, LANG_EN));
	if (cl->run_once && cl->report) {
		int rc = report_once(cfg, as_of, cl->deliver, week, sizeof week);
		if (rc >= 0) {
			config_free(cfg);
			transport_cleanup();
			return rc;
		}
		cl->run_once = 0;	/* --deliver follows */
	}
	PGconn *conn = db_connect(cfg, cfg->db_conninfo, "crmx-reportd", err, sizeof err);
	if (conn == NULL)
		die(1, "%s", err);
	int rc = 0;
	if (cl->check)
		log_info("database reachable (server %d)", PQserverVersion(conn));
	if (cl->run_once)
		rc = run_once_main(conn, cfg, as_of, cl->json);
	if (cl->deliver && rc == 0)
		rc = deliver_main(conn, cfg, week[0] ? week : NULL);
	PQfinish(conn);
	config_free(cfg);
	transport_cleanup();
	if (fflush(stdout) != 0)
		die(1, "writing the summary: standard output failed");
	return rc;
}

int
main(int argc, char **argv)
{
	struct crmx_config cfg;
	char err[768];
	int32_t as_of = today_utc();

	log_init("crmx-reportd", LOG_LVL_INFO, false);
	int st = parse_args(argc, argv, &cli);
	if (st >= 0)
		return st;
	app_load(&cli.opts, "crmx-reportd", &cfg);
	i18n_init(NULL);
	if (cli.as_of_arg != NULL)
		as_of = resolve_as_of(&cfg, cli.as_of_arg);
	/* A gnuplot child or an HTTP client that goes away must not kill us. */
	signal(SIGPIPE, SIG_IGN);
	if (mail_config_check(&cfg, err, sizeof err) != 0)
		die(2, "%s", err);
	if (transport_init() != 0)
		die(1, "cannot initialise libcurl");
	if (cli.send_test != NULL)
		return send_test_main(&cfg, cli.send_test);
	if (!cli.run_once && !cli.check && !cli.deliver) {
		st = daemon_main(&cfg);
		config_free(&cfg);
		return st;
	}
	return one_shot(&cli, &cfg, as_of);
}
