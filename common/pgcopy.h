/* A buffered writer for COPY ... FROM STDIN (text format): the fast way to
 * load many rows.  Fields are separated automatically; text fields are
 * escaped here and only here. */
#ifndef CRMX_PGCOPY_H
#define CRMX_PGCOPY_H

#include <stddef.h>

#include <libpq-fe.h>

struct pgcopy {
	PGconn	*conn;
	size_t	 n;		/* bytes in buf */
	int	 nfields;	/* fields in the current row */
	int	 failed;
	long	 rows;
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
/* Ends the COPY; returns -1 (logged with context) if anything failed. */
int  pgcopy_finish(struct pgcopy *c, const char *context);

#endif
