/* Strict UTF-8, as PostgreSQL accepts it: no overlong forms, no
 * surrogates (U+D800..U+DFFF), nothing above U+10FFFF, no NUL.  Every
 * program checks untrusted text with this one function before it reaches
 * SQL, so that a bad byte is the request's (or the line's) error and never
 * a database error. */
#ifndef CRMX_UTF8_H
#define CRMX_UTF8_H

#include <stddef.h>

/* 1 when the n bytes at s are well-formed UTF-8 without NUL, else 0. */
int utf8_valid(const char *s, size_t n);

/* The same for a NUL-terminated string. */
int utf8_valid_str(const char *s);

/* Characters (code points) in well-formed UTF-8 text. */
size_t utf8_chars(const char *s);

#endif
