/* Address spaces: the kernel's tree plus, optionally, one user tree, with
 * a walker and a translation cache; translation and virtual reads. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "large_buf.h"
#include "source.h"

static void tlb_setup(struct ptwalk_space *s)
{
	const struct ptw_geom *g = &s->x->kernel;

	/* User trees share the kernel's granule, so their levels have the
	 * same sizes. */
	s->tlb->page_shift = g->shift[0];
	s->tlb->region_shift = g->levels > 1 ? g->shift[1] : g->shift[0];
	s->tlb->page_mask = (UINT64_C(1) << s->tlb->page_shift) - 1;
	s->tlb->region_mask = (UINT64_C(1) << s->tlb->region_shift) - 1;
	/* Emptied at the first batch: a space that never translates a batch
	 * (ptwalk_ptov's, one per address) leaves the pages untouched. */
	s->tlb->ready = false;
}

static void tlb_empty(struct ptw_tlb *t)
{
	/* All ones: every key PTW_TLB_EMPTY, in one pass of the memory (and
	 * every pa, which no lookup uses without its key). */
	_Static_assert(PTW_TLB_EMPTY == UINT64_MAX, "an emptied entry's key is all ones");
	memset(t->region, 0xff, sizeof(t->region));
	memset(t->page, 0xff, sizeof(t->page));
	for (size_t i = 0; i < PTW_TLB_UPPER; i++)
		t->upper[i].key = PTW_TLB_EMPTY;
	t->root[0].tried = t->root[1].tried = false;
	t->kernel_root.ready = false;
	for (size_t i = 0; i < PTW_MAX_LEVELS; i++)
		t->last_holes[i].g = NULL;
}

void ptwalk_space_flush(struct ptwalk_space *s)
{
	ptw_walker_flush(s->w);
	if (s->tlb->ready)
		tlb_empty(s->tlb);
}

static struct ptw_error *space_open(struct ptwalk_dump *dump, struct ptwalk_space **ret)
{
	struct ptw_dump *d = dump->d;
	struct ptwalk_space *s;
	struct ptw_error *err;

	if (!d->have_xlat)
		return ptw_api_xlat_error(d, "cannot translate addresses");
	if (!d->xlat.ops || !d->xlat.ops->decode)
		return ptw_error_create(PTW_E_NOT_IMPLEMENTED, "no page-table decoder for %s",
					ptw_arch_name(d->arch) ? ptw_arch_name(d->arch) : "this arch");
	s = calloc(1, sizeof(*s));
	if (!s)
		return &ptw_enomem;
	s->tlb = ptw_large_buf_alloc_zeroed(sizeof(*s->tlb));
	if (!s->tlb) {
		free(s);
		return &ptw_enomem;
	}
	s->dump = dump;
	s->x = &d->xlat;
	s->ops = d->xlat.ops;
	err = ptw_walker_create(d->src, s->ops->decode, &s->w);
	if (err) {
		ptw_large_buf_free_zeroed(s->tlb, sizeof(*s->tlb));
		free(s);
		return err;
	}
	if (s->ops->user_geom) {
		struct ptw_error *shape_err = s->ops->user_geom(s->x, 0, &s->user_shape);

		s->have_user_shape = shape_err == NULL;
		ptw_error_destroy(shape_err);
	}
	tlb_setup(s);
	*ret = s;
	return NULL;
}

void ptwalk_space_close(struct ptwalk_space *s)
{
	if (!s)
		return;
	ptw_walker_destroy(s->w);
	ptw_error_destroy(s->view_error);
	ptw_large_buf_free_zeroed(s->tlb, sizeof(*s->tlb));
	free(s);
}

struct ptwalk_error *ptwalk_space_kernel(struct ptwalk_dump *dump, struct ptwalk_space **space_ret)
{
	return ptw_api_error(space_open(dump, space_ret));
}

static struct ptw_error *set_user_root(struct ptwalk_space *s, uint64_t root)
{
	if (!s->ops->user_geom)
		return ptw_error_create(PTW_E_NOT_IMPLEMENTED, "user tables are not implemented for %s",
					s->ops->name);
	struct ptw_error *err = s->ops->user_geom(s->x, root, &s->user);

	if (!err)
		s->have_user = true;
	return err;
}

struct ptwalk_error *ptwalk_space_user_root(struct ptwalk_dump *dump, uint64_t root,
					    struct ptwalk_space **space_ret)
{
	struct ptwalk_space *s = NULL;
	struct ptw_error *err = space_open(dump, &s);

	if (!err)
		err = set_user_root(s, root);
	if (err) {
		ptwalk_space_close(s);
		return ptw_api_error(err);
	}
	*space_ret = s;
	return NULL;
}

struct ptwalk_error *ptwalk_space_user_pid(struct ptwalk_dump *dump, uint64_t pid,
					   struct ptwalk_space **space_ret)
{
	struct ptwalk_space *s = NULL;
	struct ptwalk_task t;
	struct ptw_error *err = space_open(dump, &s);

