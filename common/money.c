/* Exact money: minor-unit integers, their text and the currency's minor
 * digits (see money.h). */
#include <math.h>
#include <stdio.h>
#include <strings.h>

#include "money.h"

static const struct {
	const char	*code;
	int		 digits;
} odd[] = {
	{ "JPY", 0 }, { "KRW", 0 }, { "VND", 0 }, { "CLP", 0 }, { "ISK", 0 },
	{ "PYG", 0 }, { "UGX", 0 }, { "XAF", 0 }, { "XOF", 0 }, { "XPF", 0 },
	{ "BHD", 3 }, { "IQD", 3 }, { "JOD", 3 }, { "KWD", 3 }, { "LYD", 3 },
	{ "OMR", 3 }, { "TND", 3 },
};

int
currency_digits(const char *code)
{
	for (size_t i = 0; code != NULL && i < sizeof odd / sizeof *odd; i++)
		if (strcasecmp(code, odd[i].code) == 0)
			return odd[i].digits;
	return 2;
}

int64_t
money_scale(int digits)
{
	static const int64_t p[] = { 1, 10, 100, 1000, 10000 };
	return digits >= 0 && digits <= 4 ? p[digits] : 100;
}

int
money_parse(const char *text, int digits, int64_t *out)
{
	const char *p = text;
	int neg = 0, nd = 0, fd = 0, round_up = 0;
	uint64_t v = 0;
	*out = 0;
	if (*p == '-') {
		neg = 1;
		p++;
	}
	/* at most 18 digits in all (below 10^18): no overflow */
	for (; *p >= '0' && *p <= '9'; p++, nd++) {
		if (nd + digits >= 18)
			return -1;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (*p == '.') {
		p++;
		for (; *p >= '0' && *p <= '9'; p++) {
			if (fd < digits)
				v = v * 10 + (uint64_t)(*p - '0');
			else if (fd == digits)
				round_up = *p >= '5';
			fd++;
		}
		if (fd == 0)
			return -1;
	}
	if (*p != '\0' || nd + fd == 0 || nd == 0)
		return -1;
	for (; fd < digits; fd++)
		v *= 10;
	v += (uint64_t)round_up;
	if (v > 999999999999999999ULL)	/* rounded up past 18 digits */
		return -1;
	*out = neg ? -(int64_t)v : (int64_t)v;
	return 0;
}

int
money_format(char *buf, size_t len, int64_t v, int digits)
{
	int64_t scale = money_scale(digits);
	uint64_t a = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	const char *sign = v < 0 ? "-" : "";
	if (digits <= 0)
		return snprintf(buf, len, "%s%llu", sign, (unsigned long long)a);
	return snprintf(buf, len, "%s%llu.%0*llu", sign, (unsigned long long)(a / (uint64_t)scale),
	                digits, (unsigned long long)(a % (uint64_t)scale));
}

double
money_to_double(int64_t v, int digits)
{
	return (double)v / (double)money_scale(digits);
}

double
money_round(double v, int digits)
{
	if (isnan(v) || isinf(v))
		return v;
	double s = (double)money_scale(digits);
	return round(v * s) / s;
}
