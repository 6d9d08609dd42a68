/* Helpers shared by every program.  Date arithmetic is done on day
 * numbers (days since 1970-01-01) with the proleptic Gregorian calendar. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "util.h"

char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	size_t cap = 8192, n = 0;
	char *buf = xmalloc(cap);
	for (;;) {
		if (n + 4096 + 1 > cap) {
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		size_t got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
		if (got == 0)
			break;
	}
	int failed = ferror(f);
	fclose(f);
	if (failed) {
		free(buf);
		errno = EIO;
		return NULL;
	}
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (p == NULL)
		die(1, "out of memory (%zu bytes)", n);
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (p == NULL)
		die(1, "out of memory (%zu x %zu bytes)", n, size);
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (q == NULL)
		die(1, "out of memory (%zu bytes)", n);
	return q;
}

char *
xstrdup(const char *s)
{
	char *p = strdup(s);
	if (p == NULL)
		die(1, "out of memory");
	return p;
}

/* strtoll also takes leading space and a '+': neither is a number here. */
int
parse_int64(const char *s, int64_t min, int64_t max, int64_t *out)
{
	if (s == NULL || *s == '\0' || strlen(s) > 20)
		return -1;
	if (!isdigit((unsigned char)s[0]) && !(s[0] == '-' && isdigit((unsigned char)s[1])))
		return -1;
	errno = 0;
	char *end;
	long long v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int
parse_id(const char *s, int64_t *out)
{
	if (s == NULL || s[0] < '1' || s[0] > '9')
		return -1;
	size_t n = strspn(s, "0123456789");
	if (s[n] != '\0' || n > 19)
		return -1;
	return parse_int64(s, 1, INT64_MAX, out);
}

/* Howard Hinnant's days_from_civil, the standard closed form. */
int32_t
days_from_civil(int y, unsigned m, unsigned d)
{
	y -= m <= 2;
	const int era = (y >= 0 ? y : y - 399) / 400;
	const unsigned yoe = (unsigned)(y - era * 400);
	const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int32_t)doe - 719468;
}

void
civil_from_days(int32_t z, int *y, unsigned *m, unsigned *d)
{
	z += 719468;
	const int era = (z >= 0 ? z : z - 146096) / 146097;
	const unsigned doe = (unsigned)(z - era * 146097);
	const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	const unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int)yoe + era * 400 + (*m <= 2);
}

int
parse_date(const char *s, int32_t *days)
{
	int y;
	unsigned m, d;
	char tail;
	if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-' ||
	    sscanf(s, "%4d-%2u-%2u%c", &y, &m, &d, &tail) != 3)
		return -1;
	for (int i = 0; i < 10; i++)	/* sscanf would take blanks and signs */
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return -1;
	if (y < 1900 || y > 2999 || m < 1 || m > 12 || d < 1 || d > 31)
		return -1;
	int32_t z = days_from_civil(y, m, d);
	int y2;
	unsigned m2, d2;
	civil_from_days(z, &y2, &m2, &d2);
	if (y2 != y || m2 != m || d2 != d)	/* e.g. 2023-02-30 */
		return -1;
	*days = z;
	return 0;
}

void
format_date(int32_t days, char *buf, size_t len)
{
	int y;
	unsigned m, d;
	civil_from_days(days, &y, &m, &d);
	snprintf(buf, len, "%04d-%02u-%02u", y, m, d);
}

void
format_timestamp(int64_t epoch_s, char *buf, size_t len)
{
	int64_t days = epoch_s >= 0 ? epoch_s / 86400 : -((-epoch_s + 86399) / 86400);
	int64_t sec = epoch_s - days * 86400;
	int y;
	unsigned m, d;
	civil_from_days((int32_t)days, &y, &m, &d);
	snprintf(buf, len, "%04d-%02u-%02u %02d:%02d:%02d+00", y, m, d,
	         (int)(sec / 3600), (int)(sec / 60 % 60), (int)(sec % 60));
}

int32_t
today_utc(void)
{
	return (int32_t)(time(NULL) / 86400);
}

int32_t
month_of_day(int32_t day)
{
	int y;
	unsigned m, d;
	civil_from_days(day, &y, &m, &d);
	return y * 12 + (int32_t)m - 1;
}

int32_t
month_first_day(int32_t month)
{
	int y = month >= 0 ? month / 12 : -((-month + 11) / 12);
	return days_from_civil(y, (unsigned)(month - y * 12 + 1), 1);
}
