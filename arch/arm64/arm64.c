/* arm64 VMSAv8-64 stage 1 (EL1&0): geometry, descriptor decoders for the
 * 48-bit, FEAT_LPA and FEAT_LPA2 formats, attributes, and the ops table. */
#include "arm64/arm64.h"

#include <stddef.h>

#include "arm64/hwdef.h"
#include "ptdump.h"
#include "dump.h"

struct ptw_error *ptw_arm64_geom(unsigned page_shift, unsigned va_bits, enum ptw_pte_format fmt,
				 bool upper, uint64_t root_pa, struct ptw_geom *ret)
{
	struct ptw_geom g = { 0 };
	unsigned stride, levels, top;

	if (page_shift != 12 && page_shift != 14 && page_shift != 16)
		return ptw_error_create(PTW_E_BAD_DATA, "page size %#llx is not an arm64 granule",
					1ULL << (page_shift & 63));
	if (fmt != PTW_PTE_ARM64_VMSA && fmt != PTW_PTE_ARM64_LPA && fmt != PTW_PTE_ARM64_LPA2)
		return ptw_error_create(PTW_E_INVALID_ARGUMENT, "not an arm64 descriptor format");
	if (fmt == PTW_PTE_ARM64_LPA && page_shift != 16)
		return ptw_error_create(PTW_E_BAD_DATA, "FEAT_LPA descriptors need 64K pages");
	if (fmt == PTW_PTE_ARM64_LPA2 && page_shift == 16)
		return ptw_error_create(PTW_E_BAD_DATA, "FEAT_LPA2 descriptors need 4K or 16K pages");
	/* TxSZ: at most 48 bits, or 52 with FEAT_LVA (64K) or FEAT_LPA2 (4K/16K,
	 * TCR.DS = 1); the kernel's smallest is 36 (16K, 2 levels). */
	if (va_bits < 25 || va_bits > 52 ||
	    (va_bits > 48 && page_shift != 16 && fmt != PTW_PTE_ARM64_LPA2))
		return ptw_error_create(PTW_E_BAD_DATA,
					"%u-bit virtual addresses are not possible with %uK pages%s",
					va_bits, (1u << page_shift) >> 10,
					page_shift != 16 ? " without FEAT_LPA2" : "");
	stride = page_shift - 3;
	levels = (va_bits - 4) / stride; /* ARM64_HW_PGTABLE_LEVELS */
	if (levels < 1 || levels > PTW_MAX_LEVELS || page_shift + levels * stride < va_bits)
		return ptw_error_create(PTW_E_BAD_DATA, "%u-bit VA with %uK pages: no table shape",
					va_bits, (1u << page_shift) >> 10);
	g.fmt = fmt;
	g.page_shift = page_shift;
	g.va_bits = va_bits;
	g.levels = levels;
	g.top_level = 4 - (int)levels;
	g.upper = upper;
	g.root_pa = root_pa;
	g.pa_bits = fmt == PTW_PTE_ARM64_VMSA ? 48 : 52;
	top = levels - 1;
	for (unsigned i = 0; i < levels; i++) {
		g.shift[i] = page_shift + i * stride; /* ARM64_HW_PGTABLE_LEVEL_SHIFT */
		g.bits[i] = i == top ? va_bits - g.shift[i] : stride;
	}
	/* Where blocks are legal (Arm ARM D8.3, VMSAv8-64 translation table
	 * descriptor formats): level 2 always; level 1 with 4K, or with 16K
	 * under FEAT_LPA2, or with 64K under FEAT_LPA (52-bit OA); level 0
	 * with 4K under FEAT_LPA2. Index i is level 3 - i. */
	g.block_mask = 1u << 1;
	if (page_shift == 12 || (page_shift == 14 && fmt == PTW_PTE_ARM64_LPA2) ||
	    (page_shift == 16 && fmt == PTW_PTE_ARM64_LPA))
		g.block_mask |= 1u << 2;
	if (page_shift == 12 && fmt == PTW_PTE_ARM64_LPA2)
		g.block_mask |= 1u << 3;
	g.block_mask &= (1u << levels) - 1;
	/* Contiguous runs (Arm ARM D8.6.1; the kernel's CONFIG_ARM64_CONT_PTE_SHIFT
	 * and CONT_PMD_SHIFT): 4K: 16 at levels 3, 2 (and 1); 16K: 128 at level 3,
	 * 32 at level 2; 64K: 32 at levels 3 and 2. */
	switch (page_shift) {
	case 12: g.cont_entries[0] = 16; g.cont_entries[1] = 16; g.cont_entries[2] = 16; break;
	case 14: g.cont_entries[0] = 128; g.cont_entries[1] = 32; break;
	default: g.cont_entries[0] = 32; g.cont_entries[1] = 32; break;
	}
	for (unsigned i = levels; i < PTW_MAX_LEVELS; i++)
		g.cont_entries[i] = 0;
	*ret = g;
	return NULL;
}

