/* Money as integers of the currency's minor unit (cents, fen; yen have
 * none): the exact text of a PostgreSQL numeric into minor units, minor
 * units back into exact decimal text, and how many minor digits a currency
 * has (ISO 4217).  Sums, comparisons and class boundaries of amounts are
 * done on these integers; means, rates and model figures stay double. */
#ifndef CRMX_MONEY_H
#define CRMX_MONEY_H

#include <stddef.h>
#include <stdint.h>

/* The minor digits of an ISO 4217 code (case-insensitive): 0 for JPY,
 * KRW and the like, 3 for BHD, KWD and the like, else 2 (also for an
 * unknown or empty code). */
int currency_digits(const char *code);

/* 10^digits for 0..4. */
int64_t money_scale(int digits);

/* A plain decimal ("-12.345", "7", "0.5"; what PostgreSQL writes for
 * numeric) to minor units with `digits` decimals; further decimals are
 * rounded half away from zero, as numeric's round() does.  0, or -1 for
 * anything else (exponents, NaN, empty, more than an int64 holds). */
int money_parse(const char *text, int digits, int64_t *out);

/* Minor units as exact decimal text with `digits` decimals ("-0.05",
 * "1234.50"; no grouping): the length written, as snprintf. */
int money_format(char *buf, size_t len, int64_t v, int digits);

/* Minor units as a double in major units (for means, rates, models and
 * JSON numbers: exact to the minor unit while |v| < 10^15). */
double money_to_double(int64_t v, int digits);

/* A double amount (a mean, an expected value) rounded to the minor unit,
 * for output; NAN and infinities are returned unchanged. */
double money_round(double v, int digits);

#endif
