/* The route table and the request cycle: parse, identify the viewer,
 * pick the language, dispatch, and write the response with its headers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cache.h"
#include "clock.h"
#include "db.h"
#include "log.h"
#include "panelagg.h"
#include "params.h"
#include "readconn.h"
#include "routes.h"

/* The routes, by name; the table below holds each one's method, path and
 * the query parameters it takes (params.h), and dispatch() its handler.
 * Reordering either cannot call the wrong handler. */
enum route_id {
	R_ACCOUNTS, R_ACCOUNT, R_ACCOUNT_POST, R_REGIONS, R_PIPELINE, R_DEAL, R_DEAL_POST,
	R_TEAM,
	R__MAX
};

#define LIST_FILTERS (PARAM(P_OWNER) | PARAM(P_REGION) | PARAM(P_CITY) | PARAM(P_CLASS) | \
                      PARAM(P_SEGMENT) | PARAM(P_GRADE))

static const struct route {
	const char	*method;
	const char	*path;		/* exact, or a prefix ending in '/' */
	unsigned	 params;	/* PARAM(P_...) it takes */
	int		 run_sums;	/* reads the run's sums (panelagg.h): the
					 * viewer read with their state */
} routes[R__MAX] = {
	[R_ACCOUNTS] = { "GET", "/crmx/accounts", PARAMS_COMMON | PARAM(P_SORT) | PARAM(P_PAGE) |
	                 PARAM(P_SIZE) | PARAM(P_Q) | LIST_FILTERS, 1 },
	[R_ACCOUNT] = { "GET", "/crmx/accounts/", PARAMS_COMMON, 0 },
	[R_ACCOUNT_POST] = { "POST", "/crmx/accounts/", PARAMS_COMMON, 0 },
	[R_REGIONS] = { "GET", "/crmx/regions", PARAMS_COMMON | PARAM(P_CLASS) | PARAM(P_SEGMENT) |
	                PARAM(P_REGION), 1 },
	[R_PIPELINE] = { "GET", "/crmx/pipeline", PARAMS_COMMON | PARAM(P_Q) | PARAM(P_DSORT) |
	                 PARAM(P_PAGE) | PARAM(P_SIZE) | PARAM(P_OWNER), 1 },
	[R_DEAL] = { "GET", "/crmx/deals/", PARAMS_COMMON, 0 },
	[R_DEAL_POST] = { "POST", "/crmx/deals/", PARAMS_COMMON, 0 },
	[R_TEAM] = { "GET", "/crmx/team", PARAMS_COMMON | PARAM(P_TEAM_SORT) | PARAM(P_TEAM) |
	                PARAM(P_PAGE) | PARAM(P_SIZE), 1 },
};

static int
dispatch(const struct route *rt, struct ctx *c, const char *arg)
{
	switch ((enum route_id)(rt - routes)) {
	case R_ACCOUNTS:	return h_accounts(c, arg);
	case R_ACCOUNT:		return h_account(c, arg);
	case R_ACCOUNT_POST:	return h_account_post(c, arg);
	case R_REGIONS:		return h_regions(c, arg);
	case R_PIPELINE:	return h_pipeline(c, arg);
	case R_DEAL:		return h_deal(c, arg);
	case R_DEAL_POST:	return h_deal_post(c, arg);
	case R_TEAM:		return h_team(c, arg);
	default:		abort();
	}
}

unsigned
route_params(const struct route *rt)
{
	return rt->params;
}

const struct route *
route_find(const char *method, const char *path, const char **arg, int *path_known)
{
	*arg = "";
	*path_known = 0;
	for (size_t i = 0; i < R__MAX; i++) {
		const struct route *rt = &routes[i];
		size_t n = strlen(rt->path);
		int match = rt->path[n - 1] == '/' ?
		            strncmp(path, rt->path, n) == 0 && path[n] != '\0' &&
		            strchr(path + n, '/') == NULL :
		            strcmp(path, rt->path) == 0;
		if (!match)
			continue;
		*path_known = 1;
		if (strcmp(rt->method, method) == 0) {
			*arg = rt->path[n - 1] == '/' ? path + n : "";
			return rt;
		}
	}
	return NULL;
}

