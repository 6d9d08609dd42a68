/* Fuzzes the mail header encoding (reportd/mail/mail.c): mail_encode_words on
 * any text (a subject or a name in a header), and the recipient list and
 * address checks.  Checked: the header text has no control character,
 * printable ASCII is kept as it is, every encoded word is at most 75
 * characters and the words decode back to the text without its control
 * characters; each recipient is a non-empty trimmed piece of the list (or,
 * cut at 255 bytes, one the address check refuses). */
#include <ctype.h>

#include "config.h"
#include "fuzz.h"
#include "mail.h"

static int
b64val(int c)
{
	const char *t = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = c ? strchr(t, c) : NULL;
	return p ? (int)(p - t) : -1;
}

/* Appends the bytes of base64 text s[0..n) at out; their count. */
static size_t
b64dec(const char *s, size_t n, unsigned char *out)
{
	size_t w = 0;
	unsigned acc = 0;
	int bits = 0;
	FUZZ_CHECK(n % 4 == 0);
	for (size_t i = 0; i < n && s[i] != '='; i++) {
		int v = b64val(s[i]);
		FUZZ_CHECK(v >= 0);
		acc = acc << 6 | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[w++] = (unsigned char)(acc >> bits);
		}
	}
	return w;
}

static int
each(const char *addr, enum lang l, void *arg)
{
	(void)l;
	size_t n = strlen(addr);
	FUZZ_CHECK(n > 0 && !isspace((unsigned char)addr[0]));
	FUZZ_CHECK(strchr(addr, ',') == NULL);
	/* A longer one is cut to 255 bytes, which no address check accepts. */
	if (n < 255)
		FUZZ_CHECK(!isspace((unsigned char)addr[n - 1]));
	else
		FUZZ_CHECK(!mail_address_ok(addr));
	++*(int *)arg;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size);
	size_t n = strlen(s);
	char *enc = mail_encode_words(s);
	int ascii = 1;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			ascii = 0;
	for (const char *p = enc; *p; p++)
		FUZZ_CHECK((unsigned char)*p >= 0x20 && *p != 0x7f);
	if (ascii) {
		FUZZ_CHECK(strcmp(enc, s) == 0);
	} else {
		unsigned char *dec = malloc(n + 1);
		FUZZ_CHECK(dec != NULL);
		size_t dn = 0;
		for (const char *w = enc; *w;) {
			size_t k = strcspn(w, " ");
			FUZZ_CHECK(k <= 75 && k >= 12);
			FUZZ_CHECK(strncmp(w, "=?UTF-8?B?", 10) == 0 && strncmp(w + k - 2, "?=", 2) == 0);
			dn += b64dec(w + 10, k - 12, dec + dn);
			FUZZ_CHECK(dn <= n);
			w += k;
			if (*w == ' ')
				w++;
		}
		size_t j = 0;
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)s[i] >= 0x20 && s[i] != 0x7f)
				FUZZ_CHECK(j < dn && dec[j++] == (unsigned char)s[i]);
		FUZZ_CHECK(j == dn);
		free(dec);
	}
	free(enc);

	struct crmx_config cfg;
	config_defaults(&cfg);
	free(cfg.mail_recipients);
	cfg.mail_recipients = s;
	int count = 0;
	FUZZ_CHECK(mail_each_recipient(&cfg, each, &count) == 0);
	FUZZ_CHECK(count <= (int)n);
	config_free(&cfg);	/* frees s */
	return 0;
}
