/* crmx.conf's parser (common/config.c): errors that name their lines,
 * long lines, listen addresses, and --print-config without secrets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"

/* Loads text as a config file: 0 or -1, the message in err. */
static int
load(struct crmx_config *cfg, const char *text, char *err, size_t errlen)
{
	char path[] = "/tmp/crmx-test-config.XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	config_defaults(cfg);
	err[0] = '\0';
	int rc = config_load(cfg, path, err, errlen);
	unlink(path);
	return rc;
}

static void
test_duplicate_key(void **state)
{
	(void)state;
	struct crmx_config cfg;
	char err[512];
	assert_int_equal(load(&cfg, "[fcgi]\nworkers = 2\n\n# again\nworkers = 8\n", err, sizeof err), -1);
	assert_non_null(strstr(err, "workers"));
	assert_non_null(strstr(err, "line 2"));
	assert_non_null(strstr(err, "line 5"));
	config_free(&cfg);
	/* The same key in two sections is two settings. */
	assert_int_equal(load(&cfg, "[fcgi]\nlisten = /tmp/x.sock\n[reportd]\nlisten = 127.0.0.1:1\n",
	                      err, sizeof err), 0);
	config_free(&cfg);
	/* A section written twice still holds each key once. */
	assert_int_equal(load(&cfg, "[fcgi]\nworkers = 2\n[log]\nlevel = info\n[fcgi]\nworkers = 3\n",
	                      err, sizeof err), -1);
	assert_non_null(strstr(err, "line 2"));
	assert_non_null(strstr(err, "line 6"));
	config_free(&cfg);
}

static void
test_long_lines(void **state)
{
	(void)state;
	struct crmx_config cfg;
	char err[512];
	/* A long conninfo (4,000 characters on its line) is read whole. */
	size_t vlen = 4000 - strlen("conninfo = ");
	char *text = malloc(5200);
	assert_non_null(text);
	char *p = text + sprintf(text, "[database]\nconninfo = ");
	memset(p, 'x', vlen);
	p += vlen;
	sprintf(p, "\nstatement_timeout_ms = 7\n");
	assert_int_equal(load(&cfg, text, err, sizeof err), 0);
	assert_int_equal(strlen(cfg.db_conninfo), vlen);
	assert_int_equal(cfg.db_statement_timeout_ms, 7);
	config_free(&cfg);
	/* Over the limit: an error naming the line and the limit. */
	p = text + sprintf(text, "[log]\nlevel = info\n[database]\nconninfo = ");
	memset(p, 'y', 5000);
	sprintf(p + 5000, "\n");
	assert_int_equal(load(&cfg, text, err, sizeof err), -1);
	assert_non_null(strstr(err, "line 4"));
	assert_non_null(strstr(err, "4096"));
	assert_null(strstr(err, "syntax error"));
	config_free(&cfg);
	free(text);
}

static void
test_listen(void **state)
{
	(void)state;
	struct crmx_config cfg;
	char err[512];
	assert_int_equal(load(&cfg, "[fcgi]\nlisten = 1.2.3.4:99999\n", err, sizeof err), -1);
	assert_non_null(strstr(err, "line 2"));
	assert_non_null(strstr(err, "port"));
	assert_non_null(strstr(err, "out of range"));
	config_free(&cfg);
	assert_int_equal(load(&cfg, "[reportd]\nlisten = 1.2.3.4:99999\n", err, sizeof err), -1);
	assert_non_null(strstr(err, "out of range"));
	config_free(&cfg);
	static const char *const bad_fcgi[] = {
		":0", ":", "1.2.3.4:", ":+80", ": 80", ":80x", "::1:80", "relative.sock", "host",
		"[::1]80", ":65536",
	};
	for (size_t i = 0; i < sizeof bad_fcgi / sizeof *bad_fcgi; i++) {
		config_defaults(&cfg);
		if (config_set(&cfg, "fcgi.listen", bad_fcgi[i], err, sizeof err) == 0)
			fail_msg("fcgi.listen accepted \"%s\"", bad_fcgi[i]);
		config_free(&cfg);
	}
	static const char *const good_fcgi[] = {
		"", "/run/crmx/crmx.fcgi.sock", ":9000", "127.0.0.1:65535", "localhost:1", "[::1]:9000",
	};
	for (size_t i = 0; i < sizeof good_fcgi / sizeof *good_fcgi; i++) {
		config_defaults(&cfg);
		if (config_set(&cfg, "fcgi.listen", good_fcgi[i], err, sizeof err) != 0)
			fail_msg("fcgi.listen refused \"%s\": %s", good_fcgi[i], err);
		config_free(&cfg);
	}
	/* reportd: HOST:PORT only; port 0 picks a free one. */
	config_defaults(&cfg);
	assert_int_equal(config_set(&cfg, "reportd.listen", "127.0.0.1:0", err, sizeof err), 0);
	assert_int_equal(config_set(&cfg, "reportd.listen", "/tmp/x.sock", err, sizeof err), -1);
	assert_int_equal(config_set(&cfg, "reportd.listen", "", err, sizeof err), -1);
	config_free(&cfg);
}

