/* layout: the regions of the kernel virtual address space of this dump. */
#include <inttypes.h>
#include <stdio.h>

#include "api_cli.h"
#include "cli.h"
#include "format.h"
#include "json.h"

/* Regions are collected before anything is printed: a layout that fails
 * prints nothing. More than this many is more than any layout has. */
#define MAX_REGIONS 64

struct region_list {
	size_t n;
	bool truncated;
	struct ptwalk_region r[MAX_REGIONS];
};

static bool collect_region(void *arg, const struct ptwalk_region *r)
{
	struct region_list *l = arg;

	if (l->n == MAX_REGIONS) {
		l->truncated = true;
		return false;
	}
	l->r[l->n++] = *r;
	return true;
}

static void print_json(const struct region_list *l)
{
	struct ptw_json j;

	ptw_json_init(&j, stdout);
	ptw_json_begin_object(&j);
	ptw_json_key(&j, "regions");
	ptw_json_begin_array(&j);
	for (size_t i = 0; i < l->n; i++) {
		const struct ptwalk_region *r = &l->r[i];

		ptw_json_begin_object(&j);
		ptw_json_field_string(&j, "name", r->name);
		ptw_json_field_hex(&j, "start", r->start);
		if (r->end)
			ptw_json_field_hex(&j, "end", r->end);
		else
			ptw_json_field_string(&j, "end", "0x10000000000000000");
		ptw_json_field_u64(&j, "size", r->end - r->start); /* end 0 = 2^64: wraps right */
		ptw_json_field_string(&j, "source", r->source);
		ptw_json_end_object(&j);
	}
	ptw_json_end_array(&j);
	ptw_json_end_object(&j);
	ptw_json_newline(&j);
}

static void print_text(const struct region_list *l)
{
	printf("%-16s  %-16s  %8s  %s\n", "START", "END", "SIZE", "NAME");
	for (size_t i = 0; i < l->n; i++) {
		const struct ptwalk_region *r = &l->r[i];
		char sz[PTW_SIZE_TEXT_MAX];

		ptw_size_text(r->end - r->start, sz, sizeof(sz)); /* end 0 = 2^64: wraps right */
		printf(PTW_COL_HEX "  " PTW_COL_HEX "  %8s  %s\n", r->start, r->end - 1, sz, r->name);
	}
}

static int run_layout(struct ptw_cli *cli)
{
	struct region_list regions = { .n = 0 };
	struct ptwalk_dump *d;
	struct ptwalk_space *space = NULL;
	struct ptwalk_error *err = ptw_cli_open(cli, &d);

	if (err)
		return ptw_cli_fail_api(cli, err);
	err = ptwalk_space_kernel(d, &space);
	if (!err)
		err = ptwalk_layout(space, collect_region, &regions);
	if (!err && regions.truncated)
		err = ptwalk_error_create(PTWALK_E_BAD_DATA, "more than %d regions in the layout", MAX_REGIONS);
	if (!err) {
		if (cli->json)
			print_json(&regions);
		else
			print_text(&regions);
	}
	ptw_cli_space_close(cli, space);
	ptw_cli_close(cli, d);
	return err ? ptw_cli_fail_api(cli, err) : PTW_EXIT_OK;
}

const struct ptw_command ptw_cmd_layout = {
	.name = "layout",
	.run = run_layout,
	.synopsis = "DUMP [--json]",
	.summary = "the regions of the kernel virtual address space of this dump",
	.details = "Regions as Documentation/arch/arm64/memory.rst describes them for the dump's\n"
		   "kernel, from VMCOREINFO where it exports them; the kernel image's end is taken\n"
		   "from the tables. Text shows inclusive ends; JSON 'end' is exclusive.",
	.options = PTW_OPTS_COMMON & ~PTW_OPT_BTF, /* types change nothing here */
	.min_args = 0,
	.max_args = 0,
};
