#include "maps.h"

#include <string.h>

/* Pseudo-levels for runs that ptdump never shows: they close the run
 * before them and print through their own callbacks. */
#define LEVEL_END (-1)
#define LEVEL_GAP (-2)
#define LEVEL_BAD (-3)
#define LEVEL_ALIAS (-4)
/* The last run's level of a subtree with no run yet: equal to no level. */
#define NO_RUN INT8_MIN

/* The ptdump coalescer: note_page() of arch/arm64/mm/ptdump.c and
 * arch/x86/mm/dump_pagetables.c. A run ends when the attributes or the level
 * change or a marker is crossed. */
struct ptdump_state {
	const struct ptw_maps_sink *sink;
	const struct ptw_ptdump_view *view;
	const struct ptw_ptdump_ops *pd;
	const struct ptw_geom *g;
	bool started;
	uint64_t start;
	int level;
	uint64_t prot;
	unsigned marker; /* index of the current marker */
	uint64_t lines;  /* runs closed since the current marker (x86's st->lines) */
};

static uint64_t next_marker(const struct ptdump_state *st)
{
	if (!st->view || st->marker + 1 >= st->view->n)
		return UINT64_MAX; /* the kernel's { -1, NULL } sentinel */
	return st->view->m[st->marker + 1].start;
}

static unsigned max_lines(const struct ptdump_state *st)
{
	if (!st->view || st->marker >= st->view->n)
		return 0;
	return st->view->max_lines[st->marker];
}

static void print_marker(struct ptdump_state *st)
{
	if (st->view && st->sink->marker && st->marker < st->view->n)
		st->sink->marker(st->sink->arg, st->view->m[st->marker].name);
}

static void next_region(struct ptdump_state *st)
{
	unsigned limit = max_lines(st);

	/* x86: "... N entries skipped ..." when a region printed fewer lines than it had */
	if (limit && st->lines > limit && st->sink->skipped)
		st->sink->skipped(st->sink->arg, st->lines - limit);
	st->marker++;
	st->lines = 0;
	print_marker(st);
}

static void note(struct ptdump_state *st, uint64_t addr, int level, uint64_t prot)
{
	bool one_marker = st->view && st->view->one_marker_per_break;

	if (!st->started) {
		st->started = true;
		st->level = level;
		st->prot = prot;
		st->start = addr;
		st->lines = 0;
		print_marker(st);
	} else if (prot != st->prot || level != st->level || addr >= next_marker(st)) {
		/* Gaps and bad entries (negative levels) are printed by their own
		 * callbacks; a note here only closes the run before them. */
		unsigned limit = max_lines(st);

		if (st->sink->line && st->level >= 0 && (!limit || st->lines < limit)) {
			const char *name = st->view ? st->pd->level_name(st->view, st->g, st->level) : "";
			st->sink->line(st->sink->arg, st->start, addr, st->level, name, st->prot);
		}
		st->lines++;
		if (addr >= next_marker(st))
			next_region(st);
		st->start = addr;
		st->prot = prot;
		st->level = level;
	}
	if (!one_marker && addr >= next_marker(st))
		next_region(st);
}

/* The range coalescer: contiguous in VA and PA, same level and attributes. */
struct range_state {
	const struct ptw_maps_sink *sink;
	bool open;
	struct ptw_map_range r;
};

static void flush_range(struct range_state *rs)
{
	if (rs->open && rs->sink->range)
		rs->sink->range(rs->sink->arg, &rs->r);
	rs->open = false;
}

static void add_leaf(struct range_state *rs, const struct ptw_walk_result *r, uint64_t prot)
{
	uint64_t pa = r->pa - (r->va - r->range_start);
	if (rs->open && rs->r.end == r->range_start && rs->r.idx == r->idx && rs->r.prot == prot &&
	    rs->r.pa + (rs->r.end - rs->r.start) == pa) {
		rs->r.end = r->range_end;
		return;
	}
	flush_range(rs);
	rs->open = true;
	rs->r = (struct ptw_map_range){
		.start = r->range_start,
		.end = r->range_end,
		.pa = pa,
		.page_size = r->page_size,
		.idx = r->idx,
		.level = r->level,
		.raw = r->raw,
		.prot = prot,
		.cont = r->cont,
	};
}

