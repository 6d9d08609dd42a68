/* The run summary: the headline figures as JSON, stored in crmx.run.summary
 * and printed by `crmx-reportd --run-once --format json`. */
#ifndef CRMX_SUMMARY_H
#define CRMX_SUMMARY_H

#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "results.h"
#include "snapshot.h"

/* A new reference; figures that cannot be computed are JSON null. */
json_t *summary_build(const struct snapshot *s, const struct results *r, int64_t run_id);

/* The learned forecast's part (summary_winfc.c), amounts with dg decimals. */
json_t *summary_winfc(const struct winforecast *f, int dg);

/* Rows read per crmx_src view, as a JSON object (new reference). */
json_t *summary_row_counts(const struct snapshot *s);

/* The number at a path "a.b.c" of a summary, or NAN. */
double summary_value(json_t *summary, const char *path);

/* The summary as a few lines for a terminal ("absent" for null). */
void summary_print_text(FILE *out, json_t *summary, double seconds);

#endif
