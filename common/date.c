/* The date core: every conversion between day numbers (days since
 * 1970-01-01, proleptic Gregorian calendar), civil dates, text and ISO
 * weeks is done here. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "date.h"

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
civil_valid(int y, unsigned m, unsigned d)
{
	static const unsigned mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return 0;
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return !(m == 2 && d == 29 && !leap);
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
	if (y < 1900 || y > 2999 || !civil_valid(y, m, d))
		return -1;
	*days = days_from_civil(y, m, d);
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

void
iso_week(int32_t day, int *year, int *week)
{
	/* 1970-01-01 was a Thursday; ISO weekday 1 = Monday. */
	int wd = (int)(((day % 7) + 7 + 3) % 7) + 1;
	int32_t thursday = day - wd + 4;
	int y;
	unsigned m, d;
	/* The week's Thursday decides the year. */
	civil_from_days(thursday, &y, &m, &d);
	*year = y;
	*week = (int)((thursday - days_from_civil(y, 1, 1)) / 7) + 1;
}

int32_t
today_utc(void)
{
	return (int32_t)(time(NULL) / 86400);
}
