#include "page.h"

#include <stdio.h>
#include <string.h>

#include "dump.h"
#include "vmem.h"

/* SECTION_MARKED_PRESENT is bit 0 of section_mem_map in every kernel with
 * SPARSEMEM; the flag bits below the encoded map end at SECTION_MAP_LAST_BIT,
 * 4 to 6 depending on version and config (include/linux/mmzone.h). The
 * encoded map is aligned far beyond that (its section's first pfn times
 * sizeof(struct page)), so clearing six bits is right for all of them. */
#define SECTION_MARKED_PRESENT 1u
#define SECTION_FLAG_BITS 6

static bool try_u64(const struct ptw_vmcoreinfo *vi, const char *key, uint64_t *ret)
{
	struct ptw_error *err;

	if (!ptw_vmcoreinfo_has(vi, key))
		return false;
	err = ptw_vmcoreinfo_u64(vi, key, 10, ret);
	if (err) {
		ptw_error_destroy(err);
		return false;
	}
	return true;
}

static bool try_number(const struct ptw_vmcoreinfo *vi, const char *name, int64_t *ret)
{
	char key[96];
	struct ptw_error *err;

	snprintf(key, sizeof(key), "NUMBER(%s)", name);
	if (!ptw_vmcoreinfo_has(vi, key))
		return false;
	err = ptw_vmcoreinfo_number(vi, name, ret);
	if (err) {
		ptw_error_destroy(err);
		return false;
	}
	return true;
}

static struct ptw_error *missing(const char *what)
{
	return ptw_error_create(PTW_E_NOT_PRESENT, "struct page unknown: VMCOREINFO has no %s", what);
}

/* Where the memory map is. The kernel's own pointer first (6.x exports
 * SYMBOL(vmemmap) with SPARSEMEM_VMEMMAP), then the arch's formula from
 * what VMCOREINFO gives (arm64 asm/pgtable.h: vmemmap = (struct page
 * *)VMEMMAP_START - (memstart_addr >> PAGE_SHIFT)), then the base detection
 * found in memory (x86-64 vmemmap_base), then mem_section. */
static void find_memmap(const struct ptw_dump *dump, struct ptw_page_layout *l)
{
	const struct ptw_vmcoreinfo *vi = &dump->vmcoreinfo;
	int64_t vmemmap_start, phys_offset, section_bits;
	uint64_t v;

	/* mem_section is read even when vmemmap wins: it says which frames
	 * have a memory map at all, and tests compare the two. */
	if (ptw_vmcoreinfo_try_symbol(vi, "mem_section", &l->mem_section) &&
	    try_u64(vi, "LENGTH(mem_section)", &l->section_roots) &&
	    try_u64(vi, "SIZE(mem_section)", &l->section_struct_size) &&
	    try_u64(vi, "OFFSET(mem_section.section_mem_map)", &l->off_section_mem_map) &&
	    try_number(vi, "SECTION_SIZE_BITS", &section_bits) && section_bits > (int64_t)l->page_shift &&
	    section_bits < 64 && l->section_struct_size >= 8 && l->section_roots) {
		int64_t max_phys;
		uint64_t per_root = (UINT64_C(1) << l->page_shift) / l->section_struct_size;

		l->have_sections = true;
		l->section_size_bits = (unsigned)section_bits;
		/* SPARSEMEM_EXTREME: LENGTH is NR_SECTION_ROOTS, each root a
		 * pointer to a page of sections; otherwise the static array
		 * holds every section (LENGTH = NR_MEM_SECTIONS). */
		if (try_number(vi, "MAX_PHYSMEM_BITS", &max_phys) && max_phys > section_bits && max_phys < 64) {
			uint64_t nr_sections = UINT64_C(1) << (max_phys - section_bits);

			l->extreme = per_root > 1 && l->section_roots < nr_sections;
		}
	}

	if (ptw_vmcoreinfo_try_symbol(vi, "vmemmap", &v)) {
		l->model = PTW_MEMMAP_VMEMMAP;
		l->vmemmap = v;
		l->source = "SYMBOL(vmemmap)";
		return;
	}
	if (try_number(vi, "VMEMMAP_START", &vmemmap_start) && try_number(vi, "PHYS_OFFSET", &phys_offset)) {
		/* memstart_addr is signed: below zero on a 52-bit kernel
		 * running at 48 bits, and the kernel's >> then rounds down
		 * (arithmetic shift, as gcc and clang do here too). */
		int64_t first_pfn = phys_offset >> l->page_shift;

		l->model = PTW_MEMMAP_VMEMMAP;
		l->vmemmap = (uint64_t)vmemmap_start - (uint64_t)first_pfn * l->size;
		l->source = "NUMBER(VMEMMAP_START) - NUMBER(PHYS_OFFSET) pages";
		return;
	}
	if (dump->have_xlat && dump->xlat.have_vmemmap_start) {
		l->model = PTW_MEMMAP_VMEMMAP;
		l->vmemmap = dump->xlat.vmemmap_start;
		l->source = dump->xlat.vmemmap_source ? dump->xlat.vmemmap_source : "vmemmap_base";
		return;
	}
	if (l->have_sections) {
		l->model = PTW_MEMMAP_SECTIONS;
		l->source = "SYMBOL(mem_section)";
		return;
	}
	l->source = NULL;
}

