/* The panels' request parser and HTML escaper. */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "csrf.h"
#include "config.h"
#include "out.h"
#include "params.h"
#include "routes.h"
#include "request.h"
#include "util.h"
#include <stdlib.h>

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
	/* what PostgreSQL refuses must be refused here (issue 19, finding 1):
	 * a surrogate, overlong forms, above U+10FFFF, a lone continuation,
	 * a truncated sequence */
	static const char *const bad[] = {
		"/crmx/accounts?city=%ED%A0%80",	/* U+D800 */
		"/crmx/accounts?city=%ED%BF%BF",	/* U+DFFF */
		"/crmx/accounts?city=%C0%AF",		/* overlong '/' */
		"/crmx/accounts?city=%C1%BF",
		"/crmx/accounts?city=%E0%80%AF",	/* overlong, 3 bytes */
		"/crmx/accounts?city=%F0%80%80%AF",	/* overlong, 4 bytes */
		"/crmx/accounts?city=%F4%90%80%80",	/* U+110000 */
		"/crmx/accounts?city=%F8%88%80%80%80",
		"/crmx/accounts?city=%80",
		"/crmx/accounts?city=%E6%B2",
		"/crmx/accounts?c%ED%A0%80=1",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		assert_int_equal(request_parse(&r, "GET", bad[i], NULL, "rep1", NULL, NULL), -1);
		assert_non_null(strstr(r.error, "UTF-8"));
	}
	/* the edges that are valid */
	assert_int_equal(request_parse(&r, "GET", "/crmx/accounts?a=%F4%8F%BF%BF&b=%EE%80%80&c=%C2%80",
	                               NULL, "rep1", NULL, NULL), 0);
	char big[4000];
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	big[0] = 'x';
	big[1] = '=';
	assert_int_equal(request_parse(&r, "GET", "/crmx/accounts", big, NULL, NULL, NULL), -1);
	assert_non_null(strstr(r.error, "longer"));
}

/* out_int writes what "%lld" writes, at both ends of the range too. */
static void
test_out_int(void **state)
{
	(void)state;
	const long long v[] = { 0, 7, -7, 10, 99, 100, 1234567890123LL, -1000, LLONG_MAX, LLONG_MIN,
	                        LLONG_MIN + 1 };
	struct out o;
	char want[1024] = "";
	out_init(&o);
	for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
		out_int(&o, v[i]);
		out_raw(&o, "|");
		snprintf(want + strlen(want), sizeof want - strlen(want), "%lld|", v[i]);
	}
	assert_string_equal(o.body.s, want);
	out_free(&o);
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
	assert_string_equal(o.body.s, "<td>&lt;script&gt;alert(1)&lt;/script&gt; &amp; Sons &quot;Ltd&quot;"
	                            " &#39;x&#39; 东方</td>");
	out_header(&o, "X-Test", "a\r\nSet-Cookie: evil");	/* dropped */
	assert_string_equal(o.extra_headers, "");
	out_header(&o, "X-Test", "ok");
	assert_string_equal(o.extra_headers, "X-Test: ok\r\n");
	out_free(&o);
}

static void
collect(void *sink, const char *s, size_t n)
{
	sb_rawn(sink, s, n);
}

/* A header that does not fit is never cut: the answer is a 500 (it was
 * sent truncated, with the page's status). */
static void
test_header_overflow(void **state)
{
	(void)state;
	struct out o;
	struct sbuf w;
	char big[600];
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	out_init(&o);
	sb_init(&w);
	out_raw(&o, "<p>page</p>");
	out_header(&o, "Location", "/crmx/accounts/1");
	write_response(&o, collect, &w);
	assert_non_null(strstr(w.s, "Status: 200 OK\r\n"));
	assert_non_null(strstr(w.s, "\r\nLocation: /crmx/accounts/1\r\n"));
	assert_non_null(strstr(w.s, "\r\n\r\n<p>page</p>"));
	out_header(&o, "X-Big", big);
	sb_clear(&w);
	write_response(&o, collect, &w);
	assert_int_equal(strncmp(w.s, "Status: 500 ", 12), 0);
	assert_null(strstr(w.s, "X-Big"));
	assert_null(strstr(w.s, "<p>page</p>"));
	sb_free(&w);
	out_free(&o);
}

