/* The response as FastCGI stdout records (records.h).  Through libfcgi's
 * stream a page went out in records of its 8 KB buffer, one write and one
 * wake-up of nginx each (a team view of 91 KB: twelve); here it is one
 * sendmsg of records as large as the protocol allows. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <stdint.h>
#include <sys/uio.h>

#include <fastcgi.h>

#include "records.h"

enum { RECORD_MAX = 65535, IOV_MAX_HERE = 32 };

static void
header(FCGI_Header *h, int id, size_t len)
{
	memset(h, 0, sizeof *h);
	h->version = FCGI_VERSION_1;
	h->type = FCGI_STDOUT;
	h->requestIdB1 = (unsigned char)((id >> 8) & 0xff);
	h->requestIdB0 = (unsigned char)(id & 0xff);
	h->contentLengthB1 = (unsigned char)((len >> 8) & 0xff);
	h->contentLengthB0 = (unsigned char)(len & 0xff);
}

/* All of iov[0..n) on fd, however the socket takes them in. */
static int
send_all(int fd, struct iovec *iov, int n)
{
	while (n > 0) {
		struct msghdr m = { .msg_iov = iov, .msg_iovlen = (size_t)n };
		ssize_t sent = sendmsg(fd, &m, MSG_NOSIGNAL);
		if (sent < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		while (n > 0 && (size_t)sent >= iov->iov_len) {
			sent -= (ssize_t)iov->iov_len;
			iov++;
			n--;
		}
		if (n > 0) {
			iov->iov_base = (char *)iov->iov_base + sent;
			iov->iov_len -= (size_t)sent;
		}
	}
	return 0;
}

int
records_send(int fd, int id, const char *p, size_t len)
{
	FCGI_Header h[IOV_MAX_HERE / 2];
	struct iovec iov[IOV_MAX_HERE];
	while (len > 0) {
		int n = 0;
		for (; len > 0 && n < IOV_MAX_HERE; n += 2) {
			size_t k = len < RECORD_MAX ? len : RECORD_MAX;
			header(&h[n / 2], id, k);
			iov[n] = (struct iovec){ .iov_base = &h[n / 2], .iov_len = sizeof h[0] };
			iov[n + 1] = (struct iovec){ .iov_base = (void *)(uintptr_t)p, .iov_len = k };
			p += k;
			len -= k;
		}
		if (send_all(fd, iov, n) != 0)
			return -1;
	}
	return 0;
}
