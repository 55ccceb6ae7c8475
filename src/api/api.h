/* Inside the public API: the handles ptwalk.h keeps opaque, and the
 * conversions between the library's ptw_* objects and the ptwalk_* ones.
 * Only src/api/ includes this. */
#ifndef PTW_API_H
#define PTW_API_H

#include <stdbool.h>
#include <stdint.h>

#include "ptwalk.h"

#include "dump.h"
#include "error.h"
#include "kmem.h"
#include "ptdump.h"
#include "task_env.h"
#include "walk.h"
#include "xlat.h"

/* A public error is the library's error object under another name: no copy,
 * and the static out-of-memory object stays static. */
static inline struct ptwalk_error *ptw_api_error(struct ptw_error *err)
{
	return (struct ptwalk_error *)err;
}

static inline struct ptw_error *ptw_api_unwrap(const struct ptwalk_error *err)
{
	return (struct ptw_error *)err;
}

struct ptwalk_dump {
	struct ptw_dump *d;
	/* Kernel objects (tasks, VMAs, core files), set up on first use. */
	struct ptw_vmem *vm;
	struct ptw_kmem mem;
	bool env_tried;
	struct ptw_task_env env;
	struct ptw_error *env_error;
	/* Where walk warnings go. */
	ptwalk_warning_fn *warn_fn;
	void *warn_arg;
	struct ptw_diag diag;
	/* Texts handed out by ptwalk_symbols_summary and ptwalk_types_probe
	 * (src/api/api_info.c), kept until their next call. */
	char *summary_why;
	char *types_skipped;
};

/* The translation cache, a software TLB in three direct-mapped parts, each
 * keyed by the untagged VA's number at its entry size (the VA shifted right
 * by that size's bits):
 * - regions, the size one entry of the leaf tables' parents maps (2 MiB
 *   with a 4 KiB granule): blocks (a 1 GiB block fills one region entry per
 *   region used), holes at least that large, or the leaf table that maps the
 *   region (a paging-structure cache: a page missing below it costs one
 *   entry read, not a walk);
 * - pages: pages and smaller holes;
 * - upper: entries of the tables above the regions' (1 GiB and up with a
 *   4 KiB granule; tagged with their tree index): holes, blocks, and table
 *   descriptors with the tables a walk reads before them, so that a region
 *   not cached yet costs a walk from its table, not from the root, and a
 *   hole of 1 GiB or 512 GiB is walked once, not once per region; a table
 *   entry also holds the hole map of the table it points to (which of its
 *   entries are invalid), and so does each tree's root, so that addresses
 *   in the holes between mappings (new 1 GiB or 512 GiB stretches nearly
 *   every time) need no walk.
 * A lookup probes the region and the page entry, then the kernel's root
 * and the hole maps of the tables its entries point to (kept apart from the
 * upper part, which other entries evict), and the upper entries only when
 * all of those miss. Only answers read from the dump are kept (OK and
 * NOT_MAPPED), so entries never go stale; the cache is emptied with the
 * walker's frame cache (ptwalk_space_flush). Bounded: about 1.2 MiB, in
 * 2 MiB huge pages where the kernel gives them. */
#define PTW_TLB_REGIONS 4096
#define PTW_TLB_PAGES_BITS 16
#define PTW_TLB_PAGES (1u << PTW_TLB_PAGES_BITS)
#define PTW_TLB_UPPER 512
#define PTW_TLB_CHILD_BITS 9 /* 4 KiB granule tables: 512 entries */
/* An entry's kind, in the low bits of its pa: cached leaves and tables
 * start on a page (those that would not are not cached). A hole's pa is
 * all ones (PTW_TLB_HOLE_PA), and bit 0 is the status of an answer from a
 * region or page entry (NOT_MAPPED = 1, OK = 0). */
#define PTW_TLB_LEAF 0u
#define PTW_TLB_TABLE 2u /* pa is the table the entry's descriptor points to */
/* A region entry holding its leaf table has this bit in its key (no VA
 * number has it), so that the lookup's one compare of the key finds
 * leaves and holes alone. */
#define PTW_TLB_TABLE_KEY (UINT64_C(1) << 63)
#define PTW_TLB_HOLE 3u  /* not mapped */
#define PTW_TLB_KIND 3u
#define PTW_TLB_HOLE_PA UINT64_MAX
#define PTW_TLB_EMPTY UINT64_MAX /* a key no VA has (keys drop at least 12 bits) */
/* Entries are keyed by the untagged VA alone: the half a VA is in picks
 * its tree, so kernel and user entries never share a key. */
