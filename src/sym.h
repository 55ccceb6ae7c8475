/* Kernel symbols: one table of (address, type letter, name), whatever it was
 * built from (the dump's kallsyms, a System.map, a vmlinux's ELF symbol
 * table, or only VMCOREINFO's SYMBOL() lines). Names are looked up through a
 * hash index, addresses by binary search over the address-sorted entries.
 *
 * The table is filled with ptw_symtab_add() and then frozen with
 * ptw_symtab_finish(); lookups are only valid after that. */
#ifndef PTW_SYM_H
#define PTW_SYM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct ptw_dump;
struct ptw_vmcoreinfo;

/* Where a symbol, or a whole table, came from. */
enum ptw_sym_source {
	PTW_SYM_NONE,
	PTW_SYM_VMCOREINFO,  /* a SYMBOL(name) line of VMCOREINFO */
	PTW_SYM_KALLSYMS,    /* the kallsyms tables in the dump's memory */
	PTW_SYM_SYSTEM_MAP,  /* -m FILE */
	PTW_SYM_VMLINUX,     /* -k FILE */
};

/** "vmcoreinfo", "kallsyms", "system.map", "vmlinux" (as info --json spells them), or NULL. */
const char *ptw_sym_source_name(enum ptw_sym_source source);

struct ptw_symbol {
	uint64_t address;
	const char *name;            /* valid as long as the table */
	char type;                   /* nm's letter: T t D d B b R r A W V ...; '?' unknown */
	enum ptw_sym_source source;
};

/* A source that was looked at and not used, and why. */
struct ptw_sym_refusal {
	enum ptw_sym_source source;
	char *why;
};

struct ptw_symtab;

/** An empty table whose symbols mostly come from `source`. */
struct ptw_error *ptw_symtab_create(enum ptw_sym_source source, struct ptw_symtab **ret);
void ptw_symtab_destroy(struct ptw_symtab *st);

/** Append one symbol (name need not be NUL-terminated). Only before finish. */
struct ptw_error *ptw_symtab_add(struct ptw_symtab *st, uint64_t address, char type,
				 const char *name, size_t name_len, enum ptw_sym_source source);
/** Make room for count more symbols with name_bytes of names (a hint). */
struct ptw_error *ptw_symtab_reserve(struct ptw_symtab *st, size_t count, size_t name_bytes);
/** Sort by address (stable: equal addresses keep their order) and index the names. */
struct ptw_error *ptw_symtab_finish(struct ptw_symtab *st);

/** Record a source that was refused; the CLI prints these as warnings and info lists them. */
struct ptw_error *ptw_symtab_add_refusal(struct ptw_symtab *st, enum ptw_sym_source source,
					 const char *why);
size_t ptw_symtab_refusal_count(const struct ptw_symtab *st);
const struct ptw_sym_refusal *ptw_symtab_refusal(const struct ptw_symtab *st, size_t i);

enum ptw_sym_source ptw_symtab_source(const struct ptw_symtab *st);
/** Number of symbols; with ptw_symtab_get, iteration in address order (for --list). */
size_t ptw_symtab_count(const struct ptw_symtab *st);
void ptw_symtab_get(const struct ptw_symtab *st, size_t i, struct ptw_symbol *ret);
/** Whether the table holds data symbols (D/d/B/b/R/r from kallsyms or a file):
 * false for a kallsyms built without CONFIG_KALLSYMS_ALL, as Debian's arm64 kernel is. */
bool ptw_symtab_has_data_symbols(const struct ptw_symtab *st);

/** The address and type of NAME. With several symbols of that name (static
 * functions in different files), a global one wins, then the lowest address.
 * False when there is none. */
bool ptw_symtab_lookup_name(const struct ptw_symtab *st, const char *name, uint64_t *address_ret,
			    char *type_ret);
/** Every symbol named NAME, in address order: *pos starts at 0; false when done. */
bool ptw_symtab_next_by_name(const struct ptw_symtab *st, const char *name, size_t *pos,
			     struct ptw_symbol *ret);
/** The symbol an address lies in: the nearest symbol at or below it, when
 * the address is before the next symbol's. End markers (_etext, _end,
 * __stop_*...) only name their own address, and absolute symbols (x86-64
 * per-CPU offsets) never name an address. False when none applies. */
bool ptw_symtab_lookup_addr(const struct ptw_symtab *st, uint64_t address, const char **name_ret,
			    uint64_t *offset_ret);
/** As ptw_symtab_lookup_addr, with the whole symbol. */
bool ptw_symtab_find_addr(const struct ptw_symtab *st, uint64_t address, struct ptw_symbol *ret,
			  uint64_t *offset_ret);

