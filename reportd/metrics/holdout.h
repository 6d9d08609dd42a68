/* The model check against what happened: BG/NBD (docs/metrics.md §2) fitted
 * on the purchases up to as_of minus a holdout period, each account's
 * conditional expectation for that period set against the purchases it
 * made there. */
#ifndef CRMX_HOLDOUT_H
#define CRMX_HOLDOUT_H

#include "results.h"

/* Fills *h from the snapshot's revenue rows; weeks <= 0 turns the check
 * off (h->weeks = 0, every figure NAN).  Nothing after the cut reaches
 * the fit or the predictions: only the actual counts read past it. */
void holdout_check(const struct snapshot *s, int weeks, struct holdout *h);

#endif
