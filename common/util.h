/* Small helpers every program needs: whole-file reads, checked allocation,
 * strict number parsing for command-line and request input.  Dates are
 * in date.h. */
#ifndef CRMX_UTIL_H
#define CRMX_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The date functions moved to the date core; callers that have not
 * included it themselves still find them here. */
#include "date.h"

/* Reads a whole file, NUL-terminated; the caller free()s it.  NULL and
 * errno on failure. */
char *slurp(const char *path, size_t *len);

/* malloc/calloc/realloc/strdup that die with a message when memory runs
 * out: the programs cannot do anything useful then. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

/* Whole decimal number in [min, max], nothing else in the string. */
int parse_int64(const char *s, int64_t min, int64_t max, int64_t *out);
/* A record id (account, deal, user): 1 to 19 digits without sign, space or
 * leading zero, from 1 to INT64_MAX. */
int parse_id(const char *s, int64_t *out);
/* A number's text from the database ("-123.45", "1e+20", "NaN") as a
 * double in *out: strtod's value, the same to the last bit, but
 * "[-]digits[.digits]" of at most 15 significant digits without strtod
 * (one division of two exact doubles, which rounds as strtod does), which
 * took a sixth of an executive's page of teams in crmx.fcgi (167 rows of
 * amounts).  0 when the text is a number and nothing else, -1 otherwise
 * (*out then strtod's value of its start).  The one reader of numbers'
 * text: the panels' figures and reportd's snapshot (snapfield.c). */
int text_num_parse(const char *s, double *out);
/* text_num_parse's value whatever the rest of the text (atof's) */
double text_num(const char *s);
/* The numbers of the list at S, text_num's of each item (items separated
 * by commas up to the first END or the string's end; an empty item NAN),
 * up to max of them into v; returns how many items there were.  Each
 * item is read from a copy on the stack (one longer than a sum's text
 * usually is, on the heap): the page of teams reads 167 teams' figures
 * and months this way on every request, where a copy of each list on the
 * heap with strcspn's search for its commas took a sixth of crmx.fcgi's
 * time on it. */
int text_num_list(const char *s, char end, double *v, int max);
#endif
