/* crmx's one monotonic clock: elapsed times, deadlines and timed waits
 * use it, so that a change of the wall clock moves none of them. */
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

#endif
