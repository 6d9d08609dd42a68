/* The monotonic clock helper: deadlines are normalised and on the same
 * clock as mono(), a condition from mono_cond_init times out on it, and
 * wall_now() is the epoch's time. */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <cmocka.h>

#include "clock.h"

static double
ts_s(struct timespec ts)
{
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
test_mono_after(void **state)
{
	(void)state;
	static const double secs[] = { 0, 0.001, 0.5, 0.999999999, 1.5, 3600.25 };
	for (size_t i = 0; i < sizeof secs / sizeof secs[0]; i++) {
		double before = mono();
		struct timespec ts = mono_after(secs[i]);
		double after = mono();
		assert_true(ts.tv_nsec >= 0 && ts.tv_nsec < 1000000000L);
		assert_true(ts_s(ts) >= before + secs[i] - 1e-6);
		assert_true(ts_s(ts) <= after + secs[i] + 1e-6);
	}
}

/* wall_now() lies between two readings of CLOCK_REALTIME, and within a
 * second of time(). time() reads the kernel's coarse clock, which lags the
 * fine one by up to a tick: just after a second turns, time() can still
 * give the second before, so it is no bracket of its own (CI failed once
 * on "now < time(NULL) + 1"; about one reading in 800 does). */
static void
test_wall_now(void **state)
{
	(void)state;
	struct timespec a, b;
	clock_gettime(CLOCK_REALTIME, &a);
	double now = wall_now();
	clock_gettime(CLOCK_REALTIME, &b);
	assert_true(now >= ts_s(a) && now <= ts_s(b));
	double t = (double)time(NULL);
	assert_true(now > t - 1 && now < t + 2);
}

static void
test_cond_times_out(void **state)
{
	(void)state;
	pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
	pthread_cond_t cv;
	mono_cond_init(&cv);
	pthread_mutex_lock(&mu);
	double t0 = mono();
	struct timespec ts = mono_after(0.05);
	int rc;
	while ((rc = pthread_cond_timedwait(&cv, &mu, &ts)) == 0)
		;
	pthread_mutex_unlock(&mu);
	assert_int_equal(rc, ETIMEDOUT);
	double waited = mono() - t0;
	assert_true(waited >= 0.049 && waited < 5);
	pthread_cond_destroy(&cv);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mono_after),
		cmocka_unit_test(test_cond_times_out),
		cmocka_unit_test(test_wall_now),
	};
	return cmocka_run_group_tests_name("clock", tests, NULL, NULL);
}
