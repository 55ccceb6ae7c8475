/* ptwalk maps: every mapping of a table, in the kernel's ptdump format
 * (text) or as coalesced ranges (JSON Lines). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "api_cli.h"
#include "cli.h"
#include "json.h"

struct maps_out {
	const struct ptw_cli *cli;
	struct ptwalk_space *space;
	enum ptwalk_tree tree;
	struct ptw_json json;
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

/* Text: the kernel's ptdump stream, and what it cannot show in brackets. */

static void text_marker(void *arg, const char *name)
{
	(void)arg;
	printf("---[ %s ]---\n", name);
}

static void text_line(void *arg, uint64_t start, uint64_t end, int level, const char *table, uint64_t prot,
		      const char *text)
{
	(void)arg, (void)level, (void)table, (void)prot;
	print_range_prefix(start, end);
	printf("%s\n", text);
}

/* x86's note_page(): a region's lines past its max_lines, counted. */
static void text_skipped(void *arg, uint64_t lines)
{
	(void)arg;
	printf("... %" PRIu64 " entr%s skipped ... \n", lines, lines == 1 ? "y" : "ies");
}

static void text_alias(void *arg, const struct ptwalk_map_alias *a)
{
	(void)arg;
	if (a->replayed)
		return; /* in the stream, as the kernel shows it */
	print_range_prefix(a->start, a->end);
	printf("%s   [alias of the table at PA 0x%" PRIx64 ", first listed at VA 0x%016" PRIx64 "%s]\n", a->table,
	       a->table_pa, a->first_va, a->entries > 1 ? ", each entry" : "");
}

static void text_gap(void *arg, const struct ptwalk_map_problem *p)
{
	(void)arg;
	print_range_prefix(p->start, p->end);
	printf("%s   [table at 0x%" PRIx64 " not in dump]\n", p->table, p->missing_pa);
}

static void text_bad(void *arg, const struct ptwalk_map_problem *p)
{
	(void)arg;
	print_range_prefix(p->start, p->end);
	if (p->has_entry)
		printf("%s   [bad entry 0x%" PRIx64 " at index %u: %s]\n", p->table, p->raw, p->index,
		       p->reason ? p->reason : "forbidden descriptor");
	else
		printf("%s   [%s]\n", p->table, p->reason ? p->reason : "bad table");
}

/* JSON Lines: one record per coalesced range, gap, bad entry or alias. */

static void json_range(void *arg, const struct ptwalk_map_range *r)
{
	struct maps_out *o = arg;
	struct ptw_json *j = &o->json;
	struct ptwalk_attr attrs[PTWALK_MAX_ATTRS];
	size_t nattrs;
	struct ptwalk_error *err;

	ptw_json_begin_object(j);
	ptw_json_field_hex(j, "start", r->start);
	ptw_json_field_hex(j, "end", r->end);
	ptw_json_field_hex(j, "pa", r->pa);
	ptw_json_field_u64(j, "size", r->end - r->start);
	ptw_json_field_u64(j, "page_size", r->page_size);
	ptw_json_field_i64(j, "level", r->level);
	/* An architecture without attribute decoding leaves "attrs" out. */
	err = ptwalk_entry_attrs(o->space, o->tree, r->tree_index, r->raw, attrs, &nattrs);
	if (err) {
		ptwalk_error_free(err);
	} else {
		ptw_json_key(j, "attrs");
		ptw_cli_attrs_json(j, attrs, nattrs);
	}
	ptw_json_field_string(j, "region", r->region);
	ptw_json_end_object(j);
	ptw_json_newline(j);
}

static void json_alias(void *arg, const struct ptwalk_map_alias *a)
{
	struct ptw_json *j = &((struct maps_out *)arg)->json;

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
}