uint64_t ptw_arm64_desc_addr(enum ptw_pte_format fmt, unsigned page_shift, uint64_t raw)
{
	switch (fmt) {
	case PTW_PTE_ARM64_LPA:
		/* __pte_to_phys, 64K + ARM64_PA_BITS_52 */
		return (raw & ARM64_GENMASK(47, page_shift)) |
		       ((raw & ARM64_LPA_HIGH_MASK) << ARM64_LPA_HIGH_SHIFT);
	case PTW_PTE_ARM64_LPA2:
		/* __pte_to_phys, 4K/16K + ARM64_PA_BITS_52 with TCR.DS (6.9+) */
		return (raw & ARM64_GENMASK(49, page_shift)) |
		       ((raw & ARM64_LPA2_HIGH_MASK) << ARM64_LPA2_HIGH_SHIFT);
	default:
		return raw & ARM64_GENMASK(47, page_shift);
	}
}

/* Bits that must be zero in a valid table/block/page descriptor's address
 * field for this format: OA bits the format cannot hold, and for 16K/64K
 * the bits between 12 and PAGE_SHIFT that carry no address. */
static uint64_t res0_mask(enum ptw_pte_format fmt, unsigned page_shift)
{
	uint64_t m = 0;

	if (fmt != PTW_PTE_ARM64_LPA2)
		m |= ARM64_GENMASK(49, 48);
	if (page_shift > 12 && fmt != PTW_PTE_ARM64_LPA)
		m |= ARM64_GENMASK(page_shift - 1, 12);
	return m;
}

void ptw_arm64_decode(const struct ptw_geom *g, unsigned idx, uint64_t raw, struct ptw_desc *ret)
{
	struct ptw_desc d = { .kind = PTW_DESC_INVALID };
	uint64_t type = raw & ARM64_PTE_TYPE_MASK;

	if (!(raw & ARM64_PTE_VALID)) {
		*ret = d;
		return;
	}
	if (raw & res0_mask(g->fmt, g->page_shift)) {
		d.kind = PTW_DESC_BAD;
		d.reason = g->fmt == PTW_PTE_ARM64_LPA2 ? "reserved bits set (RES0 [13:12])"
			 : "reserved bits set (RES0 address bits for this format)";
		*ret = d;
		return;
	}
	if (type == ARM64_PTE_TYPE_BLOCK) {
		uint64_t size = UINT64_C(1) << g->shift[idx];

		if (idx == 0) {
			d.kind = PTW_DESC_BAD;
			d.reason = "block encoding 0b01 at level 3 (reserved)";
		} else if (!(g->block_mask & (1u << idx))) {
			d.kind = PTW_DESC_BAD;
			d.reason = "block descriptor at a level where this granule allows none";
		} else {
			/* bit 16 is nT (FEAT_BBM) in a block, not an address bit */
			uint64_t oa = ptw_arm64_desc_addr(g->fmt, g->page_shift, raw & ~ARM64_PTE_NT);

			if (oa & (size - 1)) {
				d.kind = PTW_DESC_BAD;
				d.reason = "block output address not aligned to the block size (RES0 bits set)";
			} else {
				d.kind = PTW_DESC_BLOCK;
				d.addr = oa;
				d.cont = !!(raw & ARM64_PTE_CONT);
			}
		}
		*ret = d;
		return;
	}
	d.addr = ptw_arm64_desc_addr(g->fmt, g->page_shift, raw);
	if (idx == 0) {
		d.kind = PTW_DESC_PAGE;
		d.cont = !!(raw & ARM64_PTE_CONT);
	} else {
		d.kind = PTW_DESC_TABLE;
	}
	*ret = d;
}