static void
test_form(void **state)
{
	(void)state;
	struct request r;
	assert_int_equal(request_parse(&r, "POST", "/crmx/deals/3", NULL, "rep1", NULL, NULL), 0);
	char *body = strdup("step=judged&evidence=Mail+from+%E8%B4%A2%E5%8A%A1&plan=&csrf=1.ab");
	assert_int_equal(request_parse_form(&r, body), 0);
	assert_string_equal(request_form(&r, "evidence"), "Mail from 财务");
	assert_string_equal(request_form(&r, "plan"), "");
	assert_null(request_form(&r, "action"));
	assert_null(request_param(&r, "step"));	/* form fields are not query parameters */
	request_free(&r);
	assert_int_equal(request_parse(&r, "POST", "/x", NULL, NULL, NULL, NULL), 0);
	assert_int_equal(request_parse_form(&r, strdup("a=%ZZ")), -1);
	assert_non_null(strstr(r.error, "form field 1"));
	request_free(&r);

	char enc[64];
	url_encode("沈阳 & Co/x", enc, sizeof enc);
	assert_string_equal(enc, "%E6%B2%88%E9%98%B3%20%26%20Co%2Fx");
	url_encode("沈阳", enc, 8);	/* truncated between whole escapes */
	assert_string_equal(enc, "%E6%B2");
}

static void
test_csrf(void **state)
{
	(void)state;
	char t[CSRF_LEN], t2[CSRF_LEN];
	assert_int_equal(csrf_init("a secret"), 0);
	csrf_make("rep1", 1000000, t, sizeof t);
	assert_int_equal(csrf_check("rep1", t, 1000000), 0);
	assert_int_equal(csrf_check("rep1", t, 1000000 + CSRF_TTL), 0);
	assert_int_equal(csrf_check("rep1", t, 1000000 + CSRF_TTL + 1), -1);	/* expired */
	assert_int_equal(csrf_check("rep1", t, 1000000 - 3600), -1);		/* from the future */
	assert_int_equal(csrf_check("rep2", t, 1000000), -1);			/* another user's */
	assert_int_equal(csrf_check("rep1", NULL, 1000000), -1);
	assert_int_equal(csrf_check("rep1", "", 1000000), -1);
	strcpy(t2, t);
	t2[strlen(t2) - 1] ^= 1;						/* tampered */
	assert_int_equal(csrf_check("rep1", t2, 1000000), -1);
	strcpy(t2, t);
	t2[0] = '2';								/* another time */
	assert_int_equal(csrf_check("rep1", t2, 2000000), -1);
	/* Same secret, same token: any worker or host with the secret accepts it. */
	assert_int_equal(csrf_init("a secret"), 0);
	assert_int_equal(csrf_check("rep1", t, 1000000), 0);
	assert_int_equal(csrf_init("another secret"), 0);
	assert_int_equal(csrf_check("rep1", t, 1000000), -1);
	assert_int_equal(csrf_init(NULL), 0);					/* random */
	assert_int_equal(csrf_check("rep1", t, 1000000), -1);
}

/* The issue time of a token is plain digits: no sign, space or leading
 * zero that strtoll would take for the same number. */
static void
test_csrf_strict(void **state)
{
	(void)state;
	char t[CSRF_LEN], t2[CSRF_LEN + 2];
	assert_int_equal(csrf_init("a secret"), 0);
	csrf_make("rep1", 1000000, t, sizeof t);
	assert_int_equal(csrf_check("rep1", t, 1000000), 0);
	static const char *const prefixes[] = { "+", " ", "0", "\t", "00" };
	for (size_t i = 0; i < sizeof prefixes / sizeof *prefixes; i++) {
		snprintf(t2, sizeof t2, "%s%s", prefixes[i], t);
		assert_int_equal(csrf_check("rep1", t2, 1000000), -1);
	}
	assert_int_equal(csrf_check("rep1", ".abc", 1000000), -1);
	assert_int_equal(csrf_check("rep1", "-1.abc", 1000000), -1);
	assert_int_equal(csrf_check("rep1", "99999999999999999999999.abc", 1000000), -1);
}

/* Record ids in URLs and parameters: digits only. */
static void
test_parse_id(void **state)
{
	(void)state;
	int64_t v = 0;
	assert_int_equal(parse_id("57", &v), 0);
	assert_int_equal(v, 57);
	assert_int_equal(parse_id("9223372036854775807", &v), 0);
	assert_true(v == INT64_MAX);
	static const char *const bad[] = {
		"+57", " 57", "57 ", "\t57", "057", "0", "-57", "5 7", "", "0x39", "57a",
		"9223372036854775808", "00000000000000000057", "1e3",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		v = -1;
		if (parse_id(bad[i], &v) == 0)
			fail_msg("parse_id accepted \"%s\"", bad[i]);
		assert_true(v == -1);
	}
	assert_int_equal(parse_id(NULL, &v), -1);
	/* The general parser takes no sign or space either (a minus where allowed). */
	assert_int_equal(parse_int64("+57", 1, 100, &v), -1);
	assert_int_equal(parse_int64(" 57", 1, 100, &v), -1);
	assert_int_equal(parse_int64("-5", -10, 10, &v), 0);
	assert_int_equal(v, -5);
	assert_int_equal(parse_int64("- 5", -10, 10, &v), -1);
	assert_int_equal(parse_int64("57", 1, 100, &v), 0);
}

