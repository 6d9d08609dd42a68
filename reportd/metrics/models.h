/* reportd/metrics/: the numeric code of a metric run, one concept per file
 * (concentration, customers, BG/NBD, Gamma-Gamma, funnel, efficiency,
 * cohorts, and their special functions, optimiser and threads).
 *
 * Predictive lifetime value (docs/metrics.md §2): fits BG/NBD and Gamma-Gamma
 * over the accounts' purchase summaries in res->acct and fills each
 * account's P(alive), expected purchases, expected value and discounted
 * predictive LTV. */
#ifndef CRMX_MODELS_H
#define CRMX_MODELS_H

#include "results.h"

void models_fit_predict(const struct snapshot *s, const struct metric_params *mp,
                        struct results *res);

#endif
