/* The weekly report's folder (see report.h): its files (the pages are
 * page.c, CSV and summary.json exports.c, the charts charts.c) assembled
 * in a staging folder and renamed into place; the hooks told of each
 * report written; the clean-up of staging folders a dead run left. */
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "charts.h"
#include "csvout.h"
#include "db.h"
#include "figures.h"
#include "i18n.h"
#include "log.h"
#include "money.h"
#include "report.h"
#include "reportint.h"
#include "reportdata.h"
#include "sbuf.h"
#include "util.h"

static struct { report_hook fn; void *arg; } hooks[8];
static int nhooks;
static pthread_mutex_t last_mu = PTHREAD_MUTEX_INITIALIZER;
static struct report_info last;
static int have_last;

int
report_last_written(struct report_info *info)
{
	pthread_mutex_lock(&last_mu);
	int rc = have_last ? 0 : -1;
	if (have_last)
		*info = last;
	pthread_mutex_unlock(&last_mu);
	return rc;
}

int
report_on_written(report_hook fn, void *arg)
{
	if (nhooks == 8)
		return -1;
	hooks[nhooks].fn = fn;
	hooks[nhooks++].arg = arg;
	return 0;
}

void
report_week(int32_t day, char *buf, size_t len)
{
	int y, w;
	iso_week(day, &y, &w);
	snprintf(buf, len, "%04d-W%02d", y, w);
}

int
report_is_week(const char *s)
{
	if (strlen(s) != 8 || s[4] != '-' || s[5] != 'W')
		return 0;
	for (int i = 0; i < 8; i++)
		if (i != 4 && i != 5 && (s[i] < '0' || s[i] > '9'))
			return 0;
	int w = atoi(s + 6);
	return w >= 1 && w <= 53;
}

int
report_languages(const char *setting, int langs[], int max)
{
	int n = 0;
	char code[32];
	const char *p = setting;
	while (*p) {
		p += strspn(p, ", ");
		size_t k = strcspn(p, ", ");
		if (k == 0)
			break;
		if (k >= sizeof code)
			return 0;
		memcpy(code, p, k);
		code[k] = '\0';
		p += k;
		int l = i18n_parse(code);
		if (l < 0)
			return 0;
		int dup = 0;
		for (int i = 0; i < n; i++)
			dup |= langs[i] == l;
		if (!dup && n < max)
			langs[n++] = l;
	}
	return n;
}

/* ---- the directory ------------------------------------------------------ */

static int
rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb; (void)flag; (void)ftw;
	return remove(path);
}

static void
rm_tree(const char *dir)
{
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* The as-of date in a staging folder's name ".new-YYYY-Www-YYYY-MM-DD-XXXXXX". */
static int
staging_as_of(const char *name, int32_t *as_of)
{
	char day[11];
	if (strlen(name) != 5 + 8 + 1 + 10 + 1 + 6 || name[13] != '-' || name[24] != '-')
		return -1;
	memcpy(day, name + 14, 10);
	day[10] = '\0';
	return parse_date(day, as_of);
}

void
report_clean_staging(const char *report_dir, int (*hold)(int32_t as_of, void *arg),
                     void (*release)(int32_t as_of, void *arg), void *arg)
{
	DIR *d = opendir(report_dir);
	struct dirent *e;
	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		char path[4400];
		struct stat sb;
		int32_t as_of;
		if (strncmp(e->d_name, ".new-", 5) != 0)
			continue;
		snprintf(path, sizeof path, "%.4000s/%s", report_dir, e->d_name);
		if (lstat(path, &sb) != 0 || !S_ISDIR(sb.st_mode))
			continue;
		int held = -1;
		if (hold != NULL && staging_as_of(e->d_name, &as_of) == 0)
			held = hold(as_of, arg);
		if (held == 1) {
			log_info("removing %s, left by a report run that died", path);
			rm_tree(path);
			release(as_of, arg);
		} else if (held < 0 && sb.st_mtime < time(NULL) - 3600) {
			log_info("removing %s, left by an interrupted report", path);
			rm_tree(path);
		}
	}
	closedir(d);
}

/* The staging folder (and its charts/) beside the week's: the as-of date
 * in its name ties it to its run's lock (report_clean_staging). */