/* Tables are listed once. While a table's subtree is being listed, the
 * ptdump runs it produces are summed up (struct ptw_subtree_runs: first and
 * last run, runs ended inside), so that where another entry leads to the
 * same table the kernel's view of it can be put into the stream in O(1)
 * when that gives the same text: see replay(). */
struct open_subtree {
	uint64_t pa;
	uint64_t start;
	uint64_t size;    /* 0: 2^64 */
	bool ok;          /* summable so far */
	bool empty;
	struct ptw_subtree_runs runs;
};

struct alias_state {
	struct ptw_table_set *seen;
	bool pending;            /* aliases not yet told */
	struct ptw_alias_run run;
	/* open[d]: the table at depth d (1..nopen-1) of the current walk */
	struct open_subtree open[PTW_MAX_LEVELS];
	unsigned nopen;
};

/* Whether a marker lies strictly inside [start, start + size). */
static bool marker_inside(const struct ptdump_state *st, uint64_t start, uint64_t size)
{
	if (!st->view)
		return false;
	for (unsigned i = 0; i < st->view->n && i < PTW_MAX_MARKERS; i++) {
		uint64_t m = st->view->m[i].start;

		if (m > start && (size == 0 || m - start < size))
			return true;
	}
	return false;
}

/* Append to o the runs of a stretch at offset off: its first run (fl, fp),
 * `breaks` runs ended inside it, its last run (ll, lp) starting at
 * off + last_off. A single note is (l, p, 0, l, p, 0). */
static void runs_add(struct open_subtree *o, uint64_t off, int fl, uint64_t fp, uint64_t breaks,
		     int ll, uint64_t lp, uint64_t last_off)
{
	struct ptw_subtree_runs *ru = &o->runs;
	uint64_t total = ru->breaks;

	if (!o->ok)
		return;
	if (o->empty) {
		o->empty = false;
		ru->first_level = (int8_t)fl;
		ru->first_prot = fp;
		ru->last_offset = off;
	} else if (fl != ru->last_level || fp != ru->last_prot) {
		total++;
		ru->last_offset = off;
	}
	if (breaks) {
		total += breaks;
		ru->last_offset = off + last_off;
	}
	if (total > UINT32_MAX) {
		o->ok = false;
		return;
	}
	ru->breaks = (uint32_t)total;
	ru->last_level = (int8_t)ll;
	ru->last_prot = lp;
}

/* Notes go to the deepest open subtree only; a subtree's runs go into its
 * parent's when it closes (each note is added once, not once per level). */
static inline void feed_note(struct alias_state *as, uint64_t addr, int level, uint64_t prot)
{
	if (as->nopen > 1) {
		struct open_subtree *o = &as->open[as->nopen - 1];

		/* Most notes continue the run: nothing to count (an empty
		 * subtree's last_level is NO_RUN, no level). */
		if (level == o->runs.last_level && prot == o->runs.last_prot)
			return;
		runs_add(o, addr - o->start, level, prot, 0, level, prot, 0);
	}
}

/* Something the runs cannot carry (a gap, a bad entry, an alias shown as
 * its own run): no subtree around it can be replayed (the parents learn it
 * when this one closes). */
static void poison_open(struct alias_state *as)
{
	if (as->nopen > 1)
		as->open[as->nopen - 1].ok = false;
}

/* Close open[d..]: a subtree listed completely and summable keeps its runs
 * with its table, and adds them to its parent's; `complete` false (the walk
 * ended inside) keeps nothing. */
