/* A response under construction: status, headers and a growing body.
 * HTML text goes through html_text(), which is crmx's one HTML escaper
 * (sb_html in common/sbuf.c, shared with the report); JSON bodies are
 * built with jansson and written whole. */
#ifndef CRMX_OUT_H
#define CRMX_OUT_H

#include <stddef.h>

#include "sbuf.h"

struct out {
	int	 status;		/* 200 unless set */
	char	 content_type[64];
	char	 extra_headers[512];	/* "Name: value\r\n" lines */
	int	 headers_overflow;	/* one did not fit: the answer is a 500 */
	struct sbuf body;
};

void out_init(struct out *o);
void out_free(struct out *o);
/* Raw bytes: markup of our own, never data (inline: see sb_raw). */
static inline void
out_raw(struct out *o, const char *s)
{
	sb_raw(&o->body, s);
}
void out_rawf(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* An integer in decimal, as "%lld" writes it (a row's id in a link: on a
 * page of a hundred rows, vfprintf was a twentieth of crmx.fcgi's time). */
void out_int(struct out *o, long long v);
/* Text from the database or the request, escaped for HTML element content
 * and attribute values (&, <, >, ", ' ); NULL writes nothing. */
void html_text(struct out *o, const char *s);
/* A number/amount already formatted by us (digits, separators, symbols):
 * still escaped, so a caller's mistake cannot inject markup. */
#define html_num html_text
/* Appends a header line; name and value must not contain CR/LF (they are
 * dropped if they do).  One that does not fit is logged and turns the
 * answer into a 500 (write_response): a header is never cut. */
void out_header(struct out *o, const char *name, const char *value);

#endif
