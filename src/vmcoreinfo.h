/* VMCOREINFO: the kernel's KEY=VALUE note, kept as raw text and parsed on demand. */
#ifndef PTW_VMCOREINFO_H
#define PTW_VMCOREINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "warnings.h"

struct ptw_vmcoreinfo_entry {
	char *key;
	char *value;
	bool overridden; /* supplied with --set */
};

struct ptw_vmcoreinfo {
	struct ptw_vmcoreinfo_entry *entries;
	size_t count;
	size_t capacity;
};

/** Parse KEY=VALUE lines. `base_offset` is the file offset of text[0], for messages.
 * Parsing stops at the first NUL. A malformed line is BAD_DATA naming its offset. */
struct ptw_error *ptw_vmcoreinfo_parse(struct ptw_vmcoreinfo *vi, const char *text, size_t len,
				       uint64_t base_offset);
/** Supply or override one entry; "KEY=VALUE" form as given to --set. */
struct ptw_error *ptw_vmcoreinfo_set(struct ptw_vmcoreinfo *vi, const char *assignment);
/** As ptw_vmcoreinfo_parse, but a malformed line is a warning (naming the
 * line and its offset) added to warnings and skipped; the other lines are
 * kept. */
struct ptw_error *ptw_vmcoreinfo_parse_lenient(struct ptw_vmcoreinfo *vi, const char *text, size_t len,
					       uint64_t base_offset, struct ptw_warnings *warnings);
void ptw_vmcoreinfo_free(struct ptw_vmcoreinfo *vi);

/** The value of KEY, or NULL. An exact match wins; otherwise the key is matched
 * ignoring case, since kernels spelled NUMBER(TCR_EL1_T1SZ) both ways. */
const char *ptw_vmcoreinfo_get(const struct ptw_vmcoreinfo *vi, const char *key);

/** NUMBER(name): decimal or 0x hex, possibly negative (PHYS_OFFSET can be). */
struct ptw_error *ptw_vmcoreinfo_number(const struct ptw_vmcoreinfo *vi, const char *name,
					int64_t *ret);
/** SYMBOL(name): hex without 0x, as the kernel prints %lx. */
struct ptw_error *ptw_vmcoreinfo_symbol(const struct ptw_vmcoreinfo *vi, const char *name,
					uint64_t *ret);
/** SYMBOL(name) when present and well formed; false otherwise (nothing to free). */
bool ptw_vmcoreinfo_try_symbol(const struct ptw_vmcoreinfo *vi, const char *name, uint64_t *ret);
/** A key whose value is hex without 0x (KERNELOFFSET) or decimal (PAGESIZE), by `base`. */
struct ptw_error *ptw_vmcoreinfo_u64(const struct ptw_vmcoreinfo *vi, const char *key, int base,
				     uint64_t *ret);
/** Whether NUMBER(name) / SYMBOL(name) / KEY is there at all. */
bool ptw_vmcoreinfo_has(const struct ptw_vmcoreinfo *vi, const char *key);

#endif
