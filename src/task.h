/* The dead kernel's tasks: init_task.tasks (one entry per thread group) and
 * each group's threads (signal_struct.thread_head / task_struct.thread_node).
 * The walkers read structure offsets from a struct ptw_task_layout and never
 * care where they came from: the dump's types (BTF, DWARF) or inference from
 * init_task and the task list (src/task_infer.c). Every walk is bounded and
 * cycle-checked; a bad element is one warning and is skipped. */
#ifndef PTW_TASK_H
#define PTW_TASK_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "kmem.h"

#define PTW_TASK_COMM_LEN 16
/* include/linux/sched.h */
#define PTW_PF_KTHREAD 0x00200000u

/* Offsets (bytes) of the members the walkers read. A have_* flag false
 * means the fact is not known, and what depends on it says so. */
struct ptw_task_layout {
	const char *source;           /* "types" or "inferred" */
	/* task_struct */
	uint64_t task_tasks, task_pid, task_tgid, task_comm, task_mm, task_real_parent;
	bool have_flags;
	uint64_t task_flags;
	bool have_state;
	uint64_t task_state;          /* __state (u32) or, before 5.14, state (long) */
	unsigned state_size;
	bool have_exit_state;
	uint64_t task_exit_state;
	bool have_cpu;
	uint64_t task_cpu;            /* thread_info.cpu or cpu (u32) */
	bool have_on_cpu;
	uint64_t task_on_cpu;
	bool have_stack;
	uint64_t task_stack;
	bool have_threads;            /* thread_node + signal->thread_head */
	uint64_t task_thread_node, task_signal, signal_thread_head;
	/* mm_struct */
	uint64_t mm_pgd;
	bool have_mm_mt;              /* 6.1+: the VMA maple tree */
	uint64_t mm_mt;
	uint64_t mt_flags, mt_root;   /* within struct maple_tree */
	bool have_mmap;               /* before 6.1: mm->mmap, vma->vm_next */
	uint64_t mm_mmap, vma_next;
	bool have_brk;
	uint64_t mm_start_brk, mm_brk, mm_start_stack;
	bool have_auxv;
	uint64_t mm_saved_auxv, mm_saved_auxv_size;
	/* vm_area_struct */
	uint64_t vma_start, vma_end, vma_mm, vma_flags;
	bool have_vma_pgoff;
	uint64_t vma_pgoff;
	bool have_vma_file;
	uint64_t vma_file;
	bool have_vma_special;        /* vm_ops and vm_private_data: [vdso], [vvar] */
	uint64_t vma_ops, vma_private_data;
	/* file -> path, for VMA names (fs/d_path.c) */
	bool have_paths;
	uint64_t file_path_mnt, file_path_dentry, file_inode;
	uint64_t dentry_name, dentry_parent;     /* d_name.name, d_parent */
	uint64_t mount_mnt, mount_parent, mount_mountpoint, vfsmount_root;
	bool have_inode;
	uint64_t inode_ino, inode_sb, sb_dev;
	/* The user registers saved at the top of each kernel stack. */
	bool have_pt_regs;
	uint64_t thread_size, pt_regs_size;
};

/* One task (thread), as ps shows it. */
struct ptw_task {
	uint64_t addr;                /* the task_struct */
	int32_t pid, tgid;
	bool have_ppid;
	int32_t ppid;                 /* tgid of real_parent, as /proc prints it */
	uint64_t real_parent;
	char comm[PTW_TASK_COMM_LEN + 1];
	bool have_state;
	char state;                   /* /proc letter: R S D T t X Z P I */
	bool have_flags;
	uint32_t flags;
	bool have_cpu;
	uint32_t cpu;
	bool have_running;
	bool running;                 /* on a CPU at the crash (task_struct.on_cpu) */
	uint64_t mm;                  /* 0 for kernel threads */
	bool have_pgd;
	uint64_t pgd;                 /* mm->pgd, kernel VA */
	uint64_t pgd_pa;
	uint64_t leader;              /* task_struct of its thread group's leader */
};