	if (!err)
		err = ptw_api_unwrap(ptwalk_task_find(dump, pid, &t));
	if (!err && !t.mm)
		err = ptw_error_create(PTW_E_NOT_PRESENT,
				       "pid %" PRIu64 " (%s) is a kernel thread: it has no user address space",
				       pid, t.comm);
	if (!err && !t.have_pgd)
		err = ptw_error_create(PTW_E_BAD_DATA, "pid %" PRIu64 " (%s): mm 0x%" PRIx64 " has no readable pgd",
				       pid, t.comm, t.mm);
	if (!err) {
		err = set_user_root(s, t.pgd_pa);
		if (err)
			err = ptw_error_prepend(err, "pid %" PRIu64 " (%s)", pid, t.comm);
	}
	if (err) {
		ptwalk_space_close(s);
		return ptw_api_error(err);
	}
	*space_ret = s;
	return NULL;
}

bool ptwalk_space_user_root_pa(const struct ptwalk_space *s, uint64_t *root_ret)
{
	if (s->have_user && root_ret)
		*root_ret = s->user.root_pa;
	return s->have_user;
}

const char *ptwalk_status_name(enum ptwalk_status status)
{
	switch (status) {
	case PTWALK_OK: return "ok";
	case PTWALK_NOT_MAPPED: return "not-mapped";
	case PTWALK_NOT_IN_DUMP: return "not-in-dump";
	case PTWALK_BAD_TABLE: return "bad-table";
	case PTWALK_NON_CANONICAL: return "non-canonical";
	case PTWALK_NO_USER_TABLE: return "no-user-table";
	}
	return "unknown";
}

static inline uint64_t untag(const struct ptwalk_space *s, uint64_t va)
{
	return s->ops->untag ? s->ops->untag(va) : va;
}

static inline bool is_upper(const struct ptwalk_space *s, uint64_t u)
{
	return s->ops->is_upper ? s->ops->is_upper(u) : (u >> 63) != 0;
}

const struct ptw_geom *ptw_api_pick_tree(const struct ptwalk_space *s, uint64_t u,
					 enum ptwalk_status *status_ret)
{
	if (is_upper(s, u))
		return &s->x->kernel;
	if (s->have_user)
		return &s->user;
	if (s->have_user_shape && s->user_shape.va_bits < 64 && u >> s->user_shape.va_bits)
		*status_ret = PTWALK_NON_CANONICAL;
	else
		*status_ret = PTWALK_NO_USER_TABLE;
	return NULL;
}

static enum ptwalk_status status_of(enum ptw_walk_status st)
{
	switch (st) {
	case PTW_WALK_OK: return PTWALK_OK;
	case PTW_WALK_NOT_IN_DUMP: return PTWALK_NOT_IN_DUMP;
	case PTW_WALK_BAD_TABLE: return PTWALK_BAD_TABLE;
	case PTW_WALK_NON_CANONICAL: return PTWALK_NON_CANONICAL;
	case PTW_WALK_NOT_MAPPED:
	case PTW_WALK_ALIAS: /* only iterations that track tables see it */
		break;
	}
	return PTWALK_NOT_MAPPED;
}

static const char *table_name(const struct ptwalk_space *s, const struct ptw_geom *g, unsigned idx)
{
	return s->ops->level_name ? s->ops->level_name(g, idx) : NULL;
}

/* A walk result in public form. */
static void fill_translation(const struct ptwalk_space *s, const struct ptw_geom *g,
			     const struct ptw_walk_result *r, struct ptwalk_translation *t)
{
	t->status = status_of(r->status);
	t->have_pa = r->have_pa;
	t->pa = r->pa;
	t->page_size = r->page_size;
	t->level = r->level;
	t->tree_index = r->idx;
	t->raw = r->raw;
	t->block = r->leaf_is_block;
	t->cont = r->cont;
	t->cont_size = r->cont_size;
	t->missing_pa = r->missing_pa;
	t->reason = r->reason;
	t->table_base = r->table_base;
	t->nsteps = r->nsteps;
	for (unsigned i = 0; i < r->nsteps && i < PTWALK_MAX_LEVELS; i++) {
		const struct ptw_walk_step *st = &r->step[i];

		t->steps[i].level = st->level;
		t->steps[i].table = table_name(s, g, st->idx);
		t->steps[i].index = st->index;
		t->steps[i].entry_pa = st->entry_pa;
		t->steps[i].raw = st->raw;
	}
	t->range_start = r->range_start;
	t->range_end = r->range_end;
}

struct ptwalk_error *ptwalk_translate(struct ptwalk_space *s, uint64_t va, struct ptwalk_translation *ret)
{
	uint64_t u = untag(s, va);
	enum ptwalk_status st = PTWALK_NOT_MAPPED;
	const struct ptw_geom *g = ptw_api_pick_tree(s, u, &st);
	struct ptwalk_translation t;
	struct ptw_walk_result r;
	struct ptw_error *err;

