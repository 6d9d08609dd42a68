/* Form validation and drawing from one field table (see form.h). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "csrf.h"
#include "date.h"
#include "form.h"
#include "utf8.h"

/* A submitted form as checked against its field table. */
struct form {
	const struct field	*fields;
	int			 n;
	const char		*raw[FORM_MAX];		/* as submitted, for refilling */
	const char		*value[FORM_MAX];	/* normalised; NULL = SQL NULL */
	const char		*error[FORM_MAX];	/* translated message or NULL */
	int			 nerrors;
};

static int
blank(const char *s)
{
	return s == NULL || s[strspn(s, " \t\r\n")] == '\0';
}

static int
has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 && *s != '\n' && *s != '\r' && *s != '\t')
			return 1;
	return 0;
}

/* Checks the request's form against fields; the number of fields in error. */
static int
form_read(struct form *f, const struct field *fields, int n, const struct request *r)
{
	memset(f, 0, sizeof *f);
	f->fields = fields;
	f->n = n < FORM_MAX ? n : FORM_MAX;
	for (int i = 0; i < f->n; i++) {
		const struct field *fd = &fields[i];
		const char *v = request_form(r, fd->name);
		f->raw[i] = v;
		const char *err = NULL;
		switch (fd->kind) {
		case FIELD_TEXT:
			if (blank(v))
				err = fd->required ? _("Please fill this in.") : NULL;
			else if (utf8_chars(v) > fd->maxlen)
				err = _("This is too long.");
			else if (has_control(v))
				err = _("This contains characters that are not allowed.");
			else
				f->value[i] = v;
			break;
		case FIELD_YESNO:
			if (v == NULL || v[0] == '\0')
				err = fd->required ? _("Please choose yes or no.") : NULL;
			else if (strcmp(v, "yes") == 0)
				f->value[i] = "true";
			else if (strcmp(v, "no") == 0)
				f->value[i] = "false";
			else
				err = _("Please choose yes, no or not known.");
			break;
		case FIELD_ID:
			if (blank(v))
				err = fd->required ? _("Please choose one of the options.") : NULL;
			else if (strspn(v, "0123456789") != strlen(v) || v[0] == '0' || strlen(v) > 18)
				err = _("Please choose one of the options.");
			else
				f->value[i] = v;
			break;
		case FIELD_DATE: {
			int32_t day;
			if (blank(v))
				err = fd->required ? _("Please fill this in.") : NULL;
			else if (strlen(v) != 10 || parse_date(v, &day) != 0)
				err = _("Please give a date as YYYY-MM-DD.");
			else
				f->value[i] = v;
			break;
		}
		case FIELD_CHOICE:
			err = fd->required || (v && *v) ? _("Please choose one of the options.") : NULL;
			for (const char *const *ch = fd->choices; v && *ch; ch += 2)
				if (strcmp(v, ch[0]) == 0) {
					f->value[i] = ch[0];
					err = NULL;
				}
			break;
		}
		if (err != NULL) {
			f->error[i] = err;
			f->nerrors++;
		}
	}
	return f->nerrors;
}

/* A 400 JSON answer naming each field in error. */
static int
form_json_error(struct ctx *c, const struct form *f)
{
	json_t *fields = json_object();
	for (int i = 0; i < f->n; i++)
		if (f->error[i])
			json_object_set_new(fields, f->fields[i].name, json_string(f->error[i]));
	send_json(c, json_pack("{s:i, s:s, s:o}", "status", 400,
	                       "error", _("Not saved: please correct the fields marked below."),
	                       "fields", fields));
	c->out->status = 400;
	return 0;
}

void
form_token(struct ctx *c, char *out, size_t len)
{
	csrf_make(c->req->remote_user, time(NULL), out, len);
}

/* A form body of the right kind with a CSRF token made for this viewer:
 * 0, or the answer (400/403) is made and -1. */
static int
form_guard(struct ctx *c)
{
	if (c->req->body == NULL) {
		panel_error(c, 400, _("A form must be sent as application/x-www-form-urlencoded."));
		return -1;
	}
	if (csrf_check(c->req->remote_user, request_form(c->req, "csrf"), time(NULL)) != 0) {
		panel_error(c, 403, _("This form has expired or did not come from crmx; "
		                      "reload the page and try again."));
		return -1;
	}
	return 0;
}

static void
attr_name(struct out *o, const char *name, const char *value)
{
	out_raw(o, " name=\"");
	html_text(o, name);
	out_raw(o, "\" value=\"");
	html_text(o, value);
	out_raw(o, "\"");
}

/* One field: a list of ids, a date, text, or yes/no or other choices;
 * v is its value as sent, or NULL. */
