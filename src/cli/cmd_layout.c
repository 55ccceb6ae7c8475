/* layout: the regions of the kernel virtual address space of this dump. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "xlat_cli.h"

/* How far past its start the kernel image is followed in the tables. */
#define KIMAGE_MAX (UINT64_C(128) << 20)

/* The end of the image: the end of the last range from `start` on that the
 * tables map at the image's own offset (PA = VA - kimage_voffset). Holes are
 * stepped over (6.x unmaps __init after boot, free_initmem()). Bounded by
 * KIMAGE_MAX and by the iterator's budget. */
static bool kimage_end(struct ptw_xctx *c, uint64_t start, uint64_t *end_ret)
{
	struct ptw_walk_iter it;
	struct ptw_walk_result r;
	bool done, any = false;
	uint64_t end = start;

	ptw_walk_iter_init(&it, c->w, &c->x->kernel, start, start + KIMAGE_MAX);
	for (;;) {
		struct ptw_error *err = ptw_walk_next(&it, &r, &done);

		if (err) {
			ptw_error_destroy(err);
			break;
		}
		if (done)
			break;
		if (r.have_pa && r.pa == r.va - c->x->kimage_voffset) {
			any = true;
			end = r.range_end;
		}
	}
	*end_ret = end;
	return any;
}

/* Whether va is mapped in the kernel's table: for regions whose extent
 * depends on build options the tables show. */
static bool va_is_mapped(void *arg, uint64_t va)
{
	struct ptw_xctx *c = arg;
	struct ptw_walk_result r;
	struct ptw_error *err = ptw_walk(c->w, &c->x->kernel, va, &r);

	if (err) {
		ptw_error_destroy(err);
		return false;
	}
	return r.status == PTW_WALK_OK || r.have_pa;
}

static int run_layout(struct ptw_cli *cli)
{
	struct ptw_xctx c;
	struct ptw_regions rg;
	struct ptw_json j;
	struct ptw_error *err = ptw_xctx_open(cli, &c);

	if (err)
		return ptw_cli_fail(cli, err);
	if (!c.ops->layout) {
		ptw_xctx_close(&c);
		return ptw_cli_fail(cli, ptw_error_create(PTW_E_NOT_IMPLEMENTED, "layout is not implemented for %s",
							  c.ops->name));
	}
	err = c.ops->layout(c.x, &c.dump->vmcoreinfo, va_is_mapped, &c, &rg);
	if (err) {
		ptw_xctx_close(&c);
		return ptw_cli_fail(cli, err);
	}
	/* Check the kernel image against the tables, and take its end from them. */
	for (unsigned i = 0; i < rg.n; i++) {
		uint64_t end;

		if (strcmp(rg.r[i].name, "kernel image") != 0 || !c.x->have_kimage_voffset)
			continue;
		if (kimage_end(&c, rg.r[i].start, &end) && i + 1 < rg.n && end <= rg.r[i + 1].end) {
			rg.r[i].end = end;
			rg.r[i].source = "tables";
			rg.r[i + 1].start = end;
		}
	}
	ptw_json_init(&j, stdout);
	if (cli->json) {
		ptw_json_begin_object(&j);
		ptw_json_key(&j, "regions");
		ptw_json_begin_array(&j);
	} else {
		printf("%-16s  %-16s  %8s  %s\n", "START", "END", "SIZE", "NAME");
	}
	for (unsigned i = 0; i < rg.n; i++) {
		const struct ptw_region *r = &rg.r[i];
		uint64_t size = r->end - r->start; /* end 0 = 2^64: wraps right */

		if (cli->json) {
			ptw_json_begin_object(&j);
			ptw_json_field_string(&j, "name", r->name);
			ptw_json_field_hex(&j, "start", r->start);
			if (r->end)
				ptw_json_field_hex(&j, "end", r->end);
			else
				ptw_json_field_string(&j, "end", "0x10000000000000000");
			ptw_json_field_u64(&j, "size", size);
			ptw_json_field_string(&j, "source", r->source);
			ptw_json_end_object(&j);
		} else {
			char sz[PTW_SIZE_TEXT_MAX];

			ptw_size_text(size, sz, sizeof(sz));
			printf(PTW_COL_HEX "  " PTW_COL_HEX "  %8s  %s\n", r->start, r->end - 1, sz, r->name);
		}
	}
	if (cli->json) {
		ptw_json_end_array(&j);
		ptw_json_end_object(&j);
		ptw_json_newline(&j);
	}
	ptw_xctx_close(&c);
	return PTW_EXIT_OK;
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
