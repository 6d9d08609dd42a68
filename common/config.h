/* crmx.conf: the one place for every setting of every crmx program.  The
 * whole file format is the table in config.c: section, key, type, default. */
#ifndef CRMX_CONFIG_H
#define CRMX_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct crmx_config {
	/* [database] — empty conninfo means libpq's PG* environment variables */
	char	*db_conninfo;
	char	*db_read_conninfo;	/* reads may go to a replica; empty: same */
	int	 db_max_replica_lag_s;	/* a replica further behind is skipped */
	int	 db_statement_timeout_ms;
	int	 db_connect_timeout_s;

	/* [log] */
	char	*log_level;
	bool	 log_syslog;

	/* [metrics] — docs/metrics.md defaults */
	int	 metrics_window_days;
	int	 metrics_stall_days;
	int	 metrics_horizon_weeks;
	double	 metrics_discount_monthly;
	double	 metrics_margin;
	int	 metrics_holdout_weeks;	/* model check against the last weeks; 0: off */
	int	 metrics_forecast_holdout_weeks;	/* the learned forecast's backtest; 0: off */
	char	*metrics_currency;

	/* [fcgi] */
	char	*fcgi_listen;		/* empty: the socket we were handed */
	char	*fcgi_socket_owner;	/* a unix socket's owner and group; */
	char	*fcgi_socket_group;	/* empty: crmx.fcgi's own */
	int	 fcgi_socket_mode;	/* never world-writable */
	int	 fcgi_backlog;		/* listen queue, capped by somaxconn */
	int	 fcgi_workers;
	int	 fcgi_page_size_max;
	int	 fcgi_search_walk_min;	/* more matches: the search walks the run's index */
	int	 fcgi_pipeline_top_max;	/* deeper pages of deals by priority rank every deal */
	int	 fcgi_body_max;
	char	*fcgi_csrf_secret;
	int	 fcgi_cache_mb;		/* per worker; 0: keep no pages */
	int	 fcgi_cache_max_age_s;

	/* [reportd] */
	char	*reportd_listen;
	char	*reportd_schedule;	/* "mon 06:00" */
	char	*reportd_timezone;
	char	*reportd_report_dir;
	char	*reportd_gnuplot;
	int	 reportd_gnuplot_timeout_s;
	int	 reportd_gnuplot_jobs;	/* gnuplot children at once */
	char	*reportd_allow_run_from;
	char	*reportd_language;
	char	*reportd_panels_url;	/* the panels' base ("/crmx"); "": no links */
	int	 reportd_retry_s;	/* after a failed report job */
	int	 reportd_max_connections;	/* HTTP connections at once */
	int	 reportd_request_timeout_s;	/* to send a whole request */
	int	 reportd_waiting_per_address;	/* connections of one address still sending (0: no limit) */
	int	 reportd_store_work_mem_mb;	/* the run's store transaction's work_mem */
	int	 reportd_second_read_accounts;	/* a run reads on two connections from this many accounts */

	/* [mail] — the weekly report by email (reportd/mail.c, deliver.c) */
	char	*mail_transport;	/* off, smtp, sendmail */
	char	*mail_smtp_url;		/* smtp://host:port or smtps://host:port */
	char	*mail_starttls;		/* no, yes (when offered), required */
	bool	 mail_tls_verify;
	char	*mail_username;
	char	*mail_password;
	char	*mail_password_file;	/* read at send time; beats password */
	char	*mail_sendmail;
	char	*mail_from;
	char	*mail_recipients;	/* comma-separated; the first report language */
	char	*mail_recipients_en;
	char	*mail_recipients_zh_CN;
	char	*mail_report_base_url;	/* links to <url>/<week>/ */
	int	 mail_timeout_s;
	int	 mail_retry_max;	/* attempts before a delivery is failed */
	int	 mail_retry_base_s;	/* first backoff, doubled per attempt */
	int	 mail_retry_cap_s;
};

/* Fills *cfg with the defaults.  Strings are malloc'd: config_free(). */
void config_defaults(struct crmx_config *cfg);

/* Reads path over the current values.  On error returns -1 and writes one
 * line naming the file, line and problem into err. */
int  config_load(struct crmx_config *cfg, const char *path, char *err, size_t errlen);

/* Sets one "section.key" to value (for --set on the command line). */
int  config_set(struct crmx_config *cfg, const char *dotted, const char *value,
                char *err, size_t errlen);

/* The config file to read: --config, else $CRMX_CONF, else SYSCONFDIR's
 * crmx.conf when it exists, else NULL (defaults only). */
const char *config_default_path(const char *from_cmdline);

/* Writes every setting with its value as crmx.conf text (for --print-config). */
void config_print(const struct crmx_config *cfg, FILE *out);

void config_free(struct crmx_config *cfg);

/* Splits "HOST:PORT", ":PORT" or "[IPv6]:PORT": host ("" for :PORT) and
 * port, which must be plain digits from min_port to 65535.  -1 with a
 * message in err. */
int  config_parse_hostport(const char *s, char *host, size_t hostlen, unsigned *port,
                           unsigned min_port, char *err, size_t errlen);

#endif
