/* An opened dump: its physical memory, its VMCOREINFO, its architecture and,
 * where it can be worked out, its translation configuration. */
#ifndef PTW_DUMP_H
#define PTW_DUMP_H

#include <stddef.h>

#include "error.h"
#include "sym.h"
#include "source.h"
#include "vmcoreinfo.h"
#include "warnings.h"
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
	/* Where types may come from besides the dump (-k, --btf); NULL if not given. */
	const char *vmlinux;
	const char *btf_path;
	/* -m: a System.map, a symbol source below -k and above kallsyms. */
	const char *system_map;
};

struct ptw_types;
struct ptw_types_choice;

struct ptw_dump {
	struct ptw_source *src;
	struct ptw_vmcoreinfo vmcoreinfo;
	enum ptw_arch arch;
	const char *arch_source;    /* "elf e_machine", "vmcoreinfo" */
	uint64_t page_size;         /* VMCOREINFO PAGESIZE, 0 when not told */
	bool have_xlat;
	struct ptw_xlat xlat;
	/* Damage the rest was opened around (a bad VMCOREINFO line...), for
	 * the caller to report. */
	struct ptw_warnings warnings;
	/* Why have_xlat is false: kept, so commands that need it can say why. */
	struct ptw_error *xlat_error;

	/* Types, loaded on the first ptw_dump_types() (src/types_dump.c). */
	char *vmlinux_path, *btf_path;
	bool types_tried;
	struct ptw_types *types;
	struct ptw_error *types_error;
	struct ptw_types_choice *types_choice;

	/* Symbols, loaded on the first ptw_dump_symbols() (src/sym_dump.c). */
	char *system_map_path;
	bool symbols_tried;
	struct ptw_symtab *symtab;
	struct ptw_error *symbols_error;
	/* Addresses named without loading the table (ptw_dump_name_address):
	 * whether kallsyms passed the checks the load makes (0 not yet, 1
	 * yes, -1 no), how many were named so, and the last name. */
	int lazy_names_ok;
	unsigned lazy_names;
	char *lazy_name;
};

struct ptw_error *ptw_dump_open(const char *path, const struct ptw_dump_options *opts,
				struct ptw_dump **ret);
void ptw_dump_close(struct ptw_dump *dump);
/** The dump's types (DWARF of -k, else --btf, else the BTF in the dump's
 * image), loaded on the first call and owned by the dump. On failure the
 * error says why there are none; every call gives the same answer. */
struct ptw_error *ptw_dump_types(struct ptw_dump *dump, struct ptw_types **ret);
/** Where ptw_dump_types() got them (NULL before a successful load). */
const struct ptw_types_choice *ptw_dump_types_choice(const struct ptw_dump *dump);
/** The dump's symbols, loaded on the first call (later calls are free):
 * from -k, else -m, else kallsyms, with VMCOREINFO's SYMBOL() lines added.
 * A -k or -m file that does not match the dump is an error (BAD_DATA naming
 * both build IDs, or the symbol that differs); kallsyms that cannot be used
 * is a refusal recorded in the table, which then holds VMCOREINFO's symbols
 * alone. The table belongs to the dump. */
struct ptw_error *ptw_dump_symbols(struct ptw_dump *dump, const struct ptw_symtab **ret);
/** NAME's address from the dump's symbols: unless they are at hand (loaded,
 * or -k/-m given), one name looked up in kallsyms without decoding all of it
 * (after the probe's checks the full load makes); else, or where kallsyms
 * cannot be read so, from the loaded table (which has VMCOREINFO's SYMBOL()
 * lines). False when no source names it or the symbols cannot be had. */
bool ptw_dump_symbol_address(struct ptw_dump *dump, const char *name, uint64_t *ret);
/** "arm64", "x86_64", or NULL. */
const char *ptw_arch_name(enum ptw_arch arch);

#endif
