/* The snapshot's COPY text field parsers (see snapfield.h): hand-written
 * fast paths for the server's own output formats (they run for every
 * field of every row), strtod for what they do not cover. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "money.h"
#include "snapfield.h"
#include "util.h"

int64_t
sf_int(struct sf_state *r, const char *f)
{
	uint64_t v = 0;
	int neg = 0;
	if (*f == '-') {
		neg = 1;
		f++;
	}
	if (*f == '\0')
		r->bad = 1;
	for (; *f; f++) {
		/* a digit, and no more than a bigint holds */
		if (*f < '0' || *f > '9' ||
		    v > ((uint64_t)INT64_MAX + (uint64_t)neg - (uint64_t)(*f - '0')) / 10) {
			r->bad = 1;
			return 0;
		}
		v = v * 10 + (uint64_t)(*f - '0');
	}
	return neg ? (int64_t)(0 - v) : (int64_t)v;
}

/* Decimal text to double, as strtod reads it to the last bit
 * (text_num_parse: a fast path for plain decimals, strtod for the rest).
 * Its own fast path had added the whole and the fractional parts, two
 * roundings: one plain decimal in 180 came out a bit away from strtod's
 * (2.119 as 2.1189999999999998), and "" and "-" read as 0. */
double
sf_num(struct sf_state *r, const char *f)
{
	double v;
	if (text_num_parse(f, &v) != 0)
		r->bad = 1;
	return v;
}

/* A numeric amount to integer minor units, exactly (money.h): no double
 * on the way, so that sums and comparisons of amounts are exact. */
int64_t
sf_money(struct sf_state *r, const char *f, int digits)
{
	int64_t v;
	if (money_parse(f, digits, &v) != 0)
		r->bad = 1;
	return v;
}

static int
digits2(const char *p)
{
	return (p[0] >= '0' && p[0] <= '9' && p[1] >= '0' && p[1] <= '9') ?
	       (p[0] - '0') * 10 + (p[1] - '0') : -1;
}

/* "YYYY-MM-DD" (the server's ISO output) to a day number, without the
 * library's general parser: this runs for every row. */
int32_t
sf_date(struct sf_state *r, const char *f)
{
	int y1 = digits2(f), y2 = y1 < 0 ? -1 : digits2(f + 2), m, d;
	if (y1 < 0 || y2 < 0 || f[4] != '-' || (m = digits2(f + 5)) < 0 ||
	    f[7] != '-' || (d = digits2(f + 8)) < 0 || (f[10] != '\0' && f[10] != ' ') ||
	    !civil_valid(y1 * 100 + y2, (unsigned)m, (unsigned)d)) {
		r->bad = 1;
		return 0;
	}
	return days_from_civil(y1 * 100 + y2, (unsigned)m, (unsigned)d);
}

/* "YYYY-MM-DD HH:MM:SS[.ffffff]+HH[:MM]" (timestamptz output) to epoch
 * seconds. */
double
sf_ts(struct sf_state *r, const char *f)
{
	int32_t day = sf_date(r, f);
	if (r->bad)
		return 0;
	const char *p = f + 10;
	if (*p == '\0')
		return (double)day * 86400.0;
	int hh = digits2(p + 1), mm = -1, ss = -1;
	if (hh >= 0 && p[3] == ':' && (mm = digits2(p + 4)) >= 0 && p[6] == ':')
		ss = digits2(p + 7);
	if (ss < 0) {
		r->bad = 1;
		return 0;
	}
	p += 9;
	double frac = 0, scale = 0.1;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++, scale /= 10)
			frac += (*p - '0') * scale;
	int off = 0;
	if (*p == '+' || *p == '-') {
		int sign = *p == '-' ? -1 : 1, oh = digits2(p + 1), om = 0;
		/* each part is two digits: never step over the end */
		if (oh < 0 || (p[3] == ':' && (om = digits2(p + 4)) < 0) ||
		    (p[3] == ':' && p[6] == ':' && digits2(p + 7) < 0)) {
			r->bad = 1;
			return 0;
		}
		p += 3;
		if (*p == ':')
			p += 3;
		if (*p == ':')	/* seconds of a historical offset */
			p += 3;
		off = sign * (oh * 3600 + om * 60);
	}
	if (*p != '\0')
		r->bad = 1;
	return (double)day * 86400.0 + hh * 3600 + mm * 60 + ss + frac - off;
}

int8_t
sf_bool(struct sf_state *r, const char *f)
{
	if (f == NULL)
		return -1;
	if (f[0] == 't' && f[1] == '\0')
		return 1;
	if (f[0] == 'f' && f[1] == '\0')
		return 0;
	r->bad = 1;
	return -1;
}

/* COPY text escapes, in place. */
void
sf_unescape(char *s)
{
	char *w = s;
	for (char *p = s; *p; p++) {
		if (*p != '\\' || p[1] == '\0') {
			*w++ = *p;
			continue;
		}
		p++;
		switch (*p) {
		case 't': *w++ = '\t'; break;
		case 'n': *w++ = '\n'; break;
		case 'r': *w++ = '\r'; break;
		case 'b': *w++ = '\b'; break;
		case 'f': *w++ = '\f'; break;
		case 'v': *w++ = '\v'; break;
		default:  *w++ = *p; break;
		}
	}
	*w = '\0';
}

int
snapshot_parse_field(enum snap_field kind, char *text, int64_t *iv, double *dv)
{
	struct sf_state r;
	memset(&r, 0, sizeof r);
	*iv = 0;
	*dv = 0;
	switch (kind) {
	case SF_INT:  *iv = sf_int(&r, text); break;
	case SF_NUM:  *dv = sf_num(&r, text); break;
	case SF_MONEY: *iv = sf_money(&r, text, 2); break;
	case SF_DATE: *iv = sf_date(&r, text); break;
	case SF_TS:   *dv = sf_ts(&r, text); break;
	case SF_BOOL: *iv = sf_bool(&r, text); break;
	case SF_TEXT: sf_unescape(text); break;
	}
	return r.bad ? -1 : 0;
}
