/* The daemon's mail thread: queues each report written (a report.h hook)
 * for the [mail] recipients and sends what is due, new mail and retries,
 * with its own database connection. */
#ifndef CRMX_MAILER_H
#define CRMX_MAILER_H

#include "config.h"

/* Starts the thread and registers the hook; nothing when mail.transport
 * is off.  Returns 0, or -1 when the thread cannot start. */
int mailer_start(const struct crmx_config *cfg);
/* Stops the thread after the message it is sending, if any. */
void mailer_stop(void);

#endif
