/* A hash map from CRM ids (int64) to dense indexes (uint32): open
 * addressing with linear probing, sized once for the expected count, and
 * a direct array for compact id ranges. */
#ifndef CRMX_IDMAP_H
#define CRMX_IDMAP_H

#include <stddef.h>
#include <stdint.h>

struct idmap {
	int64_t		*keys;
	uint32_t	*vals;
	size_t		 mask;
	size_t		 n;
	int64_t		 min, max;	/* of the keys put */
	uint32_t	*dense;		/* after idmap_freeze: id - min -> index */
};

void     idmap_init(struct idmap *m, size_t expected);
/* The index of id, adding it as `next` when absent; *added says which. */
uint32_t idmap_put(struct idmap *m, int64_t id, uint32_t next, int *added);
/* The index of id, or UINT32_MAX. */
uint32_t idmap_get(const struct idmap *m, int64_t id);
/* Declares the map complete.  When the ids are compact (as CRM ids
 * from a sequence usually are) lookups then index an array instead of
 * probing the hash table; puts are no longer allowed. */
void     idmap_freeze(struct idmap *m);
void     idmap_free(struct idmap *m);

#endif
