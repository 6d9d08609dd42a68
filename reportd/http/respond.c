/* reportd's HTTP answers, each with the same security headers. */
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

#define CSP "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'self'"

enum MHD_Result
http_send_resp(struct req *r, unsigned status, struct MHD_Response *resp, const char *ctype,
          const char *cache)
{
	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, "Content-Type", ctype);
	MHD_add_response_header(resp, "Cache-Control", cache);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
	MHD_add_response_header(resp, "Content-Security-Policy", CSP);
	if (status >= 500)
		state_count_5xx();
	enum MHD_Result ret = MHD_queue_response(r->c, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

enum MHD_Result
http_send_buf(struct req *r, unsigned status, const char *ctype, const char *cache, const char *body,
         size_t len)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(len, (void *)(uintptr_t)body,
	                                                            MHD_RESPMEM_MUST_COPY);
	return http_send_resp(r, status, resp, ctype, cache);
}

enum MHD_Result
http_send_text(struct req *r, unsigned status, const char *msg)
{
	char body[700];
	int n = snprintf(body, sizeof body, "%s\n", msg);
	return http_send_buf(r, status, "text/plain; charset=utf-8", "no-store", body,
	                (size_t)n < sizeof body ? (size_t)n : sizeof body - 1);
}

enum MHD_Result
http_send_json(struct req *r, unsigned status, json_t *o)
{
	char *s = json_dumps(o, JSON_INDENT(2) | JSON_REAL_PRECISION(15));
	json_decref(o);
	if (s == NULL)
		return http_send_text(r, 500, "out of memory");
	enum MHD_Result ret = http_send_buf(r, status, "application/json", "no-store", s, strlen(s));
	free(s);
	return ret;
}

enum MHD_Result
http_redirect(struct req *r, const char *to)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, "Location", to);
	return http_send_resp(r, 301, resp, "text/plain; charset=utf-8", "no-cache");
}

