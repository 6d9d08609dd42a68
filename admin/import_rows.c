/* The CSV import's files, read and checked without a database (see
 * import_rows.h).  The rules, which docs/data.md's import section states:
 * well-formed UTF-8 with no NUL and no control character (C0, DEL, C1;
 * tab and line breaks inside a field included) in any field; ids digits
 * only (leading zeros dropped, so 0900301 is 900301); amounts of deals
 * >= 0, of revenue signed; probabilities plain decimals 0..1; dates
 * YYYY-MM-DD; times with a zone offset within -12:00..+14:00; one row
 * named once per file; a quote left open is reported where it opened. */
#include <errno.h>
#include <search.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>
#include <unistr.h>

#include "date.h"
#include "import_rows.h"
#include "log.h"
#include "utf8.h"
#include "util.h"

const struct import_table import_tables[] = {
	{ "users", "crmx_native.users", "user_id", 1, {
		{ "user_id", C_ID, 1 }, { "login", C_TEXT, 1 }, { "name", C_TEXT, 1 },
		{ "team", C_TEXT, 0 }, { "role", C_USERROLE, 1 } }, { { 0 } },
	  "user_id", "login" },
	{ "accounts", "crmx_native.accounts", "account_id", 1, {
		{ "account_id", C_ID, 1 }, { "name", C_TEXT, 1 }, { "owner_id", C_ID, 0 },
		{ "region", C_TEXT, 0 }, { "city", C_TEXT, 0 }, { "industry", C_TEXT, 0 },
		{ "created_at", C_TS, 0 } },
	  { { "owner_id", "crmx_native.users (user_id)", "user" } }, "account_id", NULL },
	{ "contacts", "crmx_native.contacts", "contact_id", 1, {
		{ "contact_id", C_ID, 1 }, { "account_id", C_ID, 1 }, { "name", C_TEXT, 1 },
		{ "title", C_TEXT, 0 }, { "purchase_role", C_ROLE, 0 } },
	  { { "account_id", "crmx_native.accounts (account_id)", "account" } },
	  "contact_id", NULL },
	{ "opportunities", "crmx_native.opportunities", "opportunity_id", 1, {
		{ "opportunity_id", C_ID, 1 }, { "account_id", C_ID, 1 },
		{ "owner_id", C_ID, 0 }, { "name", C_TEXT, 1 }, { "source", C_TEXT, 0 },
		{ "stage", C_TEXT, 1 }, { "amount", C_MONEY, 0 }, { "probability", C_PROB, 0 },
		{ "created_at", C_TS, 1 }, { "stage_entered_at", C_TS, 0 },
		{ "expected_close", C_DATE, 0 }, { "closed_at", C_TS, 0 },
		{ "lost_reason", C_TEXT, 0 },
		/* derived by the native adapter; accepted so that an export of
		 * crmx_src loads back, but not stored */
		{ "stage_rank", C_IGNORED, 0 }, { "outcome", C_IGNORED, 0 } },
	  { { "account_id", "crmx_native.accounts (account_id)", "account" },
	    { "owner_id", "crmx_native.users (user_id)", "user" },
	    { "stage", "crmx_native.stages (stage)", "stage" } },
	  "opportunity_id", NULL },
	{ "stage_history", "crmx_native.stage_history", "opportunity_id, stage_rank, entered_at", 0, {
		{ "opportunity_id", C_ID, 1 }, { "stage_rank", C_RANK, 1 },
		{ "entered_at", C_TS, 1 } },
	  { { "opportunity_id", "crmx_native.opportunities (opportunity_id)", "opportunity" } },
	  "opportunity_id, stage_rank, entered_at", NULL },
	{ "revenue", "crmx_native.revenue", "import_key", 1, {
		{ "revenue_id", C_TEXT, 0 }, { "account_id", C_ID, 1 },
		{ "booked_at", C_DATE, 1 }, { "amount", C_NET, 1 }, { "margin", C_NET, 0 } },
	  { { 0 } },	/* unknown accounts are created instead */
	  "revenue_id", NULL },
	{ "activities", "crmx_native.activities", "activity_id", 1, {
		{ "activity_id", C_ID, 1 }, { "account_id", C_ID, 1 },
		{ "opportunity_id", C_ID, 0 }, { "owner_id", C_ID, 0 }, { "kind", C_TEXT, 1 },
		{ "started_at", C_TS, 1 }, { "minutes", C_COUNT, 0 } },
	  { { "account_id", "crmx_native.accounts (account_id)", "account" },
	    { "opportunity_id", "crmx_native.opportunities (opportunity_id)", "opportunity" },
	    { "owner_id", "crmx_native.users (user_id)", "user" } },
	  "activity_id", NULL },
};
const size_t import_ntables = sizeof import_tables / sizeof import_tables[0];

