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

/* The translation cache, a software TLB of two direct-mapped levels: region
 * entries of the size one entry of the leaf tables' parents maps (2 MiB
 * with a 4 KiB granule) hold blocks (a 1 GiB block fills one region entry
 * per region used), holes at least that large, or the leaf table that maps
 * the region (a paging-structure cache: a page missing below it costs one
 * entry read, not a walk); page entries hold pages and smaller holes. A
 * lookup probes at most both. Only answers read from
 * the dump are kept (OK and NOT_MAPPED), so entries never go stale; the
 * cache is emptied with the walker's frame cache (ptwalk_space_flush). */
#define PTW_TLB_REGIONS 1024
#define PTW_TLB_PAGES 8192
#define PTW_TLB_VALID 1u
#define PTW_TLB_HOLE 4u  /* not mapped: pa unused */
#define PTW_TLB_TABLE 8u /* region entry: pa is the leaf table mapping the region */
/* Entries are keyed by the untagged VA alone: the half a VA is in picks
 * its tree, so kernel and user entries never share a key. */
struct ptw_tlb_entry {
	uint64_t tag; /* VA of the region or page | PTW_TLB_* flags; 0 = empty */
	uint64_t pa;  /* of its start */
};
struct ptw_tlb {
	unsigned region_shift, page_shift;
	uint64_t region_mask, page_mask; /* offset bits within a region, a page */
	struct ptw_tlb_entry region[PTW_TLB_REGIONS];
	struct ptw_tlb_entry page[PTW_TLB_PAGES];
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
