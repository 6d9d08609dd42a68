/* One request as the panels see it: method, path, decoded query
 * parameters, the authenticated user name (REMOTE_USER) and the headers
 * that choose the output. */
#ifndef CRMX_REQUEST_H
#define CRMX_REQUEST_H

#include <stddef.h>

#define REQ_MAX_PARAMS 32
#define REQ_MAX_QUERY 2048

struct request {
	const char	*method;
	char		 path[512];	/* decoded, without the query */
	int		 want_json;	/* ".json" suffix (removed from path) or Accept */
	const char	*remote_user;	/* NULL or "" when nobody is logged in */
	const char	*accept_language;
	char		*keys[REQ_MAX_PARAMS], *vals[REQ_MAX_PARAMS];
	int		 nparams;
	char		 qbuf[REQ_MAX_QUERY + 1];
	/* A POSTed form (application/x-www-form-urlencoded), decoded. */
	char		*fkeys[REQ_MAX_PARAMS], *fvals[REQ_MAX_PARAMS];
	int		 nform;
	char		*body;		/* owned: request_free() */
	char		 error[160];	/* why the request is malformed */
};

/* Fills r from CGI-style variables (path may include the query).  Returns
 * 0, or -1 with r->error set (the caller answers 400). */
int request_parse(struct request *r, const char *method, const char *uri,
                  const char *query, const char *remote_user, const char *accept,
                  const char *accept_language);

/* Takes a malloc'd, NUL-terminated form body (r owns it from now on) and
 * decodes its fields; -1 with r->error set when it is malformed. */
int request_parse_form(struct request *r, char *body);

/* Frees what the request owns (the form body). */
void request_free(struct request *r);

/* The decoded value of a query parameter, or NULL. */
const char *request_param(const struct request *r, const char *key);
/* The decoded value of a form field, or NULL. */
const char *request_form(const struct request *r, const char *key);

/* Percent-encodes s for a query value (always NUL-terminated; truncated
 * only between whole escapes). */
void url_encode(const char *s, char *out, size_t len);

/* Decodes %XX and + in place; -1 on a malformed escape or a NUL byte. */
int url_decode(char *s);

#endif