/** Check a table against VMCOREINFO: every SYMBOL(name) line whose name the
 * table has must give the same address (_stext first, named in the message),
 * and at least one must be there to compare. BAD_DATA saying which differs. */
struct ptw_error *ptw_symtab_check_vmcoreinfo(const struct ptw_symtab *st,
					      const struct ptw_vmcoreinfo *vi);
/** Add VMCOREINFO's SYMBOL() addresses the table does not have (type '?',
 * source vmcoreinfo), so e.g. init_uts_ns resolves on a kernel without
 * KALLSYMS_ALL. SYMBOL(mem_section), (vmemmap), (mem_map) hold pointer values,
 * not addresses, and are left out. Only before finish. */
struct ptw_error *ptw_symtab_add_vmcoreinfo(struct ptw_symtab *st, const struct ptw_vmcoreinfo *vi);

/** Why a name may be missing, to append to a "no symbol" message ("; ..."), or "". */
const char *ptw_symtab_missing_hint(const struct ptw_symtab *st);
/** Parse "NAME", "NAME+OFF", "NAME-OFF" (OFF decimal or 0x hex) against the
 * table. INVALID_ARGUMENT naming the text when the name is unknown or the
 * offset malformed; OVERFLOW when the sum wraps. */
struct ptw_error *ptw_symtab_resolve(const struct ptw_symtab *st, const char *text,
				     uint64_t *address_ret);

/* What info reports about the symbols (see ptw_dump_symbols_summary). */
struct ptw_sym_summary {
	enum ptw_sym_source source;
	size_t count;
	int data_symbols;              /* 1 yes, 0 no (no CONFIG_KALLSYMS_ALL), -1 unknown */
	bool loaded;                   /* the whole table was loaded and checked */
	enum ptw_sym_source refused;   /* PTW_SYM_NONE, or the source that was not used */
	char *refused_why;
};

/** The symbol va lies in, as ptw_symtab_find_addr on the dump's loaded
 * table would answer, without loading it when that is cheap and certain:
 * the table not loaded, no -k or -m, kallsyms passing the checks the load
 * makes (ptw_kallsyms_probe's _stext, and every VMCOREINFO SYMBOL() name
 * kallsyms has at VMCOREINFO's address), the plain case of
 * ptw_kallsyms_find_addr, and no VMCOREINFO SYMBOL() between the symbol
 * and va. *sure_ret false: ask the loaded table (after a few dozen
 * answers, always: a batch is cheaper with it). ret->name is valid until
 * the next call. */
struct ptw_error *ptw_dump_name_address(struct ptw_dump *dump, uint64_t va, bool *sure_ret,
					struct ptw_symbol *ret, uint64_t *offset_ret);

/** Summarise the dump's symbols for info without decoding kallsyms' names
 * (ptw_kallsyms_probe); with -k or -m, or once loaded, from the table. */
struct ptw_error *ptw_dump_symbols_summary(struct ptw_dump *dump, struct ptw_sym_summary *ret);
void ptw_sym_summary_free(struct ptw_sym_summary *s);

/** ptw_symtab_resolve, also giving the symbol NAME is and the signed OFF. */
struct ptw_error *ptw_symtab_resolve_parts(const struct ptw_symtab *st, const char *text,
					   struct ptw_symbol *base_ret, int64_t *offset_ret,
					   uint64_t *address_ret);

/* Per-source loaders, each adding to a table created by the caller. */

/** The dump's kallsyms, from the tables VMCOREINFO names. A corrupt or
 * unrecognised table is BAD_DATA naming the table and the offset in it. */
struct ptw_error *ptw_kallsyms_load(struct ptw_dump *dump, struct ptw_symtab *st);

/* What info says about the dump's kallsyms without decoding the names. */
struct ptw_kallsyms_probe {
	uint32_t count;       /* kallsyms_num_syms */
	bool data_symbols;    /* a data symbol VMCOREINFO names is among the addresses */
};

/** Read kallsyms_num_syms and the address table only (a few hundred KiB,
 * not the names): the count, whether data symbols are there
 * (CONFIG_KALLSYMS_ALL), and whether VMCOREINFO's _stext is one of the
 * addresses; errors as ptw_kallsyms_load. */
struct ptw_error *ptw_kallsyms_probe(struct ptw_dump *dump, struct ptw_kallsyms_probe *ret);

/* The longest kallsyms name expanded (KSYM_NAME_LEN is 512 since 6.1). */
#define PTW_KALLSYMS_NAME_MAX 1024

