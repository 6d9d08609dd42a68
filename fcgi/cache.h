/* What a worker keeps of its answers until the data under them changes.
 *
 * Each worker keeps, in its own memory, the pages it rendered (and the
 * viewers it looked up), each tagged with the owners whose data it shows.
 * The database says what changed on the channel crmx_changed (the change
 * feed: sql/migrations/0012_change_feed.sql), which the worker's
 * connection LISTENs to; before each request the worker reads what
 * arrived and drops the pages of viewers who see one of the named owners.
 * A page also goes at the day's end in the panels' time zone (ages in
 * days, "this month"), after [fcgi] cache_max_age_s, and whenever the
 * connection is lost (what was said meanwhile is unknown).
 *
 * Installing an adapter says 'adapter': the worker empties its cache and
 * looks for the new adapter's feed.
 *
 * A page fetched while a change arrived is not kept: the change may have
 * committed after the page's snapshot.  Without a change feed (an adapter
 * that does not define crmx_src.change_feed()) nothing is kept. */
#ifndef CRMX_CACHE_H
#define CRMX_CACHE_H

#include <stddef.h>
#include <time.h>

#include <libpq-fe.h>

struct cache_stats {
	unsigned long	hits, misses, stored, dropped, flushes;
	size_t		bytes, entries;
};

/* max_bytes 0 turns the cache off. */
void cache_init(size_t max_bytes, int max_age_s);
/* After (re)connecting, with the session's time zone set: listens to the
 * change feed if the adapter has one and empties the cache.  -1 when the
 * database failed (the caller drops the connection). */
int cache_connect(PGconn *conn);
/* The feed is heard until day_end (cache_connect; tests). */
void cache_feed_on(time_t day_end);
/* Empties the cache (the connection was dropped). */
void cache_forget(void);
/* Before a request: applies what the feed said, and the day's end.
 * -1 when the connection turned out to be lost (the cache is emptied). */
int cache_sync(PGconn *conn, time_t now);
/* Whether pages are kept (a feed, and a size above 0). */
int cache_on(void);
/* Counts changes heard; a page is kept only if the count did not move
 * between the start of its request and cache_put (after cache_sync). */
unsigned long cache_stamp(void);

/* A kept value (its bytes) or NULL; counts a hit or a miss. */
const char *cache_get(const char *key, size_t keylen, size_t *len, time_t now);
/* Keeps a value under key, tagged with the owners it shows: owners is the
 * viewer's set as SQL array text ("{3,5}"); NULL: every owner (dropped on
 * any change); global: only dropped when everything changed ('*'). */
void cache_put(const char *key, size_t keylen, const char *owners, int global,
               const char *val, size_t len, unsigned long stamp, time_t now);
/* Values of n fields (pages: type, headers, body; viewers: name,
 * language, owners), kept NUL-separated: cache_put_fields stores them
 * (lens[i] bytes of parts[i]); cache_get_fields gives them back, each but
 * the last NUL-terminated, the last with its length (0 on a miss, -1). */
void cache_put_fields(const char *key, size_t keylen, const char *owners, int global, int n,
                      const char *const *parts, const size_t *lens, unsigned long stamp,
                      time_t now);
int cache_get_fields(const char *key, size_t keylen, int n, const char **parts,
                     size_t *last_len, time_t now);
/* Applies one notification payload (the feed's format); for tests. */
void cache_changed(const char *payload);
void cache_get_stats(struct cache_stats *s);

#endif
