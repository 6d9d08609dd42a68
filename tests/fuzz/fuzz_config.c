/* Fuzzes the config file parser (common/config.c over libinih): the input
 * is a crmx.conf, read from an in-memory file.  Checked: a file is either
 * loaded or refused with one line naming the file; what is loaded prints
 * (--print-config) and frees cleanly.  The first line is also tried as
 * --set's "section.key=value". */
#include <sys/mman.h>
#include <unistd.h>

#include "config.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	static FILE *devnull;
	if (fd < 0) {
		fd = memfd_create("crmx-fuzz.conf", 0);
		FUZZ_CHECK(fd >= 0);
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
		devnull = fopen("/dev/null", "w");
		FUZZ_CHECK(devnull != NULL);
	}
	FUZZ_CHECK(ftruncate(fd, 0) == 0);
	FUZZ_CHECK(pwrite(fd, data, size, 0) == (ssize_t)size);

	struct crmx_config cfg;
	char err[512];
	err[0] = '\0';
	config_defaults(&cfg);
	int rc = config_load(&cfg, path, err, sizeof err);
	FUZZ_CHECK(rc == 0 || rc == -1);
	if (rc == -1)
		FUZZ_CHECK(strncmp(err, "config ", 7) == 0 && strchr(err, '\n') == NULL);
	FUZZ_CHECK(cfg.fcgi_workers >= 1 && cfg.fcgi_workers <= 256);
	FUZZ_CHECK(cfg.metrics_discount_monthly >= 0 && cfg.metrics_discount_monthly <= 1);
	config_print(&cfg, devnull);

	const uint8_t *d = data;
	size_t n = size;
	char *line = fuzz_take(&d, &n, '\n');
	char *eq = strchr(line, '=');
	if (eq != NULL) {
		*eq = '\0';
		err[0] = '\0';
		if (config_set(&cfg, line, eq + 1, err, sizeof err) != 0)
			FUZZ_CHECK(err[0] != '\0');
	}
	free(line);
	config_free(&cfg);
	return 0;
}
