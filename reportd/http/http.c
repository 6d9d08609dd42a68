/* The HTTP service (see http.h): routes and query parameters as tables,
 * the dispatch, and the server (files.c and api.c answer, respond.c
 * sends).
 * A thread per connection (libmicrohttpd's), so a request that waits on
 * the database holds only its own client; the database is reached by a
 * bounded number of requests at once (a busy one answers 503 at once),
 * /healthz and /metrics read dbhealth.c's shared check, and slow clients
 * are cut by connguard.c. */
#include <stdarg.h>
#include <stdatomic.h>
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <microhttpd.h>

#include "asof.h"
#include "connguard.h"
#include "db.h"
#include "dbhealth.h"
#include "deliver.h"
#include "http.h"
#include "httpint.h"
#include "i18n.h"
#include "log.h"
#include "report.h"
#include "runreq.h"
#include "sbuf.h"
#include "schedule.h"
#include "state.h"
#include "util.h"

/* A connection's thread: far more than a request needs (the largest
 * frames are a few kB of paths and messages), a tenth of the default, so
 * hundreds of connections start quickly. */
#define STACK_SIZE (1024 * 1024)

/* ---- routes ------------------------------------------------------------- */

enum route_match { EXACT, PREFIX };

/* Indexed by enum route; dispatch() calls each one's handler by name. */
static const struct route_def {
	const char		*method;
	const char		*path;
	enum route_match	 match;
	/* NULL, or answers (403) a client the route refuses and returns 1 */
	int			(*refuse)(struct req *r, enum MHD_Result *ret);
} routes[R__MAX] = {
	[R_HEALTHZ] = { "GET", "/healthz", EXACT, NULL },
	[R_METRICS] = { "GET", "/metrics", EXACT, NULL },
	[R_SUMMARY] = { "GET", "/api/summary.json", EXACT, NULL },
	[R_RUNS]    = { "POST", "/api/runs", EXACT, http_refuse_runs },
	[R_REPORTS] = { "GET", "/reports/", PREFIX, NULL },
};

/* ---- query parameters ---------------------------------------------------- */

/* A validator takes the value (never NULL) and fills its field of q; -1
 * with a message in err refuses the request (400). */
typedef int (*param_check)(const char *v, struct query *q, char *err, size_t errlen);

static int
check_lang(const char *v, struct query *q, char *err, size_t errlen)
{
	(void)err; (void)errlen;
	q->lang = v;	/* unknown languages fall back (i18n_pick) */
	return 0;
}

static int
check_as_of(const char *v, struct query *q, char *err, size_t errlen)
{
	if (asof_check(v, schedule_today(), &q->as_of, err, errlen) != 0)
		return -1;
	q->has_as_of = 1;
	return 0;
}

#define ALL_ROUTES ((1u << R__MAX) - 1)

/* Every query parameter reportd reads; others are ignored, and so is a
 * parameter on a route not in its mask.  The first value of a name counts. */
static const struct param_def {
	const char	*name;
	param_check	 check;
	unsigned	 routes;	/* 1u << enum route */
} params[P__MAX] = {
	[P_LANG]  = { "lang", check_lang, ALL_ROUTES },
	[P_AS_OF] = { "as_of", check_as_of, 1u << R_RUNS },
};

static enum MHD_Result
collect_param(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct query *q = cls;
	(void)kind;
	for (int i = 0; i < P__MAX; i++)
		if (value != NULL && q->raw[i] == NULL && strcmp(key, params[i].name) == 0)
			q->raw[i] = value;
	return MHD_YES;
}

/* The route's parameters through their validators; -1 after a 400. */
static int
check_params(struct req *r, enum route rt, enum MHD_Result *ret)
{
	char err[256];
	for (int i = 0; i < P__MAX; i++) {
		if (r->q->raw[i] == NULL || !(params[i].routes & 1u << rt) ||
		    params[i].check(r->q->raw[i], r->q, err, sizeof err) == 0)
			continue;
		*ret = http_send_json(r, 400, json_pack("{s:s}", "error", err));
		return -1;
	}
	return 0;
}

/* The route of the URL and method; R__MAX when there is none, with
 * *wrong_method set when the URL's route takes another method. */
static enum route
find_route(const struct req *r, const char **rest, int *wrong_method)
{
	int is_get = strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0;
	*wrong_method = 0;
	for (int i = 0; i < R__MAX; i++) {
		const struct route_def *rt = &routes[i];
		size_t n = strlen(rt->path);
		if (rt->match == EXACT ? strcmp(r->url, rt->path) != 0 : strncmp(r->url, rt->path, n) != 0)
			continue;
		if (strcmp(rt->method, "GET") == 0 ? !is_get : strcmp(r->method, rt->method) != 0) {
			*wrong_method = 1;
			return R__MAX;
		}
		*rest = r->url + n;
		return (enum route)i;
	}
	return R__MAX;
}

/* Route, access, parameters, then the route's handler. */
static enum MHD_Result
dispatch(struct req *r)
{
	const char *rest = "";
	int wrong_method;
	enum MHD_Result ret;
	if (strcmp(r->url, "/") == 0 || strcmp(r->url, "/reports") == 0)
		return http_redirect(r, "/reports/");
	enum route rt = find_route(r, &rest, &wrong_method);
	if (rt == R__MAX)
		return wrong_method ? http_send_text(r, 405, _("This method is not allowed here."))
		                    : http_send_text(r, 404, _("No such page."));
	if (routes[rt].refuse != NULL && routes[rt].refuse(r, &ret))
		return ret;
	if (check_params(r, rt, &ret) != 0)
		return ret;
	switch (rt) {
	case R_HEALTHZ: return http_healthz(r);
	case R_METRICS: return http_metrics(r);
	case R_SUMMARY: return http_api_summary(r);
	case R_RUNS:    return http_api_runs(r);
	case R_REPORTS: return http_reports(r, rest);
	default:        abort();
	}
}

