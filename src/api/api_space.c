/* Address spaces: the kernel's tree plus, optionally, one user tree, with
 * a walker and a translation cache; translation and virtual reads. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
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
}

void ptwalk_space_flush(struct ptwalk_space *s)
{
	ptw_walker_flush(s->w);
	memset(s->tlb->region, 0, sizeof(s->tlb->region));
	memset(s->tlb->page, 0, sizeof(s->tlb->page));
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
	s->tlb = calloc(1, sizeof(*s->tlb));
	if (!s->tlb) {
		free(s);
		return &ptw_enomem;
	}
	s->dump = dump;
	s->x = &d->xlat;
	s->ops = d->xlat.ops;
	err = ptw_walker_create(d->src, s->ops->decode, &s->w);
	if (err) {
		free(s->tlb);
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
	free(s->tlb);
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

/* Cache lookups: the entry of VA u's region, and of its page. */
static inline struct ptw_tlb_entry *tlb_region(struct ptw_tlb *t, uint64_t u)
{
	uint64_t n = u >> t->region_shift;

	return &t->region[(n ^ (n >> 10)) & (PTW_TLB_REGIONS - 1)];
}

static inline struct ptw_tlb_entry *tlb_page(struct ptw_tlb *t, uint64_t u)
{
	uint64_t n = u >> t->page_shift;

	return &t->page[(n ^ (n >> 13)) & (PTW_TLB_PAGES - 1)];
}

/* 1: mapped (*pa_ret), 0: not mapped, -1: not cached; -2: not cached, but
 * the leaf table of u's region is known (*table_ret). u must be untagged,
 * or a VA whose cached page or region is untagged, which makes it so: the
 * pages and regions of a tree never straddle a change of the tag bits. */
static inline int tlb_lookup(struct ptw_tlb *t, uint64_t u, uint64_t *pa_ret, uint64_t *table_ret)
{
	const uint64_t kind = PTW_TLB_HOLE | PTW_TLB_TABLE;
	const struct ptw_tlb_entry *e = tlb_region(t, u);
	int miss = -1;

	if ((e->tag & ~kind) == ((u & ~t->region_mask) | PTW_TLB_VALID)) {
		if (e->tag & PTW_TLB_HOLE)
			return 0;
		if (!(e->tag & PTW_TLB_TABLE)) {
			*pa_ret = e->pa | (u & t->region_mask);
			return 1;
		}
		*table_ret = e->pa;
		miss = -2;
	}
	e = tlb_page(t, u);
	if ((e->tag & ~kind) == ((u & ~t->page_mask) | PTW_TLB_VALID)) {
		if (e->tag & PTW_TLB_HOLE)
			return 0;
		*pa_ret = e->pa | (u & t->page_mask);
		return 1;
	}
	return miss;
}

/* Whether [range_start, range_end) (end 0: the top) holds the aligned
 * stretch of 2^shift bytes around u. */
static inline bool covers(const struct ptw_walk_result *r, uint64_t u, unsigned shift)
{
	uint64_t start = u & ~((UINT64_C(1) << shift) - 1);
	uint64_t last = start + ((UINT64_C(1) << shift) - 1);

	return start >= r->range_start && (r->range_end == 0 || last < r->range_end);
}

/* Keep a walk's answer: a leaf or a hole, in the largest entry it fills;
 * and the leaf table a full walk read from, for its region. */
static inline void tlb_insert(struct ptw_tlb *t, const struct ptw_geom *g, uint64_t u,
			      const struct ptw_walk_result *r)
{
	bool hole = r->status == PTW_WALK_NOT_MAPPED;
	unsigned flags = PTW_TLB_VALID | (hole ? PTW_TLB_HOLE : 0);
	uint64_t rmask = t->region_mask, pmask = t->page_mask;
	struct ptw_tlb_entry *e;

	if (r->status != PTW_WALK_OK && !hole)
		return;
	if (covers(r, u, t->region_shift)) {
		e = tlb_region(t, u);
		e->tag = (u & ~rmask) | flags;
		e->pa = hole ? 0 : r->pa - (u & rmask);
		return;
	}
	if (r->nsteps == g->levels && g->levels > 1 && r->step[g->levels - 1].entry_pa) {
		const struct ptw_walk_step *leaf = &r->step[g->levels - 1];

		e = tlb_region(t, u);
		e->tag = (u & ~rmask) | PTW_TLB_VALID | PTW_TLB_TABLE;
		e->pa = leaf->entry_pa - (uint64_t)leaf->index * 8;
	}
	if (covers(r, u, t->page_shift)) {
		e = tlb_page(t, u);
		e->tag = (u & ~pmask) | flags;
		e->pa = hole ? 0 : r->pa - (u & pmask);
	}
}

struct ptwalk_error *ptwalk_translate_batch(struct ptwalk_space *s, const uint64_t *va, size_t n,
					    uint64_t *pa_ret, uint8_t *status_ret, size_t *done_ret)
{
	struct ptw_tlb *t = s->tlb;
	size_t i;

	for (i = 0; i < n; i++) {
		uint64_t u = va[i];
		enum ptwalk_status st = PTWALK_OK;
		const struct ptw_geom *g;
		struct ptw_walk_result r;
		struct ptw_error *err;
		uint64_t pa = PTWALK_PA_NONE, table = 0;
		/* The VA as given first: untagging costs a call, and most VAs
		 * carry no tag. */
		int hit = tlb_lookup(t, u, &pa, &table);

		if (hit < 0 && (u = untag(s, u)) != va[i])
			hit = tlb_lookup(t, u, &pa, &table);
		if (hit >= 0) {
			pa_ret[i] = hit ? pa : PTWALK_PA_NONE;
			if (status_ret)
				status_ret[i] = hit ? PTWALK_OK : PTWALK_NOT_MAPPED;
			continue;
		}
		g = ptw_api_pick_tree(s, u, &st);
		if (!g) {
			pa_ret[i] = PTWALK_PA_NONE;
			if (status_ret)
				status_ret[i] = (uint8_t)st;
			continue;
		}
		if (hit == -2)
			err = ptw_walk_from_table(s->w, g, u, 0, table, &r);
		else
			err = ptw_walk(s->w, g, u, &r);
		if (err) {
			if (done_ret)
				*done_ret = i;
			return ptw_api_error(err);
		}
		st = status_of(r.status);
		pa_ret[i] = r.have_pa ? r.pa : PTWALK_PA_NONE;
		tlb_insert(t, g, u, &r);
		if (status_ret)
			status_ret[i] = (uint8_t)st;
	}
	if (done_ret)
		*done_ret = i;
	return NULL;
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
