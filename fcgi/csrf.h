/* CSRF tokens for the panels' forms: "<issued>.<HMAC-SHA256 hex>" over the
 * login and the issue time, with a secret from [fcgi] csrf_secret (or a
 * random one made at start and shared by the workers).  Stateless, so any
 * worker on any host with the same secret accepts a token; a token is
 * good for CSRF_TTL seconds and for the user it was made for only. */
#ifndef CRMX_CSRF_H
#define CRMX_CSRF_H

#include <stddef.h>
#include <time.h>

#define CSRF_TTL (12 * 3600)
#define CSRF_LEN 96	/* a buffer that holds a token */

/* Sets the secret; NULL or "" makes a random one.  -1 when no randomness. */
int csrf_init(const char *secret);
/* A token for login, issued at now. */
void csrf_make(const char *login, time_t now, char *out, size_t len);
/* 0 when token was made for login by us and has not expired at now. */
int csrf_check(const char *login, const char *token, time_t now);

#endif
