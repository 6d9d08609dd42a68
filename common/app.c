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

#define APP_MAX_OPTIONS 24

static const struct option common_options[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "set", required_argument, NULL, 's' },
	{ "print-config", no_argument, NULL, 'P' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
};

int
app_parse(const struct app_cli *cli, int argc, char **argv, struct app_opts *o)
{
	struct option all[APP_MAX_OPTIONS];
	size_t n = 0;
	for (size_t i = 0; i < sizeof common_options / sizeof common_options[0]; i++)
		all[n++] = common_options[i];
	for (const struct option *p = cli->options; p != NULL && p->name != NULL; p++) {
		if (n + 1 >= APP_MAX_OPTIONS)
			die(1, "%s: too many options", cli->prog);
		all[n++] = *p;
	}
	all[n] = (struct option){ NULL, 0, NULL, 0 };

	int c;
	opterr = 0;
	/* "+": stop at a command, so that its own options reach it. */
	while ((c = getopt_long(argc, argv, cli->command ? "+c:s:hV" : "c:s:hV", all, NULL)) != -1) {
		int st = -1;
		switch (c) {
		case 'c': o->config_path = optarg; break;
		case 's': app_add_set(o, optarg); break;
		case 'P': o->print_config = 1; break;
		case 'h': cli->usage(stdout); app_usage(stdout); return 0;
		case 'V': printf("%s %s\n", cli->prog, CRMX_VERSION); return 0;
		case 0: break;	/* a flag getopt_long set itself */
		case '?': return app_bad_option(cli->prog, argv, all);
		default: st = cli->option(cli->arg, c, optarg); break;
		}
		if (st >= 0)
			return st;
	}
	if (!cli->command && optind < argc) {
		log_error("unexpected argument \"%s\" (see --help)", argv[optind]);
		return 2;
	}
	return -1;
}

void
app_usage(FILE *out)
{
	fprintf(out,
	    "  -c, --config FILE    configuration file (default $CRMX_CONF, then %s/crmx.conf)\n"
	    "  -s, --set S.K=V      override one setting (repeatable)\n"
	    "      --print-config   print the effective configuration and exit\n"
	    "  -h, --help           this text\n"
	    "  -V, --version        print the version\n",
	    CRMX_SYSCONFDIR);
}
