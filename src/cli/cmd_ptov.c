/* ptov: physical to virtual, through the linear map and the kernel image alias. */
#include <inttypes.h>
#include <stdio.h>

#include "number.h"
#include "xlat_cli.h"

/* The image alias is reported only where the tables really map it back:
 * kimage_voffset alone would give an address for any PA. */
static bool kimage_confirmed(struct ptw_xctx *c, uint64_t pa, uint64_t kva)
{
	struct ptw_xres res;
	struct ptw_error *err;

	if (c->x->have_stext && (kva < (c->x->stext & ~(UINT64_C(0x1fffff))) ||
				 kva - c->x->stext > (UINT64_C(1) << 30)))
		return false;
	err = ptw_xctx_translate(c, kva, &res);
	if (err) {
		ptw_error_destroy(err);
		return false;
	}
	return res.g && res.r.have_pa && res.r.pa == pa;
}

static int run_ptov(struct ptw_cli *cli)
{
	struct ptw_xctx c;
	struct ptw_json j;
	struct ptw_error *err = ptw_xctx_open(cli, &c);
	unsigned unanswered = 0;

	if (err)
		return ptw_cli_fail(cli, err);
	ptw_json_init(&j, stdout);
	if (!cli->json)
		printf("VIRTUAL           PHYSICAL\n");
	for (size_t i = 0; i < cli->nargs; i++) {
		uint64_t pa, lin = 0, kva = 0;
		bool hl = false, hk = false;

		if (!ptw_parse_u64(cli->args[i], &pa)) {
			fflush(stdout);
			ptw_cli_usage_error(cli, "not an address: '%s'", cli->args[i]);
			ptw_xctx_close(&c);
			return PTW_EXIT_USAGE;
		}
		if (c.ops->ptov)
			c.ops->ptov(c.x, pa, &hl, &lin, &hk, &kva);
		if (hk)
			hk = kimage_confirmed(&c, pa, kva);
		if (!hl && !hk)
			unanswered++;
		if (cli->json) {
			ptw_json_begin_object(&j);
			ptw_json_field_hex(&j, "pa", pa);
			if (hl)
				ptw_json_field_hex(&j, "linear", lin);
			else
				ptw_json_field_null(&j, "linear");
			if (hk)
				ptw_json_field_hex(&j, "kimage", kva);
			else
				ptw_json_field_null(&j, "kimage");
			ptw_json_end_object(&j);
			ptw_json_newline(&j);
		} else {
			/* crash's order: the answer first, then the address asked about */
			if (hl)
				printf(PTW_COL_HEX "  " PTW_HEX "\n", lin, pa);
			if (hk)
				printf(PTW_COL_HEX "  " PTW_HEX "  (kernel image)\n", kva, pa);
			if (!hl && !hk)
				printf("%-16s  " PTW_HEX "  (no kernel mapping)\n", "-", pa);
		}
	}
	ptw_xctx_close(&c);
	return unanswered ? PTW_EXIT_UNANSWERED : PTW_EXIT_OK;
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
