/* Physical memory from a dump file: one interface over every format.
 * The rest of ptwalk reads physical memory only through these functions. */
#ifndef PTW_SOURCE_H
#define PTW_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* Compression methods seen in a dump's page descriptors. */
enum {
	PTW_COMP_ZLIB = 1u << 0,
	PTW_COMP_LZO = 1u << 1,
	PTW_COMP_SNAPPY = 1u << 2,
	PTW_COMP_ZSTD = 1u << 3,
	PTW_COMP_NONE = 1u << 4, /* pages stored raw in a kdump */
};

/* One CPU's NT_PRSTATUS: the general registers as the note holds them. */
struct ptw_prstatus {
	int32_t pid;
	/* arm64: x0..x30, sp, pc, pstate; x86-64: struct user_regs_struct order. */
	uint64_t regs[34];
	unsigned nregs;
};

/* A physical range [start, end) that the dump describes. */
struct ptw_phys_range {
	uint64_t start;
	uint64_t end;
};

/* Returns true to go on, false to stop the iteration. */
typedef bool ptw_range_fn(const struct ptw_phys_range *range, void *arg);

struct ptw_source;

struct ptw_source_ops {
	/* Format name as `info` prints it: "elf64", "elf32", "kdump", "kdump-flattened",
	 * "kcore" (a running kernel's /proc/kcore, or a copy of it). */
	const char *name;
	/* Whether the first bytes of a file look like this format. */
	bool (*probe)(const unsigned char *head, size_t len);
	/* Parse headers and fill the public fields of src; allocate src->priv. */
	struct ptw_error *(*open)(struct ptw_source *src);
	/* Copy [pa, pa + len) into buf. The range never crosses a 4 KiB boundary.
	 * A byte the dump lacks gives NOT_PRESENT with the address. */
	struct ptw_error *(*read)(struct ptw_source *src, uint64_t pa, void *buf, size_t len);
	/* Whether the 4 KiB frame holding pa is in the dump. */
	bool (*is_present)(struct ptw_source *src, uint64_t pa);
	/* Optional: whether every frame of [pa, pa + size) is in the dump, in
	 * fewer steps than a frame at a time. False may also mean "not known
	 * cheaply": callers then treat the range's frames one by one. */
	bool (*range_present)(struct ptw_source *src, uint64_t pa, uint64_t size);
	/* Visit the physical ranges of memory the dump covers (present or
	 * excluded), in address order. */
	struct ptw_error *(*for_each_range)(struct ptw_source *src, ptw_range_fn *fn, void *arg);
	/* Count pages of `page_size` bytes present in and excluded from the dump. */
	struct ptw_error *(*count_pages)(struct ptw_source *src, uint64_t page_size,
					 uint64_t *present_ret, uint64_t *excluded_ret);
	/* Also called after a failed open: free whatever priv holds. */
	void (*close)(struct ptw_source *src);
};

struct ptw_source {
	const struct ptw_source_ops *ops;
	char *path;
	int fd;
	uint64_t file_size;

	/* Filled in by ops->open. */
	const char *format;          /* as `info` names it; defaults to ops->name */
	unsigned elf_machine;        /* EM_* of an ELF dump, 0 otherwise */
	uint32_t block_size;         /* kdump header's block size, 0 for ELF */
	bool incomplete;             /* header flag, or a truncated file */
	/* The ranges are System RAM only (a kcore): the machine's other memory
	 * (firmware tables, reserved ranges the kernel maps) is not in them,
	 * so a mapping outside them is not a sign of damage. */
	bool ranges_ram_only;
	/* Memory that changes while it is read (/proc/kcore itself, not a copy). */
	bool live;
	int dump_level;              /* makedumpfile -d, or -1 when not told */
	unsigned compression;        /* PTW_COMP_* seen */
	char *vmcoreinfo;            /* NUL-terminated copy, or NULL */
	size_t vmcoreinfo_len;
	uint64_t vmcoreinfo_offset;  /* file offset of the text, for messages */
	char utsname_machine[65];    /* kdump header's, possibly wrong: a hint only */
	struct ptw_prstatus *cpus;
	size_t ncpus;

	void *priv;
};

/** Open a dump read-only, detecting its format from content. */
struct ptw_error *ptw_source_open(const char *path, struct ptw_source **ret);
void ptw_source_close(struct ptw_source *src);

/** Read physical memory, across page boundaries. NOT_PRESENT names the first missing address. */
struct ptw_error *ptw_source_read_phys(struct ptw_source *src, uint64_t pa, void *buf, size_t len);
/** Read a little-endian 64-bit word. */
struct ptw_error *ptw_source_read_u64(struct ptw_source *src, uint64_t pa, uint64_t *ret);
bool ptw_source_is_present(struct ptw_source *src, uint64_t pa);
/** Whether every frame of [pa, pa + size) is in the dump (with step the
 * frame size for formats that can only answer a frame at a time; bounded
 * by size / step). False when any is missing, or not known cheaply. */
bool ptw_source_range_present(struct ptw_source *src, uint64_t pa, uint64_t size, uint64_t step);
struct ptw_error *ptw_source_for_each_range(struct ptw_source *src, ptw_range_fn *fn, void *arg);

/** pread exactly len bytes at offset or fail naming the offset. */
struct ptw_error *ptw_source_pread(struct ptw_source *src, void *buf, size_t len, uint64_t offset);

extern const struct ptw_source_ops ptw_source_kcore;
extern const struct ptw_source_ops ptw_source_elf;
extern const struct ptw_source_ops ptw_source_kdump;
extern const struct ptw_source_ops ptw_source_kdump_flattened;

#endif
