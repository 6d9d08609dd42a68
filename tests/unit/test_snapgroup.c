/* The revenue rows of a snapshot grouped by account in place
 * (reportd/engine/snapshot.c, snapshot_group_revenue): rows in any order,
 * accounts without rows, several rows on one day; the result equals the
 * rows sorted by account, day, amount and margin, whatever order they came
 * in. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "snapshot.h"

static int
cmp_full(const void *a, const void *b)
{
	const struct snap_revenue *x = a, *y = b;
	if (x->acct != y->acct)
		return (x->acct > y->acct) - (x->acct < y->acct);
	if (x->day != y->day)
		return (x->day > y->day) - (x->day < y->day);
	if (x->amount != y->amount)
		return (x->amount > y->amount) - (x->amount < y->amount);
	return (x->margin > y->margin) - (x->margin < y->margin);
}

static uint32_t
next_rand(uint32_t *st)
{
	*st = *st * 1103515245u + 12345u;
	return *st >> 8;
}

/* n rows over n_acct accounts (every third without rows), few distinct
 * days so that days repeat, grouped and checked against a sorted copy. */
static void
check_grouping(size_t n_acct, size_t n, uint32_t seed)
{
	struct snapshot s;
	memset(&s, 0, sizeof s);
	s.n_acct = n_acct;
	s.n_rev = n;
	s.rev = calloc(n + 1, sizeof *s.rev);
	assert_non_null(s.rev);
	for (size_t i = 0; i < n; i++) {
		uint32_t a = next_rand(&seed) % (uint32_t)n_acct;
		if (a % 3 == 2)
			a = (a + 1) % (uint32_t)n_acct;
		s.rev[i].acct = a;
		s.rev[i].day = 20000 + (int32_t)(next_rand(&seed) % 5);
		s.rev[i].amount = (int64_t)(next_rand(&seed) % 4) * 100;
		s.rev[i].margin = next_rand(&seed) % 2 ? MONEY_NONE : (int64_t)(next_rand(&seed) % 3);
	}
	struct snap_revenue *want = malloc((n + 1) * sizeof *want);
	assert_non_null(want);
	memcpy(want, s.rev, n * sizeof *want);
	qsort(want, n, sizeof *want, cmp_full);

	snapshot_group_revenue(&s);

	assert_non_null(s.rev_first);
	assert_int_equal(s.rev_first[0], 0);
	assert_int_equal(s.rev_first[n_acct], n);
	for (size_t a = 0; a < n_acct; a++)
		for (uint32_t i = s.rev_first[a]; i < s.rev_first[a + 1]; i++)
			assert_int_equal(s.rev[i].acct, a);
	assert_memory_equal(s.rev, want, n * sizeof *want);
	free(want);
	free(s.rev);
	free(s.rev_first);
}

static void
test_scrambled(void **state)
{
	(void)state;
	check_grouping(50, 2000, 7);
	check_grouping(1000, 300, 11);	/* most accounts without rows */
	/* two passes (blocks of accounts, then each block), the last
	 * block part full */
	check_grouping(5000, 20000, 13);
	check_grouping(4099, 9000, 17);
	check_grouping(2048, 6000, 19);
}

static void
test_edges(void **state)
{
	(void)state;
	check_grouping(1, 40, 3);	/* one account */
	check_grouping(5, 1, 5);	/* one row */
	check_grouping(4, 0, 9);	/* none */
}

/* Rows already grouped and ordered stay as they are. */
static void
test_sorted_input(void **state)
{
	(void)state;
	struct snapshot s;
	memset(&s, 0, sizeof s);
	s.n_acct = 3;
	s.n_rev = 4;
	s.rev = calloc(4, sizeof *s.rev);
	assert_non_null(s.rev);
	const struct snap_revenue rows[4] = {
		{ 0, 100, 5, MONEY_NONE }, { 0, 101, 1, MONEY_NONE },
		{ 2, 90, 7, 3 }, { 2, 90, 8, 1 },
	};
	memcpy(s.rev, rows, sizeof rows);
	snapshot_group_revenue(&s);
	assert_memory_equal(s.rev, rows, sizeof rows);
	assert_int_equal(s.rev_first[1], 2);
	assert_int_equal(s.rev_first[2], 2);
	assert_int_equal(s.rev_first[3], 4);
	free(s.rev);
	free(s.rev_first);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scrambled),
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_sorted_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
