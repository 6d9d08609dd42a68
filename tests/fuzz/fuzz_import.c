/* libFuzzer harness for the CSV import (admin/import_rows.c): the input is
 * one CSV file, read and checked as each importable table in turn (the
 * header decides which one gets past line 1), without a database, as
 * `crmx-admin import` reads it before loading.  Seeds: corpus/import/. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import_rows.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = xmalloc(size + 1);
	memcpy(buf, data, size);
	for (size_t i = 0; i < import_ntables; i++) {
		char path[64];
		snprintf(path, sizeof path, "fuzz/%s.csv", import_tables[i].name);
		FILE *f = fmemopen(buf, size, "r");
		if (f == NULL)
			break;		/* size 0 on some C libraries */
		struct import_rows rs;
		import_rows_init(&rs, &import_tables[i], path, NULL);
		int errors = import_rows_read(&rs, f);
		fclose(f);
		/* What passed is what would be loaded: rows hold no NUL and no
		 * control character, and every kept row has its line. */
		if (errors == 0)
			for (size_t r = 0; r < rs.nrows * (size_t)rs.tcols; r++) {
				const char *v = rs.cells[r];
				for (; v != NULL && *v; v++)
					if ((unsigned char)*v < 0x20 || *v == 0x7f)
						abort();
			}
		import_rows_free(&rs);
	}
	free(buf);
	return 0;
}
