/* The database check of the HTTP service (see dbhealth.h).  The check runs
 * in a detached thread with its own copy of the settings it needs, so a
 * check stuck on a stalled server holds neither a request nor the
 * daemon's shutdown. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "db.h"
#include "dbhealth.h"
#include "log.h"
#include "replica.h"
#include "util.h"

#define FRESH_S	1.0	/* a result is reused this long */
#define WAIT_S	1.0	/* a request waits this long for a check under way */

static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv;
static struct db_health last;
static double checked_at, started_at;	/* monotonic; 0: never */
static int checking;
static char logged[600];		/* the failure last logged ("" after a success) */

/* What a check needs, owned by its thread. */
struct check {
	struct crmx_config	 cfg;	/* only the database settings */
	char			*conninfo;
	int			 mail;
};

static void
init(void)
{
	mono_cond_init(&cv);
}

/* Logs a failure when it differs from the last one logged. */
static void
log_change(const char *err)
{
	pthread_mutex_lock(&mu);
	int same = strcmp(err, logged) == 0;
	snprintf(logged, sizeof logged, "%s", err);
	pthread_mutex_unlock(&mu);
	if (!same && *err)
		log_error("health check: %s", err);
	else if (!same)
		log_info("health check: the database answers again");
}

/* The replica as a run would find it (engine.c): fit, lagging or gone. */
static void
check_replica(struct check *k, struct db_health *h, PGconn *primary)
{
	struct replica_state st;
	char why[600];
	h->replica = replica_configured(&k->cfg);
	h->reads = "primary";
	h->replica_lag_s = -1;
	if (!h->replica)
		return;
	PGconn *rd = replica_connect_fit(&k->cfg, "crmx-reportd", primary, &st, why, sizeof why);
	h->replica_state = rd != NULL ? "streaming" : st.standby || st.lag_s > 0 ? "lagging" :
	                   "unreachable";
	if (rd != NULL || st.lag_s > 0)
		h->replica_lag_s = st.lag_s;
	if (rd != NULL)
		h->reads = "replica";
	PQfinish(rd);
}

static void
run_check(struct check *k, struct db_health *h)
{
	char err[600] = "";
	memset(h, 0, sizeof *h);
	h->state = "unreachable";
	PGconn *conn = db_connect(&k->cfg, k->conninfo, "crmx-reportd", err, sizeof err);
	if (conn != NULL) {
		PGresult *res = PQexec(conn, "SELECT 1");
		h->ok = PQresultStatus(res) == PGRES_TUPLES_OK;
		if (!h->ok)
			snprintf(err, sizeof err, "database: %s", db_errmsg(conn));
		PQclear(res);
		if (h->ok && k->mail)
			h->mail_known = deliver_stats(conn, &h->mail) == 0;
	}
	if (h->ok)
		h->state = "reachable";
	log_change(h->ok ? "" : err);
	/* against the primary's position when it answers */
	check_replica(k, h, h->ok ? conn : NULL);
	PQfinish(conn);
}

static void *
checker(void *arg)
{
	struct check *k = arg;
	struct db_health h;
	run_check(k, &h);
	pthread_mutex_lock(&mu);
	last = h;
	checked_at = mono();
	checking = 0;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
	free(k->conninfo);
	free(k->cfg.db_read_conninfo);
	free(k);
	return NULL;
}

/* Under mu: starts a check.  0, or -1 when no thread could start. */
static int
start_check(const struct crmx_config *cfg)
{
	struct check *k = xcalloc(1, sizeof *k);
	pthread_attr_t at;
	pthread_t th;
	k->conninfo = xstrdup(cfg->db_conninfo);
	k->cfg.db_conninfo = k->conninfo;
	k->cfg.db_read_conninfo = xstrdup(cfg->db_read_conninfo);
	k->cfg.db_max_replica_lag_s = cfg->db_max_replica_lag_s;
	k->cfg.db_connect_timeout_s = cfg->db_connect_timeout_s;
	k->cfg.db_statement_timeout_ms = cfg->db_statement_timeout_ms;
	k->mail = strcmp(cfg->mail_transport, "off") != 0;
	pthread_attr_init(&at);
	pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	int rc = pthread_create(&th, &at, checker, k);
	pthread_attr_destroy(&at);
	if (rc != 0) {
		free(k->conninfo);
		free(k->cfg.db_read_conninfo);
		free(k);
		return -1;
	}
	checking = 1;
	started_at = mono();
	return 0;
}

void
dbhealth_get(const struct crmx_config *cfg, struct db_health *out)
{
	pthread_once(&once, init);
	pthread_mutex_lock(&mu);
	if (!checking && (checked_at == 0 || mono() - checked_at >= FRESH_S) &&
	    start_check(cfg) != 0) {
		memset(out, 0, sizeof *out);
		out->state = "unreachable";
		pthread_mutex_unlock(&mu);
		return;
	}
	double until = started_at + WAIT_S;
	while (checking && mono() < until) {
		struct timespec ts = mono_after(until - mono() + 0.001);
		pthread_cond_timedwait(&cv, &mu, &ts);
	}
	if (checking) {
		memset(out, 0, sizeof *out);
		out->state = "not answering";
	} else {
		*out = last;
	}
	pthread_mutex_unlock(&mu);
}
