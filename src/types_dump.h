/* Which types a dump gets: the DWARF of -k's vmlinux, else a --btf file,
 * else the BTF the kernel carries in its own image. */
#ifndef PTW_TYPES_DUMP_H
#define PTW_TYPES_DUMP_H

#include "btf_find.h"
#include "error.h"
#include "types.h"

struct ptw_dump;

struct ptw_types_sources {
	const char *vmlinux;  /* -k FILE, or NULL */
	const char *btf_path; /* --btf FILE, or NULL */
};

/** What was chosen, for `info`. */
struct ptw_types_choice {
	const char *source;        /* "dwarf", "btf" */
	const char *from;          /* "vmlinux", "file", "dump" */
	bool have_address;         /* BTF found in the dump: where and how large */
	uint64_t address;
	uint64_t size;
	/* Why -k's vmlinux was passed over (no DWARF), or NULL. */
	char *skipped;
};

/** Load the types. A --btf file that cannot be used is an error (it was
 * asked for); a vmlinux without DWARF is passed over, noted in
 * choice_ret->skipped. The error says why no types could be had. */
struct ptw_error *ptw_types_load(struct ptw_dump *dump, const struct ptw_types_sources *src,
				 struct ptw_types **ret, struct ptw_types_choice *choice_ret);
/** The same choice without parsing anything (BTF in the dump: its header
 * only), so that `info` stays fast. */
struct ptw_error *ptw_types_probe(struct ptw_dump *dump, const struct ptw_types_sources *src,
				  struct ptw_types_choice *choice_ret);
void ptw_types_choice_free(struct ptw_types_choice *c);

/** Where the dump's image is searched for BTF: [start, end) after the
 * kallsyms tables (the .BTF section follows .rodata), then the rest. */
struct ptw_btf_ranges {
	unsigned n;
	uint64_t start[2], end[2];
};
struct ptw_error *ptw_btf_dump_ranges(const struct ptw_dump *dump, struct ptw_btf_ranges *ret);

#endif
