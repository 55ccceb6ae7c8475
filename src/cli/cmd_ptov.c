/* ptov: physical to virtual, through the linear map and the kernel image alias. */
#include <inttypes.h>
#include <stdio.h>

#include "api_cli.h"
#include "cli.h"
#include "format.h"
#include "json.h"

static int run_ptov(struct ptw_cli *cli)
{
	struct ptwalk_dump *d;
	struct ptwalk_space *s = NULL;
	struct ptw_json j;
	struct ptwalk_error *err = ptw_cli_open(cli, &d);
	unsigned unanswered = 0;
	int rc = PTW_EXIT_OK;

	/* The translation is needed (the image alias is checked in the
	 * tables): without it, fail as every translating command does. */
	if (!err) {
		err = ptwalk_space_kernel(d, &s);
		ptwalk_space_close(s);
	}
	if (err) {
		ptw_cli_close(cli, d);
		return ptw_cli_fail_api(cli, err);
	}
	ptw_json_init(&j, stdout);
	if (!cli->json)
		printf("VIRTUAL           PHYSICAL\n");
	for (size_t i = 0; i < cli->nargs; i++) {
		struct ptwalk_ptov p;
		uint64_t pa;

		if (!ptw_cli_number(cli->args[i], &pa)) {
			fflush(stdout);
			rc = ptw_cli_usage_error(cli, "not an address: '%s'", cli->args[i]);
			goto out;
		}
		err = ptwalk_ptov(d, pa, &p);
		if (err) {
			rc = ptw_cli_fail_api(cli, err);
			goto out;
		}
		if (!p.have_linear && !p.have_kimage)
			unanswered++;
		if (cli->json) {
			ptw_json_begin_object(&j);
			ptw_json_field_hex(&j, "pa", pa);
			if (p.have_linear)
				ptw_json_field_hex(&j, "linear", p.linear);
			else
				ptw_json_field_null(&j, "linear");
			if (p.have_kimage)
				ptw_json_field_hex(&j, "kimage", p.kimage);
			else
				ptw_json_field_null(&j, "kimage");
			ptw_json_end_object(&j);
			ptw_json_newline(&j);
		} else {
			/* crash's order: the answer first, then the address asked about */
			if (p.have_linear)
				printf(PTW_COL_HEX "  " PTW_HEX "\n", p.linear, pa);
			if (p.have_kimage)
				printf(PTW_COL_HEX "  " PTW_HEX "  (kernel image)\n", p.kimage, pa);
			if (!p.have_linear && !p.have_kimage)
				printf("%-16s  " PTW_HEX "  (no kernel mapping)\n", "-", pa);
		}
	}
	rc = unanswered ? PTW_EXIT_UNANSWERED : PTW_EXIT_OK;
out:
	ptw_cli_close(cli, d);
	return rc;
}

const struct ptw_command ptw_cmd_ptov = {
	.name = "ptov",
	.run = run_ptov,
	.synopsis = "DUMP PADDR... [--json]",
	.summary = "physical to virtual: the linear-map alias, and the kernel image alias",
	.details = "Text as crash prints it: VIRTUAL then PHYSICAL, one line per alias; an address\n"
		   "with neither prints - and (no kernel mapping), exit 4.\n"
		   "The linear alias is __phys_to_virt() of the dump's kernel; the image alias\n"
		   "(PA + kimage_voffset) is shown only where the tables map it back to PADDR.",
	.options = PTW_OPTS_COMMON & ~PTW_OPT_BTF, /* types change nothing here */
	.min_args = 1,
	.max_args = (size_t)-1,
};
