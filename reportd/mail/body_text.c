/* The mail's text/plain body: the subject, the as-of date, the headline
 * figures with their change, the link to the full report. */
#include <stdio.h>

#include "mailint.h"

void
mail_body_text(FILE *f, const struct mail_view *v)
{
	const struct mail_message *m = v->m;
	const char *as_of = v->as_of, *link = v->link;
	fprintf(f, "%s\n", m->subject);
	if (as_of) {
		/* TRANSLATORS: the as-of date of the figures */
		fprintf(f, _("Figures as of %s."), as_of);
		fputc('\n', f);
	}
	fputc('\n', f);
	for (size_t i = 0; i < nfigures; i++) {
		char val[128], ch[128];
		mail_figure(v, &figures[i], val, sizeof val, ch, sizeof ch);
		fputs("  ", f);
		/* TRANSLATORS: a figure's label and value in the plain-text mail */
		fprintf(f, _("%s: %s"), _(figures[i].label), val);
		if (ch[0])
			fprintf(f, "   (%s)", ch);
		fputc('\n', f);
	}
	fputc('\n', f);
	if (link)
		fprintf(f, "%s %s\n", _("The full report:"), link);
	if (m->nimages > 0)
		fprintf(f, "%s\n", _("The charts are in the HTML version of this message."));
	if (m->nattachments > 0)
		fprintf(f, "%s\n", _("The figures are attached as CSV files."));
}
