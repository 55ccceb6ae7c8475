/* Whole-table walks (`maps`): coalesced ranges and the kernel's ptdump
 * stream, from the library's maps walker, in public records. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "maps.h"
#include "ptdump.h"

struct maps_ctx {
	struct ptwalk_space *s;
	const struct ptw_geom *g;
	const struct ptw_ptdump_ops *pd;
	const struct ptw_ptdump_view *view;
	const struct ptw_regions *regions; /* NULL: no region names */
	const struct ptwalk_maps_visitor *v;
	void *arg;
};

static const struct ptw_ptdump_view no_view;

static const char *kernel_level_name(const struct maps_ctx *m, unsigned idx, bool hole)
{
	return m->pd->level_name(m->view ? m->view : &no_view, m->g, m->pd->kernel_level(m->g, idx, hole));
}

static const char *region_of(const struct maps_ctx *m, uint64_t va)
{
	for (unsigned i = 0; m->regions && i < m->regions->n; i++) {
		const struct ptw_region *r = &m->regions->r[i];

		if (va >= r->start && (r->end == 0 || va < r->end))
			return r->name;
	}
	return NULL;
}

static void on_marker(void *arg, const char *name)
{
	struct maps_ctx *m = arg;

	if (m->v->marker)
		m->v->marker(m->arg, name);
}

static void on_line(void *arg, uint64_t start, uint64_t end, int kernel_level, const char *level,
		    uint64_t prot)
{
	struct maps_ctx *m = arg;
	char attrs[256] = "", text[320];

	if (!m->v->line)
		return;
	if (m->pd->format_line) {
		m->pd->format_line(prot, kernel_level, level, attrs, sizeof(attrs));
		m->v->line(m->arg, start, end, kernel_level, level, prot, attrs);
		return;
	}
	if (prot)
		m->pd->format(prot, attrs, sizeof(attrs));
	snprintf(text, sizeof(text), "%s%s", level, attrs);
	m->v->line(m->arg, start, end, kernel_level, level, prot, text);
}

static void on_skipped(void *arg, uint64_t lines)
{
	struct maps_ctx *m = arg;

	if (m->v->skipped)
		m->v->skipped(m->arg, lines);
}

static void on_range(void *arg, const struct ptw_map_range *r)
{
	struct maps_ctx *m = arg;
	struct ptwalk_map_range p = {
		.start = r->start, .end = r->end, .pa = r->pa, .page_size = r->page_size, .level = r->level,
		.table = m->s->ops->level_name ? m->s->ops->level_name(m->g, r->idx) : NULL,
		.tree_index = r->idx, .raw = r->raw, .cont = r->cont, .region = region_of(m, r->start),
	};

	if (m->v->range)
		m->v->range(m->arg, &p);
}

static void problem(const struct maps_ctx *m, const struct ptw_walk_result *r, struct ptwalk_map_problem *p)
{
	const struct ptw_walk_step *s = r->nsteps ? &r->step[r->nsteps - 1] : NULL;

	memset(p, 0, sizeof(*p));
	p->start = r->range_start;
	p->end = r->range_end;
	p->level = r->level;
	p->table = kernel_level_name(m, r->idx, true);
	p->index = s ? s->index : 0;
	p->raw = s ? s->raw : 0;
	p->has_entry = s != NULL;
	p->missing_pa = r->missing_pa;
	p->reason = r->reason;
}

static void on_gap(void *arg, const struct ptw_walk_result *r)
{
	struct maps_ctx *m = arg;
	struct ptwalk_map_problem p;

	problem(m, r, &p);
	if (m->v->gap)
		m->v->gap(m->arg, &p);
}

static void on_bad(void *arg, const struct ptw_walk_result *r)
{
	struct maps_ctx *m = arg;
	struct ptwalk_map_problem p;

	problem(m, r, &p);
	if (m->v->bad)
		m->v->bad(m->arg, &p);
}

static void on_alias(void *arg, const struct ptw_alias_run *a)
{
	struct maps_ctx *m = arg;
	struct ptwalk_map_alias p = {
		.start = a->start, .end = a->end, .level = a->level, .table = kernel_level_name(m, a->idx, true),
		.table_pa = a->table_pa, .first_va = a->first_va, .entries = a->entries, .replayed = a->replayed,
	};

	if (m->v->alias)
		m->v->alias(m->arg, &p);
}

static void on_aliased_table(void *arg, const struct ptw_table_seen *t)
{
	struct maps_ctx *m = arg;
	struct ptwalk_map_shared_table p = {
		.pa = t->pa, .level = t->level, .table = kernel_level_name(m, t->idx, true),
		.first_va = t->first_va, .references = t->refs,
	};

	if (m->v->shared_table)
		m->v->shared_table(m->arg, &p);
}

