/* x86-64 IA-32e paging (4-level, and 5-level with CR4.LA57): geometry, the
 * entry decoder, attributes, CR3 masking, and the ops table. */
#include "x86_64/x86_64.h"

#include <stddef.h>

#include "ptdump.h"
#include "x86_64/hwdef.h"

struct ptw_error *ptw_x86_64_geom(unsigned levels, bool upper, uint64_t root_pa,
				  unsigned maxphyaddr, uint64_t sme_mask, struct ptw_geom *ret)
{
	struct ptw_geom g = { 0 };

	if (levels != 4 && levels != 5)
		return ptw_error_create(PTW_E_BAD_DATA, "x86-64 paging has 4 or 5 levels, not %u", levels);
	/* MAXPHYADDR is at most 52 (SDM 4.1.4); a CPU with less than 32 is not x86-64. */
	if (maxphyaddr < 32 || maxphyaddr > X86_PHYSICAL_MASK_SHIFT)
		return ptw_error_create(PTW_E_BAD_DATA, "MAXPHYADDR %u is out of range (32..52)", maxphyaddr);
	if (sme_mask & ~X86_PFN_MASK)
		return ptw_error_create(PTW_E_BAD_DATA,
					"sme_mask %#llx lies outside the address field (bits 51:12)",
					(unsigned long long)sme_mask);
	g.fmt = PTW_PTE_X86_64;
	g.page_shift = 12;
	g.levels = levels;
	/* Each half resolves 47 (56) bits; the root's 9 index bits run up to
	 * bit 47 (56), the sign bit, which picks the half. */
	g.va_bits = levels == 5 ? 56 : 47;
	/* Level numbers are the kernel's (mm/ptdump.c): 0 pgd .. 4 pte; with
	 * 4 levels the root is the p4d-level table (the PML4), level 1. */
	g.top_level = 5 - (int)levels;
	g.upper = upper;
	g.root_pa = root_pa;
	g.pa_bits = maxphyaddr;
	g.pa_flag_mask = sme_mask;
	for (unsigned i = 0; i < levels; i++) {
		g.shift[i] = 12 + 9 * i;
		g.bits[i] = 9;
	}
	/* PS=1 maps a 2M page from a PDE (index 1) and a 1G page from a PDPTE
	 * (index 2); in a PML4E or PML5E bit 7 is reserved. */
	g.block_mask = (1u << 1) | (1u << 2);
	*ret = g;
	return NULL;
}

/* Bits 51:MAXPHYADDR of the address field must be zero (SDM 4.5.4,
 * "reserved bits"); the SME bit, when the kernel uses one, is a flag there. */
static uint64_t reserved_mask(const struct ptw_geom *g)
{
	if (g->pa_bits >= X86_PHYSICAL_MASK_SHIFT)
		return 0;
	return X86_GENMASK(51, g->pa_bits) & ~g->pa_flag_mask;
}

void ptw_x86_64_decode(const struct ptw_geom *g, unsigned idx, uint64_t raw, struct ptw_desc *ret)
{
	struct ptw_desc d = { .kind = PTW_DESC_INVALID };
	uint64_t addr_mask = X86_PFN_MASK & ~g->pa_flag_mask;

	if (!(raw & X86_PAGE_PRESENT)) {
		*ret = d;
		return;
	}
	if (raw & reserved_mask(g)) {
		d.kind = PTW_DESC_BAD;
		d.reason = "reserved bits set (address bits 51:MAXPHYADDR)";
		*ret = d;
		return;
	}
	if (idx == 0) {
		/* A PTE: bit 7 is PAT, not PS. */
		d.kind = PTW_DESC_PAGE;
		d.addr = raw & addr_mask;
		*ret = d;
		return;
	}
	if (raw & X86_PAGE_PSE) {
		uint64_t size = UINT64_C(1) << g->shift[idx];

		if (!(g->block_mask & (1u << idx))) {
			d.kind = PTW_DESC_BAD;
			d.reason = "large-page block (PS=1) at a level without them (PML4E/PML5E bit 7 is reserved)";
		} else if (raw & addr_mask & (size - 1) & ~X86_PAGE_PAT_LARGE) {
			/* bit 12 is PAT; bits 20:13 (2M) or 29:13 (1G) are reserved */
			d.kind = PTW_DESC_BAD;
			d.reason = "reserved bits set (large-page address below the page size)";
		} else {
			d.kind = PTW_DESC_BLOCK;
			d.addr = raw & addr_mask & ~(size - 1);
		}
		*ret = d;
		return;
	}
	d.kind = PTW_DESC_TABLE;
	d.addr = raw & addr_mask;
	*ret = d;
}

uint64_t ptw_x86_64_cr3_to_pa(uint64_t cr3, uint64_t sme_mask)
{
	return cr3 & X86_CR3_ADDR_MASK & ~sme_mask;
}

static uint64_t x86_64_untag(uint64_t va)
{
	/* No tags: LAM (linear address masking, 6.4+ for user pointers) is
	 * out of scope, so addresses are taken as given. */
	return va;
}

static bool x86_64_is_upper(uint64_t va)
{
	return (va >> 63) != 0; /* the kernel half: bits 63:47 (63:56) all set */
}