/* A kept page: content type, extra headers and body. */
static void
page_to_cache(const struct out *o, const char *key, size_t keylen, const char *owners,
              unsigned long stamp, time_t now)
{
	const char *parts[3] = { o->content_type, o->extra_headers, o->body.s ? o->body.s : "" };
	size_t lens[3] = { strlen(o->content_type), strlen(o->extra_headers), o->body.len };
	cache_put_fields(key, keylen, owners, 0, 3, parts, lens, stamp, now);
}

/* 0 when the page was kept and is now in o. */
static int
page_from_cache(struct out *o, const char *key, size_t keylen, time_t now)
{
	const char *parts[3];
	size_t body_len;
	if (cache_get_fields(key, keylen, 3, parts, &body_len, now) != 0)
		return -1;
	/* Kept from a response of the same sizes; anything longer would be cut. */
	if (strlen(parts[0]) >= sizeof o->content_type ||
	    strlen(parts[1]) >= sizeof o->extra_headers)
		return -1;
	snprintf(o->content_type, sizeof o->content_type, "%s", parts[0]);
	snprintf(o->extra_headers, sizeof o->extra_headers, "%s", parts[1]);
	sb_clear(&o->body);
	sb_rawn(&o->body, parts[2], body_len);
	out_header(o, "X-Crmx-Cache", "hit");
	return 0;
}

/* A GET answered from the worker's cache, or rendered and kept when no
 * change arrived meanwhile (stamp: the count when the request began). */
static void
serve_kept(struct ctx *c, const struct route *hit, const char *arg, PGconn **conn,
           const struct cgi_env *env, unsigned long stamp, time_t now)
{
	struct out *o = c->out;
	struct sbuf key;
	sb_init(&key);
	sb_printf(&key, "P\n%s\n%s\n%d\n%s\n%s", c->req->remote_user, i18n_code(c->lang),
	          c->req->want_json, env->uri ? env->uri : "", env->query ? env->query : "");
	if (page_from_cache(o, key.s, key.len, now) != 0) {
		dispatch(hit, c, arg);
		if (o->status == 200 && !c->db_failed) {
			if (cache_sync(*conn, now) == 0) {
				page_to_cache(o, key.s, key.len, c->v->owners, stamp, now);
			} else {	/* lost: the page stands, the next request reconnects */
				PQfinish(*conn);
				*conn = NULL;
			}
		}
		out_header(o, "X-Crmx-Cache", "miss");
	}
	sb_free(&key);
}

/* When this worker last failed to connect (mono()), or 0. */
static double connect_failed_at;

/* 1 when the connection is fit for the next request: connected, out of
 * pipeline mode and outside any transaction (an aborted one is rolled
 * back here). */
static int
conn_reusable(PGconn *conn)
{
	if (conn == NULL || PQstatus(conn) != CONNECTION_OK ||
	    PQpipelineStatus(conn) != PQ_PIPELINE_OFF)
		return 0;
	switch (PQtransactionStatus(conn)) {
	case PQTRANS_IDLE:
		return 1;
	case PQTRANS_INTRANS:
	case PQTRANS_INERROR: {
		PGresult *r = PQexec(conn, "ROLLBACK");
		int ok = PQresultStatus(r) == PGRES_COMMAND_OK &&
		         PQtransactionStatus(conn) == PQTRANS_IDLE;
		PQclear(r);
		return ok;
	}
	default:
		return 0;
	}
}

/* A statement failed: the answer depends on what failed (its SQLSTATE).
 * Only a lost connection costs the worker its connection and its kept
 * pages; anything else is this request's alone. */
