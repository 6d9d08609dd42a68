/* Languages (gettext with a per-thread locale) and locale formatting of
 * numbers, money and dates (see i18n.h). */
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "date.h"
#include "i18n.h"
#include "log.h"
#include "money.h"
#include "util.h"

/* Per language: the code for HTML, the system locale gettext needs for
 * LC_MESSAGES (deploy/install-deps generates it), the locale object. */
static const struct {
	const char	*code;
	const char	*posix;
} langs[LANG_COUNT] = {
	[LANG_EN]    = { "en", "en_US.UTF-8" },
	[LANG_ZH_CN] = { "zh-CN", "zh_CN.UTF-8" },
};
static locale_t locales[LANG_COUNT];
static _Thread_local enum lang current = LANG_EN;

void
i18n_init(const char *localedir)
{
	const char *dir = localedir;
	struct stat st;
	if (dir == NULL)
		dir = getenv("CRMX_LOCALEDIR");
	if (dir == NULL && stat(CRMX_BUILD_LOCALEDIR, &st) == 0)
		dir = CRMX_BUILD_LOCALEDIR;
	if (dir == NULL)
		dir = CRMX_DATADIR "/locale";
	bindtextdomain("crmx", dir);
	bind_textdomain_codeset("crmx", "UTF-8");
	for (int l = 0; l < LANG_COUNT; l++) {
		if (locales[l] != (locale_t)0)
			continue;
		/* Only messages follow the language; numbers stay "C" so
		 * that SQL parameters and JSON never get a decimal comma.  The
		 * character set comes along (UTF-8): the C library's own
		 * messages (strerror) are converted to it, and under the
		 * daemon's "C" LC_CTYPE a Chinese one came out as "???????". */
		locales[l] = newlocale(LC_MESSAGES_MASK | LC_CTYPE_MASK, langs[l].posix,
		                       (locale_t)0);
		if (locales[l] == (locale_t)0 && l != LANG_EN)
			log_warn("locale %s is not installed: %s pages fall back to English"
			         " (deploy/install-deps generates it)", langs[l].posix, langs[l].code);
	}
}

int
i18n_parse(const char *s)
{
	if (s == NULL)
		return -1;
	size_t n = strlen(s);
	if (n == 2 && strncasecmp(s, "en", 2) == 0)
		return LANG_EN;
	if (n >= 3 && strncasecmp(s, "en", 2) == 0 && (s[2] == '-' || s[2] == '_'))
		return LANG_EN;
	if (n == 2 && strncasecmp(s, "zh", 2) == 0)
		return LANG_ZH_CN;
	/* zh-CN, zh_CN, zh-Hans, zh-Hans-CN, zh-SG: Simplified Chinese;
	 * zh-TW/zh-HK/zh-Hant are not offered. */
	if (n >= 3 && strncasecmp(s, "zh", 2) == 0 && (s[2] == '-' || s[2] == '_')) {
		const char *r = s + 3;
		if (strncasecmp(r, "CN", 2) == 0 || strncasecmp(r, "Hans", 4) == 0 ||
		    strncasecmp(r, "SG", 2) == 0)
			return LANG_ZH_CN;
	}
	return -1;
}

/* The Accept-Language entry with the highest q (first wins on ties) that
 * names a language we have. */
static int
from_accept(const char *h)
{
	int best = -1;
	double best_q = 0;
	while (h != NULL && *h) {
		char tag[40];
		double q = 1;
		while (*h == ' ' || *h == ',')
			h++;
		size_t n = strcspn(h, ";,");
		if (n == 0)
			break;
		size_t k = n < sizeof tag - 1 ? n : sizeof tag - 1;
		memcpy(tag, h, k);
		while (k > 0 && tag[k - 1] == ' ')
			k--;
		tag[k] = 0;
		h += n;
		while (*h == ';') {	/* parameters: only q matters */
			h++;
			while (*h == ' ')
				h++;
			if ((h[0] == 'q' || h[0] == 'Q') && h[1] == '=')
				q = strtod(h + 2, NULL);
			h += strcspn(h, ";,");
		}
		int l = i18n_parse(tag);
		if (l >= 0 && q > best_q) {
			best = l;
			best_q = q;
		}
	}
	return best;
}

enum lang
i18n_pick(const char *query_lang, const char *user_pref, const char *accept, enum lang fallback)
{
	int l = i18n_parse(query_lang);
	if (l < 0)
		l = i18n_parse(user_pref);
	if (l < 0)
		l = from_accept(accept);
	return l < 0 ? fallback : (enum lang)l;
}

const char *
i18n_code(enum lang l)
{
	return l < LANG_COUNT ? langs[l].code : "en";
}

void
i18n_use(enum lang l)
{
	if (l >= LANG_COUNT)
		l = LANG_EN;
	current = l;
	if (locales[l] != (locale_t)0)
		uselocale(locales[l]);
	else
		uselocale(LC_GLOBAL_LOCALE);
}

enum lang
i18n_current(void)
{
	return current;
}