	memset(&t, 0, sizeof(t));
	t.input = va;
	t.va = u;
	t.tagged = u != va;
	t.user = !is_upper(s, u);
	if (!g) {
		t.status = st;
		if (st == PTWALK_NON_CANONICAL) {
			/* as the walker says it, with or without a user table */
			t.range_start = UINT64_C(1) << s->user_shape.va_bits;
			t.range_end = -(UINT64_C(1) << s->user_shape.va_bits);
		} else if (s->have_user_shape && s->user_shape.va_bits < 64) {
			t.range_end = UINT64_C(1) << s->user_shape.va_bits;
		} else {
			t.range_start = u & ~UINT64_C(0xfff);
			t.range_end = t.range_start + 0x1000;
		}
		t.reason = st == PTWALK_NO_USER_TABLE ? "a user address: no user table given" : NULL;
		*ret = t;
		return NULL;
	}
	err = ptw_walk(s->w, g, u, &r);
	if (err)
		return ptw_api_error(err);
	fill_translation(s, g, &r, &t);
	*ret = t;
	return NULL;
}

/* Cache slots: of VA number n (VA >> the part's shift). */
static inline size_t region_slot(uint64_t n)
{
	return n & (PTW_TLB_REGIONS - 1);
}

/* A multiplicative hash (the golden ratio's): fewer instructions than a
 * fold of the high bits into the low, and no fixed distance between pages
 * that always collides, as a kernel image page and its linear-map alias
 * would under the low bits alone. */
static inline size_t page_slot(uint64_t n)
{
	return (size_t)((n * UINT64_C(0x9e3779b97f4a7c15)) >> (64 - PTW_TLB_PAGES_BITS));
}

static inline struct ptw_tlb_entry *tlb_region(struct ptw_tlb *t, uint64_t n)
{
	return &t->region[region_slot(n)];
}

static inline struct ptw_tlb_entry *tlb_page(struct ptw_tlb *t, uint64_t n)
{
	return &t->page[page_slot(n)];
}

static inline struct ptw_tlb_upper *tlb_upper(struct ptw_tlb *t, uint64_t n, unsigned idx)
{
	return &t->upper[((n ^ (n >> 9)) + idx * 157) & (PTW_TLB_UPPER - 1)];
}

/* The lookup's view of a cache, in locals: stores through the caller's
 * uint64_t arrays could alias the cache's fields, which would otherwise be
 * loaded again for every address. */
struct tlb_view {
	const struct ptw_tlb_entry *region, *page;
};

/* Both entries of u, region and page, are read at once and the answer
 * picked without a branch: which of them holds it varies from address to
 * address, and a mispredicted branch costs more than the lookup. The
 * answer is the region's when it holds a leaf or a hole, else the page's.
 * true: *pa_ret is the answer (PTWALK_PA_NONE for a hole), *hole_ret
 * whether it is a hole (the status, NOT_MAPPED = 1, OK = 0). false: not
 * cached; *table_ret is then the leaf table of u's region, or 0 when that is
 * not known either (a table at 0 is not kept). u must be untagged, or a VA
 * whose cached page or region is untagged, which makes it so: the pages and
 * regions of a tree never straddle a change of the tag bits. */
static inline bool tlb_lookup(const struct tlb_view *t, uint64_t u, unsigned region_shift, unsigned page_shift,
			      uint64_t *pa_ret, uint64_t *hole_ret, uint64_t *table_ret)
{
	uint64_t rn = u >> region_shift, pn = u >> page_shift;
	const struct ptw_tlb_entry *re = &t->region[region_slot(rn)], *pe = &t->page[page_slot(pn)];
	uint64_t rpa = re->pa, ppa = pe->pa;
	/* all ones when the region's entry is the answer: selects by masks,
	 * which compilers keep free of branches */
	uint64_t rsel = -(uint64_t)(re->key == rn);
	uint64_t e = ppa ^ ((rpa ^ ppa) & rsel);

	if (!(rsel | (pe->key == pn))) {
		*table_ret = re->key == (rn | PTW_TLB_TABLE_KEY) ? rpa : 0;
		return false;
	}
	/* A leaf's entry is its PA less its VA; a hole's is all ones, and so
	 * its answer, PTWALK_PA_NONE. */
	*pa_ret = (u + e) | -(e & 1);
	*hole_ret = e & 1;
	return true;
}

/* Whether [range_start, range_end) (end 0: the top) holds the aligned
 * stretch of 2^shift bytes around u. */
static inline bool covers(const struct ptw_walk_result *r, uint64_t u, unsigned shift)
{
	uint64_t start = u & ~((UINT64_C(1) << shift) - 1);
	uint64_t last = start + ((UINT64_C(1) << shift) - 1);

	return start >= r->range_start && (r->range_end == 0 || last < r->range_end);
}

/* A region or page entry for a leaf: u maps to pa, and so does the rest of
 * the region or page (offset bits mask) at the same offsets. The PA less
 * the VA, of the starts: multiples of the page, so the kind bits are 0. */
static inline uint64_t leaf_entry(uint64_t pa, uint64_t u, uint64_t mask)
{
	return ((pa & ~mask) - (u & ~mask)) | PTW_TLB_LEAF;
}

static inline void tlb_set(struct ptw_tlb_entry *e, uint64_t key, uint64_t pa)
{
	e->key = key;
	e->pa = pa;
}

/* Keep a page's answer from its leaf table: a hole, or the leaf mapping pa
 * (OK). A PA whose offset in the page is not u's (a descriptor with
 * address bits inside the page, which the walk ORs in) is not kept. */
