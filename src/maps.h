/* Every mapping of a table, in two shapes at once: the kernel's ptdump
 * stream (runs of equal attributes and level, region markers, holes
 * included) and coalesced mappings (contiguous in VA and PA, same level and
 * attributes). One pass over the tree feeds both. */
#ifndef PTW_MAPS_H
#define PTW_MAPS_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "ptdump.h"
#include "walk.h"

struct ptw_map_range {
	uint64_t start;
	uint64_t end;        /* exclusive; 0 = the end of the address space */
	uint64_t pa;
	uint64_t page_size;  /* bytes each leaf maps */
	unsigned idx;        /* tree index of the leaves (0 = last level) */
	int level;           /* the architecture's level number */
	uint64_t raw;        /* the first leaf's descriptor */
	uint64_t prot;       /* what ptdump compares */
	bool cont;
};

/* Neighbouring entries of one table that lead to the same table, listed
 * before at first_va. */
struct ptw_alias_run {
	uint64_t start;
	uint64_t end;        /* exclusive; 0 = the end of the address space */
	unsigned idx;        /* tree index of the entries */
	int level;           /* the architecture's level number of the entries */
	uint64_t table_pa;
	uint64_t first_va;
	uint64_t entries;
	/* The ptdump stream merged the first listing's runs in here, as the
	 * kernel's walk would show them (a subtree of one run, as KASAN's
	 * early shadow; runs past a region's max_lines, as x86's espfix
	 * area); otherwise the stream has a run of its own here, for
	 * line-style output to print. */
	bool replayed;
};

struct ptw_maps_sink {
	void *arg;
	/* The kernel's ptdump stream; either may be NULL. */
	void (*marker)(void *arg, const char *name);
	void (*line)(void *arg, uint64_t start, uint64_t end, int kernel_level, const char *level,
		     uint64_t prot);
	/* Lines a marker's max_lines left out, said when its region ends; may be NULL. */
	void (*skipped)(void *arg, uint64_t lines);
	/* Coalesced mappings; may be NULL. */
	void (*range)(void *arg, const struct ptw_map_range *r);
	/* A table the dump lacks (NOT_IN_DUMP) or a forbidden descriptor
	 * (BAD_TABLE): reported once each, and the walk goes on past it. */
	void (*gap)(void *arg, const struct ptw_walk_result *r);
	void (*bad)(void *arg, const struct ptw_walk_result *r);
	/* Entries leading to a table listed before (PTW_WALK_ALIAS): its
	 * subtree is listed once; later entries are aliases, told once per
	 * run of neighbouring entries of one table leading to the same table.
	 * May be NULL. */
	void (*alias)(void *arg, const struct ptw_alias_run *a);
	/* After the walk: each table more than one entry pointed at, in the
	 * order first reached. May be NULL. */
	void (*aliased_table)(void *arg, const struct ptw_table_seen *t);
};

struct ptw_maps_stats {
	uint64_t leaves;
	uint64_t holes;
	uint64_t gaps;
	uint64_t bad;          /* forbidden descriptors */
	uint64_t bad_roots;    /* a root table outside memory or misaligned: no entry read */
	uint64_t aliases;      /* entries leading to a table listed before */
	uint64_t aliased_tables;
	bool budget_exhausted; /* the walk hit its work bound before the end */
};

/** Walk [start, end) of tree g (end 0: to the top of the address space).
 * With a view, ptdump lines carry its markers and level names. At most
 * `budget` entries are visited (see ptw_maps_budget()). Each table is
 * walked once: entries that lead to a table already listed are aliases
 * (sink->alias), so what is reported is bounded by the distinct tables
 * read times their entries, however often they are referenced (up to
 * PTW_TABLE_SET_CAP tables; past it, under the budget). */
struct ptw_error *ptw_maps_walk(struct ptw_walker *w, const struct ptw_geom *g, uint64_t start,
				uint64_t end, const struct ptw_ptdump_ops *pd,
				const struct ptw_ptdump_view *view, const struct ptw_maps_sink *sink,
				uint64_t budget, struct ptw_maps_stats *stats);

/** A bound on the entries a whole-table walk of a tree in `src` may visit.
 * Without aliasing every table page is read once per reference, so a walk
 * sees at most (pages in the dump) x (entries per table) entries; twice that
 * leaves room for tables shared between a few parents, while a table that
 * is reachable from everywhere (hostile dumps) ends at the bound instead of
 * running for days. */
struct ptw_error *ptw_maps_budget(struct ptw_source *src, const struct ptw_geom *g,
				  uint64_t *ret);

#endif
