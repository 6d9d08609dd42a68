/* Start-up shared by the programs: the command line (the common options
 * --config, --set, --print-config, --help, --version and each program's
 * own from its table) and loading the config. */
#ifndef CRMX_APP_H
#define CRMX_APP_H

#include <stdio.h>

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

/* One program's command line: its name, its own options (a NULL-ended
 * getopt_long table; the common ones are added), what to do with each
 * that is not a flag (-1 when taken, else an exit status to stop with), its
 * usage text (app_parse prints the common options' lines after it). */
struct app_cli {
	const char		*prog;
	const struct option	*options;
	int			(*option)(void *arg, int ch, const char *optarg);
	void			*arg;
	void			(*usage)(FILE *out);
	int			 command;	/* stop at the first word: a command follows */
};

/* Parses argv into o and through cli->option: -1 to go on (optind at the
 * command, or past the end), else the exit status (--help, --version, a
 * bad option, an unexpected argument). */
int app_parse(const struct app_cli *cli, int argc, char **argv, struct app_opts *o);

/* The common options' lines of a usage text. */
void app_usage(FILE *out);

/* After getopt_long() returned '?' (with opterr = 0): one line naming
 * the bad option (or the option missing its value: longopts tells which
 * take one), pointing at --help.  Returns 2, the usage exit status. */
int app_bad_option(const char *prog, char **argv, const struct option *longopts);

#endif