/** Whether a symbol marks where a region ends (_etext, __stop_*, ...):
 * it names only its own address. */
bool ptw_sym_is_end_marker(const char *name);

/* Where the kallsyms tables are (VMCOREINFO's SYMBOL() values). */
struct ptw_kallsyms_where {
	uint64_t num_syms, names, token_table, token_index;
	uint64_t offsets, relative_base; /* base-relative kernels; else 0 */
	uint64_t addresses;              /* kernels with absolute addresses; else 0 */
};

/* What ptw_kallsyms_find_name reads through: the dump's kernel memory, or a
 * buffer (the fuzzer). Any error means "not readable". */
struct ptw_kallsyms_reader {
	struct ptw_error *(*read)(void *arg, uint64_t addr, void *buf, size_t len);
	void *arg;
};

/** One symbol by name without decoding the table (sym_kallsyms_name.c):
 * bisection of kallsyms_seqs_of_names, a few dozen pages read. *found_ret
 * false when there is no such name (with several, one of them is given).
 * NOT_IMPLEMENTED when the markers and seqs_of_names tables are not where
 * the known layouts put them (kernels before 6.2 without Debian's
 * backport): the caller then decodes the whole table. */
struct ptw_error *ptw_kallsyms_find_name(const struct ptw_kallsyms_reader *r,
					 const struct ptw_kallsyms_where *w, const char *name,
					 bool *found_ret, uint64_t *address_ret);
/** The kallsyms symbol va lies in, without decoding the table: bisection
 * of the address table, then one name expanded. *sure_ret is true only in
 * the plain case (one kernel-half symbol at its address, a symbol after
 * it that names addresses, not an end marker unless va is its address),
 * where the answer is the loaded table's but for VMCOREINFO's SYMBOL()
 * lines, which the caller weighs; otherwise the caller asks the loaded
 * table. */
struct ptw_error *ptw_kallsyms_find_addr(const struct ptw_kallsyms_reader *r,
					 const struct ptw_kallsyms_where *w, uint64_t va, bool *sure_ret,
					 char name_ret[PTW_KALLSYMS_NAME_MAX + 1], char *type_ret,
					 uint64_t *address_ret);
/** Whether kallsyms has a symbol named NAME at address, without decoding
 * the table. */
struct ptw_error *ptw_kallsyms_named_at(const struct ptw_kallsyms_reader *r,
					 const struct ptw_kallsyms_where *w, const char *name,
					 uint64_t address, bool *ret);
/** ptw_kallsyms_find_name in the dump, at the tables VMCOREINFO names. */
struct ptw_error *ptw_kallsyms_lookup_name(struct ptw_dump *dump, const char *name, bool *found_ret,
					   uint64_t *address_ret);

/* The raw tables, as kallsyms_load reads them from memory; the decoder works
 * on these alone, so the fuzzer can feed it. */
struct ptw_kallsyms_tables {
	uint32_t num_syms;
	const uint8_t *names;           /* kallsyms_names up to the next table */
	size_t names_len;
	const uint8_t *token_table;     /* kallsyms_token_table up to token_index */
	size_t token_table_len;
	const uint8_t *token_index;     /* 256 little-endian u16 */
	/* One of: kallsyms_offsets (s32 each, num_syms of them) with the
	 * relative base, or kallsyms_addresses (u64 each) before 6.12 kernels
	 * built without CONFIG_KALLSYMS_BASE_RELATIVE. */
	const uint8_t *offsets;
	const uint8_t *addresses;
	uint64_t relative_base;
};

/** Decode the tables into st. BAD_DATA naming the table and offset on the
 * first inconsistency. Every loop is bounded by the lengths given. */
struct ptw_error *ptw_kallsyms_decode(const struct ptw_kallsyms_tables *t, struct ptw_symtab *st);

/** A System.map (`ADDRESS TYPE NAME` lines, nm's format), addresses moved by
 * kaslr_offset (kernel-half addresses only: x86-64 per-CPU symbols are offsets). */
struct ptw_error *ptw_sysmap_load(const char *path, uint64_t kaslr_offset, struct ptw_symtab *st);

/** The ELF symbol table of a vmlinux, moved by kaslr_offset like a System.map.
 * If expected_build_id (hex) is not NULL, a vmlinux whose GNU build ID differs
 * is BAD_DATA naming both. */
struct ptw_error *ptw_vmlinux_symbols_load(const char *path, const char *expected_build_id,
					   uint64_t kaslr_offset, struct ptw_symtab *st);

#endif
