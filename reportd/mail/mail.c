/* Builds the weekly report email from a report directory: headline
 * figures from summary.json as text and as an HTML table for mail clients
 * (inline CSS, no script), the charts (PNG) inline by Content-ID, *.csv
 * attached.  Everything HTML goes through html_esc(), the one escaper of
 * this output; header text through mail_encode_words(). */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "mail.h"
#include "util.h"

/* ---- encodings ----------------------------------------------------------- */

char *
mail_base64(const unsigned char *p, size_t n, int wrap)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t quads = (n + 2) / 3;
	char *out = xmalloc(quads * 4 + (wrap ? quads / 19 * 2 + 2 : 0) + 1), *o = out;
	for (size_t i = 0, q = 0; i < n; i += 3, q++) {
		if (wrap && q > 0 && q % 19 == 0) {	/* 19 * 4 = 76 columns */
			*o++ = '\r';
			*o++ = '\n';
		}
		unsigned v = (unsigned)p[i] << 16;
		if (i + 1 < n) v |= (unsigned)p[i + 1] << 8;
		if (i + 2 < n) v |= p[i + 2];
		*o++ = tab[v >> 18 & 63];
		*o++ = tab[v >> 12 & 63];
		*o++ = i + 1 < n ? tab[v >> 6 & 63] : '=';
		*o++ = i + 2 < n ? tab[v & 63] : '=';
	}
	*o = '\0';
	return out;
}

static int
printable_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return 0;
	return 1;
}

char *
mail_encode_words(const char *utf8)
{
	if (printable_ascii(utf8))
		return xstrdup(utf8);
	/* 45 bytes -> 60 base64 characters: "=?UTF-8?B?" + 60 + "?=" stays
	 * within the 75 a word may have (RFC 2047 section 2).  A word never
	 * splits a character, so each one decodes alone. */
	size_t n = strlen(utf8);
	char *out = xmalloc(n / 30 * 80 + 80), *o = out;
	const unsigned char *p = (const unsigned char *)utf8;
	while (n > 0) {
		size_t take = n < 45 ? n : 45;
		while (take < n && take > 0 && (p[take] & 0xC0) == 0x80)
			take--;
		if (take == 0)	/* not UTF-8: a run of continuation bytes */
			take = n < 45 ? n : 45;
		/* Control characters (CR, LF) would end the header: drop them. */
		unsigned char chunk[45];
		size_t k = 0;
		for (size_t i = 0; i < take; i++)
			if (p[i] >= 0x20 && p[i] != 0x7f)
				chunk[k++] = p[i];
		char *b = mail_base64(chunk, k, 0);
		o += sprintf(o, "%s=?UTF-8?B?%s?=", o == out ? "" : " ", b);
		free(b);
		p += take;
		n -= take;
	}
	*o = '\0';
	return out;
}

static void
html_esc(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default: fputc(*s, f);
		}
	}
}

/* ---- settings ---------------------------------------------------------------- */

int
mail_address_ok(const char *s)
{
	size_t n = strlen(s);
	const char *at = strrchr(s, '@');
	if (n == 0 || n > 254 || at == NULL || at == s || at[1] == '\0' || strchr(at + 1, '.') == NULL)
		return 0;
	for (const char *p = s; *p; p++)
		if (*p <= ' ' || *p > '~' || strchr("<>\"(),;:[]\\", *p) != NULL)
			return 0;
	return strchr(s, '@') == at;
}

/* Calls fn for every address of one comma-separated list. */
static int
each_in_list(const char *list, enum lang l, int (*fn)(const char *, enum lang, void *), void *arg)
{
	const char *p = list;
	while (p && *p) {
		size_t n = strcspn(p, ",");
		char addr[256];
		const char *a = p, *e = p + n;
		while (a < e && isspace((unsigned char)*a)) a++;
		while (e > a && isspace((unsigned char)e[-1])) e--;
		if (e > a) {
			snprintf(addr, sizeof addr, "%.*s", (int)(e - a), a);
			int rc = fn(addr, l, arg);
			if (rc != 0)
				return rc;
		}
		p += n + (p[n] == ',');
	}
	return 0;
}

