/* Guards reportd's HTTP service against slow clients (slowloris): a
 * client has [reportd] request_timeout_s to send a whole request, counted
 * from its connection (or from the previous answer on a kept-alive
 * connection) whatever it trickles meanwhile, and at most
 * [reportd] waiting_per_address connections of one address may be still
 * sending at once.  A connection past its deadline or over the limit is
 * shut down; libmicrohttpd then closes it as any other. */
#ifndef CRMX_CONNGUARD_H
#define CRMX_CONNGUARD_H

#include <microhttpd.h>

/* Starts the thread that shuts down late connections.  0, or -1 when the
 * thread cannot start. */
int connguard_start(int timeout_s, int per_address);
void connguard_stop(void);

/* MHD_OPTION_NOTIFY_CONNECTION: a connection opens or closes. */
void connguard_notify(void *cls, struct MHD_Connection *c, void **socket_context,
                      enum MHD_ConnectionNotificationCode toe);
/* The whole request of c has arrived: no deadline while it is answered. */
void connguard_received(struct MHD_Connection *c);
/* MHD_OPTION_NOTIFY_COMPLETED: c was answered; the next request on it
 * has a deadline again. */
void connguard_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe);

#endif
