/* The weekly schedule (see schedule.h), computed with the C library's
 * time zone rules (TZ set once at start; reportd has one zone). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "schedule.h"
#include "util.h"

int
schedule_parse(const char *s, struct schedule *out, char *err, size_t errlen)
{
	static const char *const days[] = { "sun", "mon", "tue", "wed", "thu", "fri", "sat" };
	char day[16];
	int h, m, n = 0;
	if (sscanf(s, "%15s %d:%d%n", day, &h, &m, &n) != 3 || s[n] != '\0' ||
	    h < 0 || h > 23 || m < 0 || m > 59)
		goto bad;
	out->hour = h;
	out->min = m;
	if (strcasecmp(day, "daily") == 0) {
		out->wday = -1;
		return 0;
	}
	for (int i = 0; i < 7; i++)
		if (strncasecmp(day, days[i], 3) == 0 && strlen(day) >= 3) {
			out->wday = i;
			return 0;
		}
bad:
	snprintf(err, errlen, "[reportd] schedule: expected \"mon 06:00\" (a weekday or \"daily\","
	         " then HH:MM), got \"%s\"", s);
	return -1;
}

int
schedule_set_timezone(const char *tz, char *err, size_t errlen)
{
	char path[512];
	snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", tz);
	if (strcmp(tz, "UTC") != 0 && (strstr(tz, "..") != NULL || access(path, R_OK) != 0)) {
		snprintf(err, errlen, "[reportd] timezone: unknown time zone \"%s\"", tz);
		return -1;
	}
	setenv("TZ", tz, 1);
	tzset();
	return 0;
}

time_t
schedule_next(const struct schedule *s, time_t after)
{
	struct tm tm;
	localtime_r(&after, &tm);
	for (int d = 0; d <= 8; d++) {
		struct tm c = tm;
		c.tm_mday += d;
		c.tm_hour = s->hour;
		c.tm_min = s->min;
		c.tm_sec = 0;
		c.tm_isdst = -1;
		time_t t = mktime(&c);
		struct tm chk;
		localtime_r(&t, &chk);
		if (t > after && (s->wday < 0 || chk.tm_wday == s->wday))
			return t;
	}
	return after + 7 * 86400;	/* not reached */
}

static int32_t
local_day(time_t t)
{
	struct tm tm;
	localtime_r(&t, &tm);
	return days_from_civil(tm.tm_year + 1900, (unsigned)tm.tm_mon + 1, (unsigned)tm.tm_mday);
}

int32_t
schedule_as_of(time_t due)
{
	return local_day(due) - 1;
}

int32_t
schedule_today(void)
{
	return local_day(time(NULL));
}
