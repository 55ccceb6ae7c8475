/* Translation configuration of a dump: what the dead kernel's MMU was set up
 * to do. Detection (from VMCOREINFO and --set) fills this in once; the walker
 * only reads it.
 *
 * To add an architecture: 1. write arch/<arch>/<arch>.c exporting one
 * `const struct ptw_arch_ops ptw_arch_<arch>` (designated initializers);
 * 2. add it to the switch in ptw_xlat_detect() (src/xlat.c); 3. give it decoder tests in
 * tests/check_<arch>.c. A NULL hook means "not implemented for this arch". */
#ifndef PTW_XLAT_H
#define PTW_XLAT_H

#include <stdbool.h>
#include <stddef.h>
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

/* The shape of one translation table tree. Index 0 is the leaf level;
 * index levels-1 is the root table. */
struct ptw_geom {
	enum ptw_pte_format fmt;
	unsigned page_shift;
	unsigned va_bits;                 /* VA bits this tree resolves */
	unsigned levels;
	unsigned shift[PTW_MAX_LEVELS];   /* VA bit where each level's index starts */
	unsigned bits[PTW_MAX_LEVELS];    /* index width of each level */
	uint64_t root_pa;
	/* The architecture's number for the root level: arm64 lookup levels,
	 * so index i is level top_level + (levels - 1 - i); 3 is the leaf. */
	int top_level;
	bool upper;                       /* the tree of the top of the VA space (TTBR1) */
	unsigned pa_bits;                 /* output addresses above this are bad */
	unsigned block_mask;              /* bit i: block descriptors legal at index i */
	unsigned cont_entries[PTW_MAX_LEVELS]; /* entries in a contiguous run, 0 if unknown */
	/* Bits inside the descriptors' address field that are flags, not
	 * address (x86-64: the SME/SEV encryption bit, NUMBER(sme_mask)). */
	uint64_t pa_flag_mask;
};

/* One decoded descriptor. */
enum ptw_desc_kind {
	PTW_DESC_INVALID, /* not valid: the walk ends, not mapped */
	PTW_DESC_TABLE,   /* addr is the next table */
	PTW_DESC_BLOCK,   /* addr is the output address of a block */
	PTW_DESC_PAGE,    /* addr is the output address of a page */
	PTW_DESC_BAD,     /* an encoding the architecture forbids; reason says which */
};

struct ptw_desc {
	enum ptw_desc_kind kind;
	uint64_t addr;
	bool cont;
	const char *reason; /* static text, for PTW_DESC_BAD */
};

/* A decoded attribute of a leaf, for text and JSON output. */
enum ptw_attr_type { PTW_ATTR_BOOL, PTW_ATTR_UINT, PTW_ATTR_STR };

struct ptw_attr {
	const char *name;
	enum ptw_attr_type type;
	uint64_t u;        /* BOOL and UINT */
	const char *s;     /* STR, static */
	/* Text output: NULL prints a BOOL by its name when set, and a value as
	 * name=value; otherwise "label=value" always (e.g. "nG=0"), or for a
	 * STR with label "" the value alone (e.g. "rw"). */
	const char *label;
};

#define PTW_MAX_ATTRS 32
struct ptw_attrs {
	unsigned n;
	struct ptw_attr a[PTW_MAX_ATTRS];
};

/* One region of a kernel virtual address space ([start, end), end 0 = 2^64). */
struct ptw_region {
	const char *name;
	uint64_t start;
	uint64_t end;
	const char *source; /* "computed", "vmcoreinfo", "tables" */
};

#define PTW_MAX_REGIONS 32
struct ptw_regions {
	unsigned n;
	struct ptw_region r[PTW_MAX_REGIONS];
};

struct ptw_xlat;
struct ptw_vmcoreinfo;
struct ptw_ptdump_ops;
struct ptw_source;

/* Pure: decode descriptor `raw` found at index `idx` (0 = leaf) of tree g. */
typedef void ptw_decode_fn(const struct ptw_geom *g, unsigned idx, uint64_t raw,
			   struct ptw_desc *ret);

