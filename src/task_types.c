/* The task layout from the dump's types (BTF or DWARF), by member name:
 * each version's spelling is tried in turn (__state before state,
 * thread_info.cpu before cpu). Facts the walkers cannot do without are an
 * error naming the member; the rest are optional. */
#include "task.h"

#include <stddef.h>

#include "maple.h"
#include "types.h"

struct want {
	const char *type;
	const char *paths[3];    /* spellings, tried in order */
	size_t off;              /* offsetof(struct ptw_task_layout, field) */
};

#define F(field) offsetof(struct ptw_task_layout, field)

/* Members every walk needs. */
static const struct want required[] = {
	{ "task_struct", { "tasks" }, F(task_tasks) },
	{ "task_struct", { "pid" }, F(task_pid) },
	{ "task_struct", { "tgid" }, F(task_tgid) },
	{ "task_struct", { "comm" }, F(task_comm) },
	{ "task_struct", { "mm" }, F(task_mm) },
	{ "task_struct", { "real_parent" }, F(task_real_parent) },
	{ "mm_struct", { "pgd" }, F(mm_pgd) },
	{ "vm_area_struct", { "vm_start" }, F(vma_start) },
	{ "vm_area_struct", { "vm_end" }, F(vma_end) },
	{ "vm_area_struct", { "vm_mm" }, F(vma_mm) },
	{ "vm_area_struct", { "vm_flags", "__vm_flags" }, F(vma_flags) },
};

static bool member(const struct ptw_types *t, const struct want *w, uint64_t *off_ret)
{
	for (size_t i = 0; i < 3 && w->paths[i]; i++) {
		struct ptw_error *err = ptw_types_member_offset(t, w->type, w->paths[i], off_ret);

		if (!err)
			return true;
		ptw_error_destroy(err);
	}
	return false;
}

static bool one(const struct ptw_types *t, const char *type, const char *path, uint64_t *ret)
{
	struct want w = { type, { path }, 0 };

	return member(t, &w, ret);
}

/* Every member in the list, or none (have stays false). */
static bool group(const struct ptw_types *t, const struct want *ws, size_t n, struct ptw_task_layout *L)
{
	uint64_t v[16];

	for (size_t i = 0; i < n; i++)
		if (!member(t, &ws[i], &v[i]))
			return false;
	for (size_t i = 0; i < n; i++)
		*(uint64_t *)((char *)L + ws[i].off) = v[i];
	return true;
}

struct ptw_error *ptw_task_layout_from_types(const struct ptw_types *t, struct ptw_task_layout *ret)
{
	struct ptw_task_layout L = { .source = "types", .state_size = 4 };
	uint64_t size;

	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		uint64_t off;

		if (!member(t, &required[i], &off))
			return ptw_error_create(PTW_E_BAD_DATA, "the dump's %s types have no %s.%s",
						ptw_types_source(t), required[i].type, required[i].paths[0]);
		*(uint64_t *)((char *)&L + required[i].off) = off;
	}
	L.have_flags = one(t, "task_struct", "flags", &L.task_flags);
	if (one(t, "task_struct", "__state", &L.task_state)) {
		L.have_state = true;
	} else if (one(t, "task_struct", "state", &L.task_state)) {
		L.have_state = true;
		L.state_size = 8;
	}
	L.have_exit_state = one(t, "task_struct", "exit_state", &L.task_exit_state);
	L.have_cpu = one(t, "task_struct", "thread_info.cpu", &L.task_cpu) ||
		     one(t, "task_struct", "cpu", &L.task_cpu);
	L.have_on_cpu = one(t, "task_struct", "on_cpu", &L.task_on_cpu);
	L.have_stack = one(t, "task_struct", "stack", &L.task_stack);
	static const struct want threads[] = {
		{ "task_struct", { "thread_node" }, F(task_thread_node) },
		{ "task_struct", { "signal" }, F(task_signal) },
		{ "signal_struct", { "thread_head" }, F(signal_thread_head) },
	};
	L.have_threads = group(t, threads, 3, &L);
	if (one(t, "mm_struct", "mm_mt", &L.mm_mt)) {
		L.have_mm_mt = true;
		if (!one(t, "maple_tree", "ma_flags", &L.mt_flags))
			L.mt_flags = PTW_MAPLE_TREE_FLAGS_OFF;
		if (!one(t, "maple_tree", "ma_root", &L.mt_root))
			L.mt_root = PTW_MAPLE_TREE_ROOT_OFF;
	}
	static const struct want mmap[] = {
		{ "mm_struct", { "mmap" }, F(mm_mmap) },
		{ "vm_area_struct", { "vm_next" }, F(vma_next) },
	};
	L.have_mmap = !L.have_mm_mt && group(t, mmap, 2, &L);
	static const struct want brk[] = {
		{ "mm_struct", { "start_brk" }, F(mm_start_brk) },
		{ "mm_struct", { "brk" }, F(mm_brk) },
		{ "mm_struct", { "start_stack" }, F(mm_start_stack) },
	};
	L.have_brk = group(t, brk, 3, &L);
	if (one(t, "mm_struct", "saved_auxv", &L.mm_saved_auxv)) {
		struct ptw_error *err = ptw_types_member_size(t, "mm_struct", "saved_auxv", &L.mm_saved_auxv_size);

		if (err)
			ptw_error_destroy(err);
		else
			L.have_auxv = true;
	}
	L.have_vma_pgoff = one(t, "vm_area_struct", "vm_pgoff", &L.vma_pgoff);
	L.have_vma_file = one(t, "vm_area_struct", "vm_file", &L.vma_file);
	static const struct want special[] = {
		{ "vm_area_struct", { "vm_ops" }, F(vma_ops) },
		{ "vm_area_struct", { "vm_private_data" }, F(vma_private_data) },
	};
	L.have_vma_special = group(t, special, 2, &L);
	static const struct want paths[] = {
		{ "file", { "f_path.mnt" }, F(file_path_mnt) },
		{ "file", { "f_path.dentry" }, F(file_path_dentry) },
		{ "file", { "f_inode" }, F(file_inode) },
		{ "dentry", { "d_name.name" }, F(dentry_name) },
		{ "dentry", { "d_parent" }, F(dentry_parent) },
		{ "mount", { "mnt" }, F(mount_mnt) },
		{ "mount", { "mnt_parent" }, F(mount_parent) },
		{ "mount", { "mnt_mountpoint" }, F(mount_mountpoint) },
		{ "vfsmount", { "mnt_root" }, F(vfsmount_root) },
	};
	L.have_paths = group(t, paths, sizeof(paths) / sizeof(paths[0]), &L);
	static const struct want inode[] = {
		{ "inode", { "i_ino" }, F(inode_ino) },
		{ "inode", { "i_sb" }, F(inode_sb) },
		{ "super_block", { "s_dev" }, F(sb_dev) },
	};
	L.have_inode = L.have_paths && group(t, inode, 3, &L);
	if (L.have_stack) {
		struct ptw_error *err = ptw_types_struct_size(t, "pt_regs", &size);

		if (err) {
			ptw_error_destroy(err);
		} else {
			L.have_pt_regs = true;
			L.pt_regs_size = size;
		}
	}
	*ret = L;
	return NULL;
}