/* The query parameter table (params.c) through the routes' declarations:
 * a value that fails its validator gives the message naming it; a
 * parameter the route does not take is ignored, as before. */
static const char *
check_query(const char *uri, const struct crmx_config *cfg)
{
	static struct request r;
	const char *arg;
	int known;
	assert_int_equal(request_parse(&r, "GET", uri, NULL, "rep1", NULL, NULL), 0);
	const struct route *rt = route_find(r.method, r.path, &arg, &known);
	assert_non_null(rt);
	return params_check(route_params(rt), &r, cfg);
}

static void
test_params(void **state)
{
	(void)state;
	struct crmx_config cfg;
	config_defaults(&cfg);
	static const struct {
		const char *uri, *names;	/* NULL: valid */
	} cases[] = {
		{ "/crmx/accounts?sort=name&page=2&size=10&owner=3&city=x&lang=zh&embed=1", NULL },
		{ "/crmx/accounts?owner=&region=", NULL },		/* empty filter: none */
		{ "/crmx/accounts?foo=1&q=x", NULL },			/* not taken: ignored */
		{ "/crmx/accounts?sort=price", "sort" },
		{ "/crmx/accounts?sort=", "sort" },
		{ "/crmx/accounts?page=0", "page" },
		{ "/crmx/accounts?page=x", "page" },
		{ "/crmx/accounts?size=100000", "page size" },
		{ "/crmx/accounts?size=-1", "page size" },
		{ "/crmx/accounts?owner=abc", "owner" },
		{ "/crmx/accounts?owner=0", "owner" },
		{ "/crmx/accounts?page=1&sort=x&owner=y", "sort" },	/* the first in the table */
		{ "/crmx/accounts.json?page=1e3", "page" },
		{ "/crmx/regions?class=A&segment=active&region=East", NULL },
		{ "/crmx/regions?page=x&sort=y", NULL },		/* the list's, not taken here */
		{ "/crmx/pipeline?owner=x&saved=1", "owner" },	/* ?owner= narrows the pipeline */
		{ "/crmx/pipeline?owner=3&sort=amount", NULL },
		/* "sort" is a parameter of each list, checked by the list's own keys */
		{ "/crmx/pipeline?sort=ltv", "priority" },
		{ "/crmx/accounts?sort=amount", "revenue" },
		{ "/crmx/team?sort=revenue", "share" },
		{ "/crmx/team?sort=share", NULL },
		{ "/crmx/accounts/7?size=0&embed=x", NULL },
		{ "/crmx/deals/7?lang=xx", NULL },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		const char *msg = check_query(cases[i].uri, &cfg);
		if (cases[i].names == NULL) {
			if (msg != NULL)
				fail_msg("%s: %s", cases[i].uri, msg);
		} else {
			if (msg == NULL || strstr(msg, cases[i].names) == NULL)
				fail_msg("%s: %s (wanted one naming %s)", cases[i].uri,
				         msg ? msg : "valid", cases[i].names);
		}
	}
	/* Every parameter of the table has a distinct name, but the lists'
	 * sorts: each list's route takes only its own (the cases above). */
	static const enum param sorts[] = { P_SORT, P_DSORT, P_TEAM_SORT };
	for (int p = 0; p < P__MAX; p++) {
		assert_non_null(param_name((enum param)p));
		for (int q = 0; q < p; q++) {
			int both_sorts = 0;
			for (size_t a = 0; a < 3; a++)
				for (size_t b = 0; b < 3; b++)
					both_sorts |= sorts[a] == (enum param)p && sorts[b] == (enum param)q;
			if (!both_sorts)
				assert_string_not_equal(param_name((enum param)p), param_name((enum param)q));
		}
	}
	config_free(&cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_params),
		cmocka_unit_test(test_header_overflow),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_out_int),
		cmocka_unit_test(test_form),
		cmocka_unit_test(test_csrf),
		cmocka_unit_test(test_csrf_strict),
		cmocka_unit_test(test_parse_id),
	};
	return cmocka_run_group_tests_name("request", tests, NULL, NULL);
}