static void tlb_keep_page(struct ptw_tlb *t, uint64_t u, bool hole, uint64_t pa)
{
	if (!hole && (pa & t->page_mask) != (u & t->page_mask))
		return;
	tlb_set(tlb_page(t, u >> t->page_shift), u >> t->page_shift,
		hole ? PTW_TLB_HOLE_PA : leaf_entry(pa, u, t->page_mask));
}

/* Whether the dump has every page of the region holding pa: only then may
 * a leaf's region entry answer OK for all of them (a filtered dump lacks
 * some pages of a block). */
static bool region_present(struct ptw_walker *w, const struct ptw_tlb *t, uint64_t pa)
{
	return ptw_walker_range_present(w, pa & ~t->region_mask, t->region_mask + 1, t->page_mask + 1);
}

/* Keep what a walk of u read (from tables[0..ntables - 1], levels first ..
 * r->nsteps - 1 of it walked here): the table descriptors at the upper
 * levels and the leaf table, each with the tables above it; then the answer,
 * a leaf (OK) or a hole, in the largest entries it fills. */
static struct ptw_error *tlb_keep_walk(struct ptw_walker *w, struct ptw_tlb *t, const struct ptw_geom *g, uint64_t u,
				       const struct ptw_walk_result *r, const uint64_t tables[PTW_MAX_LEVELS],
				       unsigned ntables, unsigned first)
{
	bool hole = r->status == PTW_WALK_NOT_MAPPED;
	uint64_t size = r->page_size;

	/* Levels n whose descriptor led to a table this walk read from: the
	 * upper ones (tree index >= 2) here, the leaf table's region below.
	 * Bounded: n < r->nsteps <= g->levels <= PTW_MAX_LEVELS. */
	for (unsigned n = first; n + 2 < g->levels && n + 1 < r->nsteps && n + 1 < ntables; n++) {
		unsigned idx = g->levels - 1 - n;
		uint64_t key = u >> g->shift[idx];
		struct ptw_tlb_upper *e;

		struct ptw_tlb_last_holes *last;
		struct ptw_error *err;

		if (tables[n + 1] & PTW_TLB_KIND)
			continue;
		e = tlb_upper(t, key, idx);
		if (e->key == key && e->idx == idx && e->pa == (tables[n + 1] | PTW_TLB_TABLE))
			continue; /* kept already, with its hole map */
		e->key = PTW_TLB_EMPTY; /* until complete */
		last = &t->last_holes[idx - 1];
		if (last->g != g || last->pa != tables[n + 1]) {
			last->g = NULL;
			err = ptw_walk_table_holes(w, g, idx - 1, tables[n + 1], last->holes, &last->have_holes);
			if (err)
				return err;
			last->g = g;
			last->pa = tables[n + 1];
		}
		e->have_holes = last->have_holes;
		memcpy(e->holes, last->holes, sizeof(e->holes));
		e->key = key;
		e->idx = idx;
		e->pa = tables[n + 1] | PTW_TLB_TABLE;
		for (unsigned k = 0; k <= n; k++)
			e->path[k] = tables[k];
	}
	if (r->status != PTW_WALK_OK && !hole)
		return NULL;
	/* A leaf whose address has bits inside its size (the walk ORs them
	 * with the VA's) is walked each time. */
	if (!hole && (r->pa & (size - 1)) != (u & (size - 1)))
		return NULL;
	if (covers(r, u, t->region_shift) && (hole || region_present(w, t, r->pa))) {
		tlb_set(tlb_region(t, u >> t->region_shift), u >> t->region_shift,
			hole ? PTW_TLB_HOLE_PA : leaf_entry(r->pa, u, t->region_mask));
		/* Above the regions: the hole or block itself, for the other
		 * regions it covers. */
		if (r->idx >= 2 && r->idx < g->levels && covers(r, u, g->shift[r->idx])) {
			uint64_t key = u >> g->shift[r->idx];
			struct ptw_tlb_upper *e = tlb_upper(t, key, r->idx);

			e->key = key;
			e->idx = r->idx;
			e->pa = hole ? PTW_TLB_HOLE_PA : (r->pa & ~(size - 1)) | PTW_TLB_LEAF;
		}
		return NULL;
	}
	/* (0 is "no table" to the lookup: a table there is walked each time) */
	if (r->nsteps == g->levels && g->levels > 1 && ntables == g->levels && tables[g->levels - 1])
		tlb_set(tlb_region(t, u >> t->region_shift), (u >> t->region_shift) | PTW_TLB_TABLE_KEY,
			tables[g->levels - 1]);
	if (covers(r, u, t->page_shift))
		tlb_keep_page(t, u, hole, r->pa);
	return NULL;
}

/* Whether the hole map holes (of a table at tree index idx) has u's entry. */
static inline bool in_hole(const struct ptw_geom *g, unsigned idx, const uint64_t *holes, uint64_t u)
{
	uint64_t i = (u >> g->shift[idx]) & ((UINT64_C(1) << g->bits[idx]) - 1);

	return (holes[i / 64] >> (i % 64)) & 1;
}

/* Whether a walk of u reads g's root entry: the checks walk_from makes
 * before it (a usable geometry, a canonical u, an aligned root). */
