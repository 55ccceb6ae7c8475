/* x86-64 translation configuration: first from VMCOREINFO
 * (arch_crash_save_vmcoreinfo in arch/x86/kernel/crash_core_64.c, 6.1, and
 * vmcore_info_64.c, 6.12: phys_base, init_top_pgt, pgtable_l5_enabled,
 * KERNELOFFSET, KERNEL_IMAGE_SIZE, sme_mask), then from the dump's memory
 * for what VMCOREINFO does not export: the bases that
 * CONFIG_RANDOMIZE_MEMORY moves (arch/x86/mm/kaslr.c). */
#include "x86_64/x86_64.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "walk.h"
#include "x86_64/hwdef.h"

#define SZ_1G (UINT64_C(1) << 30)
/* How many ranges a search of the tables may look at (every loop over
 * dump data is bounded); a top-level hole is one range. */
#define SEARCH_STEPS 65536

static struct ptw_error *need_number(const struct ptw_vmcoreinfo *vi, const char *name, int64_t *ret)
{
	struct ptw_error *err = ptw_vmcoreinfo_number(vi, name, ret);

	if (err)
		return ptw_error_prepend(err, "x86-64 translation needs NUMBER(%s) (supply it with --set NUMBER(%s)=VALUE): ",
					 name, name);
	return NULL;
}

/* NUMBER(name) if the dump (or --set) has it. */
static struct ptw_error *optional_number(const struct ptw_vmcoreinfo *vi, const char *name,
					 bool *have_ret, int64_t *ret)
{
	char key[80];

	snprintf(key, sizeof(key), "NUMBER(%s)", name);
	*have_ret = ptw_vmcoreinfo_has(vi, key);
	if (!*have_ret)
		return NULL;
	return ptw_vmcoreinfo_number(vi, name, ret);
}

uint64_t ptw_x86_64_kernel_image_size(const struct ptw_xlat *x, const struct ptw_vmcoreinfo *vi)
{
	int64_t n;
	bool have;
	struct ptw_error *err = optional_number(vi, "KERNEL_IMAGE_SIZE", &have, &n);

	if (!err && have && n > 0 && n <= (int64_t)SZ_1G)
		return (uint64_t)n;
	ptw_error_destroy(err);
	/* asm/page_64_types.h: 1G with CONFIG_RANDOMIZE_BASE, else 512M */
	return x->have_kaslr_offset && x->kaslr_offset ? SZ_1G : SZ_1G / 2;
}

uint64_t ptw_x86_64_direct_map_end(const struct ptw_xlat *x)
{
	/* mm.rst: 64 TB (4 levels) / 32 PB (5 levels) at most; MAXMEM =
	 * 1 << MAX_PHYSMEM_BITS. With KASLR, vmalloc space may start sooner. */
	uint64_t end = x->page_offset + (UINT64_C(1) << (x->pa_bits < 52 ? x->pa_bits : 52));

	if (x->have_vmalloc_start && x->vmalloc_start > x->page_offset && x->vmalloc_start < end)
		end = x->vmalloc_start;
	return end;
}

struct ptw_error *ptw_x86_64_detect(const struct ptw_vmcoreinfo *vi, uint64_t page_size,
				    struct ptw_xlat *ret)
{
	struct ptw_xlat x = { 0 };
	struct ptw_error *err;
	int64_t n;
	bool have;
	uint64_t top_pgt, sme_mask = 0;
	unsigned maxphyaddr = X86_PHYSICAL_MASK_SHIFT;

	x.ops = &ptw_arch_x86_64;
	if (!page_size) {
		err = ptw_vmcoreinfo_u64(vi, "PAGESIZE", 10, &page_size);
		if (err)
			return ptw_error_prepend(err, "x86-64 translation needs PAGESIZE: ");
	}
	if (page_size != 4096)
		return ptw_error_create(PTW_E_BAD_DATA, "PAGESIZE=%llu: x86-64 pages are 4096 bytes",
					(unsigned long long)page_size);
	x.granule = 4096;
	x.fmt = PTW_PTE_X86_64;
	x.fmt_source = "x86-64";

