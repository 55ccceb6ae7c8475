/* The generic page-table walker. It knows no architecture: a struct
 * ptw_geom says how a VA splits into indexes, and the arch's pure decoder
 * says what each descriptor means. vtop is one walk; read, maps and check
 * iterate with ptw_walk_next(), which yields one range per call. */
#ifndef PTW_WALK_H
#define PTW_WALK_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "source.h"
#include "table_set.h"
#include "xlat.h"

enum ptw_walk_status {
	PTW_WALK_OK,
	PTW_WALK_NOT_MAPPED,    /* an invalid entry: level, index, raw */
	PTW_WALK_NOT_IN_DUMP,   /* a table page or the final page is absent: missing_pa */
	PTW_WALK_BAD_TABLE,     /* a forbidden descriptor: level, index, raw, reason */
	PTW_WALK_NON_CANONICAL, /* outside both halves of the VA space */
	PTW_WALK_ALIAS,         /* (iterations that track tables) a table descriptor leads to a
				   table the iteration reached before: alias_pa, alias_first_va */
};

/** "ok", "not-mapped", "not-in-dump", "bad-table", "non-canonical", "alias". */
const char *ptw_walk_status_name(enum ptw_walk_status status);

struct ptw_walk_step {
	int level;          /* arch level number */
	unsigned idx;       /* tree index, 0 = leaf */
	unsigned index;     /* entry index within its table */
	uint64_t entry_pa;  /* physical address of the entry */
	uint64_t raw;
};

struct ptw_walk_result {
	enum ptw_walk_status status;
	uint64_t va;           /* the VA walked (untagged, as given to ptw_walk) */
	uint64_t table_base;   /* root of the tree */
	unsigned nsteps;
	struct ptw_walk_step step[PTW_MAX_LEVELS];
	bool have_pa;          /* OK, and NOT_IN_DUMP of the final page */
	uint64_t pa;
	uint64_t page_size;    /* bytes the leaf (or the hole) covers */
	int level;             /* level where the walk ended */
	unsigned idx;          /* tree index where the walk ended */
	uint64_t raw;          /* the last entry read */
	bool leaf_is_block;
	bool cont;
	uint64_t cont_size;    /* bytes of the contiguous run, 0 if unknown or no run */
	uint64_t missing_pa;   /* NOT_IN_DUMP, and BAD_TABLE outside memory: the table (the
				  entry when the final page is missing) */
	uint64_t alias_pa;     /* ALIAS: the table reached again */
	uint64_t alias_first_va; /* ALIAS: start of the range whose entry first reached it */
	const char *reason;    /* BAD_TABLE, static text */
	/* The VA range this answer holds for: [range_start, range_end); range_end
	 * 0 means the end of the address space. */
	uint64_t range_start;
	uint64_t range_end;
};

struct ptw_walker;

/** A walker over physical memory `src`, decoding with `decode`. It keeps a
 * bounded cache of table frames; `src` must outlive it. */
struct ptw_error *ptw_walker_create(struct ptw_source *src, ptw_decode_fn *decode,
				    struct ptw_walker **ret);
void ptw_walker_destroy(struct ptw_walker *w);
/** Whether to report NOT_IN_DUMP when the final page is absent (default true). */
void ptw_walker_check_leaf(struct ptw_walker *w, bool check);
/** Forget cached frames (and, on a live source, what they held). */
void ptw_walker_flush(struct ptw_walker *w);
/** On a live source (/proc/kcore): how many table frames read differently
 * when read again since the last flush (the kernel changed them while they
 * were walked); *first_pa_ret is the first such frame when there is one. */
uint64_t ptw_walker_changed_frames(const struct ptw_walker *w, uint64_t *first_pa_ret);

/** Walk va (already untagged) through tree g. A walk that meets a hole or a
 * bad entry is not an error: it is a result with that status. Errors are
 * only failures to read the dump other than missing pages. */
struct ptw_error *ptw_walk(struct ptw_walker *w, const struct ptw_geom *g, uint64_t va,
			   struct ptw_walk_result *ret);

/* For caches of table descriptors (src/api's translation cache): walks that
 * start below the root and give the answer a walk from the root gives. */