const struct import_table *
import_table_for(const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	size_t n = strlen(base);
	if (n < 5 || strcmp(base + n - 4, ".csv") != 0)
		return NULL;
	for (size_t i = 0; i < import_ntables; i++)
		if (strlen(import_tables[i].name) == n - 4 &&
		    strncmp(base, import_tables[i].name, n - 4) == 0)
			return &import_tables[i];
	return NULL;
}

/* ---- messages ---- */

void
import_rows_error(struct import_rows *rs, long line, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (rs->errors++ < IMPORT_MAX_ERRORS && rs->errout != NULL)
		fprintf(rs->errout, "%s:%ld: %s\n", rs->path, line, msg);
}

/* The first ~60 bytes of a value for a message: whole characters, and
 * every control character or byte that is not UTF-8 as \xNN, so that a
 * message is one line of valid text whatever the file held. */
static const char *
shown(char *buf, size_t size, const char *v, size_t len)
{
	const uint8_t *s = (const uint8_t *)v;
	size_t i = 0, o = 0;
	while (i < len && i < 60 && o + 8 < size) {
		ucs4_t uc;
		int n = u8_mbtoucr(&uc, s + i, len - i);
		if (n > 0 && uc >= 0x20 && uc != 0x7f && !(uc >= 0x80 && uc <= 0x9f)) {
			memcpy(buf + o, s + i, (size_t)n);
			o += (size_t)n;
			i += (size_t)n;
			continue;
		}
		n = n > 0 ? n : 1;
		for (int k = 0; k < n && o + 4 < size; k++)
			o += (size_t)snprintf(buf + o, size - o, "\\x%02x", s[i + (size_t)k]);
		i += (size_t)n;
	}
	if (i < len && o + 4 < size)
		o += (size_t)snprintf(buf + o, size - o, "...");
	buf[o] = '\0';
	return buf;
}

/* ---- field validation ---- */

