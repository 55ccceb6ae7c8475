/* ptwalk maps: every mapping of a table, in the kernel's ptdump format
 * (text) or as coalesced ranges (JSON Lines). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "json.h"
#include "layout_symbols.h"
#include "maps.h"
#include "xlat_cli.h"

struct maps_out {
	struct ptw_xctx *c;
	const struct ptw_geom *g;
	const struct ptw_ptdump_ops *pd;
	const struct ptw_ptdump_view *view;
	struct ptw_regions regions;
	struct ptw_json json;
	bool json_mode;
};

/* "%9lu%c": the size in the largest unit that divides it, as ptdump prints. */
static void print_range_prefix(uint64_t start, uint64_t end)
{
	static const char units[] = "KMGTPE";
	const char *unit = units;
	uint64_t delta = (end - start) >> 10;
	while (!(delta & 1023) && unit[1]) {
		delta >>= 10;
		unit++;
	}
	printf("0x%016" PRIx64 "-0x%016" PRIx64 "   %9" PRIu64 "%c ", start, end, delta, *unit);
}

static void on_marker(void *arg, const char *name)
{
	struct maps_out *o = arg;
	if (!o->json_mode)
		printf("---[ %s ]---\n", name);
}

static void on_line(void *arg, uint64_t start, uint64_t end, int kernel_level, const char *level,
		    uint64_t prot)
{
	struct maps_out *o = arg;
	if (o->json_mode)
		return;
	char attrs[256] = "";
	print_range_prefix(start, end);
	if (o->pd->format_line) {
		o->pd->format_line(prot, kernel_level, level, attrs, sizeof(attrs));
		printf("%s\n", attrs);
		return;
	}
	if (prot)
		o->pd->format(prot, attrs, sizeof(attrs));
	printf("%s%s\n", level, attrs);
}

/* x86's note_page(): a region's lines past its max_lines, counted. */
static void on_skipped(void *arg, uint64_t lines)
{
	struct maps_out *o = arg;
	if (!o->json_mode)
		printf("... %" PRIu64 " entr%s skipped ... \n", lines, lines == 1 ? "y" : "ies");
}

static const char *region_of(const struct maps_out *o, uint64_t va)
{
	for (unsigned i = 0; i < o->regions.n; i++) {
		const struct ptw_region *r = &o->regions.r[i];
		if (va >= r->start && (r->end == 0 || va < r->end))
			return r->name;
	}
	return NULL;
}

static void on_range(void *arg, const struct ptw_map_range *r)
{
	struct maps_out *o = arg;
	if (!o->json_mode)
		return;
	struct ptw_json *j = &o->json;
	ptw_json_begin_object(j);
	ptw_json_field_hex(j, "start", r->start);
	ptw_json_field_hex(j, "end", r->end);
	ptw_json_field_hex(j, "pa", r->pa);
	ptw_json_field_u64(j, "size", r->end - r->start);
	ptw_json_field_u64(j, "page_size", r->page_size);
	ptw_json_field_i64(j, "level", r->level);
	if (o->c->ops->attrs) {
		struct ptw_attrs a;
		o->c->ops->attrs(o->g, r->idx, r->raw, &a);
		ptw_json_key(j, "attrs");
		ptw_attrs_json(j, &a);
	}
	ptw_json_field_string(j, "region", region_of(o, r->start));
	ptw_json_end_object(j);
	ptw_json_newline(j);
}

/* The name of the level whose entry the gap, bad entry or alias is: what
 * the kernel calls an entry of that table that is no leaf (the top table
 * of a folded tree is PGD, as its holes are). */
static const char *level_text(const struct maps_out *o, const struct ptw_walk_result *r)
{
	static const struct ptw_ptdump_view no_view;
	return o->pd->level_name(o->view ? o->view : &no_view, o->g,
				 o->pd->kernel_level(o->g, r->idx, true));
}

