/* [reportd] schedule: "mon 06:00" (a weekday and a time) or "daily 06:00",
 * in [reportd] timezone.  A scheduled run reports as of the day before it
 * runs: Monday 06:00 reports the ISO week that ended on Sunday. */
#ifndef CRMX_SCHEDULE_H
#define CRMX_SCHEDULE_H

#include <stdint.h>
#include <time.h>

struct schedule {
	int	 wday;		/* 0 Sunday .. 6 Saturday; -1 every day */
	int	 hour, min;
};

/* 0, or -1 with the reason in err. */
int schedule_parse(const char *s, struct schedule *out, char *err, size_t errlen);
/* Makes the process's local time the configured zone; -1 if unknown. */
int schedule_set_timezone(const char *tz, char *err, size_t errlen);
/* The first due time strictly after `after`. */
time_t schedule_next(const struct schedule *s, time_t after);
/* The as-of day of a run due at `due`: the local day before. */
int32_t schedule_as_of(time_t due);
/* Today in the configured zone, as a day number. */
int32_t schedule_today(void);

#endif
