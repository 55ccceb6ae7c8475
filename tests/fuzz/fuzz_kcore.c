/* Fuzz harness: the /proc/kcore source on its own. The input is the file;
 * the kcore reader opens it whether or not its probe would have taken it
 * (so every header field is reached), then lists its ranges, counts pages
 * and reads a few physical addresses, as `info` and the walker would. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "file.h"
#include "fuzz_file.h"
#include "source.h"

#define MAX_RANGES 64

static bool touch_range(const struct ptw_phys_range *r, void *arg)
{
	struct ptw_source *src = ((void **)arg)[0];
	unsigned *seen = ((void **)arg)[1];
	unsigned char buf[4096 + 64];
	/* Across a page boundary and a segment's end. */
	ptw_error_destroy(ptw_source_read_phys(src, r->start, buf, 64));
	if (r->end - r->start > 32)
		ptw_error_destroy(ptw_source_read_phys(src, r->end - 32, buf, 64));
	ptw_error_destroy(ptw_source_read_phys(src, (r->start | 0xfff) - 7, buf, sizeof(buf)));
	(void)ptw_source_is_present(src, r->end);
	return ++*seen < MAX_RANGES;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = ptw_fuzz_file(data, size);
	(void)ptw_source_kcore.probe(data, size < 4096 ? size : 4096);

	struct ptw_source *src = calloc(1, sizeof(*src));
	if (!src)
		abort();
	src->fd = -1;
	src->dump_level = -1;
	src->path = strdup(path);
	src->ops = &ptw_source_kcore;
	struct ptw_error *err = ptw_file_open_regular(path, &src->fd, &src->file_size);
	if (!err)
		err = src->ops->open(src);
	if (!err) {
		uint64_t present, excluded;
		unsigned seen = 0;
		void *arg[2] = { src, &seen };
		ptw_error_destroy(src->ops->count_pages(src, 4096, &present, &excluded));
		ptw_error_destroy(ptw_source_for_each_range(src, touch_range, arg));
	}
	ptw_error_destroy(err);
	ptw_source_close(src);
	return 0;
}
