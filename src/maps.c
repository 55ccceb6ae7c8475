#include "maps.h"

#include <string.h>

/* Pseudo-levels for runs that ptdump never shows: they close the run
 * before them and print through their own callbacks. */
#define LEVEL_END (-1)
#define LEVEL_GAP (-2)
#define LEVEL_BAD (-3)

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

static uint64_t prot_of(const struct ptw_ptdump_ops *pd, const struct ptw_geom *g,
			const struct ptw_walk_result *r)
{
	return pd->prot_of_walk ? pd->prot_of_walk(g, r) : pd->prot(r->raw);
}

/* Walk [start, end) of g into both coalescers, spending *budget (0: the
 * iterator's own bound) and leaving what is left in it. */
static struct ptw_error *walk_range(struct ptw_walker *w, const struct ptw_geom *g, uint64_t start,
				    uint64_t end, struct ptdump_state *st, struct range_state *rs,
				    uint64_t *budget, struct ptw_maps_stats *stats, uint64_t *last_va_ret)
{
	const struct ptw_maps_sink *sink = rs->sink;
	const struct ptw_ptdump_ops *pd = st->pd;
	struct ptw_walk_iter it;
	struct ptw_walk_result r;
	bool done = false;

	ptw_walk_iter_init(&it, w, g, start, end);
	if (*budget && *budget < it.budget)
		it.budget = *budget;
	for (;;) {
		struct ptw_error *err = ptw_walk_next(&it, &r, &done);
		if (err)
			return err;
		if (done)
			break;
		switch (r.status) {
		case PTW_WALK_OK: {
			uint64_t prot = prot_of(pd, g, &r);

			stats->leaves++;
			add_leaf(rs, &r, prot);
			note(st, r.range_start, pd->kernel_level(g, r.idx, false), prot);
			break;
		}
		case PTW_WALK_NOT_MAPPED:
			stats->holes++;
			flush_range(rs);
			note(st, r.range_start, pd->kernel_level(g, r.idx, true), prot_of(pd, g, &r));
			break;
		case PTW_WALK_NOT_IN_DUMP:
			stats->gaps++;
			flush_range(rs);
			/* Said once, as a run of its own: its extent is the entry
			 * whose table is missing. */
			note(st, r.range_start, LEVEL_GAP, 0);
			if (sink->gap)
				sink->gap(sink->arg, &r);
			break;
		case PTW_WALK_BAD_TABLE:
			stats->bad++;
			flush_range(rs);
			note(st, r.range_start, LEVEL_BAD, 0);
			if (sink->bad)
				sink->bad(sink->arg, &r);
			break;
		case PTW_WALK_NON_CANONICAL:
			flush_range(rs);
			break;
		}
	}
	flush_range(rs);
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
	uint64_t last = end;
	struct ptw_error *err = NULL;

	memset(stats, 0, sizeof(*stats));
	if (view && view->nranges) {
		/* The kernel's own ranges (x86: ptdump_walk_pgd_level_core's
		 * ptdump_ranges[]); nothing is noted between them. */
		for (unsigned i = 0; i < view->nranges && i < 2 && !err && !stats->budget_exhausted; i++) {
			const struct ptw_view_range *vr = &view->ranges[i];
			struct ptw_geom half = *g;

			if (vr->lower_half)
				half.upper = false;
			err = walk_range(w, &half, vr->start, vr->end, &st, &rs, &budget, stats, &last);
		}
	} else {
		err = walk_range(w, g, start, end, &st, &rs, &budget, stats, &last);
	}
	if (err)
		return err;
	/* note_page_flush(): a final note at the end closes the last run. */
	if (st.started)
		note(&st, last, LEVEL_END, 0);
	return NULL;
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
