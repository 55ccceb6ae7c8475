/* Translate one kernel virtual address of a dump through libptwalk:
 *   cc translate.c $(pkg-config --cflags --libs ptwalk) -o translate
 *   ./translate DUMP VA     prints "VA PA" (exit 0) or "VA STATUS" (exit 4) */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <ptwalk.h>

int main(int argc, char **argv)
{
	struct ptwalk_dump *dump = NULL;
	struct ptwalk_space *space = NULL;
	struct ptwalk_translation t;
	struct ptwalk_error *err;
	int rc = 1;

	if (argc != 3) {
		fprintf(stderr, "usage: %s DUMP VA\n", argv[0]);
		return 2;
	}
	err = ptwalk_dump_open(argv[1], NULL, &dump);
	if (!err)
		err = ptwalk_space_kernel(dump, &space);
	if (!err)
		err = ptwalk_translate(space, strtoull(argv[2], NULL, 0), &t);
	if (err) {
		fprintf(stderr, "%s: %s\n", argv[1], ptwalk_error_message(err));
		ptwalk_error_free(err);
	} else if (t.status == PTWALK_OK) {
		printf("%" PRIx64 " %" PRIx64 "\n", t.va, t.pa);
		rc = 0;
	} else {
		printf("%" PRIx64 " %s\n", t.va, ptwalk_status_name(t.status));
		rc = 4;
	}
	ptwalk_space_close(space);
	ptwalk_dump_close(dump);
	return rc;
}
