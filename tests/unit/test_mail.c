/* The report mail's encodings and header lines: base64, RFC 2047 encoded
 * words (split on character boundaries, each word at most 75 characters),
 * address checks, From with a Chinese name, the [mail] settings check. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "mail.h"

static void
test_base64(void **state)
{
	(void)state;
	static const struct { const char *in, *out; } v[] = {	/* RFC 4648 section 10 */
		{ "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" },
		{ "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" },
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		char *b = mail_base64((const unsigned char *)v[i].in, strlen(v[i].in), 0);
		assert_string_equal(b, v[i].out);
		free(b);
	}
	/* Wrapped: lines of 76 characters joined by CRLF, no trailing CRLF. */
	unsigned char data[200];
	for (int i = 0; i < 200; i++)
		data[i] = (unsigned char)i;
	char *b = mail_base64(data, sizeof data, 1);
	assert_int_equal(strlen(b), 268 + 3 * 2);
	assert_int_equal(strcspn(b, "\r"), 76);
	assert_memory_equal(b + 76, "\r\n", 2);
	assert_int_equal(strcspn(b + 78, "\r"), 76);
	assert_null(strchr(b + 3 * 78, '\r'));
	free(b);
}

static int
b64val(char c)
{
	const char *tab = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = strchr(tab, c);
	return p && c ? (int)(p - tab) : -1;
}

/* Decodes one "=?UTF-8?B?...?=" word into out; returns its length. */
static size_t
decode_word(const char *w, size_t wlen, unsigned char *out)
{
	assert_true(wlen > 12);
	assert_memory_equal(w, "=?UTF-8?B?", 10);
	assert_memory_equal(w + wlen - 2, "?=", 2);
	size_t n = 0;
	unsigned acc = 0;
	int bits = 0;
	for (size_t i = 10; i < wlen - 2 && w[i] != '='; i++) {
		int v = b64val(w[i]);
		assert_true(v >= 0);
		acc = acc << 6 | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (unsigned char)(acc >> bits & 0xff);
		}
	}
	return n;
}

static void
test_encoded_words(void **state)
{
	(void)state;
	char *s = mail_encode_words("Weekly sales report 2026-W27");
	assert_string_equal(s, "Weekly sales report 2026-W27");	/* ASCII stays */
	free(s);
	s = mail_encode_words("销售周报 2026年第27周");
	assert_string_equal(s, "=?UTF-8?B?6ZSA5ZSu5ZGo5oqlIDIwMjblubTnrKwyN+WRqA==?=");
	free(s);

	/* Long Chinese text: several words, each at most 75 characters,
	 * each decoding alone to whole characters, together the text. */
	const char *text = "前 20% 客户的收入占比；全部客户预测终身价值；进行中商机的第一KP覆盖率：销售周报";
	s = mail_encode_words(text);
	unsigned char all[512];
	size_t total = 0, words = 0;
	for (const char *p = s; *p; ) {
		size_t wl = strcspn(p, " ");
		assert_true(wl <= 75);
		unsigned char part[128];
		size_t n = decode_word(p, wl, part);
		/* A word starts on a character and ends after a whole one. */
		assert_true((part[0] & 0xC0) != 0x80);
		size_t k = n;
		while (k > 0 && (part[k - 1] & 0xC0) == 0x80)
			k--;
		assert_true(k > 0);
		unsigned char lead = part[k - 1];
		size_t need = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
		assert_int_equal(n - (k - 1), need);
		memcpy(all + total, part, n);
		total += n;
		words++;
		p += wl + (p[wl] == ' ');
	}
	assert_true(words >= 3);
	assert_int_equal(total, strlen(text));
	assert_memory_equal(all, text, total);
	free(s);

	/* Not UTF-8 (a long run of continuation bytes): still ends. */
	char junk[100];
	memset(junk, 0x80, sizeof junk - 1);
	junk[sizeof junk - 1] = '\0';
	s = mail_encode_words(junk);
	assert_non_null(strstr(s, "=?UTF-8?B?"));
	free(s);

	/* CR and LF cannot end the header early. */
	s = mail_encode_words("周报\r\nBcc: x@example.com");
	assert_null(strpbrk(s, "\r\n"));
	free(s);
}

