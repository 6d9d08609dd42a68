/* The as-of date of a requested run, checked (see asof.h). */
#include <stdio.h>

#include "asof.h"
#include "i18n.h"
#include "util.h"

int
asof_check(const char *s, int32_t today, int32_t *as_of, char *err, size_t errlen)
{
	int32_t day;
	char last[16], first[16];
	if (parse_date(s, &day) != 0) {
		snprintf(err, errlen, "%s", _("as_of must be a date YYYY-MM-DD."));
		return -1;
	}
	if (day > today) {
		format_date(today, last, sizeof last);
		/* TRANSLATORS: %s: the requested date, then the last allowed one */
		snprintf(err, errlen, _("as_of %s is after today (%s in the report time zone)."),
		         s, last);
		return -1;
	}
	if (day < ASOF_MIN) {
		format_date(ASOF_MIN, first, sizeof first);
		/* TRANSLATORS: %s: the requested date, then the first allowed one */
		snprintf(err, errlen, _("as_of %s is before %s."), s, first);
		return -1;
	}
	*as_of = day;
	return 0;
}
