/* What the files of reportd/http/ share: the server, a request and its
 * checked query parameters, the answers (respond.c) and the handlers
 * (files.c, api.c) that http.c's route table calls. */
#ifndef CRMX_HTTPINT_H
#define CRMX_HTTPINT_H

#include <stdint.h>

#include <jansson.h>
#include <microhttpd.h>

#include "config.h"
#include "i18n.h"

struct http_server {
	struct MHD_Daemon		*mhd;
	const struct crmx_config	*cfg;
	int				 langs[LANG_COUNT];
	int				 nlangs;
};

/* The routes, in the order they are matched (the table is below). */
enum route { R_HEALTHZ, R_METRICS, R_SUMMARY, R_RUNS, R_REPORTS, R__MAX };

/* The query parameters (the table of validators is below). */
enum param { P_LANG, P_AS_OF, P__MAX };

struct query {
	const char	*raw[P__MAX];	/* first value of each, NULL when absent */
	const char	*lang;
	int		 has_as_of;
	int32_t		 as_of;
};

struct req {
	struct http_server	*srv;
	struct MHD_Connection	*c;
	const char		*url;
	const char		*method;
	struct query		*q;
};

enum MHD_Result http_send_resp(struct req *r, unsigned status, struct MHD_Response *resp,
                               const char *ctype, const char *cache);
enum MHD_Result http_send_buf(struct req *r, unsigned status, const char *ctype,
                              const char *cache, const char *body, size_t len);
/* A line of text/plain; a JSON body (o is consumed); a 301. */
enum MHD_Result http_send_text(struct req *r, unsigned status, const char *msg);
enum MHD_Result http_send_json(struct req *r, unsigned status, json_t *o);
enum MHD_Result http_redirect(struct req *r, const char *to);

/* /reports/..., the prefix removed (files.c). */
enum MHD_Result http_reports(struct req *r, const char *rest);
/* The API, health and metrics (api.c). */
enum MHD_Result http_healthz(struct req *r);
enum MHD_Result http_metrics(struct req *r);
enum MHD_Result http_api_summary(struct req *r);
enum MHD_Result http_api_runs(struct req *r);
/* Answers 403 to a client that may not start runs and returns 1. */
int http_refuse_runs(struct req *r, enum MHD_Result *ret);

#endif
