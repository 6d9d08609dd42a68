/* What the daemon's threads share: the queue of on-demand runs (from the
 * HTTP service to the runner) and the figures /healthz and /metrics show.
 * Every function locks; readers get a copy. */
#ifndef CRMX_STATE_H
#define CRMX_STATE_H

#include <stdint.h>
#include <time.h>

#include "job.h"

struct rd_state {
	int	 running;		/* a job is under way */
	int32_t	 running_as_of;
	long	 jobs_ok, jobs_failed, runs_computed, runs_reused;
	int	 has_result, last_ok;
	time_t	 last_finished, last_success;
	double	 last_seconds, last_run_seconds, last_chart_seconds;
	long	 last_rows_read;
	int	 last_charts_missing;
	int64_t	 last_run_id;
	char	 last_week[16];
	char	 last_error[600];
	time_t	 next_due;		/* next scheduled run */
	time_t	 retry_at;		/* 0: no retry pending */
	long	 http_5xx;
};

void state_init(void);
/* Queues an on-demand run for as_of (one pending request; a second one
 * replaces the first).  Returns 0. */
int  state_request(int32_t as_of);
/* Runner: waits until a request arrives (1, *as_of and *requested_at set),
 * `until` passes (0) or the daemon stops (-1). */
int  state_wait(time_t until, int32_t *as_of, double *requested_at);
/* Whether state_stop() was called. */
int state_stopping(void);
void state_stop(void);
void state_job_started(int32_t as_of);
void state_job_done(const struct job_result *r);
void state_set_times(time_t next_due, time_t retry_at);
void state_count_5xx(void);
void state_get(struct rd_state *out);

#endif
