/* Languages and locale formatting (GNU gettext, text domain "crmx").
 *
 * Every user-facing string is marked: _("...") translates now, N_("...")
 * marks a string in a table that is translated where it is used.  The
 * English source strings are the msgids; po/zh_CN.po holds Simplified
 * Chinese.  The language is chosen per request (panels) or per report and
 * set for the calling thread with i18n_use(), so one process serves both
 * languages at once.
 *
 * Number, money and date formatting is ours, not the C library's, so that
 * it does not depend on which system locales are installed:
 *   en:    1,234,567.89   ¥1,234,567.89 / $… / £…   2026-06-30   2026-W27
 *   zh_CN: 1,234,567.89   ¥123.46万 / ¥1.23亿 (amounts of 10,000 and up,
 *          abbreviated only where asked)   2026年6月30日   2026年第27周 */
#ifndef CRMX_I18N_H
#define CRMX_I18N_H

#include <libintl.h>
#include <stddef.h>
#include <stdint.h>

#define _(s)	i18n_text(s)
#define N_(s)	s

/* dgettext("crmx", msgid) in the language of i18n_use, remembered per
 * thread by the msgid's address (its text checked): a page asks for the
 * same few hundred messages again and again, and each dgettext took a
 * lock, read the environment and searched the catalog's tree (a tenth of
 * crmx.fcgi's time on a pipeline of a hundred deals). */
const char *i18n_text(const char *msgid) __attribute__((format_arg(1)));

enum lang { LANG_EN, LANG_ZH_CN, LANG_COUNT };

/* Binds the text domain to localedir ($CRMX_LOCALEDIR, else the build's
 * po/ output, else the installed DATADIR/locale).  Call once at start. */
void i18n_init(const char *localedir);

/* The language for a request: ?lang= (override) first, then the user's
 * stored preference, then the best match in an Accept-Language header,
 * then fallback.  Any argument may be NULL. */
enum lang i18n_pick(const char *query_lang, const char *user_pref,
                    const char *accept_language, enum lang fallback);

/* Parses "en", "zh", "zh-CN", "zh_CN" (case-insensitive); -1 when unknown. */
int i18n_parse(const char *code);

/* "en" / "zh-CN" (for HTML lang= and Content-Language). */
const char *i18n_code(enum lang l);

/* The name of funnel layer 1..5 (docs/metrics.md §3) in the current language:
 * in full ("Win chance judged") or short for chart axes ("Judged"); ""
 * for another rank. */
const char *funnel_layer(int rank, int short_form);

/* Makes _() answer in l for the calling thread. */
void i18n_use(enum lang l);
enum lang i18n_current(void);

/* Formatting into buf (always NUL-terminated; truncated output is still
 * well-formed UTF-8).  NAN prints as an em dash "—". */
/* 1234567.891 with `decimals` digits and thousands separators. */
void fmt_number(char *buf, size_t len, double v, int decimals);
/* 0.4375 -> "43.8%" */
void fmt_percent(char *buf, size_t len, double share, int decimals);
/* Money with the currency's symbol (CNY ¥, USD $, GBP £, EUR €, JPY ¥,
 * else the ISO code after the number); short = 1 abbreviates large amounts
 * (zh_CN: 万/亿; en: k/M/B). */
void fmt_money(char *buf, size_t len, double amount, const char *currency, int short_form,
               enum lang l);
/* An amount as every page shows it: in Chinese abbreviated with 万/亿
 * from 10,000 up (¥23.1万), elsewhere in full (¥230,705.01). */
void fmt_amount(char *buf, size_t len, double amount, const char *currency, enum lang l);
/* A day number (days since 1970-01-01) as a date for the language. */
void fmt_date(char *buf, size_t len, int32_t day, enum lang l);
/* The ISO week of a day: "2026-W27" / "2026年第27周". */
void fmt_week(char *buf, size_t len, int32_t day, enum lang l);

#endif
