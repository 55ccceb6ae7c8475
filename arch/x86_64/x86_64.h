/* x86-64 translation: geometry, the entry decoder, detection, layout.
 * Internal to ptwalk; the rest of the program uses ptw_arch_x86_64. */
#ifndef PTW_X86_64_H
#define PTW_X86_64_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "source.h"
#include "vmcoreinfo.h"
#include "xlat.h"

/** The tree of 4 or 5 levels of 512 entries over 4K pages. va_bits is what
 * one half resolves (47 or 56): the root index includes the sign bit, so
 * the walker's canonical test (bits 63:va_bits all equal) is the CPU's.
 * maxphyaddr bounds output addresses (bits 51:maxphyaddr are reserved);
 * sme_mask is the encryption bit, a flag inside the address field. */
struct ptw_error *ptw_x86_64_geom(unsigned levels, bool upper, uint64_t root_pa,
				  unsigned maxphyaddr, uint64_t sme_mask, struct ptw_geom *ret);

/** The pure entry decoder. */
void ptw_x86_64_decode(const struct ptw_geom *g, unsigned idx, uint64_t raw, struct ptw_desc *ret);

/** The root table address in a CR3 value: PCID [11:0], the no-flush bit 63
 * and the LAM bits 62:61 masked off, and the SME bit when sme_mask has it. */
uint64_t ptw_x86_64_cr3_to_pa(uint64_t cr3, uint64_t sme_mask);

struct ptw_error *ptw_x86_64_detect(const struct ptw_vmcoreinfo *vi, uint64_t page_size,
				    struct ptw_xlat *ret);
struct ptw_error *ptw_x86_64_detect_memory(struct ptw_xlat *x, const struct ptw_vmcoreinfo *vi,
					   struct ptw_source *src);
struct ptw_error *ptw_x86_64_layout(const struct ptw_xlat *x, const struct ptw_vmcoreinfo *vi,
				    bool (*is_mapped)(void *arg, uint64_t va), void *arg,
				    struct ptw_regions *ret);

/** PGDIR_SHIFT: 39 with 4 levels, 48 with 5. */
static inline unsigned ptw_x86_64_pgdir_shift(const struct ptw_xlat *x)
{
	return x->levels == 5 ? 48 : 39;
}

/** KERNEL_IMAGE_SIZE: NUMBER(KERNEL_IMAGE_SIZE), else 1G with KASLR, 512M without. */
uint64_t ptw_x86_64_kernel_image_size(const struct ptw_xlat *x, const struct ptw_vmcoreinfo *vi);

/** FIXADDR_START: NUMBER(FIXADDR_START) when given, else computed for a
 * distribution kernel's configuration (see layout.c). */
uint64_t ptw_x86_64_fixaddr_start(const struct ptw_vmcoreinfo *vi);

/** The end of the direct map as far as the tables can use it: page_offset +
 * 2^MAX_PHYSMEM_BITS, cut at vmalloc space when that is known. */
uint64_t ptw_x86_64_direct_map_end(const struct ptw_xlat *x);

#endif
