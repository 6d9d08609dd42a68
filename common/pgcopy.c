/* COPY FROM STDIN writer.  Rows are assembled in a 64 KiB buffer and sent
 * with PQputCopyData when it fills, so a load costs a few syscalls per
 * thousand rows. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "pgcopy.h"

int
pgcopy_begin(struct pgcopy *c, PGconn *conn, const char *copy_sql)
{
	c->conn = conn;
	c->n = 0;
	c->nfields = 0;
	c->failed = 0;
	c->rows = 0;
	PGresult *res = db_check(conn, PQexec(conn, copy_sql), PGRES_COPY_IN, copy_sql);
	if (res == NULL)
		return -1;
	PQclear(res);
	return 0;
}

static void
flush(struct pgcopy *c)
{
	if (c->n > 0 && !c->failed && PQputCopyData(c->conn, c->buf, (int)c->n) != 1) {
		log_error("db: COPY: %s", db_errmsg(c->conn));
		c->failed = 1;
	}
	c->n = 0;
}

/* Room for at least need more bytes (need < sizeof buf). */
static void
reserve(struct pgcopy *c, size_t need)
{
	if (c->n + need > sizeof c->buf)
		flush(c);
}

static void
sep(struct pgcopy *c)
{
	reserve(c, 1);
	if (c->nfields++ > 0)
		c->buf[c->n++] = '\t';
}

void
pgcopy_text(struct pgcopy *c, const char *s)
{
	sep(c);
	if (s == NULL) {
		reserve(c, 2);
		memcpy(c->buf + c->n, "\\N", 2);
		c->n += 2;
		return;
	}
	for (; *s; s++) {
		reserve(c, 2);
		switch (*s) {
		case '\\': c->buf[c->n++] = '\\'; c->buf[c->n++] = '\\'; break;
		case '\t': c->buf[c->n++] = '\\'; c->buf[c->n++] = 't'; break;
		case '\n': c->buf[c->n++] = '\\'; c->buf[c->n++] = 'n'; break;
		case '\r': c->buf[c->n++] = '\\'; c->buf[c->n++] = 'r'; break;
		default:   c->buf[c->n++] = *s;
		}
	}
}

void
pgcopy_rawf(struct pgcopy *c, const char *fmt, ...)
{
	sep(c);
	reserve(c, 128);
	va_list ap;
	va_start(ap, fmt);
	int w = vsnprintf(c->buf + c->n, sizeof c->buf - c->n, fmt, ap);
	va_end(ap);
	if (w < 0 || (size_t)w >= sizeof c->buf - c->n) {
		log_error("db: COPY: field too long");
		c->failed = 1;
		return;
	}
	c->n += (size_t)w;
}

void
pgcopy_endrow(struct pgcopy *c)
{
	reserve(c, 1);
	c->buf[c->n++] = '\n';
	c->nfields = 0;
	c->rows++;
}

int
pgcopy_finish(struct pgcopy *c, const char *context)
{
	flush(c);
	if (PQputCopyEnd(c->conn, c->failed ? "crmx: load aborted" : NULL) != 1) {
		log_error("db: %s: %s", context, db_errmsg(c->conn));
		c->failed = 1;
	}
	PGresult *res;
	while ((res = PQgetResult(c->conn)) != NULL) {
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			if (!c->failed) {
				char line[512];
				snprintf(line, sizeof line, "%s", PQresultErrorMessage(res));
				line[strcspn(line, "\n")] = '\0';
				log_error("db: %s: %s", context, line);
			}
			c->failed = 1;
		}
		PQclear(res);
	}
	return c->failed ? -1 : 0;
}
