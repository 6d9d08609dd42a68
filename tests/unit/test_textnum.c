/* common/util.c text_num and text_num_parse: a number's text from the
 * database as a double, the same to the last bit as strtod's for every
 * text it takes without strtod, and strtod's itself for the rest; whether
 * the text is a number and nothing else; and reportd's snapshot reading
 * numbers with it (snapfield.c sf_num). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "snapfield.h"
#include "util.h"

/* the same bits (NaN: both NaN) */
static void
same(const char *s)
{
	double a = text_num(s), b = atof(s);
	if (isnan(a) && isnan(b))
		return;
	if (memcmp(&a, &b, sizeof a) != 0)
		fail_msg("text_num(\"%s\") = %.17g, atof %.17g", s, a, b);
}

static void
test_cases(void **state)
{
	(void)state;
	static const char *const cases[] = {
		"0", "-0", "0.00", "-0.00", "7", "-7", "20314800.00", "4349756.884329271847",
		"0.1", "0.3", "2.675", "1.005", "123456789012345", "1234567890123456",
		"999999999999999", "9999999999999999", "0.000000000000001", "0.0000000000000001",
		"1e+20", "1.5e-07", "-1.5E3", "NaN", "Infinity", "-Infinity", "", "-", ".5", "5.",
		"1.2.3", "12abc", "00012.50", "-000.000", "18446744073709551616",
		"0.123456789012345", "0.1234567890123456", "4934880", "1283855.00",
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
		same(cases[i]);
	assert_true(text_num("20314800.00") == 20314800.0);
	assert_true(text_num("0.1") == 0.1);
	assert_true(signbit(text_num("-0")));
}

/* random texts of the shape numeric_out writes: sign, up to 18 digits,
 * a point anywhere or none */
static void
test_random(void **state)
{
	(void)state;
	unsigned seed = 20261205;
	char s[48];
	for (int n = 0; n < 2000000; n++) {
		int len = 1 + (int)(rand_r(&seed) % 18), k = 0;
		int point = (int)(rand_r(&seed) % (unsigned)(len + 2)) - 1;
		if (rand_r(&seed) % 4 == 0)
			s[k++] = '-';
		for (int i = 0; i < len; i++) {
			if (i == point && i > 0)
				s[k++] = '.';
			s[k++] = (char)('0' + rand_r(&seed) % 10);
		}
		s[k] = '\0';
		same(s);
	}
}

/* a number and nothing else, or not */
static void
test_whole(void **state)
{
	(void)state;
	static const char *const good[] = { "0", "-7", "20314800.00", "1e+20", "NaN", "-Infinity",
	    "4349756.884329271847", ".5", "5.", "0.0000000000000001" };
	static const char *const bad[] = { "", "-", "12abc", "1.2.3", "1,5", "abc", "7 " };
	double v;
	for (size_t i = 0; i < sizeof good / sizeof *good; i++)
		if (text_num_parse(good[i], &v) != 0)
			fail_msg("\"%s\" not taken", good[i]);
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		if (text_num_parse(bad[i], &v) == 0)
			fail_msg("\"%s\" taken", bad[i]);
	assert_int_equal(text_num_parse("12abc", &v), -1);
	assert_true(v == 12);	/* strtod's value of its start, as atof's */
}

/* reportd's snapshot reads a numeric field as strtod does, to the last
 * bit: its own fast path had added the whole and the fractional parts
 * (2.119 came out 2.1189999999999998), and took "" and "-" as 0 */
static void
test_snapshot_num(void **state)
{
	(void)state;
	static const char *const cases[] = { "2.119", "01.73389", "106.70458", "0.35", "-3.5",
	    "1234567.891", "NaN" };
	int64_t iv;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char buf[32];
		double dv, want = strtod(cases[i], NULL);
		snprintf(buf, sizeof buf, "%s", cases[i]);
		assert_int_equal(snapshot_parse_field(SF_NUM, buf, &iv, &dv), 0);
		if (!(isnan(want) && isnan(dv)) && memcmp(&want, &dv, sizeof dv) != 0)
			fail_msg("SF_NUM \"%s\" = %.17g, strtod %.17g", cases[i], dv, want);
	}
	char empty[1] = "", minus[2] = "-";
	double dv;
	assert_int_equal(snapshot_parse_field(SF_NUM, empty, &iv, &dv), -1);
	assert_int_equal(snapshot_parse_field(SF_NUM, minus, &iv, &dv), -1);
}

/* text_num_list: each item text_num's, empty items NAN, the count of all
 * items even past max, an item longer than the stack's copy read whole */
static void
test_list(void **state)
{
	(void)state;
	double v[4];
	assert_int_equal(text_num_list("6,577,14090400.00,,4349756.884329271847", '\0', v, 4), 5);
	assert_true(v[0] == 6 && v[1] == 577 && v[2] == 14090400.00 && isnan(v[3]));
	assert_int_equal(text_num_list("1283855.00,1549430.00}", '}', v, 4), 2);
	assert_true(v[0] == 1283855.00 && v[1] == 1549430.00);
	assert_int_equal(text_num_list("", '\0', v, 4), 1);
	assert_true(isnan(v[0]));
	assert_int_equal(text_num_list("-2.5,", '\0', v, 4), 2);
	assert_true(v[0] == -2.5 && isnan(v[1]));
	/* 80 characters: the same value as its short text */
	char long_item[128];
	snprintf(long_item, sizeof long_item, "1234567.125%069d,7", 1);
	assert_int_equal(text_num_list(long_item, '\0', v, 4), 2);
	assert_true(v[0] == text_num("1234567.125") && v[1] == 7);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_whole),
		cmocka_unit_test(test_snapshot_num),
		cmocka_unit_test(test_list),
	};
	return cmocka_run_group_tests_name("textnum", tests, NULL, NULL);
}