static void json_gap(void *arg, const struct ptwalk_map_problem *p)
{
	struct ptw_json *j = &((struct maps_out *)arg)->json;

	ptw_json_begin_object(j);
	ptw_json_field_bool(j, "gap", true);
	ptw_json_field_hex(j, "start", p->start);
	ptw_json_field_hex(j, "end", p->end);
	ptw_json_field_hex(j, "missing_pa", p->missing_pa);
	ptw_json_field_i64(j, "level", p->level);
	ptw_json_end_object(j);
	ptw_json_newline(j);
}

static void json_bad(void *arg, const struct ptwalk_map_problem *p)
{
	struct ptw_json *j = &((struct maps_out *)arg)->json;

	ptw_json_begin_object(j);
	ptw_json_field_bool(j, "bad", true);
	ptw_json_field_hex(j, "start", p->start);
	ptw_json_field_hex(j, "end", p->end);
	ptw_json_field_i64(j, "level", p->level);
	if (p->has_entry) {
		ptw_json_field_u64(j, "index", p->index);
		ptw_json_field_hex(j, "raw", p->raw);
	}
	ptw_json_field_string(j, "reason", p->reason);
	ptw_json_end_object(j);
	ptw_json_newline(j);
}

/* "no region markers: why" */
static void on_warning(void *arg, const char *message)
{
	ptw_cli_warn(((struct maps_out *)arg)->cli, "%s", message);
}

static const struct ptwalk_maps_visitor text_visitor = {
	.marker = text_marker, .line = text_line, .skipped = text_skipped, .gap = text_gap, .bad = text_bad,
	.alias = text_alias, .warning = on_warning,
};

static const struct ptwalk_maps_visitor json_visitor = {
	.range = json_range, .gap = json_gap, .bad = json_bad, .alias = json_alias, .warning = on_warning,
};

/* The root table of the tree walked. */
static uint64_t tree_root(const struct ptwalk_dump *d, const struct ptwalk_space *space, enum ptwalk_tree tree)
{
	struct ptwalk_info info;
	uint64_t root;

	if (tree == PTWALK_TREE_USER && ptwalk_space_user_root_pa(space, &root))
		return root;
	ptwalk_dump_info(d, &info);
	return info.xlat.root_pa;
}

static int run_maps(struct ptw_cli *cli)
{
	struct maps_out o = { .cli = cli };
	struct ptwalk_dump *d;
	struct ptwalk_map_stats stats;
	uint64_t start = 0;
	struct ptwalk_error *err = ptw_cli_open(cli, &d);

	if (err)
		return ptw_cli_fail_api(cli, err);
	err = ptw_cli_space(cli, d, &o.space);
	if (err) {
		ptw_cli_close(cli, d);
		return ptw_cli_fail_api(cli, err);
	}
	ptw_json_init(&o.json, stdout);
	/* The user tree of --pgd or --pid, unless --kernel; else the kernel's
	 * from where its own page-table dump starts. */
	o.tree = (cli->have_pgd || cli->have_pid) && !cli->kernel_half ? PTWALK_TREE_USER : PTWALK_TREE_KERNEL;
	if (o.tree == PTWALK_TREE_KERNEL)
		ptwalk_maps_ptdump_start(o.space, &start);
	err = ptwalk_maps(o.space, o.tree, start, 0, true, cli->json ? &json_visitor : &text_visitor, &o, &stats);
	if (!err) {
		if (stats.gaps)
			ptw_cli_warn(cli, "%" PRIu64 " table(s) missing from the dump", stats.gaps);
		if (stats.bad)
			ptw_cli_warn(cli, "%" PRIu64 " descriptor(s) the architecture forbids", stats.bad);
		if (stats.bad_roots)
			ptw_cli_warn(cli, "the root table at 0x%" PRIx64 " cannot be read: not in physical memory",
				     tree_root(d, o.space, o.tree));
		if (stats.budget_exhausted)
			ptw_cli_warn(cli, "stopped at the work bound; the listing is incomplete");
	}
	ptw_cli_space_close(cli, o.space);
	ptw_cli_close(cli, d);
	return err ? ptw_cli_fail_api(cli, err) : PTW_EXIT_OK;
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