/* i18n_text's memo: slots by address and language, each with a copy of
 * the msgid's text it was made for (an address may be reused for another
 * text: the copy tells; in the slot itself, so that a thread's end frees
 * it), for messages of up to TEXT_MEMO_LEN - 1 bytes (labels, headings:
 * what a page asks for on every row). */
#define TEXT_MEMO 256
#define TEXT_MEMO_LEN 64
static _Thread_local struct {
	const char	*msgid;
	const char	*text;
	enum lang	 lang;
	char		 copy[TEXT_MEMO_LEN];
} text_memo[TEXT_MEMO];

const char *
i18n_text(const char *msgid)
{
	size_t h = (((uintptr_t)msgid >> 3) * 31 + (size_t)current) % TEXT_MEMO;
	if (text_memo[h].msgid == msgid && text_memo[h].lang == current &&
	    strcmp(text_memo[h].copy, msgid) == 0)
		return text_memo[h].text;
	const char *text = dgettext("crmx", msgid);
	size_t len = strlen(msgid);
	if (len < TEXT_MEMO_LEN) {
		text_memo[h].msgid = msgid;
		text_memo[h].text = text;
		text_memo[h].lang = current;
		memcpy(text_memo[h].copy, msgid, len + 1);
	}
	return text;
}

/* ---- formatting ---- */

static void
put(char *buf, size_t len, const char *s)
{
	if (len == 0)
		return;
	size_t n = strlen(s);
	if (n < len) {
		memcpy(buf, s, n + 1);
		return;
	}
	n = len - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	/* Never leave a cut multi-byte sequence at the end. */
	size_t i = n;
	while (i > 0 && ((unsigned char)buf[i - 1] & 0xC0) == 0x80)
		i--;
	if (i > 0 && ((unsigned char)buf[i - 1] & 0x80)) {
		unsigned char lead = (unsigned char)buf[i - 1];
		size_t want = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
		if (n - (i - 1) < want)
			buf[i - 1] = 0;
	}
}

/* a >= 0 as printf's "%.*f" writes it, into raw (64 bytes), without the
 * C library's exact binary-to-decimal conversion when the answer is
 * certain without it: a times 10^decimals under 2^40 (its rounding error
 * then under 2^-13) and not within 1/1000 of a tie.  1: written; 0: not
 * (the caller asks printf). */
static int
fixed_fast(char *raw, double a, int decimals)
{
	static const double scale[] = { 1, 10, 100, 1e3, 1e4, 1e5, 1e6 };
	double s = a * scale[decimals];
	if (!(s < 1099511627776.0))	/* 2^40 */
		return 0;
	double f = floor(s), frac = s - f;
	if (fabs(frac - 0.5) < 1e-3)
		return 0;
	uint64_t n = (uint64_t)f + (frac > 0.5);
	char d[24];
	int k = 0;
	do {
		d[k++] = (char)('0' + n % 10);
		n /= 10;
	} while (n > 0 || k <= decimals);	/* at least one digit before the point */
	int o = 0;
	while (k > decimals)
		raw[o++] = d[--k];
	if (decimals > 0) {
		raw[o++] = '.';
		while (k > 0)
			raw[o++] = d[--k];
	}
	raw[o] = '\0';
	return 1;
}

