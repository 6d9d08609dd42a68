/* Concentration figures of docs/metrics.md §1 for any population (accounts,
 * owners) in the shape the results use. */
#ifndef CRMX_CONCENTRATION_H
#define CRMX_CONCENTRATION_H

#include <stddef.h>
#include <stdint.h>

#include "results.h"

/* ids[i] and values[i] (exact integers: minor units) for n items; fills c, and per item abc[i] ('A',
 * 'B', 'C', or 0 for values <= 0) and rank[i] (1 = largest, 0 unranked). */
void concentration_compute(const int64_t *ids, const int64_t *values, size_t n,
                           struct concentration *c, char *abc, uint32_t *rank);

#endif
