/* Fuzzes CSRF token checking (fcgi/csrf.c).  Input: the login, a newline,
 * a token.  Checked: a token is accepted only when its MAC is the one we
 * make for its login and issue time and that time is within the window; a
 * token we make is accepted within the window and refused outside it, for
 * another login, or with anything appended. */
#include "csrf.h"
#include "fuzz.h"

#define NOW ((time_t)1767225600)	/* 2026-01-01 00:00:00 UTC */

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	if (!ready) {
		FUZZ_CHECK(csrf_init("a fuzzing secret") == 0);
		ready = 1;
	}
	const uint8_t *d = data;
	size_t n = size;
	char *login = fuzz_take(&d, &n, '\n');
	char *token = fuzz_str(d, n);
	char canon[CSRF_LEN];

	int rc = csrf_check(login, token, NOW);
	FUZZ_CHECK(rc == 0 || rc == -1);
	if (rc == 0) {
		char *end;
		long long issued = strtoll(token, &end, 10);
		FUZZ_CHECK(*end == '.');
		FUZZ_CHECK(issued <= (long long)NOW + 60 && (long long)NOW - issued <= CSRF_TTL);
		csrf_make(login, (time_t)issued, canon, sizeof canon);
		FUZZ_CHECK(strcmp(end, strchr(canon, '.')) == 0);
	}

	/* A token we make, at an issue time taken from the input. */
	unsigned long h = 5381;
	for (size_t i = 0; i < size; i++)
		h = h * 33 + data[i];
	long long age = (long long)(h % (2 * CSRF_TTL)) - CSRF_TTL / 2;
	csrf_make(login, NOW - (time_t)age, canon, sizeof canon);
	FUZZ_CHECK(strlen(canon) < sizeof canon - 1);
	int in_window = age >= -60 && age <= CSRF_TTL;
	FUZZ_CHECK((csrf_check(login, canon, NOW) == 0) == in_window);

	size_t ln = strlen(login);
	char *other = malloc(ln + 2);
	FUZZ_CHECK(other != NULL);
	memcpy(other, login, ln);
	memcpy(other + ln, "x", 2);
	FUZZ_CHECK(csrf_check(other, canon, NOW) == -1);
	free(other);

	if (*token != '\0') {
		size_t cn = strlen(canon), tn = strlen(token);
		char *longer = malloc(cn + tn + 1);
		FUZZ_CHECK(longer != NULL);
		memcpy(longer, canon, cn);
		memcpy(longer + cn, token, tn + 1);
		FUZZ_CHECK(csrf_check(login, longer, NOW) == -1);
		free(longer);
	}
	free(login);
	free(token);
	return 0;
}