static enum MHD_Result
handler(void *cls, struct MHD_Connection *c, const char *url, const char *method,
        const char *version, const char *upload_data, size_t *upload_size, void **con_cls)
{
	static int first_call_marker;
	struct http_server *srv = cls;
	(void)version;
	(void)upload_data;
	if (*con_cls == NULL) {		/* headers only so far */
		*con_cls = &first_call_marker;
		return MHD_YES;
	}
	if (*upload_size != 0) {	/* no route reads a body */
		*upload_size = 0;
		return MHD_YES;
	}
	connguard_received(c);
	struct query q = { 0 };
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, collect_param, &q);
	/* The language first: every answer, a 404 or 400 too, speaks it. */
	if (q.raw[P_LANG] != NULL)
		params[P_LANG].check(q.raw[P_LANG], &q, NULL, 0);
	const char *al = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Accept-Language");
	i18n_use(i18n_pick(q.lang, NULL, al, (enum lang)srv->langs[0]));
	struct req r = { srv, c, url, method, &q };
	return dispatch(&r);
}

/* libmicrohttpd's messages into our log, on one line; those about one
 * client's connection (closed early, cut as slow: thousands under an
 * attack) only at debug level. */
static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];
	(void)cls;
	vsnprintf(msg, sizeof msg, fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	if (strstr(msg, "onnection") != NULL)
		log_debug("http: %s", msg);
	else
		log_error("http: %s", msg);
}

/* [reportd] listen, HOST:PORT or [V6]:PORT, resolved; the host into host
 * ("" for every address).  NULL with err. */
static struct addrinfo *
listen_addr(const char *l, char *host, size_t hostlen, char *err, size_t errlen)
{
	const char *colon = strrchr(l, ':');
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE }, *ai = NULL;
	if (colon == NULL || (size_t)(colon - l) >= hostlen) {
		snprintf(err, errlen, "[reportd] listen: expected HOST:PORT, got \"%s\"", l);
		return NULL;
	}
	memcpy(host, l, (size_t)(colon - l));
	host[colon - l] = '\0';
	if (host[0] == '[') {		/* [::1]:8091 */
		memmove(host, host + 1, strlen(host));
		host[strcspn(host, "]")] = '\0';
	}
	int gai = getaddrinfo(host[0] ? host : NULL, colon + 1, &hints, &ai);
	if (gai != 0) {
		snprintf(err, errlen, "[reportd] listen \"%s\": %s", l, gai_strerror(gai));
		return NULL;
	}
	return ai;
}

struct http_server *
http_start(const struct crmx_config *cfg, char *err, size_t errlen)
{
	char host[256];
	const char *l = cfg->reportd_listen;
	struct addrinfo *ai = listen_addr(l, host, sizeof host, err, errlen);
	if (ai == NULL)
		return NULL;
	struct http_server *s = xcalloc(1, sizeof *s);
	s->cfg = cfg;
	s->nlangs = report_languages(cfg->reportd_language, s->langs, LANG_COUNT);
	if (s->nlangs == 0) {
		snprintf(err, errlen, "[reportd] language: \"%s\" names no known language (en, zh-CN)",
		         cfg->reportd_language);
		freeaddrinfo(ai);
		free(s);
		return NULL;
	}
	if (connguard_start(cfg->reportd_request_timeout_s, cfg->reportd_waiting_per_address) != 0) {
		snprintf(err, errlen, "cannot start the HTTP connection guard");
		freeaddrinfo(ai);
		free(s);
		return NULL;
	}
	/* A thread per connection: a request waiting on the database holds
	 * no other.  Strict: an HTTP/1.1 request without Host is a 400. */
	unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ERROR_LOG;
	if (ai->ai_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	s->mhd = MHD_start_daemon(flags, 0, NULL, NULL, handler, s,
	                          MHD_OPTION_SOCK_ADDR, ai->ai_addr,
	                          MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
	                          MHD_OPTION_CONNECTION_LIMIT, (unsigned)cfg->reportd_max_connections,
	                          MHD_OPTION_NOTIFY_CONNECTION, connguard_notify, NULL,
	                          MHD_OPTION_NOTIFY_COMPLETED, connguard_completed, NULL,
	                          MHD_OPTION_STRICT_FOR_CLIENT, (int)1,
	                          MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
	                          MHD_OPTION_THREAD_STACK_SIZE, (size_t)STACK_SIZE,
	                          MHD_OPTION_END);
	freeaddrinfo(ai);
	if (s->mhd == NULL) {
		snprintf(err, errlen, "[reportd] listen %s: cannot listen (address in use?)", l);
		connguard_stop();
		free(s);
		return NULL;
	}
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->mhd, MHD_DAEMON_INFO_BIND_PORT);
	log_info("listening on http://%s:%u/reports/", host[0] ? host : "*",
	         di ? (unsigned)di->port : 0);
	return s;
}

void
http_stop(struct http_server *s)
{
	if (s == NULL)
		return;
	MHD_stop_daemon(s->mhd);
	connguard_stop();
	free(s);
}

