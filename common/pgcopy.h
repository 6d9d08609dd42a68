/* A buffered writer for COPY ... FROM STDIN, in text or binary format:
 * the fast way to load many rows.  Fields are separated automatically;
 * text fields are escaped here and only here. */
#ifndef CRMX_PGCOPY_H
#define CRMX_PGCOPY_H

#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

struct pgcopy {
	PGconn	*conn;
	size_t	 n;		/* bytes in buf */
	int	 nfields;	/* fields in the current row */
	int	 failed;
	long	 rows;
	int	 binary;
	char	 buf[1 << 16];
};

/* Starts "COPY ... FROM STDIN"; returns -1 (logged) on failure. */
int  pgcopy_begin(struct pgcopy *c, PGconn *conn, const char *copy_sql);
/* A text field, escaped; NULL writes SQL NULL. */
void pgcopy_text(struct pgcopy *c, const char *s);
/* A field formatted by the caller, written as is: only for numbers, dates
 * and other text that cannot hold a tab, newline or backslash. */
void pgcopy_rawf(struct pgcopy *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void pgcopy_endrow(struct pgcopy *c);
/* Binary format (COPY ... FROM STDIN (FORMAT binary)): no text to format
 * here or to parse in the server, for the largest tables.  Start with
 * pgcopy_begin_binary(), then per row pgcopy_brow(n) and exactly n
 * fields of the column types, in order. */
int  pgcopy_begin_binary(struct pgcopy *c, PGconn *conn, const char *copy_sql);
void pgcopy_brow(struct pgcopy *c, int nfields);
void pgcopy_bnull(struct pgcopy *c);
void pgcopy_bint4(struct pgcopy *c, int32_t v);
void pgcopy_bint8(struct pgcopy *c, int64_t v);
void pgcopy_bfloat8(struct pgcopy *c, double v);		/* NAN/inf: NULL */
void pgcopy_bnumeric_cents(struct pgcopy *c, int64_t cents);	/* numeric, 2 decimals */
void pgcopy_bdate(struct pgcopy *c, int32_t day);		/* days since 1970-01-01 */
void pgcopy_btimestamptz(struct pgcopy *c, double epoch_s);
void pgcopy_btext(struct pgcopy *c, const char *s);		/* text, char(n); NULL: NULL */
/* One-dimensional arrays of n elements (n 0: empty): text[] (a NULL
 * element: NULL), double precision[] (NAN and infinities as they are). */
void pgcopy_btext_array(struct pgcopy *c, const char *const *v, int n);
void pgcopy_bfloat8_array(struct pgcopy *c, const double *v, int n);

/* Ends the COPY; returns -1 (logged with context) if anything failed. */
int  pgcopy_finish(struct pgcopy *c, const char *context);

#endif