uint64_t ptw_arm64_ttbr_to_pa(enum ptw_pte_format fmt, uint64_t ttbr)
{
	if (fmt == PTW_PTE_ARM64_LPA || fmt == PTW_PTE_ARM64_LPA2)
		return (ttbr & ARM64_GENMASK(47, 6)) | (((ttbr >> 2) & 0xf) << 48);
	return ttbr & ARM64_GENMASK(47, 1);
}

uint64_t ptw_arm64_ttbr1_4852_offset(unsigned page_shift)
{
	/* PGDIR_SHIFT of the 3-level 64K tree: ARM64_HW_PGTABLE_LEVEL_SHIFT(1) */
	unsigned pgdir_shift = (page_shift - 3) * 3 + 3;

	return ((UINT64_C(1) << (52 - pgdir_shift)) - (UINT64_C(1) << (48 - pgdir_shift))) * 8;
}

uint64_t ptw_arm64_untag(uint64_t va)
{
	/* sign_extend64(va, 55) */
	return (va & ARM64_BIT(55)) ? va | ARM64_GENMASK(63, 56) : va & ARM64_GENMASK(55, 0);
}

static bool arm64_is_upper(uint64_t va)
{
	return (va & ARM64_BIT(55)) != 0; /* TTBR1 when bit 55 is set */
}

static void add_bool(struct ptw_attrs *a, const char *name, bool v, const char *label)
{
	if (a->n < PTW_MAX_ATTRS)
		a->a[a->n++] = (struct ptw_attr){ .name = name, .type = PTW_ATTR_BOOL, .u = v,
						  .label = label };
}

static void add_uint(struct ptw_attrs *a, const char *name, uint64_t v, const char *label)
{
	if (a->n < PTW_MAX_ATTRS)
		a->a[a->n++] = (struct ptw_attr){ .name = name, .type = PTW_ATTR_UINT, .u = v,
						  .label = label };
}

static void add_str(struct ptw_attrs *a, const char *name, const char *v, const char *label)
{
	if (a->n < PTW_MAX_ATTRS)
		a->a[a->n++] = (struct ptw_attr){ .name = name, .type = PTW_ATTR_STR, .s = v,
						  .label = label };
}

static void arm64_attrs(const struct ptw_geom *g, unsigned idx, uint64_t raw, struct ptw_attrs *ret)
{
	static const char *const sh_names[4] = { "non", "reserved", "outer", "inner" };
	struct ptw_attrs *a = ret;

	a->n = 0;
	add_bool(a, "valid", raw & ARM64_PTE_VALID, NULL);
	add_bool(a, "af", raw & ARM64_PTE_AF, NULL);
	/* Under FEAT_LPA2 bits [9:8] are OA[51:50]; shareability is TCR's. */
	if (g->fmt != PTW_PTE_ARM64_LPA2)
		add_str(a, "sh", sh_names[(raw & ARM64_PTE_SHARED) >> ARM64_PTE_SHARED_SHIFT], "sh");
	add_uint(a, "attrindx", (raw & ARM64_PTE_ATTRINDX_MASK) >> ARM64_PTE_ATTRINDX_SHIFT, "attr");
	add_str(a, "ap", (raw & ARM64_PTE_RDONLY) ? "ro" : "rw", "");
	add_bool(a, "user", raw & ARM64_PTE_USER, NULL);
	add_bool(a, "ng", raw & ARM64_PTE_NG, "nG");
	add_bool(a, "pxn", raw & ARM64_PTE_PXN, NULL);
	add_bool(a, "uxn", raw & ARM64_PTE_UXN, NULL);
	add_bool(a, "dbm", raw & ARM64_PTE_DBM, NULL);
	add_bool(a, "cont", raw & ARM64_PTE_CONT, "cont");
	if (raw & ARM64_PTE_GP)
		add_bool(a, "gp", true, NULL);
	/* Software bits, pgtable-prot.h (6.12): set ones only. */
	if (raw & ARM64_PTE_SW_DIRTY)
		add_bool(a, "dirty", true, NULL);
	if (raw & ARM64_PTE_SW_SPECIAL)
		add_bool(a, "special", true, NULL);
	if (raw & ARM64_PTE_SW_DEVMAP)
		add_bool(a, "devmap", true, NULL);
	if (raw & ARM64_PTE_SW_UFFD_WP)
		add_bool(a, "uffd_wp", true, NULL);
	(void)idx;
}

