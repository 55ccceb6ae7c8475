/* The regions of an x86-64 kernel address space, as
 * Documentation/arch/x86/x86_64/mm.rst (6.12) and asm/pgtable_64_types.h
 * lay them out for 4 and 5 levels, with the randomized bases where
 * detection found them. Holes between regions are "gap"s; nothing is
 * guessed. */
#include "x86_64/x86_64.h"

#include <stdio.h>
#include <string.h>

#include "x86_64/hwdef.h"

#define TB_SHIFT 40

uint64_t ptw_x86_64_fixaddr_start(const struct ptw_vmcoreinfo *vi)
{
	int64_t n;

	if (ptw_vmcoreinfo_has(vi, "NUMBER(FIXADDR_START)") && !ptw_vmcoreinfo_number(vi, "FIXADDR_START", &n))
		return (uint64_t)n;
	/* FIXADDR_START = FIXADDR_TOP - (__end_of_permanent_fixed_addresses <<
	 * PAGE_SHIFT). enum fixed_addresses (asm/fixmap.h, the same in 6.1 and
	 * 6.12) depends on the build; these are the entries of a distribution
	 * kernel (Debian 12's 6.1 amd64 config): VSYSCALL_PAGE =
	 * (FIXADDR_TOP - VSYSCALL_ADDR) >> PAGE_SHIFT = 511 (X86_VSYSCALL_EMULATION),
	 * then FIX_DBGP_BASE, FIX_EARLYCON_MEM_BASE, FIX_APIC_BASE (X86_LOCAL_APIC),
	 * MAX_IO_APICS = 128 (X86_IO_APIC), FIX_PARAVIRT_BOOTMAP (PARAVIRT_XXL),
	 * FIX_APEI_GHES_IRQ and _NMI (ACPI_APEI_GHES); no FIX_OHCI1394_BASE and
	 * no KMAP_LOCAL slots (64-bit has no highmem). Other builds: give
	 * --set NUMBER(FIXADDR_START)=VALUE. */
	uint64_t vsyscall_page = (X86_FIXADDR_TOP - X86_VSYSCALL_ADDR) >> 12;
	uint64_t end_of_permanent = vsyscall_page + 1 + 2 + 1 + 128 + 1 + 2;

	return X86_FIXADDR_TOP - (end_of_permanent << 12);
}

struct builder {
	struct ptw_regions r;
	uint64_t cursor; /* where the last region ended; 0 = the end of the space */
	bool full;       /* reached the end of the space */
};

/* Add [start, end) after what is there, with a gap before it; clip it
 * where it would overlap (a base the dump got wrong must not make the
 * list unordered). end 0 means 2^64. */
static void add(struct builder *b, const char *name, uint64_t start, uint64_t end, const char *source)
{
	if (b->full)
		return;
	if (start < b->cursor)
		start = b->cursor;
	if (end != 0 && end <= start)
		return;
	if (start > b->cursor && b->r.n < PTW_MAX_REGIONS)
		b->r.r[b->r.n++] = (struct ptw_region){ .name = "gap", .start = b->cursor, .end = start,
							 .source = "computed" };
	if (b->r.n < PTW_MAX_REGIONS)
		b->r.r[b->r.n++] = (struct ptw_region){ .name = name, .start = start, .end = end,
							 .source = source };
	b->cursor = end;
	b->full = end == 0;
}

/* The contract's sources: "vmcoreinfo" for a base given as a NUMBER (by
 * --set), "tables" for one read from the dump's memory, "computed" for
 * defaults and arithmetic. */
static const char *source_of(const char *detected)
{
	if (!detected)
		return "computed";
	if (!strncmp(detected, "NUMBER", 6))
		return "vmcoreinfo";
	if (!strncmp(detected, "tables", 6) || strstr(detected, "mem_section") || strstr(detected, "from the dump"))
		return "tables";
	return "computed";
}

