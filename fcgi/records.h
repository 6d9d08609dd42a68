/* A response sent to the web server whole, as FastCGI stdout records. */
#ifndef CRMX_RECORDS_H
#define CRMX_RECORDS_H

#include <stddef.h>

/* Sends LEN bytes of P on FD as the stdout of request ID: records of up
 * to 65,535 bytes each (the protocol's largest), as few system calls as
 * the socket takes them in.  libfcgi then ends the stream and the request
 * (FCGX_Finish_r), its own buffer being empty.  0, or -1 (errno) when the
 * web server went away. */
int records_send(int fd, int id, const char *p, size_t len);

#endif
