/* String buffer and the HTML escaper of the report (see sbuf.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sbuf.h"
#include "util.h"

void
sb_init(struct sbuf *b)
{
	b->cap = 4096;
	b->s = xmalloc(b->cap);
	b->s[0] = '\0';
	b->len = 0;
}

void
sb_free(struct sbuf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
}

static void
room(struct sbuf *b, size_t n)
{
	if (b->len + n + 1 <= b->cap)
		return;
	while (b->cap < b->len + n + 1)
		b->cap *= 2;
	b->s = xrealloc(b->s, b->cap);
}

void
sb_rawn(struct sbuf *b, const char *s, size_t n)
{
	room(b, n);
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void
sb_vprintf(struct sbuf *b, const char *fmt, va_list ap)
{
	/* written once where it fits in the room left (nearly always), and
	 * only when it does not, again after the buffer grows */
	va_list ap2;
	va_copy(ap2, ap);
	size_t left = b->cap - b->len;
	int n = vsnprintf(b->s + b->len, left, fmt, ap);
	if (n > 0 && (size_t)n >= left) {
		room(b, (size_t)n);
		vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap2);
	}
	if (n > 0)
		b->len += (size_t)n;
	else if (b->s != NULL)
		b->s[b->len] = '\0';	/* an error: nothing added */
	va_end(ap2);
}

void
sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sb_vprintf(b, fmt, ap);
	va_end(ap);
}

void
sb_clear(struct sbuf *b)
{
	b->len = 0;
	if (b->s)
		b->s[0] = '\0';
}

void
sb_html(struct sbuf *b, const char *s)
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
		sb_rawn(b, run, (size_t)(s - run));
		sb_raw(b, rep);
		run = s + 1;
	}
	sb_rawn(b, run, (size_t)(s - run));
}

int
sb_write_file(const struct sbuf *b, const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	size_t off = 0;
	int rc = 0;
	while (off < b->len) {
		ssize_t w = write(fd, b->s + off, b->len - off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			rc = -1;
			break;
		}
		off += (size_t)w;
	}
	if (close(fd) != 0)
		rc = -1;
	return rc;
}
