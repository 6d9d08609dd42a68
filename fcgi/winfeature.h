/* The learned close probability's features (reportd/metrics/dealstate.c
 * keys, stored in crmx.deal_forecast.top_features) in words, in the
 * request's language, with the way each moves the deal's chance. */
#ifndef CRMX_WINFEATURE_H
#define CRMX_WINFEATURE_H

#include <stddef.h>

/* "days in the current layer" for "days_in_layer"; the key itself when
 * unknown (a newer reportd). */
const char *winfeature_label(const char *key);

#define WINFEATURE_TOP 3

/* The stored keys and effects (space-separated, as Q_DEAL_FORECAST gives
 * them) split: keys point into buf; returns how many (at most
 * WINFEATURE_TOP). */
int winfeature_split(const char *keys, const char *effects, char *buf, size_t len,
                     const char *key[WINFEATURE_TOP], double effect[WINFEATURE_TOP]);

/* The stored keys and effects (space-separated, as Q_DEAL_FORECAST gives
 * them) as one phrase: "days in the current layer (lowers it), ...". */
void winfeature_phrase(char *buf, size_t len, const char *keys, const char *effects);

/* Why the latest run's forecast keeps the stage weights, in one short
 * line ("The forecast keeps the stage weights: ..."), for the stored
 * forecast_backtest.reason; NULL when reason is NULL (it uses the model). */
const char *winfeature_keeps_note(const char *reason);

#endif
