/* The parsers snapshot.c applies to the fields of COPY text rows
 * (snapfield.c), reachable on their own so that tests and the fuzzer
 * (tests/fuzz/fuzz_snapshot.c) can call them without a database. */
#ifndef CRMX_SNAPFIELD_H
#define CRMX_SNAPFIELD_H

#include <stdint.h>

enum snap_field {
	SF_INT,		/* bigint -> *iv */
	SF_NUM,		/* numeric / double precision -> *dv */
	SF_MONEY,	/* numeric amount -> minor units (2 decimals) in *iv */
	SF_DATE,	/* "YYYY-MM-DD" -> day number in *iv */
	SF_TS,		/* timestamptz text -> epoch seconds in *dv */
	SF_BOOL,	/* "t" / "f" -> 1 / 0 in *iv */
	SF_TEXT,	/* COPY escapes undone in place in text */
};

/* The parsers' state: bad is set (never cleared) when a field is not what
 * the server writes; the value returned is then 0 (-1 for a bool). */
struct sf_state {
	int	bad;
};

int64_t sf_int(struct sf_state *r, const char *f);	/* bigint */
double  sf_num(struct sf_state *r, const char *f);	/* numeric, double precision */
int64_t sf_money(struct sf_state *r, const char *f, int digits);	/* numeric: minor units */
int32_t sf_date(struct sf_state *r, const char *f);	/* YYYY-MM-DD: a day number */
double  sf_ts(struct sf_state *r, const char *f);	/* timestamptz: epoch seconds */
int8_t  sf_bool(struct sf_state *r, const char *f);	/* t, f; NULL (SQL NULL): -1 */
void    sf_unescape(char *s);				/* COPY escapes, in place */

/* Parses text (NUL-terminated; SF_TEXT rewrites it) as kind: 0, or -1 when
 * a snapshot read would call the value unexpected. */
int snapshot_parse_field(enum snap_field kind, char *text, int64_t *iv, double *dv);

#endif