static void
answer_db_failure(struct ctx *c, PGconn **conn)
{
	const char *state = query_failed_state();
	PGconn **primary = conn;
	if (readconn_is(c->conn))	/* the read replica failed */
		conn = readconn_slot();
	if (state[0] == '\0' || !conn_reusable(*conn) ||
	    strncmp(state, "08", 2) == 0 || strncmp(state, "57P", 3) == 0) {
		/* No answer from the server, a connection exception or the
		 * server going down: drop it; the next request reconnects. */
		PQfinish(*conn);
		*conn = NULL;
		if (conn == primary)	/* its feed, and what it said, are gone */
			cache_forget();
		if (db_take_reply_timeout() && conn == primary)	/* stalled: as a failed connect */
			connect_failed_at = mono();
		panel_error(c, 503, _("The database is not reachable; try again in a moment."));
	} else if (strcmp(state, "57014") == 0) {
		/* [database] statement_timeout_ms ran out: the connection is fine. */
		panel_error(c, 503, _("This view took the database too long; narrow it with a "
		                      "filter, or try again in a moment."));
	} else if (strncmp(state, "22", 2) == 0 || strncmp(state, "23", 2) == 0) {
		/* data exception, integrity constraint: a value it cannot take */
		panel_error(c, 400, _("The database refused a value of this request."));
	} else {
		panel_error(c, 500, _("The database could not answer this request; the "
		                      "administrator has been told."));
	}
}

static const char *
status_text(int status)
{
	switch (status) {
	case 200: return "OK";
	case 303: return "See Other";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 413: return "Content Too Large";
	case 415: return "Unsupported Media Type";
	case 503: return "Service Unavailable";
	default:  return "Internal Server Error";
	}
}

/* The checks that need no database: the form's size, type and fields, a
 * doubled REMOTE_USER, a login.  0: go on; -1: answered.  *body passes to
 * the request once it parses it. */
static int
request_checks(struct ctx *c, const struct cgi_env *env, char **body, int session_check)
{
	struct request *req = c->req;
	if (env->body_too_large)
		return panel_error(c, 413, _("The form is too large.")) - 1;
	if (env->body != NULL) {
		const char *ct = env->content_type ? env->content_type : "";
		if (strncasecmp(ct, "application/x-www-form-urlencoded", 33) != 0 ||
		    (ct[33] != '\0' && ct[33] != ';'))
			return panel_error(c, 415, _("A form must be sent as "
			                             "application/x-www-form-urlencoded.")) - 1;
		int bad = request_parse_form(req, *body);
		*body = NULL;	/* req owns it now */
		if (bad)
			return panel_error(c, 400, req->error) - 1;
	}
	if (env->user_conflict) {
		/* A misconfigured site: which identity nginx meant is unknowable. */
		log_error("REMOTE_USER arrives twice with different values: the nginx site passes"
		          " it from two places (do not include fastcgi_params; see deploy/nginx)");
		return panel_error(c, 500, _("The server is misconfigured; the administrator has "
		                             "been told.")) - 1;
	}
	/* The session check is what establishes REMOTE_USER. */
	if (!session_check && (req->remote_user == NULL || req->remote_user[0] == '\0'))
		return panel_error(c, 401, _("Please log in to the CRM first.")) - 1;
	return 0;
}

/* *conn connected, its statements prepared and its kept pages in step
 * with the change feed; -1 when the database cannot be reached. */
