#include "maple.h"

#include <inttypes.h>
#include <string.h>

/* Node encoding (include/linux/maple_tree.h, lib/maple_tree.c): a node
 * pointer is a 256-byte aligned address with the node type in bits [6:3].
 * The root additionally carries bit 1 (mt_mk_root), which is what tells a
 * root node from a single entry stored in the root; every non-NULL slot of
 * an internal node is a child node. */
#define NODE_MASK UINT64_C(255)
#define NODE_TYPE_SHIFT 3
#define NODE_TYPE_MASK 0x0Fu
#define NODE_BYTES 256

enum maple_type { MAPLE_DENSE, MAPLE_LEAF_64, MAPLE_RANGE_64, MAPLE_ARANGE_64 };

/* 64-bit: maple_range_64 = parent, pivot[15], slot[16];
 * maple_arange_64 = parent, pivot[9], slot[10], gap[10], meta. */
#define RANGE64_SLOTS 16
#define ARANGE64_SLOTS 10

struct walk {
	const struct ptw_kmem *mem;
	const struct ptw_maple_limits *lim;
	ptw_maple_fn *fn;
	void *arg;
	struct ptw_diag *diag;
	const char *what;
	unsigned max_depth;
	struct ptw_maple_stats st;
	bool stop;
};

static bool is_node(uint64_t e)
{
	return (e & 3) == 2 && e > 4096;
}

/* Internal values the tree stores that are not user entries (XA_ZERO_ENTRY,
 * retry markers): small values tagged like nodes. */
static bool is_internal_value(uint64_t e)
{
	return (e & 3) == 2 && e <= 4096;
}

static void walk_node(struct walk *w, uint64_t enode, uint64_t min, uint64_t max, unsigned depth)
{
	unsigned char buf[NODE_BYTES];
	uint64_t node = enode & ~NODE_MASK;
	unsigned type = (unsigned)(enode >> NODE_TYPE_SHIFT) & NODE_TYPE_MASK;
	unsigned npiv, nslots, slot_off;
	uint64_t lo = min;
	struct ptw_error *err;

	if (w->stop)
		return;
	if (depth > w->max_depth) {
		ptw_diag_warn(w->diag, "%s: maple node 0x%" PRIx64 " is at depth %u, deeper than the tree's height %u: skipped",
			      w->what, node, depth, w->max_depth);
		w->st.truncated = true;
		return;
	}
	if (w->st.nodes >= w->lim->max_nodes) {
		ptw_diag_warn(w->diag, "%s: more than %" PRIu64 " maple nodes: walk stopped", w->what,
			      w->lim->max_nodes);
		w->st.truncated = true;
		w->stop = true;
		return;
	}
	w->st.nodes++;
	if (type == MAPLE_ARANGE_64) {
		npiv = ARANGE64_SLOTS - 1;
		nslots = ARANGE64_SLOTS;
	} else if (type == MAPLE_RANGE_64 || type == MAPLE_LEAF_64) {
		npiv = RANGE64_SLOTS - 1;
		nslots = RANGE64_SLOTS;
	} else {
		ptw_diag_warn(w->diag, "%s: maple node 0x%" PRIx64 " has type %u, not a 64-bit range node: skipped",
			      w->what, node, type);
		w->st.truncated = true;
		return;
	}
	slot_off = 8 + 8 * npiv;
	err = ptw_kmem_read(w->mem, node, buf, sizeof(buf));
	if (err) {
		ptw_diag_warn(w->diag, "%s: maple node 0x%" PRIx64 " unreadable (%s): skipped", w->what, node,
			      err->message);
		ptw_error_destroy(err);
		w->st.truncated = true;
		return;
	}
	for (unsigned i = 0; i < nslots && !w->stop; i++) {
		uint64_t hi = i < npiv ? ptw_le64(buf + 8 + 8 * i) : max;
		uint64_t e = ptw_le64(buf + slot_off + 8 * i);

		/* A zero pivot after the first slot ends the node's data (as
		 * the kernel's own mt_dump reads it). */
		if (i > 0 && i < npiv && hi == 0)
			break;
		if (i == npiv && !e)
			break;
		if (hi < lo || hi > max) {
			ptw_diag_warn(w->diag, "%s: maple node 0x%" PRIx64 " slot %u: pivot 0x%" PRIx64 " outside [0x%" PRIx64 ", 0x%" PRIx64 "] (pivots out of order): rest of node skipped",
				      w->what, node, i, hi, lo, max);
			w->st.truncated = true;
			return;
		}
		if (e) {
			if (type != MAPLE_LEAF_64) {
				/* Children are encoded nodes without the root's
				 * bit-1 tag (mte_mk_node: node | type << 3). */
				if (e > 4096)
					walk_node(w, e, lo, hi, depth + 1);
				else {
					ptw_diag_warn(w->diag, "%s: maple node 0x%" PRIx64 " slot %u: 0x%" PRIx64 " is not a child node: skipped",
						      w->what, node, i, e);
					w->st.truncated = true;
				}
			} else if (!is_internal_value(e)) {
				if (w->st.entries >= w->lim->max_entries) {
					ptw_diag_warn(w->diag, "%s: more than %" PRIu64 " entries: walk stopped", w->what,
						      w->lim->max_entries);
					w->st.truncated = true;
					w->stop = true;
					return;
				}
				w->st.entries++;
				if (!w->fn(w->arg, lo, hi, e))
					w->stop = true;
			}
		}
		if (hi >= max)
			break;
		lo = hi + 1;
	}
}

struct ptw_error *ptw_maple_walk(const struct ptw_kmem *mem, uint64_t root, uint32_t flags,
				 const struct ptw_maple_limits *lim, ptw_maple_fn *fn, void *arg,
				 struct ptw_diag *diag, const char *what,
				 struct ptw_maple_stats *stats_ret)
{
	struct walk w = { .mem = mem, .lim = lim, .fn = fn, .arg = arg, .diag = diag, .what = what };
	unsigned height = (flags & PTW_MT_FLAGS_HEIGHT_MASK) >> PTW_MT_FLAGS_HEIGHT_OFFSET;

	w.max_depth = height ? height : PTW_MAPLE_HEIGHT_MAX;
	if (!root) {
		/* empty */
	} else if (is_node(root)) {
		walk_node(&w, root, 0, UINT64_MAX, 1);
	} else if (!is_internal_value(root)) {
		/* A tree of one entry keeps it in the root, at index 0. */
		w.st.entries = 1;
		fn(arg, 0, 0, root);
	}
	if (stats_ret)
		*stats_ret = w.st;
	return NULL;
}
