/* The regions of an arm64 kernel address space, computed from the
 * configuration as asm/memory.h and asm/pgtable.h define them for the
 * kernel's version, preferring the addresses VMCOREINFO exports
 * (NUMBER(MODULES_VADDR), ..., 5.? arch_crash_save_vmcoreinfo). */
#include "arm64/arm64.h"

#include <stdio.h>
#include <string.h>

#define SZ_8M (UINT64_C(8) << 20)
#define SZ_16M (UINT64_C(16) << 20)
#define SZ_32M (UINT64_C(32) << 20)
#define SZ_128M (UINT64_C(128) << 20)
#define SZ_1G (UINT64_C(1) << 30)

static void add(struct ptw_regions *r, const char *name, uint64_t start, uint64_t end,
		const char *source)
{
	/* end 0 means 2^64; skip empty or inverted regions */
	if (end != 0 && end <= start)
		return;
	if (r->n < PTW_MAX_REGIONS)
		r->r[r->n++] = (struct ptw_region){ .name = name, .start = start, .end = end,
						     .source = source };
}

static bool number(const struct ptw_vmcoreinfo *vi, const char *name, uint64_t *ret)
{
	int64_t n;
	struct ptw_error *err;
	char key[64];

	snprintf(key, sizeof(key), "NUMBER(%s)", name);
	if (!ptw_vmcoreinfo_has(vi, key))
		return false;
	err = ptw_vmcoreinfo_number(vi, name, &n);
	if (err) {
		ptw_error_destroy(err);
		return false;
	}
	*ret = (uint64_t)n;
	return true;
}

/* Before 5.4 (commit 14c127c957c1): the kernel half starts at VA_START =
 * -(1 << VA_BITS) with modules, vmalloc (the image inside it), fixmap, PCI I/O
 * and vmemmap, and the linear map takes the top half from PAGE_OFFSET =
 * -(1 << (VA_BITS - 1)). Only what VMCOREINFO states is placed; the rest is
 * one "gap", not a guess. */
static struct ptw_error *legacy_layout(const struct ptw_xlat *x, const struct ptw_vmcoreinfo *vi,
				       struct ptw_regions *ret)
{
	struct ptw_regions r = { 0 };
	uint64_t va_start = -(UINT64_C(1) << x->va_bits), a, b, cur = va_start;

	if (number(vi, "MODULES_VADDR", &a) && number(vi, "MODULES_END", &b) && a >= cur && b > a) {
		add(&r, "gap", cur, a, "computed");
		add(&r, "modules", a, b, "vmcoreinfo");
		cur = b;
		if (number(vi, "VMALLOC_END", &a) && a > cur && a <= x->page_offset) {
			add(&r, "vmalloc", cur, a, "vmcoreinfo");
			cur = a;
		}
	}
	if (number(vi, "VMEMMAP_START", &a) && number(vi, "VMEMMAP_END", &b) && a >= cur && b > a &&
	    b <= x->page_offset) {
		add(&r, "gap", cur, a, "computed");
		add(&r, "vmemmap", a, b, "vmcoreinfo");
		cur = b;
	}
	add(&r, "gap", cur, x->page_offset, "computed");
	add(&r, "linear map", x->page_offset, 0, "computed");
	*ret = r;
	return NULL;
}

/* __end_of_permanent_fixed_addresses (asm/fixmap.h). Slots for ACPI GHES
 * (0, 2 or 4) and the KPTI trampoline (3, plus 1 when RELOCATABLE) depend on
 * the build. The trampoline's text and data pages are mapped at boot at
 * FIX_ENTRY_TRAMP_TEXT1 and the slot below it, so the highest mapped slot
 * after FIX_TEXT_POKE0 tells both. */
uint64_t ptw_arm64_fixmap_permanent_slots(const struct ptw_xlat *x, bool old,
					  bool (*is_mapped)(void *, uint64_t), void *arg,
					  uint64_t fixaddr_top)
{
	uint64_t page = x->granule;
	uint64_t fdt_end = 1;
	uint64_t fdt = old ? fdt_end + (UINT64_C(4) << 20) / page - 1
			   : fdt_end + ((UINT64_C(2) << 20) + page - 1) / page + 1;
	uint64_t text_poke0 = fdt + 2;
	/* KASLR kernels are RELOCATABLE, which adds the data slot. */
	uint64_t reloc = x->have_kaslr_offset ? 1 : 0;
	uint64_t highest = 0;
	for (uint64_t i = text_poke0 + 1; is_mapped && i <= text_poke0 + 4 + 3 + reloc; i++)
		if (is_mapped(arg, fixaddr_top - i * page))
			highest = i;
	if (highest >= text_poke0 + 3 + reloc) {
		uint64_t ghes = highest - (text_poke0 + 3 + reloc);
		if (ghes == 0 || ghes == 2 || ghes == 4)
			return text_poke0 + 1 + ghes + 3 + reloc;
	}
	return text_poke0 + 1;
}

