/* x86-64 user registers: the kernel's struct pt_regs (r15 ... ss, 21
 * words, arch/x86/include/asm/ptrace.h) is the first 21 words of struct
 * user_regs_struct, the core file's elf_gregset_t (27 words: then fs_base,
 * gs_base, ds, es, fs, gs, left 0: the saved pt_regs do not hold them). */
#include <elf.h>
#include <string.h>

#include "kmem.h"
#include "regs.h"

#define NGREGS 27
#define PT_REGS_WORDS 21
#define REG_CS 17
#define REG_SS 20
#define USER_CS 0x33u    /* __USER_CS */
#define USER32_CS 0x23u

static bool user_mode(const uint64_t *g)
{
	return (g[REG_CS] & 0xffff) == USER_CS && (g[16] >> 47) == 0;
}

static bool from_pt_regs(const unsigned char *p, size_t len, uint64_t *gregs)
{
	if (len < PT_REGS_WORDS * 8)
		return false;
	memset(gregs, 0, NGREGS * 8);
	for (unsigned i = 0; i < PT_REGS_WORDS; i++)
		gregs[i] = ptw_le64(p + 8 * i);
	return user_mode(gregs);
}

static bool from_note(const struct ptw_prstatus *n, uint64_t *gregs)
{
	if (n->nregs < NGREGS)
		return false;
	memcpy(gregs, n->regs, NGREGS * 8);
	return user_mode(gregs);
}

const struct ptw_regs_ops ptw_regs_x86_64 = {
	.e_machine = EM_X86_64,
	.ngregs = NGREGS,
	/* 112 bytes of header, gregs 216, pr_fpvalid 4 (+4). */
	.prstatus_size = 336,
	.thread_sizes = { 16384, 32768, 0 },
	/* TOP_OF_KERNEL_STACK_PADDING: 0, or 16 with FRED (6.9+) */
	.top_paddings = { 0, 16 },
	.from_pt_regs = from_pt_regs,
	.from_note = from_note,
	.sp_index = 19,
	.pc_index = 16,
};
