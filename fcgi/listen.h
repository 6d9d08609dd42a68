/* crmx.fcgi's listening socket: a unix socket that only its owner and
 * group may connect to, or TCP on loopback unless a host is named. */
#ifndef CRMX_LISTEN_H
#define CRMX_LISTEN_H

#include <stddef.h>

#include "config.h"

/* Opens [fcgi] listen with [fcgi] backlog (a unix socket gets
 * socket_owner, socket_group and socket_mode).  Returns the descriptor, or
 * -1 with one line in err. */
int listen_open(const struct crmx_config *cfg, char *err, size_t errlen);

/* The kernel's cap on a listen queue (net.core.somaxconn), or -1. */
int listen_somaxconn(void);

#endif
