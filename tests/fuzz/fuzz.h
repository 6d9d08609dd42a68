/* What the libFuzzer harnesses (fuzz_*.c) share: the entry point's
 * prototype, copies of the input sized exactly (so that AddressSanitizer
 * sees a read past the end), and a check that aborts with a message (a
 * crash the fuzzer keeps). */
#ifndef CRMX_FUZZ_H
#define CRMX_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The n bytes at d as a malloc'd NUL-terminated string (it may hold NULs). */
static inline char *
fuzz_str(const uint8_t *d, size_t n)
{
	char *s = malloc(n + 1);
	if (s == NULL)
		abort();
	memcpy(s, d, n);
	s[n] = '\0';
	return s;
}

/* Splits the input at the first `sep` byte: *part gets a malloc'd string of
 * the bytes before it and the rest is returned through d/n. */
static inline char *
fuzz_take(const uint8_t **d, size_t *n, int sep)
{
	const uint8_t *p = memchr(*d, sep, *n);
	size_t k = p ? (size_t)(p - *d) : *n;
	char *s = fuzz_str(*d, k);
	*d += p ? k + 1 : k;
	*n -= p ? k + 1 : k;
	return s;
}

#define FUZZ_CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
		abort(); \
	} \
} while (0)

#endif