struct ptw_arch_ops {
	const char *name;
	/** Work out the translation configuration from VMCOREINFO. */
	struct ptw_error *(*detect)(const struct ptw_vmcoreinfo *vi, uint64_t page_size,
				    struct ptw_xlat *ret);
	ptw_decode_fn *decode;
	/** Attributes of a block/page descriptor at index idx. */
	void (*attrs)(const struct ptw_geom *g, unsigned idx, uint64_t raw, struct ptw_attrs *ret);
	/** Name of the table at index idx, crash style: "PGD", "P4D", "PUD", "PMD", "PTE". */
	const char *(*level_name)(const struct ptw_geom *g, unsigned idx);
	/** Strip a tag from a VA (arm64 TBI: sign-extend from bit 55). */
	uint64_t (*untag)(uint64_t va);
	/** Which tree translates va: true for the upper (kernel) half. */
	bool (*is_upper)(uint64_t va);
	/** The user tree whose root register value (TTBR0 / CR3) is `reg`. */
	struct ptw_error *(*user_geom)(const struct ptw_xlat *x, uint64_t reg, struct ptw_geom *ret);
	/** Kernel virtual address of a physical one: linear map and image alias. */
	void (*ptov)(const struct ptw_xlat *x, uint64_t pa, bool *have_linear, uint64_t *linear,
		     bool *have_kimage, uint64_t *kimage);
	/** The regions of the kernel address space, computed from the
	 * configuration. Some extents depend on build options that only the
	 * tables show (arm64's fixmap): is_mapped(arg, va) asks whether va is
	 * mapped in the kernel's table; NULL takes the smallest build. */
	struct ptw_error *(*layout)(const struct ptw_xlat *x, const struct ptw_vmcoreinfo *vi,
				    bool (*is_mapped)(void *arg, uint64_t va), void *arg,
				    struct ptw_regions *ret);
	/** How the kernel's own page-table dump shows this arch (src/ptdump.h). */
	const struct ptw_ptdump_ops *ptdump;
	/** Optional: complete the configuration from the dump's memory, for
	 * what VMCOREINFO does not say (x86-64's randomized region bases).
	 * Called after detect; fills in only what it can establish. */
	struct ptw_error *(*detect_memory)(struct ptw_xlat *x, const struct ptw_vmcoreinfo *vi,
					   struct ptw_source *src);
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

	/* Added by detection, beyond what `info` prints. */
	const struct ptw_arch_ops *ops;
	const char *vabits_source;  /* "NUMBER(TCR_EL1_T1SZ)", "NUMBER(VA_BITS)" */
	const char *fmt_source;     /* why this descriptor format */
	const char *layout_source;  /* "SYMBOL(_stext)", "OSRELEASE" */
	bool have_page_end;
	uint64_t page_end;          /* end of the linear map */
	uint64_t linear_start;      /* lowest linear-map VA the MMU can reach */
	bool have_stext;
	uint64_t stext;             /* SYMBOL(_stext) */
	uint64_t swapper_pg_dir;    /* SYMBOL(swapper_pg_dir), virtual */
	const char *page_offset_source; /* x86-64: how page_offset_base was found */
	/* Start of vmalloc space and of the struct page array, where known
	 * (x86-64 CONFIG_DYNAMIC_MEMORY_LAYOUT: vmalloc_base, vmemmap_base). */
	bool have_vmalloc_start;
	uint64_t vmalloc_start;
	const char *vmalloc_source;
	bool have_vmemmap_start;
	uint64_t vmemmap_start;
	const char *vmemmap_source;
};

struct ptw_dump;

/** Work out the translation configuration of an opened dump. */
struct ptw_error *ptw_xlat_detect(struct ptw_dump *dump, struct ptw_xlat *ret);
/** Same, from a VMCOREINFO and the arch alone (tests, --set tools). */
struct ptw_error *ptw_xlat_detect_vmcoreinfo(const struct ptw_arch_ops *ops,
					     const struct ptw_vmcoreinfo *vi, uint64_t page_size,
					     struct ptw_xlat *ret);
/** "vmsa", "lpa", "lpa2", "x86-64", or NULL for none. */
const char *ptw_pte_format_name(enum ptw_pte_format fmt);
/** "flipped", "legacy", or NULL. */
const char *ptw_layout_name(enum ptw_layout layout);
/** The arch level number of tree index idx (arm64: 3 is the leaf). */
int ptw_geom_level(const struct ptw_geom *g, unsigned idx);
/** Bytes one entry at index idx maps. */
static inline uint64_t ptw_geom_entry_size(const struct ptw_geom *g, unsigned idx)
{
	return UINT64_C(1) << g->shift[idx];
}
/** Find an attribute by name, or NULL. */
const struct ptw_attr *ptw_attrs_find(const struct ptw_attrs *a, const char *name);

extern const struct ptw_arch_ops ptw_arch_arm64;
extern const struct ptw_arch_ops ptw_arch_x86_64;

#endif