static const char *arm64_level_name(const struct ptw_geom *g, unsigned idx)
{
	static const char *const names[] = { "P4D", "PUD", "PMD", "PTE" }; /* levels 0..3 */
	int level = ptw_geom_level(g, idx);

	if (idx == g->levels - 1)
		return "PGD";
	if (level < 0 || level > 3)
		return "?";
	return names[level];
}

static struct ptw_error *arm64_user_geom(const struct ptw_xlat *x, uint64_t reg, struct ptw_geom *ret)
{
	/* TTBR0: ASID [63:48] and CnP [0] masked; BADDR[51:48] in [5:2] with a
	 * 52-bit OA. The user VA size is vabits_actual (T0SZ follows T1SZ in
	 * 5.4+; 64K LVA and 6.9+ LPA2 kernels give users 52 bits when the
	 * kernel runs at 52). */
	return ptw_arm64_geom(x->kernel.page_shift, x->vabits_actual, x->fmt, false,
			      ptw_arm64_ttbr_to_pa(x->fmt, reg), ret);
}

static void arm64_ptov(const struct ptw_xlat *x, uint64_t pa, bool *have_linear, uint64_t *linear,
		       bool *have_kimage, uint64_t *kimage)
{
	*have_linear = false;
	*have_kimage = false;
	if (x->have_phys_offset && x->have_page_offset && x->have_page_end &&
	    (x->pa_bits == 0 || x->pa_bits >= 64 || pa >> x->pa_bits == 0)) {
		/* __phys_to_virt: ((x - PHYS_OFFSET) | PAGE_OFFSET). The
		 * difference is taken without wrapping: PHYS_OFFSET is negative
		 * when a 52-bit kernel runs on a 48-bit CPU, and a PA far above
		 * it lies past the linear map, not at its start again. */
		uint64_t mag = x->phys_offset < 0 ? 0 - (uint64_t)x->phys_offset : (uint64_t)x->phys_offset;
		bool outside = x->phys_offset < 0 ? pa > UINT64_MAX - mag : pa < mag;
		uint64_t off = x->phys_offset < 0 ? pa + mag : pa - mag;
		uint64_t va = off | x->page_offset;

		if (!outside && off < x->page_end - x->page_offset &&
		    va - x->linear_start < x->page_end - x->linear_start) {
			*have_linear = true;
			*linear = va;
		}
	}
	if (x->have_kimage_voffset) {
		*have_kimage = true;
		*kimage = pa + x->kimage_voffset; /* __phys_to_kimg; caller checks it is in the image */
	}
}

const struct ptw_arch_ops ptw_arch_arm64 = {
	.name = "arm64",
	.detect = ptw_arm64_detect,
	.decode = ptw_arm64_decode,
	.attrs = arm64_attrs,
	.level_name = arm64_level_name,
	.untag = ptw_arm64_untag,
	.is_upper = arm64_is_upper,
	.user_geom = arm64_user_geom,
	.ptov = arm64_ptov,
	.layout = ptw_arm64_layout,
	.ptdump = &ptw_ptdump_arm64,
};
