/* The CSV import's files, read and checked without a database: the
 * tables a file can feed, their columns and types, and the rows of one
 * file parsed and validated (import_rows_read), every problem reported
 * as FILE:LINE: column: problem.  admin/import.c loads what passes. */
#ifndef CRMX_IMPORT_ROWS_H
#define CRMX_IMPORT_ROWS_H

#include <stddef.h>
#include <stdio.h>

enum import_ctype {
	C_ID,		/* positive whole number, written canonically */
	C_COUNT,	/* whole number >= 0 */
	C_RANK,		/* funnel rank 1..5 */
	C_TEXT,
	C_MONEY,	/* amount >= 0, at most 2 decimals */
	C_NET,		/* the same, negative allowed (credits, returns) */
	C_PROB,		/* plain decimal 0..1 */
	C_DATE,
	C_TS,
	C_ROLE,		/* a contact's purchase role */
	C_USERROLE,
	C_IGNORED	/* accepted in the header, not stored */
};

struct import_column {
	const char		*name;
	enum import_ctype	 type;
	int			 required;
};

/* A reference checked in SQL, reported by line. */
struct import_ref {
	const char	*column;
	const char	*target;	/* "crmx_native.accounts (account_id)" */
	const char	*what;		/* "account" */
};

#define IMPORT_MAX_COLS		16
#define IMPORT_MAX_ERRORS	20

struct import_table {
	const char		*name;		/* file name without .csv */
	const char		*target;	/* crmx_native.<name> */
	const char		*key;		/* conflict target columns */
	int			 update;	/* upsert (1) or keep the first (0) */
	struct import_column	 cols[IMPORT_MAX_COLS];
	struct import_ref	 refs[4];
	const char		*same;		/* columns naming one row: not twice in a file */
	const char		*unique;	/* a column unique in the table too (users' login) */
};

/* The tables in load order (a directory is imported in this order). */
extern const struct import_table import_tables[];
extern const size_t import_ntables;

/* The table a file name (".../NAME.csv") feeds, or NULL. */
const struct import_table *import_table_for(const char *path);

/* The rows of one file. */
struct import_rows {
	const struct import_table *t;
	const char	*path;
	FILE		*errout;	/* messages go here (NULL: only counted) */
	int		 tcols;		/* columns of the table */
	int		 ncols;		/* in the file */
	int		 map[IMPORT_MAX_COLS];	/* file column -> table column, -1 ignored */
	int		 errors;
	/* rows read: nrows x tcols strings (NULL: empty, SQL NULL), and
	 * the line each began on */
	char		**cells;
	long		*lines;
	size_t		 nrows, cap;
	/* parser state */
	int		 header_done;
	int		 header_bad;	/* the rows are not read against it */
	int		 at_row_start;
	long		 line;		/* physical line being fed */
	long		 row_line;	/* line where the current record began */
	long		 field_line;	/* line where the current field began */
	int		 nfield;	/* fields seen in the current record */
	char		*fields[IMPORT_MAX_COLS];
	size_t		 flen[IMPORT_MAX_COLS];
};

void import_rows_init(struct import_rows *rs, const struct import_table *t,
    const char *path, FILE *errout);
/* Reads and checks the whole file: the header, every field, the same row
 * named twice.  Returns the number of errors (0: ready to load). */
int  import_rows_read(struct import_rows *rs, FILE *f);
/* Reports "PATH:LINE: message" (at most IMPORT_MAX_ERRORS are written). */
void import_rows_error(struct import_rows *rs, long line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Whether table column c is in the file. */
int  import_rows_has(const struct import_rows *rs, int c);
void import_rows_free(struct import_rows *rs);

#endif
