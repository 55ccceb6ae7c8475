/* ptwalk check: audit the page tables and the translation configuration. */
#include <inttypes.h>
#include <stdio.h>

#include "api_cli.h"
#include "cli.h"
#include "format.h"
#include "json.h"

struct check_out {
	bool json_mode;
	struct ptw_json json;
};

static void print_finding(void *arg, const struct ptwalk_finding *f)
{
	struct check_out *o = arg;
	if (o->json_mode) {
		struct ptw_json *j = &o->json;
		ptw_json_begin_object(j);
		ptw_json_field_string(j, "kind", f->kind);
		ptw_json_key(j, "va");
		f->has_va ? ptw_json_hex(j, f->va) : ptw_json_null(j);
		if (f->has_va && f->end)
			ptw_json_field_hex(j, "end", f->end);
		ptw_json_key(j, "pa");
		f->has_pa ? ptw_json_hex(j, f->pa) : ptw_json_null(j);
		ptw_json_key(j, "level");
		f->has_level ? ptw_json_i64(j, f->level) : ptw_json_null(j);
		ptw_json_key(j, "raw");
		f->has_raw ? ptw_json_hex(j, f->raw) : ptw_json_null(j);
		ptw_json_field_string(j, "detail", f->detail);
		ptw_json_end_object(j);
		ptw_json_newline(j);
		return;
	}
	printf("%-20s", f->kind);
	if (f->has_va)
		printf(" va " PTW_HEX, f->va);
	if (f->has_va && f->end)
		printf("-" PTW_HEX, f->end);
	if (f->has_pa)
		printf(" pa " PTW_HEX, f->pa);
	if (f->has_level)
		printf(" level %d", f->level);
	if (f->has_raw)
		printf(" raw " PTW_HEX, f->raw);
	printf("  %s\n", f->detail);
}

static int run_check(struct ptw_cli *cli)
{
	struct ptwalk_dump *d = NULL;
	struct ptwalk_space *s = NULL;
	struct ptwalk_error *err = ptw_cli_open(cli, &d);
	struct check_out o = { .json_mode = cli->json };
	uint64_t count = 0;
	bool have_user;

	if (!err)
		err = ptw_cli_space(cli, d, &s);
	if (!err) {
		have_user = ptwalk_space_user_root_pa(s, NULL);
		ptw_json_init(&o.json, stdout);
		err = ptwalk_check(s, !cli->user_half, have_user && !cli->kernel_half, print_finding, &o, &count);
	}
	ptwalk_space_close(s);
	ptw_cli_close(cli, d);
	if (err)
		return ptw_cli_fail_api(cli, err);
	if (!cli->json)
		printf("%" PRIu64 " finding%s\n", count, count == 1 ? "" : "s");
	return count ? PTW_EXIT_FINDINGS : PTW_EXIT_OK;
}

const struct ptw_command ptw_cmd_check = {
	.name = "check",
	.run = run_check,
	.synopsis = "DUMP [--kernel | --user] [--pgd PA | --pid PID] [--json]",
	.summary = "audit the page tables and the configuration; one finding per problem",
	.details =
		"Kinds: wx (writable and executable kernel mapping), user-kernel (kernel page\n"
		"accessible from EL0), reserved-bits, bad-block-level, outside-memory (a table,\n"
		"or a normal-memory mapping, outside the dump's physical memory), missing-tables\n"
		"(with a count), table-loop, table-alias (a table more than one entry points\n"
		"at, with the count; its mappings are reported once), linear-map-mismatch,\n"
		"config-conflict (VMCOREINFO\n"
		"against itself or the tables). Exit 0 when clean, 3 with findings.",
	.options = PTW_OPTS_COMMON | PTW_OPT_PGD | PTW_OPT_HALF | PTW_OPT_PID,
	.min_args = 0,
	.max_args = 0,
};
