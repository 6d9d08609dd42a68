/* The weekly report as a mail message (see mail.h), built from what the
 * report folder holds: summary.json (subject, as-of date, figures), the
 * charts' PNG files inline, the CSV files attached; the bodies are
 * body_text.c and body_html.c. */
#include <ctype.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "mail.h"
#include "mailint.h"
#include "util.h"

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
	    !mail_printable_ascii(page) || strpbrk(page, " \"'<>?#") != NULL)
		page = "";
	char *link = xmalloc(strlen(u) + strlen(week) + strlen(page) + 3);
	sprintf(link, "%s%s%s/%s", u, u[strlen(u) - 1] == '/' ? "" : "/", week, page);
	return link;
}

/* The previous week's value of figure id, from summary.json's "headline". */
static double
previous_value(json_t *root, const char *id)
{
	json_t *e;
	size_t i;
	double before = NAN;
	json_array_foreach(json_object_get(root, "headline"), i, e) {
		const char *eid = json_string_value(json_object_get(e, "id"));
		json_t *p = json_object_get(e, "previous");
		if (eid && strcmp(eid, id) == 0 && json_is_number(p))
			before = json_number_value(p);
	}
	return before;
}

int
mail_figure(const struct mail_view *v, const struct figure *f, char *val, size_t vlen,
            char *ch, size_t chlen)
{
	double now = figure_value(v->summary, f);
	figure_format(val, vlen, now, f, v->currency, v->m->lang);
	return figure_change(ch, chlen, now, previous_value(v->root, f->id), f);
}

/* The subject, "Weekly sales report" and the week in the mail's language. */
static char *
subject(const char *week, enum lang l)
{
	int year = atoi(week), wk = atoi(week + 6);
	char wbuf[64], subj[256];
	/* fmt_week wants a day of the week: the Thursday decides the ISO year. */
	int32_t jan4;
	char jan4s[16];
	snprintf(jan4s, sizeof jan4s, "%04d-01-04", year);
	if (parse_date(jan4s, &jan4) == 0) {
		int32_t monday = jan4 - ((jan4 + 3) % 7 + 7) % 7;	/* 1970-01-01 was a Thursday */
		fmt_week(wbuf, sizeof wbuf, monday + 7 * (wk - 1) + 3, l);
	} else
		snprintf(wbuf, sizeof wbuf, "%s", week);
	/* TRANSLATORS: the subject of the weekly mail; %s is the ISO week */
	snprintf(subj, sizeof subj, _("Weekly sales report %s"), wbuf);
	return xstrdup(subj);
}

/* summary.json of the week's folder; NULL with err. */
static json_t *
load_summary(const char *dir, const char *week, char *err, size_t errlen)
{
	char path[4200];
	json_error_t jerr;
	snprintf(path, sizeof path, "%s/summary.json", dir);
	json_t *root = json_load_file(path, 0, &jerr);
	if (root == NULL)
		snprintf(err, errlen, "report %s: %s: %s", week, path, jerr.text);
	return root;
}

/* Run id and as-of date from the run summary (in summary.json itself or
 * under "summary"); the as-of date formatted in l into as_of, "" if none. */
static json_t *
run_summary(struct mail_message *m, json_t *root, char *as_of, size_t len, enum lang l)
{
	json_t *summary = json_object_get(root, "summary");
	if (!json_is_object(summary))
		summary = root;
	json_t *rid = json_object_get(summary, "run_id");
	if (!json_is_integer(rid))
		rid = json_object_get(root, "run_id");
	m->run_id = json_is_integer(rid) ? (int64_t)json_integer_value(rid) : 0;
	const char *asof_s = json_string_value(json_object_get(summary, "as_of"));
	int32_t day;
	as_of[0] = '\0';
	if (asof_s && parse_date(asof_s, &day) == 0)
		fmt_date(as_of, len, day, l);
	return summary;
}

/* The two bodies, in the mail's language (already in use). */
static int
write_bodies(struct mail_message *m, struct mail_view *v, char *err, size_t errlen)
{
	size_t tlen = 0;
	FILE *tf = open_memstream(&m->text, &tlen);
	if (tf == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	mail_body_text(tf, v);
	fclose(tf);
	struct sbuf hb;
	sb_init(&hb);
	mail_body_html(&hb, v);
	m->html = hb.s;
	return 0;
}

int
mail_build(struct mail_message *m, const struct crmx_config *cfg, const char *week,
           enum lang l, char *err, size_t errlen)
{
	char dir[4096], path[4200], as_of[64];
	memset(m, 0, sizeof *m);
	m->lang = l;
	if (!week_name_ok(week)) {
		snprintf(err, errlen, "\"%s\" is not an ISO week (YYYY-Www)", week);
		return -1;
	}
	snprintf(m->week, sizeof m->week, "%s", week);
	snprintf(dir, sizeof dir, "%s/%s", cfg->reportd_report_dir, week);
	json_t *root = load_summary(dir, week, err, errlen);
	if (root == NULL)
		return -1;
	json_t *summary = run_summary(m, root, as_of, sizeof as_of, l);

	enum lang saved = i18n_current();
	i18n_use(l);
	m->subject = subject(week, l);
	if (json_is_array(json_object_get(root, "charts"))) {
		charts_from_summary(m, root, dir, l);
	} else {
		snprintf(path, sizeof path, "%s/charts", dir);
		list_files(path, ".png", 1, &m->images, &m->nimages);
	}
	list_files(dir, ".csv", 0, &m->attachments, &m->nattachments);
	char *link = report_link(cfg, week, root, l);
	struct mail_view v = { m, root, summary, as_of[0] ? as_of : NULL, link, cfg->metrics_currency };
	int rc = write_bodies(m, &v, err, errlen);
	i18n_use(saved);
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