struct ptw_error *ptw_page_layout_init(const struct ptw_dump *dump, struct ptw_page_layout *ret)
{
	const struct ptw_vmcoreinfo *vi = &dump->vmcoreinfo;
	struct ptw_page_layout l = { 0 };
	static const char *const flag_names[] = {
		"lru", "private", "swapcache", "swapbacked", "slab", "hwpoison",
	};
	static const struct { const char *name, *key; } type_names[] = {
		{ "buddy", "PAGE_BUDDY_MAPCOUNT_VALUE" },
		{ "offline", "PAGE_OFFLINE_MAPCOUNT_VALUE" },
		{ "slab", "PAGE_SLAB_MAPCOUNT_VALUE" },
		{ "hugetlb", "PAGE_HUGETLB_MAPCOUNT_VALUE" },
	};
	int64_t n;

	if (!dump->page_size)
		return missing("PAGESIZE");
	l.page_shift = (unsigned)__builtin_ctzll(dump->page_size);
	if (!try_u64(vi, "SIZE(page)", &l.size) || l.size == 0 || l.size > 4096)
		return missing("usable SIZE(page)");
	if (!try_u64(vi, "OFFSET(page.flags)", &l.off_flags) ||
	    !try_u64(vi, "OFFSET(page._refcount)", &l.off_refcount) ||
	    !try_u64(vi, "OFFSET(page._mapcount)", &l.off_mapcount) ||
	    !try_u64(vi, "OFFSET(page.mapping)", &l.off_mapping))
		return missing("OFFSET(page.flags/_refcount/_mapcount/mapping)");
	if (l.off_flags + 8 > l.size || l.off_refcount + 4 > l.size || l.off_mapcount + 4 > l.size ||
	    l.off_mapping + 8 > l.size)
		return ptw_error_create(PTW_E_BAD_DATA, "VMCOREINFO OFFSET(page.*) lie outside SIZE(page)=%llu",
					(unsigned long long)l.size);
	find_memmap(dump, &l);
	if (!l.source)
		return missing("SYMBOL(vmemmap), NUMBER(VMEMMAP_START) or a usable SYMBOL(mem_section)");
	for (size_t i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++) {
		char key[32];

		snprintf(key, sizeof(key), "PG_%s", flag_names[i]);
		if (try_number(vi, key, &n) && n >= 0 && n < 64 && l.nflags < PTW_PAGE_MAX_FLAGS) {
			l.flag[l.nflags].name = flag_names[i];
			l.flag[l.nflags++].bit = (unsigned)n;
		}
	}
	if (try_number(vi, "PG_head_mask", &n) && n > 0 && !(n & (n - 1)) && l.nflags < PTW_PAGE_MAX_FLAGS) {
		l.flag[l.nflags].name = "head";
		l.flag[l.nflags++].bit = (unsigned)__builtin_ctzll((uint64_t)n);
	}
	/* In bit order, for printing (insertion sort of at most 8). */
	for (unsigned i = 1; i < l.nflags; i++)
		for (unsigned k = i; k > 0 && l.flag[k - 1].bit > l.flag[k].bit; k--) {
			struct ptw_page_flag tmp = l.flag[k];

			l.flag[k] = l.flag[k - 1];
			l.flag[k - 1] = tmp;
		}
	for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++) {
		if (!try_number(vi, type_names[i].key, &n) || n >= 0 || n < INT32_MIN)
			continue;
		/* 6.12 keeps the type in the top byte of page_type
		 * (PGTY_* << 24, the rest free); 6.1 stores ~PG_* whole. */
		l.type[l.ntypes].name = type_names[i].name;
		l.type[l.ntypes].value = (uint32_t)(int32_t)n;
		l.type[l.ntypes++].top_byte = ((uint32_t)(int32_t)n & 0xffffff) == 0;
	}
	*ret = l;
	return NULL;
}