int
mail_each_recipient(const struct crmx_config *cfg,
                    int (*fn)(const char *addr, enum lang l, void *arg), void *arg)
{
	/* "recipients" speaks the first report language. */
	char first[16] = "";
	snprintf(first, sizeof first, "%.*s", (int)strcspn(cfg->reportd_language, ", "),
	         cfg->reportd_language);
	int l0 = i18n_parse(first);
	const struct { const char *list; enum lang l; } lists[] = {
		{ cfg->mail_recipients, l0 < 0 ? LANG_EN : (enum lang)l0 },
		{ cfg->mail_recipients_en, LANG_EN },
		{ cfg->mail_recipients_zh_CN, LANG_ZH_CN },
	};
	for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
		int rc = each_in_list(lists[i].list, lists[i].l, fn, arg);
		if (rc != 0)
			return rc;
	}
	return 0;
}

struct bad_addr { char addr[256]; };

static int
check_addr(const char *addr, enum lang l, void *arg)
{
	(void)l;
	if (mail_address_ok(addr))
		return 0;
	snprintf(((struct bad_addr *)arg)->addr, sizeof ((struct bad_addr *)arg)->addr, "%s", addr);
	return 1;
}

/* The bare address of a From setting: "Name <a@b>" or "a@b" (static). */
static const char *
from_address(const char *from)
{
	static char addr[256];
	const char *lt = strrchr(from, '<');
	if (lt != NULL) {
		const char *gt = strchr(lt, '>');
		if (gt == NULL || gt[1] != '\0')
			return NULL;
		snprintf(addr, sizeof addr, "%.*s", (int)(gt - lt - 1), lt + 1);
	} else
		snprintf(addr, sizeof addr, "%s", from);
	return mail_address_ok(addr) ? addr : NULL;
}

int
mail_config_check(const struct crmx_config *cfg, char *err, size_t errlen)
{
	const char *t = cfg->mail_transport;
	if (strcmp(t, "off") == 0)
		return 0;
	if (strcmp(t, "smtp") != 0 && strcmp(t, "sendmail") != 0) {
		snprintf(err, errlen, "mail.transport: expected off, smtp or sendmail, got \"%s\"", t);
		return -1;
	}
	if (strcmp(t, "smtp") == 0 && strncmp(cfg->mail_smtp_url, "smtp://", 7) != 0 &&
	    strncmp(cfg->mail_smtp_url, "smtps://", 8) != 0) {
		snprintf(err, errlen, "mail.smtp_url: expected smtp://host:port or smtps://host:port, got \"%s\"",
		         cfg->mail_smtp_url);
		return -1;
	}
	if (strcmp(cfg->mail_starttls, "no") != 0 && strcmp(cfg->mail_starttls, "yes") != 0 &&
	    strcmp(cfg->mail_starttls, "required") != 0) {
		snprintf(err, errlen, "mail.starttls: expected no, yes or required, got \"%s\"",
		         cfg->mail_starttls);
		return -1;
	}
	if (strcmp(t, "sendmail") == 0 && cfg->mail_sendmail[0] != '/') {
		snprintf(err, errlen, "mail.sendmail: expected an absolute path, got \"%s\"",
		         cfg->mail_sendmail);
		return -1;
	}
	if (from_address(cfg->mail_from) == NULL) {
		snprintf(err, errlen, "mail.from: expected an address (a@example.com or Name <a@example.com>), got \"%s\"",
		         cfg->mail_from);
		return -1;
	}
	struct bad_addr bad;
	if (mail_each_recipient(cfg, check_addr, &bad) != 0) {
		snprintf(err, errlen, "mail.recipients: \"%s\" is not an email address", bad.addr);
		return -1;
	}
	const char *u = cfg->mail_report_base_url;
	if (*u != '\0' && ((strncmp(u, "http://", 7) != 0 && strncmp(u, "https://", 8) != 0) ||
	    !printable_ascii(u) || strpbrk(u, " \"'<>") != NULL)) {
		snprintf(err, errlen, "mail.report_base_url: expected an http:// or https:// URL, got \"%s\"", u);
		return -1;
	}
	return 0;
}