struct ptw_error *ptw_x86_64_layout(const struct ptw_xlat *x, const struct ptw_vmcoreinfo *vi,
				    bool (*is_mapped)(void *arg, uint64_t va), void *arg,
				    struct ptw_regions *ret)
{
	(void)is_mapped, (void)arg; /* every extent here follows from the configuration */
	struct builder b = { 0 };
	unsigned pgdir_shift = ptw_x86_64_pgdir_shift(x);
	uint64_t pgdir_size = UINT64_C(1) << pgdir_shift;
	uint64_t guard = -((uint64_t)X86_GUARD_HOLE_PGD_ENTRY << pgdir_shift);
	uint64_t ldt = -((uint64_t)X86_LDT_PGD_ENTRY << pgdir_shift);
	bool l5 = x->levels == 5;
	uint64_t kimage_size = ptw_x86_64_kernel_image_size(x, vi);

	b.cursor = guard;
	/* GUARD_HOLE_*: 16 top-level entries, "also reserved for hypervisor" */
	add(&b, "guard", guard, guard + X86_GUARD_HOLE_ENTRIES * pgdir_size, "computed");
	add(&b, "ldt remap", ldt, ldt + pgdir_size, "computed");
	if (x->have_page_offset)
		add(&b, "direct map", x->page_offset, ptw_x86_64_direct_map_end(x),
		    source_of(x->page_offset_source));
	if (x->have_vmalloc_start)
		add(&b, "vmalloc", x->vmalloc_start,
		    x->vmalloc_start + ((l5 ? X86_VMALLOC_SIZE_TB_L5 : X86_VMALLOC_SIZE_TB_L4) << TB_SHIFT),
		    source_of(x->vmalloc_source));
	if (x->have_vmemmap_start) {
		/* mm.rst: 1 TB (4 levels), 0.5 PB (5 levels). KASLR
		 * (arch/x86/mm/kaslr.c) places the randomized regions below
		 * CPU_ENTRY_AREA_BASE, so a vmemmap_base near it (seen on
		 * 5 levels: 0xfffe6e9200000000) ends there, not past 2^64. */
		uint64_t vmemmap_end = x->vmemmap_start + (l5 ? UINT64_C(1) << 49 : UINT64_C(1) << TB_SHIFT);

		if (vmemmap_end < x->vmemmap_start || vmemmap_end > X86_CPU_ENTRY_AREA_BASE)
			vmemmap_end = X86_CPU_ENTRY_AREA_BASE;
		add(&b, "vmemmap", x->vmemmap_start, vmemmap_end, source_of(x->vmemmap_source));
	}
	/* cpu_entry_area: CPU_ENTRY_AREA_PGD = -4 in P4D units, 0.5 TB; the
	 * espfix stacks at ESPFIX_PGD_ENTRY = -2, 0.5 TB; EFI runtime from
	 * EFI_VA_END (-68G) to EFI_VA_START (-4G). */
	add(&b, "cpu entry area", X86_CPU_ENTRY_AREA_BASE, X86_CPU_ENTRY_AREA_BASE + (UINT64_C(1) << 39),
	    "computed");
	add(&b, "esp fixup", X86_ESPFIX_BASE_ADDR, X86_ESPFIX_BASE_ADDR + (UINT64_C(1) << 39), "computed");
	add(&b, "efi", X86_EFI_VA_END, X86_EFI_VA_START, "computed");
	/* The kernel text mapping: __START_KERNEL_map to MODULES_VADDR =
	 * __START_KERNEL_map + KERNEL_IMAGE_SIZE; modules up to MODULES_END. */
	add(&b, "kernel text", X86_START_KERNEL_MAP, X86_START_KERNEL_MAP + kimage_size, "computed");
	add(&b, "modules", X86_START_KERNEL_MAP + kimage_size, X86_MODULES_END, "computed");
	/* The fixmap, ending with the page at FIXADDR_TOP; the legacy vsyscall
	 * page at VSYSCALL_ADDR is one of its slots. */
	add(&b, "fixmap", ptw_x86_64_fixaddr_start(vi), X86_FIXADDR_TOP + 4096, "computed");
	add(&b, "gap", X86_FIXADDR_TOP + 4096, 0, "computed");
	*ret = b.r;
	return NULL;
}
