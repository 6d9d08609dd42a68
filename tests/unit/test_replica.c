/* The read replica's helpers that need no server: WAL positions as text
 * ("16/B374D848") read as numbers that order as the positions do, and
 * whether a replica is configured at all. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "config.h"
#include "replica.h"

static void
test_parse_lsn(void **state)
{
	(void)state;
	assert_true(replica_parse_lsn("0/30000A0") == 0x30000A0ULL);
	assert_true(replica_parse_lsn("16/B374D848") == (0x16ULL << 32 | 0xB374D848ULL));
	assert_true(replica_parse_lsn("FFFFFFFF/FFFFFFFF") == UINT64_MAX);
	/* across the high word: 1/0 is after 0/FFFFFFFF */
	assert_true(replica_parse_lsn("1/0") > replica_parse_lsn("0/FFFFFFFF"));
	static const char *const bad[] = { "", "0", "0/", "/1", "0/1x", "x/1", "0/1 ", NULL };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_true(replica_parse_lsn(bad[i]) == 0);
}

static void
test_configured(void **state)
{
	(void)state;
	struct crmx_config cfg;
	char err[256];
	config_defaults(&cfg);
	assert_int_equal(cfg.db_max_replica_lag_s, 10);
	assert_false(replica_configured(&cfg));
	assert_int_equal(config_set(&cfg, "database.conninfo", "host=/a dbname=crmx", err, sizeof err), 0);
	assert_int_equal(config_set(&cfg, "database.read_conninfo", "host=/a dbname=crmx", err, sizeof err), 0);
	assert_false(replica_configured(&cfg));	/* the same server: no replica */
	assert_int_equal(config_set(&cfg, "database.read_conninfo", "host=/b dbname=crmx", err, sizeof err), 0);
	assert_true(replica_configured(&cfg));
	assert_int_equal(config_set(&cfg, "database.max_replica_lag_s", "0", err, sizeof err), 0);
	assert_int_equal(config_set(&cfg, "database.max_replica_lag_s", "-1", err, sizeof err), -1);
	config_free(&cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_lsn),
		cmocka_unit_test(test_configured),
	};
	return cmocka_run_group_tests_name("replica", tests, NULL, NULL);
}