static void
test_socket_settings(void **state)
{
	(void)state;
	struct crmx_config cfg;
	char err[512];
	config_defaults(&cfg);
	assert_int_equal(cfg.fcgi_socket_mode, 0660);
	assert_int_equal(cfg.fcgi_backlog, 1024);
	assert_int_equal(config_set(&cfg, "fcgi.socket_mode", "0600", err, sizeof err), 0);
	assert_int_equal(cfg.fcgi_socket_mode, 0600);
	assert_int_equal(config_set(&cfg, "fcgi.socket_mode", "0666", err, sizeof err), -1);
	assert_non_null(strstr(err, "world"));
	assert_int_equal(config_set(&cfg, "fcgi.socket_mode", "0680", err, sizeof err), -1);
	assert_int_equal(config_set(&cfg, "fcgi.socket_mode", "1660", err, sizeof err), -1);
	assert_int_equal(config_set(&cfg, "fcgi.backlog", "0", err, sizeof err), -1);
	config_free(&cfg);
}

static void
test_print_hides_secrets(void **state)
{
	(void)state;
	static const char *const conninfos[] = {
		"host=/run/pg dbname=crmx user=crmx password=Sekr3tKV",
		"host=/run/pg password = 'Sekr3t KV\\'q' dbname=crmx",
		"postgresql://crmx:Sekr3tURI@db.example.com:5432/crmx?sslmode=require",
		"postgres://crmx@db.example.com/crmx?password=Sekr3tQ&sslmode=require",
	};
	for (size_t i = 0; i < sizeof conninfos / sizeof *conninfos; i++) {
		struct crmx_config cfg;
		char err[512];
		config_defaults(&cfg);
		assert_int_equal(config_set(&cfg, "database.conninfo", conninfos[i], err, sizeof err), 0);
		assert_int_equal(config_set(&cfg, "database.read_conninfo", conninfos[i], err, sizeof err), 0);
		assert_int_equal(config_set(&cfg, "fcgi.csrf_secret", "Sekr3tCSRF", err, sizeof err), 0);
		assert_int_equal(config_set(&cfg, "mail.password", "Sekr3tMail", err, sizeof err), 0);
		assert_int_equal(config_set(&cfg, "mail.smtp_url", "smtp://bob:Sekr3tSMTP@mail:587", err,
		                            sizeof err), 0);
		char *buf = NULL;
		size_t len = 0;
		FILE *out = open_memstream(&buf, &len);
		assert_non_null(out);
		config_print(&cfg, out);
		fclose(out);
		if (strstr(buf, "Sekr3t") != NULL)
			fail_msg("a secret is printed:\n%s", buf);
		assert_non_null(strstr(buf, "csrf_secret = (set)"));
		assert_non_null(strstr(buf, "password = (set)"));
		/* The rest of the conninfo is still shown. */
		assert_non_null(strstr(buf, "conninfo = "));
		assert_non_null(strstr(buf, i < 2 ? "/run/pg" : "db.example.com"));
		assert_non_null(strstr(buf, "smtp://bob:(set)@mail:587"));
		free(buf);
		config_free(&cfg);
	}
	/* Nothing set: nothing to hide, the empty value is shown. */
	struct crmx_config cfg;
	config_defaults(&cfg);
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	config_print(&cfg, out);
	fclose(out);
	assert_non_null(strstr(buf, "csrf_secret = \n"));
	free(buf);
	config_free(&cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_duplicate_key),
		cmocka_unit_test(test_long_lines),
		cmocka_unit_test(test_listen),
		cmocka_unit_test(test_socket_settings),
		cmocka_unit_test(test_print_hides_secrets),
	};
	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
