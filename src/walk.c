#include "walk.h"

#include <endian.h>
#include <stdlib.h>
#include <string.h>

/* Table entries are read through a cache of 4 KiB frames (the unit every
 * source reads in), like a TLB for table pages: batch lookups of nearby
 * addresses touch the same few tables. Set-associative, least recently used
 * out: direct-mapped, the 151 tables a batch over x86_64-small612 reads
 * were read 1,018 times, pairs of them taking each other's slot. Bounded:
 * FRAME_SLOTS frames. */
#define FRAME_SHIFT 12
#define FRAME_SIZE (UINT64_C(1) << FRAME_SHIFT)
#define FRAME_WAYS 4
#define FRAME_SET_BITS 6
#define FRAME_SLOTS (FRAME_WAYS << FRAME_SET_BITS)
#define NO_FRAME UINT64_MAX
/* At most this many physical ranges are kept to tell "excluded from the dump"
 * from "outside physical memory"; a dump with more gets no such verdict. */
#define MAX_RANGES 4096
/* On a live source (/proc/kcore) a table frame read again after its copy
 * was dropped may read differently: a hash of each dropped frame is kept in
 * this many slots (direct-mapped, so bounded), and a frame whose next read
 * differs is counted as changed. */
#define DROPPED_SLOTS 4096 /* 1 << 12: dropped_slot() keeps 12 bits */
/* ptw_walk_next steps before an iteration gives up (every loop is bounded). */
#define ITER_BUDGET (UINT64_C(1) << 40)

struct ptw_walker {
	struct ptw_source *src;
	ptw_decode_fn *decode;
	bool check_leaf;
	uint64_t tag[FRAME_SLOTS];
	uint64_t used[FRAME_SLOTS]; /* the clock at the slot's last use */
	uint64_t clock;
	unsigned char *frames; /* FRAME_SLOTS * FRAME_SIZE */
	struct ptw_phys_range *ranges;
	size_t nranges;
	bool ranges_known;
	/* Live sources only (NULL otherwise): frames dropped from the cache. */
	struct dropped_frame {
		uint64_t frame;
		uint64_t hash;
	} *dropped;
	uint64_t changed_frames;
	uint64_t first_changed_pa;
};

const char *ptw_walk_status_name(enum ptw_walk_status status)
{
	switch (status) {
	case PTW_WALK_OK: return "ok";
	case PTW_WALK_NOT_MAPPED: return "not-mapped";
	case PTW_WALK_NOT_IN_DUMP: return "not-in-dump";
	case PTW_WALK_BAD_TABLE: return "bad-table";
	case PTW_WALK_NON_CANONICAL: return "non-canonical";
	case PTW_WALK_ALIAS: return "alias";
	}
	return "unknown";
}

struct range_collect {
	struct ptw_walker *w;
	size_t cap;
	bool overflow;
	struct ptw_error *err;
};

static bool collect_range(const struct ptw_phys_range *range, void *arg)
{
	struct range_collect *rc = arg;
	struct ptw_walker *w = rc->w;

	if (w->nranges >= MAX_RANGES) {
		rc->overflow = true;
		return false;
	}
	if (w->nranges == rc->cap) {
		size_t cap = rc->cap ? rc->cap * 2 : 16;
		struct ptw_phys_range *n = realloc(w->ranges, cap * sizeof(*n));

		if (!n) {
			rc->err = &ptw_enomem;
			return false;
		}
		w->ranges = n;
		rc->cap = cap;
	}
	w->ranges[w->nranges++] = *range;
	return true;
}

struct ptw_error *ptw_walker_create(struct ptw_source *src, ptw_decode_fn *decode,
				    struct ptw_walker **ret)
{
	struct ptw_walker *w = calloc(1, sizeof(*w));

	if (!w)
		return &ptw_enomem;
	w->frames = malloc(FRAME_SLOTS * FRAME_SIZE);
	if (!w->frames) {
		free(w);
		return &ptw_enomem;
	}
	w->src = src;
	w->decode = decode;
	w->check_leaf = true;
	if (src && src->live) {
		w->dropped = malloc(DROPPED_SLOTS * sizeof(*w->dropped));
		if (!w->dropped) {
			free(w->frames);
			free(w);
			return &ptw_enomem;
		}
	}
	ptw_walker_flush(w);

