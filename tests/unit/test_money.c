/* common/money.c: numeric text to minor units and back, exactly, and the
 * currencies' minor digits; and concentration classes on exact integers
 * at the 80% boundary. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "concentration.h"
#include "money.h"

static void
test_parse(void **state)
{
	(void)state;
	int64_t v;
	assert_int_equal(money_parse("6651083.58", 2, &v), 0);
	assert_true(v == 665108358);
	assert_int_equal(money_parse("-0.05", 2, &v), 0);
	assert_true(v == -5);
	assert_int_equal(money_parse("7", 2, &v), 0);
	assert_true(v == 700);
	assert_int_equal(money_parse("0.5", 2, &v), 0);
	assert_true(v == 50);
	assert_int_equal(money_parse("1.005", 2, &v), 0);	/* half away from zero */
	assert_true(v == 101);
	assert_int_equal(money_parse("-1.005", 2, &v), 0);
	assert_true(v == -101);
	assert_int_equal(money_parse("1.0049999", 2, &v), 0);
	assert_true(v == 100);
	assert_int_equal(money_parse("1234.5", 0, &v), 0);
	assert_true(v == 1235);
	assert_int_equal(money_parse("9999999999999999.99", 2, &v), 0);	/* numeric(18,2) */
	assert_true(v == 999999999999999999LL);
	static const char *const bad[] = { "", "-", ".5", "1.", "1e3", "NaN", "1,5", " 1",
	    "99999999999999999.99", "0x10",
	    "9999999999999999.995" /* rounds up past 18 digits (fuzz_snapshot) */ };
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		assert_int_equal(money_parse(bad[i], 2, &v), -1);
}

static void
test_format(void **state)
{
	(void)state;
	char b[32];
	money_format(b, sizeof b, 665108358, 2);
	assert_string_equal(b, "6651083.58");
	money_format(b, sizeof b, -5, 2);
	assert_string_equal(b, "-0.05");
	money_format(b, sizeof b, 0, 2);
	assert_string_equal(b, "0.00");
	money_format(b, sizeof b, -1234, 0);
	assert_string_equal(b, "-1234");
	money_format(b, sizeof b, 1234567, 3);
	assert_string_equal(b, "1234.567");
	money_format(b, sizeof b, INT64_MIN, 2);
	assert_string_equal(b, "-92233720368547758.08");
	assert_int_equal(currency_digits("CNY"), 2);
	assert_int_equal(currency_digits("gbp"), 2);
	assert_int_equal(currency_digits("JPY"), 0);
	assert_int_equal(currency_digits("KWD"), 3);
	assert_int_equal(currency_digits(""), 2);
	assert_int_equal(currency_digits(NULL), 2);
	/* as JSON writes them (%.15g): no more decimals than the currency */
	snprintf(b, sizeof b, "%.15g", money_to_double(665108358, 2));
	assert_string_equal(b, "6651083.58");
	snprintf(b, sizeof b, "%.15g", money_round(6651083.57999998, 2));
	assert_string_equal(b, "6651083.58");
}

/* 0.20 and eight of 0.10 (in cents): the item before which the running
 * total is exactly 80% of the total is not A, which a floating-point
 * running total (0.2 + 6 x 0.1 < 0.8) gets wrong; an item netting to
 * exactly zero is non-positive. */
static void
test_boundary(void **state)
{
	(void)state;
	int64_t ids[10], v[10];
	char abc[10];
	uint32_t rank[10];
	struct concentration c;
	for (int i = 0; i < 10; i++) {
		ids[i] = i + 1;
		v[i] = 10;
	}
	v[0] = 20;
	v[9] = 0;
	concentration_compute(ids, v, 10, &c, abc, rank);
	assert_int_equal(c.n, 9);
	assert_int_equal(c.non_positive, 1);
	assert_true(c.total == 100);
	/* cum before each: 0 20 30 .. 70 (< 80: A), 80 and 90 (< 95: B) */
	assert_int_equal(c.n_a, 7);
	assert_int_equal(c.n_b, 2);
	assert_int_equal(c.n_c, 0);
	assert_int_equal(abc[7], 'B');
	assert_int_equal(abc[9], 0);
	assert_true(c.frac_for_80 == 7.0 / 9.0);
	assert_true(c.rev_a + c.rev_b + c.rev_c == c.total);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_boundary),
	};
	return cmocka_run_group_tests_name("money", tests, NULL, NULL);
}
