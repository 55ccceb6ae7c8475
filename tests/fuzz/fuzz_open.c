/* Fuzz harness: format detection and open for every format, VMCOREINFO and
 * note parsing, translation detection, and what `info` does after open
 * (page counts, the range list, a few physical reads). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "dump.h"
#include "fuzz_file.h"

/* Stop the range listing early: a hostile bitmap can describe many ranges,
 * and listing them all is bounded but slow for a fuzzer. */
#define MAX_RANGES 256

struct range_walk {
	struct ptw_source *src;
	unsigned seen;
};

static bool touch_range(const struct ptw_phys_range *r, void *arg)
{
	struct range_walk *w = arg;
	unsigned char buf[64];
	struct ptw_error *err = ptw_source_read_phys(w->src, r->start, buf, sizeof(buf));
	ptw_error_destroy(err);
	if (r->end > r->start) {
		err = ptw_source_read_phys(w->src, r->end - 8, buf, 8);
		ptw_error_destroy(err);
	}
	return ++w->seen < MAX_RANGES;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = ptw_fuzz_file(data, size);
	struct ptw_dump *dump;
	struct ptw_error *err = ptw_dump_open(path, NULL, &dump);
	if (err) {
		ptw_error_destroy(err);
		return 0;
	}
	uint64_t present, excluded;
	err = dump->src->ops->count_pages(dump->src, dump->page_size ? dump->page_size : 4096,
					  &present, &excluded);
	ptw_error_destroy(err);
	struct range_walk w = { .src = dump->src };
	err = ptw_source_for_each_range(dump->src, touch_range, &w);
	ptw_error_destroy(err);
	ptw_dump_close(dump);
	return 0;
}