static void close_open(struct alias_state *as, unsigned d, bool complete)
{
	while (as->nopen > d && as->nopen > 1) {
		struct open_subtree *o = &as->open[--as->nopen];
		struct ptw_table_seen *t = ptw_table_set_find(as->seen, o->pa);
		bool valid = complete && o->ok && !o->empty;

		if (t) {
			t->runs = o->runs;
			t->runs.valid = valid;
		}
		if (as->nopen > 1) {
			struct open_subtree *p = &as->open[as->nopen - 1];
			const struct ptw_subtree_runs *ru = &o->runs;

			if (!o->ok)
				p->ok = false;
			else if (!o->empty)
				runs_add(p, o->start - p->start, ru->first_level, ru->first_prot, ru->breaks,
					 ru->last_level, ru->last_prot, ru->last_offset);
		}
	}
}

/* Make open[] the tables the iterator's last walk went through: those it
 * shared with the walk before stay open, the others close, the new ones
 * open. */
static inline void track_open(struct alias_state *as, const struct ptdump_state *st,
		       const struct ptw_walk_iter *it, const struct ptw_walk_result *r)
{
	const struct ptw_geom *g = it->g;
	unsigned ntables, d;

	/* Most results are in the same last table as the one before. */
	if (as->nopen == it->ntables && it->shared + 1 >= it->ntables)
		return;
	ntables = it->ntables <= g->levels ? it->ntables : g->levels;
	d = it->shared + 1 < ntables ? it->shared + 1 : ntables;
	if (as->nopen > d)
		close_open(as, d > 1 ? d : 1, true);
	if (as->nopen < 1)
		as->nopen = 1;
	for (d = as->nopen; d < ntables; d++) {
		unsigned shift = g->shift[g->levels - d];
		uint64_t size = UINT64_C(1) << shift;
		struct open_subtree *o = &as->open[d];

		o->pa = it->tables[d];
		o->start = r->va & ~(size - 1);
		o->size = shift >= 64 ? 0 : size;
		/* Listed from its start, with no marker breaking it. */
		o->ok = r->range_start == o->start && !marker_inside(st, o->start, o->size);
		o->empty = true;
		memset(&o->runs, 0, sizeof(o->runs));
		o->runs.last_level = NO_RUN;
		o->runs.context = st->pd->inherited ? st->pd->inherited(r->step, d) : 0;
		as->nopen = d + 1;
	}
}

/* An entry leads to a table listed before. Where the kernel's walk would
 * show that subtree as runs the coalescer can take whole, put them in: a
 * subtree of one run (KASAN's early shadow tables) merges like one note;
 * one of many runs only where the region prints no more lines (x86's
 * espfix area past its max_lines), so that only the count moves. Anything
 * else is a run of its own that the sink shows as the alias. */
static bool replay(struct ptdump_state *st, struct alias_state *as, const struct ptw_walk_result *r)
{
	const struct ptw_table_seen *t = ptw_table_set_find(as->seen, r->alias_pa);
	uint64_t start = r->range_start, size = r->range_end - r->range_start;
	const struct ptw_subtree_runs *ru;

	if (!t || !t->runs.valid || marker_inside(st, start, size))
		return false;
	ru = &t->runs;
	if ((st->pd->inherited ? st->pd->inherited(r->step, r->nsteps) : 0) != ru->context)
		return false;
	if (ru->breaks) {
		unsigned limit = max_lines(st);

		if (!st->started || !limit || st->lines < limit || start >= next_marker(st))
			return false;
	}
	note(st, start, ru->first_level, ru->first_prot);
	if (ru->breaks) {
		st->lines += ru->breaks;
		st->start = start + ru->last_offset;
		st->level = ru->last_level;
		st->prot = ru->last_prot;
	}
	if (as->nopen > 1) {
		struct open_subtree *o = &as->open[as->nopen - 1];

		runs_add(o, start - o->start, ru->first_level, ru->first_prot, ru->breaks, ru->last_level,
			 ru->last_prot, ru->last_offset);
	}
	return true;
}

