/* The response as FastCGI stdout records (fcgi/records.c): through a
 * socket pair whose buffer is far smaller than the response (so that the
 * kernel takes each sendmsg in part), responses of 0 bytes to several
 * megabytes (more records than one sendmsg carries) come out as records
 * of the request's id, none over 65,535 bytes, whose contents are the
 * response byte for byte; also when a signal interrupts the sending every
 * millisecond, so that the kernel takes sendmsg's records in part. */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>
#include <fastcgi.h>

#include "records.h"

struct reader {
	int	 fd;
	int	 id;
	size_t	 want;		/* content bytes to read */
	unsigned char *got;	/* the contents, in order */
	size_t	 len;
	int	 records;
	int	 bad;		/* a record not of the id, type or size asked */
};

static int
read_full(int fd, void *buf, size_t n)
{
	size_t done = 0;
	while (done < n) {
		ssize_t r = read(fd, (char *)buf + done, n - done);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		done += (size_t)r;
	}
	return 0;
}

static void *
read_records(void *arg)
{
	struct reader *r = arg;
	while (r->len < r->want) {
		FCGI_Header h;
		if (read_full(r->fd, &h, sizeof h) != 0)
			break;
		size_t n = (size_t)h.contentLengthB1 << 8 | h.contentLengthB0;
		int id = h.requestIdB1 << 8 | h.requestIdB0;
		if (h.version != FCGI_VERSION_1 || h.type != FCGI_STDOUT || id != r->id ||
		    n == 0 || h.paddingLength != 0 || n > r->want - r->len) {
			r->bad++;
			break;
		}
		if (read_full(r->fd, r->got + r->len, n) != 0)
			break;
		r->len += n;
		r->records++;
	}
	shutdown(r->fd, SHUT_RDWR);
	return NULL;
}

static volatile sig_atomic_t ticks;
static volatile int ticking;

static void
on_tick(int sig)
{
	(void)sig;
	ticks++;
}

/* SIGUSR1 to the sending thread every millisecond, no system call
 * restarted: a sendmsg that has sent part returns its count */
static void *
ticker(void *arg)
{
	pthread_t sender = *(pthread_t *)arg;
	while (ticking) {
		pthread_kill(sender, SIGUSR1);
		usleep(1000);
	}
	return NULL;
}

static void
check_send(size_t len, int id)
{
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	int small = 4096;	/* the kernel rounds it up, still far below the response */
	assert_int_equal(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof small), 0);
	/* a reader left waiting for bytes that never come, or a sender for
	 * a reader gone, fails rather than hangs */
	struct timeval wait = { .tv_sec = 5 };
	assert_int_equal(setsockopt(sv[1], SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait), 0);
	assert_int_equal(setsockopt(sv[0], SOL_SOCKET, SO_SNDTIMEO, &wait, sizeof wait), 0);
	char *p = malloc(len + 1);
	assert_non_null(p);
	for (size_t i = 0; i < len; i++)
		p[i] = (char)('a' + (i * 7919 + i / 65535) % 26);
	struct reader r = { .fd = sv[1], .id = id, .want = len, .got = malloc(len + 1) };
	assert_non_null(r.got);
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, read_records, &r), 0);
	assert_int_equal(records_send(sv[0], id, p, len), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(r.bad, 0);
	assert_int_equal(r.len, len);
	assert_int_equal(r.records, (int)((len + 65534) / 65535));
	assert_memory_equal(r.got, p, len);
	close(sv[0]);
	close(sv[1]);
	free(p);
	free(r.got);
}

static void
test_sizes(void **state)
{
	(void)state;
	static const size_t sizes[] = { 0, 1, 65534, 65535, 65536, 131070, 200000,
	                                16 * 65535, 16 * 65535 + 1, 3000000 };
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
		check_send(sizes[i], i % 2 ? 1 : 0x1234);
}

static void
test_interrupted(void **state)
{
	(void)state;
	struct sigaction sa = { .sa_handler = on_tick };	/* no SA_RESTART */
	sigaction(SIGUSR1, &sa, NULL);
	pthread_t self = pthread_self(), tick;
	ticks = 0;
	ticking = 1;
	assert_int_equal(pthread_create(&tick, NULL, ticker, &self), 0);
	for (int i = 0; i < 20; i++)
		check_send(3000000, 7);
	ticking = 0;
	pthread_join(tick, NULL);
	signal(SIGUSR1, SIG_DFL);
	assert_true(ticks > 0);
}

static void
test_gone(void **state)
{
	(void)state;
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	close(sv[1]);
	char p[100] = { 0 };
	/* no SIGPIPE: the worker lives on to answer the next request */
	assert_int_equal(records_send(sv[0], 1, p, sizeof p), -1);
	assert_int_equal(errno, EPIPE);
	close(sv[0]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_interrupted),
		cmocka_unit_test(test_gone),
	};
	return cmocka_run_group_tests_name("test_records", tests, NULL, NULL);
}