static int
primary_ready(struct ctx *c, PGconn **conn, time_t now)
{
	if (*conn != NULL && cache_sync(*conn, now) != 0) {
		PQfinish(*conn);	/* lost: reconnect below */
		*conn = NULL;
	}
	if (*conn != NULL && PQstatus(*conn) == CONNECTION_OK)
		return 0;
	char err[512];
	PQfinish(*conn);
	*conn = NULL;
	c->conn = NULL;
	/* After a failed attempt this worker answers 503 at once for
	 * connect_timeout_s (as pgbouncer's server_login_retry): a stalled or
	 * absent server costs it one wait a period, not one a request while
	 * requests queue behind it. */
	if (connect_failed_at != 0 && mono() - connect_failed_at < c->cfg->db_connect_timeout_s)
		return -1;
	*conn = db_connect(c->cfg, c->cfg->db_conninfo, "crmx.fcgi", err, sizeof err);
	if (*conn == NULL)
		log_error("%s", err);
	else if (queries_prepare(*conn, c->cfg->reportd_timezone, c->cfg->metrics_stall_days) != 0 ||
	         cache_connect(*conn) != 0) {
		log_error("preparing the connection: %s", db_errmsg(*conn));
		PQfinish(*conn);
		*conn = NULL;
	}
	c->conn = *conn;
	connect_failed_at = *conn == NULL ? mono() : 0;
	return *conn == NULL ? -1 : 0;
}

/* Where this request reads, with a replica: "replica" or "primary" (the
 * X-Crmx-Read header, added after a page is kept: a kept page is served
 * with where the worker reads now). */
static const char *read_on;

/* The connections of this request: c->conn the one it reads (and, for a
 * form or the session check, writes) on; 503 and -1 when there is none.
 * With a read replica, a GET reads there when it is fit (readconn.h). */
static int
conn_ready(struct ctx *c, PGconn **conn, time_t now, int writes)
{
	int primary = primary_ready(c, conn, now);
	if (!readconn_on(c->cfg)) {
		if (primary != 0)
			return panel_error(c, 503, _("The database is not reachable; try again in a "
			                             "moment.")) - 1;
		return 0;
	}
	readconn_heard(primary == 0 ? *conn : NULL);
	c->conn = writes ? (primary == 0 ? *conn : NULL) :
	          readconn_pick(c->cfg, primary == 0 ? *conn : NULL,
	                        request_param(c->req, "saved") != NULL);
	read_on = writes ? "primary" : readconn_used();
	if (c->conn != NULL)
		return 0;
	if (writes && readconn_pick(c->cfg, NULL, 0) != NULL)
		return panel_error(c, 503, _("Changes cannot be saved right now: the main database "
		                             "is not reachable. Nothing was changed; try again in a "
		                             "moment.")) - 1;
	return panel_error(c, 503, _("The database is not reachable; try again in a "
	                             "moment.")) - 1;
}

/* The viewer's route: 404/405, a 400 naming a bad parameter, a kept page
 * or the handler. */
static void
answer_route(struct ctx *c, PGconn **conn, const struct cgi_env *env, unsigned long stamp,
             time_t now, const struct route *hit, const char *arg, int path_known)
{
	const struct request *req = c->req;
	const char *bad = hit ? params_check(hit->params, req, c->cfg) : NULL;
	if (hit == NULL) {
		panel_error(c, path_known ? 405 : 404,
		            path_known ? _("This method is not allowed here.") : _("No such page."));
	} else if (bad != NULL) {
		panel_error(c, 400, bad);
	} else if (strcmp(hit->method, "GET") == 0 && cache_on() &&
	           request_param(req, "saved") == NULL) {
		/* After a form was saved (?saved=1) the page is read afresh: this
		 * worker may not have heard of the change yet. */
		serve_kept(c, hit, arg, conn, env, stamp, now);
	} else {
		dispatch(hit, c, arg);
	}
}

