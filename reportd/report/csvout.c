/* CSV fields for the report's table exports: quoted when needed, and
 * guarded against formula injection when opened in a spreadsheet. */
#include <stdlib.h>
#include <string.h>

#include "csvout.h"

static int
is_number(const char *s)
{
	char *end;
	if (*s == '\0')
		return 0;
	(void)strtod(s, &end);
	return *end == '\0';
}

void
csv_field(struct sbuf *b, const char *s, int first)
{
	if (!first)
		sb_raw(b, ",");
	if (s == NULL)
		return;
	int guard = strchr("=+-@", s[0]) != NULL && s[0] != '\0' && !is_number(s);
	int quote = guard || strpbrk(s, ",\"\r\n") != NULL;
	if (!quote) {
		sb_raw(b, s);
		return;
	}
	sb_raw(b, guard ? "\"'" : "\"");
	for (const char *p = s; *p; p++) {
		if (*p == '"')
			sb_raw(b, "\"\"");
		else
			sb_rawn(b, p, 1);
	}
	sb_raw(b, "\"");
}

void
csv_end_row(struct sbuf *b)
{
	sb_raw(b, "\r\n");
}
