/* The parsers snapshot.c applies to the fields of COPY text rows, reachable
 * on their own so that tests and the fuzzer (tests/fuzz/fuzz_snapshot.c)
 * can call them without a database.  They behave as in a snapshot read. */
#ifndef CRMX_SNAPFIELD_H
#define CRMX_SNAPFIELD_H

#include <stdint.h>

enum snap_field {
	SF_INT,		/* bigint -> *iv */
	SF_NUM,		/* numeric / double precision -> *dv */
	SF_DATE,	/* "YYYY-MM-DD" -> day number in *iv */
	SF_TS,		/* timestamptz text -> epoch seconds in *dv */
	SF_BOOL,	/* "t" / "f" -> 1 / 0 in *iv */
	SF_TEXT,	/* COPY escapes undone in place in text */
};

/* Parses text (NUL-terminated; SF_TEXT rewrites it) as kind: 0, or -1 when
 * a snapshot read would call the value unexpected. */
int snapshot_parse_field(enum snap_field kind, char *text, int64_t *iv, double *dv);

#endif
