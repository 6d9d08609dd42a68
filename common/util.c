/* Helpers shared by every program (dates are in date.c). */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* strtod's value of S in *out; 0 when S is a number and nothing else */
static int
strtod_whole(const char *s, double *out)
{
	char *end;
	*out = strtod(s, &end);
	return end != s && *end == '\0' ? 0 : -1;
}

int
text_num_parse(const char *s, double *out)
{
	static const double p10[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	    1e11, 1e12, 1e13, 1e14, 1e15 };
	const char *p = s;
	int neg = *p == '-', digits = 0, frac = -1;
	uint64_t m = 0;
	p += neg;
	if (*p < '0' || *p > '9')
		return strtod_whole(s, out);
	for (;; p++) {
		if (*p >= '0' && *p <= '9') {
			if (m > 0 || *p != '0')
				digits++;
			m = m * 10 + (uint64_t)(*p - '0');
			if (frac >= 0)
				frac++;
			if (digits > 15 || frac > 15)
				return strtod_whole(s, out);
		} else if (*p == '.' && frac < 0 && p[1] >= '0' && p[1] <= '9') {
			frac = 0;
		} else {
			break;
		}
	}
	if (*p != '\0')
		return strtod_whole(s, out);
	/* m < 10^15 < 2^53 and 10^frac are exact, and IEEE division rounds the
	 * exact quotient to nearest as strtod rounds the decimal value */
	double v = frac > 0 ? (double)m / p10[frac] : (double)m;
	*out = neg ? -v : v;
	return 0;
}

double
text_num(const char *s)
{
	double v;
	(void)text_num_parse(s, &v);
	return v;
}

int
text_num_list(const char *s, char end, double *v, int max)
{
	int n = 0;
	for (;;) {
		const char *start = s;
		while (*s != ',' && *s != end && *s != '\0')
			s++;
		size_t len = (size_t)(s - start);
		char stack[64], *item = len < sizeof stack ? stack : xmalloc(len + 1);
		memcpy(item, start, len);
		item[len] = '\0';
		if (n < max)
			v[n] = len == 0 ? NAN : text_num(item);
		if (item != stack)
			free(item);
		n++;
		if (*s != ',')
			return n;
		s++;
	}
}