static void
field_html(struct out *o, const struct field *fd, const char *v)
{
	static const char *const yesno[] = { "yes", N_("yes"), "no", N_("no"),
	                                     "", N_("not known"), NULL };
	if (fd->kind == FIELD_ID || fd->kind == FIELD_DATE || fd->kind == FIELD_TEXT) {
		out_raw(o, "<label>");
		html_text(o, _(fd->label));
	}
	if (fd->kind == FIELD_ID) {
		out_raw(o, " <select name=\"");
		html_text(o, fd->name);
		out_raw(o, "\">");
		for (const char *const *ch = fd->choices; ch && *ch; ch += 2) {
			out_raw(o, "<option value=\"");
			html_text(o, ch[0]);
			out_raw(o, v && strcmp(v, ch[0]) == 0 ? "\" selected>" : "\">");
			html_text(o, ch[1]);
			out_raw(o, "</option>");
		}
		out_raw(o, "</select></label>");
	} else if (fd->kind == FIELD_DATE) {
		out_raw(o, " <input type=\"date\"");
		attr_name(o, fd->name, v ? v : "");
		out_raw(o, fd->required ? " required>" : ">");
		out_raw(o, "</label>");
	} else if (fd->kind == FIELD_TEXT) {
		out_raw(o, "<textarea rows=\"2\" name=\"");
		html_text(o, fd->name);
		out_rawf(o, "\" maxlength=\"%zu\"%s>", fd->maxlen, fd->required ? " required" : "");
		html_text(o, v);
		out_raw(o, "</textarea></label>");
	} else {
		const char *const *ch = fd->kind == FIELD_YESNO ? yesno : fd->choices;
		out_raw(o, "<fieldset><legend>");
		html_text(o, _(fd->label));
		out_raw(o, "</legend>");
		for (; *ch; ch += 2) {
			int on = v ? strcmp(v, ch[0]) == 0 : ch[0][0] == '\0';
			out_raw(o, "<label class=\"choice\"><input type=\"radio\"");
			attr_name(o, fd->name, ch[0]);
			out_raw(o, on ? " checked>" : ">");
			html_text(o, _(ch[1]));
			out_raw(o, "</label>");
		}
		out_raw(o, "</fieldset>");
	}
}

void
form_html(struct ctx *c, const char *action, const char *submit,
          const struct field *fields, int n, const char *const *values,
          const char *const *errors)
{
	struct out *o = c->out;
	char tok[CSRF_LEN];
	form_token(c, tok, sizeof tok);
	out_raw(o, "<form class=\"crmx-form\" method=\"post\" action=\"");
	html_text(o, action);
	out_raw(o, "\"><input type=\"hidden\"");
	attr_name(o, "csrf", tok);
	out_raw(o, ">");
	for (int i = 0; i < n && i < FORM_MAX; i++) {
		const char *err = errors ? errors[i] : NULL;
		out_raw(o, err ? "<div class=\"field invalid\">" : "<div class=\"field\">");
		field_html(o, &fields[i], values ? values[i] : NULL);
		if (err) {
			out_raw(o, "<p class=\"field-error\">");
			html_text(o, err);
			out_raw(o, "</p>");
		}
		out_raw(o, "</div>");
	}
	out_raw(o, "<button type=\"submit\">");
	html_text(o, submit);
	out_raw(o, "</button></form>");
}

int
form_post(struct ctx *c, int64_t id, const struct form_spec *spec)
{
	if (form_guard(c) != 0)
		return 0;
	struct form f;
	if (form_read(&f, spec->fields, spec->n, c->req) > 0) {
		if (c->req->want_json)
			return form_json_error(c, &f);
		spec->render(c, id, f.raw, f.error);
		if (c->out->status == 200)
			c->out->status = 400;
		return 0;
	}
	char ids[24];
	snprintf(ids, sizeof ids, "%lld", (long long)id);
	const char *extra[FORM_MAX + 2] = { ids };
	for (int i = 0; i < f.n; i++)
		extra[1 + i] = f.value[i];
	extra[1 + f.n] = c->req->remote_user;
	PGresult *r = scoped_query(c, spec->save, f.n + 2, extra);
	if (r == NULL)
		return -1;
	int saved = PQntuples(r) == 1;
	PQclear(r);
	if (!saved)
		return panel_error(c, 404, _(spec->not_found));
	if (c->req->want_json) {
		send_json(c, json_pack("{s:b, s:I}", "saved", 1, spec->id_key, (json_int_t)id));
		return 0;
	}
	char path[128];
	/* ?saved=1: the page says so, and is read afresh (routes.c) */
	snprintf(path, sizeof path, "%s%lld?saved=%s%s%s", spec->path, (long long)id,
	         spec->saved ? spec->saved : "1", c->embed ? "&embed=1" : "", spec->anchor);
	panel_redirect(c, path);
	return 0;
}
