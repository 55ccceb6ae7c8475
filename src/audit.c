#include "audit.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "maps.h"
#include "ptdump.h"

/* Physical memory as the dump describes it, for outside-memory tests. */
struct phys_map {
	struct ptw_phys_range *r;
	size_t n, cap;
	bool oom;
};

static bool collect_range(const struct ptw_phys_range *range, void *arg)
{
	struct phys_map *m = arg;
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 16;
		struct ptw_phys_range *n = realloc(m->r, cap * sizeof(*n));
		if (!n) {
			m->oom = true;
			return false;
		}
		m->r = n;
		m->cap = cap;
	}
	m->r[m->n++] = *range;
	return true;
}

static bool in_memory(const struct phys_map *m, uint64_t pa)
{
	size_t lo = 0, hi = m->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (pa < m->r[mid].start)
			hi = mid;
		else if (pa >= m->r[mid].end)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

struct check_state {
	struct ptw_dump *dump;
	const struct ptw_xlat *x;
	const struct ptw_geom *g;
	const struct ptw_ptdump_ops *pd;
	struct phys_map mem;
	bool kernel_half;
	ptw_finding_fn *fn;
	void *arg;
	uint64_t count;
	uint64_t missing_tables;
	uint64_t first_missing_va, first_missing_pa;
	uint64_t wx_pages, user_pages;
	uint64_t linear_end; /* where the linear map ends (x->page_end, less a KASAN shadow) */
};

static void report(struct check_state *st, struct ptw_finding *f)
{
	st->count++;
	st->fn(st->arg, f);
}

static struct ptw_finding range_finding(const char *kind, const struct ptw_map_range *r)
{
	return (struct ptw_finding){
		.kind = kind, .has_va = true, .va = r->start, .end = r->end,
		.has_pa = true, .pa = r->pa, .has_level = true, .level = r->level,
		.has_raw = true, .raw = r->raw,
	};
}

/* Normal memory mapped outside RAM is wrong; device memory (MMIO) is not. */
static bool is_device_mapping(const struct check_state *st, const struct ptw_map_range *r)
{
	return st->pd->is_device && st->pd->is_device(r->prot);
}

static void on_range(void *arg, const struct ptw_map_range *r)
{
	struct check_state *st = arg;
	uint64_t pages = (r->end - r->start) / st->x->granule;
	if (st->kernel_half && st->pd->is_wx(r->prot)) {
		struct ptw_finding f = range_finding("wx", r);
		snprintf(f.detail, sizeof(f.detail),
			 "kernel mapping writable and executable (%" PRIu64 " pages)", pages);
		st->wx_pages += pages;
		report(st, &f);
	}
	if (st->kernel_half && st->pd->is_user(r->prot)) {
		struct ptw_finding f = range_finding("user-kernel", r);
		snprintf(f.detail, sizeof(f.detail),
			 "kernel mapping accessible from EL0 (%" PRIu64 " pages)", pages);
		st->user_pages += pages;
		report(st, &f);
	}
	/* A kcore shows System RAM only: the kernel's mappings of firmware
	 * and reserved memory lie outside it and are no finding. */
	if (st->mem.n && !st->dump->src->ranges_ram_only && !is_device_mapping(st, r) &&
	    (!in_memory(&st->mem, r->pa) || !in_memory(&st->mem, r->pa + (r->end - r->start) - 1))) {
		struct ptw_finding f = range_finding("outside-memory", r);
		snprintf(f.detail, sizeof(f.detail),
			 "normal-memory mapping of physical %" PRIx64 "-%" PRIx64
			 " outside the dump's physical memory", r->pa, r->pa + (r->end - r->start));
		report(st, &f);
	}
	/* The linear map must be the layout's arithmetic (__phys_to_virt). */
	if (st->kernel_half && st->x->ops->ptov && st->x->have_page_end && r->start >= st->x->linear_start &&
	    r->start < st->linear_end) {
		bool have_linear, have_kimage;
		uint64_t linear, kimage;
		st->x->ops->ptov(st->x, r->pa, &have_linear, &linear, &have_kimage, &kimage);
		if (!have_linear || linear != r->start) {
			struct ptw_finding f = range_finding("linear-map-mismatch", r);
			if (have_linear)
				snprintf(f.detail, sizeof(f.detail),
					 "linear map VA %" PRIx64 " maps PA %" PRIx64
					 ", but PHYS_OFFSET/PAGE_OFFSET put that PA at %" PRIx64,
					 r->start, r->pa, linear);
			else
				snprintf(f.detail, sizeof(f.detail),
					 "linear map VA %" PRIx64 " maps PA %" PRIx64
					 ", which the layout puts outside the linear map", r->start, r->pa);
			report(st, &f);
		}
	}
}

/* Which kind a forbidden descriptor is, from the walker's reason. */
static const char *bad_kind(const char *reason)
{
	if (!reason)
		return "reserved-bits";
	if (strstr(reason, "loop"))
		return "table-loop";
	if (strstr(reason, "outside physical memory"))
		return "outside-memory";
	if (strstr(reason, "block") && strstr(reason, "level"))
		return "bad-block-level";
	return "reserved-bits";
}

static void on_bad(void *arg, const struct ptw_walk_result *r)
{
	struct check_state *st = arg;
	const struct ptw_walk_step *s = r->nsteps ? &r->step[r->nsteps - 1] : NULL;
	struct ptw_finding f = {
		.kind = bad_kind(r->reason), .has_va = true, .va = r->range_start, .end = r->range_end,
		.has_level = true, .level = r->level,
	};
	if (s) {
		f.has_raw = true;
		f.raw = s->raw;
		f.has_pa = true;
		f.pa = s->entry_pa;
	} else if (r->missing_pa) {
		f.has_pa = true;
		f.pa = r->missing_pa;
	}
	snprintf(f.detail, sizeof(f.detail), "%s%s%s", r->reason ? r->reason : "forbidden descriptor",
		 s ? " (pa is the entry's address)" : "", "");
	report(st, &f);
}

static void on_gap(void *arg, const struct ptw_walk_result *r)
{
	struct check_state *st = arg;
	if (st->missing_tables++ == 0) {
		st->first_missing_va = r->range_start;
		st->first_missing_pa = r->missing_pa;
	}
}

/* One finding per table reached through more than one entry: its subtree
 * was audited once. Tables the kernel shares on purpose are no finding. */
static void on_aliased_table(void *arg, const struct ptw_table_seen *t)
{
	struct check_state *st = arg;
	if (st->kernel_half && st->pd->kernel_aliases && st->pd->kernel_aliases(st->x, t->first_va))
		return;
	struct ptw_finding f = {
		.kind = "table-alias", .has_va = true, .va = t->first_va, .has_pa = true, .pa = t->pa,
		.has_level = true, .level = t->level,
	};
	snprintf(f.detail, sizeof(f.detail),
		 "%" PRIu32 "%s entries point at the table at PA 0x%" PRIx64
		 " (va: where it is first reached; its mappings are reported once)",
		 t->refs, t->refs == UINT32_MAX ? " or more" : "", t->pa);
	report(st, &f);
}

static struct ptw_error *audit_tree(struct check_state *st, struct ptw_walker *w,
				    const struct ptw_geom *g, uint64_t start, uint64_t end, bool kernel)
{
	struct ptw_maps_sink sink = { .arg = st, .range = on_range, .gap = on_gap, .bad = on_bad,
				      .aliased_table = on_aliased_table };
	struct ptw_maps_stats stats;
	st->g = g;
	st->kernel_half = kernel;
	st->missing_tables = 0;
	uint64_t budget;
	struct ptw_error *err = ptw_maps_budget(st->dump->src, g, &budget);
	if (err)
		return err;
	err = ptw_maps_walk(w, g, start, end, st->pd, NULL, &sink, budget, &stats);
	if (err)
		return err;
	if (st->missing_tables) {
		struct ptw_finding f = {
			.kind = "missing-tables", .has_va = true, .va = st->first_missing_va,
			.has_pa = true, .pa = st->first_missing_pa,
		};
		snprintf(f.detail, sizeof(f.detail),
			 "%" PRIu64 " table page(s) of the %s table are not in the dump (first shown)",
			 st->missing_tables, kernel ? "kernel" : "user");
		report(st, &f);
	}
	if (stats.budget_exhausted) {
		struct ptw_finding f = { .kind = "table-loop" };
		snprintf(f.detail, sizeof(f.detail),
			 "the walk of the %s table reached its work bound: tables are reachable from too many places",
			 kernel ? "kernel" : "user");
		report(st, &f);
	}
	return NULL;
}

/* VMCOREINFO against itself and against the tables. */
static struct ptw_error *audit_config(struct check_state *st, struct ptw_walker *w)
{
	const struct ptw_xlat *x = st->x;
	const struct ptw_vmcoreinfo *vi = &st->dump->vmcoreinfo;
	if (x->vabits_actual > x->va_bits) {
		struct ptw_finding f = { .kind = "config-conflict" };
		snprintf(f.detail, sizeof(f.detail),
			 "the MMU runs with %u VA bits (TCR_EL1.T1SZ) but the kernel was built for %u (VA_BITS)",
			 x->vabits_actual, x->va_bits);
		report(st, &f);
	}
	/* The root table must map the kernel image where kimage_voffset says. */
	uint64_t stext;
	struct ptw_error *e = ptw_vmcoreinfo_symbol(vi, "_stext", &stext);
	if (!e && x->have_kimage_voffset) {
		struct ptw_walk_result r;
		struct ptw_error *err = ptw_walk(w, &x->kernel, stext, &r);
		if (err) {
			ptw_error_destroy(e);
			return err;
		}
		uint64_t want = stext - x->kimage_voffset;
		if (r.status != PTW_WALK_OK && !r.have_pa) {
			struct ptw_finding f = { .kind = "config-conflict", .has_va = true, .va = stext,
						 .has_pa = true, .pa = want };
			snprintf(f.detail, sizeof(f.detail),
				 "the kernel table (root %" PRIx64 ") does not map SYMBOL(_stext): %s",
				 x->kernel.root_pa, ptw_walk_status_name(r.status));
			report(st, &f);
		} else if (r.pa != want) {
			struct ptw_finding f = { .kind = "config-conflict", .has_va = true, .va = stext,
						 .has_pa = true, .pa = r.pa, .has_level = true,
						 .level = r.level, .has_raw = true, .raw = r.raw };
			snprintf(f.detail, sizeof(f.detail),
				 "SYMBOL(_stext) maps to PA %" PRIx64 " but kimage_voffset puts it at %" PRIx64,
				 r.pa, want);
			report(st, &f);
		}
	}
	ptw_error_destroy(e);
	return NULL;
}

/* A KASAN kernel's shadow takes the top of what is otherwise the linear
 * map (arm64 6.12: PAGE_END = KASAN_SHADOW_START). Where the top page of
 * the linear map is mapped (no RAM lies that high) and lies where the
 * kernel shares tables on purpose, the linear map ends where that stretch
 * starts: the lowest such VA, found by bisection (at most 64 steps). */
static struct ptw_error *find_linear_end(struct check_state *st, struct ptw_walker *w)
{
	const struct ptw_xlat *x = st->x;
	uint64_t top = x->page_end - x->granule, lo, hi;
	struct ptw_walk_result r;
	struct ptw_error *err;

	st->linear_end = x->page_end;
	if (!x->have_page_end || !x->page_end || !st->pd->kernel_aliases || x->page_end <= x->linear_start ||
	    !st->pd->kernel_aliases(x, top))
		return NULL;
	err = ptw_walk(w, &x->kernel, top, &r);
	if (err)
		return err;
	if (r.status != PTW_WALK_OK)
		return NULL;
	lo = x->linear_start;
	hi = top; /* kernel_aliases(hi) holds; find the lowest such */
	while (hi - lo > x->granule) {
		uint64_t mid = lo + (hi - lo) / 2;

		if (st->pd->kernel_aliases(x, mid))
			hi = mid;
		else
			lo = mid;
	}
	st->linear_end = hi & ~(x->granule - 1);
	return NULL;
}

struct ptw_error *ptw_check_run(struct ptw_dump *dump, struct ptw_walker *w,
				const struct ptw_check_options *opts, ptw_finding_fn *fn, void *arg,
				uint64_t *count_ret)
{
	struct check_state st = { .dump = dump, .x = &dump->xlat, .fn = fn, .arg = arg };
	struct ptw_error *err = NULL;
	st.pd = st.x->ops ? st.x->ops->ptdump : NULL;
	if (!st.pd)
		return ptw_error_create(PTW_E_NOT_IMPLEMENTED, "check is not implemented for %s",
					st.x->ops ? st.x->ops->name : "this architecture");
	err = ptw_source_for_each_range(dump->src, collect_range, &st.mem);
	if (err || st.mem.oom) {
		free(st.mem.r);
		return err ? err : &ptw_enomem;
	}
	ptw_walker_check_leaf(w, false);
	if (opts->kernel) {
		err = find_linear_end(&st, w);
		if (!err)
			err = audit_config(&st, w);
		if (!err)
			err = audit_tree(&st, w, &st.x->kernel, -(UINT64_C(1) << st.x->kernel.va_bits), 0, true);
	}
	if (!err && opts->user && opts->user_geom)
		err = audit_tree(&st, w, opts->user_geom, 0, UINT64_C(1) << opts->user_geom->va_bits, false);
	free(st.mem.r);
	*count_ret = st.count;
	return err;
}