static bool walks_from_root(const struct ptw_geom *g, uint64_t u)
{
	if (g->levels < 2 || g->levels > PTW_MAX_LEVELS || g->va_bits == 0 || g->va_bits >= 64 ||
	    (g->root_pa & 7))
		return false;
	return g->upper ? u >> g->va_bits == ~UINT64_C(0) >> g->va_bits : u >> g->va_bits == 0;
}

/* The root's hole map of tree g, made once. */
static struct ptw_error *root_holes(struct ptw_walker *w, struct ptw_tlb *t, const struct ptw_geom *g,
				    const struct ptw_tlb_root **ret)
{
	struct ptw_tlb_root *root = &t->root[g->upper ? 0 : 1];

	*ret = NULL;
	if (!root->tried || root->root_pa != g->root_pa) {
		struct ptw_error *err;

		root->tried = false;
		root->root_pa = g->root_pa;
		err = ptw_walk_table_holes(w, g, g->levels - 1, g->root_pa, root->holes, &root->have_holes);
		if (err)
			return err;
		root->tried = true;
	}
	if (root->have_holes)
		*ret = root;
	if (g->upper && !t->kernel_root.ready) {
		struct ptw_tlb_kernel_root *k = &t->kernel_root;
		unsigned top = g->levels - 1;

		k->holes = root->have_holes ? root->holes : NULL;
		k->va_bits = g->va_bits;
		k->shift = g->shift[top];
		k->index_mask = (UINT64_C(1) << g->bits[top]) - 1;
		k->child_shift = g->shift[top - 1];
		k->child_index_mask = g->bits[top] <= PTW_TLB_CHILD_BITS && g->bits[top - 1] <= PTW_TLB_CHILD_BITS ?
					      (UINT64_C(1) << g->bits[top - 1]) - 1 : 0;
		memset(k->child_known, 0, sizeof(k->child_known));
		k->ready = true;
	}
	return NULL;
}

/* Keep the hole map of the table that u's entry of the kernel's root points
 * to (upper entry e, at the root's tree index). */
static void keep_child_holes(struct ptw_tlb *t, const struct ptw_tlb_upper *e, uint64_t u)
{
	struct ptw_tlb_kernel_root *k = &t->kernel_root;
	uint64_t i = (u >> k->shift) & k->index_mask;

	if (!k->ready || !k->child_index_mask || !e->have_holes || k->child_known[i])
		return;
	memcpy(k->child_holes[i], e->holes, sizeof(k->child_holes[i]));
	k->child_known[i] = true;
}

/* Whether u is in a hole of the kernel's root or of a table a root entry
 * points to, as far as the hole maps kept say. Asked before untagging: an
 * address that is all ones above the tree's VA bits is a kernel address on
 * every architecture walked here, and its own untagged form (arm64 fills
 * the tag byte from bit 55). */
static inline bool in_kernel_upper_hole(const struct ptw_tlb *t, uint64_t u)
{
	const struct ptw_tlb_kernel_root *k = &t->kernel_root;
	uint64_t i, j;

	if (!k->ready || u >> k->va_bits != ~UINT64_C(0) >> k->va_bits)
		return false;
	i = (u >> k->shift) & k->index_mask;
	if (k->holes && ((k->holes[i / 64] >> (i % 64)) & 1))
		return true;
	if (!k->child_index_mask || !k->child_known[i])
		return false;
	j = (u >> k->child_shift) & k->child_index_mask;
	return (k->child_holes[i][j / 64] >> (j % 64)) & 1;
}

/* The walk of u from level first (tables[0..first] the tables a walk from
 * the root reads down to it; first 0: from the root), and what it teaches
 * the cache. Apart from translate_miss: its locals are large. */
__attribute__((noinline)) static struct ptw_error *translate_walk(struct ptwalk_space *s, const struct ptw_geom *g,
								 uint64_t u, uint64_t tables[PTW_MAX_LEVELS],
								 unsigned first, uint64_t *pa_ret,
								 enum ptwalk_status *status_ret)
{
	struct ptw_walk_result r;
	unsigned ntables;
	struct ptw_error *err = ptw_walk_from_path(s->w, g, u, tables, first, &r, &ntables);

	if (err)
		return err;
	if (r.have_pa)
		*pa_ret = r.pa;
	*status_ret = status_of(r.status);
	return tlb_keep_walk(s->w, s->tlb, g, u, &r, tables, ntables, first);
}

/* An address the cache's region and page entries cannot answer, from the
 * deepest table the cache knows: the leaf table of u's region (table, 0 if
 * not known), else a hole map or entry of the upper tables, from the root's
 * down, else the root. Not inlined: the lookup loop keeps its registers. */
