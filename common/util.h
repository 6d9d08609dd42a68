/* Small helpers every program needs: whole-file reads, checked allocation,
 * strict number parsing for command-line and request input. */
#ifndef CRMX_UTIL_H
#define CRMX_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Reads a whole file, NUL-terminated; the caller free()s it.  NULL and
 * errno on failure. */
char *slurp(const char *path, size_t *len);

/* malloc/calloc/realloc/strdup that die with a message when memory runs
 * out: the programs cannot do anything useful then. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

/* Whole decimal number in [min, max], nothing else in the string. */
int parse_int64(const char *s, int64_t min, int64_t max, int64_t *out);
/* A record id (account, deal, user): 1 to 19 digits without sign, space or
 * leading zero, from 1 to INT64_MAX. */
int parse_id(const char *s, int64_t *out);
/* Calendar date YYYY-MM-DD, years 1900..2999 (validated: no 2023-02-30);
 * days since 1970-01-01 in *days.  On -1 *days is left alone: the result
 * must be checked (the compiler makes sure). */
int parse_date(const char *s, int32_t *days) __attribute__((warn_unused_result));
/* The same without strings or limits: a proleptic Gregorian date to a
 * day number and back (m 1..12, d 1..31). */
int32_t days_from_civil(int y, unsigned m, unsigned d);
void civil_from_days(int32_t day, int *y, unsigned *m, unsigned *d);
/* Days since 1970-01-01 back to YYYY-MM-DD (buf of at least 11 bytes). */
void format_date(int32_t days, char *buf, size_t len);

/* Month number (year * 12 + month - 1) of a day, and the first day of a
 * month number. */
int32_t month_of_day(int32_t day);
int32_t month_first_day(int32_t month);

/* Seconds since the epoch as "YYYY-MM-DD HH:MM:SS+00" (buf >= 26 bytes). */
void format_timestamp(int64_t epoch_s, char *buf, size_t len);
/* Today's date (UTC) as a day number. */
int32_t today_utc(void);

#endif
