/* Response buffer and the HTML escaper. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "out.h"
#include "util.h"

void
out_init(struct out *o)
{
	memset(o, 0, sizeof *o);
	o->status = 200;
	snprintf(o->content_type, sizeof o->content_type, "text/html; charset=utf-8");
}

void
out_free(struct out *o)
{
	free(o->body);
	o->body = NULL;
	o->len = o->cap = 0;
}

static void
room(struct out *o, size_t n)
{
	if (o->len + n + 1 <= o->cap)
		return;
	size_t cap = o->cap ? o->cap : 8192;
	while (cap < o->len + n + 1)
		cap *= 2;
	o->body = xrealloc(o->body, cap);
	o->cap = cap;
}

static void
put(struct out *o, const char *s, size_t n)
{
	room(o, n);
	memcpy(o->body + o->len, s, n);
	o->len += n;
	o->body[o->len] = '\0';
}

void
out_raw(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

void
out_rawf(struct out *o, const char *fmt, ...)
{
	va_list ap, ap2;
	va_start(ap, fmt);
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n > 0) {
		room(o, (size_t)n);
		vsnprintf(o->body + o->len, (size_t)n + 1, fmt, ap2);
		o->len += (size_t)n;
	}
	va_end(ap2);
}

void
html_text(struct out *o, const char *s)
{
	if (s == NULL)
		return;
	const char *run = s;
	for (; *s; s++) {
		const char *rep;
		switch (*s) {
		case '&':  rep = "&amp;"; break;
		case '<':  rep = "&lt;"; break;
		case '>':  rep = "&gt;"; break;
		case '"':  rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default:   continue;
		}
		put(o, run, (size_t)(s - run));
		out_raw(o, rep);
		run = s + 1;
	}
	put(o, run, (size_t)(s - run));
}

void
out_header(struct out *o, const char *name, const char *value)
{
	if (strpbrk(name, "\r\n:") || strpbrk(value, "\r\n"))
		return;
	size_t used = strlen(o->extra_headers);
	snprintf(o->extra_headers + used, sizeof o->extra_headers - used, "%s: %s\r\n", name, value);
}