__attribute__((noinline)) static struct ptw_error *translate_miss(struct ptwalk_space *s, uint64_t u, uint64_t table,
								 uint64_t *pa_ret, enum ptwalk_status *status_ret)
{
	struct ptw_tlb *t = s->tlb;
	enum ptwalk_status st = PTWALK_OK;
	const struct ptw_geom *g = ptw_api_pick_tree(s, u, &st);
	uint64_t tables[PTW_MAX_LEVELS];
	struct ptw_error *err;

	*pa_ret = PTWALK_PA_NONE;
	if (!g) {
		*status_ret = st;
		return NULL;
	}
	if (table) {
		enum ptw_walk_status ws;
		uint64_t pa = 0;
		bool have_pa;

		err = ptw_walk_leaf(s->w, g, u, table, &ws, &pa, &have_pa);
		if (err)
			return err;
		if (have_pa)
			*pa_ret = pa;
		*status_ret = status_of(ws);
		if (ws == PTW_WALK_OK || ws == PTW_WALK_NOT_MAPPED)
			tlb_keep_page(t, u, ws == PTW_WALK_NOT_MAPPED, pa);
		return NULL;
	}
	/* The holes between mappings, most of the addresses that get here,
	 * are most often holes of the root. */
	if (walks_from_root(g, u)) {
		const struct ptw_tlb_root *root;

		err = root_holes(s->w, t, g, &root);
		if (err)
			return err;
		if (root && in_hole(g, g->levels - 1, root->holes, u)) {
			*status_ret = PTWALK_NOT_MAPPED;
			return NULL;
		}
	}
	/* Bounded: idx < g->levels <= PTW_MAX_LEVELS. */
	for (unsigned idx = 2; idx < g->levels && idx < PTW_MAX_LEVELS; idx++) {
		unsigned shift = g->shift[idx], first;
		uint64_t key = u >> shift;
		const struct ptw_tlb_upper *e = tlb_upper(t, key, idx);
		uint64_t kind = e->pa & PTW_TLB_KIND, pa = e->pa & ~(uint64_t)PTW_TLB_KIND;

		if (e->key != key || e->idx != idx)
			continue;
		if (kind == PTW_TLB_HOLE) {
			*status_ret = PTWALK_NOT_MAPPED;
			tlb_set(tlb_region(t, u >> t->region_shift), u >> t->region_shift, PTW_TLB_HOLE_PA);
			return NULL;
		}
		if (kind == PTW_TLB_LEAF) {
			/* A block: whether this page of it is in the dump is
			 * its own question, as in a walk. */
			pa |= u & ((UINT64_C(1) << shift) - 1);
			*pa_ret = pa;
			if (!ptw_walker_leaf_present(s->w, pa)) {
				*status_ret = PTWALK_NOT_IN_DUMP;
				return NULL;
			}
			*status_ret = PTWALK_OK;
			if (region_present(s->w, t, pa))
				tlb_set(tlb_region(t, u >> t->region_shift), u >> t->region_shift,
					leaf_entry(pa, u, t->region_mask));
			else
				tlb_keep_page(t, u, false, pa);
			return NULL;
		}
		if (g->upper && idx == g->levels - 1)
			keep_child_holes(t, e, u);
		if (e->have_holes && in_hole(g, idx - 1, e->holes, u)) {
			*status_ret = PTWALK_NOT_MAPPED;
			return NULL;
		}
		first = g->levels - idx; /* the level of the table the entry points to */
		for (unsigned k = 0; k < first; k++)
			tables[k] = e->path[k];
		tables[first] = pa;
		return translate_walk(s, g, u, tables, first, pa_ret, status_ret);
	}
	return translate_walk(s, g, u, tables, 0, pa_ret, status_ret);
}

/* How many addresses ahead the batch loop asks for the cache entries of an
 * address: the page part (1 MiB) is larger than a core's L2 cache, and
 * lookups of one address do not wait on another's, so enough of them in
 * flight hide the memory's latency. */
#define TLB_PREFETCH_AHEAD 16

/* Always inlined: otherwise GCC 12 takes the function for one without
 * effects and drops its calls before inlining it. */
static inline __attribute__((always_inline)) void tlb_prefetch(const struct tlb_view *t, uint64_t u, unsigned region_shift, unsigned page_shift)
{
	__builtin_prefetch(&t->region[region_slot(u >> region_shift)]);
	__builtin_prefetch(&t->page[page_slot(u >> page_shift)]);
}

/* The answer for va[i] into pa_ret[i] and, with_status, status_ret[i]. */
static inline __attribute__((always_inline)) struct ptw_error *
translate_at(struct ptwalk_space *s, const struct tlb_view *t, unsigned region_shift, unsigned page_shift,
	     const uint64_t *va, size_t i, uint64_t *pa_ret, uint8_t *status_ret, bool with_status)
{
	uint64_t u = va[i], pa = 0, hole = 0, table = 0;
	/* The VA as given first: untagging costs a call, and most VAs carry
	 * no tag. */
	bool hit = tlb_lookup(t, u, region_shift, page_shift, &pa, &hole, &table);
	enum ptwalk_status st;
	struct ptw_error *err;

	if (!hit) {
		if (in_kernel_upper_hole(s->tlb, u)) {
			pa = PTWALK_PA_NONE;
			hole = 1;
			hit = true;
		} else if ((u = untag(s, u)) != va[i]) {
			hit = tlb_lookup(t, u, region_shift, page_shift, &pa, &hole, &table);
		}
	}
	if (hit) {
		pa_ret[i] = pa;
		if (with_status)
			status_ret[i] = (uint8_t)hole;
		return NULL;
	}
	err = translate_miss(s, u, table, &pa_ret[i], &st);
	if (!err && with_status)
		status_ret[i] = (uint8_t)st;
	return err;
}