struct ptw_tlb_entry {
	uint64_t key; /* VA >> the part's shift, or PTW_TLB_EMPTY */
	/* LEAF: the PA of the region's or page's start less its VA (so a VA's
	 * answer is VA + pa, one add); HOLE: all ones; a region's leaf table
	 * (key | PTW_TLB_TABLE_KEY): the table */
	uint64_t pa;
};
struct ptw_tlb_upper {
	uint64_t key;  /* VA >> shift[idx], or PTW_TLB_EMPTY */
	uint64_t pa;   /* of the entry's start | kind */
	unsigned idx;  /* tree index of the entry's table's level */
	/* TABLE: the tables a walk from the root reads up to and including the
	 * one holding this entry, root first (levels - idx of them). */
	uint64_t path[PTW_MAX_LEVELS];
	/* TABLE: the hole map of the table pa points to (ptw_walk_table_holes),
	 * when have_holes: a VA in a hole there needs no walk. */
	bool have_holes;
	uint64_t holes[(1u << PTW_TABLE_HOLES_MAX_BITS) / 64];
};
/* The hole map of a tree's root table, made at the tree's first walk. */
struct ptw_tlb_root {
	uint64_t root_pa;
	bool tried, have_holes;
	uint64_t holes[(1u << PTW_TABLE_HOLES_MAX_BITS) / 64];
};
struct ptw_tlb {
	bool ready; /* emptied (its keys PTW_TLB_EMPTY): not until a batch needs it */
	unsigned region_shift, page_shift;
	uint64_t region_mask, page_mask; /* offset bits within a region, a page */
	struct ptw_tlb_entry region[PTW_TLB_REGIONS];
	struct ptw_tlb_entry page[PTW_TLB_PAGES];
	struct ptw_tlb_upper upper[PTW_TLB_UPPER];
	struct ptw_tlb_root root[2]; /* by ptw_geom.upper: the kernel's and a user tree */
	/* The kernel tree's hole maps of its root and of the tables its root
	 * entries point to, as the batch loop asks them before anything else
	 * on a miss: most misses are addresses in the holes between mappings,
	 * each in a new region. */
	struct ptw_tlb_kernel_root {
		bool ready;            /* the root's hole map was made; the fields below hold */
		const uint64_t *holes; /* the root's, NULL when it has none */
		unsigned va_bits, shift, child_shift;
		uint64_t index_mask, child_index_mask;
		/* Children's maps: only for roots and children of at most
		 * 2^PTW_TLB_CHILD_BITS entries (child_index_mask 0 otherwise). */
		bool child_known[1u << PTW_TLB_CHILD_BITS];
		uint64_t child_holes[1u << PTW_TLB_CHILD_BITS][(1u << PTW_TLB_CHILD_BITS) / 64];
	} kernel_root;
	/* The hole map made last at each tree index, for entries of other VAs
	 * that point to the same table (KASAN's shadow maps most of its range
	 * with one shared table per level): a copy, not a walk of the table. */
	struct ptw_tlb_last_holes {
		const struct ptw_geom *g; /* NULL: none */
		uint64_t pa;
		bool have_holes;
		uint64_t holes[(1u << PTW_TABLE_HOLES_MAX_BITS) / 64];
	} last_holes[PTW_MAX_LEVELS];
};

struct ptwalk_space {
	struct ptwalk_dump *dump;
	const struct ptw_xlat *x;
	const struct ptw_arch_ops *ops;
	struct ptw_walker *w;
	bool have_user;
	struct ptw_geom user;
	/* The shape of the user half even without a user tree: a lower-half
	 * address outside it is non-canonical, table or not. */
	bool have_user_shape;
	struct ptw_geom user_shape;
	struct ptw_tlb *tlb;
	/* The kernel's layout, worked out on first use (src/api/api_layout.c):
	 * the markers of its own page-table dump, or why there are none, and
	 * its regions (none when they cannot be worked out). */
	bool view_tried;
	struct ptw_error *view_error;
	struct ptw_ptdump_view view;
	bool regions_tried;
	struct ptw_regions regions;
};

/** The error for "this dump cannot translate", a fresh copy. */
struct ptw_error *ptw_api_xlat_error(const struct ptw_dump *d, const char *what);
/** Set up d->env (init_task and the task layout) once; its error, a copy. */
struct ptw_error *ptw_api_task_env(struct ptwalk_dump *d);
/** Which tree of space translates va (untagged): the geometry, or NULL with
 * *status_ret set (NON_CANONICAL or NO_USER_TABLE). */
const struct ptw_geom *ptw_api_pick_tree(const struct ptwalk_space *s, uint64_t u,
					 enum ptwalk_status *status_ret);
/** The markers of the kernel's own page-table dump of space's kernel tree
 * (x86-64: the kernel's address_markers[] where its symbols name it), or
 * NULL with *why_ret (owned by the space) saying why there are none. */
const struct ptw_ptdump_view *ptw_api_ptdump_view(struct ptwalk_space *s, const struct ptw_error **why_ret);
/** The regions of space's kernel half as the configuration gives them (the
 * image's end computed, not taken from the tables); none when they cannot
 * be worked out. The caller checks ops->layout. */
const struct ptw_regions *ptw_api_regions(struct ptwalk_space *s);
/** A copy of an error (errors handed out are owned by the caller). */
struct ptw_error *ptw_api_error_copy(const struct ptw_error *err);

#endif
