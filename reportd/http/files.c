/* The reports as static files (see http.h): paths under /reports/ are
 * validated segment by segment (letters, digits, '.', '_', '-', no leading
 * dot) before any file is opened, and only regular files of known types
 * are served: no traversal, no listing of anything but report weeks. */
#include <stdarg.h>
#include <stdatomic.h>
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <microhttpd.h>

#include "asof.h"
#include "connguard.h"
#include "db.h"
#include "dbhealth.h"
#include "deliver.h"
#include "http.h"
#include "httpint.h"
#include "i18n.h"
#include "log.h"
#include "report.h"
#include "runreq.h"
#include "sbuf.h"
#include "schedule.h"
#include "state.h"
#include "util.h"

/* ---- report files ------------------------------------------------------ */

static const struct { const char *ext, *type; } types[] = {
	{ ".html", "text/html; charset=utf-8" }, { ".css", "text/css; charset=utf-8" },
	{ ".svg", "image/svg+xml" }, { ".png", "image/png" },
	{ ".csv", "text/csv; charset=utf-8" }, { ".json", "application/json" },
	{ ".js", "text/javascript; charset=utf-8" },
};

static const char *
type_of(const char *path)
{
	size_t n = strlen(path);
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
		size_t k = strlen(types[i].ext);
		if (n > k && strcmp(path + n - k, types[i].ext) == 0)
			return types[i].type;
	}
	return NULL;
}

/* 1 when rel is a safe relative path: segments of [A-Za-z0-9._-], none
 * starting with '.', at most 3 deep. */
static int
safe_path(const char *rel)
{
	int depth = 0;
	const char *p = rel;
	if (*p == '\0')
		return 0;
	while (*p) {
		size_t n = strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-");
		if (n == 0 || p[0] == '.' || n > 128 || ++depth > 3)
			return 0;
		p += n;
		if (*p == '/') {
			p++;
			if (*p == '\0')
				return 0;
		} else if (*p != '\0') {
			return 0;
		}
	}
	return 1;
}

static int
cmp_desc(const void *a, const void *b)
{
	return strcmp(*(char *const *)b, *(char *const *)a);
}

/* The report weeks with an index.html, newest first; free each and the array. */
static char **
list_weeks(const char *dir, int *n)
{
	char **v = NULL;
	int cap = 0;
	*n = 0;
	DIR *d = opendir(dir);
	if (d == NULL)
		return NULL;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		char path[4200];
		struct stat sb;
		if (!report_is_week(e->d_name))
			continue;
		/* Not through a symbolic link (see open_report_file()). */
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		if (lstat(path, &sb) != 0 || !S_ISDIR(sb.st_mode))
			continue;
		snprintf(path, sizeof path, "%s/%s/index.html", dir, e->d_name);
		if (lstat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
			continue;
		if (*n == cap) {
			cap = cap ? 2 * cap : 16;
			v = xrealloc(v, (size_t)cap * sizeof *v);
		}
		v[(*n)++] = xstrdup(e->d_name);
	}
	closedir(d);
	if (*n > 1)
		qsort(v, (size_t)*n, sizeof *v, cmp_desc);
	return v;
}

