/* Shared page parts: frame, errors, scoped queries, JSON output. */
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "panel.h"
#include "util.h"

int
panel_error(struct ctx *c, int status, const char *message)
{
	struct out *o = c->out;
	sb_clear(&o->body);
	o->status = status;
	if (c->req && c->req->want_json) {
		json_t *j = json_pack("{s:i, s:s}", "status", status, "error", message);
		send_json(c, j);
		o->status = status;
		return 0;
	}
	page_begin(c, _("Error"));
	out_raw(o, "<p class=\"error\">");
	html_text(o, message);
	out_raw(o, "</p>");
	page_end(c);
	return 0;
}

void
page_begin(struct ctx *c, const char *title)
{
	struct out *o = c->out;
	if (c->embed) {
		/* A fragment for a side panel: no document around it, but its
		 * stylesheet (allowed in body content), so it looks the same in
		 * an iframe and when the CRM inserts it into its own page. */
		out_raw(o, "<link rel=\"stylesheet\" href=\"/crmx/static/crmx.css\">"
		           "<div class=\"crmx crmx-embed\">");
		return;
	}
	out_rawf(o, "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
	         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
	         i18n_code(c->lang));
	out_raw(o, "<title>");
	html_text(o, title);
	out_raw(o, " \xE2\x80\x94 crmx</title><link rel=\"stylesheet\" href=\"/crmx/static/crmx.css\">"
	           "</head><body class=\"crmx\"><nav><a href=\"/crmx/accounts\">");
	html_text(o, _("Accounts"));
	out_raw(o, "</a> <a href=\"/crmx/pipeline\">");
	html_text(o, _("Pipeline"));
	out_raw(o, "</a>");
	if (c->v && c->v->name[0] && (c->v->owners == NULL || strchr(c->v->owners, ','))) {
		out_raw(o, " <a href=\"/crmx/team\">");	/* more than one owner: a team */
		html_text(o, _("Team"));
		out_raw(o, "</a>");
	}
	if (c->v && c->v->name[0] && c->v->owners == NULL) {	/* executives: the report */
		out_raw(o, " <a class=\"report\" href=\"/reports/latest/\">");
		html_text(o, _("Latest report"));
		out_raw(o, "</a>");
	}
	if (c->v && c->v->name[0]) {
		out_raw(o, " <span class=\"who\">");
		html_text(o, c->v->name);
		out_raw(o, "</span>");
	}
	out_raw(o, "</nav><main>");
}

void
page_end(struct ctx *c)
{
	out_raw(c->out, c->embed ? "</div>" : "</main></body></html>\n");
}

/* OWNERS as $1, then `extra`, into params (QUERY_MAX_PARAMS); returns
 * how many. */
static int
owner_params(const char *owners, int nextra, const char *const *extra, const char **params)
{
	int n = nextra < QUERY_MAX_PARAMS - 1 ? nextra : QUERY_MAX_PARAMS - 1;
	params[0] = owners;
	for (int i = 0; i < n; i++)
		params[1 + i] = extra[i];
	return 1 + n;
}

PGresult *
scoped_query(struct ctx *c, enum query q, int nextra, const char *const *extra)
{
	const char *params[QUERY_MAX_PARAMS];
	PGresult *res = query_run(c->conn, q, owner_params(c->v->owners, nextra, extra, params),
	                          params);
	if (res == NULL)
		c->db_failed = 1;
	return res;
}

int
scoped_calls(struct ctx *c, const struct scoped_call *calls, int n, PGresult **out)
{
	const char *params[QUERY_MAX_CALLS][QUERY_MAX_PARAMS];
	struct query_call qc[QUERY_MAX_CALLS];
	if (n > QUERY_MAX_CALLS)
		abort();	/* a caller's array above the bound */
	for (int i = 0; i < n; i++)
		qc[i] = (struct query_call){ .q = calls[i].q, .params = params[i],
		    .nparams = owner_params(calls[i].owners, calls[i].nextra, calls[i].extra,
		                            params[i]) };
	if (query_run_calls(c->conn, qc, n, out) == 0)
		return 0;
	c->db_failed = 1;
	return -1;
}

int
scoped_batch(struct ctx *c, const enum query *qs, int n, int nextra,
             const char *const *extra, PGresult **out)
{
	struct scoped_call calls[QUERY_MAX_CALLS];
	if (n > QUERY_MAX_CALLS)
		abort();	/* a caller's array above the bound */
	for (int i = 0; i < n; i++)
		calls[i] = (struct scoped_call){ qs[i], c->v->owners, nextra, extra };
	return scoped_calls(c, calls, n, out);
}

void
panel_para(struct ctx *c, const char *cls, const char *text)
{
	out_rawf(c->out, "<p class=\"%s\">", cls);
	html_text(c->out, text);
	out_raw(c->out, "</p>");
}

