/* crmx's clocks: one monotonic clock that elapsed times, deadlines and
 * timed waits use, so that a change of the wall clock moves none of them;
 * and the wall clock's now for times that are recorded. */
#ifndef CRMX_CLOCK_H
#define CRMX_CLOCK_H

#include <pthread.h>
#include <time.h>

/* Seconds (with fraction) on CLOCK_MONOTONIC. */
double mono(void);
/* Initialises a condition whose timed waits count on the monotonic clock. */
void mono_cond_init(pthread_cond_t *cv);
/* The monotonic time secs (>= 0) from now, as pthread_cond_timedwait
 * takes it on such a condition. */
struct timespec mono_after(double secs);

/* Seconds since the epoch (with fraction) on the wall clock: for times
 * that are stored or shown, never for measuring. */
double wall_now(void);

#endif
