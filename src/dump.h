/* An opened dump: its physical memory, its VMCOREINFO, its architecture and,
 * where it can be worked out, its translation configuration. */
#ifndef PTW_DUMP_H
#define PTW_DUMP_H

#include <stddef.h>

#include "error.h"
#include "source.h"
#include "vmcoreinfo.h"
#include "xlat.h"

enum ptw_arch {
	PTW_ARCH_UNKNOWN,
	PTW_ARCH_ARM64,
	PTW_ARCH_X86_64,
};

struct ptw_dump_options {
	/* "KEY=VALUE" strings from --set, applied over the dump's VMCOREINFO. */
	const char *const *sets;
	size_t nsets;
};

struct ptw_dump {
	struct ptw_source *src;
	struct ptw_vmcoreinfo vmcoreinfo;
	enum ptw_arch arch;
	const char *arch_source;    /* "elf e_machine", "vmcoreinfo" */
	uint64_t page_size;         /* VMCOREINFO PAGESIZE, 0 when not told */
	bool have_xlat;
	struct ptw_xlat xlat;
	/* Why have_xlat is false: kept, so commands that need it can say why. */
	struct ptw_error *xlat_error;
};

struct ptw_error *ptw_dump_open(const char *path, const struct ptw_dump_options *opts,
				struct ptw_dump **ret);
void ptw_dump_close(struct ptw_dump *dump);
/** "arm64", "x86_64", or NULL. */
const char *ptw_arch_name(enum ptw_arch arch);

#endif
