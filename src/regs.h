/* User registers of a thread, as an ELF core's NT_PRSTATUS holds them
 * (elf_gregset_t): from the pt_regs the kernel saved at the top of the
 * thread's kernel stack on entry, or from the dump's CPU note for a thread
 * that was running in user mode. One ops table per arch (arch/<arch>/regs.c). */
#ifndef PTW_REGS_H
#define PTW_REGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "source.h"

#define PTW_MAX_GREGS 34

struct ptw_regs_ops {
	unsigned e_machine;        /* EM_AARCH64, EM_X86_64 */
	unsigned ngregs;           /* elf_gregset_t words */
	size_t prstatus_size;      /* sizeof(struct elf_prstatus) */
	/* Kernel stack sizes to try, smallest first (THREAD_SIZE depends on
	 * the page size and KASAN), and padding above pt_regs. */
	uint64_t thread_sizes[3];
	uint64_t top_paddings[2];
	/** Fill gregs from a pt_regs image; false when it does not hold a
	 * user-mode context (so it is not the saved user state). */
	bool (*from_pt_regs)(const unsigned char *pt_regs, size_t len, uint64_t *gregs);
	/** Fill gregs from a CPU note; false when the CPU was not in user mode. */
	bool (*from_note)(const struct ptw_prstatus *note, uint64_t *gregs);
	/** The program counter and the stack pointer in gregs. */
	unsigned pc_index;
	unsigned sp_index;
};

extern const struct ptw_regs_ops ptw_regs_arm64;
extern const struct ptw_regs_ops ptw_regs_x86_64;

#endif
