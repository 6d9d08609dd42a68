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

int
winfeature_split(const char *keys, const char *effects, char *buf, size_t len,
                 const char *key[WINFEATURE_TOP], double effect[WINFEATURE_TOP])
{
	int n = 0;
	const char *e = effects ? effects : "";
	snprintf(buf, len, "%s", keys ? keys : "");
	for (char *save = NULL, *w = strtok_r(buf, " ", &save); w != NULL && n < WINFEATURE_TOP;
	     w = strtok_r(NULL, " ", &save)) {
		char *end;
		key[n] = w;
		effect[n++] = strtod(e, &end);
		e = end;
	}
	return n;
}

void
winfeature_phrase(char *buf, size_t len, const char *keys, const char *effects)
{
	char k[256];
	const char *key[WINFEATURE_TOP];
	double eff[WINFEATURE_TOP];
	size_t used = 0;
	int n = winfeature_split(keys, effects, k, sizeof k, key, eff);
	buf[0] = '\0';
	for (int i = 0; i < n && used < len; i++) {
		int w = snprintf(buf + used, len - used, "%s%s (%s)", i ? _(", ") : "",
		                 winfeature_label(key[i]), eff[i] >= 0 ? _("raises it") : _("lowers it"));
		if (w < 0)
			break;
		used += (size_t)w;
	}
}

const char *
winfeature_keeps_note(const char *reason)
{
	if (reason == NULL)
		return NULL;
	if (strcmp(reason, "too_little_data") == 0)
		return _("The forecast keeps the stage weights: too little data to test the "
		         "learned chances.");
	if (strcmp(reason, "no_better") == 0)
		return _("The forecast keeps the stage weights: the learned chances did not "
		         "beat them in the backtest.");
	return _("The forecast keeps the stage weights: no backtest in this run.");
}
