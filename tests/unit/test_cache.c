/* The panels' page cache (fcgi/cache.c) without a database: what the
 * change feed's payloads drop, what is never kept, age and size limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cache.h"

#define T0 ((time_t)1782820800)	/* 2026-06-30 12:00 UTC */

static int
setup(void **state)
{
	(void)state;
	cache_init(1 << 20, 300);
	cache_feed_on(T0 + 86400);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	cache_forget();
	return 0;
}

static void
put(const char *key, const char *owners, int global, const char *val)
{
	cache_put(key, strlen(key), owners, global, val, strlen(val), cache_stamp(), T0);
}

static const char *
get(const char *key)
{
	size_t len;
	return cache_get(key, strlen(key), &len, T0 + 1);
}

static void
test_get_what_was_put(void **state)
{
	(void)state;
	assert_null(get("a"));
	put("a", "{3,5}", 0, "page a");
	assert_string_equal(get("a"), "page a");
	put("a", "{3,5}", 0, "page a2");	/* replaced, not doubled */
	assert_string_equal(get("a"), "page a2");
	struct cache_stats st;
	cache_get_stats(&st);
	assert_int_equal(st.entries, 1);
	assert_int_equal(st.hits, 2);
	assert_int_equal(st.misses, 1);
}

static void
test_owner_changes_drop_their_viewers(void **state)
{
	(void)state;
	put("rep3", "{3}", 0, "x");
	put("team", "{5,3,9}", 0, "x");	/* unsorted as given: still found */
	put("rep7", "{7}", 0, "x");
	put("exec", NULL, 0, "x");
	put("viewer", NULL, 1, "x");
	cache_changed("8,9");	/* someone on the team, not rep 3 */
	assert_non_null(get("rep3"));
	assert_null(get("team"));
	assert_non_null(get("rep7"));
	assert_null(get("exec"));	/* sees everyone: dropped by any change */
	assert_non_null(get("viewer"));	/* only '*' drops viewers */
	put("exec", NULL, 0, "x");
	cache_changed("");	/* an unowned row: only those who see all */
	assert_non_null(get("rep3"));
	assert_null(get("exec"));
	cache_changed("3");
	assert_null(get("rep3"));
	assert_non_null(get("rep7"));
	cache_changed("*");
	assert_null(get("rep7"));
	assert_null(get("viewer"));
}

static void
test_bad_payload_drops_everything(void **state)
{
	(void)state;
	put("rep3", "{3}", 0, "x");
	put("viewer", NULL, 1, "x");
	cache_changed("3,x");
	assert_null(get("rep3"));
	assert_null(get("viewer"));
}

static void
test_change_during_fetch_is_not_kept(void **state)
{
	(void)state;
	unsigned long stamp = cache_stamp();
	cache_changed("42");	/* heard while the page was read */
	cache_put("k", 1, "{3}", 0, "old", 3, stamp, T0);
	assert_null(get("k"));
	cache_put("k", 1, "{3}", 0, "new", 3, cache_stamp(), T0);
	assert_string_equal(get("k"), "new");
}

static void
test_age_limit(void **state)
{
	(void)state;
	size_t len;
	put("k", "{3}", 0, "v");
	assert_non_null(cache_get("k", 1, &len, T0 + 299));
	assert_null(cache_get("k", 1, &len, T0 + 300));
	assert_null(cache_get("k", 1, &len, T0 + 1));	/* gone for good */
}

static void
test_size_limit_evicts_least_recent(void **state)
{
	(void)state;
	cache_forget();
	cache_init(64 << 10, 300);
	cache_feed_on(T0 + 86400);
	static char big[10000];
	memset(big, 'x', sizeof big - 1);
	char key[16];
	for (int i = 0; i < 12; i++) {
		snprintf(key, sizeof key, "k%d", i);
		put(key, "{1}", 0, big);
		assert_non_null(get("k0"));	/* k0 stays in use */
	}
	struct cache_stats st;
	cache_get_stats(&st);
	assert_true(st.bytes <= 64 << 10);
	assert_non_null(get("k0"));
	assert_null(get("k1"));
	assert_non_null(get("k11"));
	static char huge[20000];	/* over a quarter of the budget: not kept */
	memset(huge, 'y', sizeof huge - 1);
	put("huge", "{1}", 0, huge);
	assert_null(get("huge"));
	assert_non_null(get("k11"));
}

static void
test_off_without_feed(void **state)
{
	(void)state;
	cache_forget();	/* as after a lost connection */
	put("k", "{3}", 0, "v");
	assert_null(get("k"));
	assert_false(cache_on());
	cache_feed_on(T0 + 86400);
	assert_true(cache_on());
}

static void
test_many_entries(void **state)
{
	(void)state;
	char key[32], val[32];
	for (int i = 0; i < 5000; i++) {
		snprintf(key, sizeof key, "page/%d", i);
		snprintf(val, sizeof val, "{%d}", i % 100);
		put(key, val, 0, key);
	}
	for (int i = 0; i < 5000; i += 499) {
		snprintf(key, sizeof key, "page/%d", i);
		assert_string_equal(get(key), key);
	}
	cache_changed("7");
	struct cache_stats st;
	cache_get_stats(&st);
	assert_int_equal(st.entries, 5000 - 50);
	assert_null(get("page/107"));
	assert_non_null(get("page/108"));
}

static void
test_fields(void **state)
{
	(void)state;
	static const char body[] = "<p>a\0b</p>";	/* a body may hold NULs */
	const char *in[3] = { "text/html", "", body };
	size_t lens[3] = { 9, 0, sizeof body - 1 };
	cache_put_fields("f", 1, "{1}", 0, 3, in, lens, cache_stamp(), T0);
	const char *out[3];
	size_t last;
	assert_int_equal(cache_get_fields("f", 1, 3, out, &last, T0 + 1), 0);
	assert_string_equal(out[0], "text/html");
	assert_string_equal(out[1], "");
	assert_int_equal(last, sizeof body - 1);
	assert_memory_equal(out[2], body, last);
	assert_int_equal(cache_get_fields("nothing", 7, 3, out, &last, T0 + 1), -1);
	put("short", "{1}", 0, "one field only");
	assert_int_equal(cache_get_fields("short", 5, 3, out, &last, T0 + 1), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_get_what_was_put, setup, teardown),
		cmocka_unit_test_setup_teardown(test_owner_changes_drop_their_viewers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_payload_drops_everything, setup, teardown),
		cmocka_unit_test_setup_teardown(test_change_during_fetch_is_not_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_age_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_size_limit_evicts_least_recent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_off_without_feed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_entries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fields, setup, teardown),
	};
	return cmocka_run_group_tests_name("cache", tests, NULL, NULL);
}