/* ---- the report directory ----------------------------------------------------- */

static int
week_name_ok(const char *s)
{
	return strlen(s) == 8 && atoi(s + 6) >= 1 && atoi(s + 6) <= 53 && isdigit((unsigned char)s[0]) && isdigit((unsigned char)s[1]) &&
	    isdigit((unsigned char)s[2]) && isdigit((unsigned char)s[3]) && s[4] == '-' &&
	    s[5] == 'W' && isdigit((unsigned char)s[6]) && isdigit((unsigned char)s[7]);
}

int
mail_latest_week(const struct crmx_config *cfg, char *week, size_t len)
{
	DIR *d = opendir(cfg->reportd_report_dir);
	if (d == NULL)
		return -1;
	char best[16] = "";
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		char path[4096];
		struct stat st;
		if (!week_name_ok(e->d_name) || strcmp(e->d_name, best) <= 0)
			continue;
		snprintf(path, sizeof path, "%s/%s/summary.json", cfg->reportd_report_dir, e->d_name);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
			snprintf(best, sizeof best, "%.8s", e->d_name);
	}
	closedir(d);
	if (best[0] == '\0')
		return -1;
	snprintf(week, len, "%s", best);
	return 0;
}

static void
set_cid(struct mail_file *f, size_t i)
{
	/* A Content-ID is an addr-spec: keep the name's safe characters. */
	char cid[300];
	size_t k = 0;
	for (const char *p = f->name; *p && k < 200; p++)
		cid[k++] = (isalnum((unsigned char)*p) || *p == '.' || *p == '-') ? *p : '_';
	snprintf(cid + k, sizeof cid - k, ".%zu@crmx.report", i);
	f->cid = xstrdup(cid);
}

/* The charts summary.json lists as drawn, in its order: the language's
 * own drawing (charts/NAME.CODE.png) when the report has that language
 * as a further one, else the main one. */
static void
charts_from_summary(struct mail_message *m, json_t *root, const char *dir, enum lang l)
{
	json_t *langs = json_object_get(root, "languages"), *c;
	const char *first = json_string_value(json_array_get(langs, 0));
	const char *code = i18n_code(l);
	size_t i;
	json_array_foreach(json_object_get(root, "charts"), i, c) {
		const char *name = json_string_value(json_object_get(c, "name"));
		const char *png = json_string_value(json_object_get(c, "png"));
		char path[4400];
		struct stat st;
		if (!json_is_true(json_object_get(c, "ok")) || name == NULL || png == NULL ||
		    strstr(png, "..") != NULL)
			continue;
		snprintf(path, sizeof path, "%s/charts/%s.%s.png", dir, name, code);
		if (first == NULL || strcmp(first, code) == 0 || stat(path, &st) != 0)
			snprintf(path, sizeof path, "%s/%s", dir, png);
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		m->images = xrealloc(m->images, (m->nimages + 1) * sizeof *m->images);
		struct mail_file *f = &m->images[m->nimages];
		f->path = xstrdup(path);
		f->name = xstrdup(strrchr(path, '/') + 1);
		/* Titles are written in the report's main language; its English
		 * msgids translate into the mail's language. */
		const char *title = json_string_value(json_object_get(c, "title"));
		f->title = title ? xstrdup(_(title)) : NULL;
		set_cid(f, m->nimages++);
	}
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(((const struct mail_file *)a)->name, ((const struct mail_file *)b)->name);
}

/* Regular files in dir ending in suffix, sorted by name; with_cid gives
 * each a Content-ID. */
