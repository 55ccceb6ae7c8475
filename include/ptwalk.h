/* ptwalk.h - the public C interface of libptwalk, an offline reader of
 * Linux crash dumps (vmcores): their page tables, their memory, and the
 * kernel objects (symbols, log, tasks, VMAs) found through them.
 *
 * Conventions
 * -----------
 * - Every fallible function returns a struct ptwalk_error *: NULL means
 *   success. A non-NULL error belongs to the caller, who reads it with
 *   ptwalk_error_code() / ptwalk_error_message() and frees it with
 *   ptwalk_error_free(). On error, out-parameters (named *_ret) are left
 *   untouched unless the function says otherwise.
 * - Handles are opaque; each has one function that releases it
 *   (ptwalk_dump_close, ptwalk_space_close, ptwalk_log_close). Objects
 *   opened from a dump (spaces, log readers) must be released before it.
 * - Strings handed out (names, messages) stay valid as long as the object
 *   that handed them out, unless the function says "until the next call".
 * - Addresses are uint64_t; "va" is virtual, "pa" physical. A range end of
 *   0 means the end of the address space (2^64).
 * - A translation answers with a status (mapped, not mapped, not in the
 *   dump, ...), not an error: errors are failures to answer at all. A read
 *   never fills in bytes the dump lacks: it stops there and says why.
 *
 * Thread safety
 * -------------
 * The library has no global mutable state. A dump and every object opened
 * from it (spaces, log readers) form one unit that must be used by one
 * thread at a time: a dump caches frames, translations and, once asked,
 * its symbols and types, so even "read-only" calls write to it. Distinct
 * dumps are fully independent and may be used from different threads at
 * once, including two dumps opened from the same file. Error objects are
 * independent of the dump they came from and may be passed between
 * threads. The callbacks a walk calls run on the caller's thread and must
 * not call back into the same dump.
 *
 * Linking: `pkg-config --cflags --libs ptwalk`. Public names start with
 * ptwalk_ / PTWALK_; nothing else is exported.
 */
#ifndef PTWALK_H
#define PTWALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ */
/* Errors */

/** What kind of failure an error is. The values are stable. */
enum ptwalk_error_code {
	PTWALK_E_NOMEM = 0,            /**< out of memory */
	PTWALK_E_OS = 1,               /**< a system call failed (errno in the message) */
	PTWALK_E_BAD_DATA = 2,         /**< the dump (or a -k/-m/--btf file) is corrupt or unsupported */
	PTWALK_E_FAULT = 3,            /**< the address is not mapped */
	PTWALK_E_NOT_PRESENT = 4,      /**< mapped (or physical) but not in the dump */
	PTWALK_E_NOT_IMPLEMENTED = 5,  /**< not implemented for this dump's architecture or format */
	PTWALK_E_INVALID_ARGUMENT = 6, /**< a bad argument: unknown symbol, bad option */
	PTWALK_E_OVERFLOW = 7,         /**< a value out of range (address + length wraps) */
};

/** An error: a code, a message, and where it happened. */
struct ptwalk_error;

/** The error's code. */
enum ptwalk_error_code ptwalk_error_code(const struct ptwalk_error *err);
/** The error's message, e.g. "not a vmcore: no ELF core, kdump-compressed or
 * flattened signature". It does not repeat the file name or the offset
 * (see ptwalk_error_file() and ptwalk_error_offset()). */
const char *ptwalk_error_message(const struct ptwalk_error *err);
/** Whether the error is tied to one offset of the file at fault; the offset
 * in *offset_ret. */
bool ptwalk_error_offset(const struct ptwalk_error *err, uint64_t *offset_ret);
/** For FAULT and NOT_PRESENT: whether the error names the address that could
 * not be read; the address in *address_ret. */
bool ptwalk_error_address(const struct ptwalk_error *err, uint64_t *address_ret);
/** The file at fault when it is not the dump (a -k, -m or --btf file, an
 * output file, a --set value), or NULL: the dump. */
const char *ptwalk_error_file(const struct ptwalk_error *err);
/** A short text for a code, e.g. "not in the dump". */
const char *ptwalk_strerror(enum ptwalk_error_code code);
/** A new error with a printf-style message, for callers that report their
 * own failures (a bad argument) through the same path as the library's. */