static int
is_digits(const char *s, size_t n)
{
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* A whole number of digits only within min..max, rewritten in place
 * without leading zeros (so that one id has one spelling). */
static int
canonical_int(char *v, size_t *len, int64_t min, int64_t max)
{
	if (!is_digits(v, *len))
		return -1;
	size_t z = 0;
	while (z + 1 < *len && v[z] == '0')
		z++;
	if (*len - z > 18)	/* more than any bigint we take */
		return -1;
	int64_t n = 0;
	for (size_t i = z; i < *len; i++)
		n = n * 10 + (v[i] - '0');
	if (n < min || n > max)
		return -1;
	memmove(v, v + z, *len - z + 1);
	*len -= z;
	return 0;
}

/* [-]digits[.digits] with at most 16 integer and 2 decimal digits: what
 * numeric(18,2) holds. */
static int
valid_money(const char *s, int negative_ok)
{
	if (*s == '-' && negative_ok)
		s++;
	const char *dot = strchr(s, '.');
	size_t ip = dot ? (size_t)(dot - s) : strlen(s);
	if (!is_digits(s, ip) || ip > 16)
		return 0;
	if (dot == NULL)
		return 1;
	size_t fp = strlen(dot + 1);
	return fp >= 1 && fp <= 2 && is_digits(dot + 1, fp);
}

/* 0 or 1, optionally followed by a point and 1..15 digits, at most 1:
 * no sign, exponent, hex, inf or nan (strtod would take them all). */
static int
valid_prob(const char *s)
{
	if (s[0] != '0' && s[0] != '1')
		return 0;
	if (s[1] != '\0') {
		size_t fp = strlen(s + 2);
		if (s[1] != '.' || fp < 1 || fp > 15 || !is_digits(s + 2, fp))
			return 0;
	}
	return strtod(s, NULL) <= 1.0;
}

/* YYYY-MM-DD, a real day (the date core checks every digit). */
static int
valid_date(const char *s)
{
	int32_t day;
	return parse_date(s, &day) == 0;
}

static int
two(const char *s)
{
	return (s[0] - '0') * 10 + (s[1] - '0');
}

/* YYYY-MM-DD, optionally followed by [T ]HH:MM[:SS[.ffffff]] and a zone
 * Z / +HH[[:]MM] / -HH[[:]MM] within -12:00..+14:00.  Without a zone,
 * UTC. */
static int
valid_ts(const char *s)
{
	char date[11];
	if (strlen(s) < 10)
		return 0;
	memcpy(date, s, 10);
	date[10] = '\0';
	if (!valid_date(date))
		return 0;
	s += 10;
	if (*s == '\0')
		return 1;
	if (*s != 'T' && *s != ' ')
		return 0;
	s++;
	if (!is_digits(s, 2) || s[2] != ':' || !is_digits(s + 3, 2) ||
	    two(s) > 23 || two(s + 3) > 59)
		return 0;
	s += 5;
	if (*s == ':') {
		if (!is_digits(s + 1, 2) || two(s + 1) > 59)
			return 0;
		s += 3;
		if (*s == '.') {
			size_t n = strspn(s + 1, "0123456789");
			if (n == 0 || n > 6)
				return 0;
			s += 1 + n;
		}
	}
	if (*s == '\0' || strcmp(s, "Z") == 0)
		return 1;
	if (*s != '+' && *s != '-')
		return 0;
	int sign = *s++ == '-' ? -1 : 1;
	if (!is_digits(s, 2))
		return 0;
	int minutes = two(s) * 60;
	s += 2;
	if (*s == ':')
		s++;
	if (*s != '\0') {
		if (!is_digits(s, 2) || s[2] != '\0' || two(s) > 59)
			return 0;
		minutes += two(s);
	}
	minutes *= sign;
	return minutes >= -12 * 60 && minutes <= 14 * 60;
}

static int
in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return 1;
	return 0;
}

/* A C0 control, DEL or a C1 control (U+0080..U+009F) in well-formed
 * UTF-8: the offset of the first, or -1. */
static long
control_at(const char *v, size_t len)
{
	const unsigned char *s = (const unsigned char *)v;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < 0x20 || s[i] == 0x7f)
			return (long)i;
		if (s[i] == 0xc2 && i + 1 < len && s[i + 1] >= 0x80 && s[i + 1] <= 0x9f)
			return (long)i;
	}
	return -1;
}

/* NULL when v (len bytes, NUL-terminated; integers are rewritten
 * canonically, len with them) is fine for the type, else what was
 * expected. */
static const char *
check_field(enum import_ctype t, char *v, size_t *len)
{
	static const char *const purchase_roles[] = { "decision_maker", "recommender", "user",
	                                             "influencer", "insider", NULL };
	static const char *const user_roles[] = { "rep", "manager", "exec", "admin", NULL };
	if (memchr(v, '\0', *len) != NULL)
		return "text without a NUL byte";
	if (!utf8_valid(v, *len))
		return "valid UTF-8 text";
	if (control_at(v, *len) >= 0)
		return "text without control characters (tab and line breaks included)";
	switch (t) {
	case C_ID:
		return canonical_int(v, len, 1, INT64_MAX) ? "a positive whole number (digits only)" : NULL;
	case C_COUNT:
		return canonical_int(v, len, 0, INT32_MAX) ? "a whole number >= 0 (digits only)" : NULL;
	case C_RANK:
		return canonical_int(v, len, 1, 5) ? "a funnel rank from 1 to 5" : NULL;
	case C_TEXT:
	case C_IGNORED:
		return *len > 10000 ? "text of at most 10000 bytes" : NULL;
	case C_MONEY:
		return valid_money(v, 0) ? NULL : "an amount >= 0 like 1234.50 (at most 2 decimals)";
	case C_NET:
		return valid_money(v, 1) ? NULL : "an amount like 1234.50 or -20.00 (at most 2 decimals)";
	case C_PROB:
		return valid_prob(v) ? NULL : "a probability from 0 to 1 written like 0.25";
	case C_DATE:
		return valid_date(v) ? NULL : "a date YYYY-MM-DD";
	case C_TS:
		return valid_ts(v) ? NULL :
		       "a time YYYY-MM-DD[ HH:MM[:SS]][zone from -12:00 to +14:00]";
	case C_ROLE:
		return in_list(v, purchase_roles) ? NULL :
		       "decision_maker, recommender, user, influencer or insider";
	case C_USERROLE:
		return in_list(v, user_roles) ? NULL : "rep, manager, exec or admin";
	}
	return "a known type";
}