static void
list_files(const char *dir, const char *suffix, int with_cid, struct mail_file **out, size_t *n)
{
	DIR *d = opendir(dir);
	if (d == NULL)
		return;
	struct dirent *e;
	size_t sl = strlen(suffix);
	while ((e = readdir(d)) != NULL) {
		size_t nl = strlen(e->d_name);
		char path[4096];
		struct stat st;
		if (e->d_name[0] == '.' || nl <= sl || strcmp(e->d_name + nl - sl, suffix) != 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		*out = xrealloc(*out, (*n + 1) * sizeof **out);
		struct mail_file *f = &(*out)[(*n)++];
		f->path = xstrdup(path);
		f->name = xstrdup(e->d_name);
		f->cid = NULL;
		f->title = NULL;
	}
	closedir(d);
	if (*n > 1)
		qsort(*out, *n, sizeof **out, name_cmp);
	for (size_t i = 0; with_cid && i < *n; i++)
		set_cid(&(*out)[i], i);
}

/* ---- headline figures ------------------------------------------------------- */

enum kind { K_MONEY, K_COUNT, K_PCT, K_DAYS };

/* The report's headline figures, with its labels (reportd/report.c), so
 * mail and report read alike; `good` is the direction that is good news
 * (+1 up, -1 down, 0 neither).  `id` finds last week's value in
 * summary.json's "headline". */
static const struct headline {
	const char	*id;
	const char	*label;
	const char	*path;
	enum kind	 kind;
	int		 good;
} headlines[] = {
	{ "revenue", N_("Revenue, last 12 months"), "accounts.total", K_MONEY, 1 },
	{ NULL, N_("Accounts with revenue"), "accounts.n", K_COUNT, 1 },
	{ NULL, N_("A-class accounts"), "accounts.classes.A", K_COUNT, 0 },
	/* xgettext:no-c-format */
	{ "top20_share", N_("Revenue from the top 20% of accounts"), "accounts.top20_share", K_PCT, 0 },
	{ "predicted_ltv", N_("Predicted lifetime value"), "ltv.predicted_total", K_MONEY, 1 },
	{ "weighted_pipeline", N_("Weighted pipeline"), "funnel.weighted_pipeline", K_MONEY, 1 },
	{ "win_rate", N_("Win rate"), "funnel.win_rate", K_PCT, 1 },
	{ "open_deals", N_("Open deals"), "funnel.open_deals", K_COUNT, 0 },
	{ "stalled", N_("Stalled deals"), "funnel.stalled", K_COUNT, -1 },
	{ "key_person_coverage", N_("Open deals with a known decision maker"),
	  "efficiency.key_person_coverage", K_PCT, 1 },
	{ "cycle_median_days", N_("Median sales cycle, days"), "funnel.cycle_median_days", K_DAYS, -1 },
};
#define NHEADLINES (sizeof headlines / sizeof headlines[0])

static json_t *
path_get(json_t *o, const char *path)
{
	char key[64];
	while (o != NULL && *path) {
		size_t n = strcspn(path, ".");
		if (n >= sizeof key)
			return NULL;
		memcpy(key, path, n);
		key[n] = 0;
		o = json_object_get(o, key);
		path += n + (path[n] == '.');
	}
	return o;
}

static double
figure_value(json_t *summary, const struct headline *h)
{
	json_t *v = path_get(summary, h->path);
	return json_is_number(v) ? json_number_value(v) : NAN;
}

static void
format_figure(char *buf, size_t len, double x, const struct headline *h,
              const char *currency, enum lang l)
{
	if (isnan(x)) {
		snprintf(buf, len, "%s", _("absent"));
		return;
	}
	switch (h->kind) {
	case K_MONEY: fmt_money(buf, len, x, currency, 0, l); break;
	case K_COUNT: fmt_number(buf, len, x, 0); break;
	case K_PCT:   fmt_percent(buf, len, x, 1); break;
	case K_DAYS:  fmt_number(buf, len, x, 1); break;
	}
}

/* The change against last week's report as the report shows it ("▲ 3.2%",
 * "▼ 1.5 pts", "► 0"); "" when there is nothing to compare.  *tone: +1
 * good news, -1 bad, 0 neither. */
static void
figure_change(char *buf, size_t len, json_t *root, const struct headline *h, double now,
              int *tone)
{
	json_t *e;
	size_t i;
	double before = NAN;
	buf[0] = '\0';
	*tone = 0;
	json_array_foreach(json_object_get(root, "headline"), i, e) {
		const char *id = json_string_value(json_object_get(e, "id"));
		json_t *p = json_object_get(e, "previous");
		if (h->id && id && strcmp(id, h->id) == 0 && json_is_number(p))
			before = json_number_value(p);
	}
	if (isnan(now) || isnan(before))
		return;
	char n[64];
	double d = now - before;
	const char *arrow = fabs(d) < 1e-9 ? "\xE2\x96\xBA" : d > 0 ? "\xE2\x96\xB2" : "\xE2\x96\xBC";
	if (h->kind == K_PCT) {
		fmt_number(n, sizeof n, fabs(d) * 100, 1);
		snprintf(buf, len, _("%s %s pts"), arrow, n);
	} else if (before != 0) {
		fmt_percent(n, sizeof n, fabs(d / before), 1);
		snprintf(buf, len, "%s %.40s", arrow, n);
	} else {
		fmt_number(n, sizeof n, fabs(d), h->kind == K_DAYS ? 1 : 0);
		snprintf(buf, len, "%s %.40s", arrow, n);
	}
	if (fabs(d) >= 1e-9)
		*tone = d > 0 ? h->good : -h->good;
}

/* <report_base_url>/<week>/, plus the language's own page when the report
 * has one besides the main index.html; NULL without a base URL. */
static char *
report_link(const struct crmx_config *cfg, const char *week, json_t *root, enum lang l)
{
	const char *u = cfg->mail_report_base_url;
	if (*u == '\0')
		return NULL;
	const char *page = json_string_value(json_object_get(json_object_get(root, "pages"),
	                                                     i18n_code(l)));
	if (page == NULL || strcmp(page, "index.html") == 0 || strchr(page, '/') != NULL ||
	    !printable_ascii(page) || strpbrk(page, " \"'<>?#") != NULL)
		page = "";
	char *link = xmalloc(strlen(u) + strlen(week) + strlen(page) + 3);
	sprintf(link, "%s%s%s/%s", u, u[strlen(u) - 1] == '/' ? "" : "/", week, page);
	return link;
}

static void
write_text(FILE *f, const struct mail_message *m, json_t *root, json_t *summary,
           const char *as_of, const char *link, const struct crmx_config *cfg)
{
	fprintf(f, "%s\n", m->subject);
	if (as_of) {
		/* TRANSLATORS: the as-of date of the figures */
		fprintf(f, _("Figures as of %s."), as_of);
		fputc('\n', f);
	}
	fputc('\n', f);
	for (size_t i = 0; i < NHEADLINES; i++) {
		char v[128], ch[128];
		int tone;
		double x = figure_value(summary, &headlines[i]);
		format_figure(v, sizeof v, x, &headlines[i], cfg->metrics_currency, m->lang);
		figure_change(ch, sizeof ch, root, &headlines[i], x, &tone);
		fputs("  ", f);
		/* TRANSLATORS: a figure's label and value in the plain-text mail */
		fprintf(f, _("%s: %s"), _(headlines[i].label), v);
		if (ch[0])
			fprintf(f, "   (%s)", ch);
		fputc('\n', f);
	}
	fputc('\n', f);
	if (link)
		fprintf(f, "%s %s\n", _("The full report:"), link);
	if (m->nimages > 0)
		fprintf(f, "%s\n", _("The charts are in the HTML version of this message."));
	if (m->nattachments > 0)
		fprintf(f, "%s\n", _("The figures are attached as CSV files."));
}

static void
write_html(FILE *f, const struct mail_message *m, json_t *root, json_t *summary,
           const char *as_of, const char *link, const struct crmx_config *cfg)
{
	static const char font[] = "font-family:Arial,Helvetica,'Noto Sans CJK SC','Microsoft YaHei',sans-serif;";
	fprintf(f, "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
	    "<meta name=\"viewport\" content=\"width=device-width\"><title>", i18n_code(m->lang));
	html_esc(f, m->subject);
	fprintf(f, "</title></head>\n<body style=\"margin:0;padding:0;background:#f3f4f6;\">\n"
	    "<table role=\"presentation\" width=\"100%%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" style=\"background:#f3f4f6;\">"
	    "<tr><td align=\"center\" style=\"padding:16px 8px;\">\n"
	    "<table role=\"presentation\" width=\"640\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" "
	    "style=\"width:640px;max-width:100%%;background:#ffffff;border:1px solid #d0d7de;%scolor:#1f2328;\">\n"
	    "<tr><td style=\"padding:20px 24px 12px;border-bottom:3px solid #0969da;\">"
	    "<h1 style=\"margin:0;font-size:20px;line-height:1.3;%s\">", font, font);
	html_esc(f, m->subject);
	fputs("</h1>", f);
	if (as_of) {
		char line[256];
		snprintf(line, sizeof line, _("Figures as of %s."), as_of);
		fputs("<p style=\"margin:6px 0 0;font-size:13px;color:#57606a;\">", f);
		html_esc(f, line);
		fputs("</p>", f);
	}
	fputs("</td></tr>\n<tr><td style=\"padding:16px 24px;\">"
	    "<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" "
	    "style=\"border-collapse:collapse;font-size:14px;\">\n", f);
	for (size_t i = 0; i < NHEADLINES; i++) {
		char v[128], ch[128];
		int tone;
		double x = figure_value(summary, &headlines[i]);
		format_figure(v, sizeof v, x, &headlines[i], cfg->metrics_currency, m->lang);
		figure_change(ch, sizeof ch, root, &headlines[i], x, &tone);
		fprintf(f, "<tr><td style=\"padding:6px 0;border-bottom:1px solid #eaeef2;color:#57606a;%s\">", font);
		html_esc(f, _(headlines[i].label));
		fprintf(f, "</td><td align=\"right\" style=\"padding:6px 0;border-bottom:1px solid #eaeef2;"
		    "font-weight:bold;white-space:nowrap;%s\">", font);
		html_esc(f, v);
		fprintf(f, "</td><td align=\"right\" style=\"padding:6px 0 6px 12px;border-bottom:1px solid #eaeef2;"
		    "font-size:12px;white-space:nowrap;color:%s;%s\" title=\"",
		    tone > 0 ? "#1e7b34" : tone < 0 ? "#b3261e" : "#57606a", font);
		html_esc(f, _("change against the week before"));
		fputs("\">", f);
		html_esc(f, ch);
		fputs("</td></tr>\n", f);
	}
	fputs("</table></td></tr>\n", f);
	for (size_t i = 0; i < m->nimages; i++) {
		const char *title = m->images[i].title ? m->images[i].title : m->images[i].name;
		fputs("<tr><td style=\"padding:8px 24px;\">", f);
		if (m->images[i].title) {
			fprintf(f, "<p style=\"margin:8px 0 4px;font-size:14px;font-weight:bold;%s\">", font);
			html_esc(f, title);
			fputs("</p>", f);
		}
		fputs("<img src=\"cid:", f);
		html_esc(f, m->images[i].cid);
		fputs("\" alt=\"", f);
		html_esc(f, title);
		fputs("\" width=\"592\" style=\"display:block;width:592px;max-width:100%;height:auto;border:0;\"></td></tr>\n", f);
	}
	fputs("<tr><td style=\"padding:16px 24px 24px;font-size:14px;\">", f);
	if (link) {
		fprintf(f, "<a href=\"");
		html_esc(f, link);
		fprintf(f, "\" style=\"display:inline-block;padding:10px 16px;background:#0969da;color:#ffffff;"
		    "text-decoration:none;border-radius:4px;%s\">", font);
		html_esc(f, _("Open the full report"));
		fputs("</a>", f);
	}
	if (m->nattachments > 0) {
		fputs("<p style=\"margin:12px 0 0;font-size:12px;color:#57606a;\">", f);
		html_esc(f, _("The figures are attached as CSV files."));
		fputs("</p>", f);
	}
	fputs("</td></tr>\n</table>\n</td></tr></table>\n</body></html>\n", f);
}

int
mail_build(struct mail_message *m, const struct crmx_config *cfg, const char *week,
           enum lang l, char *err, size_t errlen)
{
	int rc = -1;
	json_t *root = NULL;
	char *link = NULL, dir[4096], path[4200], as_of[64] = "";
	FILE *tf = NULL, *hf = NULL;
	size_t tlen = 0, hlen = 0;

	memset(m, 0, sizeof *m);
	m->lang = l;
	if (!week_name_ok(week)) {
		snprintf(err, errlen, "\"%s\" is not an ISO week (YYYY-Www)", week);
		goto out;
	}
	snprintf(m->week, sizeof m->week, "%s", week);
	snprintf(dir, sizeof dir, "%s/%s", cfg->reportd_report_dir, week);
	snprintf(path, sizeof path, "%s/summary.json", dir);
	json_error_t jerr;
	root = json_load_file(path, 0, &jerr);
	if (root == NULL) {
		snprintf(err, errlen, "report %s: %s: %s", week, path, jerr.text);
		goto out;
	}
	/* summary.json holds the run summary itself or under "summary". */
	json_t *summary = json_object_get(root, "summary");
	if (!json_is_object(summary))
		summary = root;
	json_t *rid = json_object_get(summary, "run_id");
	if (!json_is_integer(rid))
		rid = json_object_get(root, "run_id");
	m->run_id = json_is_integer(rid) ? (int64_t)json_integer_value(rid) : 0;
	const char *asof_s = json_string_value(json_object_get(summary, "as_of"));
	int32_t day;
	if (asof_s && parse_date(asof_s, &day) == 0)
		fmt_date(as_of, sizeof as_of, day, l);

	enum lang saved = i18n_current();
	i18n_use(l);
	int year = atoi(week), wk = atoi(week + 6);
	char wbuf[64];
	/* fmt_week wants a day of the week: the Thursday decides the ISO year. */
	int32_t jan4;
	char jan4s[16];
	snprintf(jan4s, sizeof jan4s, "%04d-01-04", year);
	if (parse_date(jan4s, &jan4) == 0) {
		int32_t monday = jan4 - ((jan4 + 3) % 7 + 7) % 7;	/* 1970-01-01 was a Thursday */
		fmt_week(wbuf, sizeof wbuf, monday + 7 * (wk - 1) + 3, l);
	} else
		snprintf(wbuf, sizeof wbuf, "%s", week);
	char subj[256];
	/* TRANSLATORS: the subject of the weekly mail; %s is the ISO week */
	snprintf(subj, sizeof subj, _("Weekly sales report %s"), wbuf);
	m->subject = xstrdup(subj);

	if (json_is_array(json_object_get(root, "charts"))) {
		charts_from_summary(m, root, dir, l);
	} else {
		snprintf(path, sizeof path, "%s/charts", dir);
		list_files(path, ".png", 1, &m->images, &m->nimages);
	}
	list_files(dir, ".csv", 0, &m->attachments, &m->nattachments);

	link = report_link(cfg, week, root, l);
	tf = open_memstream(&m->text, &tlen);
	hf = open_memstream(&m->html, &hlen);
	if (tf == NULL || hf == NULL) {
		snprintf(err, errlen, "out of memory");
		i18n_use(saved);
		goto out;
	}
	write_text(tf, m, root, summary, as_of[0] ? as_of : NULL, link, cfg);
	write_html(hf, m, root, summary, as_of[0] ? as_of : NULL, link, cfg);
	i18n_use(saved);
	rc = 0;
out:
	if (tf) fclose(tf);
	if (hf) fclose(hf);
	free(link);
	json_decref(root);
	return rc;
}

static void
free_files(struct mail_file *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(f[i].path);
		free(f[i].name);
		free(f[i].cid);
		free(f[i].title);
	}
	free(f);
}

