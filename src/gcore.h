/* Writing an ELF core file of one user process, as the kernel's own core
 * dumps (fs/binfmt_elf.c) and gdb lay them out: NT_PRSTATUS per thread,
 * NT_PRPSINFO, NT_AUXV, NT_FILE, and PT_LOADs with the memory read through
 * the process's own page table. A page that is not mapped or not in the
 * dump is left out of every PT_LOAD (a VMA becomes several segments) and
 * counted: nothing is filled in. */
#ifndef PTW_GCORE_H
#define PTW_GCORE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "error.h"
#include "kmem.h"
#include "regs.h"
#include "task.h"
#include "xlat.h"

struct ptw_vmem;

struct ptw_gcore_stats {
	uint64_t vmas;
	uint64_t segments;
	uint64_t pages_written;
	uint64_t pages_not_present;   /* not mapped in the process's table */
	uint64_t pages_not_in_dump;   /* mapped, but the dump lacks the page */
	uint64_t threads;
	uint64_t threads_from_note;   /* registers from a CPU note (running in user mode) */
	uint64_t threads_without_regs;
	uint64_t bytes;
};

struct ptw_gcore_input {
	struct ptw_vmem *vm;                 /* the dump's memory */
	const struct ptw_kmem *mem;
	const struct ptw_task_layout *L;
	const struct ptw_regs_ops *regs;
	const struct ptw_geom *user;         /* the process's table */
	uint64_t page_size;
	const struct ptw_task *threads;      /* [0] is the thread gdb shows first */
	size_t nthreads;
	const struct ptw_prstatus *cpu_notes; /* the dump's, in CPU order */
	size_t ncpu_notes;
	uint64_t init_task;                  /* for telling processes apart without on_cpu */
};

/** Write the core to out (positioned at 0, seekable not needed). */
struct ptw_error *ptw_gcore_write(const struct ptw_gcore_input *in, FILE *out,
				  struct ptw_gcore_stats *stats_ret, struct ptw_diag *diag);

#endif