/* ---- parsing ---- */

static int
table_col(const struct import_table *t, const char *name, size_t len)
{
	for (int i = 0; i < IMPORT_MAX_COLS && t->cols[i].name; i++)
		if (strlen(t->cols[i].name) == len && memcmp(t->cols[i].name, name, len) == 0)
			return i;
	return -1;
}

/* The name of the file's column i, for messages. */
static const char *
file_col_name(const struct import_rows *rs, int i)
{
	if (rs->header_done && i >= 0 && i < rs->ncols && i < IMPORT_MAX_COLS && rs->map[i] >= 0)
		return rs->t->cols[rs->map[i]].name;
	return NULL;
}

static void
on_field(void *data, size_t len, void *p)
{
	struct import_rows *rs = p;
	if (rs->nfield < IMPORT_MAX_COLS) {
		char *v = NULL;
		if (data != NULL) {
			v = xmalloc(len + 1);
			memcpy(v, data, len);
			v[len] = '\0';
		}
		rs->fields[rs->nfield] = v;
		rs->flen[rs->nfield] = len;
	}
	rs->nfield++;
	rs->field_line = rs->line;	/* the next field begins on this line */
}

static void
take_header(struct import_rows *rs)
{
	const struct import_table *t = rs->t;
	int seen[IMPORT_MAX_COLS] = { 0 };
	char buf[320];
	int errors = rs->errors;
	rs->header_done = 1;
	rs->ncols = rs->nfield;
	if (rs->nfield > IMPORT_MAX_COLS) {
		import_rows_error(rs, rs->row_line, "too many columns (%d)", rs->nfield);
		rs->header_bad = 1;
		return;
	}
	for (int i = 0; i < rs->nfield; i++) {
		const char *h = rs->fields[i] ? rs->fields[i] : "";
		size_t len = rs->fields[i] ? rs->flen[i] : 0;
		if (i == 0 && len >= 3 && memcmp(h, "\xef\xbb\xbf", 3) == 0) {	/* BOM */
			h += 3;
			len -= 3;
		}
		int c = table_col(t, h, len);
		if (c < 0) {
			import_rows_error(rs, rs->row_line, "unknown column \"%s\" for %s",
			                  shown(buf, sizeof buf, h, len), t->name);
			continue;
		}
		if (seen[c]++) {
			import_rows_error(rs, rs->row_line, "column \"%s\" appears twice", t->cols[c].name);
			continue;
		}
		rs->map[i] = t->cols[c].type == C_IGNORED ? -1 : c;
	}
	for (int c = 0; c < rs->tcols; c++)
		if (t->cols[c].required && !seen[c])
			import_rows_error(rs, rs->row_line, "required column \"%s\" is missing",
			                  t->cols[c].name);
	rs->header_bad = rs->errors > errors;
}

