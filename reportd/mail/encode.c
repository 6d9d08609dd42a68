/* Header and body encodings of the mail: base64 and RFC 2047 "B" encoded
 * words (see mail.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mail.h"
#include "mailint.h"
#include "util.h"

char *
mail_base64(const unsigned char *p, size_t n, int wrap)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t quads = (n + 2) / 3;
	char *out = xmalloc(quads * 4 + (wrap ? quads / 19 * 2 + 2 : 0) + 1), *o = out;
	for (size_t i = 0, q = 0; i < n; i += 3, q++) {
		if (wrap && q > 0 && q % 19 == 0) {	/* 19 * 4 = 76 columns */
			*o++ = '\r';
			*o++ = '\n';
		}
		unsigned v = (unsigned)p[i] << 16;
		if (i + 1 < n) v |= (unsigned)p[i + 1] << 8;
		if (i + 2 < n) v |= p[i + 2];
		*o++ = tab[v >> 18 & 63];
		*o++ = tab[v >> 12 & 63];
		*o++ = i + 1 < n ? tab[v >> 6 & 63] : '=';
		*o++ = i + 2 < n ? tab[v & 63] : '=';
	}
	*o = '\0';
	return out;
}

int
mail_printable_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return 0;
	return 1;
}

char *
mail_encode_words(const char *utf8)
{
	if (mail_printable_ascii(utf8))
		return xstrdup(utf8);
	/* 45 bytes -> 60 base64 characters: "=?UTF-8?B?" + 60 + "?=" stays
	 * within the 75 a word may have (RFC 2047 section 2).  A word never
	 * splits a character, so each one decodes alone. */
	size_t n = strlen(utf8);
	char *out = xmalloc(n / 30 * 80 + 80), *o = out;
	const unsigned char *p = (const unsigned char *)utf8;
	while (n > 0) {
		size_t take = n < 45 ? n : 45;
		while (take < n && take > 0 && (p[take] & 0xC0) == 0x80)
			take--;
		if (take == 0)	/* not UTF-8: a run of continuation bytes */
			take = n < 45 ? n : 45;
		/* Control characters (CR, LF) would end the header: drop them. */
		unsigned char chunk[45];
		size_t k = 0;
		for (size_t i = 0; i < take; i++)
			if (p[i] >= 0x20 && p[i] != 0x7f)
				chunk[k++] = p[i];
		char *b = mail_base64(chunk, k, 0);
		o += sprintf(o, "%s=?UTF-8?B?%s?=", o == out ? "" : " ", b);
		free(b);
		p += take;
		n -= take;
	}
	*o = '\0';
	return out;
}