/** Walk va through tree g from level `first` (0: the root), given the
 * tables a walk of va from the root reads down to it: tables[0..first],
 * root first (all of them, so that a descriptor leading back to one of them
 * is still a table loop). ret->step holds only the levels walked here (those
 * above are zero). On return tables[0..*ntables_ret - 1] are the tables the
 * whole walk read, as ptw_walk reads them. */
struct ptw_error *ptw_walk_from_path(struct ptw_walker *w, const struct ptw_geom *g, uint64_t va,
				    uint64_t tables[PTW_MAX_LEVELS], unsigned first, struct ptw_walk_result *ret,
				    unsigned *ntables_ret);

/** The last step of a walk of va alone, from table_pa, the leaf table (tree
 * index 0) a walk of va from the root reaches: its status and, when there is
 * one, its PA (*have_pa_ret), as ptw_walk gives them. */
struct ptw_error *ptw_walk_leaf(struct ptw_walker *w, const struct ptw_geom *g, uint64_t va, uint64_t table_pa,
				enum ptw_walk_status *status_ret, uint64_t *pa_ret, bool *have_pa_ret);

/** Tables of at most 2^PTW_TABLE_HOLES_MAX_BITS entries have a hole map. */
#define PTW_TABLE_HOLES_MAX_BITS 9
/** The hole map of the table at tree index idx at table_pa: bit i of
 * holes[] (room for 2^g->bits[idx] bits) set when entry i is invalid, so
 * that a walk reaching it ends NOT_MAPPED there. *ok_ret false (holes
 * undefined) when the table has more entries or is not in the dump. */
struct ptw_error *ptw_walk_table_holes(struct ptw_walker *w, const struct ptw_geom *g, unsigned idx,
				      uint64_t table_pa, uint64_t *holes, bool *ok_ret);

/** Whether a walk that ends at a leaf mapping pa gives OK rather than
 * NOT_IN_DUMP (see ptw_walker_check_leaf). */
bool ptw_walker_leaf_present(struct ptw_walker *w, uint64_t pa);
/** Whether every step-sized page of [pa, pa + size) would pass
 * ptw_walker_leaf_present: a cached answer for the whole range may say OK. */
bool ptw_walker_range_present(struct ptw_walker *w, uint64_t pa, uint64_t size, uint64_t step);

/* Iterate over [start, end) of a tree, one leaf or hole per call. */
struct ptw_walk_iter {
	struct ptw_walker *w;
	const struct ptw_geom *g;
	uint64_t va;
	uint64_t end;   /* exclusive; 0 = the end of the address space */
	bool done;
	unsigned long long budget; /* steps left: every loop over dump data is bounded */
	/* Where the last walk (of path_va) went, so that the next one starts
	 * from the deepest table both share rather than from the root:
	 * tables[0..ntables - 1] are the tables it read, path[0..ntables - 2]
	 * the table descriptors that led from each to the next (walk.c). */
	uint64_t path_va;
	uint64_t tables[PTW_MAX_LEVELS];
	struct ptw_walk_step path[PTW_MAX_LEVELS];
	unsigned ntables;
	/* How many levels the last walk took from the one before: tables[0..
	 * shared] are the ones it also read, the rest it reached anew. */
	unsigned shared;
	/* Tables reached so far (NULL: none kept, every reference is walked). */
	struct ptw_table_set *seen;
};

void ptw_walk_iter_init(struct ptw_walk_iter *it, struct ptw_walker *w, const struct ptw_geom *g,
			uint64_t start, uint64_t end);
/** Remember the tables this iteration reaches in `seen` (which may be shared
 * by iterations over parts of one tree): a table reached again through
 * another entry is then not walked again but yields one PTW_WALK_ALIAS
 * result covering that entry's range. */
void ptw_walk_iter_track_tables(struct ptw_walk_iter *it, struct ptw_table_set *seen);

/** The next range. *done_ret is set true (and ret untouched) once past end. */
struct ptw_error *ptw_walk_next(struct ptw_walk_iter *it, struct ptw_walk_result *ret,
				bool *done_ret);

#endif
