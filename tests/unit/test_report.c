/* The weekly report's writers and helpers: the HTML escaper, CSV fields,
 * gnuplot strings and data labels (nothing gnuplot could run), the
 * schedule, week names and the language setting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "csvout.h"
#include "gnuplot.h"
#include "i18n.h"
#include "report.h"
#include "sbuf.h"
#include "schedule.h"

/* sb_printf writes a piece once where it fits in the room left, and
 * again after the buffer grows where it does not: the text is the same
 * across every growth, a piece longer than the first capacity too. */
static void
test_printf_grows(void **state)
{
	(void)state;
	struct sbuf b;
	size_t want_cap = 1 << 20, want_len = 0, grew = 0, cap = 0;
	char *want = malloc(want_cap), *big = malloc(10001);
	assert_non_null(want);
	assert_non_null(big);
	memset(big, 'x', 10000);
	big[10000] = '\0';
	sb_init(&b);
	for (int i = 0; i < 2000; i++) {
		int w = i % 97;	/* 0..96 wide, so pieces straddle each growth */
		if (i == 1500) {
			sb_printf(&b, "<%s>", big);
			want_len += (size_t)snprintf(want + want_len, want_cap - want_len, "<%s>", big);
		} else {
			sb_printf(&b, "[%d:%*s]", i, w, "v");
			want_len += (size_t)snprintf(want + want_len, want_cap - want_len, "[%d:%*s]",
			                             i, w, "v");
		}
		grew += b.cap != cap;
		cap = b.cap;
	}
	assert_true(grew >= 4);	/* 4096 bytes at first: it grew several times */
	assert_int_equal(b.len, want_len);
	assert_int_equal(strlen(b.s), want_len);
	assert_string_equal(b.s, want);
	sb_free(&b);
	free(want);
	free(big);
}

static void
test_html(void **state)
{
	struct sbuf b;
	(void)state;
	sb_init(&b);
	sb_html(&b, "<a href=\"x\">Tom & Jerry's</a>");
	assert_string_equal(b.s, "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;");
	sb_html(&b, NULL);
	assert_int_equal(b.len, strlen(b.s));
	sb_free(&b);
}

static void
test_csv(void **state)
{
	struct sbuf b;
	(void)state;
	sb_init(&b);
	csv_field(&b, "plain", 1);
	csv_field(&b, "a,b", 0);
	csv_field(&b, "say \"hi\"", 0);
	csv_field(&b, "=HYPERLINK(\"x\")", 0);
	csv_field(&b, "-12.5", 0);
	csv_field(&b, "@cmd", 0);
	csv_field(&b, NULL, 0);
	csv_end_row(&b);
	assert_string_equal(b.s, "plain,\"a,b\",\"say \"\"hi\"\"\",\"'=HYPERLINK(\"\"x\"\")\",-12.5,\"'@cmd\",\r\n");
	sb_free(&b);
}

static void
test_gnuplot_text(void **state)
{
	struct sbuf b;
	(void)state;
	sb_init(&b);
	/* our own strings: anything gnuplot could interpret is dropped */
	gp_string(&b, "Share 'of' `rm -rf` \"x\" @m $1 \\n\n收入");
	assert_string_equal(b.s, "'Share of rm -rf x m 1 n收入'");
	b.len = 0;
	b.s[0] = '\0';
	/* data labels: quoted, with quotes and control characters replaced */
	gp_label(&b, "a\"b\tc\nd `x` 客户");
	assert_string_equal(b.s, "\"a'b c d `x` 客户\"");
	sb_free(&b);
}

static void
test_schedule(void **state)
{
	struct schedule s;
	char err[256];
	struct tm tm = { .tm_year = 126, .tm_mon = 5, .tm_mday = 30, .tm_hour = 12 };	/* Tue 2026-06-30 12:00 */
	(void)state;
	assert_int_equal(schedule_set_timezone("UTC", err, sizeof err), 0);
	assert_int_equal(schedule_parse("mon 06:00", &s, err, sizeof err), 0);
	assert_int_equal(s.wday, 1);
	time_t now = timegm(&tm);
	time_t next = schedule_next(&s, now);
	struct tm got;
	gmtime_r(&next, &got);
	assert_int_equal(got.tm_wday, 1);
	assert_int_equal(got.tm_mday, 6);	/* Monday 2026-07-06 */
	assert_int_equal(got.tm_hour, 6);
	/* that run reports as of Sunday 2026-07-05: ISO week 27 */
	char week[16];
	report_week(schedule_as_of(next), week, sizeof week);
	assert_string_equal(week, "2026-W27");
	assert_int_equal(schedule_parse("daily 23:30", &s, err, sizeof err), 0);
	assert_int_equal(s.wday, -1);
	assert_true(schedule_next(&s, now) - now == 11 * 3600 + 1800);
	assert_int_equal(schedule_parse("mon 6", &s, err, sizeof err), -1);
	assert_int_equal(schedule_parse("someday 06:00", &s, err, sizeof err), -1);
	assert_int_equal(schedule_parse("mon 24:00", &s, err, sizeof err), -1);
	assert_int_equal(schedule_set_timezone("Asia/Shanghai", err, sizeof err), 0);
	assert_int_equal(schedule_parse("mon 06:00", &s, err, sizeof err), 0);
	next = schedule_next(&s, now);
	struct tm want = { .tm_year = 126, .tm_mon = 6, .tm_mday = 5, .tm_hour = 22 };
	assert_true(next == timegm(&want));	/* Monday 06:00 in Shanghai is 22:00 UTC on Sunday */
	assert_int_equal(schedule_set_timezone("Mars/Olympus", err, sizeof err), -1);
	assert_int_equal(schedule_set_timezone("../../etc/passwd", err, sizeof err), -1);
	schedule_set_timezone("UTC", err, sizeof err);
}

static void
test_weeks_and_languages(void **state)
{
	int l[4];
	(void)state;
	assert_true(report_is_week("2026-W27"));
	assert_true(report_is_week("2026-W01"));
	assert_false(report_is_week("2026-W54"));
	assert_false(report_is_week("2026-W7"));
	assert_false(report_is_week("../W27"));
	assert_false(report_is_week("latest"));
	assert_int_equal(report_languages("en", l, 4), 1);
	assert_int_equal(l[0], LANG_EN);
	assert_int_equal(report_languages("zh-CN, en", l, 4), 2);
	assert_int_equal(l[0], LANG_ZH_CN);
	assert_int_equal(l[1], LANG_EN);
	assert_int_equal(report_languages("en,en", l, 4), 1);
	assert_int_equal(report_languages("en,fr", l, 4), 0);
	assert_int_equal(report_languages("", l, 4), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_html),
		cmocka_unit_test(test_printf_grows),
		cmocka_unit_test(test_csv),
		cmocka_unit_test(test_gnuplot_text),
		cmocka_unit_test(test_schedule),
		cmocka_unit_test(test_weeks_and_languages),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