	/* NUMBER(pgtable_l5_enabled) (4.17+, commit c100a583601d): CR4.LA57.
	 * Without it the kernel predates 5-level paging. */
	err = optional_number(vi, "pgtable_l5_enabled", &have, &n);
	if (err)
		return err;
	if (have && n != 0 && n != 1)
		return ptw_error_create(PTW_E_BAD_DATA, "NUMBER(pgtable_l5_enabled)=%lld is neither 0 nor 1",
					(long long)n);
	x.levels = have && n ? 5 : 4;
	x.vabits_source = have ? "NUMBER(pgtable_l5_enabled)" : "no NUMBER(pgtable_l5_enabled): 4 levels";
	/* __VIRTUAL_MASK_SHIFT + 1: 48 or 57 bits of VA. */
	x.va_bits = x.levels == 5 ? 57 : 48;
	x.vabits_actual = x.va_bits;
	/* MAX_PHYSMEM_BITS (asm/sparsemem.h): 52 with 5 levels, else 46. */
	err = optional_number(vi, "MAX_PHYSMEM_BITS", &have, &n);
	if (err)
		return err;
	if (have && (n < 32 || n > 52))
		return ptw_error_create(PTW_E_BAD_DATA, "NUMBER(MAX_PHYSMEM_BITS)=%lld is out of range",
					(long long)n);
	x.pa_bits = have ? (unsigned)n : (x.levels == 5 ? 52 : 46);

	/* MAXPHYADDR is the CPU's and not in the dump: 52, the architectural
	 * limit, unless told with --set NUMBER(MAXPHYADDR)=N. */
	err = optional_number(vi, "MAXPHYADDR", &have, &n);
	if (err)
		return err;
	if (have) {
		if (n < 32 || n > 52)
			return ptw_error_create(PTW_E_BAD_DATA, "NUMBER(MAXPHYADDR)=%lld is out of range (32..52)",
						(long long)n);
		maxphyaddr = (unsigned)n;
	}
	/* NUMBER(sme_mask) (4.19+): the C-bit of AMD SME, set in the address
	 * field of encrypted mappings; 0 without memory encryption. */
	err = optional_number(vi, "sme_mask", &have, &n);
	if (err)
		return err;
	if (have)
		sme_mask = (uint64_t)n;

	/* The root: init_top_pgt is in the kernel image, so
	 * __pa_symbol(x) = x - __START_KERNEL_map + phys_base. phys_base is
	 * printed as a signed long and is negative when the kernel runs below
	 * its link address. */
	err = need_number(vi, "phys_base", &n);
	if (err)
		return err;
	if (ptw_vmcoreinfo_has(vi, "SYMBOL(init_top_pgt)")) {
		err = ptw_vmcoreinfo_symbol(vi, "init_top_pgt", &top_pgt);
		x.root_source = "SYMBOL(init_top_pgt)";
	} else {
		/* swapper_pg_dir is #defined to init_top_pgt on x86-64 */
		err = ptw_vmcoreinfo_symbol(vi, "swapper_pg_dir", &top_pgt);
		x.root_source = "SYMBOL(swapper_pg_dir)";
	}
	if (err)
		return ptw_error_prepend(err, "x86-64 translation needs SYMBOL(init_top_pgt): ");
	if (top_pgt < X86_START_KERNEL_MAP || (top_pgt & 0xfff))
		return ptw_error_create(PTW_E_BAD_DATA,
					"%s=%llx is not a page-aligned address in the kernel text mapping",
					x.root_source, (unsigned long long)top_pgt);
	x.swapper_pg_dir = top_pgt;
	x.have_kimage_voffset = true;
	x.kimage_voffset = X86_START_KERNEL_MAP - (uint64_t)n;
	x.root_pa = top_pgt - x.kimage_voffset;
	err = ptw_x86_64_geom(x.levels, true, x.root_pa, maxphyaddr, sme_mask, &x.kernel);
	if (err)
		return err;
	if (x.root_pa >> maxphyaddr)
		return ptw_error_create(PTW_E_BAD_DATA,
					"the root %#llx (init_top_pgt - __START_KERNEL_map + phys_base) is beyond MAXPHYADDR",
					(unsigned long long)x.root_pa);

	/* KERNELOFFSET=%lx: kaslr_offset(), 4.6+. */
	if (ptw_vmcoreinfo_has(vi, "KERNELOFFSET")) {
		err = ptw_vmcoreinfo_u64(vi, "KERNELOFFSET", 16, &x.kaslr_offset);
		if (err)
			return err;
		x.have_kaslr_offset = true;
	}
	if (ptw_vmcoreinfo_try_symbol(vi, "_stext", &x.stext))
		x.have_stext = true;

