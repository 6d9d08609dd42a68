/* The request cycle of the panels (see routes.c). */
#ifndef CRMX_ROUTES_H
#define CRMX_ROUTES_H

#include <stdio.h>

#include "panel.h"

/* The CGI variables a request arrives with, and its body (POST). */
struct cgi_env {
	const char *method, *uri, *query, *remote_user, *accept, *accept_language;
	const char *content_type;
	char	*body;		/* malloc'd, NUL-terminated; route_request frees it */
	int	 body_too_large;	/* longer than [fcgi] body_max: not read */
	int	 user_conflict;	/* REMOTE_USER passed twice with different values */
	const char *authorization;	/* HTTP_AUTHORIZATION, for SESSION_PATH only */
};

/* The route for a method and a decoded path, with *arg the rest of the
 * path after a prefix route ("57" of "/crmx/accounts/57"); NULL when none,
 * with *path_known set when the path exists for another method. */
struct route;
const struct route *route_find(const char *method, const char *path, const char **arg,
                               int *path_known);
/* The query parameters the route takes: a set of PARAM(P_...) (params.h),
 * checked by params_check() before its handler runs. */
unsigned route_params(const struct route *rt);
/* Answers one request into o; *conn is (re)connected (its statements
 * prepared) as needed and dropped after a database failure. */
void route_request(PGconn **conn, const struct crmx_config *cfg, const struct cgi_env *env,
                   struct out *o);
/* Status line, headers (security headers included) and body, through emit. */
void write_response(const struct out *o, void (*emit)(void *, const char *, size_t),
                    void *sink);

#endif