/* 6.9+ asm/fixmap.h: after the permanent slots, FIX_BTMAP_BEGIN..END
 * (FIX_BTMAPS_SLOTS = 7 of NR_FIX_BTMAPS = SZ_256K / PAGE_SIZE + 1 pages),
 * then FIX_PTE, FIX_PMD, FIX_PUD, FIX_P4D, FIX_PGD. */
uint64_t ptw_arm64_fixmap_total_slots(const struct ptw_xlat *x, bool (*is_mapped)(void *, uint64_t),
				      void *arg, uint64_t fixaddr_top)
{
	uint64_t slots = ptw_arm64_fixmap_permanent_slots(x, false, is_mapped, arg, fixaddr_top);

	return slots + ((UINT64_C(256) << 10) / x->granule + 1) * 7 + 5;
}

/* KASAN_SHADOW_END = (1 << (64 - KASAN_SHADOW_SCALE_SHIFT)) +
 * KASAN_SHADOW_OFFSET, which Kconfig's defaults put at _PAGE_END(VA_BITS_MIN);
 * KASAN_SHADOW_START = KASAN_SHADOW_END - (1 << (vabits_actual - scale)).
 * The top page below KASAN_SHADOW_END is the shadow of the top of the
 * address space, always mapped (by the early shadow at least); without
 * KASAN it is the top of the linear map, far above any RAM. Scale 3
 * (generic) covers 1/8 of the space, and its start is then mapped too;
 * scale 4 (software tags) 1/16. */
bool ptw_arm64_kasan_shadow(const struct ptw_xlat *x, bool (*is_mapped)(void *, uint64_t), void *arg,
			    uint64_t *start_ret, uint64_t *end_ret)
{
	unsigned va_min = x->va_bits <= 48 ? x->va_bits : x->granule == 16384 ? 47 : 48;
	uint64_t end = -(UINT64_C(1) << (va_min - 1));
	unsigned scale;

	if (!is_mapped || x->vabits_actual < 8 || !is_mapped(arg, end - x->granule))
		return false;
	scale = is_mapped(arg, end - (UINT64_C(1) << (x->vabits_actual - 3))) ? 3 : 4;
	*start_ret = end - (UINT64_C(1) << (x->vabits_actual - scale));
	*end_ret = end;
	return true;
}

struct ptw_error *ptw_arm64_layout(const struct ptw_xlat *x, const struct ptw_vmcoreinfo *vi,
				   bool (*is_mapped)(void *arg, uint64_t va), void *arg,
				   struct ptw_regions *ret)
{
	struct ptw_regions r = { 0 };
	uint64_t mod_start, mod_end, vmalloc_end, vmemmap_start, vmemmap_end;
	uint64_t kimg = 0;
	bool have_kimg = false;
	const char *src_mod = "vmcoreinfo", *src_vm = "vmcoreinfo";

	if (x->layout == PTW_LAYOUT_LEGACY)
		return legacy_layout(x, vi, ret);
	if (x->layout != PTW_LAYOUT_FLIPPED)
		return ptw_error_create(PTW_E_NOT_IMPLEMENTED,
					"the kernel's layout is unknown: no SYMBOL(_stext) or OSRELEASE");
	/* 5.4+ (flipped): MODULES_VADDR = _PAGE_END(VA_BITS_MIN) [+ 128M BPF JIT
	 * region in 5.4..5.16]; MODULES_VSIZE 128M (2G in 6.5+); VMEMMAP_END =
	 * -1G in 6.7+ (PCI I/O and fixmap moved above vmemmap), else
	 * VMEMMAP_START + VMEMMAP_SIZE with PCI I/O and fixmap below. */
	if (!number(vi, "MODULES_VADDR", &mod_start)) {
		mod_start = x->page_end;
		src_mod = "computed";
	}
	if (!number(vi, "MODULES_END", &mod_end)) {
		mod_end = mod_start + SZ_128M;
		src_mod = "computed";
	}
	if (!number(vi, "VMEMMAP_START", &vmemmap_start) || !number(vi, "VMEMMAP_END", &vmemmap_end)) {
		/* 6.7+ shape as the fallback */
		vmemmap_end = -SZ_1G;
		vmemmap_start = vmemmap_end - ((x->page_end - x->page_offset) >> (x->kernel.page_shift - 6));
		src_vm = "computed";
	}
	if (!number(vi, "VMALLOC_END", &vmalloc_end))
		vmalloc_end = vmemmap_start - SZ_8M;
	if (x->have_kaslr_offset) {
		/* KIMAGE_VADDR = MODULES_END; _text = KIMAGE_VADDR + kaslr_offset() */
		kimg = mod_end + x->kaslr_offset;
		have_kimg = true;
	} else if (x->have_stext) {
		kimg = x->stext & ~(UINT64_C(0x200000) - 1);
		have_kimg = true;
	}