struct ptwalk_error *ptwalk_maps(struct ptwalk_space *s, enum ptwalk_tree tree, uint64_t start, uint64_t end,
				 bool ptdump_style, const struct ptwalk_maps_visitor *visitor, void *arg,
				 struct ptwalk_map_stats *stats_ret)
{
	static const struct ptwalk_maps_visitor none;
	struct maps_ctx m = { .s = s, .pd = s->ops->ptdump, .v = visitor ? visitor : &none, .arg = arg };
	struct ptw_maps_stats stats;
	struct ptw_error *err;
	uint64_t budget;

	if (!m.pd)
		return ptw_api_error(ptw_error_create(PTW_E_NOT_IMPLEMENTED, "maps is not implemented for %s",
						      s->ops->name));
	if (tree == PTWALK_TREE_USER) {
		if (!s->have_user)
			return ptw_api_error(ptw_error_create(PTW_E_INVALID_ARGUMENT, "the space has no user tree"));
		m.g = &s->user;
		/* the top of the user tree, not of the address space */
		if (end == 0 && m.g->va_bits < 64)
			end = UINT64_C(1) << m.g->va_bits;
	} else {
		m.g = &s->x->kernel;
		if (ptdump_style) {
			const struct ptw_error *why;

			m.view = ptw_api_ptdump_view(s, &why);
			if (!m.view && m.v->warning) {
				char msg[512];

				snprintf(msg, sizeof(msg), "no region markers: %s", why->message);
				m.v->warning(arg, msg);
			}
		}
		/* the region of each record: only asked for with ranges */
		if (s->ops->layout && m.v->range)
			m.regions = ptw_api_regions(s);
	}
	struct ptw_maps_sink sink = {
		.arg = &m, .marker = on_marker, .line = on_line, .skipped = on_skipped, .range = on_range,
		.gap = on_gap, .bad = on_bad, .alias = on_alias, .aliased_table = on_aliased_table,
	};
	ptw_walker_check_leaf(s->w, false);
	err = ptw_maps_budget(s->dump->d->src, m.g, &budget);
	if (!err)
		err = ptw_maps_walk(s->w, m.g, start, end, m.pd, m.view, &sink, budget, &stats);
	ptw_walker_check_leaf(s->w, true);
	if (err)
		return ptw_api_error(err);
	if (stats_ret) {
		stats_ret->leaves = stats.leaves;
		stats_ret->holes = stats.holes;
		stats_ret->gaps = stats.gaps;
		stats_ret->bad = stats.bad;
		stats_ret->bad_roots = stats.bad_roots;
		stats_ret->aliases = stats.aliases;
		stats_ret->aliased_tables = stats.aliased_tables;
		stats_ret->budget_exhausted = stats.budget_exhausted;
	}
	return NULL;
}

bool ptwalk_maps_ptdump_start(struct ptwalk_space *s, uint64_t *start_ret)
{
	const struct ptw_ptdump_view *view;
	const struct ptw_error *why;

	if (!s->ops->ptdump)
		return false;
	view = ptw_api_ptdump_view(s, &why);
	if (!view) {
		*start_ret = -(UINT64_C(1) << s->x->kernel.va_bits);
		return false;
	}
	*start_ret = view->start;
	return true;
}

struct ptwalk_error *ptwalk_count_pages(struct ptwalk_space *s, enum ptwalk_tree tree, uint64_t start,
					uint64_t end, struct ptwalk_page_counts *ret)
{
	const struct ptw_geom *g = tree == PTWALK_TREE_USER ? (s->have_user ? &s->user : NULL) : &s->x->kernel;
	uint64_t gran = s->x->granule ? s->x->granule : 4096;
	struct ptwalk_page_counts pc = { 0 };
	struct ptw_walk_iter it;
	struct ptw_walk_result r;
	bool done = false;

	if (!g)
		return ptw_api_error(ptw_error_create(PTW_E_INVALID_ARGUMENT, "the space has no user tree"));
	ptw_walk_iter_init(&it, s->w, g, start, end);
	for (;;) {
		struct ptw_error *err = ptw_walk_next(&it, &r, &done);
		uint64_t lo, hi, n;

		if (err)
			return ptw_api_error(err);
		if (done)
			break;
		lo = r.range_start > start ? r.range_start : start;
		hi = (r.range_end == 0 || (end && r.range_end > end)) ? end : r.range_end;
		if (hi <= lo)
			continue;
		n = (hi - lo + gran - 1) / gran;
		switch (r.status) {
		case PTW_WALK_OK: pc.present += n; break;
		case PTW_WALK_NOT_IN_DUMP: pc.not_in_dump += n; break;
		case PTW_WALK_BAD_TABLE: pc.bad_table += n; break;
		default: pc.not_present += n; break;
		}
	}
	*ret = pc;
	return NULL;
}