void
route_request(PGconn **conn, const struct crmx_config *cfg, const struct cgi_env *env,
              struct out *o)
{
	struct request req;
	struct viewer v;
	struct ctx c = { .conn = *conn, .cfg = cfg, .req = &req, .v = &v, .out = o };
	char *body = env->body;
	out_init(o);
	query_begin_request();
	read_on = NULL;
	memset(&v, 0, sizeof v);
	int ok = request_parse(&req, env->method, env->uri, env->query, env->remote_user,
	                       env->accept, env->accept_language) == 0;
	const char *ql = ok ? request_param(&req, "lang") : NULL;
	c.lang = i18n_pick(ql, NULL, env->accept_language, LANG_EN);
	i18n_use(c.lang);
	if (!ok) {
		panel_error(&c, 400, req.error);
		goto done;
	}
	const char *embed = request_param(&req, "embed");
	c.embed = embed != NULL && strcmp(embed, "1") == 0;
	int session_check = strcmp(req.path, SESSION_PATH) == 0;
	time_t now = time(NULL);
	int writes = session_check || strcmp(req.method, "GET") != 0;
	if (request_checks(&c, env, &body, session_check) != 0 ||
	    conn_ready(&c, conn, now, writes) != 0)
		goto done;
	if (session_check) {
		h_session(&c, env->authorization);
		goto done;
	}
	/* Changes heard from here on make what this request reads unfit to keep. */
	unsigned long stamp = cache_stamp();
	const char *arg = "";
	int path_known = 0;
	const struct route *hit = route_find(req.method, req.path, &arg, &path_known);
	for (int tries = 0;; tries++) {
		PGresult *agg = NULL;
		int found = auth_lookup(c.conn, req.remote_user, &v, stamp, now,
		                        hit != NULL && hit->run_sums ? &agg : NULL);
		if (agg != NULL) {
			panel_agg_take(&c, agg);
			PQclear(agg);
		}
		if (found < 0) {
			c.db_failed = 1;
		} else if (found > 0) {
			panel_error(&c, 403, _("Your CRM user is not known to crmx."));
		} else {
			c.lang = i18n_pick(ql, v.lang_pref, env->accept_language, LANG_EN);
			i18n_use(c.lang);
			answer_route(&c, conn, env, stamp, now, hit, arg, path_known);
		}
		if (tries > 0 || !c.db_failed || !readconn_lost(c.conn, *conn, query_failed_state()))
			break;
		/* The replica went away under this read: once more, on the primary. */
		out_free(o);
		out_init(o);
		query_begin_request();
		c.db_failed = 0;
		c.conn = *conn;
		panel_agg_forget(&c);
		auth_free(&v);
		memset(&v, 0, sizeof v);
		read_on = "primary";
	}
done:
	if (c.db_failed)
		answer_db_failure(&c, conn);
	out_header(o, "Content-Language", i18n_code(c.lang));
	if (read_on != NULL)
		out_header(o, "X-Crmx-Read", read_on);
	free(body);
	request_free(&req);
	panel_agg_forget(&c);
	auth_free(&v);
}

/* The answer when the response could not be written as built. */
static const char broken_response[] =
    "Status: 500 Internal Server Error\r\nContent-Type: text/plain; charset=utf-8\r\n"
    "Content-Length: 22\r\nCache-Control: private, no-store\r\n"
    "X-Content-Type-Options: nosniff\r\n\r\nInternal Server Error\n";

void
write_response(const struct out *o, void (*emit)(void *, const char *, size_t),
               void *sink)
{
	char head[1024];
	int n = snprintf(head, sizeof head,
	    "Status: %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
	    "Cache-Control: private, no-store\r\n"
	    "Content-Security-Policy: default-src 'none'; style-src 'self'; img-src 'self' data:;"
	    " frame-ancestors 'self'; form-action 'self'; base-uri 'none'\r\n"
	    "X-Content-Type-Options: nosniff\r\nReferrer-Policy: same-origin\r\n",
	    o->status, status_text(o->status), o->content_type, o->body.len);
	if (n < 0 || (size_t)n >= sizeof head || o->headers_overflow) {
		if (!o->headers_overflow)
			log_error("the response head does not fit in %zu bytes: answering 500",
			          sizeof head);
		emit(sink, broken_response, sizeof broken_response - 1);
		return;
	}
	emit(sink, head, (size_t)n);
	emit(sink, o->extra_headers, strlen(o->extra_headers));
	emit(sink, "\r\n", 2);
	if (o->body.len)
		emit(sink, o->body.s, o->body.len);
}