static void
take_row(struct import_rows *rs)
{
	const struct import_table *t = rs->t;
	char buf[320];
	if (rs->nfield != rs->ncols) {
		import_rows_error(rs, rs->row_line, "%d fields, the header has %d",
		                  rs->nfield, rs->ncols);
		return;
	}
	if (rs->nrows == rs->cap) {
		rs->cap = rs->cap ? rs->cap * 2 : 64;
		rs->cells = xrealloc(rs->cells, rs->cap * (size_t)rs->tcols * sizeof *rs->cells);
		rs->lines = xrealloc(rs->lines, rs->cap * sizeof *rs->lines);
	}
	char **row = rs->cells + rs->nrows * (size_t)rs->tcols;
	memset(row, 0, (size_t)rs->tcols * sizeof *row);
	rs->lines[rs->nrows++] = rs->row_line;
	for (int i = 0; i < rs->nfield; i++) {
		int c = rs->map[i];
		if (c < 0)
			continue;
		char *v = rs->fields[i];
		if (v == NULL || rs->flen[i] == 0) {
			if (t->cols[c].required)
				import_rows_error(rs, rs->row_line, "%s is empty", t->cols[c].name);
			continue;
		}
		const char *want = check_field(t->cols[c].type, v, &rs->flen[i]);
		if (want != NULL) {
			import_rows_error(rs, rs->row_line, "%s: expected %s, got \"%s\"",
			                  t->cols[c].name, want, shown(buf, sizeof buf, v, rs->flen[i]));
			continue;
		}
		row[c] = v;
		rs->fields[i] = NULL;	/* now owned by cells */
	}
}

static void
on_row(int c, void *p)
{
	(void)c;
	struct import_rows *rs = p;
	if (!rs->header_done)
		take_header(rs);
	else if (rs->header_bad)
		;	/* a CR can end rows before the line does: not read either */
	else if (!(rs->nfield == 1 && rs->fields[0] == NULL))	/* blank line */
		take_row(rs);
	for (int i = 0; i < rs->nfield && i < IMPORT_MAX_COLS; i++) {
		free(rs->fields[i]);
		rs->fields[i] = NULL;
	}
	rs->nfield = 0;
	rs->at_row_start = 1;
}

/* Only the space is trimmed around unquoted fields: a tab is a control
 * character, refused like the others. */
static int
is_space(unsigned char c)
{
	return c == ' ';
}

/* Whether a physical line holds nothing libcsv would read. */
static int
blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\r' && s[i] != '\n')
			return 0;
	return 1;
}

/* ---- the same row twice ---- */

/* Reports every row whose columns `cols` (a list "a, b") repeat an
 * earlier row's, naming both lines.  Rows with an empty one are left out
 * (revenue rows without revenue_id are told apart by their line). */
static void
find_twice(struct import_rows *rs, const char *cols)
{
	int idx[IMPORT_MAX_COLS], n = 0;
	char buf[320];
	for (const char *s = cols; *s && n < IMPORT_MAX_COLS; ) {
		size_t len = strcspn(s, ",");
		int c = table_col(rs->t, s, len);
		if (c < 0)
			return;		/* a mistake in the table above */
		idx[n++] = c;
		s += len;
		s += strspn(s, ", ");
	}
	if (n == 0 || rs->nrows == 0)
		return;
	struct hsearch_data h;
	memset(&h, 0, sizeof h);
	if (hcreate_r(rs->nrows * 2, &h) == 0)
		die(1, "import: no memory for %zu rows", rs->nrows);
	char **joined = n > 1 ? xcalloc(rs->nrows, sizeof *joined) : NULL;
	for (size_t r = 0; r < rs->nrows; r++) {
		char **row = rs->cells + r * (size_t)rs->tcols;
		char *key = row[idx[0]];
		if (n > 1) {
			size_t len = 0;
			for (int k = 0; k < n; k++) {
				if (row[idx[k]] == NULL)
					goto next;
				len += strlen(row[idx[k]]) + 2;
			}
			key = joined[r] = xmalloc(len);
			len = 0;
			for (int k = 0; k < n; k++)	/* ", " cannot mislead: ids and times hold no comma */
				len += (size_t)sprintf(key + len, "%s%s", k ? ", " : "", row[idx[k]]);
		}
		if (key == NULL)
			continue;
		ENTRY e = { key, (void *)(uintptr_t)r }, *found;
		if (hsearch_r(e, ENTER, &found, &h) == 0)
			die(1, "import: no memory for %zu rows", rs->nrows);
		size_t first = (uintptr_t)found->data;
		if (first != r)
			import_rows_error(rs, rs->lines[r], "%s: \"%s\" is already on line %ld%s",
			                  cols, shown(buf, sizeof buf, key, strlen(key)),
			                  rs->lines[first], rs->t->cols[idx[0]].type == C_ID ?
			                  " (ids are compared without leading zeros)" : "");
	next:	;
	}
	hdestroy_r(&h);
	if (joined != NULL) {
		for (size_t r = 0; r < rs->nrows; r++)
			free(joined[r]);
		free(joined);
	}
}

