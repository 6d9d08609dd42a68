/* The as-of date of a requested run (POST /api/runs?as_of=, --as-of):
 * a real date YYYY-MM-DD from 1970-01-01 to today in [reportd] timezone.
 * No slack for time zones: the reporting day is reportd's, the one its
 * schedule uses, and a day that has not begun there has no data yet (a
 * client ahead of that zone is told the last allowed day). */
#ifndef CRMX_ASOF_H
#define CRMX_ASOF_H

#include <stddef.h>
#include <stdint.h>

/* The earliest as-of date: 1970-01-01 (day 0). */
#define ASOF_MIN	0

/* Parses s into *as_of when it is a date in [ASOF_MIN, today]; else -1,
 * *as_of untouched and a one-line message for the client in err (in the
 * calling thread's language). */
int asof_check(const char *s, int32_t today, int32_t *as_of, char *err, size_t errlen);

#endif
