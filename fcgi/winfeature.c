/* The learned close probability's features in words (winfeature.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "winfeature.h"

static const char *const labels[][2] = {
	{ "layer", N_("the funnel layer") },
	{ "days_in_layer", N_("days in the current layer") },
	{ "age", N_("the deal's age") },
	{ "amount", N_("the amount") },
	{ "source", N_("the lead source") },
	{ "owner_win_rate", N_("the owner's win rate") },
	{ "key_person_reached", N_("key person reached") },
	{ "qualified", N_("qualification recorded") },
	{ "qualification_yes", N_("qualification answers") },
	{ "reviewed_in_layer", N_("reviewed in this layer") },
	{ "days_since_review", N_("days since the last review") },
	{ "days_since_activity", N_("days since the last activity") },
	{ "activities_30d", N_("activities in the last 30 days") },
	{ "layers_skipped", N_("layers skipped") },
	{ "layers_back", N_("layers gone back") },
};

const char *
winfeature_label(const char *key)
{
	for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
		if (strcmp(key, labels[i][0]) == 0)
			return _(labels[i][1]);
	return key;
}

void
winfeature_phrase(char *buf, size_t len, const char *keys, const char *effects)
{
	char k[256];
	size_t used = 0;
	snprintf(k, sizeof k, "%s", keys ? keys : "");
	buf[0] = '\0';
	const char *e = effects ? effects : "";
	for (char *save = NULL, *w = strtok_r(k, " ", &save); w != NULL && used < len;
	     w = strtok_r(NULL, " ", &save)) {
		char *end;
		double v = strtod(e, &end);
		e = end;
		/* TRANSLATORS: a feature, and whether it raises or lowers the chance */
		int n = snprintf(buf + used, len - used, "%s%s (%s)", used ? _(", ") : "",
		                 winfeature_label(w), v >= 0 ? _("raises it") : _("lowers it"));
		if (n < 0)
			break;
		used += (size_t)n;
	}
}
