/* Translation configuration of a dump: what the dead kernel's MMU was set up
 * to do. Detection (from VMCOREINFO and --set) fills this in once; the walker
 * only reads it. */
#ifndef PTW_XLAT_H
#define PTW_XLAT_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"

#define PTW_MAX_LEVELS 5

enum ptw_pte_format {
	PTW_PTE_NONE,
	PTW_PTE_ARM64_VMSA, /* 48-bit output address */
	PTW_PTE_ARM64_LPA,  /* 64K granule, PA[51:48] in bits [15:12] */
	PTW_PTE_ARM64_LPA2, /* 4K/16K granule, PA[51:50] in bits [9:8] */
	PTW_PTE_X86_64,
};

enum ptw_layout {
	PTW_LAYOUT_UNKNOWN,
	PTW_LAYOUT_FLIPPED, /* arm64 5.4+: linear map at the bottom of the kernel half */
	PTW_LAYOUT_LEGACY,  /* arm64 before 5.4: linear map at the top */
};

/* The shape of one translation table tree. Index 0 is the leaf level. */
struct ptw_geom {
	enum ptw_pte_format fmt;
	unsigned page_shift;
	unsigned va_bits;                 /* VA bits this tree resolves */
	unsigned levels;
	unsigned shift[PTW_MAX_LEVELS];   /* VA bit where each level's index starts */
	unsigned bits[PTW_MAX_LEVELS];    /* index width of each level */
	uint64_t root_pa;
};

struct ptw_xlat {
	unsigned granule;          /* bytes */
	unsigned va_bits;          /* configured, NUMBER(VA_BITS) */
	unsigned vabits_actual;    /* what the MMU ran with */
	unsigned pa_bits;
	unsigned levels;
	enum ptw_pte_format fmt;
	enum ptw_layout layout;
	uint64_t root_pa;
	const char *root_source;   /* e.g. "SYMBOL(swapper_pg_dir)" */
	bool have_page_offset;
	uint64_t page_offset;
	bool have_phys_offset;
	int64_t phys_offset;       /* signed: memstart_addr can be below zero */
	bool have_kimage_voffset;
	uint64_t kimage_voffset;
	bool have_kaslr_offset;
	uint64_t kaslr_offset;
	struct ptw_geom kernel;    /* the kernel half's tree (TTBR1, init_top_pgt) */
};

struct ptw_dump;

/** Work out the translation configuration of an opened dump. */
struct ptw_error *ptw_xlat_detect(struct ptw_dump *dump, struct ptw_xlat *ret);
/** "vmsa", "lpa", "lpa2", "x86-64", or NULL for none. */
const char *ptw_pte_format_name(enum ptw_pte_format fmt);
/** "flipped", "legacy", or NULL. */
const char *ptw_layout_name(enum ptw_layout layout);

#endif
