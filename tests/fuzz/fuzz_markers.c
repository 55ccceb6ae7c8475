/* Fuzz harness: x86-64's address_markers[] read from kernel memory
 * (ptw_x86_64_markers_decode: the entries, each name read and matched,
 * the end marker, the bounds on entries and name length). Input: a 4-byte
 * header (u32 offset of the array in the image), then the memory image,
 * mapped at 0x10000 (reads outside it fail). */
#include <stdint.h>
#include <string.h>

#include "fuzz_image.h"
#include "layout_symbols.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_image im;
	struct ptw_mem_reader r = { .read = fuzz_image_read, .arg = &im };
	struct ptw_ptdump_view view;

	if (size < 4)
		return 0;
	im.p = data + 4;
	im.len = size - 4;
	memset(&view, 0, sizeof(view));
	uint32_t off = fuzz_le32(data);
	if (ptw_x86_64_markers_decode(&r, FUZZ_IMAGE_BASE + (uint64_t)off, &view)) {
		/* what a caller relies on */
		if (view.n < 2 || view.n > PTW_MAX_MARKERS || view.m[0].start != 0)
			__builtin_trap();
		for (unsigned i = 0; i < view.n; i++)
			if (!view.m[i].name || strlen(view.m[i].name) > 31)
				__builtin_trap();
	}
	return 0;
}