static void flush_alias(struct alias_state *as, const struct ptw_maps_sink *sink)
{
	if (as->pending && sink->alias)
		sink->alias(sink->arg, &as->run);
	as->pending = false;
}

static bool extends_alias(const struct alias_state *as, const struct ptdump_state *st,
			  const struct ptw_walk_result *r)
{
	const struct ptw_alias_run *a = &as->run;

	return as->pending && a->end == r->range_start && a->end != 0 && a->idx == r->idx &&
	       a->table_pa == r->alias_pa && r->range_start < next_marker(st);
}

/* Tell aliases a run at a time: an entry extends the pending run when it
 * follows it in the same table, leads to the same table, is shown the same
 * way and crosses no marker (whose line must come after the run's). */
static void add_alias(struct alias_state *as, const struct ptdump_state *st,
		      const struct ptw_maps_sink *sink, const struct ptw_walk_result *r, bool replayed)
{
	struct ptw_alias_run *a = &as->run;

	if (extends_alias(as, st, r) && a->replayed == replayed) {
		a->end = r->range_end;
		a->entries++;
		return;
	}
	flush_alias(as, sink);
	*a = (struct ptw_alias_run){
		.start = r->range_start, .end = r->range_end, .idx = r->idx, .level = r->level,
		.table_pa = r->alias_pa, .first_va = r->alias_first_va, .entries = 1, .replayed = replayed,
	};
	as->pending = true;
}

static uint64_t prot_of(const struct ptw_ptdump_ops *pd, const struct ptw_geom *g,
			const struct ptw_walk_result *r)
{
	return pd->prot_of_walk ? pd->prot_of_walk(g, r) : pd->prot(r->raw);
}

/* Walk [start, end) of g into both coalescers, spending *budget (0: the
 * iterator's own bound) and leaving what is left in it. */
static struct ptw_error *walk_range(struct ptw_walker *w, const struct ptw_geom *g, uint64_t start,
				    uint64_t end, struct ptdump_state *st, struct range_state *rs,
				    struct alias_state *as, uint64_t *budget,
				    struct ptw_maps_stats *stats, uint64_t *last_va_ret)
{
	const struct ptw_maps_sink *sink = rs->sink;
	const struct ptw_ptdump_ops *pd = st->pd;
	struct ptw_walk_iter it;
	struct ptw_walk_result r;
	bool done = false;

	ptw_walk_iter_init(&it, w, g, start, end);
	ptw_walk_iter_track_tables(&it, as->seen);
	as->nopen = 1;
	if (*budget && *budget < it.budget)
		it.budget = *budget;
	for (;;) {
		struct ptw_error *err = ptw_walk_next(&it, &r, &done);
		if (err)
			return err;
		if (done)
			break;
		track_open(as, st, &it, &r);
		if (r.status != PTW_WALK_ALIAS)
			flush_alias(as, sink);
		switch (r.status) {
		case PTW_WALK_OK: {
			uint64_t prot = prot_of(pd, g, &r);
			int level = pd->kernel_level(g, r.idx, false);

			stats->leaves++;
			add_leaf(rs, &r, prot);
			note(st, r.range_start, level, prot);
			feed_note(as, r.range_start, level, prot);
			break;
		}
		case PTW_WALK_NOT_MAPPED: {
			uint64_t prot = prot_of(pd, g, &r);
			int level = pd->kernel_level(g, r.idx, true);

			stats->holes++;
			flush_range(rs);
			note(st, r.range_start, level, prot);
			feed_note(as, r.range_start, level, prot);
			break;
		}
		case PTW_WALK_ALIAS: {
			bool replayed;

			stats->aliases++;
			flush_range(rs);
			/* A run that cannot go on is told before anything
			 * the replay's note may print (a marker). */
			if (!extends_alias(as, st, &r))
				flush_alias(as, sink);
			replayed = replay(st, as, &r);
			/* Before the note: that may print the line of the run
			 * before, which comes first. */
			if (!replayed) {
				add_alias(as, st, sink, &r, false);
				note(st, r.range_start, LEVEL_ALIAS, 0);
				poison_open(as);
			} else {
				add_alias(as, st, sink, &r, true);
			}
			break;
		}
		case PTW_WALK_NOT_IN_DUMP:
			stats->gaps++;
			flush_range(rs);
			/* Said once, as a run of its own: its extent is the entry
			 * whose table is missing. */
			note(st, r.range_start, LEVEL_GAP, 0);
			poison_open(as);
			if (sink->gap)
				sink->gap(sink->arg, &r);
			break;
		case PTW_WALK_BAD_TABLE:
			if (r.nsteps)
				stats->bad++;
			else
				stats->bad_roots++;
			flush_range(rs);
			note(st, r.range_start, LEVEL_BAD, 0);
			poison_open(as);
			if (sink->bad)
				sink->bad(sink->arg, &r);
			break;
		case PTW_WALK_NON_CANONICAL:
			flush_range(rs);
			break;
		}
	}
	flush_range(rs);
	flush_alias(as, sink);
	close_open(as, 1, false);
	/* the ranges of one walk share its budget */
	*budget = it.budget;
	if (it.budget == 0)
		stats->budget_exhausted = true;
	*last_va_ret = it.budget == 0 ? it.va : end;
	return NULL;
}