struct ptw_error *ptw_page_address(const struct ptw_page_layout *l, struct ptw_vmem *vm, uint64_t pfn,
				   uint64_t *address_ret)
{
	uint64_t nr, ms, map;
	struct ptw_error *err;

	if (l->model == PTW_MEMMAP_VMEMMAP) {
		*address_ret = l->vmemmap + pfn * l->size;
		return NULL;
	}
	nr = pfn >> (l->section_size_bits - l->page_shift);
	if (l->extreme) {
		uint64_t per_root = (UINT64_C(1) << l->page_shift) / l->section_struct_size;
		uint64_t root = nr / per_root, root_va;

		if (root >= l->section_roots)
			return ptw_error_create(PTW_E_NOT_PRESENT, "pfn 0x%llx: beyond mem_section's %llu roots",
						(unsigned long long)pfn, (unsigned long long)l->section_roots);
		err = ptw_vmem_read_u64(vm, l->mem_section + root * 8, &root_va);
		if (err)
			return ptw_error_prepend(err, "mem_section root %llu: ", (unsigned long long)root);
		if (!root_va)
			return ptw_error_create(PTW_E_NOT_PRESENT, "pfn 0x%llx: no mem_section root %llu",
						(unsigned long long)pfn, (unsigned long long)root);
		ms = root_va + (nr % per_root) * l->section_struct_size;
	} else {
		if (nr >= l->section_roots)
			return ptw_error_create(PTW_E_NOT_PRESENT, "pfn 0x%llx: beyond mem_section's %llu sections",
						(unsigned long long)pfn, (unsigned long long)l->section_roots);
		ms = l->mem_section + nr * l->section_struct_size;
	}
	err = ptw_vmem_read_u64(vm, ms + l->off_section_mem_map, &map);
	if (err)
		return ptw_error_prepend(err, "mem_section %llu: ", (unsigned long long)nr);
	if (!(map & SECTION_MARKED_PRESENT))
		return ptw_error_create(PTW_E_NOT_PRESENT, "pfn 0x%llx: memory section %llu is not present",
					(unsigned long long)pfn, (unsigned long long)nr);
	map &= ~((UINT64_C(1) << SECTION_FLAG_BITS) - 1);
	*address_ret = map + pfn * l->size;
	return NULL;
}

static uint64_t le(const unsigned char *p, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = n; i-- > 0;)
		v = v << 8 | p[i];
	return v;
}

struct ptw_error *ptw_page_read(const struct ptw_page_layout *l, struct ptw_vmem *vm, uint64_t pa,
				struct ptw_page *ret)
{
	struct ptw_page p = { .pfn = pa >> l->page_shift };
	unsigned char buf[4096];
	struct ptw_error *err = ptw_page_address(l, vm, p.pfn, &p.address);

	if (err)
		return err;
	err = ptw_vmem_read(vm, p.address, buf, l->size);
	if (err) {
		if (err->code != PTW_E_NOT_PRESENT && err->code != PTW_E_FAULT)
			return err;
		p.missing = err->code == PTW_E_NOT_PRESENT ? "not-in-dump" : "not-mapped";
		ptw_error_destroy(err);
		*ret = p;
		return NULL;
	}
	p.have_contents = true;
	p.flags = le(buf + l->off_flags, 8);
	p.refcount = (int32_t)(uint32_t)le(buf + l->off_refcount, 4);
	p.mapcount_raw = (int32_t)(uint32_t)le(buf + l->off_mapcount, 4);
	p.mapping = le(buf + l->off_mapping, 8);
	for (unsigned i = 0; i < l->ntypes && !p.type; i++) {
		uint32_t v = (uint32_t)p.mapcount_raw;

		if (l->type[i].top_byte ? (v >> 24) == (l->type[i].value >> 24) : v == l->type[i].value)
			p.type = l->type[i].name;
	}
	p.mapcount = p.type ? 0 : (int64_t)p.mapcount_raw + 1;
	*ret = p;
	return NULL;
}

unsigned ptw_page_flag_names(const struct ptw_page_layout *l, uint64_t flags, const char **names,
			     unsigned max)
{
	unsigned n = 0;

	/* The layout keeps them in bit order. */
	for (unsigned i = 0; i < l->nflags && n < max; i++)
		if (flags >> l->flag[i].bit & 1)
			names[n++] = l->flag[i].name;
	return n;
}
