/* Fuzzes the panels' request parsing (fcgi/request.c): the path, the query
 * string, a POSTed form and url_decode/url_encode.  The input is lines:
 * URI, query (empty: taken from the URI), Accept, Accept-Language, and the
 * rest is the form body.  Checked: whatever is accepted is well-formed
 * UTF-8 without NUL within the limits, a refusal says why, and encoding a
 * decoded value decodes back to it. */
#include "fuzz.h"
#include "request.h"
#include "utf8.h"

static void
check_roundtrip(const char *v)
{
	size_t n = strlen(v);
	char *enc = malloc(3 * n + 1);
	FUZZ_CHECK(enc != NULL);
	url_encode(v, enc, 3 * n + 1);
	FUZZ_CHECK(strlen(enc) <= 3 * n);
	FUZZ_CHECK(url_decode(enc) == 0);
	FUZZ_CHECK(strcmp(enc, v) == 0);
	free(enc);

	/* A short buffer: terminated, and cut only between whole escapes. */
	char small[8];
	url_encode(v, small, sizeof small);
	size_t k = strlen(small);
	FUZZ_CHECK(k < sizeof small);
	const char *pct = strrchr(small, '%');
	FUZZ_CHECK(pct == NULL || pct + 3 <= small + k);
}

static void
check_pairs(const struct request *r, char *const *keys, char *const *vals, int n,
            const char *(*get)(const struct request *, const char *))
{
	FUZZ_CHECK(n >= 0 && n <= REQ_MAX_PARAMS);
	for (int i = 0; i < n; i++) {
		FUZZ_CHECK(utf8_valid_str(keys[i]) && utf8_valid_str(vals[i]));
		FUZZ_CHECK(get(r, keys[i]) != NULL);
		check_roundtrip(keys[i]);
		check_roundtrip(vals[i]);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *d = data;
	size_t n = size;
	char *uri = fuzz_take(&d, &n, '\n');
	char *query = fuzz_take(&d, &n, '\n');
	char *accept = fuzz_take(&d, &n, '\n');
	char *alang = fuzz_take(&d, &n, '\n');
	char *body = fuzz_str(d, n);

	struct request r;
	int rc = request_parse(&r, "GET", uri, *query ? query : NULL, "fuzz", accept, alang);
	FUZZ_CHECK(strlen(r.error) < sizeof r.error);
	if (rc == 0) {
		FUZZ_CHECK(r.error[0] == '\0');
		FUZZ_CHECK(utf8_valid_str(r.path));
		check_pairs(&r, r.keys, r.vals, r.nparams, request_param);
		rc = request_parse_form(&r, body);	/* r owns body now */
		body = NULL;
		if (rc == 0)
			check_pairs(&r, r.fkeys, r.fvals, r.nform, request_form);
		else
			FUZZ_CHECK(r.error[0] != '\0');
		request_free(&r);
	} else {
		FUZZ_CHECK(rc == -1 && r.error[0] != '\0');
	}

	/* url_decode on its own, over the raw bytes (NULs end the string). */
	char *raw = fuzz_str(data, size);
	if (url_decode(raw) == 0) {
		FUZZ_CHECK(utf8_valid_str(raw));
		check_roundtrip(raw);
	}
	free(raw);
	free(uri);
	free(query);
	free(accept);
	free(alang);
	free(body);
	return 0;
}
