/* A fuzz input as memory: its bytes mapped at FUZZ_IMAGE_BASE, reads
 * outside them NOT_PRESENT, as a dump's missing pages are; and the
 * little-endian header fields harnesses take their offsets from. */
#ifndef PTW_FUZZ_IMAGE_H
#define PTW_FUZZ_IMAGE_H

#include <stdint.h>
#include <string.h>

#include "error.h"

#define FUZZ_IMAGE_BASE 0x10000u

struct fuzz_image {
	const uint8_t *p;
	size_t len;
};

static inline struct ptw_error *fuzz_image_read(void *arg, uint64_t addr, void *buf, size_t len)
{
	const struct fuzz_image *im = arg;

	if (addr < FUZZ_IMAGE_BASE || addr - FUZZ_IMAGE_BASE > im->len || len > im->len - (addr - FUZZ_IMAGE_BASE))
		return ptw_error_create(PTW_E_NOT_PRESENT, "outside the image");
	memcpy(buf, im->p + (addr - FUZZ_IMAGE_BASE), len);
	return NULL;
}

static inline uint32_t fuzz_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

#endif
