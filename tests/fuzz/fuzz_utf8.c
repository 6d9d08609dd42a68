/* Fuzzes the strict UTF-8 check (common/utf8.c) against a decoder written
 * here from the Unicode table of well-formed byte sequences (no overlong
 * forms, no surrogates, nothing above U+10FFFF; NUL refused): the two must
 * agree on every input, and utf8_chars must count what the decoder counts. */
#include "fuzz.h"
#include "utf8.h"

/* Code points in s[0..n), or -1 when it is not well-formed or holds NUL. */
static long
reference(const unsigned char *s, size_t n)
{
	long count = 0;
	size_t i = 0;
	while (i < n) {
		unsigned c = s[i];
		size_t len;
		unsigned lo = 0x80, hi = 0xBF;
		if (c == 0)
			return -1;
		if (c < 0x80) {
			i++;
			count++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF)
			len = 2;
		else if (c >= 0xE0 && c <= 0xEF) {
			len = 3;
			if (c == 0xE0)
				lo = 0xA0;	/* overlong */
			if (c == 0xED)
				hi = 0x9F;	/* surrogates */
		} else if (c >= 0xF0 && c <= 0xF4) {
			len = 4;
			if (c == 0xF0)
				lo = 0x90;	/* overlong */
			if (c == 0xF4)
				hi = 0x8F;	/* above U+10FFFF */
		} else {
			return -1;
		}
		if (n - i < len)
			return -1;
		if (s[i + 1] < lo || s[i + 1] > hi)
			return -1;
		for (size_t k = 2; k < len; k++)
			if (s[i + k] < 0x80 || s[i + k] > 0xBF)
				return -1;
		i += len;
		count++;
	}
	return count;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size);
	long want = reference(data, size);
	FUZZ_CHECK(utf8_valid(s, size) == (want >= 0));
	/* The string form stops at the first NUL: the same verdict on that prefix. */
	size_t k = strlen(s);
	long want_str = reference(data, k);
	FUZZ_CHECK(utf8_valid_str(s) == (want_str >= 0));
	if (want_str >= 0)
		FUZZ_CHECK(utf8_chars(s) == (size_t)want_str);
	free(s);
	return 0;
}
