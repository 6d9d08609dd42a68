/* reportd/mail/: the weekly mail: the message built from a report folder
 * (this header), its MIME text (mailraw.c), delivery records (deliver.c),
 * the transports (transport.c) and the daemon's mail thread (mailer.c).
 *
 * The weekly report as an email: the message model built from one report
 * directory (<report_dir>/<YYYY-Www>/: summary.json, charts/NAME.png, NAME.csv)
 * and its header lines.  Sending it is reportd/mail/transport.c; who gets it
 * and when is reportd/mail/deliver.c. */
#ifndef CRMX_MAIL_H
#define CRMX_MAIL_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "i18n.h"

/* A file carried in the message: an inline chart or an attached CSV. */
struct mail_file {
	char	*path;		/* on disk */
	char	*name;		/* file name shown to the reader */
	char	*cid;		/* Content-ID without <>; NULL for attachments */
	char	*title;		/* a chart's caption, or NULL */
};

struct mail_message {
	char	 week[16];	/* "2026-W27" */
	int64_t	 run_id;	/* from summary.json; 0 when absent */
	enum lang lang;
	char	*subject;	/* UTF-8, not yet encoded */
	char	*text;		/* text/plain body */
	char	*html;		/* text/html body: tables, inline CSS, no script */
	struct mail_file *images;
	size_t	 nimages;
	struct mail_file *attachments;
	size_t	 nattachments;
};

/* Builds the message for the report of `week` under cfg's report_dir in
 * language l.  Returns 0, or -1 with one line in err (missing or broken
 * report).  mail_free() releases *m either way. */
int mail_build(struct mail_message *m, const struct crmx_config *cfg, const char *week,
               enum lang l, char *err, size_t errlen);
void mail_free(struct mail_message *m);

/* The newest report directory under cfg's report_dir that has a
 * summary.json, as its week name into week (>= 16 bytes).  -1 when none. */
int mail_latest_week(const struct crmx_config *cfg, char *week, size_t len);

/* Checks the [mail] settings once at start-up (transport, addresses,
 * starttls value, URL scheme).  -1 with one line in err. */
int mail_config_check(const struct crmx_config *cfg, char *err, size_t errlen);

/* Configured recipients: calls fn(address, language, arg) for every
 * address of every recipients* setting, in order; stops at and returns a
 * non-zero return of fn. */
int mail_each_recipient(const struct crmx_config *cfg,
                        int (*fn)(const char *addr, enum lang l, void *arg), void *arg);

/* Whether s is an address we accept (local@domain, printable ASCII, no
 * spaces, quotes or angle brackets, at most 254 bytes). */
int mail_address_ok(const char *s);

/* The message's header lines, without CRLF, in a NULL-terminated array
 * the caller frees with mail_headers_free(): Date, Message-ID, From, To,
 * Subject (RFC 2047 encoded words when not ASCII), and X-Crmx-Week /
 * X-Crmx-Run for tracing.  *envelope_from gets the bare sender address
 * (caller frees).  message_id (with <>) is written into msgid. */
char **mail_headers(const struct mail_message *m, const struct crmx_config *cfg,
                    const char *to, char **envelope_from, char *msgid, size_t msgidlen);
void mail_headers_free(char **h);

/* RFC 2047 "B" encoded words for a UTF-8 header text (unchanged copy when
 * it is printable ASCII); words split on character boundaries.  Caller
 * frees. */
char *mail_encode_words(const char *utf8);

/* Base64 of n bytes, lines of 76 characters joined by CRLF when wrap.
 * Caller frees. */
char *mail_base64(const unsigned char *p, size_t n, int wrap);

/* The whole message as RFC 5322 text with CRLF line ends (for sendmail;
 * SMTP builds the same structure with curl_mime): headers, then
 * multipart/mixed [ multipart/related [ multipart/alternative [text, html],
 * charts ], CSV files ].  Every part is base64.  NULL with err when a file
 * cannot be read.  Caller frees. */
char *mail_raw(const struct mail_message *m, char *const *headers, size_t *len,
               char *err, size_t errlen);

#endif
