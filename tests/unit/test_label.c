/* The label table of CRM codes (common/label.c) and fmt_amount: a known
 * code by its label in each language, an unknown one as it is, a stage
 * named as the funnel chart names its layer; amounts with 万/亿 in
 * Chinese only. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "i18n.h"
#include "label.h"

static void
test_english(void **state)
{
	(void)state;
	i18n_init(NULL);
	i18n_use(LANG_EN);
	assert_string_equal(crm_label(LABEL_STAGE, "designed"), "Solution");
	assert_string_equal(crm_label(LABEL_STAGE, "negotiation"), "Signing");
	assert_string_equal(crm_label(LABEL_SOURCE, "cold call"), "Cold call");
	assert_string_equal(crm_label(LABEL_LOST_REASON, "price"), "Price");
	assert_string_equal(crm_label(LABEL_ROLE, "decision_maker"), "decision maker (key person)");
	/* unknown codes (another CRM's stage) and NULL */
	assert_string_equal(crm_label(LABEL_STAGE, "Proposition"), "Proposition");
	assert_string_equal(crm_label(LABEL_SOURCE, ""), "");
	assert_string_equal(crm_label(LABEL_LIFECYCLE, NULL), "");
	assert_string_equal(crm_label(LABEL__N, "x"), "x");
	/* the chart's layer names are the stage labels */
	static const char *const keys[] = { "qualified", "judged", "designed", "consensus",
	                                    "negotiation" };
	for (int k = 1; k <= 5; k++)
		assert_string_equal(crm_label(LABEL_STAGE, keys[k - 1]), funnel_layer(k, 1));
}

static void
test_chinese(void **state)
{
	(void)state;
	i18n_init(NULL);
	i18n_use(LANG_ZH_CN);
	if (strcmp(_("win rate"), "win rate") == 0) {
		print_message("skipped: locale zh_CN.UTF-8 not installed (deploy/install-deps)\n");
		i18n_use(LANG_EN);
		skip();
	}
	assert_string_equal(crm_label(LABEL_STAGE, "negotiation"), "谈判签约");
	assert_string_equal(crm_label(LABEL_STAGE, "designed"), funnel_layer(3, 1));
	assert_string_equal(crm_label(LABEL_LIFECYCLE, "active"), "活跃");
	assert_string_equal(crm_label(LABEL_LOST_REASON, "price"), "价格");
	assert_string_equal(crm_label(LABEL_SOURCE, "referral"), "转介绍");
	assert_string_equal(crm_label(LABEL_STAGE, "Proposition"), "Proposition");
	i18n_use(LANG_EN);
}

static void
test_amount(void **state)
{
	(void)state;
	char b[64];
	fmt_amount(b, sizeof b, 230705.01, "CNY", LANG_ZH_CN);
	assert_string_equal(b, "\xC2\xA5" "23.1\xE4\xB8\x87");	/* ¥23.1万 */
	fmt_amount(b, sizeof b, 230705.01, "CNY", LANG_EN);
	assert_string_equal(b, "\xC2\xA5" "230,705.01");
	fmt_amount(b, sizeof b, 123456789, "CNY", LANG_ZH_CN);
	assert_string_equal(b, "\xC2\xA5" "1.23\xE4\xBA\xBF");	/* ¥1.23亿 */
	fmt_amount(b, sizeof b, 9999.5, "CNY", LANG_ZH_CN);	/* under 1万: to the cent */
	assert_string_equal(b, "\xC2\xA5" "9,999.50");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_english),
		cmocka_unit_test(test_chinese),
		cmocka_unit_test(test_amount),
	};
	return cmocka_run_group_tests_name("label", tests, NULL, NULL);
}
