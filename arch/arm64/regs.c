/* arm64 user registers: struct user_pt_regs (regs[31], sp, pc, pstate) is
 * the start of the kernel's struct pt_regs (arch/arm64/include/asm/ptrace.h)
 * and is the core file's elf_gregset_t. */
#include <elf.h>
#include <string.h>

#include "kmem.h"
#include "regs.h"

#define NGREGS 34
#define PSTATE_MODE_MASK 0xfu   /* M[3:0]; 0 = EL0t */
#define PSR_MODE32_BIT 0x10u

static bool user_mode(uint64_t pstate)
{
	return (pstate & PSTATE_MODE_MASK) == 0 && !(pstate & PSR_MODE32_BIT);
}

static bool from_pt_regs(const unsigned char *p, size_t len, uint64_t *gregs)
{
	if (len < NGREGS * 8)
		return false;
	for (unsigned i = 0; i < NGREGS; i++)
		gregs[i] = ptw_le64(p + 8 * i);
	/* An unused part of a larger stack (64K pages with VMAP_STACK make
	 * THREAD_SIZE 64K) reads as zeroes, which would pass for EL0 with
	 * pc 0: a thread that entered the kernel from user mode has a
	 * user pc and sp. */
	return user_mode(gregs[33]) && gregs[32] != 0 && (gregs[32] >> 56) == 0 && gregs[31] != 0 &&
	       (gregs[31] >> 56) == 0;
}

static bool from_note(const struct ptw_prstatus *n, uint64_t *gregs)
{
	if (n->nregs < NGREGS)
		return false;
	memcpy(gregs, n->regs, NGREGS * 8);
	return user_mode(gregs[33]) && (gregs[32] >> 56) == 0;
}

const struct ptw_regs_ops ptw_regs_arm64 = {
	.e_machine = EM_AARCH64,
	.ngregs = NGREGS,
	/* elf_siginfo 12, pr_cursig 2 (+2), sigpend, sighold, 4 pids, 4
	 * timevals: 112 bytes; gregs 272; pr_fpvalid 4 (+4). */
	.prstatus_size = 392,
	.thread_sizes = { 16384, 32768, 65536 },
	.top_paddings = { 0, 0 },
	.from_pt_regs = from_pt_regs,
	.from_note = from_note,
	.sp_index = 31,
	.pc_index = 32,
};