	/* page_offset_base, vmalloc_base, vmemmap_base: VMCOREINFO has none of
	 * them (6.1, 6.12). --set NUMBER(...)=VALUE gives one; without KASLR
	 * (KERNELOFFSET=0; RANDOMIZE_MEMORY depends on RANDOMIZE_BASE) they
	 * are the defaults of asm/page_64_types.h and pgtable_64_types.h. The
	 * dump's memory may say better (detect_memory). */
	bool no_kaslr = x.have_kaslr_offset && x.kaslr_offset == 0;
	static const struct {
		const char *name;
		size_t have, value, source;
		uint64_t l4, l5;
	} bases[] = {
		{ "page_offset_base", offsetof(struct ptw_xlat, have_page_offset),
		  offsetof(struct ptw_xlat, page_offset), offsetof(struct ptw_xlat, page_offset_source),
		  X86_PAGE_OFFSET_BASE_L4, X86_PAGE_OFFSET_BASE_L5 },
		{ "vmalloc_base", offsetof(struct ptw_xlat, have_vmalloc_start),
		  offsetof(struct ptw_xlat, vmalloc_start), offsetof(struct ptw_xlat, vmalloc_source),
		  X86_VMALLOC_BASE_L4, X86_VMALLOC_BASE_L5 },
		{ "vmemmap_base", offsetof(struct ptw_xlat, have_vmemmap_start),
		  offsetof(struct ptw_xlat, vmemmap_start), offsetof(struct ptw_xlat, vmemmap_source),
		  X86_VMEMMAP_BASE_L4, X86_VMEMMAP_BASE_L5 },
	};
	for (size_t i = 0; i < sizeof(bases) / sizeof(bases[0]); i++) {
		char *base = (char *)&x;
		bool *have_base = (bool *)(base + bases[i].have);
		uint64_t *value = (uint64_t *)(base + bases[i].value);
		const char **source = (const char **)(base + bases[i].source);

		err = optional_number(vi, bases[i].name, &have, &n);
		if (err)
			return err;
		if (have) {
			*have_base = true;
			*value = (uint64_t)n;
			*source = "NUMBER (given)";
		} else if (no_kaslr) {
			*have_base = true;
			*value = x.levels == 5 ? bases[i].l5 : bases[i].l4;
			*source = "default (KERNELOFFSET=0: no KASLR)";
		}
	}
	if (x.have_page_offset) {
		x.linear_start = x.page_offset;
		x.have_page_end = true;
		x.page_end = ptw_x86_64_direct_map_end(&x);
	}
	*ret = x;
	return NULL;
}

/* The dump's memory, for the variables VMCOREINFO leaves out. */
struct mem_reader {
	struct ptw_source *src;
	struct ptw_walker *w;
	const struct ptw_xlat *x;
};

/* The u64 at kernel VA va, through the kernel's own tables. */
static bool read_kernel_u64(struct mem_reader *m, uint64_t va, uint64_t *ret)
{
	struct ptw_walk_result r;
	struct ptw_error *err;
	unsigned char b[8];

	if (va & 7)
		return false;
	err = ptw_walk(m->w, &m->x->kernel, va, &r);
	if (err) {
		ptw_error_destroy(err);
		return false;
	}
	if (r.status != PTW_WALK_OK)
		return false;
	err = ptw_source_read_phys(m->src, r.pa, b, sizeof(b));
	if (err) {
		ptw_error_destroy(err);
		return false;
	}
	*ret = (uint64_t)b[0] | (uint64_t)b[1] << 8 | (uint64_t)b[2] << 16 | (uint64_t)b[3] << 24 |
	       (uint64_t)b[4] << 32 | (uint64_t)b[5] << 40 | (uint64_t)b[6] << 48 | (uint64_t)b[7] << 56;
	return true;
}

static bool kernel_pa(struct mem_reader *m, uint64_t va, uint64_t *pa_ret)
{
	struct ptw_walk_result r;
	struct ptw_error *err = ptw_walk(m->w, &m->x->kernel, va, &r);

	if (err) {
		ptw_error_destroy(err);
		return false;
	}
	if (!r.have_pa)
		return false;
	*pa_ret = r.pa;
	return true;
}

static bool in_kernel_image(uint64_t va)
{
	return va >= X86_START_KERNEL_MAP && va - X86_START_KERNEL_MAP < SZ_1G;
}

/* SYMBOL(name) given with --set: the variable's value, read through the
 * kernel text mapping. */