static void on_alias(void *arg, const struct ptw_alias_run *a)
{
	struct maps_out *o = arg;
	static const struct ptw_ptdump_view no_view;
	if (o->json_mode) {
		struct ptw_json *j = &o->json;
		ptw_json_begin_object(j);
		ptw_json_field_bool(j, "alias", true);
		ptw_json_field_hex(j, "start", a->start);
		ptw_json_field_hex(j, "end", a->end);
		ptw_json_field_u64(j, "size", a->end - a->start);
		ptw_json_field_i64(j, "level", a->level);
		ptw_json_field_u64(j, "entries", a->entries);
		ptw_json_field_hex(j, "table_pa", a->table_pa);
		ptw_json_field_hex(j, "first_va", a->first_va);
		ptw_json_end_object(j);
		ptw_json_newline(j);
		return;
	}
	if (a->replayed)
		return; /* in the stream, as the kernel shows it */
	print_range_prefix(a->start, a->end);
	printf("%s   [alias of the table at PA 0x%" PRIx64 ", first listed at VA 0x%016" PRIx64 "%s]\n",
	       o->pd->level_name(o->view ? o->view : &no_view, o->g, o->pd->kernel_level(o->g, a->idx, true)),
	       a->table_pa, a->first_va, a->entries > 1 ? ", each entry" : "");
}

static void on_gap(void *arg, const struct ptw_walk_result *r)
{
	struct maps_out *o = arg;
	if (o->json_mode) {
		struct ptw_json *j = &o->json;
		ptw_json_begin_object(j);
		ptw_json_field_bool(j, "gap", true);
		ptw_json_field_hex(j, "start", r->range_start);
		ptw_json_field_hex(j, "end", r->range_end);
		ptw_json_field_hex(j, "missing_pa", r->missing_pa);
		ptw_json_field_i64(j, "level", r->level);
		ptw_json_end_object(j);
		ptw_json_newline(j);
		return;
	}
	print_range_prefix(r->range_start, r->range_end);
	printf("%s   [table at 0x%" PRIx64 " not in dump]\n", level_text(o, r), r->missing_pa);
}

static void on_bad(void *arg, const struct ptw_walk_result *r)
{
	struct maps_out *o = arg;
	const struct ptw_walk_step *s = r->nsteps ? &r->step[r->nsteps - 1] : NULL;
	if (o->json_mode) {
		struct ptw_json *j = &o->json;
		ptw_json_begin_object(j);
		ptw_json_field_bool(j, "bad", true);
		ptw_json_field_hex(j, "start", r->range_start);
		ptw_json_field_hex(j, "end", r->range_end);
		ptw_json_field_i64(j, "level", r->level);
		if (s) {
			ptw_json_field_u64(j, "index", s->index);
			ptw_json_field_hex(j, "raw", s->raw);
		}
		ptw_json_field_string(j, "reason", r->reason);
		ptw_json_end_object(j);
		ptw_json_newline(j);
		return;
	}
	print_range_prefix(r->range_start, r->range_end);
	if (s)
		printf("%s   [bad entry 0x%" PRIx64 " at index %u: %s]\n", level_text(o, r), s->raw,
		       s->index, r->reason ? r->reason : "forbidden descriptor");
	else
		printf("%s   [%s]\n", level_text(o, r), r->reason ? r->reason : "bad table");
}

/* ptdump's is_mapped probe for markers that depend on build options. */
static bool va_is_mapped(void *arg, uint64_t va)
{
	struct maps_out *o = arg;
	struct ptw_walk_result r;
	struct ptw_error *err = ptw_walk(o->c->w, &o->c->x->kernel, va, &r);
	if (err) {
		ptw_error_destroy(err);
		return false;
	}
	return r.status == PTW_WALK_OK || r.have_pa;
}

