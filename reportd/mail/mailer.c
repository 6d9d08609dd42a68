/* The mail thread (see mailer.h).  It wakes when a report was written and
 * at least every poll interval (the first backoff, at most 30 s) to send
 * deliveries that became due, including those another instance left
 * behind when it died.  A lost database connection is reset on the next
 * wake, never fatal. */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "deliver.h"
#include "log.h"
#include "mail.h"
#include "mailer.h"
#include "report.h"

static struct {
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	pthread_t	 th;
	int		 started, stop, kick;
	const struct crmx_config *cfg;
} M = { .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER };

/* Runs in the thread that wrote the report: queue now, so the week is
 * recorded even if we die before the mail thread wakes. */
static void
on_report(const struct report_info *info, void *arg)
{
	const struct crmx_config *cfg = arg;
	char err[600], newest[16];
	/* A report made again for a past week (on request) is not news. */
	if (mail_latest_week(cfg, newest, sizeof newest) == 0 && strcmp(info->week, newest) < 0) {
		log_info("mail: report %s is older than %s: not mailed", info->week, newest);
		return;
	}
	PGconn *conn = db_connect(cfg, cfg->db_conninfo, "crmx-reportd mail", err, sizeof err);
	if (conn == NULL) {
		log_error("mail: report %s not queued: %s", info->week, err);
		return;
	}
	deliver_enqueue(conn, cfg, info->week);
	PQfinish(conn);
	pthread_mutex_lock(&M.mu);
	M.kick = 1;
	pthread_cond_signal(&M.cv);
	pthread_mutex_unlock(&M.mu);
}

static void *
mail_thread(void *arg)
{
	(void)arg;
	const struct crmx_config *cfg = M.cfg;
	PGconn *conn = NULL;
	int poll_s = cfg->mail_retry_base_s < 30 ? cfg->mail_retry_base_s : 30;
	char err[600];

	pthread_mutex_lock(&M.mu);
	while (!M.stop) {
		M.kick = 0;
		pthread_mutex_unlock(&M.mu);
		if (conn != NULL && db_is_down(conn)) {
			PQfinish(conn);
			conn = NULL;
		}
		if (conn == NULL && (conn = db_connect(cfg, cfg->db_conninfo, "crmx-reportd mail",
		                                       err, sizeof err)) == NULL)
			log_warn("mail: %s (trying again in %d s)", err, poll_s);
		if (conn != NULL) {
			struct deliver_counts n;
			deliver_due(conn, cfg, &n);
		}
		pthread_mutex_lock(&M.mu);
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += poll_s;
		while (!M.stop && !M.kick)
			if (pthread_cond_timedwait(&M.cv, &M.mu, &until) == ETIMEDOUT)
				break;
	}
	pthread_mutex_unlock(&M.mu);
	if (conn)
		PQfinish(conn);
	return NULL;
}

static int
any_recipient(const char *addr, enum lang l, void *arg)
{
	(void)addr; (void)l; (void)arg;
	return 1;
}

int
mailer_start(const struct crmx_config *cfg)
{
	if (strcmp(cfg->mail_transport, "off") == 0)
		return 0;
	M.cfg = cfg;
	M.stop = 0;
	if (report_on_written(on_report, (void *)(uintptr_t)cfg) != 0)
		return -1;
	if (pthread_create(&M.th, NULL, mail_thread, NULL) != 0)
		return -1;
	M.started = 1;
	if (mail_each_recipient(cfg, any_recipient, NULL) == 0)
		log_warn("mail: transport is %s but no recipients are configured", cfg->mail_transport);
	log_info("mail: %s transport on; recipients get each week's report once", cfg->mail_transport);
	return 0;
}

void
mailer_stop(void)
{
	if (!M.started)
		return;
	pthread_mutex_lock(&M.mu);
	M.stop = 1;
	pthread_cond_signal(&M.cv);
	pthread_mutex_unlock(&M.mu);
	pthread_join(M.th, NULL);
	M.started = 0;
}
