/* What a handler gets: the request, the viewer, the database connection
 * of this worker and the response to fill; and the helpers every page
 * shares (page frame, errors, number formats).
 *
 * The layout of fcgi/: each panel is one fetch and one writer per format,
 *   <panel>.h       the panel's view struct and the fields of its results
 *   <panel>.c       the handler: reads its parameters, runs its statements
 *                   (queries.c) and fills the view, binding each result's
 *                   columns by name once (rows_bind -> db_col), then calls
 *   <panel>_html.c  the HTML writer, and
 *   <panel>_json.c  the JSON writer; neither touches the database.
 * Panels: account, accounts (the list), deal, pipeline, regions, team.  The
 * request cycle, the route table and dispatch are routes.c; the response
 * sent to nginx, records.c; the query
 * parameters every route may take, with their validators, params.c;
 * forms form.c; the page cache cache.c. */
#ifndef CRMX_PANEL_H
#define CRMX_PANEL_H

#include <jansson.h>
#include <libpq-fe.h>

#include "auth.h"
#include "config.h"
#include "db.h"
#include "i18n.h"
#include "out.h"
#include "queries.h"
#include "request.h"

struct agg_memo;

struct ctx {
	PGconn			*conn;
	const struct crmx_config *cfg;
	struct request		*req;
	struct viewer		*v;
	struct out		*out;
	enum lang		 lang;
	int			 embed;		/* ?embed=1: a fragment for a side panel */
	int			 db_failed;	/* a query failed: see answer_db_failure */
	struct agg_memo		*agg;		/* panelagg.c: the run's sums, as read */
};


/* Sends status with a one-line message, as HTML or JSON. */
int panel_error(struct ctx *c, int status, const char *message);
/* The page frame around HTML content (or nothing when embedded). */
void page_begin(struct ctx *c, const char *title);
void page_end(struct ctx *c);
/* Runs a statement with the viewer's owners as $1 and `extra` as $2...;
 * NULL (and c->db_failed) on error. */
PGresult *scoped_query(struct ctx *c, enum query q, int nextra, const char *const *extra);
/* A statement of scoped_calls: q with OWNERS as $1 (the viewer's scope,
 * or the owners changed since the run, panelagg.h) and EXTRA from $2. */
struct scoped_call {
	enum query		 q;
	const char		*owners;
	int			 nextra;
	const char *const	*extra;
};
/* n such statements (at most QUERY_MAX_CALLS) in one round trip, out[i]
 * each result; -1 (and c->db_failed) when any failed. */
int scoped_calls(struct ctx *c, const struct scoped_call *calls, int n, PGresult **out);
/* The same, for n statements sharing the viewer's values and `extra`,
 * in one round trip; -1 (and c->db_failed) when any failed. */
int scoped_batch(struct ctx *c, const enum query *qs, int n, int nextra,
                 const char *const *extra, PGresult **out);
/* <p class="cls">text</p>, and a <tr> of a key-value table (an em dash
 * for an empty value). */
void panel_para(struct ctx *c, const char *cls, const char *text);
/* <h2>text</h2>, escaped. */
void panel_h2(struct ctx *c, const char *text);
void panel_kv(struct ctx *c, const char *label, const char *value);
/* A table cell: <td> (or <td class="cls">), text escaped, </td>. */
void panel_td(struct ctx *c, const char *cls, const char *text);
/* A number cell of a count from the database (an integer, "" for NULL),
 * with thousands separators: 742,596, not 742596. */
void panel_td_count(struct ctx *c, const char *text);
/* A table's head row: each of the n N_() labels translated, as a <th>
 * with class "num" where bit i of num is set. */
void panel_thead(struct ctx *c, const char *const *heads, size_t n, unsigned num);
/* 303 See Other to a path of ours (after a form was stored). */
void panel_redirect(struct ctx *c, const char *path);
/* The id in a path ("/crmx/deals/<id>"): 0, or a 400 naming `what` and -1. */
int panel_id(struct ctx *c, const char *arg, const char *message, int64_t *id);
/* A date "YYYY-MM-DD" (optionally followed by " HH:MI") from the
 * database as the viewer's language writes it (2026-06-30 / 2026年6月30日),
 * into buf; anything else is returned as it is. */
const char *panel_date(struct ctx *c, const char *iso, char *buf, size_t len);
/* A JSON body as the response. */
void send_json(struct ctx *c, json_t *body);
/* A panel's fetched data: each result with its columns looked up by name
 * once (rows_bind, through db_col), then read by field number (the index
 * into the names the panel bound), never by the column's position. */
#define ROWS_MAX_COLS 48
struct rows {
	PGresult	*res;
	int		 first;			/* row 0's row in res */
	int		 n;			/* rows */
	int		 col[ROWS_MAX_COLS];	/* field -> column */
};
void rows_bind(struct rows *r, PGresult *res, const char *const *names, int nfields);
/* The rows of res whose column "part" is PART (one statement's parts,
 * each a run of rows in its order): bound as rows_bind binds all of them,
 * none when there are no such rows.  The result stays the caller's: it is
 * cleared once, whatever its parts (not with rows_clear). */
void rows_bind_part(struct rows *r, PGresult *res, const char *part, const char *const *names,
                    int nfields);
void rows_clear(struct rows *r);
/* The value ("" for SQL NULL, as the writers print it), or whether it is NULL. */
const char *rows_s(const struct rows *r, int row, int f);
int rows_null(const struct rows *r, int row, int f);
double rows_num(const struct rows *r, int row, int f);
json_t *rows_jnum(const struct rows *r, int row, int f);
json_t *rows_jstr(const struct rows *r, int row, int f);
/* A boolean as JSON (null for SQL NULL). */
json_t *rows_jbool(const struct rows *r, int row, int f);

/* The handlers (routes.c dispatches to them); arg is the rest of the path
 * after the route's prefix.  Each returns 0 when it filled the response
 * (any status), -1 after a database failure (c->db_failed). */
int h_account(struct ctx *c, const char *arg);
int h_account_post(struct ctx *c, const char *arg);
int h_accounts(struct ctx *c, const char *arg);
int h_regions(struct ctx *c, const char *arg);
int h_pipeline(struct ctx *c, const char *arg);
int h_deal(struct ctx *c, const char *arg);
int h_deal_post(struct ctx *c, const char *arg);
int h_team(struct ctx *c, const char *arg);
/* nginx's auth_request for session logins (session.c): no viewer needed. */
#define SESSION_PATH "/crmx/_session"
int h_session(struct ctx *c, const char *authorization);

#endif
