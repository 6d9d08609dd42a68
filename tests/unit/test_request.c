/* The panels' request parser and HTML escaper. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "out.h"
#include "request.h"

static void
test_parse(void **state)
{
	(void)state;
	struct request r;
	assert_int_equal(request_parse(&r, "GET", "/crmx/accounts?owner=12&city=%E6%B2%88%E9%98%B3&q=a+b",
	                               NULL, "rep1", "text/html", "zh-CN"), 0);
	assert_string_equal(r.path, "/crmx/accounts");
	assert_string_equal(request_param(&r, "city"), "沈阳");
	assert_string_equal(request_param(&r, "q"), "a b");
	assert_string_equal(request_param(&r, "owner"), "12");
	assert_null(request_param(&r, "region"));
	assert_false(r.want_json);

	assert_int_equal(request_parse(&r, "GET", "/crmx/accounts/7.json", NULL, "rep1", NULL, NULL), 0);
	assert_string_equal(r.path, "/crmx/accounts/7");
	assert_true(r.want_json);
	assert_int_equal(request_parse(&r, "GET", "/crmx/pipeline", "", "x", "application/json", NULL), 0);
	assert_true(r.want_json);

	/* malformed: bad escapes, NUL, invalid UTF-8, too long */
	assert_int_equal(request_parse(&r, "GET", "/crmx/accounts?x=%4", NULL, NULL, NULL, NULL), -1);
	assert_int_equal(request_parse(&r, "GET", "/crmx/accounts?x=%00", NULL, NULL, NULL, NULL), -1);
	assert_int_equal(request_parse(&r, "GET", "/crmx/a%ffb", NULL, NULL, NULL, NULL), -1);
	assert_non_null(strstr(r.error, "UTF-8"));
	char big[4000];
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	big[0] = 'x';
	big[1] = '=';
	assert_int_equal(request_parse(&r, "GET", "/crmx/accounts", big, NULL, NULL, NULL), -1);
	assert_non_null(strstr(r.error, "longer"));
}

static void
test_escape(void **state)
{
	(void)state;
	struct out o;
	out_init(&o);
	out_raw(&o, "<td>");
	html_text(&o, "<script>alert(1)</script> & Sons \"Ltd\" 'x' 东方");
	out_raw(&o, "</td>");
	assert_string_equal(o.body, "<td>&lt;script&gt;alert(1)&lt;/script&gt; &amp; Sons &quot;Ltd&quot;"
	                            " &#39;x&#39; 东方</td>");
	out_header(&o, "X-Test", "a\r\nSet-Cookie: evil");	/* dropped */
	assert_string_equal(o.extra_headers, "");
	out_header(&o, "X-Test", "ok");
	assert_string_equal(o.extra_headers, "X-Test: ok\r\n");
	out_free(&o);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_escape),
	};
	return cmocka_run_group_tests_name("request", tests, NULL, NULL);
}