static void
free_weeks(char **v, int n)
{
	for (int i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Opens the segment `name` (n bytes) under the directory dfd, which it
 * closes, without following a symbolic link: -1 for a link. */
static int
open_below(int dfd, const char *name, size_t n, int flags)
{
	char seg[130];
	int fd = -1;
	if (n > 0 && n < sizeof seg) {
		memcpy(seg, name, n);
		seg[n] = '\0';
		fd = openat(dfd, seg, flags | O_NOFOLLOW | O_CLOEXEC);
	}
	close(dfd);
	return fd;
}

/* Opens report_dir/week/rel (rel already checked by safe_path()) following
 * no symbolic link below report_dir, at any depth: a link there, made by
 * whatever wrote into the folder, could point anywhere.  report_dir itself
 * may be a link (the administrator's choice). */
static int
open_report_file(const char *root, const char *week, const char *rel)
{
	int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	fd = open_below(fd, week, strlen(week), O_RDONLY | O_DIRECTORY);
	while (fd >= 0) {
		size_t k = strcspn(rel, "/");
		if (rel[k] == '\0')
			return open_below(fd, rel, k, O_RDONLY);
		fd = open_below(fd, rel, k, O_RDONLY | O_DIRECTORY);
		rel += k + 1;
	}
	return -1;
}

static enum MHD_Result
serve_file(struct req *r, const char *week, const char *rel, int latest)
{
	struct stat sb;
	const char *type = type_of(rel);
	if (type == NULL || !safe_path(rel))
		return http_send_text(r, 404, _("No such report file."));
	int fd = open_report_file(r->srv->cfg->reportd_report_dir, week, rel);
	if (fd < 0)
		return http_send_text(r, 404, _("No such report file."));
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return http_send_text(r, 404, _("No such report file."));
	}
	struct MHD_Response *resp = MHD_create_response_from_fd((uint64_t)sb.st_size, fd);
	if (resp == NULL) {
		close(fd);
		return MHD_NO;
	}
	char lm[64];
	struct tm tm;
	gmtime_r(&sb.st_mtime, &tm);
	strftime(lm, sizeof lm, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	MHD_add_response_header(resp, "Last-Modified", lm);
	/* A week's report may be written again (a rerun); latest/ moves on. */
	const char *cache = latest || strstr(type, "text/html") ? "no-cache" : "public, max-age=300";
	return http_send_resp(r, 200, resp, type, cache);
}

static enum MHD_Result
page_list(struct req *r)
{
	int n;
	char **weeks = list_weeks(r->srv->cfg->reportd_report_dir, &n);
	struct sbuf b;
	sb_init(&b);
	sb_printf(&b, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head><meta charset=\"utf-8\"><title>",
	          i18n_code(i18n_current()));
	sb_html(&b, _("Weekly sales reports"));
	sb_raw(&b, "</title></head>\n<body>\n<h1>");
	sb_html(&b, _("Weekly sales reports"));
	sb_raw(&b, "</h1>\n");
	if (n == 0) {
		sb_raw(&b, "<p>");
		sb_html(&b, _("No report has been written yet."));
		sb_raw(&b, "</p>\n");
	} else {
		sb_raw(&b, "<ul>\n");
	}
	for (int i = 0; i < n; i++) {
		sb_printf(&b, "<li><a href=\"%s/\">", weeks[i]);
		sb_html(&b, weeks[i]);
		sb_raw(&b, "</a>");
		for (int l = 1; l < r->srv->nlangs; l++) {
			const char *code = i18n_code((enum lang)r->srv->langs[l]);
			sb_printf(&b, " · <a href=\"%s/index.%s.html\">%s</a>", weeks[i], code, code);
		}
		if (i == 0) {
			sb_raw(&b, " (");
			sb_html(&b, _("latest"));
			sb_raw(&b, ")");
		}
		sb_raw(&b, "</li>\n");
	}
	if (n > 0)
		sb_raw(&b, "</ul>\n");
	sb_raw(&b, "</body>\n</html>\n");
	enum MHD_Result ret = http_send_buf(r, 200, "text/html; charset=utf-8", "no-cache", b.s, b.len);
	sb_free(&b);
	free_weeks(weeks, n);
	return ret;
}

/* /reports/..., the prefix already removed. */
enum MHD_Result
http_reports(struct req *r, const char *rest)
{
	if (*rest == '\0')
		return page_list(r);
	size_t k = strcspn(rest, "/");
	char week[16];
	int latest = 0;
	if (k == 6 && strncmp(rest, "latest", 6) == 0) {
		int n;
		char **weeks = list_weeks(r->srv->cfg->reportd_report_dir, &n);
		if (n == 0) {
			free_weeks(weeks, n);
			return http_send_text(r, 404, _("No report has been written yet."));
		}
		snprintf(week, sizeof week, "%s", weeks[0]);
		free_weeks(weeks, n);
		latest = 1;
	} else {
		if (k >= sizeof week)
			return http_send_text(r, 404, _("No such report."));
		memcpy(week, rest, k);
		week[k] = '\0';
		if (!report_is_week(week))
			return http_send_text(r, 404, _("No such report."));
	}
	if (rest[k] == '\0') {
		char to[64];
		snprintf(to, sizeof to, "/reports/%s/", latest ? "latest" : week);
		return http_redirect(r, to);
	}
	const char *file = rest + k + 1;
	return serve_file(r, week, *file ? file : "index.html", latest);
}

