/* Mail addresses: the ones we accept, the recipient lists of [mail], the
 * From setting, and the check of the [mail] settings at start-up. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "mail.h"
#include "mailint.h"

int
mail_address_ok(const char *s)
{
	size_t n = strlen(s);
	const char *at = strrchr(s, '@');
	if (n == 0 || n > 254 || at == NULL || at == s || at[1] == '\0' || strchr(at + 1, '.') == NULL)
		return 0;
	for (const char *p = s; *p; p++)
		if (*p <= ' ' || *p > '~' || strchr("<>\"(),;:[]\\", *p) != NULL)
			return 0;
	return strchr(s, '@') == at;
}

/* Calls fn for every address of one comma-separated list. */
static int
each_in_list(const char *list, enum lang l, int (*fn)(const char *, enum lang, void *), void *arg)
{
	const char *p = list;
	while (p && *p) {
		size_t n = strcspn(p, ",");
		char addr[256];
		const char *a = p, *e = p + n;
		while (a < e && isspace((unsigned char)*a)) a++;
		while (e > a && isspace((unsigned char)e[-1])) e--;
		if (e > a) {
			snprintf(addr, sizeof addr, "%.*s", (int)(e - a), a);
			int rc = fn(addr, l, arg);
			if (rc != 0)
				return rc;
		}
		p += n + (p[n] == ',');
	}
	return 0;
}

int
mail_each_recipient(const struct crmx_config *cfg,
                    int (*fn)(const char *addr, enum lang l, void *arg), void *arg)
{
	/* "recipients" speaks the first report language. */
	char first[16] = "";
	snprintf(first, sizeof first, "%.*s", (int)strcspn(cfg->reportd_language, ", "),
	         cfg->reportd_language);
	int l0 = i18n_parse(first);
	const struct { const char *list; enum lang l; } lists[] = {
		{ cfg->mail_recipients, l0 < 0 ? LANG_EN : (enum lang)l0 },
		{ cfg->mail_recipients_en, LANG_EN },
		{ cfg->mail_recipients_zh_CN, LANG_ZH_CN },
	};
	for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
		int rc = each_in_list(lists[i].list, lists[i].l, fn, arg);
		if (rc != 0)
			return rc;
	}
	return 0;
}

struct bad_addr { char addr[256]; };

static int
check_addr(const char *addr, enum lang l, void *arg)
{
	(void)l;
	if (mail_address_ok(addr))
		return 0;
	snprintf(((struct bad_addr *)arg)->addr, sizeof ((struct bad_addr *)arg)->addr, "%s", addr);
	return 1;
}

/* The bare address of a From setting: "Name <a@b>" or "a@b" (static). */
const char *
mail_from_address(const char *from)
{
	static char addr[256];
	const char *lt = strrchr(from, '<');
	if (lt != NULL) {
		const char *gt = strchr(lt, '>');
		if (gt == NULL || gt[1] != '\0')
			return NULL;
		snprintf(addr, sizeof addr, "%.*s", (int)(gt - lt - 1), lt + 1);
	} else
		snprintf(addr, sizeof addr, "%s", from);
	return mail_address_ok(addr) ? addr : NULL;
}

int
mail_config_check(const struct crmx_config *cfg, char *err, size_t errlen)
{
	const char *t = cfg->mail_transport;
	if (strcmp(t, "off") == 0)
		return 0;
	if (strcmp(t, "smtp") != 0 && strcmp(t, "sendmail") != 0) {
		snprintf(err, errlen, "mail.transport: expected off, smtp or sendmail, got \"%s\"", t);
		return -1;
	}
	if (strcmp(t, "smtp") == 0 && strncmp(cfg->mail_smtp_url, "smtp://", 7) != 0 &&
	    strncmp(cfg->mail_smtp_url, "smtps://", 8) != 0) {
		snprintf(err, errlen, "mail.smtp_url: expected smtp://host:port or smtps://host:port, got \"%s\"",
		         cfg->mail_smtp_url);
		return -1;
	}
	if (strcmp(cfg->mail_starttls, "no") != 0 && strcmp(cfg->mail_starttls, "yes") != 0 &&
	    strcmp(cfg->mail_starttls, "required") != 0) {
		snprintf(err, errlen, "mail.starttls: expected no, yes or required, got \"%s\"",
		         cfg->mail_starttls);
		return -1;
	}
	if (strcmp(t, "sendmail") == 0 && cfg->mail_sendmail[0] != '/') {
		snprintf(err, errlen, "mail.sendmail: expected an absolute path, got \"%s\"",
		         cfg->mail_sendmail);
		return -1;
	}
	if (mail_from_address(cfg->mail_from) == NULL) {
		snprintf(err, errlen, "mail.from: expected an address (a@example.com or Name <a@example.com>), got \"%s\"",
		         cfg->mail_from);
		return -1;
	}
	struct bad_addr bad;
	if (mail_each_recipient(cfg, check_addr, &bad) != 0) {
		snprintf(err, errlen, "mail.recipients: \"%s\" is not an email address", bad.addr);
		return -1;
	}
	const char *u = cfg->mail_report_base_url;
	if (*u != '\0' && ((strncmp(u, "http://", 7) != 0 && strncmp(u, "https://", 8) != 0) ||
	    !mail_printable_ascii(u) || strpbrk(u, " \"'<>") != NULL)) {
		snprintf(err, errlen, "mail.report_base_url: expected an http:// or https:// URL, got \"%s\"", u);
		return -1;
	}
	return 0;
}