/* The batch loop, for a cache's shifts; inlined with constants for the
 * common granule, so that they need no register, and for whether statuses
 * are wanted, so that asking costs no test. */
static inline __attribute__((always_inline)) struct ptw_error *
translate_loop(struct ptwalk_space *s, const struct tlb_view *t, unsigned region_shift, unsigned page_shift,
	       const uint64_t *va, size_t n, uint64_t *pa_ret, uint8_t *status_ret, bool with_status,
	       size_t *done_ret)
{
	struct ptw_error *err;
	size_t i = 0;

	for (; i + TLB_PREFETCH_AHEAD < n; i++) {
		tlb_prefetch(t, va[i + TLB_PREFETCH_AHEAD], region_shift, page_shift);
		err = translate_at(s, t, region_shift, page_shift, va, i, pa_ret, status_ret, with_status);
		if (err)
			goto out;
	}
	for (; i < n; i++) {
		err = translate_at(s, t, region_shift, page_shift, va, i, pa_ret, status_ret, with_status);
		if (err)
			goto out;
	}
out:
	*done_ret = i;
	return err;
}

/* The batch loop for a cache's shifts, with or without statuses. */
static inline __attribute__((always_inline)) struct ptw_error *
translate_shifts(struct ptwalk_space *s, const struct tlb_view *t, unsigned region_shift, unsigned page_shift,
		 const uint64_t *va, size_t n, uint64_t *pa_ret, uint8_t *status_ret, size_t *done_ret)
{
	if (status_ret)
		return translate_loop(s, t, region_shift, page_shift, va, n, pa_ret, status_ret, true, done_ret);
	return translate_loop(s, t, region_shift, page_shift, va, n, pa_ret, NULL, false, done_ret);
}

struct ptwalk_error *ptwalk_translate_batch(struct ptwalk_space *s, const uint64_t *va, size_t n,
					    uint64_t *pa_ret, uint8_t *status_ret, size_t *done_ret)
{
	struct ptw_tlb *tlb = s->tlb;
	const struct tlb_view t = { .region = tlb->region, .page = tlb->page };
	struct ptw_error *err;
	size_t done;

	if (!tlb->ready) {
		tlb_empty(tlb);
		tlb->ready = true;
	}

	/* The granules' usual region sizes (the leaf tables' reach) */
	if (tlb->region_shift == 21 && tlb->page_shift == 12) /* 4 KiB */
		err = translate_shifts(s, &t, 21, 12, va, n, pa_ret, status_ret, &done);
	else if (tlb->region_shift == 25 && tlb->page_shift == 14) /* 16 KiB */
		err = translate_shifts(s, &t, 25, 14, va, n, pa_ret, status_ret, &done);
	else if (tlb->region_shift == 29 && tlb->page_shift == 16) /* 64 KiB */
		err = translate_shifts(s, &t, 29, 16, va, n, pa_ret, status_ret, &done);
	else
		err = translate_shifts(s, &t, tlb->region_shift, tlb->page_shift, va, n, pa_ret, status_ret, &done);
	if (done_ret)
		*done_ret = done;
	return ptw_api_error(err);
}

struct ptwalk_error *ptwalk_entry_attrs(struct ptwalk_space *s, enum ptwalk_tree tree, unsigned tree_index,
					uint64_t raw, struct ptwalk_attr *attrs_ret, size_t *n_ret)
{
	const struct ptw_geom *g = tree == PTWALK_TREE_USER ? (s->have_user ? &s->user : NULL) : &s->x->kernel;
	struct ptw_attrs a;

	*n_ret = 0;
	if (!g)
		return ptw_api_error(ptw_error_create(PTW_E_INVALID_ARGUMENT, "the space has no user tree"));
	if (tree_index >= g->levels)
		return ptw_api_error(ptw_error_create(PTW_E_INVALID_ARGUMENT, "tree index %u: the tree has %u levels",
						      tree_index, g->levels));
	if (!s->ops->attrs)
		return ptw_api_error(ptw_error_create(PTW_E_NOT_IMPLEMENTED,
						      "attributes are not implemented for %s", s->ops->name));
	s->ops->attrs(g, tree_index, raw, &a);
	for (unsigned i = 0; i < a.n && i < PTWALK_MAX_ATTRS; i++) {
		attrs_ret[i].name = a.a[i].name;
		attrs_ret[i].type = (enum ptwalk_attr_type)a.a[i].type;
		attrs_ret[i].u = a.a[i].u;
		attrs_ret[i].s = a.a[i].s;
		attrs_ret[i].label = a.a[i].label;
		++*n_ret;
	}
	return NULL;
}

