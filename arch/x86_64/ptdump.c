/* x86-64's kernel page-table dump, as arch/x86/mm/dump_pagetables.c prints
 * it (6.1 and 6.12 print the same): printk_prot()'s columns, the level
 * name last, note_page()'s breaks on the effective permissions of the
 * whole path, its address markers, and the two ranges it walks. */
#include <stdio.h>
#include <string.h>

#include "ptdump.h"
#include "walk.h"
#include "x86_64/hwdef.h"
#include "x86_64/x86_64.h"

/* note_page() compares val & PTE_FLAGS_MASK (everything outside the address
 * field, so a large page's PAT bit 12 never shows) and the effective
 * permissions. The effective ones are kept in address bits the flags never
 * use, so one number carries both. */
#define EFF_RW		X86_BIT(13)
#define EFF_USER	X86_BIT(14)
#define EFF_NX		X86_BIT(15)

static uint64_t flags_of(const struct ptw_geom *g, uint64_t raw)
{
	/* PTE_FLAGS_MASK = ~PTE_PFN_MASK; with memory encryption
	 * __PHYSICAL_MASK leaves sme_me_mask out of the PFN, so the C-bit
	 * counts as a flag. */
	return raw & ~(X86_PFN_MASK & ~g->pa_flag_mask);
}

static uint64_t x86_64_prot(uint64_t raw)
{
	return raw & ~X86_PFN_MASK;
}

/* effective_prot(): RW and USER only where every level allows them, NX
 * where any level sets it (ptdump_*_entry call it top-down). */
static uint64_t x86_64_prot_of_walk(const struct ptw_geom *g, const struct ptw_walk_result *r)
{
	uint64_t raw = r->raw, eff = 0;

	if (r->status == PTW_WALK_NOT_MAPPED) {
		/* pte_entry notes every PTE, present or not; a hole above the
		 * PTE level is pte_hole(), val 0. */
		if (r->idx != 0 || r->nsteps == 0)
			return 0;
	} else if (r->status != PTW_WALK_OK) {
		return 0;
	}
	if (raw == 0)
		return 0; /* note_page(): !val gives new_eff = 0 */
	for (unsigned i = 0; i < r->nsteps && i < PTW_MAX_LEVELS; i++) {
		uint64_t prot = r->step[i].raw;

		if (i == 0)
			eff = prot & (X86_PAGE_RW | X86_PAGE_USER | X86_PAGE_NX);
		else
			eff = (eff & prot & (X86_PAGE_RW | X86_PAGE_USER)) | ((eff | prot) & X86_PAGE_NX);
	}
	return flags_of(g, raw) | (eff & X86_PAGE_RW ? EFF_RW : 0) | (eff & X86_PAGE_USER ? EFF_USER : 0) |
	       (eff & X86_PAGE_NX ? EFF_NX : 0);
}

/* The effective RW, USER and NX of the table descriptors above a table:
 * what effective_prot() passes down to everything below it. */
static uint64_t x86_64_inherited(const struct ptw_walk_step *steps, unsigned n)
{
	uint64_t eff = 0;

	for (unsigned i = 0; i < n && i < PTW_MAX_LEVELS; i++) {
		uint64_t prot = steps[i].raw;

		if (i == 0)
			eff = prot & (X86_PAGE_RW | X86_PAGE_USER | X86_PAGE_NX);
		else
			eff = (eff & prot & (X86_PAGE_RW | X86_PAGE_USER)) | ((eff | prot) & X86_PAGE_NX);
	}
	return eff;
}

static void append(char *buf, size_t len, const char *s)
{
	size_t used = strlen(buf);

	if (used < len)
		snprintf(buf + used, len - used, "%s", s);
}

