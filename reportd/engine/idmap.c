/* id -> index hash map for the snapshot.  Keys are CRM ids, so they are
 * mixed before use: sequential ids would otherwise cluster. */
#include <stdlib.h>
#include <string.h>

#include "idmap.h"
#include "util.h"

#define EMPTY UINT32_MAX

static size_t
mix(int64_t k)
{
	uint64_t x = (uint64_t)k;
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return (size_t)x;
}

void
idmap_init(struct idmap *m, size_t expected)
{
	size_t cap = 64;
	while (cap < expected * 2)
		cap <<= 1;
	m->keys = xmalloc(cap * sizeof *m->keys);
	m->vals = xmalloc(cap * sizeof *m->vals);
	memset(m->vals, 0xff, cap * sizeof *m->vals);
	m->mask = cap - 1;
	m->n = 0;
	m->min = INT64_MAX;
	m->max = INT64_MIN;
	m->dense = NULL;
}

static void
grow(struct idmap *m)
{
	struct idmap bigger;
	idmap_init(&bigger, (m->mask + 1));
	for (size_t i = 0; i <= m->mask; i++)
		if (m->vals[i] != EMPTY) {
			int added;
			idmap_put(&bigger, m->keys[i], m->vals[i], &added);
		}
	idmap_free(m);
	*m = bigger;
}

uint32_t
idmap_put(struct idmap *m, int64_t id, uint32_t next, int *added)
{
	if ((m->n + 1) * 2 > m->mask + 1)
		grow(m);
	for (size_t i = mix(id) & m->mask;; i = (i + 1) & m->mask) {
		if (m->vals[i] == EMPTY) {
			m->keys[i] = id;
			m->vals[i] = next;
			m->n++;
			if (id < m->min)
				m->min = id;
			if (id > m->max)
				m->max = id;
			*added = 1;
			return next;
		}
		if (m->keys[i] == id) {
			*added = 0;
			return m->vals[i];
		}
	}
}

uint32_t
idmap_get(const struct idmap *m, int64_t id)
{
	if (m->dense != NULL)
		return id >= m->min && id <= m->max ? m->dense[id - m->min] : EMPTY;
	for (size_t i = mix(id) & m->mask;; i = (i + 1) & m->mask) {
		if (m->vals[i] == EMPTY)
			return UINT32_MAX;
		if (m->keys[i] == id)
			return m->vals[i];
	}
}

void
idmap_freeze(struct idmap *m)
{
	if (m->n == 0 || m->dense != NULL)
		return;
	/* compact: the array is at most 4 entries per id */
	uint64_t span = (uint64_t)m->max - (uint64_t)m->min + 1;
	if (span > 4 * (uint64_t)m->n + 1024)
		return;
	m->dense = xmalloc(span * sizeof *m->dense);
	memset(m->dense, 0xff, span * sizeof *m->dense);
	for (size_t i = 0; i <= m->mask; i++)
		if (m->vals[i] != EMPTY)
			m->dense[m->keys[i] - m->min] = m->vals[i];
}

void
idmap_free(struct idmap *m)
{
	free(m->dense);
	m->dense = NULL;
	free(m->keys);
	free(m->vals);
	m->keys = NULL;
	m->vals = NULL;
}
