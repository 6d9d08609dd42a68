/* Start-up shared by the programs: the common command-line options
 * (--config, --set, --version, --print-config) and loading the config. */
#ifndef CRMX_APP_H
#define CRMX_APP_H

#include "config.h"

#define APP_MAX_SETS 32

struct app_opts {
	const char	*config_path;		/* --config, or NULL */
	const char	*sets[APP_MAX_SETS];	/* --set section.key=value */
	int		 nsets;
	int		 print_config;
};

/* Records --set; dies with a one-line error past APP_MAX_SETS. */
void app_add_set(struct app_opts *o, const char *arg);

/* Defaults, then the config file, then the --set overrides, then the
 * logger; any error is one line on stderr and exit(2). */
void app_load(const struct app_opts *o, const char *progname, struct crmx_config *cfg);

struct option;

/* After getopt_long() returned '?' (with opterr = 0): one line naming
 * the bad option (or the option missing its value: longopts tells which
 * take one), pointing at --help.  Returns 2, the usage exit status. */
int app_bad_option(const char *prog, char **argv, const struct option *longopts);

#endif
