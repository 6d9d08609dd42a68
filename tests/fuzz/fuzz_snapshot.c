/* Fuzzes the parsers of the snapshot's COPY text rows (reportd/engine/snapfield.c
 * through snapfield.h).  The input is one row as PostgreSQL sends it:
 * fields separated by tabs, "\N" for NULL, a newline at the end; each
 * field goes, in a buffer of its own size, through every parser.
 * Checked: no read past a field, no overflow, and what is accepted agrees
 * with the general parsers (strtoll, strtod, parse_date); an amount read
 * into cents is written back to the same cents. */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "fuzz.h"
#include "money.h"
#include "snapfield.h"
#include "util.h"

static void
fuzz_field(const char *f, size_t n)
{
	int64_t iv;
	double dv;
	char *s = fuzz_str((const uint8_t *)f, n);

	if (snapshot_parse_field(SF_INT, s, &iv, &dv) == 0) {
		char *end;
		errno = 0;
		long long v = strtoll(s, &end, 10);
		FUZZ_CHECK(errno == 0 && *end == '\0' && v == iv);
	}
	if (snapshot_parse_field(SF_NUM, s, &iv, &dv) == 0) {
		/* strtod's value, to the last bit (text_num_parse) */
		double v = strtod(s, NULL);
		FUZZ_CHECK((isnan(v) && isnan(dv)) || memcmp(&v, &dv, sizeof v) == 0);
	}
	if (snapshot_parse_field(SF_MONEY, s, &iv, &dv) == 0) {
		/* exact: written back and read again, the same cents; within
		 * half a cent of what strtod reads */
		char back[32];
		int64_t again;
		money_format(back, sizeof back, iv, 2);
		FUZZ_CHECK(money_parse(back, 2, &again) == 0 && again == iv);
		FUZZ_CHECK(fabs(strtod(s, NULL) * 100 - (double)iv) <= 0.5 + 1e-9 * fabs((double)iv));
	}
	int32_t day;
	int ok = snapshot_parse_field(SF_DATE, s, &iv, &dv) == 0;
	if (parse_date(s, &day) == 0)	/* years 1900-2999, exactly "YYYY-MM-DD" */
		FUZZ_CHECK(ok && iv == day);
	if (ok && n == 10 && strncmp(s, "1900", 4) >= 0 && strncmp(s, "2999", 4) <= 0)
		FUZZ_CHECK(parse_date(s, &day) == 0 && iv == day);
	if (snapshot_parse_field(SF_TS, s, &iv, &dv) == 0)
		FUZZ_CHECK(isfinite(dv));
	if (snapshot_parse_field(SF_BOOL, s, &iv, &dv) == 0)
		FUZZ_CHECK((strcmp(s, "t") == 0 && iv == 1) || (strcmp(s, "f") == 0 && iv == 0));
	size_t before = strlen(s);
	FUZZ_CHECK(snapshot_parse_field(SF_TEXT, s, &iv, &dv) == 0);
	FUZZ_CHECK(strlen(s) <= before);
	free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	if (size > 0 && end[-1] == '\n')
		end--;
	for (int nf = 0; nf < 16; nf++) {
		const char *tab = memchr(p, '\t', (size_t)(end - p));
		const char *fe = tab ? tab : end;
		size_t n = (size_t)(fe - p);
		if (!(n == 2 && p[0] == '\\' && p[1] == 'N'))
			fuzz_field(p, n);
		if (!tab)
			break;
		p = tab + 1;
	}
	return 0;
}
