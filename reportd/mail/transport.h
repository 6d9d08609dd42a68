/* Hands a built report mail to the mail system: SMTP through libcurl's
 * SMTP and MIME API (STARTTLS, authentication), or the local sendmail
 * program (fork + execve "sendmail -t -oi", message on a pipe). */
#ifndef CRMX_TRANSPORT_H
#define CRMX_TRANSPORT_H

#include <stddef.h>

#include "config.h"
#include "mail.h"

struct send_result {
	long	 code;		/* the server's last reply code; 0 when none */
	char	 error[512];	/* why it failed, one line */
};

/* Call once before any thread starts (curl_global_init). */
int transport_init(void);
void transport_cleanup(void);

/* Sends m to one address.  Returns 0 when the server (or sendmail)
 * accepted the message; the Message-ID used goes into msgid.  On failure
 * returns -1 and fills r. */
int transport_send(const struct crmx_config *cfg, const struct mail_message *m,
                   const char *to, char *msgid, size_t msgidlen, struct send_result *r);

#endif
