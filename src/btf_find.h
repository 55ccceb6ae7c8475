/* Finding the kernel's BTF in its own memory. A CONFIG_DEBUG_INFO_BTF
 * kernel keeps its .BTF section between __start_BTF and __stop_BTF, in the
 * image's read-only data (include/asm-generic/vmlinux.lds.h, RO_DATA).
 * Where those symbols are not known (Debian's kernels: kallsyms without
 * data symbols), the header is searched for and a candidate is accepted
 * only when libbpf parses it and it describes struct task_struct. */
#ifndef PTW_BTF_FIND_H
#define PTW_BTF_FIND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "types.h"

/* struct btf_header (include/uapi/linux/btf.h), version 1. */
#define PTW_BTF_MAGIC 0xeB9F
#define PTW_BTF_HEADER_SIZE 24
/* Larger than any kernel's BTF (Debian 6.12 x86-64: about 6 MB). */
#define PTW_BTF_MAX_SIZE (64u << 20)

/* Where the search reads from: the dump's kernel memory, or a buffer (tests). */
struct ptw_btf_reader {
	/** Read [addr, addr + len); any error means "not readable here". */
	struct ptw_error *(*read)(void *arg, uint64_t addr, void *buf, size_t len);
	void *arg;
	/** Unreadable memory is stepped over in units of this (a power of two). */
	uint64_t page_size;
};

/** Whether p (avail bytes) starts with a plausible kernel BTF header:
 * magic, version 1, flags 0, a 24-byte header, type section 4-aligned and
 * before the strings, at most PTW_BTF_MAX_SIZE in all. *total_ret: the
 * blob's size. */
bool ptw_btf_header_ok(const unsigned char *p, size_t avail, uint64_t *total_ret);

/** Where BTF was found. */
struct ptw_btf_found {
	uint64_t addr;
	uint64_t size;
	unsigned candidates; /* headers tried, the accepted one included */
};

/** Search headers starting in [start, end) and accept the first blob that
 * libbpf parses and that describes struct task_struct. NOT_PRESENT when no
 * header was found; BAD_DATA naming the address of the first candidate
 * refused, and why, when candidates were found but none accepted. */
struct ptw_error *ptw_btf_search(const struct ptw_btf_reader *r, uint64_t start, uint64_t end,
				 struct ptw_types **ret, struct ptw_btf_found *found_ret);

/** As ptw_btf_search, but from end down to start (at most
 * PTW_BTF_MAX_SIZE below end), for a search that starts at an address just
 * above the BTF: every byte it reads is kept in one buffer, and a blob that
 * lies in what was read is handed to libbpf from there, so the BTF is read
 * once and nothing below it is. */
struct ptw_error *ptw_btf_search_below(const struct ptw_btf_reader *r, uint64_t start, uint64_t end,
				       struct ptw_types **ret, struct ptw_btf_found *found_ret);

/** Only the header scan: the first plausible header in [start, end), no
 * parsing (what `info` reports without loading the types). */
struct ptw_error *ptw_btf_scan(const struct ptw_btf_reader *r, uint64_t start, uint64_t end,
			       struct ptw_btf_found *found_ret);

#endif
