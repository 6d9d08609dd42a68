/* The report mail as one RFC 5322 text, for transports that take a whole
 * message (sendmail -t).  The structure is the one transport.c builds with
 * curl_mime for SMTP, so both transports deliver the same message. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "mail.h"
#include "util.h"

/* A file name safe inside a quoted parameter. */
static void
put_filename(FILE *f, const char *name)
{
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		fputc(*p < 0x20 || *p > 0x7e || *p == '"' || *p == '\\' ? '_' : *p, f);
}

static void
put_base64(FILE *f, const void *p, size_t n)
{
	char *b = mail_base64(p, n, 1);
	fputs(b, f);
	fputs("\r\n", f);
	free(b);
}

static int
put_file(FILE *f, const struct mail_file *mf, const char *type, int inline_part,
         const char *boundary, char *err, size_t errlen)
{
	size_t n;
	char *data = slurp(mf->path, &n);
	if (data == NULL) {
		snprintf(err, errlen, "cannot read %s", mf->path);
		return -1;
	}
	fprintf(f, "--%s\r\nContent-Type: %s\r\nContent-Transfer-Encoding: base64\r\n", boundary, type);
	if (inline_part && mf->cid)
		fprintf(f, "Content-ID: <%s>\r\n", mf->cid);
	fprintf(f, "Content-Disposition: %s; filename=\"", inline_part ? "inline" : "attachment");
	put_filename(f, mf->name);
	fputs("\"\r\n\r\n", f);
	put_base64(f, data, n);
	free(data);
	return 0;
}

char *
mail_raw(const struct mail_message *m, char *const *headers, size_t *len,
         char *err, size_t errlen)
{
	char *buf = NULL, b[3][48];
	size_t blen = 0;
	int ok = 0;
	unsigned char rnd[12] = { 0 };
	if (getrandom(rnd, sizeof rnd, 0) < 0)
		memset(rnd, 0x5a, sizeof rnd);
	for (int i = 0; i < 3; i++)
		snprintf(b[i], sizeof b[i], "=_crmx_%d_%02x%02x%02x%02x%02x%02x%02x%02x", i,
		         rnd[0], rnd[1], rnd[2], rnd[3], rnd[4 + i], rnd[7], rnd[8 + i], rnd[11]);
	FILE *f = open_memstream(&buf, &blen);
	if (f == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	for (size_t i = 0; headers[i]; i++)
		fprintf(f, "%s\r\n", headers[i]);
	fprintf(f, "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"%s\"\r\n\r\n", b[0]);
	fprintf(f, "--%s\r\nContent-Type: multipart/related; type=\"multipart/alternative\"; boundary=\"%s\"\r\n\r\n",
	        b[0], b[1]);
	fprintf(f, "--%s\r\nContent-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n", b[1], b[2]);
	fprintf(f, "--%s\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n", b[2]);
	put_base64(f, m->text, strlen(m->text));
	fprintf(f, "--%s\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n", b[2]);
	put_base64(f, m->html, strlen(m->html));
	fprintf(f, "--%s--\r\n", b[2]);
	for (size_t i = 0; i < m->nimages; i++)
		if (put_file(f, &m->images[i], "image/png", 1, b[1], err, errlen) != 0)
			goto out;
	fprintf(f, "--%s--\r\n", b[1]);
	for (size_t i = 0; i < m->nattachments; i++)
		if (put_file(f, &m->attachments[i], "text/csv; charset=utf-8", 0, b[0], err, errlen) != 0)
			goto out;
	fprintf(f, "--%s--\r\n", b[0]);
	ok = 1;
out:
	if (fclose(f) != 0 && ok) {
		snprintf(err, errlen, "out of memory");
		ok = 0;
	}
	if (!ok) {
		free(buf);
		return NULL;
	}
	*len = blen;
	return buf;
}
