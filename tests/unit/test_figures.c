/* The headline figures are one list: the report's cards and the mail's
 * text and HTML show the same figures, in the same order, with the same
 * labels, values and changes against the week before, read from the same
 * run summaries. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "config.h"
#include "figures.h"
#include "mail.h"
#include "report.h"
#include "sbuf.h"

#define MAXFIG 32

struct shown {
	char	label[128], value[128], change[128];
};

static json_t *
summary(double k)
{
	return json_pack("{s:{s:f, s:i, s:{s:i}, s:f, s:f}, s:{s:f, s:f},"
	                 " s:{s:f, s:f, s:i, s:i, s:f}, s:{s:f, s:f}}",
	    "accounts", "total", 1234567.5 * k, "n", (int)(42 * k), "classes", "A", (int)(7 * k),
	    "top20_share", 0.61 * k, "gini", 0.63 * k,
	    "ltv", "predicted_total", 2345678.25 * k, "mean_p_alive", 0.72 * k,
	    "funnel", "weighted_pipeline", 345678.9 * k, "win_rate", 0.31 * k,
	    "open_deals", (int)(18 * k), "stalled", (int)(4 * k), "cycle_median_days", 37.5 * k,
	    "efficiency", "key_person_coverage", 0.55 * k, "revenue_per_activity_hour", 812.5 * k);
}

/* Copies the text between from and to after *p into out; advances *p. */
static int
take(const char **p, const char *from, const char *to, char *out, size_t len)
{
	const char *a = strstr(*p, from);
	if (a == NULL)
		return -1;
	a += strlen(from);
	const char *e = strstr(a, to);
	if (e == NULL || (size_t)(e - a) >= len)
		return -1;
	snprintf(out, len, "%.*s", (int)(e - a), a);
	*p = e + strlen(to);
	return 0;
}

static int
report_cards(const char *html, struct shown *s)
{
	int n = 0;
	const char *p = html;
	char tone[64];
	while (n < MAXFIG && strstr(p, "<div class=\"kpi\"") != NULL) {
		assert_int_equal(take(&p, "<div class=\"label\">", "</div>", s[n].label, sizeof s[n].label), 0);
		assert_int_equal(take(&p, "<div class=\"value\">", "</div>", s[n].value, sizeof s[n].value), 0);
		assert_int_equal(take(&p, "<div class=\"change ", "\"", tone, sizeof tone), 0);
		assert_int_equal(take(&p, ">", "</div></div>", s[n].change, sizeof s[n].change), 0);
		n++;
	}
	return n;
}

/* The text part's figure lines: "  Label: value" and "   (change)". */
static int
mail_lines(const char *text, struct shown *s)
{
	int n = 0;
	const char *p = strstr(text, "\n\n");
	assert_non_null(p);
	for (p += 2; n < MAXFIG && strncmp(p, "  ", 2) == 0; n++) {
		const char *eol = strchr(p, '\n'), *colon = strstr(p, ": ");
		assert_non_null(eol);
		assert_true(colon != NULL && colon < eol);
		snprintf(s[n].label, sizeof s[n].label, "%.*s", (int)(colon - p - 2), p + 2);
		const char *v = colon + 2, *ch = strstr(v, "   (");
		if (ch == NULL || ch > eol) {
			snprintf(s[n].value, sizeof s[n].value, "%.*s", (int)(eol - v), v);
			s[n].change[0] = '\0';
		} else {
			snprintf(s[n].value, sizeof s[n].value, "%.*s", (int)(ch - v), v);
			snprintf(s[n].change, sizeof s[n].change, "%.*s", (int)(eol - ch - 5), ch + 4);
		}
		p = eol + 1;
	}
	return n;
}

static void
test_report_and_mail_alike(void **state)
{
	(void)state;
	char dir[] = "/tmp/crmx-figures-XXXXXX", path[256], err[256];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/2026-W27", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	json_t *now = summary(1.0), *before = summary(0.9), *head = json_array();
	for (size_t i = 0; i < nfigures; i++)
		json_array_append_new(head, json_pack("{s:s, s:f}", "id", figures[i].id,
		    "previous", figure_value(before, &figures[i])));
	json_t *root = json_pack("{s:s, s:O, s:o}", "week", "2026-W27", "summary", now, "headline", head);
	snprintf(path, sizeof path, "%s/2026-W27/summary.json", dir);
	assert_int_equal(json_dump_file(root, path, 0), 0);

	struct crmx_config cfg;
	config_defaults(&cfg);
	assert_int_equal(config_set(&cfg, "reportd.report_dir", dir, err, sizeof err), 0);
	struct mail_message m;
	assert_int_equal(mail_build(&m, &cfg, "2026-W27", LANG_EN, err, sizeof err), 0);
	struct sbuf b;
	sb_init(&b);
	report_figure_cards(&b, now, before, cfg.metrics_currency, LANG_EN);

	struct shown r[MAXFIG], t[MAXFIG];
	int nr = report_cards(b.s, r), nt = mail_lines(m.text, t);
	assert_true(nr >= 10);
	assert_int_equal(nr, nt);
	assert_int_equal((size_t)nr, nfigures);
	for (int i = 0; i < nr; i++) {
		char cell[160];
		assert_string_equal(r[i].label, t[i].label);
		assert_string_equal(r[i].value, t[i].value);
		assert_string_equal(r[i].change, t[i].change);
		snprintf(cell, sizeof cell, ">%s</td>", r[i].value);
		assert_non_null(strstr(m.html, cell));
		snprintf(cell, sizeof cell, ">%s</td>", r[i].change);
		assert_non_null(strstr(m.html, cell));
	}
	sb_free(&b);
	mail_free(&m);
	config_free(&cfg);
	json_decref(root);
	json_decref(now);
	json_decref(before);
	assert_int_equal(unlink(path), 0);
	snprintf(path, sizeof path, "%s/2026-W27", dir);
	assert_int_equal(rmdir(path), 0);
	assert_int_equal(rmdir(dir), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_report_and_mail_alike),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
