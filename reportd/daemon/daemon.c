/* The daemon's runner loop and start-up (see daemon.h).  The main thread
 * only waits for signals; a failed job is retried after retry_s, and the
 * previous report stays served meanwhile.  Requested runs come from the
 * database's queue (runreq.h), so they survive a restart. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "daemon.h"
#include "db.h"
#include "http.h"
#include "i18n.h"
#include "job.h"
#include "log.h"
#include "mailer.h"
#include "report.h"
#include "runreq.h"
#include "schedule.h"
#include "state.h"
#include "util.h"

struct runner_ctx {
	const struct crmx_config	*cfg;
	struct schedule			 sched;
};

/* One job, with its figures for /healthz and its log lines. */
static void
run_job(const struct crmx_config *cfg, int32_t as_of, double requested, struct job_result *r)
{
	char when[32];
	format_date(as_of, when, sizeof when);
	log_info("report job for %s starts", when);
	state_job_started(as_of);
	job_run(cfg, as_of, requested, 1, r);
	state_job_done(r);
	if (r->ok)
		log_info("report job for %s done in %.2f s (%s)", when, r->seconds,
		         r->computed ? "computed" : "reused another instance's run");
	else
		log_error("report job for %s failed: %s (retry in %d s)", when, r->error,
		          cfg->reportd_retry_s);
}

/* Works through the requested runs that are due (runreq.h), those a dead
 * instance left too; returns when to look again (0: nothing pending), and
 * in *retrying whether that is a retry after a failure. */
static time_t
drain_requests(const struct crmx_config *cfg, int *retrying)
{
	char err[512];
	*retrying = 0;
	while (!state_stopping()) {
		PGconn *conn = db_connect(cfg, cfg->db_conninfo, "crmx-reportd", err, sizeof err);
		if (conn == NULL) {
			log_error("requested runs: %s (looking again in %d s)", err,
			          cfg->reportd_retry_s);
			*retrying = 1;
			return time(NULL) + cfg->reportd_retry_s;
		}
		struct runreq q;
		time_t next = 0;
		int got = runreq_claim(conn, &q, &next);
		if (got <= 0) {
			PQfinish(conn);
			if (got < 0) {
				*retrying = 1;
				return time(NULL) + cfg->reportd_retry_s;
			}
			return next;
		}
		if (q.attempts > 0)
			log_info("requested run %lld: attempt %d", (long long)q.id, q.attempts + 1);
		struct job_result r;
		run_job(cfg, q.as_of, q.requested_at, &r);
		int recorded = runreq_finish(conn, &q, &r, cfg->reportd_retry_s);
		PQfinish(conn);	/* the request's lock goes with it */
		if (recorded != 0) {	/* still due: not at once again */
			*retrying = 1;
			return time(NULL) + cfg->reportd_retry_s;
		}
		if (!r.ok)	/* tried again after retry_s */
			*retrying = 1;
	}
	return 0;
}

/* When the runner wakes next: the schedule, a retry or a queued request,
 * whichever is first.  Tells /healthz the next scheduled run and retry. */
static time_t
wake_at(time_t next_due, time_t retry_at, time_t req_at, int req_retrying)
{
	time_t until = next_due;
	if (retry_at && retry_at < until)
		until = retry_at;
	if (req_at && req_at < until)
		until = req_at;
	/* /healthz: the next retry, of a scheduled or a requested run */
	time_t shown = retry_at;
	if (req_retrying && req_at && (!shown || req_at < shown))
		shown = req_at;
	state_set_times(next_due, shown);
	return until;
}

static void *
runner(void *arg)
{
	struct runner_ctx *rc = arg;
	const struct crmx_config *cfg = rc->cfg;
	time_t next_due = schedule_next(&rc->sched, time(NULL));
	time_t retry_at = 0;
	double retry_req = 0;
	int32_t retry_as_of = 0;
	/* Staging folders of a killed run: here, not before the HTTP service
	 * starts, since it may wait on the database (reports are served
	 * while PostgreSQL is slow or away). */
	job_clean_staging(cfg);
	/* Requests recorded before a restart (or left by a dead instance). */
	int req_retrying;
	time_t req_at = drain_requests(cfg, &req_retrying);

	for (;;) {
		int32_t as_of;
		double requested;
		time_t until = wake_at(next_due, retry_at, req_at, req_retrying);
		int w = state_wait(until, &as_of, &requested);
		if (w < 0)
			break;
		time_t now = time(NULL);
		if (w == 1 || (req_at && now >= req_at)) {
			/* POST /api/runs recorded a request: the queue has it. */
			req_at = drain_requests(cfg, &req_retrying);
			continue;
		}
		if (retry_at && now >= retry_at) {
			as_of = retry_as_of;
			requested = retry_req;
			log_info("retrying the failed report job");
		} else if (now >= next_due) {
			as_of = schedule_as_of(next_due);
			requested = (double)next_due;
			next_due = schedule_next(&rc->sched, now);
		} else {
			continue;
		}
		struct job_result r;
		run_job(cfg, as_of, requested, &r);
		if (r.ok) {
			if (retry_at && retry_as_of == as_of)
				retry_at = 0;
		} else {
			retry_at = time(NULL) + cfg->reportd_retry_s;
			retry_as_of = as_of;
			retry_req = requested;
		}
	}
	return NULL;
}

int
daemon_main(const struct crmx_config *cfg)
{
	struct runner_ctx rc = { .cfg = cfg };
	char err[512], when[64];
	sigset_t set;
	pthread_t th;
	int sig = 0;

	int langs[LANG_COUNT];
	if (report_languages(cfg->reportd_language, langs, LANG_COUNT) == 0) {
		log_error("[reportd] language: \"%s\" names no known language (en, zh-CN)",
		          cfg->reportd_language);
		return 2;
	}
	if (schedule_parse(cfg->reportd_schedule, &rc.sched, err, sizeof err) != 0 ||
	    schedule_set_timezone(cfg->reportd_timezone, err, sizeof err) != 0) {
		log_error("%s", err);
		return 2;
	}
	/* Signals go to the main thread only: block them before threads start. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	state_init();
	struct http_server *srv = http_start(cfg, err, sizeof err);
	if (srv == NULL) {
		log_error("%s", err);
		return 1;
	}
	if (mailer_start(cfg) != 0) {
		log_error("cannot start the mail thread");
		http_stop(srv);
		return 1;
	}
	if (pthread_create(&th, NULL, runner, &rc) != 0) {
		log_error("cannot start the runner thread");
		mailer_stop();
		http_stop(srv);
		return 1;
	}
	time_t next = schedule_next(&rc.sched, time(NULL));
	struct tm tm;
	localtime_r(&next, &tm);
	strftime(when, sizeof when, "%Y-%m-%d %H:%M %Z", &tm);
	log_info("reports in %s; next scheduled report %s", cfg->reportd_report_dir, when);
	while (sigwait(&set, &sig) == 0 && sig == SIGHUP)
		log_info("SIGHUP ignored (restart to read the configuration again)");
	log_info("signal %d: stopping after the current job", sig);
	state_stop();
	pthread_join(th, NULL);
	mailer_stop();
	http_stop(srv);
	return 0;
}
