/* A growing string for the report's files, and the report's one HTML
 * escaper.  Markup of our own goes in raw; every string that came from the
 * database (or a translation) goes through sb_html(). */
#ifndef CRMX_SBUF_H
#define CRMX_SBUF_H

#include <stddef.h>

struct sbuf {
	char	*s;		/* NUL-terminated; owned, freed by sb_free() */
	size_t	 len, cap;
};

void sb_init(struct sbuf *b);
void sb_free(struct sbuf *b);
void sb_raw(struct sbuf *b, const char *s);
void sb_rawn(struct sbuf *b, const char *s, size_t n);
void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Escaped for HTML text and attribute values (& < > " '); NULL writes nothing. */
void sb_html(struct sbuf *b, const char *s);
/* Writes the buffer to path (created 0644); -1 and errno on failure. */
int  sb_write_file(const struct sbuf *b, const char *path);

#endif