static int run_maps(struct ptw_cli *cli)
{
	struct ptw_xctx c;
	struct ptw_error *err;
	err = ptw_xctx_open(cli, &c);
	if (err)
		return ptw_cli_fail(cli, err);
	struct maps_out o = { .c = &c, .pd = c.ops->ptdump, .json_mode = cli->json };
	if (!o.pd) {
		ptw_xctx_close(&c);
		return ptw_cli_fail(cli, ptw_error_create(PTW_E_NOT_IMPLEMENTED,
							  "maps is not implemented for %s", c.ops->name));
	}
	ptw_json_init(&o.json, stdout);
	ptw_walker_check_leaf(c.w, false);
	bool user = (cli->have_pgd || cli->have_pid) && !cli->kernel_half;
	struct ptw_ptdump_view view;
	uint64_t start, end;
	memset(&view, 0, sizeof(view)); /* fields an arch's view leaves alone mean "as arm64" */
	if (user) {
		o.g = &c.user;
		start = 0;
		end = UINT64_C(1) << c.user.va_bits;
	} else {
		o.g = &c.x->kernel;
		err = o.pd->view(c.x, &c.dump->vmcoreinfo, va_is_mapped, &o, &view);
		if (err) {
			ptw_cli_warn(cli, "no region markers: %s", err->message);
			ptw_error_destroy(err);
			start = -(UINT64_C(1) << c.x->kernel.va_bits);
		} else {
			/* the kernel's own markers, where its symbols name them */
			ptw_dump_x86_64_kernel_markers(c.dump, &view);
			o.view = &view;
			start = view.start;
		}
		end = 0;
		if (c.ops->layout && o.json_mode) { /* regions name JSON records only */
			err = c.ops->layout(c.x, &c.dump->vmcoreinfo, va_is_mapped, &o, &o.regions);
			ptw_error_destroy(err);
		}
	}
	struct ptw_maps_sink sink = {
		.arg = &o, .marker = on_marker, .line = on_line, .skipped = on_skipped, .range = on_range,
		.gap = on_gap, .bad = on_bad, .alias = on_alias,
	};
	struct ptw_maps_stats stats;
	uint64_t budget;
	err = ptw_maps_budget(c.dump->src, o.g, &budget);
	if (!err)
		err = ptw_maps_walk(c.w, o.g, start, end, o.pd, o.view, &sink, budget, &stats);
	if (!err) {
		if (stats.gaps)
			ptw_cli_warn(cli, "%" PRIu64 " table(s) missing from the dump", stats.gaps);
		if (stats.bad)
			ptw_cli_warn(cli, "%" PRIu64 " descriptor(s) the architecture forbids", stats.bad);
		if (stats.bad_roots)
			ptw_cli_warn(cli, "the root table at 0x%" PRIx64 " cannot be read: not in physical memory",
				     o.g->root_pa);
		if (stats.budget_exhausted)
			ptw_cli_warn(cli, "stopped at the work bound; the listing is incomplete");
	}
	ptw_xctx_close(&c);
	return err ? ptw_cli_fail(cli, err) : PTW_EXIT_OK;
}

const struct ptw_command ptw_cmd_maps = {
	.name = "maps",
	.run = run_maps,
	.synopsis = "DUMP [--kernel | --user] [--pgd PA | --pid PID] [--json]",
	.summary = "every mapping of a page table, coalesced, in the kernel's ptdump format",
	.details =
		"Text follows the kernel's /sys/kernel/debug/kernel_page_tables: runs of equal\n"
		"attributes and level (as the kernel merges them), holes and region markers\n"
		"included. --json prints one record per mapping contiguous in VA and PA, with\n"
		"decoded attributes and the layout region, plus {\"gap\": true} records for\n"
		"tables missing from the dump, {\"bad\": true} for forbidden descriptors and\n"
		"{\"alias\": true} for entries leading to a table listed before (each table is\n"
		"listed once).\n"
		"The kernel's table is walked by default; --pgd walks a user table.",
	.options = PTW_OPTS_COMMON | PTW_OPT_PGD | PTW_OPT_HALF | PTW_OPT_PID,
	.min_args = 0,
	.max_args = 0,
};
