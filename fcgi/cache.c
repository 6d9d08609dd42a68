/* The worker's cache (see cache.h): a hash table of keys with an LRU list,
 * bounded in bytes, and the change feed that empties it. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "log.h"
#include "util.h"

#define FEED "crmx_changed"
#define MAX_NAMED 2048	/* owners in one notification; more: everything */

struct entry {
	struct entry	*next;		/* hash chain */
	struct entry	*newer, *older;	/* LRU list */
	uint64_t	 hash;
	time_t		 born;
	int		 global;	/* dropped only by '*' */
	int		 all;		/* shows every owner */
	int64_t		*owners;	/* sorted; n_owners of them */
	size_t		 n_owners;
	size_t		 keylen, len;
	char		*key, *val;
};

static struct {
	size_t		 max_bytes;
	int		 max_age;
	int		 listening;	/* the connection listens */
	int		 feed;		/* and the adapter has a change feed */
	int		 lost;		/* the server said it ends the session */
	time_t		 day_end;	/* the next midnight in the session's time zone */
	unsigned long	 stamp;
	struct entry	**buckets;
	size_t		 nbuckets;
	struct entry	*newest, *oldest;
	struct cache_stats st;
} c;

static uint64_t
hash_of(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a */
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static size_t
entry_bytes(const struct entry *e)
{
	return sizeof *e + e->keylen + e->len + e->n_owners * sizeof *e->owners;
}

static void
unlink_lru(struct entry *e)
{
	if (e->newer)
		e->newer->older = e->older;
	else
		c.newest = e->older;
	if (e->older)
		e->older->newer = e->newer;
	else
		c.oldest = e->newer;
	e->newer = e->older = NULL;
}

static void
push_newest(struct entry *e)
{
	e->older = c.newest;
	e->newer = NULL;
	if (c.newest)
		c.newest->newer = e;
	c.newest = e;
	if (c.oldest == NULL)
		c.oldest = e;
}

static void
drop(struct entry *e)
{
	struct entry **p = &c.buckets[e->hash & (c.nbuckets - 1)];
	while (*p != e)
		p = &(*p)->next;
	*p = e->next;
	unlink_lru(e);
	c.st.bytes -= entry_bytes(e);
	c.st.entries--;
	free(e->key);
	free(e->val);
	free(e->owners);
	free(e);
}

static void
flush(void)
{
	while (c.oldest)
		drop(c.oldest);
	c.st.flushes++;
}

void
cache_init(size_t max_bytes, int max_age_s)
{
	flush();
	free(c.buckets);
	memset(&c.st, 0, sizeof c.st);
	c.max_bytes = max_bytes;
	c.max_age = max_age_s;
	c.nbuckets = 1024;
	c.buckets = calloc(c.nbuckets, sizeof *c.buckets);
	if (c.buckets == NULL)
		c.max_bytes = 0;
}

int
cache_on(void)
{
	return c.max_bytes > 0 && c.feed;
}

unsigned long
cache_stamp(void)
{
	return c.stamp;
}

void
cache_forget(void)
{
	c.feed = c.listening = 0;
	c.stamp++;
	flush();
}

/* The next midnight in the session's time zone, as the database sees it,
 * on this host's clock (the two clocks may differ). */
static int
fetch_day_end(PGconn *conn)
{
	PGresult *r = PQexec(conn,
	    "SELECT ceil(extract(epoch FROM date_trunc('day', now()) + interval '1 day' - now()))");
	int ok = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;
	if (ok)
		c.day_end = time(NULL) + (time_t)strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return ok ? 0 : -1;
}

/* A server that ends the session while it is idle (shutdown, an
 * administrator's pg_terminate_backend) says FATAL before closing; libpq
 * passes that on as a notice, and the close may only be seen later. */
static void
on_notice(void *arg, const PGresult *res)
{
	(void)arg;
	const char *sev = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
	const char *msg = PQresultErrorMessage(res);
	if (sev != NULL && (strcmp(sev, "FATAL") == 0 || strcmp(sev, "PANIC") == 0))
		c.lost = 1;
	log_warn("database: %.*s", (int)strcspn(msg ? msg : "", "\n"), msg ? msg : "");
}

int
cache_connect(PGconn *conn)
{
	cache_forget();
	c.lost = 0;
	PQsetNoticeReceiver(conn, on_notice, NULL);
	if (c.max_bytes == 0)
		return 0;
	/* Listen first (even without a feed: another adapter may bring one),
	 * then look: an adapter installed in between is announced to us. */
	PGresult *r = PQexec(conn, "LISTEN " FEED);
	int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	PQclear(r);
	if (!ok)
		return -1;
	r = PQexec(conn, "SELECT to_regprocedure('crmx_src.change_feed()') IS NOT NULL");
	ok = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;
	int has_feed = ok && PQgetvalue(r, 0, 0)[0] == 't';
	PQclear(r);
	if (!ok || fetch_day_end(conn) != 0)
		return -1;
	c.listening = 1;
	if (has_feed)	/* else the adapter cannot say what changed: keep nothing */
		cache_feed_on(c.day_end);
	return 0;
}

void
cache_feed_on(time_t day_end)
{
	c.listening = c.feed = 1;
	c.day_end = day_end;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* Ids in text ("{3,5}" or "3,5"): sorted into out (at most max); the
 * count, or -1 when there are more or one is not a number. */
static long
parse_ids(const char *s, int64_t *out, size_t max)
{
	size_t n = 0;
	while (*s) {
		if (*s == '{' || *s == '}' || *s == ',') {
			s++;
			continue;
		}
		char *end;
		long long v = strtoll(s, &end, 10);
		if (end == s || n == max)
			return -1;
		out[n++] = v;
		s = end;
	}
	qsort(out, n, sizeof *out, cmp_i64);
	return (long)n;
}

static int
meet(const int64_t *a, size_t na, const int64_t *b, size_t nb)
{
	size_t i = 0, j = 0;
	while (i < na && j < nb) {
		if (a[i] == b[j])
			return 1;
		if (a[i] < b[j])
			i++;
		else
			j++;
	}
	return 0;
}

void
cache_changed(const char *payload)
{
	static int64_t named[MAX_NAMED];
	c.stamp++;
	long n = strcmp(payload, "*") == 0 ? -1 : parse_ids(payload, named, MAX_NAMED);
	if (n < 0) {
		flush();
		return;
	}
	for (struct entry *e = c.oldest, *next; e != NULL; e = next) {
		next = e->newer;
		if (!e->global && (e->all || meet(e->owners, e->n_owners, named, (size_t)n))) {
			drop(e);
			c.st.dropped++;
		}
	}
}

int
cache_sync(PGconn *conn, time_t now)
{
	if (!c.listening)
		return 0;
	if (PQconsumeInput(conn) == 0 || PQstatus(conn) != CONNECTION_OK) {
		cache_forget();
		return -1;
	}
	PGnotify *n;
	int adapter = 0;
	while ((n = PQnotifies(conn)) != NULL) {
		if (strcmp(n->relname, FEED) == 0 && strcmp(n->extra, "adapter") == 0)
			adapter = 1;
		else if (strcmp(n->relname, FEED) == 0)
			cache_changed(n->extra);
		PQfreemem(n);
	}
	if (c.lost) {	/* parsed with the notifications */
		cache_forget();
		return -1;
	}
	if (adapter)	/* crmx_src was made anew: the new adapter may have no feed */
		return cache_connect(conn);
	if (now >= c.day_end) {
		c.stamp++;
		flush();
		if (fetch_day_end(conn) != 0) {
			cache_forget();
			return -1;
		}
	}
	return 0;
}

static struct entry *
find(const char *key, size_t keylen, uint64_t h)
{
	for (struct entry *e = c.buckets[h & (c.nbuckets - 1)]; e; e = e->next)
		if (e->hash == h && e->keylen == keylen && memcmp(e->key, key, keylen) == 0)
			return e;
	return NULL;
}

const char *
cache_get(const char *key, size_t keylen, size_t *len, time_t now)
{
	if (!cache_on())
		return NULL;
	struct entry *e = find(key, keylen, hash_of(key, keylen));
	if (e != NULL && now - e->born >= c.max_age) {
		drop(e);
		e = NULL;
	}
	if (e == NULL) {
		c.st.misses++;
		return NULL;
	}
	c.st.hits++;
	unlink_lru(e);
	push_newest(e);
	*len = e->len;
	return e->val;
}

static void
grow(void)
{
	size_t n = c.nbuckets * 2;
	struct entry **b = calloc(n, sizeof *b);
	if (b == NULL)
		return;
	for (size_t i = 0; i < c.nbuckets; i++)
		for (struct entry *e = c.buckets[i], *next; e; e = next) {
			next = e->next;
			e->next = b[e->hash & (n - 1)];
			b[e->hash & (n - 1)] = e;
		}
	free(c.buckets);
	c.buckets = b;
	c.nbuckets = n;
}

/* One store for both: the fields are copied once, NUL-separated, into
 * the entry. */
void
cache_put_fields(const char *key, size_t keylen, const char *owners, int global, int n,
                 const char *const *parts, const size_t *lens, unsigned long stamp, time_t now)
{
	if (!cache_on() || stamp != c.stamp)
		return;	/* off, or a change arrived while this was fetched */
	int64_t ids[MAX_NAMED];
	long nids = 0;
	if (owners != NULL && (nids = parse_ids(owners, ids, MAX_NAMED)) < 0)
		return;	/* too many to keep track of */
	size_t len = 0;
	for (int i = 0; i < n; i++)
		len += lens[i] + (i < n - 1);
	uint64_t h = hash_of(key, keylen);
	struct entry *old = find(key, keylen, h);
	if (old != NULL)
		drop(old);
	if (sizeof(struct entry) + keylen + len + (size_t)nids * sizeof *ids > c.max_bytes / 4)
		return;	/* one page must not evict the rest */
	struct entry *e = xcalloc(1, sizeof *e);
	e->hash = h;
	e->born = now;
	e->global = global;
	e->all = owners == NULL;
	e->n_owners = (size_t)nids;
	e->owners = nids ? xmalloc((size_t)nids * sizeof *ids) : NULL;
	if (nids)
		memcpy(e->owners, ids, (size_t)nids * sizeof *ids);
	e->keylen = keylen;
	e->key = xmalloc(keylen);
	memcpy(e->key, key, keylen);
	e->len = len;
	e->val = xmalloc(len + 1);
	char *p = e->val;
	for (int i = 0; i < n; i++) {
		memcpy(p, parts[i], lens[i]);
		p += lens[i];
		if (i < n - 1)
			*p++ = '\0';
	}
	*p = '\0';
	while (c.oldest && c.st.bytes + entry_bytes(e) > c.max_bytes)
		drop(c.oldest);
	e->next = c.buckets[h & (c.nbuckets - 1)];
	c.buckets[h & (c.nbuckets - 1)] = e;
	push_newest(e);
	c.st.bytes += entry_bytes(e);
	c.st.entries++;
	c.st.stored++;
	if (c.st.entries > c.nbuckets)
		grow();
}

void
cache_put(const char *key, size_t keylen, const char *owners, int global,
          const char *val, size_t len, unsigned long stamp, time_t now)
{
	cache_put_fields(key, keylen, owners, global, 1, &val, &len, stamp, now);
}

int
cache_get_fields(const char *key, size_t keylen, int n, const char **parts, size_t *last_len,
                 time_t now)
{
	size_t len;
	const char *v = cache_get(key, keylen, &len, now);
	if (v == NULL)
		return -1;
	const char *p = v, *end = v + len;
	for (int i = 0; i < n - 1; i++) {
		const char *z = memchr(p, '\0', (size_t)(end - p));
		if (z == NULL)
			return -1;	/* not what was put */
		parts[i] = p;
		p = z + 1;
	}
	parts[n - 1] = p;
	*last_len = (size_t)(end - p);
	return 0;
}

void
cache_get_stats(struct cache_stats *s)
{
	*s = c.st;
}
