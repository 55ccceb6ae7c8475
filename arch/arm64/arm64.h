/* arm64 translation: geometry, descriptor decoders, detection, layout.
 * Internal to ptwalk; the rest of the program uses ptw_arch_arm64. */
#ifndef PTW_ARM64_H
#define PTW_ARM64_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "vmcoreinfo.h"
#include "xlat.h"

/** The tree for `va_bits` of VA with 2^page_shift pages, as pgtable-hwdef.h
 * lays it out: ARM64_HW_PGTABLE_LEVELS(va_bits) = (va_bits - 4) / (PAGE_SHIFT - 3)
 * levels, the top one holding what is left. Rejects shapes the architecture
 * cannot walk (e.g. 52 bits with 4K/16K pages and no FEAT_LPA2 format). */
struct ptw_error *ptw_arm64_geom(unsigned page_shift, unsigned va_bits, enum ptw_pte_format fmt,
				 bool upper, uint64_t root_pa, struct ptw_geom *ret);

/** The pure descriptor decoder for all three formats (g->fmt says which). */
void ptw_arm64_decode(const struct ptw_geom *g, unsigned idx, uint64_t raw, struct ptw_desc *ret);

/** Output (or next-table) address held in a descriptor, by format. */
uint64_t ptw_arm64_desc_addr(enum ptw_pte_format fmt, unsigned page_shift, uint64_t raw);

/** Base address of the table a TTBR value points to. */
uint64_t ptw_arm64_ttbr_to_pa(enum ptw_pte_format fmt, uint64_t ttbr);

/** TTBR1_BADDR_4852_OFFSET (asm/pgtable-hwdef.h, 5.4+, commit c812026c54cf):
 * where TTBR1 points into a 52-bit swapper_pg_dir when the MMU runs at 48. */
uint64_t ptw_arm64_ttbr1_4852_offset(unsigned page_shift);

/** Sign-extend from bit 55, as the kernel's __untagged_addr / __tag_reset. */
uint64_t ptw_arm64_untag(uint64_t va);

struct ptw_error *ptw_arm64_detect(const struct ptw_vmcoreinfo *vi, uint64_t page_size,
				   struct ptw_xlat *ret);
/** Slots of the fixmap's permanent part (__end_of_permanent_fixed_addresses
 * of asm/fixmap.h) for 6.1 (old) or 6.9+, its build options read from the
 * kernel's table below fixaddr_top with is_mapped (NULL: the smallest build). */
uint64_t ptw_arm64_fixmap_permanent_slots(const struct ptw_xlat *x, bool old,
					  bool (*is_mapped)(void *, uint64_t), void *arg,
					  uint64_t fixaddr_top);
/** 6.9+: __end_of_fixed_addresses, the whole fixmap below FIXADDR_TOP
 * (FIXADDR_TOT_SIZE / PAGE_SIZE): the permanent slots, the early_ioremap
 * slots and FIX_PTE..FIX_PGD. */
uint64_t ptw_arm64_fixmap_total_slots(const struct ptw_xlat *x, bool (*is_mapped)(void *, uint64_t),
				      void *arg, uint64_t fixaddr_top);
/** 6.9+ with KASAN (generic or software tags): whether the kernel's table
 * shows a KASAN shadow, and where (asm/memory.h: it ends at
 * KASAN_SHADOW_END, _PAGE_END(VA_BITS_MIN) with Kconfig's default
 * KASAN_SHADOW_OFFSET, and the linear map ends where it starts). */
bool ptw_arm64_kasan_shadow(const struct ptw_xlat *x, bool (*is_mapped)(void *, uint64_t), void *arg,
			    uint64_t *start_ret, uint64_t *end_ret);
struct ptw_error *ptw_arm64_layout(const struct ptw_xlat *x, const struct ptw_vmcoreinfo *vi,
				   bool (*is_mapped)(void *arg, uint64_t va), void *arg,
				   struct ptw_regions *ret);

/** Kernel version from OSRELEASE as major*65536 + minor*256 + patch, 0 if unknown. */
unsigned ptw_arm64_kernel_version(const struct ptw_vmcoreinfo *vi);
#define PTW_KVER(a, b, c) (((unsigned)(a) << 16) | ((unsigned)(b) << 8) | (unsigned)(c))

#endif
