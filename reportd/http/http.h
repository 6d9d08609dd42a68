/* reportd/http/: the HTTP service: routes and parameters (http.c), the
 * slow-client guard (connguard.c) and the database check (dbhealth.c).
 *
 * reportd's HTTP service (libmicrohttpd): the reports as static files,
 * the latest run's summary, on-demand runs, health and Prometheus metrics.
 * Routes are the table in http.c. */
#ifndef CRMX_HTTP_H
#define CRMX_HTTP_H

#include <stddef.h>

#include "config.h"

struct http_server;

/* Starts listening on [reportd] listen (port 0: any free port, logged).
 * NULL and a one-line reason in err on failure. */
struct http_server *http_start(const struct crmx_config *cfg, char *err, size_t errlen);
void http_stop(struct http_server *s);

#endif
