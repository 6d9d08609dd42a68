/* Fuzzes the panels' routing (fcgi/routes.c route_find), the id parser the
 * handlers use for "/crmx/accounts/<id>" (parse_int64 through panel_id),
 * the check of a route's query parameters (params.c),
 * and the request cycle as far as it goes without a database: a request
 * without a logged-in user, with or without a form, must end in a 4xx
 * answer with its headers, never anything else.  Input: the method, a
 * newline, the URI, a newline, the Content-Type, a newline, the body
 * (absent when there is no third newline). */
#include <inttypes.h>

#include "config.h"
#include "fuzz.h"
#include "out.h"
#include "panel.h"
#include "params.h"
#include "routes.h"
#include "util.h"

static struct crmx_config cfg;

static void
count(void *sink, const char *s, size_t n)
{
	(void)s;
	*(size_t *)sink += n;
}

static void
check_route(const char *method, const char *path)
{
	const char *arg;
	int known;
	const struct route *rt = route_find(method, path, &arg, &known);
	FUZZ_CHECK(arg != NULL);
	if (rt == NULL) {
		FUZZ_CHECK(*arg == '\0');
		return;
	}
	FUZZ_CHECK(known);
	/* A prefix route's argument is the last path segment, never empty. */
	if (*arg != '\0') {
		FUZZ_CHECK(arg > path && arg <= path + strlen(path));
		FUZZ_CHECK(arg[-1] == '/' && strchr(arg, '/') == NULL);
		int64_t id;
		if (parse_int64(arg, 1, INT64_MAX, &id) == 0)
			FUZZ_CHECK(id >= 1);
	}
}

/* The route's query parameters (params.c): valid, or a message for the 400. */
static void
check_params(const struct request *r)
{
	const char *arg;
	int known;
	const struct route *rt = route_find(r->method, r->path, &arg, &known);
	if (rt == NULL)
		return;
	const char *msg = params_check(route_params(rt), r, &cfg);
	FUZZ_CHECK(msg == NULL || msg[0] != '\0');
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	if (!ready) {
		config_defaults(&cfg);
		cfg.fcgi_cache_mb = 0;
		ready = 1;
	}
	const uint8_t *d = data;
	size_t n = size;
	int has_body = 0;
	for (size_t i = 0, nl = 0; i < size; i++)
		if (data[i] == '\n' && ++nl == 3)
			has_body = 1;
	char *method = fuzz_take(&d, &n, '\n');
	char *uri = fuzz_take(&d, &n, '\n');
	char *ctype = fuzz_take(&d, &n, '\n');
	char *body = has_body ? fuzz_str(d, n) : NULL;

	struct request r;
	int session = 0;
	if (request_parse(&r, method, uri, NULL, NULL, NULL, NULL) == 0) {
		check_route(r.method, r.path);
		check_params(&r);
		session = strcmp(r.path, SESSION_PATH) == 0;
	}
	request_free(&r);
	/* Any string as a path, not only decoded ones. */
	check_route(method, uri);

	/* The session check goes on to the database: not here. */
	if (session) {
		free(body);
	} else {
		struct cgi_env env = { .method = method, .uri = uri, .content_type = ctype,
		                       .body = body, .accept_language = ctype };
		struct out o;
		PGconn *conn = NULL;
		route_request(&conn, &cfg, &env, &o);	/* frees body */
		FUZZ_CHECK(o.status >= 400 && o.status < 500);
		FUZZ_CHECK(conn == NULL);
		size_t len = 0;
		write_response(&o, count, &len);
		FUZZ_CHECK(len > o.body.len);
		out_free(&o);
	}
	free(method);
	free(uri);
	free(ctype);
	return 0;
}
