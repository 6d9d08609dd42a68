/* crmx's one date core: day numbers (days since 1970-01-01, proleptic
 * Gregorian) to and from civil dates, text and ISO weeks.  Every program
 * and parser converts dates through these functions, never with a copy
 * of the arithmetic. */
#ifndef CRMX_DATE_H
#define CRMX_DATE_H

#include <stddef.h>
#include <stdint.h>

/* A civil date to a day number and back (m 1..12, d 1..31), without
 * strings or limits. */
int32_t days_from_civil(int y, unsigned m, unsigned d);
void civil_from_days(int32_t day, int *y, unsigned *m, unsigned *d);
/* 1 when d is a day of month m of year y (no 2023-02-30), else 0. */
int civil_valid(int y, unsigned m, unsigned d);

/* Calendar date YYYY-MM-DD, years 1900..2999 (validated: no 2023-02-30);
 * days since 1970-01-01 in *days.  On -1 *days is left alone: the result
 * must be checked (the compiler makes sure). */
int parse_date(const char *s, int32_t *days) __attribute__((warn_unused_result));
/* Days since 1970-01-01 back to YYYY-MM-DD (buf of at least 11 bytes). */
void format_date(int32_t days, char *buf, size_t len);
/* Seconds since the epoch as "YYYY-MM-DD HH:MM:SS+00" (buf >= 26 bytes). */
void format_timestamp(int64_t epoch_s, char *buf, size_t len);

/* Month number (year * 12 + month - 1) of a day, and the first day of a
 * month number. */
int32_t month_of_day(int32_t day);
int32_t month_first_day(int32_t month);
/* ISO 8601 week-numbering year and week of a day. */
void iso_week(int32_t day, int *year, int *week);

/* Today's date (UTC) as a day number. */
int32_t today_utc(void);

#endif
