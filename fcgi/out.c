/* The response under construction (see out.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "out.h"
#include "util.h"

void
out_init(struct out *o)
{
	memset(o, 0, sizeof *o);
	o->status = 200;
	snprintf(o->content_type, sizeof o->content_type, "text/html; charset=utf-8");
	sb_init(&o->body);
}

void
out_free(struct out *o)
{
	sb_free(&o->body);
}

void
out_rawf(struct out *o, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sb_vprintf(&o->body, fmt, ap);
	va_end(ap);
}

void
out_int(struct out *o, long long v)
{
	char b[24], *p = b + sizeof b;
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	*--p = '\0';
	do
		*--p = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (v < 0)
		*--p = '-';
	sb_raw(&o->body, p);
}

void
html_text(struct out *o, const char *s)
{
	sb_html(&o->body, s);
}

void
out_header(struct out *o, const char *name, const char *value)
{
	if (strpbrk(name, "\r\n:") || strpbrk(value, "\r\n"))
		return;
	size_t used = strlen(o->extra_headers);
	int n = snprintf(o->extra_headers + used, sizeof o->extra_headers - used, "%s: %s\r\n",
	                 name, value);
	if (n < 0 || (size_t)n >= sizeof o->extra_headers - used) {
		o->extra_headers[used] = '\0';
		o->headers_overflow = 1;
		log_error("response header %s (%zu bytes) does not fit beside %zu bytes of others:"
		          " answering 500", name, strlen(value), used);
	}
}