static bool read_symbol_value(struct mem_reader *m, const struct ptw_vmcoreinfo *vi, const char *name,
			      uint64_t *ret)
{
	char key[80];
	uint64_t va;
	struct ptw_error *err;

	snprintf(key, sizeof(key), "SYMBOL(%s)", name);
	if (!ptw_vmcoreinfo_has(vi, key))
		return false;
	err = ptw_vmcoreinfo_symbol(vi, name, &va);
	if (err) {
		ptw_error_destroy(err);
		return false;
	}
	return read_kernel_u64(m, va, ret);
}

/* SYMBOL(mem_section): with SPARSEMEM_EXTREME, VMCOREINFO_SYMBOL_ARRAY
 * writes the pointer's value, the roots array memblock allocated in the
 * direct map (mm/sparse.c); without it, the array's own image address.
 * The direct-map address gives page_offset_base = VA - PA (kaslr.c keeps
 * it PUD-aligned). Section 0's section_mem_map holds
 * mem_map - section_nr_to_pfn(0) with flags below SECTION_MAP_LAST_BIT
 * (at most bit 5, include/linux/mmzone.h): with SPARSEMEM_VMEMMAP that is
 * vmemmap_base itself. */
static void from_mem_section(struct mem_reader *m, const struct ptw_vmcoreinfo *vi,
			     bool *have_po, uint64_t *po, bool *have_vmemmap, uint64_t *vmemmap)
{
	uint64_t ms, pa, entry0, sm;
	int64_t off = 0;
	struct ptw_error *err;

	*have_po = false;
	*have_vmemmap = false;
	if (!ptw_vmcoreinfo_has(vi, "SYMBOL(mem_section)"))
		return;
	err = ptw_vmcoreinfo_symbol(vi, "mem_section", &ms);
	if (err) {
		ptw_error_destroy(err);
		return;
	}
	if (in_kernel_image(ms)) {
		entry0 = ms; /* the static array of !SPARSEMEM_EXTREME */
	} else {
		if (!kernel_pa(m, ms, &pa))
			return;
		if (ms > pa && ((ms - pa) & (SZ_1G - 1)) == 0 && (ms - pa) >> 63) {
			*have_po = true;
			*po = ms - pa;
		}
		if (!read_kernel_u64(m, ms, &entry0))
			return;
	}
	/* OFFSET(mem_section.section_mem_map): 0 in every kernel so far. */
	if (ptw_vmcoreinfo_has(vi, "OFFSET(mem_section.section_mem_map)")) {
		const char *s = ptw_vmcoreinfo_get(vi, "OFFSET(mem_section.section_mem_map)");
		char *end;
		long v = strtol(s, &end, 10);

		if (end != s && v >= 0 && v < 64)
			off = v;
	}
	if (!entry0 || !read_kernel_u64(m, entry0 + (uint64_t)off, &sm))
		return;
	sm &= ~UINT64_C(0x3f);
	if (sm >> 63 && (sm & (SZ_1G - 1)) == 0) {
		*have_vmemmap = true;
		*vmemmap = sm;
	}
}

struct top_of_memory {
	uint64_t end;
};

static bool note_range_end(const struct ptw_phys_range *range, void *arg)
{
	struct top_of_memory *t = arg;

	if (range->end > t->end)
		t->end = range->end;
	return true;
}

/* The first leaf in [start, end) of the kernel tree: its VA and PA. */
static bool first_leaf(struct mem_reader *m, uint64_t start, uint64_t end, uint64_t *va_ret,
		       uint64_t *pa_ret)
{
	struct ptw_walk_iter it;
	struct ptw_walk_result r;
	bool done;

	ptw_walk_iter_init(&it, m->w, &m->x->kernel, start, end);
	for (unsigned steps = 0; steps < SEARCH_STEPS; steps++) {
		struct ptw_error *err = ptw_walk_next(&it, &r, &done);

		if (err) {
			ptw_error_destroy(err);
			return false;
		}
		if (done)
			return false;
		if (r.have_pa) {
			*va_ret = r.range_start;
			*pa_ret = r.pa - (r.va - r.range_start);
			return true;
		}
	}
	return false;
}

