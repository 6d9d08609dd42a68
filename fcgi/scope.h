/* Narrowing the viewer's scope (auth.h) to one owner, for ?owner= on a
 * panel whose statements take only the scope: the owner when the viewer
 * may see them, else nobody; never anyone outside the scope. */
#ifndef CRMX_SCOPE_H
#define CRMX_SCOPE_H

#include <stdint.h>

#include "panel.h"

/* Whether the viewer's scope (owners "{1,2}", NULL: all) holds id. */
int scope_has(const char *owners, int64_t id);
/* Whether the scope is exactly one owner (*id set). */
int scope_single(const char *owners, int64_t *id);
/* Sets c->v->owners to "{id}" when the viewer may see id, else to "{}"
 * (no owner: empty panels); *saved receives the old value to give back
 * with scope_restore().  owner NULL or "": nothing changes. */
void scope_narrow(struct ctx *c, const char *owner, char **saved);
void scope_restore(struct ctx *c, char *saved);

#endif