void
panel_h2(struct ctx *c, const char *text)
{
	out_raw(c->out, "<h2>");
	html_text(c->out, text);
	out_raw(c->out, "</h2>");
}

void
panel_kv(struct ctx *c, const char *label, const char *value)
{
	out_raw(c->out, "<tr><th>");
	html_text(c->out, label);
	out_raw(c->out, "</th><td>");
	html_text(c->out, value && *value ? value : "\xE2\x80\x94");
	out_raw(c->out, "</td></tr>");
}

void
panel_td(struct ctx *c, const char *cls, const char *text)
{
	if (cls != NULL) {
		out_raw(c->out, "<td class=\"");
		out_raw(c->out, cls);
		out_raw(c->out, "\">");
	} else {
		out_raw(c->out, "<td>");
	}
	html_text(c->out, text);
	out_raw(c->out, "</td>");
}

void
panel_td_count(struct ctx *c, const char *text)
{
	char b[64];
	if (text != NULL && *text != '\0') {
		fmt_number(b, sizeof b, text_num(text), 0);
		text = b;
	}
	panel_td(c, "num", text);
}

void
panel_thead(struct ctx *c, const char *const *heads, size_t n, unsigned num)
{
	out_raw(c->out, "<tr>");
	for (size_t i = 0; i < n; i++) {
		out_raw(c->out, num & (1u << i) ? "<th class=\"num\">" : "<th>");
		html_text(c->out, _(heads[i]));
		out_raw(c->out, "</th>");
	}
	out_raw(c->out, "</tr>");
}

void
panel_redirect(struct ctx *c, const char *path)
{
	c->out->status = 303;
	sb_clear(&c->out->body);
	out_header(c->out, "Location", path);
}

int
panel_id(struct ctx *c, const char *arg, const char *message, int64_t *id)
{
	if (parse_id(arg, id) == 0)
		return 0;
	panel_error(c, 400, message);
	return -1;
}

const char *
panel_date(struct ctx *c, const char *iso, char *buf, size_t len)
{
	char day[11];
	int32_t d;
	if (iso == NULL || strlen(iso) < 10)
		return iso;
	memcpy(day, iso, 10);
	day[10] = '\0';
	if (parse_date(day, &d) != 0)
		return iso;
	fmt_date(buf, len, d, c->lang);
	if (iso[10] == ' ') {
		size_t n = strlen(buf);
		snprintf(buf + n, len - n, "%s", iso + 10);
	}
	return buf;
}


void
send_json(struct ctx *c, json_t *body)
{
	char *text = json_dumps(body, JSON_COMPACT | JSON_REAL_PRECISION(15));
	json_decref(body);
	sb_clear(&c->out->body);
	snprintf(c->out->content_type, sizeof c->out->content_type, "application/json");
	out_raw(c->out, text ? text : "{}");
	out_raw(c->out, "\n");
	free(text);
}

void
rows_bind(struct rows *r, PGresult *res, const char *const *names, int nfields)
{
	r->res = res;
	r->first = 0;
	r->n = PQntuples(res);
	for (int f = 0; f < nfields && f < ROWS_MAX_COLS; f++)
		r->col[f] = db_col(res, names[f]);
}

void
rows_bind_part(struct rows *r, PGresult *res, const char *part, const char *const *names,
               int nfields)
{
	rows_bind(r, res, names, nfields);
	int pc = db_col(res, "part"), rows = r->n;
	const char *v;
	r->n = 0;
	while (r->first < rows && ((v = db_val(res, r->first, pc)) == NULL || strcmp(v, part) != 0))
		r->first++;
	while (r->first + r->n < rows && (v = db_val(res, r->first + r->n, pc)) != NULL &&
	       strcmp(v, part) == 0)
		r->n++;
}

void
rows_clear(struct rows *r)
{
	PQclear(r->res);
	r->res = NULL;
	r->first = r->n = 0;
}

const char *
rows_s(const struct rows *r, int row, int f)
{
	const char *v = db_val(r->res, r->first + row, r->col[f]);
	return v ? v : "";
}

int
rows_null(const struct rows *r, int row, int f)
{
	return db_val(r->res, r->first + row, r->col[f]) == NULL;
}

double
rows_num(const struct rows *r, int row, int f)
{
	return text_num(rows_s(r, row, f));
}

json_t *
rows_jnum(const struct rows *r, int row, int f)
{
	return rows_null(r, row, f) ? json_null() : json_real(rows_num(r, row, f));
}

json_t *
rows_jstr(const struct rows *r, int row, int f)
{
	const char *v = db_val(r->res, r->first + row, r->col[f]);
	return v ? json_string(v) : json_null();
}

json_t *
rows_jbool(const struct rows *r, int row, int f)
{
	const char *v = db_val(r->res, r->first + row, r->col[f]);
	return v ? json_boolean(v[0] == 't') : json_null();
}
