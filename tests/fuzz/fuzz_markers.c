/* Fuzz harness: x86-64's address_markers[] read from kernel memory
 * (ptw_x86_64_markers_decode: the entries, each name read and matched,
 * the end marker, the bounds on entries and name length). Input: a 4-byte
 * header (u32 offset of the array in the image), then the memory image,
 * mapped at 0x10000 (reads outside it fail). */
#include <stdint.h>
#include <string.h>

#include "layout_symbols.h"

#define BASE 0x10000u

struct image {
	const uint8_t *p;
	size_t len;
};

static struct ptw_error *image_read(void *arg, uint64_t addr, void *buf, size_t len)
{
	const struct image *im = arg;

	if (addr < BASE || addr - BASE > im->len || len > im->len - (addr - BASE))
		return ptw_error_create(PTW_E_NOT_PRESENT, "outside the image");
	memcpy(buf, im->p + (addr - BASE), len);
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct image im;
	struct ptw_mem_reader r = { .read = image_read, .arg = &im };
	struct ptw_ptdump_view view;

	if (size < 4)
		return 0;
	im.p = data + 4;
	im.len = size - 4;
	memset(&view, 0, sizeof(view));
	uint32_t off = (uint32_t)data[0] | (uint32_t)data[1] << 8 | (uint32_t)data[2] << 16 |
		       (uint32_t)data[3] << 24;
	if (ptw_x86_64_markers_decode(&r, BASE + (uint64_t)off, &view)) {
		/* what a caller relies on */
		if (view.n < 2 || view.n > PTW_MAX_MARKERS || view.m[0].start != 0)
			__builtin_trap();
		for (unsigned i = 0; i < view.n; i++)
			if (!view.m[i].name || strlen(view.m[i].name) > 31)
				__builtin_trap();
	}
	return 0;
}
