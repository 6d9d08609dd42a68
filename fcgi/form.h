/* POSTed forms: every field is checked against one table before a handler
 * uses it, and the same table draws the inputs.  On a validation error the
 * page is drawn again from what was submitted, with a message per field,
 * so nothing typed is lost. */
#ifndef CRMX_FORM_H
#define CRMX_FORM_H

#include <stddef.h>
#include <stdint.h>

#include "csrf.h"
#include "panel.h"

#define FORM_MAX 8

enum field_kind {
	FIELD_TEXT,	/* free text, at most maxlen characters */
	FIELD_YESNO,	/* "yes", "no" or "" (not known) -> "true"/"false"/NULL */
	FIELD_CHOICE,	/* one of choices[] (NULL-terminated pairs key, label) */
	FIELD_ID,	/* a positive whole number, chosen from choices[] (pairs id,
			 * name, not translated) drawn as a list; the statement
			 * checks the id belongs where it should */
	FIELD_DATE,	/* YYYY-MM-DD, optional unless required */
};

struct field {
	const char		*name;
	enum field_kind		 kind;
	int			 required;
	size_t			 maxlen;	/* FIELD_TEXT, in characters */
	const char		*label;		/* N_() */
	const char *const	*choices;	/* FIELD_CHOICE: key, N_(label), ..., NULL */
};

/* Draws <form> ... </form> for fields, posting to action, prefilled from
 * values (current record or what was submitted; may be NULL) with errors. */
void form_html(struct ctx *c, const char *action, const char *submit,
               const struct field *fields, int n, const char *const *values,
               const char *const *errors);

/* How one panel stores its form. */
struct form_spec {
	const struct field	*fields;
	int			 n;
	enum query		 save;		/* $2 the id, $3.. the values, then the
						 * login; a row back when stored, none
						 * when the record is not the viewer's */
	/* Draws the panel again with what was submitted and the errors. */
	int			(*render)(struct ctx *c, int64_t id, const char *const *values,
				          const char *const *errors);
	const char		*not_found;	/* N_() */
	const char		*path;		/* "/crmx/accounts/" */
	const char		*anchor;	/* "#qualification" */
	const char		*id_key;	/* JSON name of the id */
	const char		*saved;		/* ?saved= value after storing (NULL: "1"),
						 * for a panel with more than one form */
};

/* The whole POST: guard, validate (the form drawn again on errors), store
 * with who, then 303 back to the panel (JSON: the stored id). */
int form_post(struct ctx *c, int64_t id, const struct form_spec *spec);

/* A fresh CSRF token for the viewer. */
void form_token(struct ctx *c, char *out, size_t len);

#endif
