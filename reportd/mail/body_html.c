/* The mail's text/html body, laid out for mail clients: nested tables,
 * inline CSS, no script; the headline figures, the charts inline by
 * Content-ID, the link to the full report.  All text through sb_html(). */
#include <stdio.h>

#include "mailint.h"

static const char font[] =
    "font-family:Arial,Helvetica,'Noto Sans CJK SC','Microsoft YaHei',sans-serif;";

/* The page, the card and its title block, up to the figures' table. */
static void
html_top(struct sbuf *b, const struct mail_message *m, const char *as_of)
{
	sb_printf(b, "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
	    "<meta name=\"viewport\" content=\"width=device-width\"><title>", i18n_code(m->lang));
	sb_html(b, m->subject);
	sb_printf(b, "</title></head>\n<body style=\"margin:0;padding:0;background:#f3f4f6;\">\n"
	    "<table role=\"presentation\" width=\"100%%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" style=\"background:#f3f4f6;\">"
	    "<tr><td align=\"center\" style=\"padding:16px 8px;\">\n"
	    "<table role=\"presentation\" width=\"640\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" "
	    "style=\"width:640px;max-width:100%%;background:#ffffff;border:1px solid #d0d7de;%scolor:#1f2328;\">\n"
	    "<tr><td style=\"padding:20px 24px 12px;border-bottom:3px solid #0969da;\">"
	    "<h1 style=\"margin:0;font-size:20px;line-height:1.3;%s\">", font, font);
	sb_html(b, m->subject);
	sb_raw(b, "</h1>");
	if (as_of) {
		char line[256];
		snprintf(line, sizeof line, _("Figures as of %s."), as_of);
		sb_raw(b, "<p style=\"margin:6px 0 0;font-size:13px;color:#57606a;\">");
		sb_html(b, line);
		sb_raw(b, "</p>");
	}
	sb_raw(b, "</td></tr>\n<tr><td style=\"padding:16px 24px;\">"
	    "<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" "
	    "style=\"border-collapse:collapse;font-size:14px;\">\n");
}

static void
html_figures(struct sbuf *b, const struct mail_view *v)
{
	for (size_t i = 0; i < nfigures; i++) {
		char val[128], ch[128];
		int tone = mail_figure(v, &figures[i], val, sizeof val, ch, sizeof ch);
		sb_printf(b, "<tr><td style=\"padding:6px 0;border-bottom:1px solid #eaeef2;color:#57606a;%s\">", font);
		sb_html(b, _(figures[i].label));
		sb_printf(b, "</td><td align=\"right\" style=\"padding:6px 0;border-bottom:1px solid #eaeef2;"
		    "font-weight:bold;white-space:nowrap;%s\">", font);
		sb_html(b, val);
		sb_printf(b, "</td><td align=\"right\" style=\"padding:6px 0 6px 12px;border-bottom:1px solid #eaeef2;"
		    "font-size:12px;white-space:nowrap;color:%s;%s\" title=\"",
		    tone > 0 ? "#1e7b34" : tone < 0 ? "#b3261e" : "#57606a", font);
		sb_html(b, _("change against the week before"));
		sb_raw(b, "\">");
		sb_html(b, ch);
		sb_raw(b, "</td></tr>\n");
	}
	sb_raw(b, "</table></td></tr>\n");
}

static void
html_charts(struct sbuf *b, const struct mail_message *m)
{
	for (size_t i = 0; i < m->nimages; i++) {
		const char *title = m->images[i].title ? m->images[i].title : m->images[i].name;
		sb_raw(b, "<tr><td style=\"padding:8px 24px;\">");
		if (m->images[i].title) {
			sb_printf(b, "<p style=\"margin:8px 0 4px;font-size:14px;font-weight:bold;%s\">", font);
			sb_html(b, title);
			sb_raw(b, "</p>");
		}
		sb_raw(b, "<img src=\"cid:");
		sb_html(b, m->images[i].cid);
		sb_raw(b, "\" alt=\"");
		sb_html(b, title);
		sb_raw(b, "\" width=\"592\" style=\"display:block;width:592px;max-width:100%;height:auto;border:0;\"></td></tr>\n");
	}
}

/* The link to the full report, the note on attachments, the page's end. */
static void
html_bottom(struct sbuf *b, const struct mail_message *m, const char *link)
{
	sb_raw(b, "<tr><td style=\"padding:16px 24px 24px;font-size:14px;\">");
	if (link) {
		sb_printf(b, "<a href=\"");
		sb_html(b, link);
		sb_printf(b, "\" style=\"display:inline-block;padding:10px 16px;background:#0969da;color:#ffffff;"
		    "text-decoration:none;border-radius:4px;%s\">", font);
		sb_html(b, _("Open the full report"));
		sb_raw(b, "</a>");
	}
	if (m->nattachments > 0) {
		sb_raw(b, "<p style=\"margin:12px 0 0;font-size:12px;color:#57606a;\">");
		sb_html(b, _("The figures are attached as CSV files."));
		sb_raw(b, "</p>");
	}
	sb_raw(b, "</td></tr>\n</table>\n</td></tr></table>\n</body></html>\n");
}

void
mail_body_html(struct sbuf *b, const struct mail_view *v)
{
	html_top(b, v->m, v->as_of);
	html_figures(b, v);
	html_charts(b, v->m);
	html_bottom(b, v->m, v->link);
}
