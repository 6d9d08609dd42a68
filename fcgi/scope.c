/* Narrowing the viewer's scope to one owner (see scope.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scope.h"
#include "util.h"

int
scope_has(const char *owners, int64_t id)
{
	if (owners == NULL)
		return 1;
	const char *p = owners;
	while (*p != '\0') {
		while (*p == '{' || *p == ',' || *p == ' ')
			p++;
		char *end;
		long long v = strtoll(p, &end, 10);
		if (end == p)
			break;
		if (v == id)
			return 1;
		p = end;
	}
	return 0;
}

int
scope_single(const char *owners, int64_t *id)
{
	if (owners == NULL || strchr(owners, ',') != NULL)
		return 0;
	const char *p = owners + (owners[0] == '{');
	char *end;
	long long v = strtoll(p, &end, 10);
	if (end == p)
		return 0;
	*id = v;
	return 1;
}

void
scope_narrow(struct ctx *c, const char *owner, char **saved)
{
	int64_t id;
	*saved = NULL;
	if (owner == NULL || owner[0] == '\0' || parse_id(owner, &id) != 0)
		return;
	char buf[32];
	if (scope_has(c->v->owners, id))
		snprintf(buf, sizeof buf, "{%lld}", (long long)id);
	else
		snprintf(buf, sizeof buf, "{}");
	*saved = c->v->owners ? c->v->owners : xstrdup("");
	c->v->owners = xstrdup(buf);
}

void
scope_restore(struct ctx *c, char *saved)
{
	if (saved == NULL)
		return;
	free(c->v->owners);
	c->v->owners = saved[0] == '\0' ? NULL : saved;
	if (saved[0] == '\0')
		free(saved);
}