static void
test_addresses(void **state)
{
	(void)state;
	assert_true(mail_address_ok("ceo@example.com"));
	assert_true(mail_address_ok("first.last+crmx@mail.example.cn"));
	assert_false(mail_address_ok(""));
	assert_false(mail_address_ok("ceo"));
	assert_false(mail_address_ok("ceo@localhost"));	/* no dot in the domain */
	assert_false(mail_address_ok("@example.com"));
	assert_false(mail_address_ok("a@b@example.com"));
	assert_false(mail_address_ok("boss at example.com"));
	assert_false(mail_address_ok("<ceo@example.com>"));
	assert_false(mail_address_ok("ceo@example.com\r\nRCPT TO:<x@y.z>"));
	assert_false(mail_address_ok("总经理@example.cn"));	/* no SMTPUTF8 */
}

static void
test_headers(void **state)
{
	(void)state;
	struct crmx_config cfg;
	char err[256], msgid[300], *env = NULL;
	config_defaults(&cfg);
	assert_int_equal(config_set(&cfg, "mail.from", "销售分析 <crmx@example.com>", err, sizeof err), 0);
	struct mail_message m = { .week = "2026-W27", .run_id = 42, .lang = LANG_ZH_CN };
	m.subject = (char *)(uintptr_t)"销售周报 2026年第27周";
	char **h = mail_headers(&m, &cfg, "ceo@example.com", &env, msgid, sizeof msgid);
	assert_string_equal(env, "crmx@example.com");
	assert_string_equal(h[1] + strlen("Message-ID: "), msgid);
	assert_int_equal(strncmp(msgid, "<crmx.2026-W27.", 15), 0);
	assert_string_equal(msgid + strlen(msgid) - 13, "@example.com>");
	assert_int_equal(strncmp(h[0], "Date: ", 6), 0);
	assert_string_equal(h[0] + strlen(h[0]) - 6, " +0000");
	assert_string_equal(h[2], "From: =?UTF-8?B?6ZSA5ZSu5YiG5p6Q?= <crmx@example.com>");
	assert_string_equal(h[3], "To: ceo@example.com");
	assert_string_equal(h[4], "Subject: =?UTF-8?B?6ZSA5ZSu5ZGo5oqlIDIwMjblubTnrKwyN+WRqA==?=");
	assert_string_equal(h[7], "X-Crmx-Run: 42");
	mail_headers_free(h);
	free(env);

	/* An ASCII name with a quote is a quoted string. */
	assert_int_equal(config_set(&cfg, "mail.from", "Sales \"Weekly\" <crmx@example.com>", err, sizeof err), 0);
	h = mail_headers(&m, &cfg, "ceo@example.com", &env, msgid, sizeof msgid);
	assert_string_equal(h[2], "From: \"Sales \\\"Weekly\\\"\" <crmx@example.com>");
	mail_headers_free(h);
	free(env);
	config_free(&cfg);
}

static void
test_config_check(void **state)
{
	(void)state;
	struct crmx_config cfg;
	char err[512];
	config_defaults(&cfg);
	assert_int_equal(mail_config_check(&cfg, err, sizeof err), 0);	/* off */
	config_free(&cfg);
	static const struct { const char *key, *value, *says; } bad[] = {
		{ "mail.transport", "pigeon", "mail.transport" },
		{ "mail.smtp_url", "http://mail.example.com", "mail.smtp_url" },
		{ "mail.starttls", "maybe", "mail.starttls" },
		{ "mail.from", "nobody", "mail.from" },
		{ "mail.recipients_zh_CN", "ok@example.com, not an address", "not an address" },
		{ "mail.report_base_url", "javascript:alert(1)", "report_base_url" },
		{ "mail.report_base_url", "https://x.example.com/\"><script>", "report_base_url" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		config_defaults(&cfg);
		assert_int_equal(config_set(&cfg, "mail.transport", "smtp", err, sizeof err), 0);
		assert_int_equal(config_set(&cfg, "mail.from", "crmx@example.com", err, sizeof err), 0);
		assert_int_equal(mail_config_check(&cfg, err, sizeof err), 0);
		assert_int_equal(config_set(&cfg, bad[i].key, bad[i].value, err, sizeof err), 0);
		assert_int_equal(mail_config_check(&cfg, err, sizeof err), -1);
		assert_non_null(strstr(err, bad[i].says));
		config_free(&cfg);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base64),
		cmocka_unit_test(test_encoded_words),
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_headers),
		cmocka_unit_test(test_config_check),
	};
	return cmocka_run_group_tests_name("mail", tests, NULL, NULL);
}