static inline bool ptw_task_is_kthread(const struct ptw_task *t, bool *known_ret)
{
	*known_ret = t->have_flags;
	return t->have_flags ? (t->flags & PTW_PF_KTHREAD) != 0 : t->mm == 0;
}

struct ptw_task_limits {
	uint64_t max_tasks;           /* threads visited at most */
};

#define PTW_TASK_MAX_DEFAULT (UINT64_C(1) << 22) /* PID_MAX_LIMIT */

/** Called per task in list order (each leader, then its other threads);
 * return false to stop. */
typedef bool ptw_task_fn(void *arg, const struct ptw_task *t);

/** Walk every task from init_task. Bad elements are warnings in diag; the
 * error return is for allocation failure or an unreadable init_task. */
struct ptw_error *ptw_tasks_walk(const struct ptw_kmem *mem, const struct ptw_task_layout *L,
				 uint64_t init_task, const struct ptw_task_limits *lim,
				 ptw_task_fn *fn, void *arg, struct ptw_diag *diag);

/** Read one task_struct's facts (no list walking). */
struct ptw_error *ptw_task_read(const struct ptw_kmem *mem, const struct ptw_task_layout *L,
				uint64_t addr, struct ptw_task *ret);

/** Find the task with this pid (thread id); INVALID_ARGUMENT naming it if
 * there is none. */
struct ptw_error *ptw_task_find(const struct ptw_kmem *mem, const struct ptw_task_layout *L,
				uint64_t init_task, uint64_t pid, struct ptw_task *ret,
				struct ptw_diag *diag);

/** The threads of t's group (t included), up to max; *n_ret how many. */
struct ptw_error *ptw_task_threads(const struct ptw_kmem *mem, const struct ptw_task_layout *L,
				   const struct ptw_task *t, struct ptw_task *out, size_t max,
				   size_t *n_ret, struct ptw_diag *diag);

/** Whether a comm (16 bytes) is a NUL-terminated printable string. */
bool ptw_task_comm_ok(const unsigned char *b);


/* What inference starts from: addresses the symbols give. */
struct ptw_task_anchors {
	uint64_t init_task;
	uint64_t init_mm;             /* 0: not known */
	uint64_t kernel_root_pa;      /* physical root of the kernel tree (init_mm.pgd) */
	uint64_t kernel_root_va;      /* its kernel VA (swapper_pg_dir), 0 if not known */
	uint64_t granule;             /* page size: a root may sit inside its page */
};

/** Infer the layout from init_task, init_mm and the task list, for a kernel
 * whose dump carries no types. Each fact is accepted only when every task
 * (and every VMA read to check it) agrees and only one offset fits; a fact
 * the walkers need that cannot be established is BAD_DATA naming it.
 * Facts only some commands need are left with have_* false. */
struct ptw_error *ptw_task_layout_infer(const struct ptw_kmem *mem, const struct ptw_task_anchors *a,
					struct ptw_task_layout *ret);

struct ptw_regs_ops;
struct ptw_prstatus;
/** For layouts without task_struct.on_cpu: per CPU note, the mm of the one
 * process with a VMA holding the note's user stack pointer (0 when the CPU
 * was not in user mode, or no single process holds it). src/task_notes.c */
struct ptw_error *ptw_notes_user_mms(const struct ptw_kmem *mem, const struct ptw_task_layout *L,
				     uint64_t init_task, const struct ptw_regs_ops *regs,
				     const struct ptw_prstatus *notes, size_t nnotes, uint64_t *mm_ret);

struct ptw_types;
/** The layout from the dump's types (src/task_types.c). BAD_DATA naming the
 * first member the walkers need that the types lack. */
struct ptw_error *ptw_task_layout_from_types(const struct ptw_types *t, struct ptw_task_layout *ret);

#endif
