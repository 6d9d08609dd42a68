/* What the fuzzers (tests/fuzz) found, each kept as a test: the snapshot's
 * COPY field parsers reading past a short field or overflowing, a CSRF
 * token good for every login sharing a long prefix and an overflow on its
 * time, dates with blanks or signs inside.  A field that ends at a page followed by an unmapped page
 * makes a read past its end crash here, also without AddressSanitizer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "csrf.h"
#include "date.h"
#include "snapfield.h"
#include "util.h"

static char *page;
static size_t pagesz;

/* A copy of s whose NUL is the last byte before an unmapped page. */
static char *
at_guard(const char *s)
{
	size_t n = strlen(s) + 1;
	assert_true(n <= pagesz);
	char *p = page + pagesz - n;
	memcpy(p, s, n);
	return p;
}

static int
setup(void **state)
{
	(void)state;
	pagesz = (size_t)sysconf(_SC_PAGESIZE);
	page = mmap(NULL, 2 * pagesz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED || mprotect(page + pagesz, pagesz, PROT_NONE) != 0)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	munmap(page, 2 * pagesz);
	return 0;
}

static void
test_snapshot_short_fields(void **state)
{
	(void)state;
	int64_t iv;
	double dv;
	/* Dates shorter than "YYYY-MM-DD": refused without reading past them. */
	static const char *const dates[] = { "", "2", "20", "202", "2026", "2026-", "2026-0",
	                                     "2026-06", "2026-06-", "2026-06-3" };
	for (size_t i = 0; i < sizeof dates / sizeof dates[0]; i++) {
		assert_int_equal(snapshot_parse_field(SF_DATE, at_guard(dates[i]), &iv, &dv), -1);
		assert_int_equal(snapshot_parse_field(SF_TS, at_guard(dates[i]), &iv, &dv), -1);
	}
	/* Timestamps cut inside the UTC offset. */
	static const char *const ts[] = { "2026-01-01 00:00:00+", "2026-01-01 00:00:00+0",
	                                  "2026-01-01 00:00:00+05:", "2026-01-01 00:00:00+05:3",
	                                  "2026-01-01 00:00:00+05:30:", "2026-01-01 00:00:00+05:30:2",
	                                  "2026-01-01 00:00:00-" };
	for (size_t i = 0; i < sizeof ts / sizeof ts[0]; i++)
		assert_int_equal(snapshot_parse_field(SF_TS, at_guard(ts[i]), &iv, &dv), -1);
	/* What the server sends still parses. */
	assert_int_equal(snapshot_parse_field(SF_TS, at_guard("1970-01-02 01:00:00+05:30:15"),
	                                      &iv, &dv), 0);
	assert_true(dv == 86400 + 3600 - (5 * 3600 + 30 * 60));
	assert_int_equal(snapshot_parse_field(SF_TS, at_guard("1970-01-01 00:00:10.5-01"),
	                                      &iv, &dv), 0);
	assert_true(dv == 10.5 + 3600);
	assert_int_equal(snapshot_parse_field(SF_DATE, at_guard("2026-06-30"), &iv, &dv), 0);
	int32_t day;
	assert_int_equal(parse_date("2026-06-30", &day), 0);
	assert_int_equal(iv, day);
}

/* The snapshot's fast date parser and parse_date agree on every day,
 * leap days included (both use the date core). */
static void
test_snapshot_dates_agree(void **state)
{
	(void)state;
	int64_t iv;
	double dv;
	char b[16];
	for (int32_t z = -25567; z <= 376199; z++) {	/* 1900-01-01 .. 2999-12-31 */
		int32_t day;
		format_date(z, b, sizeof b);
		assert_int_equal(parse_date(b, &day), 0);
		assert_int_equal(snapshot_parse_field(SF_DATE, at_guard(b), &iv, &dv), 0);
		assert_true(iv == day);
	}
	static const char *const bad[] = { "1900-02-29", "2100-02-29", "2023-02-29", "2026-04-31",
	                                   "2026-00-01", "2026-13-01", "2026-01-00", "2026-01-32" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(snapshot_parse_field(SF_DATE, at_guard(bad[i]), &iv, &dv), -1);
	assert_int_equal(snapshot_parse_field(SF_DATE, at_guard("2000-02-29"), &iv, &dv), 0);
}

static void
test_snapshot_int_overflow(void **state)
{
	(void)state;
	int64_t iv;
	double dv;
	char buf[32];
	assert_int_equal(snapshot_parse_field(SF_INT, strcpy(buf, "9223372036854775807"), &iv, &dv), 0);
	assert_true(iv == INT64_MAX);
	assert_int_equal(snapshot_parse_field(SF_INT, strcpy(buf, "-9223372036854775808"), &iv, &dv), 0);
	assert_true(iv == INT64_MIN);
	assert_int_equal(snapshot_parse_field(SF_INT, strcpy(buf, "9223372036854775808"), &iv, &dv), -1);
	assert_int_equal(snapshot_parse_field(SF_INT, strcpy(buf, "-9223372036854775809"), &iv, &dv), -1);
	assert_int_equal(snapshot_parse_field(SF_INT, strcpy(buf, "99999999999999999999"), &iv, &dv), -1);
}

static void
test_csrf_long_login(void **state)
{
	(void)state;
	char login[402], other[402], t[CSRF_LEN];
	memset(login, 'u', 400);
	login[400] = '\0';
	strcpy(other, login);
	strcat(other, "x");
	assert_int_equal(csrf_init("a secret"), 0);
	csrf_make(login, 1000000, t, sizeof t);
	assert_int_equal(csrf_check(login, t, 1000000), 0);
	assert_int_equal(csrf_check(other, t, 1000000), -1);	/* another user's */
	/* The oldest time there is: refused without an overflow (UBSan). */
	assert_int_equal(csrf_check(login, "-9223372036854775808.00", 1000000), -1);
	assert_int_equal(csrf_check(login, "-99999999999999999999.00", 1000000), -1);
}

static void
test_date_blanks_and_signs(void **state)
{
	(void)state;
	int32_t day;
	static const char *const bad[] = { "2026-\n6-30", "2026- 6-30", "2026-+6-30",
	                                   "2026-06-+3", "2026-06- 3", " 2026-6-30", "+2026-6-3" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(parse_date(bad[i], &day), -1);
	assert_int_equal(parse_date("2026-06-30", &day), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_snapshot_short_fields),
		cmocka_unit_test(test_snapshot_int_overflow),
		cmocka_unit_test(test_snapshot_dates_agree),
		cmocka_unit_test(test_csrf_long_login),
		cmocka_unit_test(test_date_blanks_and_signs),
	};
	return cmocka_run_group_tests_name("fuzz findings", tests, setup, teardown);
}