/* ---- the file ---- */

void
import_rows_init(struct import_rows *rs, const struct import_table *t, const char *path,
    FILE *errout)
{
	memset(rs, 0, sizeof *rs);
	rs->t = t;
	rs->path = path;
	rs->errout = errout;
	while (rs->tcols < IMPORT_MAX_COLS && t->cols[rs->tcols].name)
		rs->tcols++;
	for (int i = 0; i < IMPORT_MAX_COLS; i++)
		rs->map[i] = -1;
	rs->at_row_start = 1;
}

int
import_rows_read(struct import_rows *rs, FILE *f)
{
	struct csv_parser p;
	char *line = NULL, buf[64];
	size_t cap = 0;
	ssize_t len;
	int broken = 0;

	csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL | CSV_EMPTY_IS_NULL);
	csv_set_space_func(&p, is_space);
	rs->line = 0;
	while ((len = getline(&line, &cap, f)) > 0) {
		rs->line++;
		if (rs->at_row_start && !blank(line, (size_t)len)) {
			rs->at_row_start = 0;
			rs->row_line = rs->field_line = rs->line;
		}
		if (csv_parse(&p, line, (size_t)len, on_field, on_row, rs) != (size_t)len) {
			const char *col = file_col_name(rs, rs->nfield);
			import_rows_error(rs, rs->line, "%s%smalformed CSV (a quote inside an unquoted"
			                  " field, or text after a closing quote): %s",
			                  col ? col : "", col ? ": " : "", csv_strerror(csv_error(&p)));
			broken = 1;
			break;
		}
		/* After a wrong header the rows cannot be read against it. */
		if (rs->errors > IMPORT_MAX_ERRORS || rs->header_bad) {
			broken = 1;
			break;
		}
	}
	if (ferror(f)) {
		import_rows_error(rs, rs->line, "read error: %s", strerror(errno));
		broken = 1;
	}
	if (!broken && csv_fini(&p, on_field, on_row, rs) != 0) {
		/* In strict mode fini fails only on a quoted field never closed. */
		const char *col = file_col_name(rs, rs->nfield);
		if (col == NULL)
			snprintf(buf, sizeof buf, "field %d", rs->nfield + 1);
		import_rows_error(rs, rs->field_line, "%s: the quote opened on this line is"
		                  " never closed", col ? col : buf);
	}
	for (int i = 0; i < IMPORT_MAX_COLS; i++) {
		free(rs->fields[i]);
		rs->fields[i] = NULL;
	}
	csv_free(&p);
	free(line);
	if (!rs->header_done)
		import_rows_error(rs, 1, "empty file: a header row is needed");
	else if (!broken) {
		find_twice(rs, rs->t->same);
		if (rs->t->unique != NULL)
			find_twice(rs, rs->t->unique);
	}
	return rs->errors;
}

int
import_rows_has(const struct import_rows *rs, int c)
{
	for (int i = 0; i < rs->ncols && i < IMPORT_MAX_COLS; i++)
		if (rs->map[i] == c)
			return 1;
	return 0;
}

void
import_rows_free(struct import_rows *rs)
{
	for (size_t i = 0; i < rs->nrows * (size_t)rs->tcols; i++)
		free(rs->cells[i]);
	free(rs->cells);
	free(rs->lines);
	rs->cells = NULL;
	rs->lines = NULL;
	rs->nrows = rs->cap = 0;
}