static void add_attr(struct ptw_attrs *a, const char *name, enum ptw_attr_type type, uint64_t u,
		     const char *label)
{
	if (a->n < PTW_MAX_ATTRS)
		a->a[a->n++] = (struct ptw_attr){ .name = name, .type = type, .u = u, .label = label };
}

static void x86_64_attrs(const struct ptw_geom *g, unsigned idx, uint64_t raw, struct ptw_attrs *ret)
{
	bool large = idx > 0;

	ret->n = 0;
	add_attr(ret, "present", PTW_ATTR_BOOL, !!(raw & X86_PAGE_PRESENT), NULL);
	add_attr(ret, "rw", PTW_ATTR_BOOL, !!(raw & X86_PAGE_RW), NULL);
	add_attr(ret, "us", PTW_ATTR_BOOL, !!(raw & X86_PAGE_USER), NULL);
	add_attr(ret, "pwt", PTW_ATTR_BOOL, !!(raw & X86_PAGE_PWT), NULL);
	add_attr(ret, "pcd", PTW_ATTR_BOOL, !!(raw & X86_PAGE_PCD), NULL);
	add_attr(ret, "a", PTW_ATTR_BOOL, !!(raw & X86_PAGE_ACCESSED), NULL);
	add_attr(ret, "d", PTW_ATTR_BOOL, !!(raw & X86_PAGE_DIRTY), NULL);
	add_attr(ret, "ps", PTW_ATTR_BOOL, large && (raw & X86_PAGE_PSE), NULL);
	add_attr(ret, "g", PTW_ATTR_BOOL, !!(raw & X86_PAGE_GLOBAL), NULL);
	/* PAT is bit 7 in a PTE and bit 12 in a 2M/1G page. */
	add_attr(ret, "pat", PTW_ATTR_BOOL, !!(raw & (large ? X86_PAGE_PAT_LARGE : X86_PAGE_PAT)), NULL);
	add_attr(ret, "nx", PTW_ATTR_BOOL, !!(raw & X86_PAGE_NX), NULL);
	add_attr(ret, "pkey", PTW_ATTR_UINT, (raw & X86_PAGE_PKEY_MASK) >> X86_PAGE_PKEY_SHIFT, "pkey");
	/* Linux's software bits, set ones only. */
	if (raw & X86_PAGE_SPECIAL)
		add_attr(ret, "special", PTW_ATTR_BOOL, 1, NULL);
	if (raw & X86_PAGE_SOFT_DIRTY)
		add_attr(ret, "soft_dirty", PTW_ATTR_BOOL, 1, NULL);
	if (g->pa_flag_mask && (raw & g->pa_flag_mask))
		add_attr(ret, "encrypted", PTW_ATTR_BOOL, 1, NULL);
}

/* crash's names: PML5 and PML4 for the top tables, then PUD, PMD, PTE. */
static const char *x86_64_level_name(const struct ptw_geom *g, unsigned idx)
{
	static const char *const names[] = { "PTE", "PMD", "PUD", "PML4", "PML5" };

	(void)g;
	return idx < sizeof(names) / sizeof(names[0]) ? names[idx] : "?";
}

static struct ptw_error *x86_64_user_geom(const struct ptw_xlat *x, uint64_t reg, struct ptw_geom *ret)
{
	/* A user tree is a whole CR3 tree walked for its lower half; the
	 * levels are the kernel's (CR4.LA57 is global). */
	return ptw_x86_64_geom(x->levels, false, ptw_x86_64_cr3_to_pa(reg, x->kernel.pa_flag_mask),
			       x->kernel.pa_bits, x->kernel.pa_flag_mask, ret);
}

static void x86_64_ptov(const struct ptw_xlat *x, uint64_t pa, bool *have_linear, uint64_t *linear,
			bool *have_kimage, uint64_t *kimage)
{
	*have_linear = false;
	*have_kimage = false;
	if (x->have_page_offset) {
		/* __va(): PAGE_OFFSET + pa, within the direct map */
		uint64_t end = ptw_x86_64_direct_map_end(x);

		if (pa < end - x->page_offset) {
			*have_linear = true;
			*linear = x->page_offset + pa;
		}
	}
	if (x->have_kimage_voffset) {
		/* __START_KERNEL_map + pa - phys_base; the kernel text mapping
		 * spans at most 1G (KERNEL_IMAGE_SIZE with KASLR). */
		uint64_t kva = pa + x->kimage_voffset;

		if (kva >= X86_START_KERNEL_MAP && kva - X86_START_KERNEL_MAP < (UINT64_C(1) << 30)) {
			*have_kimage = true;
			*kimage = kva;
		}
	}
}

const struct ptw_arch_ops ptw_arch_x86_64 = {
	.name = "x86_64",
	.detect = ptw_x86_64_detect,
	.decode = ptw_x86_64_decode,
	.attrs = x86_64_attrs,
	.level_name = x86_64_level_name,
	.untag = x86_64_untag,
	.is_upper = x86_64_is_upper,
	.user_geom = x86_64_user_geom,
	.ptov = x86_64_ptov,
	.layout = ptw_x86_64_layout,
	.ptdump = &ptw_ptdump_x86_64,
	.detect_memory = ptw_x86_64_detect_memory,
};
