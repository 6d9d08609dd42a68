/* Request parsing: strict, with limits, so that handlers only ever see
 * well-formed UTF-8 text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "request.h"
#include "utf8.h"

static int
hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

void
url_encode(const char *s, char *out, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t w = 0;
	for (; *s && w + 4 <= len; s++) {
		unsigned char ch = (unsigned char)*s;
		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
		    ch == '-' || ch == '_' || ch == '.' || ch == '~') {
			out[w++] = (char)ch;
		} else {
			out[w++] = '%';
			out[w++] = hex[ch >> 4];
			out[w++] = hex[ch & 15];
		}
	}
	if (len)
		out[w < len ? w : len - 1] = '\0';
}

int
url_decode(char *s)
{
	char *w = s;
	for (const char *p = s; *p; p++) {
		if (*p == '+') {
			*w++ = ' ';
		} else if (*p == '%') {
			int hi = hexval(p[1]), lo = hi < 0 ? -1 : hexval(p[2]);
			if (lo < 0 || (hi == 0 && lo == 0))
				return -1;
			*w++ = (char)(hi * 16 + lo);
			p += 2;
		} else {
			*w++ = *p;
		}
	}
	*w = '\0';
	return utf8_valid_str(s) ? 0 : -1;
}

/* Splits "k=v&k=v" in place into decoded pairs. */
static int
parse_pairs(struct request *r, char *buf, char **keys, char **vals, int *n, const char *what)
{
	for (char *p = buf; *p;) {
		char *amp = strchr(p, '&');
		if (amp)
			*amp = '\0';
		if (*p) {
			if (*n == REQ_MAX_PARAMS) {
				snprintf(r->error, sizeof r->error, "more than %d %ss", REQ_MAX_PARAMS, what);
				return -1;
			}
			char *eq = strchr(p, '=');
			if (eq)
				*eq = '\0';
			keys[*n] = p;
			vals[*n] = eq ? eq + 1 : p + strlen(p);
			if (url_decode(keys[*n]) || url_decode(vals[*n])) {
				snprintf(r->error, sizeof r->error, "%s %d is not valid URL-encoded UTF-8",
				         what, *n + 1);
				return -1;
			}
			(*n)++;
		}
		if (!amp)
			break;
		p = amp + 1;
	}
	return 0;
}

int
request_parse(struct request *r, const char *method, const char *uri, const char *query,
              const char *remote_user, const char *accept, const char *accept_language)
{
	memset(r, 0, sizeof *r);
	r->method = method ? method : "GET";
	r->remote_user = remote_user;
	r->accept_language = accept_language;
	if (uri == NULL)
		uri = "/";
	size_t plen = strcspn(uri, "?");
	if (plen >= sizeof r->path) {
		snprintf(r->error, sizeof r->error, "the path is too long");
		return -1;
	}
	memcpy(r->path, uri, plen);
	r->path[plen] = '\0';
	if (url_decode(r->path) != 0) {
		snprintf(r->error, sizeof r->error, "the path is not valid URL-encoded UTF-8");
		return -1;
	}
	if (query == NULL)
		query = uri[plen] == '?' ? uri + plen + 1 : "";
	if (strlen(query) > REQ_MAX_QUERY) {
		snprintf(r->error, sizeof r->error, "the query is longer than %d bytes", REQ_MAX_QUERY);
		return -1;
	}
	snprintf(r->qbuf, sizeof r->qbuf, "%s", query);
	if (parse_pairs(r, r->qbuf, r->keys, r->vals, &r->nparams, "query parameter") != 0)
		return -1;
	size_t n = strlen(r->path);
	if (n > 5 && strcmp(r->path + n - 5, ".json") == 0) {
		r->path[n - 5] = '\0';
		r->want_json = 1;
	} else if (accept && strstr(accept, "application/json") && !strstr(accept, "text/html")) {
		r->want_json = 1;
	}
	return 0;
}

int
request_parse_form(struct request *r, char *body)
{
	free(r->body);
	r->body = body;
	r->nform = 0;
	return parse_pairs(r, body, r->fkeys, r->fvals, &r->nform, "form field");
}

void
request_free(struct request *r)
{
	free(r->body);
	r->body = NULL;
	r->nform = 0;
}

static const char *
lookup(char *const *keys, char *const *vals, int n, const char *key)
{
	for (int i = 0; i < n; i++)
		if (strcmp(keys[i], key) == 0)
			return vals[i];
	return NULL;
}

const char *
request_param(const struct request *r, const char *key)
{
	return lookup(r->keys, r->vals, r->nparams, key);
}

const char *
request_form(const struct request *r, const char *key)
{
	return lookup(r->fkeys, r->fvals, r->nform, key);
}
