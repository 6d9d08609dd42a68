/* The request cycle of the panels (see routes.c). */
#ifndef CRMX_ROUTES_H
#define CRMX_ROUTES_H

#include <stdio.h>

#include "panel.h"

/* The CGI variables a request arrives with. */
struct cgi_env {
	const char *method, *uri, *query, *remote_user, *accept, *accept_language;
};

/* Answers one request into o; *conn is (re)connected as needed and
 * dropped after a database failure. */
void route_request(PGconn **conn, const struct crmx_config *cfg, const struct cgi_env *env,
                   struct out *o);
/* Status line, headers (security headers included) and body, through emit. */
void write_response(const struct out *o, void (*emit)(void *, const char *, size_t),
                    void *sink);

#endif