void
fmt_number(char *buf, size_t len, double v, int decimals)
{
	char raw[64], out[96];
	if (isnan(v) || isinf(v)) {
		put(buf, len, "\xE2\x80\x94");	/* — */
		return;
	}
	if (decimals < 0)
		decimals = 0;
	if (decimals > 6)
		decimals = 6;
	/* the digits of |v|; its sign unless they are all 0 (no "-0.00") */
	if (!fixed_fast(raw, fabs(v), decimals))
		snprintf(raw, sizeof raw, "%.*f", decimals, fabs(v));
	size_t intlen = strcspn(raw, ".");
	size_t o = 0;
	if (signbit(v) && strspn(raw, "0.") != strlen(raw))
		out[o++] = '-';
	for (size_t i = 0; i < intlen; i++) {
		if (i > 0 && (intlen - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = raw[i];
	}
	size_t rest = strlen(raw + intlen);	/* "" or ".ddd": fits (raw < out) */
	memcpy(out + o, raw + intlen, rest + 1);
	put(buf, len, out);
}

void
fmt_percent(char *buf, size_t len, double share, int decimals)
{
	char n[64], out[72];
	if (isnan(share) || isinf(share)) {
		put(buf, len, "\xE2\x80\x94");
		return;
	}
	fmt_number(n, sizeof n, share * 100, decimals);
	size_t k = strlen(n);	/* under 64: out has room for the sign */
	memcpy(out, n, k);
	memcpy(out + k, "%", 2);
	put(buf, len, out);
}

static const struct {
	const char *code, *symbol;
} currencies[] = {
	{ "CNY", "\xC2\xA5" }, { "RMB", "\xC2\xA5" }, { "JPY", "\xC2\xA5" },
	{ "USD", "$" }, { "GBP", "\xC2\xA3" }, { "EUR", "\xE2\x82\xAC" },
	{ "HKD", "HK$" }, { "TWD", "NT$" }, { "SGD", "S$" }, { "AUD", "A$" },
	{ "CAD", "C$" }, { "KRW", "\xE2\x82\xA9" }, { "INR", "\xE2\x82\xB9" },
};

void
fmt_money(char *buf, size_t len, double amount, const char *currency, int short_form, enum lang l)
{
	char num[64], out[128];
	const char *sym = NULL, *suffix = "";
	if (isnan(amount) || isinf(amount)) {
		put(buf, len, "\xE2\x80\x94");
		return;
	}
	/* the last currency's symbol and digits, per thread: a page writes
	 * every amount in one, and both tables by strcasecmp cost an
	 * executive's page of teams 3% of its time */
	static _Thread_local struct {
		char		 code[8];
		const char	*sym;
		int		 dec, set;
	} memo;
	int dec;
	if (memo.set && currency != NULL && strcmp(currency, memo.code) == 0) {
		sym = memo.sym;
		dec = memo.dec;
	} else {
		for (size_t i = 0; currency && *currency && i < sizeof currencies / sizeof *currencies;
		     i++)
			if (strcasecmp(currency, currencies[i].code) == 0) {
				sym = currencies[i].symbol;
				break;
			}
		dec = currency_digits(currency);	/* the full form: to the minor unit */
		if (currency != NULL && strlen(currency) < sizeof memo.code) {
			memcpy(memo.code, currency, strlen(currency) + 1);
			memo.sym = sym;
			memo.dec = dec;
			memo.set = 1;
		}
	}
	double a = fabs(amount);
	if (short_form) {
		if (l == LANG_ZH_CN && a >= 1e8) {
			a /= 1e8;
			suffix = "\xE4\xBA\xBF";	/* 亿 */
		} else if (l == LANG_ZH_CN && a >= 1e4) {
			a /= 1e4;
			suffix = "\xE4\xB8\x87";	/* 万 */
		} else if (l != LANG_ZH_CN && a >= 1e9) {
			a /= 1e9;
			suffix = "B";
		} else if (l != LANG_ZH_CN && a >= 1e6) {
			a /= 1e6;
			suffix = "M";
		} else if (l != LANG_ZH_CN && a >= 1e4) {
			a /= 1e3;
			suffix = "k";
		} else {
			dec = 0;
		}
		if (*suffix)
			dec = a >= 100 ? 0 : a >= 10 ? 1 : 2;
	}
	fmt_number(num, sizeof num, a, dec);
	if (*suffix && strchr(num, '.')) {	/* "3.50万" reads "3.5万" */
		size_t k = strlen(num);
		while (num[k - 1] == '0')
			num[--k] = 0;
		if (num[k - 1] == '.')
			num[--k] = 0;
	}
	const char *neg = amount < 0 && strspn(num, "0.,") != strlen(num) ? "-" : "";
	const char *parts[6] = { neg, sym ? sym : "", num, suffix, "", "" };
	if (!sym && currency && *currency)
		parts[4] = " ", parts[5] = currency;
	size_t n = 0;
	for (size_t i = 0; i < 6; i++) {
		size_t k = strlen(parts[i]);
		if (k > sizeof out - 1 - n)
			k = sizeof out - 1 - n;
		memcpy(out + n, parts[i], k);
		n += k;
	}
	out[n] = 0;
	while (n > 0 && out[n - 1] == ' ')
		out[--n] = 0;
	put(buf, len, out);
}

void
fmt_amount(char *buf, size_t len, double amount, const char *currency, enum lang l)
{
	/* under 1万 nothing is abbreviated: to the cent, as in full */
	fmt_money(buf, len, amount, currency, l == LANG_ZH_CN && fabs(amount) >= 1e4, l);
}

void
fmt_date(char *buf, size_t len, int32_t day, enum lang l)
{
	char out[48];
	if (l == LANG_ZH_CN) {
		int y;
		unsigned m, d;
		civil_from_days(day, &y, &m, &d);
		snprintf(out, sizeof out, "%d\xE5\xB9\xB4%u\xE6\x9C\x88%u\xE6\x97\xA5", y, m, d);
	} else {
		format_date(day, out, sizeof out);
	}
	put(buf, len, out);
}

void
fmt_week(char *buf, size_t len, int32_t day, enum lang l)
{
	char out[48];
	int y, w;
	iso_week(day, &y, &w);
	if (l == LANG_ZH_CN)
		snprintf(out, sizeof out, "%d\xE5\xB9\xB4\xE7\xAC\xAC%d\xE5\x91\xA8", y, w);
	else
		snprintf(out, sizeof out, "%d-W%02d", y, w);
	put(buf, len, out);
}

const char *
funnel_layer(int rank, int short_form)
{
	/* The five layers of the sales funnel. */
	static const char *const layers[5][2] = {
		{ N_("Qualified: need, budget and authority checked"), N_("Qualified") },
		{ N_("Win chance judged"), N_("Judged") },
		{ N_("Inside contact found, solution designed"), N_("Solution") },
		{ N_("Consensus reached with the customer"), N_("Consensus") },
		{ N_("Negotiation and signing"), N_("Signing") },
	};
	return rank >= 1 && rank <= 5 ? _(layers[rank - 1][short_form ? 1 : 0]) : "";
}
