/* reportd/daemon/: the daemon around the stages: the runner thread and its
 * schedule, the shared state, requested runs and their as-of check, and a
 * report job (lock, engine run, report).
 *
 * crmx-reportd as a daemon: the HTTP service (http.c) and the runner
 * thread, which runs report jobs (job.c) on the schedule, on demand and
 * again after a failure ([reportd] retry_s), until SIGTERM or SIGINT. */
#ifndef CRMX_DAEMON_H
#define CRMX_DAEMON_H

#include "config.h"

/* Returns the exit status: 0 after a signal, 2 for a bad setting, 1 when
 * the HTTP service cannot start. */
int daemon_main(const struct crmx_config *cfg);

#endif
