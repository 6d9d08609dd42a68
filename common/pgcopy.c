/* COPY FROM STDIN writer.  Rows are assembled in a 64 KiB buffer and sent
 * with PQputCopyData when it fills, so a load costs a few syscalls per
 * thousand rows. */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
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
	c->binary = 0;
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

/* ---- binary format ---- */

int
pgcopy_begin_binary(struct pgcopy *c, PGconn *conn, const char *copy_sql)
{
	if (pgcopy_begin(c, conn, copy_sql) != 0)
		return -1;
	c->binary = 1;
	/* signature, flags, header extension length */
	static const char header[19] = "PGCOPY\n\377\r\n\0\0\0\0\0\0\0\0";
	memcpy(c->buf, header, sizeof header);
	c->n = sizeof header;
	return 0;
}

static void
put_be(struct pgcopy *c, uint64_t v, int bytes)
{
	for (int i = bytes - 1; i >= 0; i--)
		c->buf[c->n++] = (char)(v >> (8 * i));
}

void
pgcopy_brow(struct pgcopy *c, int nfields)
{
	reserve(c, 2);
	put_be(c, (uint64_t)nfields, 2);
	c->rows++;
}

void
pgcopy_bnull(struct pgcopy *c)
{
	reserve(c, 4);
	put_be(c, 0xFFFFFFFFu, 4);
}

void
pgcopy_bint4(struct pgcopy *c, int32_t v)
{
	reserve(c, 8);
	put_be(c, 4, 4);
	put_be(c, (uint32_t)v, 4);
}

void
pgcopy_bint8(struct pgcopy *c, int64_t v)
{
	reserve(c, 12);
	put_be(c, 8, 4);
	put_be(c, (uint64_t)v, 8);
}

void
pgcopy_bfloat8(struct pgcopy *c, double v)
{
	if (isnan(v) || isinf(v)) {
		pgcopy_bnull(c);
		return;
	}
	uint64_t bits;
	memcpy(&bits, &v, sizeof bits);
	reserve(c, 12);
	put_be(c, 8, 4);
	put_be(c, bits, 8);
}

void
pgcopy_bnumeric_cents(struct pgcopy *c, int64_t cents)
{
	/* numeric's wire form: ndigits, weight, sign, dscale, then base-10000
	 * digits, most significant first, no leading or trailing zero digit */
	uint64_t a = cents < 0 ? (uint64_t)0 - (uint64_t)cents : (uint64_t)cents;
	uint64_t ip = a / 100;
	uint16_t rev[8], digits[10];
	int ni = 0, nd = 0;
	for (; ip > 0; ip /= 10000)
		rev[ni++] = (uint16_t)(ip % 10000);
	for (int i = ni - 1; i >= 0; i--)
		digits[nd++] = rev[i];
	int weight = ni - 1;
	if (a % 100 != 0)
		digits[nd++] = (uint16_t)((a % 100) * 100);
	while (nd > 0 && digits[nd - 1] == 0)
		nd--;
	if (nd == 0)
		weight = 0;
	reserve(c, 4 + 8 + 2 * (size_t)nd);
	put_be(c, 8 + 2 * (uint64_t)nd, 4);
	put_be(c, (uint64_t)nd, 2);
	put_be(c, (uint16_t)(int16_t)weight, 2);
	put_be(c, cents < 0 && nd > 0 ? 0x4000 : 0, 2);
	put_be(c, 2, 2);
	for (int i = 0; i < nd; i++)
		put_be(c, digits[i], 2);
}

/* PostgreSQL counts dates and times from 2000-01-01. */
#define PG_EPOCH_DAYS 10957

void
pgcopy_bdate(struct pgcopy *c, int32_t day)
{
	pgcopy_bint4(c, day - PG_EPOCH_DAYS);
}

void
pgcopy_btimestamptz(struct pgcopy *c, double epoch_s)
{
	if (isnan(epoch_s) || isinf(epoch_s)) {
		pgcopy_bnull(c);
		return;
	}
	pgcopy_bint8(c, llround((epoch_s - PG_EPOCH_DAYS * 86400.0) * 1e6));
}

void
pgcopy_btext(struct pgcopy *c, const char *s)
{
	if (s == NULL) {
		pgcopy_bnull(c);
		return;
	}
	size_t len = strlen(s);
	if (len + 4 > sizeof c->buf) {
		log_error("db: COPY: field too long");
		c->failed = 1;
		return;
	}
	reserve(c, 4 + len);
	put_be(c, len, 4);
	memcpy(c->buf + c->n, s, len);
	c->n += len;
}

/* The header of a one-dimensional array field of n elements of type oid
 * whose elements take size bytes (with their lengths): -1 when it does
 * not fit in the buffer. */
static int
array_head(struct pgcopy *c, uint32_t oid, int n, int nulls, size_t size)
{
	size_t head = n > 0 ? 20 : 12;
	if (n < 0 || 4 + head + size > sizeof c->buf) {
		log_error("db: COPY: array field too long");
		c->failed = 1;
		return -1;
	}
	reserve(c, 4 + head + size);
	put_be(c, head + size, 4);
	put_be(c, n > 0 ? 1 : 0, 4);	/* dimensions */
	put_be(c, nulls ? 1 : 0, 4);
	put_be(c, oid, 4);
	if (n > 0) {
		put_be(c, (uint64_t)n, 4);
		put_be(c, 1, 4);	/* lower bound */
	}
	return 0;
}

void
pgcopy_btext_array(struct pgcopy *c, const char *const *v, int n)
{
	size_t size = 0;
	int nulls = 0;
	for (int i = 0; i < n; i++) {
		size += 4 + (v[i] != NULL ? strlen(v[i]) : 0);
		nulls |= v[i] == NULL;
	}
	if (array_head(c, 25 /* text */, n, nulls, size) != 0)
		return;
	for (int i = 0; i < n; i++) {
		if (v[i] == NULL) {
			put_be(c, 0xFFFFFFFF, 4);
			continue;
		}
		size_t len = strlen(v[i]);
		put_be(c, len, 4);
		memcpy(c->buf + c->n, v[i], len);
		c->n += len;
	}
}

void
pgcopy_bfloat8_array(struct pgcopy *c, const double *v, int n)
{
	if (array_head(c, 701 /* float8 */, n, 0, 12 * (size_t)(n > 0 ? n : 0)) != 0)
		return;
	for (int i = 0; i < n; i++) {
		uint64_t bits;
		memcpy(&bits, &v[i], sizeof bits);
		put_be(c, 8, 4);
		put_be(c, bits, 8);
	}
}

int
pgcopy_finish(struct pgcopy *c, const char *context)
{
	if (c->binary) {
		reserve(c, 2);
		put_be(c, 0xFFFF, 2);	/* file trailer */
	}
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
