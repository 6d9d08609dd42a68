/* Strict UTF-8 checks over libunistring (u8_check follows the Unicode
 * definition of well-formed UTF-8: it rejects overlong forms, surrogates
 * and code points above U+10FFFF). */
#include <string.h>
#include <unistr.h>

#include "utf8.h"

int
utf8_valid(const char *s, size_t n)
{
	if (memchr(s, '\0', n) != NULL)
		return 0;
	return u8_check((const uint8_t *)s, n) == NULL;
}

int
utf8_valid_str(const char *s)
{
	return u8_check((const uint8_t *)s, strlen(s)) == NULL;
}

size_t
utf8_chars(const char *s)
{
	return u8_mbsnlen((const uint8_t *)s, strlen(s));
}
