/* The as-of date of a requested run: a real date, not after today, not
 * before 1970 (issue 19: 2999-12-31 was accepted). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "asof.h"
#include "i18n.h"
#include "testlib.h"
#include "util.h"

static void
test_accepted(void **state)
{
	(void)state;
	int32_t today = test_day("2026-11-30"), d = -1;
	char err[256] = "";
	assert_int_equal(asof_check("2026-11-30", today, &d, err, sizeof err), 0);
	assert_int_equal(d, today);
	assert_int_equal(asof_check("2026-06-30", today, &d, err, sizeof err), 0);
	assert_int_equal(d, test_day("2026-06-30"));
	assert_int_equal(asof_check("1970-01-01", today, &d, err, sizeof err), 0);
	assert_int_equal(d, 0);
	assert_string_equal(err, "");
}

static void
test_refused(void **state)
{
	(void)state;
	int32_t today = test_day("2026-11-30");
	static const struct {
		const char	*in, *msg;
	} bad[] = {
		{ "2999-12-31", "as_of 2999-12-31 is after today (2026-11-30 in the report time zone)." },
		{ "2026-12-01", "as_of 2026-12-01 is after today (2026-11-30 in the report time zone)." },
		{ "1969-12-31", "as_of 1969-12-31 is before 1970-01-01." },
		{ "1900-01-01", "as_of 1900-01-01 is before 1970-01-01." },
		{ "3000-01-01", "as_of must be a date YYYY-MM-DD." },
		{ "2026-02-30", "as_of must be a date YYYY-MM-DD." },
		{ "2026-06-30 ", "as_of must be a date YYYY-MM-DD." },
		{ "", "as_of must be a date YYYY-MM-DD." },
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		int32_t d = 777;
		char err[256] = "";
		assert_int_equal(asof_check(bad[i].in, today, &d, err, sizeof err), -1);
		assert_int_equal(d, 777);
		assert_string_equal(err, bad[i].msg);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepted),
		cmocka_unit_test(test_refused),
	};
	return cmocka_run_group_tests_name("asof", tests, NULL, NULL);
}
