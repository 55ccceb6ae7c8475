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
};

struct ptw_maps_stats {
	uint64_t leaves;
	uint64_t holes;
	uint64_t gaps;
	uint64_t bad;
	bool budget_exhausted; /* the walk hit its work bound before the end */
};

/** Walk [start, end) of tree g (end 0: to the top of the address space).
 * With a view, ptdump lines carry its markers and level names. At most
 * `budget` entries are visited (see ptw_maps_budget()). */
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