/* printk_prot(): "USR RW PWT PCD PSE PAT GLB NX " or blanks, then the level. */
static void x86_64_format_line(uint64_t prot, int level, const char *level_name, char *buf, size_t len)
{
	buf[0] = 0;
	if (!(prot & X86_PAGE_PRESENT)) {
		append(buf, len, "                              ");
	} else {
		append(buf, len, prot & X86_PAGE_USER ? "USR " : "    ");
		append(buf, len, prot & X86_PAGE_RW ? "RW " : "ro ");
		append(buf, len, prot & X86_PAGE_PWT ? "PWT " : "    ");
		append(buf, len, prot & X86_PAGE_PCD ? "PCD " : "    ");
		/* Bit 7 is PSE at levels up to 3, PAT in a PTE */
		append(buf, len, level <= 3 && (prot & X86_PAGE_PSE) ? "PSE " : "    ");
		append(buf, len, (level == 4 && (prot & X86_PAGE_PAT)) ||
				 ((level == 3 || level == 2) && (prot & X86_PAGE_PAT_LARGE)) ? "PAT " : "    ");
		append(buf, len, prot & X86_PAGE_GLOBAL ? "GLB " : "    ");
		append(buf, len, prot & X86_PAGE_NX ? "NX " : "x  ");
	}
	append(buf, len, level_name);
}

static void x86_64_format(uint64_t prot, char *buf, size_t len)
{
	/* Only reached without format_line; kept for completeness. */
	x86_64_format_line(prot, 4, "", buf, len);
}

/* mm/pagewalk.c: a hole in the top table is depth 0 (real_depth() folds the
 * p4d level of a 4-level tree into it); otherwise the kernel's level
 * numbers 0 pgd .. 4 pte, which ptw_x86_64_geom's tree indexes map to as
 * 4 - idx. */
static int x86_64_kernel_level(const struct ptw_geom *g, unsigned idx, bool hole)
{
	if (hole && idx == g->levels - 1)
		return 0;
	return 4 - (int)idx;
}

static const char *x86_64_level_name(const struct ptw_ptdump_view *v, const struct ptw_geom *g,
				     int level)
{
	static const char *const names[] = { "pgd", "p4d", "pud", "pmd", "pte" };

	(void)v;
	(void)g;
	return level >= 0 && level <= 4 ? names[level] : "?";
}

/* address_markers[] of dump_pagetables.c for a distribution build:
 * CONFIG_MODIFY_LDT_SYSCALL, X86_ESPFIX64 and EFI set (their defaults);
 * KASAN's markers when its shadow is mapped. The ranges are
 * ptdump_walk_pgd_level_core()'s: the lower half (PTRS_PER_PGD *
 * PGD_LEVEL_MULT / 2) and GUARD_HOLE_END_ADDR to the top. */
static struct ptw_error *x86_64_view(const struct ptw_xlat *x, const struct ptw_vmcoreinfo *vi,
				     bool (*is_mapped)(void *, uint64_t), void *arg,
				     struct ptw_ptdump_view *ret)
{
	unsigned pgdir_shift = ptw_x86_64_pgdir_shift(x);
	uint64_t guard_end = -((uint64_t)(X86_GUARD_HOLE_PGD_ENTRY - X86_GUARD_HOLE_ENTRIES) << pgdir_shift);
	uint64_t ldt = -((uint64_t)X86_LDT_PGD_ENTRY << pgdir_shift);
	unsigned vmask_shift = x->levels == 5 ? 56 : 47; /* __VIRTUAL_MASK_SHIFT */
	/* KASAN_SHADOW_START = KASAN_SHADOW_OFFSET (0xdffffc0000000000) +
	 * ((-1UL << __VIRTUAL_MASK_SHIFT) >> 3), 1 << (shift - 3) long */
	uint64_t kasan_start = UINT64_C(0xdffffc0000000000) + ((~UINT64_C(0) << vmask_shift) >> 3);
	uint64_t kasan_end = kasan_start + (UINT64_C(1) << (vmask_shift - 3));
	struct ptw_marker *m = ret->m;
	unsigned n = 0;

