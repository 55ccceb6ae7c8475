/* vmas: a process's VMAs as /proc/PID/maps prints them (crash's vm). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "api_cli.h"
#include "cli.h"
#include "json.h"

struct vmas_out {
	const struct ptw_cli *cli;
	struct ptw_json json;
	struct ptwalk_space *space;
	unsigned granule;
	uint64_t count;
	struct ptwalk_error *err;
};

static bool on_vma(void *arg, const struct ptwalk_vma *v)
{
	struct vmas_out *o = arg;
	uint64_t page_shift = 12;
	struct ptwalk_page_counts pc;
	const char *perms = v->perms;
	bool have_name = v->name != NULL;

	for (uint64_t g = o->granule; g > 1 && g >> page_shift > 1; )
		page_shift++;
	o->count++;
	if (o->cli->pages &&
	    (o->err = ptwalk_count_pages(o->space, PTWALK_TREE_USER, v->start, v->end, &pc)))
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
		if (have_name)
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
			ptw_json_field_u64(j, "bad_table", pc.bad_table);
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
	if (have_name || (v->file && !have_name)) {
		for (int k = n; k < 72; k++)
			putchar(' ');
		printf(" %s", have_name ? v->name : "?");
	}
	if (o->cli->pages)
		printf("  present=%" PRIu64 " not-present=%" PRIu64 " not-in-dump=%" PRIu64 "%s", pc.present,
		       pc.not_present, pc.not_in_dump, pc.bad_table ? " bad-table" : "");
	putchar('\n');
	return true;
}

static int run_vmas(struct ptw_cli *cli)
{
	struct vmas_out o = { .cli = cli };
	struct ptwalk_dump *d = NULL;
	struct ptwalk_task_layout_info layout;
	struct ptwalk_info info;
	struct ptwalk_error *err;

	if (!cli->have_pid)
		return ptw_cli_usage_error(cli, "which process: --pid PID is required");
	err = ptw_cli_open(cli, &d);
	if (!err)
		err = ptwalk_task_layout(d, &layout);
	if (err) {
		ptw_cli_close(cli, d);
		return ptw_cli_fail_api(cli, err);
	}
	ptwalk_dump_info(d, &info);
	o.granule = info.xlat.granule;
	ptw_json_init(&o.json, stdout);
	/* The process, with its table (for --pages): unknown pids and
	 * kernel threads fail here. */
	err = ptwalk_space_user_pid(d, cli->pid, &o.space);
	if (!err) {
		if (!layout.have_vma_file)
			ptw_cli_warn(cli, "no types in the dump: the offset, device, inode and path of each VMA are not known");
		err = ptwalk_vmas(d, cli->pid, on_vma, &o);
	}
	if (!err)
		err = o.err;
	ptwalk_space_close(o.space);
	ptw_cli_close(cli, d);
	return err ? ptw_cli_fail_api(cli, err) : PTW_EXIT_OK;
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