void
mail_free(struct mail_message *m)
{
	free(m->subject);
	free(m->text);
	free(m->html);
	free_files(m->images, m->nimages);
	free_files(m->attachments, m->nattachments);
	memset(m, 0, sizeof *m);
}

/* ---- header lines -------------------------------------------------------- */

static char *
strf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *
strf(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	va_start(ap, fmt);
	int n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0) {
		fputs("out of memory\n", stderr);
		abort();
	}
	return s;
}

/* The From header's value: the display name encoded when not ASCII. */
static char *
from_header(const char *from, const char *addr)
{
	const char *lt = strrchr(from, '<');
	if (lt == NULL)
		return xstrdup(addr);
	char name[256];
	const char *s = from, *e = lt;
	while (s < e && isspace((unsigned char)*s)) s++;
	while (e > s && isspace((unsigned char)e[-1])) e--;
	if (e > s && *s == '"' && e[-1] == '"' && e - s >= 2) { s++; e--; }
	snprintf(name, sizeof name, "%.*s", (int)(e - s), s);
	if (name[0] == '\0')
		return xstrdup(addr);
	if (!printable_ascii(name)) {
		char *w = mail_encode_words(name);
		char *h = strf("%s <%s>", w, addr);
		free(w);
		return h;
	}
	/* A quoted string: backslash the quote and the backslash. */
	char q[600];
	size_t k = 0;
	for (const char *p = name; *p && k < sizeof q - 3; p++) {
		if (*p == '"' || *p == '\\')
			q[k++] = '\\';
		q[k++] = *p;
	}
	q[k] = '\0';
	return strf("\"%s\" <%s>", q, addr);
}

