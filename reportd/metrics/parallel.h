/* Splitting a loop over many accounts across the machine's cores. */
#ifndef CRMX_PARALLEL_H
#define CRMX_PARALLEL_H

#include <stddef.h>

#define PARALLEL_MAX 8

/* Calls fn(ctx, from, to, slot) for contiguous slices covering [0, n),
 * one per core (slot 0 .. parallel_slots() - 1, at most PARALLEL_MAX),
 * and returns when all are done.  Small n runs in one slice on the
 * calling thread.  fn must only write to its slice and its slot. */
void parallel_for(size_t n, size_t min_per_slice,
                  void (*fn)(void *ctx, size_t from, size_t to, int slot), void *ctx);

/* Calls fn(ctx, c, from, to) for each of PARALLEL_CHUNKS fixed slices c
 * of [0, n), from and to its bounds: the same slices on any machine, so
 * sums taken per slice and added in slice order are the same bits on any
 * number of cores.  The slices are shared among the cores (parallel_for)
 * when n is at least PARALLEL_CHUNKS_SERIAL, else run in order on this
 * thread (starting threads would cost more). */
#define PARALLEL_CHUNKS		16
#define PARALLEL_CHUNKS_SERIAL	20000
void parallel_chunks(size_t n, void (*fn)(void *ctx, int c, size_t from, size_t to), void *ctx);

/* How many slots parallel_for may use on this machine. */
int parallel_slots(void);

#endif
