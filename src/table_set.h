/* The tables a walk of one tree has reached, keyed by physical address, so
 * that a table reached again through another entry (an alias) is listed once
 * and its later references are told, not walked again. The kernel shares
 * tables on purpose (x86-64's espfix area, KASAN's early shadow); a corrupt
 * dump can point every entry of a table at one lower table.
 *
 * Bounded: at most PTW_TABLE_SET_CAP tables are remembered (memory grows
 * with the tables actually reached, up to about 20 MiB). A table reached
 * once the set is full is not remembered: its aliases are walked again, as
 * they would be without the set, and the walk's work bound still ends it. */
#ifndef PTW_TABLE_SET_H
#define PTW_TABLE_SET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define PTW_TABLE_SET_CAP (UINT32_C(1) << 18)

/* How the first listing of a table's subtree looked as ptdump runs
 * (maps.c): enough to replay it where the table is reached again. */
struct ptw_subtree_runs {
	bool valid;           /* listed completely, no gap, bad entry or marker inside */
	int8_t first_level;   /* kernel level and prot of the first and last runs */
	int8_t last_level;
	uint32_t breaks;      /* runs that ended inside the subtree */
	uint64_t first_prot;
	uint64_t last_prot;
	uint64_t last_offset; /* where the last run starts, from the subtree's start */
	uint64_t context;     /* what the entries above passed down (ptdump's inherited()) */
};

struct ptw_table_seen {
	uint64_t pa;          /* the table, as the descriptor gives it */
	uint64_t first_va;    /* start of the range the first entry pointing at it maps */
	uint32_t refs;        /* entries seen pointing at it (saturates) */
	unsigned idx;         /* tree index of the first entry pointing at it */
	int level;            /* the architecture's level number of that entry */
	struct ptw_subtree_runs runs;
};

struct ptw_table_set;

struct ptw_error *ptw_table_set_create(struct ptw_table_set **ret);
void ptw_table_set_destroy(struct ptw_table_set *s);

/** The entry for table pa, or NULL if it was never added. */
struct ptw_table_seen *ptw_table_set_find(struct ptw_table_set *s, uint64_t pa);

/** Add table pa, or count one more reference to it. *added_ret says which;
 * *ret is NULL (and NULL returned) when the set is full. */
struct ptw_error *ptw_table_set_add(struct ptw_table_set *s, uint64_t pa,
				    struct ptw_table_seen **ret, bool *added_ret);

/** Tables in the order they were first added; i < ptw_table_set_count(s). */
size_t ptw_table_set_count(const struct ptw_table_set *s);
struct ptw_table_seen *ptw_table_set_at(struct ptw_table_set *s, size_t i);

#endif
