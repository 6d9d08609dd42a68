/* The report's CSV writer (RFC 4180), the one place that quotes CSV. */
#ifndef CRMX_CSVOUT_H
#define CRMX_CSVOUT_H

#include "sbuf.h"

/* One field; first = 1 for the first field of a row.  Text that a
 * spreadsheet would run as a formula (= + - @ at the start) is prefixed
 * with ' unless it is a number. */
void csv_field(struct sbuf *b, const char *s, int first);
void csv_end_row(struct sbuf *b);

#endif