static int
make_staging(const struct crmx_config *cfg, const struct report_info *info, char *staging,
             size_t len, char *err, size_t errlen)
{
	char day[16], path[4300];
	if (mkdir(cfg->reportd_report_dir, 0755) != 0 && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", cfg->reportd_report_dir, strerror(errno));
		return -1;
	}
	format_date(info->as_of, day, sizeof day);
	snprintf(staging, len, "%s/.new-%s-%s-XXXXXX", cfg->reportd_report_dir, info->week, day);
	if (mkdtemp(staging) == NULL) {
		snprintf(err, errlen, "%s: %s", cfg->reportd_report_dir, strerror(errno));
		staging[0] = '\0';
		return -1;
	}
	snprintf(path, sizeof path, "%s/charts", staging);
	if (chmod(staging, 0755) != 0 || mkdir(path, 0755) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Each language's charts and page; the first language's chart status
 * into st_main. */
static int
write_pages(const struct rdata *d, const struct crmx_config *cfg, const int *langs, int nl,
            const char *staging, struct report_info *info, struct chart_status *st_main,
            char *err, size_t errlen)
{
	struct chart_status st[CH__MAX];
	char path[4300];
	for (int i = 0; i < nl; i++) {
		char suffix[16] = "";
		double secs;
		struct sbuf page;
		i18n_use((enum lang)langs[i]);
		if (i > 0)
			snprintf(suffix, sizeof suffix, ".%s", i18n_code((enum lang)langs[i]));
		charts_render(d, cfg, (enum lang)langs[i], staging, suffix, st, &secs);
		info->chart_seconds += secs;
		if (i == 0)
			memcpy(st_main, st, sizeof st);
		struct page_ctx p = { d, cfg, (enum lang)langs[i], suffix, st, langs, nl, info->week };
		sb_init(&page);
		report_page(&page, &p);
		snprintf(path, sizeof path, "%s/index%s.html", staging, suffix);
		int w = sb_write_file(&page, path);
		sb_free(&page);
		if (w != 0) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			return -1;
		}
	}
	i18n_use((enum lang)langs[0]);
	for (int i = 0; i < CH__MAX; i++)
		info->charts_missing += !st_main[i].ok;
	return 0;
}

static int
write_css(const char *staging, char *err, size_t errlen)
{
	char path[4300];
	struct sbuf css;
	sb_init(&css);
	sb_raw(&css, report_css);
	snprintf(path, sizeof path, "%s/report.css", staging);
	int cw = sb_write_file(&css, path);
	sb_free(&css);
	if (cw != 0)
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
	return cw != 0 ? -1 : 0;
}

/* Into place: a plain rename for a new week (staging emptied); for a week
 * written before, an atomic exchange, after which staging holds the old
 * tree, for the caller to remove. */
static int
put_in_place(char *staging, const char *dir, char *err, size_t errlen)
{
	if (rename(staging, dir) == 0) {
		staging[0] = '\0';
		return 0;
	}
	if ((errno != EEXIST && errno != ENOTEMPTY) ||
	    renameat2(AT_FDCWD, staging, AT_FDCWD, dir, RENAME_EXCHANGE) != 0) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	return 0;
}

/* A report written: remembered for report_last_written(), then the hooks. */
static void
published(const struct report_info *info)
{
	pthread_mutex_lock(&last_mu);
	last = *info;
	have_last = 1;
	pthread_mutex_unlock(&last_mu);
	for (int i = 0; i < nhooks; i++)
		hooks[i].fn(info, hooks[i].arg);
}

int
report_write(PGconn *conn, const struct crmx_config *cfg, int64_t run_id,
             struct report_info *info, char *err, size_t errlen)
{
	struct rdata d;
	struct chart_status st_main[CH__MAX];
	int langs[LANG_COUNT], nl, rc = -1;
	char staging[4200] = "";
	enum lang saved = i18n_current();

	memset(info, 0, sizeof *info);
	if ((nl = report_languages(cfg->reportd_language, langs, LANG_COUNT)) == 0) {
		snprintf(err, errlen, "[reportd] language: \"%s\" names no known language (en, zh-CN)",
		         cfg->reportd_language);
		return -1;
	}
	if (rdata_load(conn, cfg, run_id, &d, err, errlen) != 0)
		goto out;
	report_week(d.as_of, info->week, sizeof info->week);
	info->run_id = run_id;
	info->as_of = d.as_of;
	snprintf(info->dir, sizeof info->dir, "%s/%s", cfg->reportd_report_dir, info->week);
	if (make_staging(cfg, info, staging, sizeof staging, err, errlen) != 0 ||
	    write_pages(&d, cfg, langs, nl, staging, info, st_main, err, errlen) != 0 ||
	    write_css(staging, err, errlen) != 0 ||
	    report_csvs(&d, staging, currency_digits(cfg->metrics_currency), err, errlen) != 0 ||
	    report_json(&d, staging, info->week, langs, nl, st_main,
	                currency_digits(cfg->metrics_currency), err, errlen) != 0 ||
	    put_in_place(staging, info->dir, err, errlen) != 0)
		goto out;
	rc = 0;
	log_info("report %s written to %s (run %lld, %d chart(s) missing, charts %.2f s)",
	         info->week, info->dir, (long long)run_id, info->charts_missing, info->chart_seconds);
out:
	if (staging[0])
		rm_tree(staging);
	rdata_free(&d);
	i18n_use(saved);
	if (rc == 0)
		published(info);
	return rc;
}