struct ptwalk_error *ptwalk_error_create(enum ptwalk_error_code code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/** Free an error (NULL is fine). */
void ptwalk_error_free(struct ptwalk_error *err);

/* ------------------------------------------------------------------ */
/* Opening a dump */

/** An opened dump: its physical memory, VMCOREINFO, architecture and
 * translation configuration; its symbols and types once asked for. */
struct ptwalk_dump;

/** How to open a dump. Zero-initialise, set struct_size to
 * sizeof(struct ptwalk_open_options), then fill in what you need; fields
 * added in later versions go at the end, so a program built against this
 * header keeps working. NULL options mean all defaults. */
struct ptwalk_open_options {
	size_t struct_size;
	/** "KEY=VALUE" strings applied over the dump's VMCOREINFO, in order
	 * (e.g. "NUMBER(VA_BITS)=48"); ptwalk's --set. */
	const char *const *vmcoreinfo_sets;
	size_t n_vmcoreinfo_sets;
	/** A vmlinux of the dumped kernel (ELF with DWARF), for symbols and
	 * types; ptwalk's -k. NULL: none. */
	const char *vmlinux;
	/** A System.map of the dumped kernel, for symbols; ptwalk's -m. */
	const char *system_map;
	/** A BTF file (e.g. /sys/kernel/btf/vmlinux of that kernel), for
	 * types; ptwalk's --btf. */
	const char *btf;
};

/** Open a dump file: ELF vmcore, kdump-compressed or flattened kdump, told
 * apart by content. BAD_DATA naming the offset for a file that is not a
 * dump or is damaged beyond use; OS for a file that cannot be opened.
 * A dump whose translation cannot be set up still opens (physical reads
 * work; see ptwalk_dump_translation_error()). */
struct ptwalk_error *ptwalk_dump_open(const char *path, const struct ptwalk_open_options *opts,
				      struct ptwalk_dump **dump_ret);
/** As ptwalk_dump_open, on an open file descriptor (which must be seekable
 * and readable; the dump takes a duplicate of it, so the caller may close fd
 * afterwards). Messages name the file "/dev/fd/N". */
struct ptwalk_error *ptwalk_dump_open_fd(int fd, const struct ptwalk_open_options *opts,
					 struct ptwalk_dump **dump_ret);
/** Close a dump (NULL is fine). */
void ptwalk_dump_close(struct ptwalk_dump *dump);

/** Problems the dump was opened around (a malformed VMCOREINFO line...),
 * for the caller to show: index 0 .. count-1, each as an error object
 * (message, offset) owned by the dump. Past a bound they are only counted:
 * *dropped_ret (if not NULL) says how many were not kept. */
size_t ptwalk_dump_warning_count(const struct ptwalk_dump *dump, size_t *dropped_ret);
const struct ptwalk_error *ptwalk_dump_warning(const struct ptwalk_dump *dump, size_t i);
/** NULL when the dump's virtual addresses can be translated; otherwise why
 * not (owned by the dump: do not free). Translation functions then fail
 * with a copy of it. */
const struct ptwalk_error *ptwalk_dump_translation_error(const struct ptwalk_dump *dump);

/* ------------------------------------------------------------------ */
/* What a dump is (`ptwalk info`) */

/* Compression methods seen in a kdump's pages (ptwalk_info.compression). */
#define PTWALK_COMP_ZLIB 0x1u
#define PTWALK_COMP_LZO 0x2u
#define PTWALK_COMP_SNAPPY 0x4u
#define PTWALK_COMP_ZSTD 0x8u
#define PTWALK_COMP_NONE 0x10u /**< pages stored uncompressed */

/** The translation configuration: what the dead kernel's MMU was set up to
 * do, and where each value came from. */
struct ptwalk_xlat_info {
	unsigned granule;          /**< translation granule in bytes */
	unsigned va_bits;          /**< configured VA bits (NUMBER(VA_BITS)) */
	unsigned vabits_actual;    /**< VA bits the MMU ran with */
	unsigned pa_bits;
	unsigned levels;           /**< levels of the kernel's tree */
	const char *descriptor_format; /**< "vmsa", "lpa", "lpa2", "x86-64" */
	const char *layout;        /**< arm64: "flipped" or "legacy"; NULL otherwise */
	uint64_t root_pa;          /**< the kernel tree's root table */
	const char *root_source;   /**< e.g. "SYMBOL(swapper_pg_dir)" */
	bool have_page_offset;
	uint64_t page_offset;
	bool have_phys_offset;
	int64_t phys_offset;       /**< signed: memstart_addr can be negative */
	bool have_kimage_voffset;
	uint64_t kimage_voffset;
	bool have_kaslr_offset;
	uint64_t kaslr_offset;
};

/** Facts from the dump's headers. Strings belong to the dump. */
struct ptwalk_info {
	const char *path;
	const char *format;        /**< "elf64", "elf32", "kdump", "kdump-flattened" */
	unsigned compression;      /**< PTWALK_COMP_* seen */
	const char *arch;          /**< "arm64", "x86_64", or NULL when unknown */
	const char *arch_source;   /**< "elf e_machine", "vmcoreinfo" */
	const char *osrelease;     /**< VMCOREINFO's OSRELEASE, or NULL */
	uint64_t page_size;        /**< VMCOREINFO's PAGESIZE, 0 when not told */
	uint32_t block_size;       /**< kdump header's, 0 for ELF */
	int dump_level;            /**< makedumpfile -d, -1 when not told */
	bool incomplete;           /**< the header says so, or the file is cut short */
	size_t ncpus;              /**< CPU register notes */
	bool have_xlat;            /**< xlat is filled in */
	struct ptwalk_xlat_info xlat;
};

/** Fill *info_ret (cheap: no memory is walked). */
void ptwalk_dump_info(const struct ptwalk_dump *dump, struct ptwalk_info *info_ret);

/** VMCOREINFO as key/value pairs, in the note's order after --set
 * overrides: *pos starts at 0; false when there are no more. */
bool ptwalk_vmcoreinfo_next(const struct ptwalk_dump *dump, size_t *pos, const char **key_ret,
			    const char **value_ret);
/** One VMCOREINFO value ("SYMBOL(_stext)"), or NULL. */
const char *ptwalk_vmcoreinfo_get(const struct ptwalk_dump *dump, const char *key);

/** A range of physical memory the dump describes: [start, end). */
struct ptwalk_phys_range {
	uint64_t start;
	uint64_t end;
};
/** Called for each range in address order; return false to stop. */
typedef bool ptwalk_phys_range_fn(void *arg, const struct ptwalk_phys_range *range);
/** Visit the physical ranges the dump covers (pages present or excluded). */
struct ptwalk_error *ptwalk_dump_phys_ranges(struct ptwalk_dump *dump, ptwalk_phys_range_fn *fn,
					     void *arg);
/** Count pages of page_size bytes present in and excluded from the dump. */
struct ptwalk_error *ptwalk_dump_count_pages(struct ptwalk_dump *dump, uint64_t page_size,
					     uint64_t *present_ret, uint64_t *excluded_ret);

/** One CPU's registers from its crash note (NT_PRSTATUS). */
struct ptwalk_cpu_regs {
	int32_t pid;               /**< the task that ran on it */
	unsigned nregs;
	/** arm64: x0..x30, sp, pc, pstate; x86-64: struct user_regs_struct order. */
	uint64_t regs[34];
};
/** The registers of CPU note i (0 .. info.ncpus-1). INVALID_ARGUMENT past the end. */
struct ptwalk_error *ptwalk_dump_cpu_regs(const struct ptwalk_dump *dump, size_t i,
					  struct ptwalk_cpu_regs *ret);

/* ------------------------------------------------------------------ */
/* Physical memory */

/** Read [pa, pa + len). Stops at the first byte the dump lacks:
 * NOT_PRESENT naming that address, with *done_ret (if not NULL) the bytes
 * copied before it. Never fills in missing bytes. On success *done_ret = len. */
struct ptwalk_error *ptwalk_read_phys(struct ptwalk_dump *dump, uint64_t pa, void *buf, size_t len,
				      size_t *done_ret);
/** Whether the page holding pa is in the dump. */
bool ptwalk_phys_is_present(struct ptwalk_dump *dump, uint64_t pa);

/** Kernel virtual addresses of a physical one. */
struct ptwalk_ptov {
	bool have_linear;          /**< through the linear map */
	uint64_t linear;
	bool have_kimage;          /**< through the kernel image alias, confirmed by the tables */
	uint64_t kimage;
};
/** Physical to virtual: the linear-map alias (the kernel's __phys_to_virt)
 * and the kernel-image alias, the latter only where the kernel's tables map
 * it back to pa. Needs the translation. */
struct ptwalk_error *ptwalk_ptov(struct ptwalk_dump *dump, uint64_t pa, struct ptwalk_ptov *ret);

/* ------------------------------------------------------------------ */
/* Address spaces and translation */

/** An address space to translate and read in: the kernel's tree for the
 * upper half, and optionally one user tree for the lower half. It owns a
 * walker with a cache of table frames and a small translation cache; both
 * hold only what the dump holds, so they never go stale. */
struct ptwalk_space;

/** The kernel's address space; user addresses get PTWALK_NO_USER_TABLE. */
struct ptwalk_error *ptwalk_space_kernel(struct ptwalk_dump *dump, struct ptwalk_space **space_ret);
/** Kernel plus the user tree whose root register value (arm64 TTBR0_EL1,
 * x86-64 CR3) is root. */
struct ptwalk_error *ptwalk_space_user_root(struct ptwalk_dump *dump, uint64_t root,
					    struct ptwalk_space **space_ret);
/** Kernel plus the user tree of process pid (its mm->pgd). NOT_PRESENT
 * for a pid the dump has no task of, and for a kernel thread (no user
 * memory). */
struct ptwalk_error *ptwalk_space_user_pid(struct ptwalk_dump *dump, uint64_t pid,
					   struct ptwalk_space **space_ret);
void ptwalk_space_close(struct ptwalk_space *space);
/** Forget cached frames and translations (memory use only; answers do not change). */
void ptwalk_space_flush(struct ptwalk_space *space);
/** The root of the user tree, if the space has one. */
bool ptwalk_space_user_root_pa(const struct ptwalk_space *space, uint64_t *root_ret);

#define PTWALK_MAX_LEVELS 5

/** How a translation ended. */
enum ptwalk_status {
	PTWALK_OK = 0,             /**< mapped: pa is the answer */
	PTWALK_NOT_MAPPED = 1,     /**< an invalid entry on the way */
	PTWALK_NOT_IN_DUMP = 2,    /**< a table (or the final page) is not in the dump */
	PTWALK_BAD_TABLE = 3,      /**< a descriptor the architecture forbids */
	PTWALK_NON_CANONICAL = 4,  /**< outside both halves of the VA space */
	PTWALK_NO_USER_TABLE = 5,  /**< a user address and the space has no user tree */
};
/** "ok", "not-mapped", "not-in-dump", "bad-table", "non-canonical", "no-user-table". */
const char *ptwalk_status_name(enum ptwalk_status status);

/** One entry read on the way down. */
struct ptwalk_step {
	int level;                 /**< the architecture's level number (arm64: 3 is the leaf) */
	const char *table;         /**< "PGD", "P4D", "PUD", "PMD", "PTE" */
	unsigned index;            /**< entry index within its table */
	uint64_t entry_pa;         /**< physical address of the entry */
	uint64_t raw;              /**< its value */
};

/** A full answer for one address. */
struct ptwalk_translation {
	uint64_t input;            /**< the address as given */
	uint64_t va;               /**< untagged (arm64 TBI) */
	bool tagged;               /**< input had a tag */
	bool user;                 /**< walked (or would be) in the user tree */
	enum ptwalk_status status;
	bool have_pa;              /**< OK, and NOT_IN_DUMP of the final page */
	uint64_t pa;
	uint64_t page_size;        /**< bytes the leaf (or the hole) covers */
	int level;                 /**< level where the walk ended */
	unsigned tree_index;       /**< where it ended counted from the leaf tables (0) up */
	uint64_t raw;              /**< the last entry read */
	bool block;                /**< the leaf is a block (huge page) */
	bool cont;                 /**< arm64 contiguous bit */
	uint64_t cont_size;        /**< bytes of the contiguous run, 0 if none */
	uint64_t missing_pa;       /**< NOT_IN_DUMP: the table (or page) the dump lacks */
	const char *reason;        /**< BAD_TABLE: what is wrong */
	uint64_t table_base;       /**< root of the tree walked */
	unsigned nsteps;
	struct ptwalk_step steps[PTWALK_MAX_LEVELS]; /**< root first */
	/** The VA range [range_start, range_end) this answer holds for. */
	uint64_t range_start;
	uint64_t range_end;
};

/** Translate one virtual address, choosing the tree by its half. The
 * status says how it ended; an error only when the dump cannot be read. */
struct ptwalk_error *ptwalk_translate(struct ptwalk_space *space, uint64_t va,
				      struct ptwalk_translation *ret);

/** Marks an address with no physical answer in ptwalk_translate_batch. */
#define PTWALK_PA_NONE UINT64_MAX

/** Translate n addresses: pa_ret[i] is the physical address va[i] maps to
 * (also for a page the dump lacks: status NOT_IN_DUMP), or PTWALK_PA_NONE
 * when the tables give none; status_ret[i] (if status_ret is not NULL) its
 * enum ptwalk_status. The fast path: repeated pages are answered from the
 * translation cache without a walk. An error stops the batch; entries
 * before *done_ret (if not NULL) are filled in. */
struct ptwalk_error *ptwalk_translate_batch(struct ptwalk_space *space, const uint64_t *va, size_t n,
					    uint64_t *pa_ret, uint8_t *status_ret, size_t *done_ret);

/** Which tree of a space. */
enum ptwalk_tree { PTWALK_TREE_KERNEL = 0, PTWALK_TREE_USER = 1 };

/** A decoded attribute of a leaf descriptor. */
enum ptwalk_attr_type { PTWALK_ATTR_BOOL, PTWALK_ATTR_UINT, PTWALK_ATTR_STR };
struct ptwalk_attr {
	const char *name;          /**< "valid", "af", "sh", "rw", "pxn", "nx", ... */
	enum ptwalk_attr_type type;
	uint64_t u;                /**< BOOL (0/1) and UINT */
	const char *s;             /**< STR */
	/** How ptwalk prints it: NULL shows a BOOL by its name when set and a
	 * value as name=value; otherwise "label=value" always, or for a STR
	 * with label "" the value alone. */
	const char *label;
};
#define PTWALK_MAX_ATTRS 32
/** The attributes of the leaf a translation (status OK or NOT_IN_DUMP of
 * the page) ended at, in the architecture's order; *n_ret how many (at
 * most PTWALK_MAX_ATTRS). */
struct ptwalk_error *ptwalk_translation_attrs(struct ptwalk_space *space,
					      const struct ptwalk_translation *t,
					      struct ptwalk_attr *attrs_ret, size_t *n_ret);
/** The attributes of any leaf entry: raw found at tree index tree_index
 * (0 = the leaf tables; see ptwalk_map_range) of one tree of space. */
struct ptwalk_error *ptwalk_entry_attrs(struct ptwalk_space *space, enum ptwalk_tree tree,
					unsigned tree_index, uint64_t raw, struct ptwalk_attr *attrs_ret,
					size_t *n_ret);
/** Attributes as one line of text, e.g. "valid af sh=inner attr=0 rw pxn uxn nG=0 cont=0". */
struct ptwalk_error *ptwalk_translation_attrs_text(struct ptwalk_space *space,
						   const struct ptwalk_translation *t, char *buf,
						   size_t len);

/* ------------------------------------------------------------------ */
/* Virtual memory */

/** Read [va, va + len) of space, through the tree of each address's half.
 * Stops at the first byte that cannot be read: FAULT (not mapped, or
 * non-canonical, or no user tree) or NOT_PRESENT (mapped but not in the
 * dump), each naming the address; *done_ret (if not NULL) the bytes copied
 * before it. Never fills in missing bytes. On success *done_ret = len. */
struct ptwalk_error *ptwalk_read(struct ptwalk_space *space, uint64_t va, void *buf, size_t len,
				 size_t *done_ret);
/** Read a little-endian 64-bit word of kernel or user memory. */
struct ptwalk_error *ptwalk_read_u64(struct ptwalk_space *space, uint64_t va, uint64_t *ret);

/* ------------------------------------------------------------------ */
/* Walking a whole table (`ptwalk maps`) */

/** A run of leaves contiguous in VA and PA with the same level and attributes. */
struct ptwalk_map_range {
	uint64_t start;
	uint64_t end;              /**< exclusive; 0 = the end of the address space */
	uint64_t pa;
	uint64_t page_size;        /**< bytes each leaf maps */
	int level;
	const char *table;         /**< table name of the leaves: "PTE", "PMD", ... */
	unsigned tree_index;       /**< tree index of the leaves (0 = the leaf tables) */
	uint64_t raw;              /**< the first leaf's descriptor */
	bool cont;
	const char *region;        /**< kernel tree: the region start lies in ("vmalloc"...), or NULL */
};
/** Where a table the dump lacks, or a forbidden descriptor, was met. */
struct ptwalk_map_problem {
	uint64_t start;
	uint64_t end;
	int level;
	const char *table;
	bool has_entry;            /**< index and raw are the entry's */
	unsigned index;
	uint64_t raw;
	uint64_t missing_pa;       /**< gap: the table the dump lacks */
	const char *reason;        /**< bad: what is wrong */
};
/** Neighbouring entries of one table leading to a table listed before at first_va. */
struct ptwalk_map_alias {
	uint64_t start;
	uint64_t end;
	int level;
	const char *table;
	uint64_t table_pa;
	uint64_t first_va;
	uint64_t entries;
	bool replayed;             /**< the ptdump stream shows it as the kernel would */
};
/** A table more than one entry pointed at, after the walk. */
struct ptwalk_map_shared_table {
	uint64_t pa;
	int level;
	const char *table;
	uint64_t first_va;
	uint64_t references;
};
/** Totals of a walk. */
struct ptwalk_map_stats {
	uint64_t leaves, holes, gaps, bad, bad_roots, aliases, aliased_tables;
	bool budget_exhausted;     /**< the walk hit its work bound before the end */
};

/** What to call during a table walk; any member may be NULL. Each returns
 * nothing: a walk always runs to its end (or its work bound). */
struct ptwalk_maps_visitor {
	/** Coalesced mappings. */
	void (*range)(void *arg, const struct ptwalk_map_range *r);
	/** The kernel's own page-table dump stream (its ptdump.c): a region
	 * marker, then lines of equal attributes and level: text is what the
	 * kernel prints after the range and size columns (level name and
	 * attributes, in the architecture's order), prot the bits compared. */
	void (*marker)(void *arg, const char *name);
	void (*line)(void *arg, uint64_t start, uint64_t end, int level, const char *table,
		     uint64_t prot, const char *text);
	/** Lines a region's line limit left out, said when it ends. */
	void (*skipped)(void *arg, uint64_t lines);
	/** A table the dump lacks / a forbidden descriptor (once each; the walk goes on). */
	void (*gap)(void *arg, const struct ptwalk_map_problem *p);
	void (*bad)(void *arg, const struct ptwalk_map_problem *p);
	void (*alias)(void *arg, const struct ptwalk_map_alias *a);
	void (*shared_table)(void *arg, const struct ptwalk_map_shared_table *t);
	/** Something the walk worked around (no region markers: why). */
	void (*warning)(void *arg, const char *message);
};

/** Walk [start, end) of one tree of space (end 0: to the top of the tree,
 * the user half's top for a user tree). With
 * ptdump_style, line() shows the kernel's own region markers and the kernel
 * tree uses the kernel's level names. Bounded by the dump's size. Leaves
 * whose page the dump lacks are listed (they are mapped). */
struct ptwalk_error *ptwalk_maps(struct ptwalk_space *space, enum ptwalk_tree tree, uint64_t start,
				 uint64_t end, bool ptdump_style,
				 const struct ptwalk_maps_visitor *visitor, void *arg,
				 struct ptwalk_map_stats *stats_ret);
/** Where the kernel's own page-table dump of its tree starts (the kernel
 * tree's ptdump_style walk is meant to start there); false, with the start
 * of the kernel half, when the dump's configuration gives no region markers. */
bool ptwalk_maps_ptdump_start(struct ptwalk_space *space, uint64_t *start_ret);

/** Pages of one tree's range, by what the table says of them. */
struct ptwalk_page_counts {
	uint64_t present;          /**< mapped, and in the dump */
	uint64_t not_present;      /**< not mapped */
	uint64_t not_in_dump;      /**< mapped (or under a table) the dump lacks */
	uint64_t bad_table;        /**< under a descriptor the architecture forbids */
};
/** Count the pages (of the translation granule) of [start, end) in one tree
 * of space. */
struct ptwalk_error *ptwalk_count_pages(struct ptwalk_space *space, enum ptwalk_tree tree, uint64_t start,
					uint64_t end, struct ptwalk_page_counts *ret);

/* ------------------------------------------------------------------ */
/* Auditing the tables (`ptwalk check`) */

/** One problem found. */
struct ptwalk_finding {
	/** wx, user-kernel, reserved-bits, bad-block-level, outside-memory,
	 * missing-tables, table-loop, table-alias, linear-map-mismatch,
	 * config-conflict */
	const char *kind;
	bool has_va, has_pa, has_level, has_raw;
	uint64_t va;
	uint64_t end;              /**< with has_va: end of the range, 0 if one address */
	uint64_t pa;
	int level;
	uint64_t raw;
	const char *detail;        /**< valid during the call */
};
typedef void ptwalk_finding_fn(void *arg, const struct ptwalk_finding *f);
/** Run every audit on the kernel tree (kernel) and/or the space's user tree
 * (user); call fn per finding; *count_ret the number of findings. */
struct ptwalk_error *ptwalk_check(struct ptwalk_space *space, bool kernel, bool user,
				  ptwalk_finding_fn *fn, void *arg, uint64_t *count_ret);

/* ------------------------------------------------------------------ */
/* Symbols */

/** Where symbols came from. */
enum ptwalk_sym_source {
	PTWALK_SYM_NONE = 0,
	PTWALK_SYM_VMCOREINFO = 1, /**< SYMBOL() lines of VMCOREINFO */
	PTWALK_SYM_KALLSYMS = 2,   /**< the dump's kallsyms */
	PTWALK_SYM_SYSTEM_MAP = 3, /**< the -m file */
	PTWALK_SYM_VMLINUX = 4,    /**< the -k file */
};
/** "vmcoreinfo", "kallsyms", "system.map", "vmlinux", or NULL. */
const char *ptwalk_sym_source_name(enum ptwalk_sym_source source);

struct ptwalk_symbol {
	uint64_t address;
	const char *name;          /**< valid as long as the dump */
	char type;                 /**< nm's letter; '?' unknown */
	enum ptwalk_sym_source source;
};

/** Load the dump's symbols now (later symbol calls load them on first
 * use): from vmlinux, else System.map, else kallsyms, plus VMCOREINFO's.
 * A vmlinux or System.map of another kernel is BAD_DATA. */
struct ptwalk_error *ptwalk_symbols_load(struct ptwalk_dump *dump);
/** Whether the symbols were loaded (or their loading failed) already, so
 * that asking costs nothing more. */
bool ptwalk_symbols_loaded(const struct ptwalk_dump *dump);
/** Where most symbols came from, and how many there are. */
struct ptwalk_error *ptwalk_symbols_source(struct ptwalk_dump *dump, enum ptwalk_sym_source *source_ret,
					   size_t *count_ret);
/** Sources looked at and not used: i from 0; false past the last. */
bool ptwalk_symbols_refusal(struct ptwalk_dump *dump, size_t i, enum ptwalk_sym_source *source_ret,
			    const char **why_ret);
/** Symbol i in address order (0 .. count-1). */
struct ptwalk_error *ptwalk_symbol_get(struct ptwalk_dump *dump, size_t i, struct ptwalk_symbol *ret);
/** The symbol called name (a global one first, then the lowest address).
 * INVALID_ARGUMENT when there is none. */
struct ptwalk_error *ptwalk_symbol_lookup(struct ptwalk_dump *dump, const char *name,
					  struct ptwalk_symbol *ret);
/** Every symbol called name, in address order: *pos from 0; false when done
 * (or when the symbols cannot be loaded). */
bool ptwalk_symbol_next_by_name(struct ptwalk_dump *dump, const char *name, size_t *pos,
				struct ptwalk_symbol *ret);
/** The symbol address lies in, and the offset into it. INVALID_ARGUMENT
 * when none applies. */
struct ptwalk_error *ptwalk_symbol_at(struct ptwalk_dump *dump, uint64_t address,
				      struct ptwalk_symbol *ret, uint64_t *offset_ret);
/** "NAME", "NAME+OFF", "NAME-OFF" or a number (decimal or 0x hex) to an
 * address. INVALID_ARGUMENT naming the text when it is neither. */
struct ptwalk_error *ptwalk_symbol_resolve(struct ptwalk_dump *dump, const char *text,
					   uint64_t *address_ret);

/** As ptwalk_symbol_resolve for "NAME+OFF" and "NAME-OFF", also giving the
 * symbol NAME is (*base_ret) and the signed offset (*offset_ret). */
struct ptwalk_error *ptwalk_symbol_resolve_parts(struct ptwalk_dump *dump, const char *text,
						 struct ptwalk_symbol *base_ret, int64_t *offset_ret,
						 uint64_t *address_ret);

/* ------------------------------------------------------------------ */
/* Addresses as people write them, and answers shown in full (`ptwalk
 * vtop`, `read`, `ptov`, `sym`) */

/** The number in the len bytes at text: decimal digits, or 0x / 0X and hex
 * digits (either case); a leading 0 is not octal ("010" is ten). No sign,
 * blanks or suffix; leading zeros are fine; at most 64 bits. This is the
 * one number syntax of ptwalk (arguments, option values, batches on stdin);
 * ptwalk_address_parse and ptwalk_symbol_resolve extend it with symbols.
 * Fast enough for a call per line of a million-line batch.
 * INVALID_ARGUMENT quoting (at most 40 bytes of) the text otherwise. */
struct ptwalk_error *ptwalk_parse_u64(const char *text, size_t len, uint64_t *ret);

/** Name file as the one at fault in err (ptwalk_error_file), for callers
 * reporting failures of their own files (an output file) through the same
 * path as the library's errors. Returns err (NULL is fine). */
struct ptwalk_error *ptwalk_error_in_file(struct ptwalk_error *err, const char *file);

/** An address as a user gives one: the len bytes at text as a number
 * (ptwalk_parse_u64), or "NAME", "NAME+OFF", "NAME-OFF" against the dump's
 * symbols (as ptwalk_symbol_resolve). The symbols are loaded only for text
 * shaped like that (a C identifier, with the '.' and '$' of compiler-made
 * names such as foo.cold, then an offset), so a mistyped number never costs
 * loading them. INVALID_ARGUMENT "not an address: 'TEXT'" for text of
 * neither shape; an unknown symbol or a failure to load the symbols as
 * ptwalk_symbol_resolve says it. */
struct ptwalk_error *ptwalk_address_parse(struct ptwalk_dump *dump, const char *text, size_t len,
					  uint64_t *address_ret);

/** The symbol address lies in, for naming addresses as they are answered:
 * once the symbols are loaded, ptwalk_symbol_at. Before, only an address of
 * the kernel image (from the 2 MiB below VMCOREINFO's _stext to 256 MiB
 * above it) is named, so naming linear-map or vmalloc addresses costs
 * nothing; it is named from the dump's kallsyms without loading the table
 * where that is certain to give the table's answer, else the symbols are
 * loaded (as ptwalk_symbols_load; see ptwalk_symbols_loaded). False when no
 * symbol applies or the symbols cannot be loaded. ret->name is valid until
 * the next call. */
bool ptwalk_symbol_name(struct ptwalk_dump *dump, uint64_t address, struct ptwalk_symbol *ret,
			uint64_t *offset_ret);

/** As ptwalk_translate, and *span_ret the bytes from va (the address as
 * given, tagged or not) that the answer holds for: one status all through,
 * and with have_pa, physical addresses contiguous from pa. 0 means up to
 * the end of the address space. Reading a range is a loop over these. */
struct ptwalk_error *ptwalk_translate_span(struct ptwalk_space *space, uint64_t va,
					   struct ptwalk_translation *ret, uint64_t *span_ret);

/** The bits of one half of space's virtual address space: of the kernel's
 * tree, or of the user half (known from the configuration without a user
 * tree too); what NON_CANONICAL is measured against. 0 when not known. */
unsigned ptwalk_space_va_bits(const struct ptwalk_space *space, enum ptwalk_tree tree);

/** A kernel virtual address through which the page table at pa is seen, as
 * crash shows a walk: the kernel image's for the kernel's root table
 * (swapper_pg_dir, arm64), else the linear map's. False when neither. */
bool ptwalk_table_va(const struct ptwalk_space *space, uint64_t pa, uint64_t *va_ret);

/** Table pages that read differently when read again since the space was
 * opened or flushed: a live kernel (/proc/kcore) changed them while they
 * were walked, so what they map is given as each read found it. The first
 * such page in *first_pa_ret (if not NULL). Always 0 for a dump file. */
uint64_t ptwalk_space_tables_changed(const struct ptwalk_space *space, uint64_t *first_pa_ret);

/** A reader of struct page, the kernel's record of each page frame, laid
 * out as VMCOREINFO says (SIZE(page), OFFSET(page.*), the PG_* numbers and
 * the memory map's location): no types are needed. */
struct ptwalk_pages;

#define PTWALK_PAGE_MAX_FLAGS 8

/** One struct page, as crash's vtop shows it. */
struct ptwalk_page {
	uint64_t address;          /**< of the struct page */
	uint64_t pfn;
	uint64_t pa;               /**< of the frame: pfn times the page size */
	/** false: the struct page itself cannot be read; missing says why
	 * (PTWALK_NOT_IN_DUMP or PTWALK_NOT_MAPPED) and the rest is unset. */
	bool have_contents;
	enum ptwalk_status missing;
	uint64_t flags;
	int32_t refcount;          /**< _refcount */
	/** A page type kept in _mapcount ("buddy", "offline", "slab",
	 * "hugetlb"), or NULL. Static. */
	const char *type;
	int64_t mapcount;          /**< _mapcount + 1; 0 with a type */
	uint64_t mapping;
	/** The flags set that VMCOREINFO names (PG_lru...: "lru"...), in
	 * bit order. Static. */
	unsigned nflag_names;
	const char *flag_names[PTWALK_PAGE_MAX_FLAGS];
};

/** Set up a reader for dump. NOT_PRESENT saying what VMCOREINFO lacks when
 * it does not describe struct page; the translation's error without one. */
struct ptwalk_error *ptwalk_pages_open(struct ptwalk_dump *dump, struct ptwalk_pages **pages_ret);
/** struct page of the frame holding pa (physical). An error when its
 * address cannot be worked out (pa in no present memory section) or the
 * dump cannot be read; a struct page that is not mapped or not in the dump
 * is a result with have_contents false. */
struct ptwalk_error *ptwalk_pages_read(struct ptwalk_pages *pages, uint64_t pa, struct ptwalk_page *ret);
void ptwalk_pages_close(struct ptwalk_pages *pages);

/* ------------------------------------------------------------------ */
/* The kernel log (`ptwalk log`) */

/** A reader of the dead kernel's printk buffer, oldest record first. */
struct ptwalk_log;

struct ptwalk_log_record {
	bool have_seq;
	uint64_t seq;
	uint64_t ts_nsec;
	int level;                 /**< 0 (emerg) .. 7 (debug); -1 unknown */
	int facility;              /**< -1 unknown */
	unsigned flags;            /**< the kernel's LOG_NEWLINE (2), LOG_CONT (8) */
	bool have_caller;
	uint32_t caller_id;        /**< task id, or CPU number | 0x80000000 */
	const char *text;          /**< not NUL-terminated; until the next call */
	size_t text_len;
	const char *dict;          /**< NUL-separated "KEY=VALUE"s; until the next call */
	size_t dict_len;
	/** Non-NULL for a record that could not be read: what is wrong (the
	 * other fields but have_seq/seq are then unset). */
	const char *damage;
};

/** Find the log buffer VMCOREINFO describes. BAD_DATA naming what is missing. */
struct ptwalk_error *ptwalk_log_open(struct ptwalk_dump *dump, struct ptwalk_log **log_ret);
/** The next record; *done_ret true (rec unset) after the last. */
struct ptwalk_error *ptwalk_log_next(struct ptwalk_log *log, struct ptwalk_log_record *rec,
				     bool *done_ret);
/** "lockless ring buffer" or "log_buf". */
const char *ptwalk_log_kind(const struct ptwalk_log *log);
void ptwalk_log_close(struct ptwalk_log *log);

/* ------------------------------------------------------------------ */
/* Tasks and their memory (`ptwalk ps`, `vmas`, `gcore`) */

/** Warnings from walks over kernel objects (a bad list element is skipped
 * with one warning). Set per dump; without a handler they are dropped. At
 * most max reach the handler (0: no limit); ptwalk_dump_warnings_dropped()
 * counts the rest. */
typedef void ptwalk_warning_fn(void *arg, const char *message);
void ptwalk_dump_set_warning_handler(struct ptwalk_dump *dump, ptwalk_warning_fn *fn, void *arg,
				     unsigned max);
unsigned ptwalk_dump_warnings_dropped(const struct ptwalk_dump *dump);

struct ptwalk_task {
	uint64_t addr;             /**< the task_struct */
	int32_t pid;               /**< thread id */
	int32_t tgid;              /**< process id */
	bool have_ppid;
	int32_t ppid;
	char comm[17];
	bool have_state;
	char state;                /**< /proc's letter: R S D T t X Z P I */
	bool have_flags;
	uint32_t flags;
	bool have_cpu;
	uint32_t cpu;
	bool have_running;
	bool running;              /**< on a CPU at the crash */
	bool kthread;              /**< PF_KTHREAD with have_flags; without, a guess from mm == 0 */
	uint64_t mm;               /**< 0 for kernel threads */
	bool have_pgd;
	uint64_t pgd_pa;           /**< root of its user tree */
};
/** Return false to stop. */
typedef bool ptwalk_task_fn(void *arg, const struct ptwalk_task *t);
/** Every task from init_task, each thread group leader then its threads.
 * Without task_struct.on_cpu in the layout, a single-threaded process is
 * shown running (with its CPU) where a CPU note in user mode has a stack
 * pointer in its VMAs and in no other process's; the rest stay unknown. */
struct ptwalk_error *ptwalk_tasks(struct ptwalk_dump *dump, ptwalk_task_fn *fn, void *arg);
/** The task with this pid (thread id). NOT_PRESENT when the dump has none. */
struct ptwalk_error *ptwalk_task_find(struct ptwalk_dump *dump, uint64_t pid, struct ptwalk_task *ret);
/** What is known of the kernel's task structures. */
struct ptwalk_task_layout_info {
	const char *source;        /**< "types" (BTF, DWARF) or "inferred" */
	bool have_threads;         /**< thread lists readable: threads are listed, not only leaders */
	bool have_on_cpu;          /**< task_struct.on_cpu known: running is read, not worked out */
	bool have_vma_file;        /**< VMAs' file, offset, device, inode and path can be read */
};
/** Where the task structure offsets came from, and what they cover. */
struct ptwalk_error *ptwalk_task_layout(struct ptwalk_dump *dump, struct ptwalk_task_layout_info *ret);

/* vm_flags bits (include/linux/mm.h) */
#define PTWALK_VM_READ 0x1u
#define PTWALK_VM_WRITE 0x2u
#define PTWALK_VM_EXEC 0x4u
#define PTWALK_VM_MAYSHARE 0x80u

struct ptwalk_vma {
	uint64_t addr;             /**< the vm_area_struct */
	uint64_t start, end;
	uint64_t flags;            /**< vm_flags */
	char perms[5];             /**< "rw-p" as /proc prints it */
	bool have_pgoff;
	uint64_t pgoff;            /**< in pages */
	uint64_t file;             /**< struct file *, 0 for anonymous */
	const char *name;          /**< path or "[heap]"..., NULL unknown; during the call */
	bool have_dev;
	uint32_t major, minor;
	uint64_t ino;
};
typedef bool ptwalk_vma_fn(void *arg, const struct ptwalk_vma *v);
/** Every VMA of process pid in address order. NOT_PRESENT for a pid the
 * dump has no task of, and for a kernel thread. */
struct ptwalk_error *ptwalk_vmas(struct ptwalk_dump *dump, uint64_t pid, ptwalk_vma_fn *fn, void *arg);

struct ptwalk_gcore_stats {
	uint64_t vmas, segments, pages_written;
	uint64_t pages_not_present;   /**< not mapped in the process's table */
	uint64_t pages_not_in_dump;   /**< mapped, but the dump lacks the page */
	uint64_t threads, threads_from_note, threads_without_regs;
	uint64_t bytes;
};
/** Write an ELF core file of process pid to fd (written from its current
 * position; seeking not needed), as the kernel's own core dumps lay it out.
 * Pages not mapped or not in the dump are left out and counted, never
 * filled in. */
struct ptwalk_error *ptwalk_gcore(struct ptwalk_dump *dump, uint64_t pid, int fd,
				  struct ptwalk_gcore_stats *stats_ret);

/* ------------------------------------------------------------------ */
/* What a dump says cheaply, and the kernel's layout (`ptwalk info`,
 * `layout`, `maps`). Like every call on a dump, these fill its caches (and
 * a space's): one thread at a time per dump, as "Thread safety" says. */

/** Whether the dump carries a VMCOREINFO note (one with no lines too);
 * false when what ptwalk_vmcoreinfo_next gives came from --set alone. */
bool ptwalk_dump_has_vmcoreinfo(const struct ptwalk_dump *dump);

/** The dump's symbols as far as they are known without loading them. */
struct ptwalk_symbols_summary {
	enum ptwalk_sym_source source; /**< where they come from; NONE: none */
	size_t count;
	int data_symbols;              /**< 1 data symbols too, 0 text only (kallsyms
					    without CONFIG_KALLSYMS_ALL), -1 not known */
	bool names_checked;            /**< the whole table was loaded and checked */
	enum ptwalk_sym_source refused; /**< a source looked at and not used, or NONE */
	const char *refused_why;       /**< why (NULL with NONE); valid until the
					    next call or the dump's close */
};
/** Summarise the symbols: with -k or -m given, or once loaded, from the
 * loaded table (loading it now); otherwise from a probe of the dump's
 * kallsyms (its count and addresses, not its names: fast), or VMCOREINFO's
 * SYMBOL() lines when kallsyms cannot be used (refused says why). A -k or
 * -m file of another kernel is BAD_DATA. */
struct ptwalk_error *ptwalk_symbols_summary(struct ptwalk_dump *dump, struct ptwalk_symbols_summary *ret);

/** Where the dump's types would come from. */
struct ptwalk_types_info {
	const char *source;        /**< "dwarf" or "btf" */
	const char *from;          /**< "vmlinux" (-k), "file" (--btf) or "dump" */
	bool have_address;         /**< BTF found in the dump's image: where, how large */
	uint64_t address;
	uint64_t size;
	/** Why -k's vmlinux was passed over (no DWARF), or NULL; valid until
	 * the next call or the dump's close. */
	const char *skipped;
};
/** Choose the types' source as loading them would, without parsing them
 * (BTF in the dump: its header only). The error says why there are none;
 * a --btf file that cannot be used is an error too. */
struct ptwalk_error *ptwalk_types_probe(struct ptwalk_dump *dump, struct ptwalk_types_info *ret);

/** A named range of the kernel half of the address space. */
struct ptwalk_region {
	const char *name;          /**< "linear map", "vmalloc", "kernel image", "guard", "gap", ... */
	uint64_t start;
	uint64_t end;              /**< exclusive; 0 = the end of the address space */
	const char *source;        /**< where its bounds come from: "computed", "vmcoreinfo", "tables" */
};
/** Return false to stop. */
typedef bool ptwalk_region_fn(void *arg, const struct ptwalk_region *r);
/** The regions of the kernel half of space, end to end in address order,
 * as the kernel's memory-layout documentation describes them for this
 * dump's configuration (VMCOREINFO where it exports them; extents that
 * depend on build options from the tables). The kernel image's end is the
 * end of what the tables map at the image's offset (source "tables").
 * NOT_IMPLEMENTED for an architecture without a layout. Strings are static. */
struct ptwalk_error *ptwalk_layout(struct ptwalk_space *space, ptwalk_region_fn *fn, void *arg);

/** A region marker of the kernel's own page-table dump
 * (/sys/kernel/debug/kernel_page_tables), where ptwalk_maps' ptdump-style
 * walk shows `---[ name ]---`. */
struct ptwalk_marker {
	const char *name;          /**< as the kernel prints it: "vmalloc() Area", "Modules", ... */
	uint64_t start;
	unsigned max_lines;        /**< lines the kernel prints at most in its region; 0 all */
};
/** Return false to stop. */
typedef bool ptwalk_marker_fn(void *arg, const struct ptwalk_marker *m);
/** The markers of the kernel's page-table dump of space's kernel tree, in
 * address order, the first where that dump starts. x86-64: the kernel's own
 * address_markers[] where the dump's symbols name it (its build options
 * decide which regions exist), else those of a distribution build. An
 * error saying why when the configuration gives none; NOT_IMPLEMENTED for
 * an architecture without one. The answer is worked out once per space (and
 * shared with ptwalk_maps and ptwalk_maps_ptdump_start). Strings are static. */
struct ptwalk_error *ptwalk_ptdump_markers(struct ptwalk_space *space, ptwalk_marker_fn *fn, void *arg);

#ifdef __cplusplus
}
#endif

#endif
