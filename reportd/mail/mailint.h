/* What the files of reportd/mail/ share and nothing else sees: the
 * printable-ASCII test, the From setting's address, and the view of one
 * report folder the two bodies (body_text.c, body_html.c) are written from. */
#ifndef CRMX_MAILINT_H
#define CRMX_MAILINT_H

#include <stdio.h>

#include <jansson.h>

#include "figures.h"
#include "mail.h"
#include "sbuf.h"

/* Whether s is printable ASCII only (0x20-0x7e). */
int mail_printable_ascii(const char *s);

/* The bare address of a From setting, "Name <a@b>" or "a@b"; NULL when
 * it is not an address we accept.  Static storage. */
const char *mail_from_address(const char *from);

/* A report folder as the bodies show it. */
struct mail_view {
	const struct mail_message	*m;
	json_t				*root;		/* summary.json */
	json_t				*summary;	/* the run summary in it */
	const char			*as_of;		/* formatted, or NULL */
	const char			*link;		/* to the full report, or NULL */
	const char			*currency;
};

/* A headline figure as the mail shows it: its value into val and its
 * change against the week before (summary.json's "headline") into ch, ""
 * when there is none.  Returns the change's tone (figure_change). */
int mail_figure(const struct mail_view *v, const struct figure *f, char *val, size_t vlen,
                char *ch, size_t chlen);

void mail_body_text(FILE *f, const struct mail_view *v);
void mail_body_html(struct sbuf *b, const struct mail_view *v);

#endif
