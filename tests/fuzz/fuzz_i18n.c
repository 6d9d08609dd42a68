/* Fuzzes the language choice (common/i18n.c): an Accept-Language header
 * with its q values, ?lang= and the stored preference.  Input: the query
 * value, a newline, the preference, a newline, the header.  Checked: the
 * answer is a language we have, ?lang= wins when it names one, then the
 * preference, and a header naming none leaves the fallback. */
#include "fuzz.h"
#include "i18n.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *d = data;
	size_t n = size;
	char *ql = fuzz_take(&d, &n, '\n');
	char *pref = fuzz_take(&d, &n, '\n');
	char *accept = fuzz_str(d, n);

	for (int fb = 0; fb < LANG_COUNT; fb++) {
		enum lang l = i18n_pick(ql, pref, accept, (enum lang)fb);
		FUZZ_CHECK(l < LANG_COUNT);
		int q = i18n_parse(ql), p = i18n_parse(pref);
		FUZZ_CHECK(q >= -1 && q < LANG_COUNT && p >= -1 && p < LANG_COUNT);
		if (q >= 0)
			FUZZ_CHECK(l == (enum lang)q);
		else if (p >= 0)
			FUZZ_CHECK(l == (enum lang)p);
		enum lang h = i18n_pick(NULL, NULL, accept, (enum lang)fb);
		FUZZ_CHECK(h < LANG_COUNT);
		/* Only a header that names one of our languages moves us. */
		if (i18n_pick(NULL, NULL, accept, LANG_EN) != i18n_pick(NULL, NULL, accept, LANG_ZH_CN))
			FUZZ_CHECK(h == (enum lang)fb);
		FUZZ_CHECK(strcmp(i18n_code(l), "en") == 0 || strcmp(i18n_code(l), "zh-CN") == 0);
	}
	FUZZ_CHECK(i18n_pick(NULL, NULL, NULL, LANG_ZH_CN) == LANG_ZH_CN);
	free(ql);
	free(pref);
	free(accept);
	return 0;
}