char **
mail_headers(const struct mail_message *m, const struct crmx_config *cfg,
             const char *to, char **envelope_from, char *msgid, size_t msgidlen)
{
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
	    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	const char *addr = from_address(cfg->mail_from);
	if (addr == NULL)
		addr = "crmx@localhost";	/* mail_config_check() refused this at start */
	*envelope_from = xstrdup(addr);

	unsigned char rnd[8] = { 0 };
	if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd) {
		/* Unlikely; the time and pid still make the id unique enough. */
		uint64_t t = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
		memcpy(rnd, &t, sizeof rnd);
	}
	snprintf(msgid, msgidlen, "<crmx.%s.%02x%02x%02x%02x%02x%02x%02x%02x%s>", m->week,
	         rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5], rnd[6], rnd[7], strrchr(addr, '@'));

	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	char **h = xcalloc(10, sizeof *h);
	int i = 0;
	h[i++] = strf("Date: %s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday], tm.tm_mday,
	              months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
	h[i++] = strf("Message-ID: %s", msgid);
	char *fh = from_header(cfg->mail_from, addr);
	h[i++] = strf("From: %s", fh);
	free(fh);
	h[i++] = strf("To: %s", to);
	char *subj = mail_encode_words(m->subject);
	h[i++] = strf("Subject: %s", subj);
	free(subj);
	h[i++] = strf("Content-Language: %s", i18n_code(m->lang));
	h[i++] = strf("X-Crmx-Week: %s", m->week);
	h[i++] = strf("X-Crmx-Run: %lld", (long long)m->run_id);
	h[i++] = strf("Auto-Submitted: auto-generated");
	h[i] = NULL;
	return h;
}

void
mail_headers_free(char **h)
{
	for (size_t i = 0; h && h[i]; i++)
		free(h[i]);
	free(h);
}
