/* The daemon's shared state (see state.h): one mutex, one condition. */
#include <pthread.h>
#include <string.h>

#include "state.h"

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static struct rd_state st;
static int stopping, pending;
static int32_t pending_as_of;
static double pending_at;

void
state_init(void)
{
	pthread_mutex_lock(&mu);
	memset(&st, 0, sizeof st);
	stopping = pending = 0;
	pthread_mutex_unlock(&mu);
}

int
state_request(int32_t as_of)
{
	pthread_mutex_lock(&mu);
	pending = 1;
	pending_as_of = as_of;
	pending_at = job_now();
	pthread_cond_signal(&cv);
	pthread_mutex_unlock(&mu);
	return 0;
}

int
state_wait(time_t until, int32_t *as_of, double *requested_at)
{
	int rc = 0;
	struct timespec ts = { until, 0 };
	pthread_mutex_lock(&mu);
	while (!stopping && !pending && time(NULL) < until)
		if (pthread_cond_timedwait(&cv, &mu, &ts) != 0 && time(NULL) >= until)
			break;
	if (stopping) {
		rc = -1;
	} else if (pending) {
		pending = 0;
		*as_of = pending_as_of;
		*requested_at = pending_at;
		rc = 1;
	}
	pthread_mutex_unlock(&mu);
	return rc;
}

void
state_stop(void)
{
	pthread_mutex_lock(&mu);
	stopping = 1;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
}

int
state_stopping(void)
{
	pthread_mutex_lock(&mu);
	int s = stopping;
	pthread_mutex_unlock(&mu);
	return s;
}

void
state_job_started(int32_t as_of)
{
	pthread_mutex_lock(&mu);
	st.running = 1;
	st.running_as_of = as_of;
	pthread_mutex_unlock(&mu);
}

void
state_job_done(const struct job_result *r)
{
	pthread_mutex_lock(&mu);
	st.running = 0;
	st.has_result = 1;
	st.last_ok = r->ok;
	st.last_finished = time(NULL);
	st.last_seconds = r->seconds;
	if (r->ok) {
		st.jobs_ok++;
		st.last_success = st.last_finished;
		st.last_error[0] = '\0';
		st.last_run_id = r->run_id;
		st.last_chart_seconds = r->report.chart_seconds;
		st.last_charts_missing = r->report.charts_missing;
		memcpy(st.last_week, r->report.week, sizeof st.last_week);
		if (r->computed) {
			st.runs_computed++;
			st.last_run_seconds = r->run_seconds;
			st.last_rows_read = r->rows_read;
		} else {
			st.runs_reused++;
		}
	} else {
		st.jobs_failed++;
		memcpy(st.last_error, r->error, sizeof st.last_error);
	}
	pthread_mutex_unlock(&mu);
}

void
state_set_times(time_t next_due, time_t retry_at)
{
	pthread_mutex_lock(&mu);
	st.next_due = next_due;
	st.retry_at = retry_at;
	pthread_mutex_unlock(&mu);
}

void
state_count_5xx(void)
{
	pthread_mutex_lock(&mu);
	st.http_5xx++;
	pthread_mutex_unlock(&mu);
}

void
state_get(struct rd_state *out)
{
	pthread_mutex_lock(&mu);
	*out = st;
	pthread_mutex_unlock(&mu);
}
