/* Reading a kernel maple tree (lib/maple_tree.c, 6.1+): the tree that holds
 * a process's VMAs in mm_struct.mm_mt. Only what a reader needs: walk the
 * nodes in index order and hand each stored entry to a callback. Bounded:
 * by the tree's recorded height, a node budget and an entry budget. */
#ifndef PTW_MAPLE_H
#define PTW_MAPLE_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "kmem.h"

/* struct maple_tree on 64-bit kernels without lock debugging:
 * spinlock_t ma_lock (4 bytes), unsigned int ma_flags, void *ma_root. */
#define PTW_MAPLE_TREE_FLAGS_OFF 4
#define PTW_MAPLE_TREE_ROOT_OFF 8
/* ma_flags bits (include/linux/maple_tree.h). */
#define PTW_MT_FLAGS_ALLOC_RANGE 0x01u
#define PTW_MT_FLAGS_HEIGHT_MASK 0x7Cu
#define PTW_MT_FLAGS_HEIGHT_OFFSET 2
#define PTW_MT_FLAGS_LOCK_MASK 0x300u
#define PTW_MAPLE_HEIGHT_MAX 31

/** Called per stored entry covering [first, last]; return false to stop. */
typedef bool ptw_maple_fn(void *arg, uint64_t first, uint64_t last, uint64_t entry);

struct ptw_maple_limits {
	uint64_t max_nodes;    /* nodes read at most */
	uint64_t max_entries;  /* entries handed to fn at most */
};

struct ptw_maple_stats {
	uint64_t nodes;
	uint64_t entries;
	bool truncated;        /* a budget ran out, or a bad node was skipped */
};

/** Walk the tree whose ma_root is `root` and ma_flags `flags`, visiting
 * entries in index order. Bad nodes (unknown type, pivots out of order,
 * deeper than the recorded height, unreadable) are one warning each in
 * diag and are skipped; the error return is only for allocation failure.
 * `what` names the tree in warnings ("mm 0xffff... VMA tree"). */
struct ptw_error *ptw_maple_walk(const struct ptw_kmem *mem, uint64_t root, uint32_t flags,
				 const struct ptw_maple_limits *lim, ptw_maple_fn *fn, void *arg,
				 struct ptw_diag *diag, const char *what,
				 struct ptw_maple_stats *stats_ret);

#endif