struct ptwalk_error *ptwalk_translation_attrs(struct ptwalk_space *s, const struct ptwalk_translation *t,
					      struct ptwalk_attr *attrs_ret, size_t *n_ret)
{
	*n_ret = 0;
	if (!t->have_pa || (t->user && !s->have_user))
		return ptw_api_error(ptw_error_create(PTW_E_INVALID_ARGUMENT,
						      "0x%" PRIx64 " has no leaf entry to decode", t->input));
	return ptwalk_entry_attrs(s, t->user ? PTWALK_TREE_USER : PTWALK_TREE_KERNEL, t->tree_index, t->raw,
				  attrs_ret, n_ret);
}

struct ptwalk_error *ptwalk_translation_attrs_text(struct ptwalk_space *s, const struct ptwalk_translation *t,
						   char *buf, size_t len)
{
	struct ptwalk_attr a[PTWALK_MAX_ATTRS];
	size_t na, n = 0;
	struct ptwalk_error *err;

	if (!len)
		return ptw_api_error(ptw_error_create(PTW_E_INVALID_ARGUMENT, "no room for the text"));
	buf[0] = 0;
	err = ptwalk_translation_attrs(s, t, a, &na);
	if (err)
		return err;
	for (size_t i = 0; i < na && n < len; i++) {
		const struct ptwalk_attr *at = &a[i];
		const char *sep = n ? " " : "";
		int k = 0;

		if (at->type == PTWALK_ATTR_BOOL) {
			if (at->label)
				k = snprintf(buf + n, len - n, "%s%s=%u", sep, at->label, (unsigned)at->u);
			else if (at->u)
				k = snprintf(buf + n, len - n, "%s%s", sep, at->name);
		} else if (at->type == PTWALK_ATTR_UINT) {
			k = snprintf(buf + n, len - n, "%s%s=%" PRIu64, sep, at->label ? at->label : at->name, at->u);
		} else if (at->label && !*at->label) {
			k = snprintf(buf + n, len - n, "%s%s", sep, at->s);
		} else {
			k = snprintf(buf + n, len - n, "%s%s=%s", sep, at->label ? at->label : at->name, at->s);
		}
		if (k > 0)
			n += (size_t)k;
	}
	return NULL;
}

/* Why va cannot be read, as an error naming it. */
static struct ptw_error *unreadable(const struct ptwalk_translation *t)
{
	uint64_t va = t->input;

	switch (t->status) {
	case PTWALK_NOT_IN_DUMP:
		return ptw_error_address(PTW_E_NOT_PRESENT, va,
					 "virtual address 0x%" PRIx64 ": page table or page at 0x%" PRIx64 " not in the dump",
					 va, t->missing_pa);
	case PTWALK_BAD_TABLE:
		return ptw_error_address(PTW_E_FAULT, va, "virtual address 0x%" PRIx64 ": bad table entry 0x%" PRIx64 " (%s)",
					 va, t->raw, t->reason ? t->reason : "forbidden");
	case PTWALK_NON_CANONICAL:
		return ptw_error_address(PTW_E_FAULT, va, "virtual address 0x%" PRIx64 " is not canonical", va);
	case PTWALK_NO_USER_TABLE:
		return ptw_error_address(PTW_E_FAULT, va,
					 "virtual address 0x%" PRIx64 " is a user address: no user table given", va);
	default:
		return ptw_error_address(PTW_E_FAULT, va, "virtual address 0x%" PRIx64 " is not mapped", va);
	}
}

struct ptwalk_error *ptwalk_read(struct ptwalk_space *s, uint64_t va, void *buf, size_t len,
				 size_t *done_ret)
{
	unsigned char *out = buf;
	size_t done = 0;

	if (done_ret)
		*done_ret = 0;
	if (len && va + (len - 1) < va)
		return ptw_api_error(ptw_error_address(PTW_E_OVERFLOW, va,
						       "read of %zu bytes at 0x%" PRIx64 " wraps around", len, va));
	while (done < len) {
		struct ptwalk_translation t;
		struct ptwalk_error *perr = ptwalk_translate(s, va + done, &t);
		uint64_t avail;
		size_t n, got;

		if (perr) {
			if (done_ret)
				*done_ret = done;
			return perr;
		}
		if (t.status != PTWALK_OK) {
			if (done_ret)
				*done_ret = done;
			return ptw_api_error(unreadable(&t));
		}
		/* Up to the end of the leaf (a block may be large). */
		avail = t.page_size - (t.pa & (t.page_size - 1));
		n = len - done < avail ? len - done : (size_t)avail;
		perr = ptwalk_read_phys(s->dump, t.pa, out + done, n, &got);
		done += got;
		if (perr) {
			struct ptw_error *e = ptw_api_unwrap(perr);

			if (done_ret)
				*done_ret = done;
			if (e->code == PTW_E_NOT_PRESENT) {
				e->has_address = true;
				e->address = va + done;
				return ptw_api_error(ptw_error_prepend(e, "virtual address 0x%" PRIx64, va + done));
			}
			return perr;
		}
	}
	if (done_ret)
		*done_ret = done;
	return NULL;
}

struct ptwalk_error *ptwalk_read_u64(struct ptwalk_space *s, uint64_t va, uint64_t *ret)
{
	unsigned char b[8];
	struct ptwalk_error *err = ptwalk_read(s, va, b, sizeof(b), NULL);
	uint64_t v = 0;

	if (err)
		return err;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | b[i];
	*ret = v;
	return NULL;
}
