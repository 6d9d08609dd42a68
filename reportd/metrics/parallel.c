/* parallel_for with plain pthreads: the calling thread takes the first
 * slice; a thread that cannot be started has its slice run inline. */
#include <pthread.h>
#include <unistd.h>

#include "parallel.h"

struct slice {
	void	 (*fn)(void *, size_t, size_t, int);
	void	*ctx;
	size_t	 from, to;
	int	 slot;
};

static void *
run_slice(void *arg)
{
	struct slice *s = arg;
	s->fn(s->ctx, s->from, s->to, s->slot);
	return NULL;
}

int
parallel_slots(void)
{
	static int slots;
	if (slots == 0) {
		long cores = sysconf(_SC_NPROCESSORS_ONLN);
		slots = cores < 1 ? 1 : cores > PARALLEL_MAX ? PARALLEL_MAX : (int)cores;
	}
	return slots;
}

void
parallel_for(size_t n, size_t min_per_slice, void (*fn)(void *, size_t, size_t, int), void *ctx)
{
	int nt = parallel_slots();
	if (min_per_slice == 0)
		min_per_slice = 1;
	if ((size_t)nt > n / min_per_slice)
		nt = (int)(n / min_per_slice);
	if (nt <= 1) {
		fn(ctx, 0, n, 0);
		return;
	}
	struct slice sl[PARALLEL_MAX];
	pthread_t th[PARALLEL_MAX];
	int started[PARALLEL_MAX] = { 0 };
	for (int i = 0; i < nt; i++) {
		sl[i] = (struct slice){ fn, ctx, n * (size_t)i / (size_t)nt,
		                        n * (size_t)(i + 1) / (size_t)nt, i };
		if (i > 0)
			started[i] = pthread_create(&th[i], NULL, run_slice, &sl[i]) == 0;
	}
	run_slice(&sl[0]);
	for (int i = 1; i < nt; i++) {
		if (started[i])
			pthread_join(th[i], NULL);
		else
			run_slice(&sl[i]);
	}
}

struct chunks {
	void	(*fn)(void *, int, size_t, size_t);
	void	*ctx;
	size_t	 n;
};

static void
run_chunks(void *arg, size_t from, size_t to, int slot)
{
	const struct chunks *k = arg;
	(void)slot;
	for (size_t c = from; c < to; c++)
		k->fn(k->ctx, (int)c, k->n * c / PARALLEL_CHUNKS, k->n * (c + 1) / PARALLEL_CHUNKS);
}

void
parallel_chunks(size_t n, void (*fn)(void *, int, size_t, size_t), void *ctx)
{
	struct chunks k = { fn, ctx, n };
	if (n < PARALLEL_CHUNKS_SERIAL)
		run_chunks(&k, 0, PARALLEL_CHUNKS, 0);
	else
		parallel_for(PARALLEL_CHUNKS, 1, run_chunks, &k);
}
