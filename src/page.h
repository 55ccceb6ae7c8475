/* struct page of a physical page frame, as crash's vtop shows it: where it
 * is in the memory map and what it says (flags, reference count, map count,
 * mapping). Everything comes from VMCOREINFO, which the kernel fills for
 * exactly this (kernel/crash_core.c, kernel/vmcore_info.c): SIZE(page),
 * OFFSET(page.*), the PG_* numbers and the memory map's location. No types
 * are loaded. */
#ifndef PTW_PAGE_H
#define PTW_PAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"

struct ptw_dump;
struct ptw_vmem;

#define PTW_PAGE_MAX_FLAGS 8
#define PTW_PAGE_MAX_TYPES 4

struct ptw_page_flag {
	const char *name;
	unsigned bit;
};

/* A page type kept in _mapcount (page_type): 6.1 stores ~PG_buddy etc.
 * whole; 6.12 the type in the top byte (PGTY_* << 24). */
struct ptw_page_type {
	const char *name;
	uint32_t value;
	bool top_byte;
};

enum ptw_memmap_model {
	PTW_MEMMAP_VMEMMAP,  /* SPARSEMEM_VMEMMAP: one virtual array, pfn-indexed */
	PTW_MEMMAP_SECTIONS, /* SPARSEMEM: each present section encodes its own map */
};

struct ptw_page_layout {
	unsigned page_shift;
	uint64_t size;                  /* SIZE(page) */
	uint64_t off_flags, off_refcount, off_mapcount, off_mapping;
	enum ptw_memmap_model model;
	/* VMEMMAP: the address struct page of pfn 0 would have */
	uint64_t vmemmap;
	const char *source;             /* "SYMBOL(vmemmap)", "NUMBER(VMEMMAP_START)", ... */
	/* mem_section as VMCOREINFO describes it (have_sections), used by the
	 * SECTIONS model */
	bool have_sections;
	uint64_t mem_section;           /* SYMBOL(mem_section): the array (or the root array) */
	uint64_t section_roots;         /* LENGTH(mem_section) */
	uint64_t section_struct_size;   /* SIZE(mem_section) */
	uint64_t off_section_mem_map;
	unsigned section_size_bits;     /* NUMBER(SECTION_SIZE_BITS) */
	bool extreme;                   /* SPARSEMEM_EXTREME: roots are pointers */
	/* Flag bits VMCOREINFO names (PG_lru, PG_private, ...) */
	unsigned nflags;
	struct ptw_page_flag flag[PTW_PAGE_MAX_FLAGS];
	/* Page types kept in _mapcount (PAGE_BUDDY_MAPCOUNT_VALUE, ...) */
	unsigned ntypes;
	struct ptw_page_type type[PTW_PAGE_MAX_TYPES];
};

/** The layout from the dump's VMCOREINFO (and, for the memory map's base,
 * the translation's detected vmemmap start). NOT_PRESENT saying what is
 * missing when the dump does not tell enough. */
struct ptw_error *ptw_page_layout_init(const struct ptw_dump *dump, struct ptw_page_layout *ret);

/** Where struct page of pfn is. With the SECTIONS model this reads
 * mem_section; a pfn in no present section is NOT_PRESENT. */
struct ptw_error *ptw_page_address(const struct ptw_page_layout *l, struct ptw_vmem *vm, uint64_t pfn,
				   uint64_t *address_ret);

struct ptw_page {
	uint64_t pfn;
	uint64_t address;       /* of the struct page */
	bool have_contents;     /* false: the struct page itself cannot be read */
	const char *missing;    /* why not: "not-in-dump", "not-mapped" */
	uint64_t flags;
	int32_t refcount;       /* _refcount */
	int32_t mapcount_raw;   /* _mapcount as stored (-1: no mappings) */
	const char *type;       /* "buddy", "offline", "slab", "hugetlb" or NULL */
	int64_t mapcount;       /* _mapcount + 1, when no type is kept there */
	uint64_t mapping;
};

/** struct page of the frame holding pa. An error only when its address
 * cannot be worked out; a struct page that is not in the dump is a result
 * with have_contents false. */
struct ptw_error *ptw_page_read(const struct ptw_page_layout *l, struct ptw_vmem *vm, uint64_t pa,
				struct ptw_page *ret);

/** The names of the flags set in `flags` that VMCOREINFO names, in bit
 * order; returns how many were stored in names (at most max). */
unsigned ptw_page_flag_names(const struct ptw_page_layout *l, uint64_t flags, const char **names,
			     unsigned max);

#endif
