/* What the two halves of a snapshot read share: snapshot.c (the read as a
 * whole: its transaction, the order of the views, the side thread, the
 * grouping) and snaprows.c (one view's COPY and its rows). */
#ifndef CRMX_SNAPINT_H
#define CRMX_SNAPINT_H

#include <stddef.h>

#include <libpq-fe.h>

#include "idmap.h"
#include "snapfield.h"
#include "snapshot.h"

/* The state of one reading thread. */
struct reader {
	struct snapshot	*s;
	struct idmap	 accts, owners, opps, sources, places;
	double		 end_ts;	/* as_of + 1 day, epoch seconds */
	char		*err;
	size_t		 errlen;
	struct sf_state	 sf;		/* sf.bad: a value could not be parsed */
	const char	*view;
	long		 skipped;	/* rows left out by this reader */
	size_t		 cap_rev, cap_opp, cap_hist, cap_act, cap_src, cap_place, cap_owner, cap_review;
	size_t		 cap_acct;	/* accounts counted before the COPY */
};

typedef void (*snap_row_fn)(struct reader *r, char **f, int nf);

/* What a snapshot reads, in order, and the row parser of each. */
struct snap_read {
	enum snap_view	 view;
	const char	*sql;
	int		 ncols;
	snap_row_fn	 row;
};
extern const struct snap_read snap_reads[];
extern const size_t snap_nreads;

/* COPY of snap_reads[i] into r's snapshot: 0, or -1 with the error in r. */
int snap_copy(PGconn *conn, struct reader *r, size_t i);

#endif
