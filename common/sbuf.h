/* A growing string, and crmx's one HTML escaper (the report's files and
 * the panels' responses both use it).  Markup of our own goes in raw;
 * every string that came from the database, a request or a translation
 * goes through sb_html(). */
#ifndef CRMX_SBUF_H
#define CRMX_SBUF_H

#include <stdarg.h>
#include <stddef.h>
#include <string.h>

struct sbuf {
	char	*s;		/* NUL-terminated; owned, freed by sb_free() */
	size_t	 len, cap;
};

void sb_init(struct sbuf *b);
void sb_free(struct sbuf *b);
void sb_rawn(struct sbuf *b, const char *s, size_t n);
/* Inline, so that a literal's length is counted where it is compiled,
 * not on every call (a page of 300 KB made some 20,000 of them). */
static inline void
sb_raw(struct sbuf *b, const char *s)
{
	sb_rawn(b, s, strlen(s));
}
void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_vprintf(struct sbuf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Empties the buffer, keeping its memory. */
void sb_clear(struct sbuf *b);
/* Escaped for HTML text and attribute values (& < > " '); NULL writes nothing. */
void sb_html(struct sbuf *b, const char *s);
/* Writes the buffer to path (created 0644); -1 and errno on failure. */
int  sb_write_file(const struct sbuf *b, const char *path);

#endif
