/* What an architecture tells the kernel-style page-table dump (`maps` text
 * output): which descriptor bits make a range's attributes, how to print
 * them, how the kernel names levels, and where it draws region markers.
 * The output must diff cleanly against /sys/kernel/debug/kernel_page_tables
 * of the same kernel (arch/arm64/mm/ptdump.c, mm/ptdump.c). */
#ifndef PTW_PTDUMP_H
#define PTW_PTDUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "vmcoreinfo.h"
#include "xlat.h"

/* A `---[ name ]---` line, printed when the dump reaches `start`. */
struct ptw_marker {
	uint64_t start;
	const char *name;
};

/* One stretch of address space the kernel's dump walks. */
struct ptw_view_range {
	uint64_t start;
	uint64_t end;     /* exclusive; 0 = the end of the address space */
	bool lower_half;  /* walked through the kernel root as a lower-half tree
			     (x86-64: one CR3 tree serves both halves) */
};

struct ptw_walk_result;
struct ptw_walk_step;

#define PTW_MAX_MARKERS 24

/* How the dead kernel's own ptdump would have shown its table. */
struct ptw_ptdump_view {
	uint64_t start;        /* where the kernel's walk starts */
	unsigned n;            /* markers, in order; the first at start */
	struct ptw_marker m[PTW_MAX_MARKERS];
	bool old_level_names;  /* 6.1 named a 3-level kernel's top level "PGD" */
	/* The ranges the kernel walks, in order, when not [start, end of space):
	 * x86-64 walks the lower half and the kernel half past the guard hole. */
	unsigned nranges;
	struct ptw_view_range ranges[2];
	/* x86's note_page() crosses at most one marker per note, and only when
	 * it closes a run; arm64's also checks again after the break. */
	bool one_marker_per_break;
	/* Lines printed at most in the region of marker i, 0 = all; the rest
	 * are counted in a "... N entries skipped ..." line (x86's ESPfix area). */
	unsigned max_lines[PTW_MAX_MARKERS];
};

struct ptw_ptdump_ops {
	/** The bits of an entry that ptdump compares and prints (its `prot`). */
	uint64_t (*prot)(uint64_t raw);
	/** Append the attribute columns for prot, each as " <text>", to buf. */
	void (*format)(uint64_t prot, char *buf, size_t len);
	/** The kernel's level number (0 = PGD .. 4 = PTE) for an entry at tree
	 * index idx: holes are reported at the real (unfolded) level, leaves
	 * at their own. Runs of different levels are never merged. */
	int (*kernel_level)(const struct ptw_geom *g, unsigned idx, bool hole);
	/** The name the kernel prints for that level number. */
	const char *(*level_name)(const struct ptw_ptdump_view *v, const struct ptw_geom *g,
				  int kernel_level);
	/** The start and markers of the kernel's dump of its own table. Some
	 * depend on build options that the dump shows only in its tables:
	 * is_mapped(arg, va) asks whether va is mapped. */
	struct ptw_error *(*view)(const struct ptw_xlat *x, const struct ptw_vmcoreinfo *vi,
				  bool (*is_mapped)(void *arg, uint64_t va), void *arg,
				  struct ptw_ptdump_view *ret);
	/** Kernel W+X / user-access rules, for `check`: whether prot is a
	 * writable and executable kernel mapping, and whether EL0 can reach it. */
	bool (*is_wx)(uint64_t prot);
	bool (*is_user)(uint64_t prot);
	/** Whether prot maps device memory (MMIO may lie outside RAM). */
	bool (*is_device)(uint64_t prot);
	/** Optional: the prot of a walk's result when it depends on more than
	 * the last entry (x86: note_page() also compares the effective
	 * permissions of the whole path). NULL: prot(r->raw). */
	uint64_t (*prot_of_walk)(const struct ptw_geom *g, const struct ptw_walk_result *r);
	/** Optional: what the table descriptors steps[0..n-1] pass down to the
	 * prot of everything below them (x86: the effective RW, USER and NX of
	 * the path). A table reached again is shown as its first listing only
	 * where this is the same. NULL: nothing is passed down. */
	uint64_t (*inherited)(const struct ptw_walk_step *steps, unsigned n);
	/** Optional: whether the kernel shares tables on purpose at va in its
	 * own table (x86-64's espfix area), so that `check` need not report
	 * those aliases. NULL: nowhere. */
	bool (*kernel_aliases)(const struct ptw_xlat *x, uint64_t va);
	/** Optional: the text after the range and size columns, for archs whose
	 * line is not " LEVEL" + format() (x86: attributes, then the level
	 * name last). */
	void (*format_line)(uint64_t prot, int kernel_level, const char *level_name, char *buf,
			    size_t len);
};

extern const struct ptw_ptdump_ops ptw_ptdump_arm64;
extern const struct ptw_ptdump_ops ptw_ptdump_x86_64;

#endif