	if (x->linear_start > x->page_offset)
		add(&r, "gap", x->page_offset, x->linear_start, "computed");
	{
		uint64_t shadow_start, shadow_end;
		unsigned version = ptw_arm64_kernel_version(vi);

		if ((!version || version >= PTW_KVER(6, 9, 0)) &&
		    ptw_arm64_kasan_shadow(x, is_mapped, arg, &shadow_start, &shadow_end) &&
		    shadow_start > x->linear_start && shadow_end == x->page_end) {
			add(&r, "linear map", x->linear_start, shadow_start, "computed");
			add(&r, "kasan shadow", shadow_start, shadow_end, "tables");
		} else {
			add(&r, "linear map", x->linear_start, x->page_end, "computed");
		}
	}
	if (mod_start > x->page_end)
		add(&r, mod_start - x->page_end == SZ_128M ? "bpf jit" : "gap", x->page_end, mod_start,
		    "computed");
	add(&r, "modules", mod_start, mod_end, src_mod);
	if (have_kimg && kimg > mod_end && kimg < vmalloc_end) {
		/* The image lies inside vmalloc space (VMALLOC_START = MODULES_END);
		 * its end is refined from the tables by the caller. */
		add(&r, "vmalloc", mod_end, kimg, "computed");
		add(&r, "kernel image", kimg, kimg + SZ_32M, "computed");
		add(&r, "vmalloc", kimg + SZ_32M, vmalloc_end, "vmcoreinfo");
	} else {
		add(&r, "vmalloc", mod_end, vmalloc_end, "vmcoreinfo");
	}
	if (vmemmap_end == -SZ_1G) {
		/* 6.7+: VMALLOC_END = VMEMMAP_START - 8M; PCI_IO_START = VMEMMAP_END + 8M;
		 * FIXADDR_TOP = -8M, the fixmap growing down towards PCI I/O. */
		uint64_t pci = vmemmap_end + SZ_8M;
		/* A kernel built for more VA bits than it runs with gives the
		 * unused head of vmemmap to vmalloc (6.12 asm/pgtable.h:
		 * VMALLOC_END = VMEMMAP_START + VMEMMAP_UNUSED_NPAGES *
		 * sizeof(struct page) - SZ_8M), so vmemmap in use starts 8M on. */
		uint64_t vmemmap_used = vmalloc_end + SZ_8M > vmemmap_start ? vmalloc_end + SZ_8M
									    : vmemmap_start;

		add(&r, "guard", vmalloc_end, vmemmap_used, "computed");
		add(&r, "vmemmap", vmemmap_used, vmemmap_end, src_vm);
		/* The fixmap is __end_of_fixed_addresses pages below FIXADDR_TOP
		 * (FIXADDR_TOT_START, ptdump's "Fixmap start"); the rest up
		 * from PCI I/O is unused. */
		uint64_t fixtop = -SZ_8M;
		uint64_t fixmap = fixtop - ptw_arm64_fixmap_total_slots(x, is_mapped, arg, fixtop) * x->granule;

		add(&r, "guard", vmemmap_end, pci, "computed");
		add(&r, "pci io", pci, pci + SZ_16M, "computed");
		add(&r, "guard", pci + SZ_16M, fixmap, "computed");
		add(&r, "fixmap", fixmap, fixtop, "computed");
		add(&r, "guard", fixtop, 0, "computed");
	} else {
		/* 5.4..6.6: PCI_IO_END = VMEMMAP_START - 8M; FIXADDR_TOP = VMEMMAP_START - 32M */
		uint64_t pci_end = vmemmap_start - SZ_8M, fixtop = vmemmap_start - SZ_32M;

		add(&r, "fixmap", vmalloc_end, fixtop, "computed");
		add(&r, "guard", fixtop, pci_end - SZ_16M, "computed");
		add(&r, "pci io", pci_end - SZ_16M, pci_end, "computed");
		add(&r, "guard", pci_end, vmemmap_start, "computed");
		add(&r, "vmemmap", vmemmap_start, vmemmap_end, src_vm);
		add(&r, "guard", vmemmap_end, 0, "computed");
	}
	*ret = r;
	return NULL;
}