	/* Memory map, to tell a table outside RAM (bad) from one the dump
	 * filtered out (not-in-dump). Sources without the hook give no verdict. */
	if (src && src->ops && src->ops->for_each_range) {
		struct range_collect rc = { .w = w };
		struct ptw_error *err = ptw_source_for_each_range(src, collect_range, &rc);

		if (rc.err == &ptw_enomem || err == &ptw_enomem) {
			if (err && err != &ptw_enomem)
				ptw_error_destroy(err);
			ptw_walker_destroy(w);
			return &ptw_enomem;
		}
		if (err)
			ptw_error_destroy(err);
		else if (rc.err)
			ptw_error_destroy(rc.err);
		w->ranges_known = !err && !rc.err && !rc.overflow && w->nranges > 0;
	}
	*ret = w;
	return NULL;
}

void ptw_walker_destroy(struct ptw_walker *w)
{
	if (!w)
		return;
	free(w->frames);
	free(w->ranges);
	free(w->dropped);
	free(w);
}

uint64_t ptw_walker_changed_frames(const struct ptw_walker *w, uint64_t *first_pa_ret)
{
	if (w->changed_frames && first_pa_ret)
		*first_pa_ret = w->first_changed_pa;
	return w->changed_frames;
}

void ptw_walker_check_leaf(struct ptw_walker *w, bool check)
{
	w->check_leaf = check;
}

void ptw_walker_flush(struct ptw_walker *w)
{
	for (unsigned i = 0; i < FRAME_SLOTS; i++) {
		w->tag[i] = NO_FRAME;
		w->used[i] = 0;
	}
	w->clock = 0;
	/* A new walk may see newer tables: only reads within one are compared. */
	for (unsigned i = 0; w->dropped && i < DROPPED_SLOTS; i++)
		w->dropped[i].frame = NO_FRAME;
}

static uint64_t frame_hash(const unsigned char *buf)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325);
	for (size_t i = 0; i < FRAME_SIZE; i += 8) {
		uint64_t v;
		memcpy(&v, buf + i, sizeof(v));
		h = (h ^ v) * UINT64_C(0x100000001b3);
	}
	return h;
}

/* Live sources: remember the frame leaving slot buf, and compare a frame
 * read again with what it held when it was dropped. */
static struct dropped_frame *dropped_slot(struct ptw_walker *w, uint64_t frame)
{
	/* Fibonacci hashing: frames that share a cache slot get different ones here. */
	return &w->dropped[(frame * UINT64_C(0x9e3779b97f4a7c15)) >> 52];
}

static void note_dropped(struct ptw_walker *w, uint64_t frame, uint64_t hash)
{
	struct dropped_frame *d = dropped_slot(w, frame);
	d->frame = frame;
	d->hash = hash;
}

static void compare_reread(struct ptw_walker *w, uint64_t frame, const unsigned char *buf)
{
	struct dropped_frame *d = dropped_slot(w, frame);
	if (d->frame != frame)
		return;
	if (d->hash != frame_hash(buf) && w->changed_frames++ == 0)
		w->first_changed_pa = frame << FRAME_SHIFT;
	d->frame = NO_FRAME;
}

