/* A test tool, not installed: names looked up in a dump's kallsyms without
 * decoding the table (ptw_kallsyms_lookup_name, sym_kallsyms_name.c).
 *
 *   kallsyms-lookup DUMP NAME...
 *
 * prints "NAME 0xADDRESS" or "NAME not-found" per name; an error (an
 * unknown layout, unreadable tables) is "NAME error MESSAGE" and exit 1. */
#include <inttypes.h>
#include <stdio.h>

#include "dump.h"
#include "sym.h"

int main(int argc, char **argv)
{
	struct ptw_dump *dump;
	struct ptw_error *err;
	int rc = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: kallsyms-lookup DUMP NAME...\n");
		return 2;
	}
	err = ptw_dump_open(argv[1], NULL, &dump);
	if (err) {
		fprintf(stderr, "kallsyms-lookup: %s: %s\n", argv[1], err->message);
		ptw_error_destroy(err);
		return 1;
	}
	for (int i = 2; i < argc; i++) {
		bool found;
		uint64_t address = 0;

		err = ptw_kallsyms_lookup_name(dump, argv[i], &found, &address);
		if (err) {
			printf("%s error %s\n", argv[i], err->message);
			ptw_error_destroy(err);
			rc = 1;
		} else if (found) {
			printf("%s 0x%" PRIx64 "\n", argv[i], address);
		} else {
			printf("%s not-found\n", argv[i]);
		}
	}
	ptw_dump_close(dump);
	return rc;
}