	if (!x->have_page_offset || !x->have_vmalloc_start || !x->have_vmemmap_start)
		return ptw_error_create(PTW_E_NOT_PRESENT,
					"page_offset_base, vmalloc_base or vmemmap_base unknown: region markers unknown "
					"(give them with --set NUMBER(page_offset_base)=VALUE etc.)");
	memset(ret->max_lines, 0, sizeof(ret->max_lines));
	m[n++] = (struct ptw_marker){ 0, "User Space" };
	m[n++] = (struct ptw_marker){ UINT64_C(1) << 63, "Kernel Space" };
	m[n++] = (struct ptw_marker){ ldt, "LDT remap" };
	m[n++] = (struct ptw_marker){ x->page_offset, "Low Kernel Mapping" };
	m[n++] = (struct ptw_marker){ x->vmalloc_start, "vmalloc() Area" };
	m[n++] = (struct ptw_marker){ x->vmemmap_start, "Vmemmap" };
	if (is_mapped && is_mapped(arg, kasan_start)) {
		m[n++] = (struct ptw_marker){ kasan_start, "KASAN shadow" };
		m[n++] = (struct ptw_marker){ kasan_end, "KASAN shadow end" };
	}
	m[n++] = (struct ptw_marker){ X86_CPU_ENTRY_AREA_BASE, "CPU entry Area" };
	m[n++] = (struct ptw_marker){ X86_ESPFIX_BASE_ADDR, "ESPfix Area" };
	ret->max_lines[n - 1] = 16;
	m[n++] = (struct ptw_marker){ X86_EFI_VA_END, "EFI Runtime Services" };
	m[n++] = (struct ptw_marker){ X86_START_KERNEL_MAP, "High Kernel Mapping" };
	m[n++] = (struct ptw_marker){ X86_START_KERNEL_MAP + ptw_x86_64_kernel_image_size(x, vi), "Modules" };
	m[n++] = (struct ptw_marker){ X86_MODULES_END, "End Modules" };
	m[n++] = (struct ptw_marker){ ptw_x86_64_fixaddr_start(vi), "Fixmap Area" };
	ret->n = n;
	ret->start = 0;
	ret->old_level_names = false;
	ret->nranges = 2;
	ret->ranges[0] = (struct ptw_view_range){ 0, UINT64_C(1) << vmask_shift, true };
	ret->ranges[1] = (struct ptw_view_range){ guard_end, 0, false };
	ret->one_marker_per_break = true;
	return NULL;
}

/* arch/x86/kernel/espfix_64.c: init_espfix_ap() points ESPFIX_PUD_CLONES
 * entries of the espfix PUD page at one PMD page, and every entry of that
 * at one PTE page; KASAN's early shadow tables are shared the same way
 * (mm/kasan/init.c). The espfix area is one P4D entry (512G). */
static bool x86_64_kernel_aliases(const struct ptw_xlat *x, uint64_t va)
{
	unsigned vmask_shift = x->levels == 5 ? 56 : 47;
	uint64_t kasan_start = UINT64_C(0xdffffc0000000000) + ((~UINT64_C(0) << vmask_shift) >> 3);
	uint64_t kasan_end = kasan_start + (UINT64_C(1) << (vmask_shift - 3));

	if (va - X86_ESPFIX_BASE_ADDR < (UINT64_C(1) << 39))
		return true;
	return va >= kasan_start && va < kasan_end;
}

/* note_wx(): (eff & _PAGE_RW) && !(eff & _PAGE_NX) */
static bool x86_64_is_wx(uint64_t prot)
{
	return (prot & X86_PAGE_PRESENT) && (prot & EFF_RW) && !(prot & EFF_NX);
}

static bool x86_64_is_user(uint64_t prot)
{
	return (prot & X86_PAGE_PRESENT) && (prot & EFF_USER);
}

/* Uncached or write-through (PCD/PWT select UC-, UC, WT in Linux's PAT
 * setup): MMIO, which may lie outside RAM. */
static bool x86_64_is_device(uint64_t prot)
{
	return (prot & (X86_PAGE_PCD | X86_PAGE_PWT)) != 0;
}

const struct ptw_ptdump_ops ptw_ptdump_x86_64 = {
	.prot = x86_64_prot,
	.format = x86_64_format,
	.kernel_level = x86_64_kernel_level,
	.level_name = x86_64_level_name,
	.view = x86_64_view,
	.is_wx = x86_64_is_wx,
	.is_user = x86_64_is_user,
	.is_device = x86_64_is_device,
	.prot_of_walk = x86_64_prot_of_walk,
	.inherited = x86_64_inherited,
	.kernel_aliases = x86_64_kernel_aliases,
	.format_line = x86_64_format_line,
};
