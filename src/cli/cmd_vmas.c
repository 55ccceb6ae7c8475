/* vmas: a process's VMAs as /proc/PID/maps prints them (crash's vm). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "dump.h"
#include "json.h"
#include "task_cli.h"
#include "vma.h"
#include "vmem.h"
#include "walk.h"

struct vmas_out {
	struct ptw_tctx *tc;
	const struct ptw_cli *cli;
	struct ptw_json json;
	struct ptw_geom g;
	struct ptw_walker *w;
	uint64_t count;
	struct ptw_error *err;
};

struct page_counts {
	uint64_t present, not_present, not_in_dump, bad;
};

/* Pages of [start, end) by what the process's table says of them. */
static struct ptw_error *count_pages(struct vmas_out *o, uint64_t start, uint64_t end,
				     struct page_counts *pc)
{
	uint64_t gran = o->tc->dump->xlat.granule ? o->tc->dump->xlat.granule : 4096;
	struct ptw_walk_iter it;
	struct ptw_walk_result r;
	bool done = false;

	memset(pc, 0, sizeof(*pc));
	ptw_walk_iter_init(&it, o->w, &o->g, start, end);
	for (;;) {
		struct ptw_error *err = ptw_walk_next(&it, &r, &done);
		uint64_t lo, hi, n;

		if (err)
			return err;
		if (done)
			break;
		lo = r.range_start > start ? r.range_start : start;
		hi = (r.range_end == 0 || r.range_end > end) ? end : r.range_end;
		if (hi <= lo)
			continue;
		n = (hi - lo + gran - 1) / gran;
		switch (r.status) {
		case PTW_WALK_OK: pc->present += n; break;
		case PTW_WALK_NOT_IN_DUMP: pc->not_in_dump += n; break;
		case PTW_WALK_BAD_TABLE: pc->bad += n; break;
		default: pc->not_present += n; break;
		}
	}
	return NULL;
}

static bool on_vma(void *arg, const struct ptw_vma *v)
{
	struct vmas_out *o = arg;
	uint64_t page_shift = 12;
	struct page_counts pc;
	char perms[5];

	for (uint64_t g = o->tc->dump->xlat.granule; g > 1 && g >> page_shift > 1; )
		page_shift++;
	ptw_vma_perms(v, perms);
	o->count++;
	if (o->cli->pages && (o->err = count_pages(o, v->start, v->end, &pc)))
		return false;
	if (o->cli->json) {
		struct ptw_json *j = &o->json;

		ptw_json_begin_object(j);
		ptw_json_field_hex(j, "start", v->start);
		ptw_json_field_hex(j, "end", v->end);
		ptw_json_field_string(j, "perms", perms);
		if (v->have_pgoff)
			ptw_json_field_u64(j, "pgoff", v->file ? v->pgoff << page_shift : 0);
		else
			ptw_json_field_null(j, "pgoff");
		if (v->have_dev) {
			char dev[32];

			snprintf(dev, sizeof(dev), "%02x:%02x", v->major, v->minor);
			ptw_json_field_string(j, "dev", dev);
			ptw_json_field_u64(j, "inode", v->ino);
		} else {
			ptw_json_field_null(j, "dev");
			ptw_json_field_null(j, "inode");
		}
		if (v->have_name)
			ptw_json_field_string(j, "path", v->name);
		else
			ptw_json_field_null(j, "path");
		ptw_json_field_hex(j, "vma", v->addr);
		if (v->file)
			ptw_json_field_hex(j, "file", v->file);
		if (o->cli->pages) {
			ptw_json_key(j, "pages");
			ptw_json_begin_object(j);
			ptw_json_field_u64(j, "present", pc.present);
			ptw_json_field_u64(j, "not_present", pc.not_present);
			ptw_json_field_u64(j, "not_in_dump", pc.not_in_dump);
			ptw_json_field_u64(j, "bad_table", pc.bad);
			ptw_json_end_object(j);
		}
		ptw_json_end_object(j);
		ptw_json_newline(j);
		return true;
	}
	/* fs/proc/task_mmu.c show_vma_header_prefix(), then the name padded
	 * to column 73. The offset is vm_pgoff of a file mapping, 0 for
	 * anonymous ones (as show_map_vma() prints it). Facts the dump does
	 * not tell print as '?'. */
	char line[160];
	int n;

	if (v->have_pgoff)
		n = snprintf(line, sizeof(line), "%08" PRIx64 "-%08" PRIx64 " %s %08" PRIx64, v->start, v->end,
			     perms, v->file ? v->pgoff << page_shift : 0);
	else
		n = snprintf(line, sizeof(line), "%08" PRIx64 "-%08" PRIx64 " %s ????????", v->start, v->end, perms);
	if (v->have_dev)
		n += snprintf(line + n, sizeof(line) - (size_t)n, " %02x:%02x %" PRIu64 " ", v->major, v->minor, v->ino);
	else
		n += snprintf(line + n, sizeof(line) - (size_t)n, " ??:?? ? ");
	fputs(line, stdout);
	if (v->have_name || (v->file && !v->have_name)) {
		for (int k = n; k < 72; k++)
			putchar(' ');
		printf(" %s", v->have_name ? v->name : "?");
	}
	if (o->cli->pages)
		printf("  present=%" PRIu64 " not-present=%" PRIu64 " not-in-dump=%" PRIu64 "%s", pc.present,
		       pc.not_present, pc.not_in_dump, pc.bad ? " bad-table" : "");
	putchar('\n');
	return true;
}

static int run_vmas(struct ptw_cli *cli)
{
	struct ptw_tctx tc;
	struct vmas_out o = { .tc = &tc, .cli = cli };
	struct ptw_task t;
	struct ptw_error *err;

	if (!cli->have_pid)
		return ptw_cli_usage_error(cli, "which process: --pid PID is required");
	err = ptw_tctx_open(cli, NULL, &tc);
	if (err)
		return ptw_cli_fail(cli, err);
	ptw_json_init(&o.json, stdout);
	err = ptw_tctx_pid(&tc, cli->pid, &t, cli->pages ? &o.g : NULL);
	if (!err) {
		o.w = ptw_vmem_walker(tc.vm);
		if (!tc.env.layout.have_vma_file)
			ptw_cli_warn(cli, "no types in the dump: the offset, device, inode and path of each VMA are not known");
		err = ptw_vmas_walk(&tc.mem, &tc.env.layout, t.mm, PTW_VMA_MAX_DEFAULT, on_vma, &o, &tc.diag);
	}
	if (!err)
		err = o.err;
	ptw_tctx_close(&tc);
	return err ? ptw_cli_fail(cli, err) : PTW_EXIT_OK;
}

const struct ptw_command ptw_cmd_vmas = {
	.name = "vmas",
	.run = run_vmas,
	.synopsis = "DUMP --pid PID [--pages] [--json]",
	.summary = "the virtual memory areas of one process (crash vm, /proc/PID/maps)",
	.details =
		"Text as /proc/PID/maps prints it: START-END PERMS OFFSET DEV INODE PATH, with\n"
		"[heap], [stack], [vdso] and [vvar] where the kernel names them. The VMAs come from\n"
		"the mm's maple tree (6.1+) or mmap list; paths are built from the dentries.\n"
		"--pages adds, per VMA, the pages present, not present, and present in the tables\n"
		"but not in the dump. Without types (BTF or DWARF) the offset, device, inode and\n"
		"path are not known and print as '?' (null in --json).",
	.options = PTW_OPTS_COMMON | PTW_OPT_PID | PTW_OPT_PAGES,
	.min_args = 0,
	.max_args = 0,
};