struct ptw_error *ptw_x86_64_detect_memory(struct ptw_xlat *x, const struct ptw_vmcoreinfo *vi,
					   struct ptw_source *src)
{
	struct mem_reader m = { .src = src, .x = x };
	struct ptw_error *err;
	bool have_po, have_vmemmap;
	uint64_t po = 0, vmemmap = 0, v, pa;
	struct top_of_memory top = { 0 };
	unsigned pgdir_shift = ptw_x86_64_pgdir_shift(x);
	/* The LDT remap slot ends where the direct map's KASLR range begins. */
	uint64_t ldt_end = -((uint64_t)X86_LDT_PGD_ENTRY << pgdir_shift) + (UINT64_C(1) << pgdir_shift);
	/* Precedence: a NUMBER given with --set; a SYMBOL given with --set,
	 * whose variable is read; mem_section (exact); the defaults of a
	 * kernel without KASLR; last, a search of the tables. */
	bool given_po = x->page_offset_source && !strcmp(x->page_offset_source, "NUMBER (given)");
	bool given_vmalloc = x->vmalloc_source && !strcmp(x->vmalloc_source, "NUMBER (given)");
	bool given_vmemmap = x->vmemmap_source && !strcmp(x->vmemmap_source, "NUMBER (given)");

	err = ptw_walker_create(src, x->ops->decode, &m.w);
	if (err)
		return err;

	err = ptw_source_for_each_range(src, note_range_end, &top);
	ptw_error_destroy(err);
	from_mem_section(&m, vi, &have_po, &po, &have_vmemmap, &vmemmap);
	if (!given_po) {
		if (read_symbol_value(&m, vi, "page_offset_base", &v)) {
			x->have_page_offset = true;
			x->page_offset = v;
			x->page_offset_source = "SYMBOL(page_offset_base), read from the dump";
		} else if (have_po) {
			x->have_page_offset = true;
			x->page_offset = po;
			x->page_offset_source = "SYMBOL(mem_section): its direct-map VA - its PA";
		} else if (!x->have_page_offset &&
			   first_leaf(&m, ldt_end, X86_CPU_ENTRY_AREA_BASE, &v, &pa) && pa == 0 &&
			   (v & (SZ_1G - 1)) == 0) {
			/* init_mem_mapping() maps PA 0 first, at page_offset_base */
			x->have_page_offset = true;
			x->page_offset = v;
			x->page_offset_source = "tables: the first mapping past the LDT remap maps PA 0";
		}
	}
	if (!given_vmemmap) {
		if (read_symbol_value(&m, vi, "vmemmap_base", &v)) {
			x->have_vmemmap_start = true;
			x->vmemmap_start = v;
			x->vmemmap_source = "SYMBOL(vmemmap_base), read from the dump";
		} else if (have_vmemmap) {
			x->have_vmemmap_start = true;
			x->vmemmap_start = vmemmap;
			x->vmemmap_source = "SYMBOL(mem_section): section 0's section_mem_map";
		}
	}
	if (!given_vmalloc) {
		if (read_symbol_value(&m, vi, "vmalloc_base", &v)) {
			x->have_vmalloc_start = true;
			x->vmalloc_start = v;
			x->vmalloc_source = "SYMBOL(vmalloc_base), read from the dump";
		} else if (!x->have_vmalloc_start && x->have_page_offset && x->have_vmemmap_start && top.end &&
			   first_leaf(&m, x->page_offset + ((top.end + SZ_1G - 1) & ~(SZ_1G - 1)),
				      x->vmemmap_start, &v, &pa)) {
			/* kaslr.c places vmalloc_base PUD-aligned after the direct
			 * map (which maps no more than memory) and before
			 * vmemmap_base; vmalloc hands out its lowest addresses
			 * first, so the first mapping above memory lies in its
			 * first gigabyte. */
			x->have_vmalloc_start = true;
			x->vmalloc_start = v & ~(SZ_1G - 1);
			x->vmalloc_source = "tables: the first mapping above the direct map, rounded down to 1G";
		}
	}
	ptw_walker_destroy(m.w);

	/* kaslr.c keeps the order: direct map, vmalloc, vmemmap. */
	if (x->have_vmalloc_start && x->have_page_offset && x->vmalloc_start <= x->page_offset)
		x->have_vmalloc_start = false;
	if (x->have_vmemmap_start && x->have_vmalloc_start && x->vmemmap_start <= x->vmalloc_start)
		x->have_vmemmap_start = false;
	if (x->have_page_offset) {
		x->linear_start = x->page_offset;
		x->have_page_end = true;
		x->page_end = ptw_x86_64_direct_map_end(x);
		/* The direct map maps memory and nothing above it (mm.rst: "up to
		 * the highest memory address"). */
		if (top.end && x->page_offset + top.end > x->page_offset &&
		    x->page_offset + ((top.end + SZ_1G - 1) & ~(SZ_1G - 1)) < x->page_end)
			x->page_end = x->page_offset + ((top.end + SZ_1G - 1) & ~(SZ_1G - 1));
	}
	return NULL;
}
