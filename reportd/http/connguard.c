/* The slow-client guard (see connguard.h): a list of the open connections
 * with their deadlines and addresses, one mutex, and a thread that wakes
 * twice a second.  Only a connection that has been sending its request
 * for over a second counts against its address's limit, so a burst of
 * quick requests from one address (a proxy) is never cut.  A connection's socket is shut down only under the
 * mutex, and libmicrohttpd tells us of a close (which removes the entry)
 * before it closes the socket, so the descriptor shut down is always the
 * connection's own. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <netinet/in.h>

#include "clock.h"
#include "connguard.h"
#include "log.h"
#include "util.h"

struct guarded {
	struct guarded		*prev, *next;	/* newest first */
	MHD_socket		 fd;
	struct sockaddr_storage	 addr;
	double			 since;		/* monotonic: waiting for a request since */
	double			 deadline;	/* 0 while a request is answered */
	int			 cut;		/* shut down already */
};

#define SLOW_S	1.0	/* sending a request longer than this: slow */

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv;
static struct guarded *head;
static pthread_t reaper;
static int running, stopping, timeout_s, per_address;
static long n_late, n_over;	/* since the last log line */
static double logged_at;

/* The host part of two addresses is the same (ports differ). */
static int
same_host(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return 0;
	if (a->ss_family == AF_INET)
		return memcmp(&((const struct sockaddr_in *)(const void *)a)->sin_addr,
		              &((const struct sockaddr_in *)(const void *)b)->sin_addr,
		              sizeof(struct in_addr)) == 0;
	if (a->ss_family == AF_INET6)
		return memcmp(&((const struct sockaddr_in6 *)(const void *)a)->sin6_addr,
		              &((const struct sockaddr_in6 *)(const void *)b)->sin6_addr,
		              sizeof(struct in6_addr)) == 0;
	return 0;
}

/* Under mu. */
static void
cut(struct guarded *g)
{
	if (!g->cut)
		shutdown(g->fd, SHUT_RDWR);
	g->cut = 1;
}

/* Under mu: g is still sending its request after SLOW_S. */
static int
slow(const struct guarded *g, double now)
{
	return !g->cut && g->deadline > 0 && now - g->since > SLOW_S;
}

/* Under mu: cuts the connections past their deadline, and the newer slow
 * ones of an address beyond per_address (its oldest ones are kept: they
 * reach their deadline first). */
static void
reap_once(double now)
{
	for (struct guarded *g = head; g != NULL; g = g->next) {
		if (!g->cut && g->deadline > 0 && now > g->deadline) {
			cut(g);
			n_late++;
		}
	}
	if (per_address <= 0)
		return;
	for (struct guarded *g = head; g != NULL; g = g->next) {
		if (!slow(g, now))
			continue;
		int older = 0;
		for (struct guarded *o = g->next; o != NULL && older < per_address; o = o->next)
			if (slow(o, now) && same_host(&o->addr, &g->addr))
				older++;
		if (older >= per_address) {
			cut(g);
			n_over++;
		}
	}
}

static void *
reap(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&mu);
	while (!stopping) {
		reap_once(mono());
		if ((n_late || n_over) && mono() - logged_at >= 10) {	/* a line per 10 s at most */
			logged_at = mono();
			log_info("http: closed %ld connections that did not send a request within %d s, "
			         "%ld over %d still sending from one address",
			         n_late, timeout_s, n_over, per_address);
			n_late = n_over = 0;
		}
		struct timespec ts = mono_after(0.5);
		pthread_cond_timedwait(&cv, &mu, &ts);
	}
	pthread_mutex_unlock(&mu);
	return NULL;
}

int
connguard_start(int timeout, int per_addr)
{
	mono_cond_init(&cv);
	timeout_s = timeout;
	per_address = per_addr;
	stopping = 0;
	if (pthread_create(&reaper, NULL, reap, NULL) != 0)
		return -1;
	running = 1;
	return 0;
}

void
connguard_stop(void)
{
	if (!running)
		return;
	pthread_mutex_lock(&mu);
	stopping = 1;
	pthread_cond_signal(&cv);
	pthread_mutex_unlock(&mu);
	pthread_join(reaper, NULL);
	pthread_cond_destroy(&cv);
	running = 0;
}

static void
opened(struct MHD_Connection *c, void **socket_context)
{
	const union MHD_ConnectionInfo *fi = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
	const union MHD_ConnectionInfo *ai = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (fi == NULL)
		return;
	struct guarded *g = xcalloc(1, sizeof *g);
	g->fd = fi->connect_fd;
	if (ai != NULL && ai->client_addr != NULL)
		memcpy(&g->addr, ai->client_addr, ai->client_addr->sa_family == AF_INET6 ?
		       sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in));
	g->since = mono();
	g->deadline = g->since + timeout_s;
	pthread_mutex_lock(&mu);
	g->next = head;
	if (head)
		head->prev = g;
	head = g;
	pthread_mutex_unlock(&mu);
	*socket_context = g;
}

static void
closed(void **socket_context)
{
	struct guarded *g = *socket_context;
	if (g == NULL)
		return;
	pthread_mutex_lock(&mu);
	if (g->prev)
		g->prev->next = g->next;
	else
		head = g->next;
	if (g->next)
		g->next->prev = g->prev;
	pthread_mutex_unlock(&mu);
	free(g);
	*socket_context = NULL;
}

void
connguard_notify(void *cls, struct MHD_Connection *c, void **socket_context,
                 enum MHD_ConnectionNotificationCode toe)
{
	(void)cls;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED)
		opened(c, socket_context);
	else if (toe == MHD_CONNECTION_NOTIFY_CLOSED)
		closed(socket_context);
}

/* deadline 0: answering; otherwise waiting for a request from now on. */
static void
set_deadline(struct MHD_Connection *c, double deadline)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	if (ci == NULL || ci->socket_context == NULL)
		return;
	struct guarded *g = ci->socket_context;
	pthread_mutex_lock(&mu);
	g->deadline = deadline;
	if (deadline > 0)
		g->since = deadline - timeout_s;
	pthread_mutex_unlock(&mu);
}

void
connguard_received(struct MHD_Connection *c)
{
	set_deadline(c, 0);
}

void
connguard_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                    enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)con_cls;
	(void)toe;
	set_deadline(c, mono() + timeout_s);
}