struct ptw_error *ptw_maps_walk(struct ptw_walker *w, const struct ptw_geom *g, uint64_t start,
				uint64_t end, const struct ptw_ptdump_ops *pd,
				const struct ptw_ptdump_view *view, const struct ptw_maps_sink *sink,
				uint64_t budget, struct ptw_maps_stats *stats)
{
	struct ptdump_state st = { .sink = sink, .view = view, .pd = pd, .g = g };
	struct range_state rs = { .sink = sink };
	struct alias_state as = { .nopen = 1 };
	uint64_t last = end;
	struct ptw_error *err = NULL;

	memset(stats, 0, sizeof(*stats));
	err = ptw_table_set_create(&as.seen);
	if (err)
		return err;
	if (view && view->nranges) {
		/* The kernel's own ranges (x86: ptdump_walk_pgd_level_core's
		 * ptdump_ranges[]); nothing is noted between them. */
		for (unsigned i = 0; i < view->nranges && i < 2 && !err && !stats->budget_exhausted; i++) {
			const struct ptw_view_range *vr = &view->ranges[i];
			struct ptw_geom half = *g;

			if (vr->lower_half)
				half.upper = false;
			err = walk_range(w, &half, vr->start, vr->end, &st, &rs, &as, &budget, stats, &last);
		}
	} else {
		err = walk_range(w, g, start, end, &st, &rs, &as, &budget, stats, &last);
	}
	if (!err) {
		/* note_page_flush(): a final note at the end closes the last run. */
		if (st.started)
			note(&st, last, LEVEL_END, 0);
		for (size_t i = 0; i < ptw_table_set_count(as.seen); i++) {
			const struct ptw_table_seen *t = ptw_table_set_at(as.seen, i);

			if (t->refs < 2)
				continue;
			stats->aliased_tables++;
			if (sink->aliased_table)
				sink->aliased_table(sink->arg, t);
		}
	}
	ptw_table_set_destroy(as.seen);
	return err;
}

struct ptw_error *ptw_maps_budget(struct ptw_source *src, const struct ptw_geom *g, uint64_t *ret)
{
	uint64_t present, excluded;
	struct ptw_error *err = src->ops->count_pages(src, UINT64_C(1) << g->page_shift, &present,
						      &excluded);
	if (err)
		return err;
	uint64_t entries = UINT64_C(1) << (g->page_shift - 3);
	/* The floor covers the holes of a sparse top table; the product cannot
	 * overflow: present < 2^52 / 2^12 and entries <= 2^13. */
	*ret = 2 * (present + 1) * entries + (UINT64_C(1) << 20);
	return NULL;
}
