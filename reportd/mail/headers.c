/* The mail's header lines (see mail.h): Date, Message-ID, From (display
 * name encoded or quoted), To, Subject and crmx's tracing headers. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "mail.h"
#include "mailint.h"
#include "util.h"

static char *
strf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *
strf(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	va_start(ap, fmt);
	int n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0) {
		fputs("out of memory\n", stderr);
		abort();
	}
	return s;
}

/* The From header's value: the display name encoded when not ASCII. */
static char *
from_header(const char *from, const char *addr)
{
	const char *lt = strrchr(from, '<');
	if (lt == NULL)
		return xstrdup(addr);
	char name[256];
	const char *s = from, *e = lt;
	while (s < e && isspace((unsigned char)*s)) s++;
	while (e > s && isspace((unsigned char)e[-1])) e--;
	if (e > s && *s == '"' && e[-1] == '"' && e - s >= 2) { s++; e--; }
	snprintf(name, sizeof name, "%.*s", (int)(e - s), s);
	if (name[0] == '\0')
		return xstrdup(addr);
	if (!mail_printable_ascii(name)) {
		char *w = mail_encode_words(name);
		char *h = strf("%s <%s>", w, addr);
		free(w);
		return h;
	}
	/* A quoted string: backslash the quote and the backslash. */
	char q[600];
	size_t k = 0;
	for (const char *p = name; *p && k < sizeof q - 3; p++) {
		if (*p == '"' || *p == '\\')
			q[k++] = '\\';
		q[k++] = *p;
	}
	q[k] = '\0';
	return strf("\"%s\" <%s>", q, addr);
}

char **
mail_headers(const struct mail_message *m, const struct crmx_config *cfg,
             const char *to, char **envelope_from, char *msgid, size_t msgidlen)
{
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
	    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	const char *addr = mail_from_address(cfg->mail_from);
	if (addr == NULL)
		addr = "crmx@localhost";	/* mail_config_check() refused this at start */
	*envelope_from = xstrdup(addr);

	unsigned char rnd[8] = { 0 };
	if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd) {
		/* Unlikely; the time and pid still make the id unique enough. */
		uint64_t t = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
		memcpy(rnd, &t, sizeof rnd);
	}
	snprintf(msgid, msgidlen, "<crmx.%s.%02x%02x%02x%02x%02x%02x%02x%02x%s>", m->week,
	         rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5], rnd[6], rnd[7], strrchr(addr, '@'));

	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	char **h = xcalloc(10, sizeof *h);
	int i = 0;
	h[i++] = strf("Date: %s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday], tm.tm_mday,
	              months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
	h[i++] = strf("Message-ID: %s", msgid);
	char *fh = from_header(cfg->mail_from, addr);
	h[i++] = strf("From: %s", fh);
	free(fh);
	h[i++] = strf("To: %s", to);
	char *subj = mail_encode_words(m->subject);
	h[i++] = strf("Subject: %s", subj);
	free(subj);
	h[i++] = strf("Content-Language: %s", i18n_code(m->lang));
	h[i++] = strf("X-Crmx-Week: %s", m->week);
	h[i++] = strf("X-Crmx-Run: %lld", (long long)m->run_id);
	h[i++] = strf("Auto-Submitted: auto-generated");
	h[i] = NULL;
	return h;
}

void
mail_headers_free(char **h)
{
	for (size_t i = 0; h && h[i]; i++)
		free(h[i]);
	free(h);
}
