/* Fuzzes the parameter parsers reportd's HTTP service and the panels apply
 * to request text (common/util.c, reportd/report/report.c): dates (?as_of= of
 * POST /api/runs, panel filters), report weeks (/reports/<week>/) and
 * whole numbers (ids, page numbers).  Checked: an accepted date prints
 * back as the same text, an accepted week is "YYYY-Www" with a week from
 * 1 to 53, an accepted number is within its bounds. */
#include "fuzz.h"
#include "report.h"
#include "util.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size);

	int32_t day;
	if (parse_date(s, &day) == 0) {
		char back[16];
		format_date(day, back, sizeof back);
		FUZZ_CHECK(strcmp(back, s) == 0);
	}
	if (report_is_week(s)) {
		int w = atoi(s + 6);
		FUZZ_CHECK(strlen(s) == 8 && s[4] == '-' && s[5] == 'W' && w >= 1 && w <= 53);
	}
	static const int64_t bounds[][2] = {
		{ 1, INT64_MAX }, { INT64_MIN, INT64_MAX }, { 0, 100 }, { -5, 5 },
	};
	for (size_t i = 0; i < sizeof bounds / sizeof bounds[0]; i++) {
		int64_t v = 12345;
		if (parse_int64(s, bounds[i][0], bounds[i][1], &v) == 0)
			FUZZ_CHECK(v >= bounds[i][0] && v <= bounds[i][1]);
		else
			FUZZ_CHECK(v == 12345);
	}
	free(s);
	return 0;
}