/* Whether pa lies in a range of memory the dump describes (present or not). */
static bool in_memory(const struct ptw_walker *w, uint64_t pa)
{
	size_t lo = 0, hi = w->nranges;

	if (!w->ranges_known)
		return true;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (pa < w->ranges[mid].start)
			hi = mid;
		else if (pa >= w->ranges[mid].end)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

static bool is_missing(const struct ptw_error *err)
{
	return err->code == PTW_E_NOT_PRESENT || err->code == PTW_E_FAULT;
}

/* The frame holding pa, through the frame cache: *buf_ret its FRAME_SIZE
 * bytes, or *missing_ret set (and NULL returned) when it is not in the
 * dump. */
static struct ptw_error *load_frame(struct ptw_walker *w, uint64_t pa, const unsigned char **buf_ret,
				    bool *missing_ret)
{
	uint64_t frame = pa >> FRAME_SHIFT;
	/* Fibonacci hashing: tables a page apart land in different sets */
	unsigned set = (unsigned)((frame * UINT64_C(0x9e3779b97f4a7c15)) >> (64 - FRAME_SET_BITS));
	unsigned first = set * FRAME_WAYS, slot = first;
	unsigned char *buf;

	for (unsigned i = first; i < first + FRAME_WAYS; i++) {
		if (w->tag[i] == frame) {
			slot = i;
			break;
		}
		if (w->used[i] < w->used[slot])
			slot = i;
	}
	buf = w->frames + (size_t)slot * FRAME_SIZE;
	w->used[slot] = ++w->clock;
	if (w->tag[slot] != frame) {
		struct ptw_error *err;

		/* Live sources: the frame leaving the slot is remembered after the
		 * new one was compared, so that one cannot push out the other. */
		uint64_t old_frame = w->tag[slot], old_hash = 0;
		if (w->dropped && old_frame != NO_FRAME)
			old_hash = frame_hash(buf);
		w->tag[slot] = NO_FRAME;
		err = ptw_source_read_phys(w->src, frame << FRAME_SHIFT, buf, FRAME_SIZE);
		if (err) {
			if (is_missing(err)) {
				ptw_error_destroy(err);
				*missing_ret = true;
				return NULL;
			}
			return err;
		}
		if (w->dropped) {
			compare_reread(w, frame, buf);
			if (old_frame != NO_FRAME)
				note_dropped(w, old_frame, old_hash);
		}
		w->tag[slot] = frame;
	}
	*buf_ret = buf;
	*missing_ret = false;
	return NULL;
}

/* Read the 8-byte entry at pa through the frame cache. *missing_ret is set
 * (and NULL returned) when the frame is not in the dump. */
static struct ptw_error *read_entry(struct ptw_walker *w, uint64_t pa, uint64_t *raw_ret,
				    bool *missing_ret)
{
	const unsigned char *buf;
	uint64_t v;
	struct ptw_error *err = load_frame(w, pa, &buf, missing_ret);

	if (err || *missing_ret)
		return err;
	memcpy(&v, buf + (pa & (FRAME_SIZE - 1)), sizeof(v));
	*raw_ret = le64toh(v);
	return NULL;
}

int ptw_geom_level(const struct ptw_geom *g, unsigned idx)
{
	return g->top_level + (int)(g->levels - 1 - idx);
}

static void set_range(struct ptw_walk_result *r, uint64_t va, unsigned shift)
{
	uint64_t size = UINT64_C(1) << shift;

	r->range_start = va & ~(size - 1);
	r->range_end = r->range_start + size; /* 0 on wrap: the end of the space */
}

/* Walk va from the table at level n = first (0: the root) down. The levels
 * above are taken from an earlier walk of a VA with the same indexes there:
 * tables[0..first] and r->step[0..first-1] hold what it read, so the result
 * is the one a walk from the root would give. On return tables[0..*ntables_ret
 * - 1] are the tables this walk read from, the entries of all but the last of
 * them table descriptors (r->step[n] led to tables[n + 1]). */
static struct ptw_error *walk_from(struct ptw_walker *w, const struct ptw_geom *g, uint64_t va,
				   struct ptw_walk_result *r, uint64_t tables[PTW_MAX_LEVELS],
				   unsigned first, unsigned *ntables_ret, struct ptw_table_set *seen)
{
	uint64_t table;
	unsigned ntables = first;

	*ntables_ret = 0;
	r->status = PTW_WALK_OK;
	r->va = va;
	r->table_base = g->root_pa;
	r->nsteps = 0;
	r->have_pa = false;
	r->pa = 0;
	r->page_size = 0;
	r->raw = 0;
	r->leaf_is_block = false;
	r->cont = false;
	r->cont_size = 0;
	r->missing_pa = 0;
	r->alias_pa = 0;
	r->alias_first_va = 0;
	r->reason = NULL;
	r->idx = g->levels ? g->levels - 1 : 0;
	r->level = g->top_level;

	if (g->levels == 0 || g->levels > PTW_MAX_LEVELS || g->va_bits == 0 || g->va_bits >= 64)
		return ptw_error_create(PTW_E_INVALID_ARGUMENT, "unusable translation geometry");

	/* Canonical: the bits above va_bits all equal the half's sign. */
	{
		uint64_t high = va >> g->va_bits;
		uint64_t ones = ~UINT64_C(0) >> g->va_bits;

		if (g->upper ? high != ones : high != 0) {
			r->status = PTW_WALK_NON_CANONICAL;
			r->range_start = UINT64_C(1) << g->va_bits;
			r->range_end = -(UINT64_C(1) << g->va_bits);
			return NULL;
		}
	}
	if (g->root_pa & 7) {
		r->status = PTW_WALK_BAD_TABLE;
		r->reason = "root table not 8-byte aligned";
		set_range(r, va, g->va_bits);
		return NULL;
	}

	/* The steps above `first` are the earlier walk's, still in r; the
	 * last of them is the last entry read until this walk reads one. */
	r->nsteps = first;
	if (first)
		r->raw = r->step[first - 1].raw;
	table = first ? tables[first] : g->root_pa;

	/* One iteration per level: bounded by g->levels <= PTW_MAX_LEVELS. */
	for (unsigned n = first; n < g->levels; n++) {
		unsigned idx = g->levels - 1 - n;
		unsigned index = (unsigned)((va >> g->shift[idx]) & ((UINT64_C(1) << g->bits[idx]) - 1));
		uint64_t entry_pa = table + (uint64_t)index * 8;
		struct ptw_walk_step *s = &r->step[r->nsteps];
		struct ptw_desc d;
		bool missing;
		uint64_t raw;
		struct ptw_error *err;

		r->idx = idx;
		r->level = ptw_geom_level(g, idx);
		set_range(r, va, g->shift[idx]);
		r->page_size = ptw_geom_entry_size(g, idx);

		tables[ntables++] = table;
		*ntables_ret = ntables;
		err = read_entry(w, entry_pa, &raw, &missing);
		if (err)
			return err;
		if (missing) {
			if (in_memory(w, entry_pa)) {
				r->status = PTW_WALK_NOT_IN_DUMP;
				if (n > 0) {
					/* The whole table is missing: everything the
					 * descriptor that pointed to it covers is
					 * unknown, so the answer holds for that range
					 * and a listing reports it once. */
					r->idx = r->step[r->nsteps - 1].idx;
					r->level = r->step[r->nsteps - 1].level;
					set_range(r, va, g->shift[r->idx]);
					r->page_size = ptw_geom_entry_size(g, r->idx);
					r->missing_pa = table;
				} else {
					/* The root table missing: nothing of the tree
					 * is known, so the answer holds for all of
					 * it, and names the table, not an entry. */
					set_range(r, va, g->va_bits);
					r->missing_pa = table;
				}
			} else {
				r->status = PTW_WALK_BAD_TABLE;
				r->missing_pa = table;
				r->reason = n == 0 ? "root table outside physical memory"
						   : "table descriptor points outside physical memory";
				if (n > 0) {
					/* blame the descriptor that pointed here */
					r->idx = r->step[r->nsteps - 1].idx;
					r->level = r->step[r->nsteps - 1].level;
					set_range(r, va, g->shift[r->idx]);
					r->page_size = ptw_geom_entry_size(g, r->idx);
				} else {
					set_range(r, va, g->va_bits);
				}
			}
			/* No step: the entry could not be read. The previous
			 * step (if any) holds the descriptor that led here. */
			return NULL;
		}
		s->level = r->level;
		s->idx = idx;
		s->index = index;
		s->entry_pa = entry_pa;
		s->raw = raw;
		r->nsteps++;
		r->raw = raw;

		w->decode(g, idx, raw, &d);
		switch (d.kind) {
		case PTW_DESC_INVALID:
			r->status = PTW_WALK_NOT_MAPPED;
			return NULL;
		case PTW_DESC_BAD:
			r->status = PTW_WALK_BAD_TABLE;
			r->reason = d.reason;
			return NULL;
		case PTW_DESC_TABLE:
			if (idx == 0) {
				r->status = PTW_WALK_BAD_TABLE;
				r->reason = "table descriptor at the last level";
				return NULL;
			}
			for (unsigned i = 0; i < ntables; i++) {
				if (tables[i] == d.addr) {
					r->status = PTW_WALK_BAD_TABLE;
					r->reason = "table loop: points to a table already on this walk";
					return NULL;
				}
			}
			if (seen) {
				struct ptw_table_seen *t;
				bool added;
				struct ptw_error *err2 = ptw_table_set_add(seen, d.addr, &t, &added);

				if (err2)
					return err2;
				if (t && !added) {
					/* Listed already: this entry's range is
					 * one answer, the alias. */
					r->status = PTW_WALK_ALIAS;
					r->alias_pa = d.addr;
					r->alias_first_va = t->first_va;
					return NULL;
				}
				if (t) {
					t->first_va = r->range_start;
					t->idx = idx;
					t->level = r->level;
				}
			}
			table = d.addr;
			break;
		case PTW_DESC_BLOCK:
		case PTW_DESC_PAGE: {
			uint64_t size = ptw_geom_entry_size(g, idx);

			r->leaf_is_block = d.kind == PTW_DESC_BLOCK;
			r->pa = d.addr | (va & (size - 1));
			r->have_pa = true;
			r->cont = d.cont;
			if (d.cont && g->cont_entries[idx])
				r->cont_size = size * g->cont_entries[idx];
			if (w->check_leaf && !ptw_source_is_present(w->src, r->pa)) {
				r->status = PTW_WALK_NOT_IN_DUMP;
				r->missing_pa = r->pa;
			}
			return NULL;
		}
		}
	}
	/* Unreachable with a sane decoder: the leaf decodes as page or block. */
	r->status = PTW_WALK_BAD_TABLE;
	r->reason = "walk did not end at the last level";
	return NULL;
}

struct ptw_error *ptw_walk(struct ptw_walker *w, const struct ptw_geom *g, uint64_t va,
			   struct ptw_walk_result *ret)
{
	uint64_t tables[PTW_MAX_LEVELS];
	unsigned ntables;

	return walk_from(w, g, va, ret, tables, 0, &ntables, NULL);
}

struct ptw_error *ptw_walk_from_path(struct ptw_walker *w, const struct ptw_geom *g, uint64_t va,
				    uint64_t tables[PTW_MAX_LEVELS], unsigned first, struct ptw_walk_result *ret,
				    unsigned *ntables_ret)
{
	if (g->levels > PTW_MAX_LEVELS || first >= g->levels)
		return ptw_error_create(PTW_E_INVALID_ARGUMENT, "walk from level %u: the tree has %u levels", first,
					g->levels);
	/* The levels above were walked before: no steps of theirs here. */
	memset(ret->step, 0, first * sizeof(ret->step[0]));
	return walk_from(w, g, va, ret, tables, first, ntables_ret, NULL);
}

struct ptw_error *ptw_walk_leaf(struct ptw_walker *w, const struct ptw_geom *g, uint64_t va, uint64_t table_pa,
				enum ptw_walk_status *status_ret, uint64_t *pa_ret, bool *have_pa_ret)
{
	unsigned index = (unsigned)((va >> g->shift[0]) & ((UINT64_C(1) << g->bits[0]) - 1));
	uint64_t entry_pa = table_pa + (uint64_t)index * 8;
	struct ptw_desc d;
	bool missing;
	uint64_t raw;
	struct ptw_error *err = read_entry(w, entry_pa, &raw, &missing);

	/* As walk_from's last turn of its loop, for the statuses and the PA. */
	*have_pa_ret = false;
	if (err)
		return err;
	if (missing) {
		*status_ret = in_memory(w, entry_pa) ? PTW_WALK_NOT_IN_DUMP : PTW_WALK_BAD_TABLE;
		return NULL;
	}
	w->decode(g, 0, raw, &d);
	switch (d.kind) {
	case PTW_DESC_INVALID:
		*status_ret = PTW_WALK_NOT_MAPPED;
		return NULL;
	case PTW_DESC_BLOCK:
	case PTW_DESC_PAGE:
		*pa_ret = d.addr | (va & ((UINT64_C(1) << g->shift[0]) - 1));
		*have_pa_ret = true;
		*status_ret = ptw_walker_leaf_present(w, *pa_ret) ? PTW_WALK_OK : PTW_WALK_NOT_IN_DUMP;
		return NULL;
	case PTW_DESC_TABLE: /* at the last level */
	case PTW_DESC_BAD:
		break;
	}
	*status_ret = PTW_WALK_BAD_TABLE;
	return NULL;
}

struct ptw_error *ptw_walk_table_holes(struct ptw_walker *w, const struct ptw_geom *g, unsigned idx,
				      uint64_t table_pa, uint64_t *holes, bool *ok_ret)
{
	unsigned entries = 1u << g->bits[idx];
	const unsigned char *buf = NULL;
	struct ptw_desc d;
	bool zero_invalid;

	*ok_ret = false;
	/* (entries 8-byte aligned never straddle two frames) */
	if (idx >= g->levels || g->bits[idx] > PTW_TABLE_HOLES_MAX_BITS || (table_pa & 7))
		return NULL;
	memset(holes, 0, (entries + 63) / 64 * sizeof(*holes));
	/* Most entries are zero: the decoder is a pure function, so its verdict
	 * on zero holds for them all. */
	w->decode(g, idx, 0, &d);
	zero_invalid = d.kind == PTW_DESC_INVALID;
	/* Bounded: at most 1 << PTW_TABLE_HOLES_MAX_BITS entries. */
	for (unsigned i = 0; i < entries; i++) {
		uint64_t pa = table_pa + (uint64_t)i * 8, v;
		bool invalid;

		if (!buf || (pa & (FRAME_SIZE - 1)) == 0) {
			bool missing;
			struct ptw_error *err = load_frame(w, pa, &buf, &missing);

			if (err)
				return err;
			if (missing)
				return NULL;
		}
		memcpy(&v, buf + (pa & (FRAME_SIZE - 1)), sizeof(v));
		v = le64toh(v);
		if (v == 0) {
			invalid = zero_invalid;
		} else {
			w->decode(g, idx, v, &d);
			invalid = d.kind == PTW_DESC_INVALID;
		}
		if (invalid)
			holes[i / 64] |= UINT64_C(1) << (i % 64);
	}
	*ok_ret = true;
	return NULL;
}

bool ptw_walker_leaf_present(struct ptw_walker *w, uint64_t pa)
{
	return !w->check_leaf || ptw_source_is_present(w->src, pa);
}

bool ptw_walker_range_present(struct ptw_walker *w, uint64_t pa, uint64_t size, uint64_t step)
{
	return !w->check_leaf || ptw_source_range_present(w->src, pa, size, step);
}

void ptw_walk_iter_init(struct ptw_walk_iter *it, struct ptw_walker *w, const struct ptw_geom *g,
			uint64_t start, uint64_t end)
{
	it->w = w;
	it->g = g;
	it->va = start;
	it->end = end;
	it->done = end != 0 && start >= end;
	it->budget = ITER_BUDGET;
	it->ntables = 0;
	it->shared = 0;
	it->seen = NULL;
}

void ptw_walk_iter_track_tables(struct ptw_walk_iter *it, struct ptw_table_set *seen)
{
	it->seen = seen;
}

/* How many levels, from the root, the walk of va can take from the last
 * walk: those whose entries were table descriptors and whose indexes va
 * shares. Consecutive ranges share all but the last level or two, so the
 * next walk reads one or two entries instead of a whole path. The indexes
 * of levels 0..m-1 are the bits of the VA from shift[levels - m] up, so
 * comparing those bits of both VAs compares the indexes (and the bits above
 * va_bits, equal in canonical VAs of one half: were they not, sharing fewer
 * levels is still right, only slower). */
static unsigned shared_levels(const struct ptw_walk_iter *it, uint64_t va)
{
	const struct ptw_geom *g = it->g;
	uint64_t differ = va ^ it->path_va;
	unsigned m;

	/* Bounded: ntables <= g->levels <= PTW_MAX_LEVELS. */
	for (m = it->ntables ? it->ntables - 1 : 0; m > 0; m--) {
		if ((differ >> g->shift[g->levels - m]) == 0)
			break;
	}
	return m;
}

struct ptw_error *ptw_walk_next(struct ptw_walk_iter *it, struct ptw_walk_result *ret,
				bool *done_ret)
{
	struct ptw_error *err;
	unsigned first, descents;

	if (it->done || it->budget == 0) {
		it->done = true;
		*done_ret = true;
		return NULL;
	}
	it->budget--;
	first = shared_levels(it, it->va);
	it->shared = first;
	/* Bounded: first < g->levels <= PTW_MAX_LEVELS. Assignments, not a
	 * memcpy of a variable size: a library call per range. */
	for (unsigned n = 0; n < first; n++)
		ret->step[n] = it->path[n];
	err = walk_from(it->w, it->g, it->va, ret, it->tables, first, &it->ntables, it->seen);
	if (err) {
		/* Keep nothing of a failed walk: a retry starts from the root. */
		it->ntables = 0;
		return err;
	}
	/* Keep the table descriptors this walk read below the shared levels
	 * (most often none: the next range is in the same table). */
	descents = it->ntables ? it->ntables - 1 : 0;
	for (unsigned n = first; n < descents; n++)
		it->path[n] = ret->step[n];
	it->path_va = it->va;
	if (ret->range_end == 0 || ret->range_end <= it->va || (it->end && ret->range_end >= it->end))
		it->done = true;
	else
		it->va = ret->range_end;
	*done_ret = false;
	return NULL;
}
