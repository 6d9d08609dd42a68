/* Configuration start-up shared by every program, so that a bad option or
 * config file fails the same way everywhere: one line, exit status 2. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "log.h"

void
app_add_set(struct app_opts *o, const char *arg)
{
	if (o->nsets >= APP_MAX_SETS)
		die(2, "too many --set options (at most %d)", APP_MAX_SETS);
	o->sets[o->nsets++] = arg;
}

void
app_load(const struct app_opts *o, const char *progname, struct crmx_config *cfg)
{
	char err[768];
	log_init(progname, LOG_LVL_INFO, false);
	config_defaults(cfg);
	const char *path = config_default_path(o->config_path);
	if (path != NULL && config_load(cfg, path, err, sizeof err) != 0)
		die(2, "%s", err);
	for (int i = 0; i < o->nsets; i++) {
		char key[128];
		const char *eq = strchr(o->sets[i], '=');
		if (eq == NULL || (size_t)(eq - o->sets[i]) >= sizeof key)
			die(2, "--set expects section.key=value, got \"%s\"", o->sets[i]);
		memcpy(key, o->sets[i], (size_t)(eq - o->sets[i]));
		key[eq - o->sets[i]] = '\0';
		if (config_set(cfg, key, eq + 1, err, sizeof err) != 0)
			die(2, "%s", err);
	}
	enum log_level lvl;
	if (log_level_parse(cfg->log_level, &lvl) != 0)
		die(2, "log.level: expected error, warning, info or debug, got \"%s\"",
		    cfg->log_level);
	log_init(progname, lvl, cfg->log_syslog);
	if (o->print_config) {
		config_print(cfg, stdout);
		exit(0);
	}
}

int
app_bad_option(const char *prog, char **argv, const struct option *longopts)
{
	const char *arg = optind > 0 ? argv[optind - 1] : "?";
	int known = 0;
	for (const struct option *o = longopts; optopt != 0 && o->name != NULL; o++)
		known |= o->val == optopt && o->has_arg == required_argument;
	if (known)
		log_error("option %s needs a value (see %s --help)", arg, prog);
	else
		log_error("unknown option or missing value: %s (see %s --help)", arg, prog);
	return 2;
}
