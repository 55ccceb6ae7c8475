#include "table_set.h"

#include <stdlib.h>
#include <string.h>

/* Entries are kept dense, in the order they were added; an open-addressing
 * index of 32-bit slots (0 = empty, else entry number + 1) finds them. The
 * index is kept at most half full, so probes stay short. */
struct ptw_table_set {
	struct ptw_table_seen *e;
	uint32_t n, cap;
	uint32_t *index;
	uint32_t index_size; /* a power of two */
};

static uint32_t hash_pa(uint64_t pa)
{
	/* Tables are page-aligned (the root may be 8-byte aligned): mix
	 * everything, the low bits carry nothing. */
	pa ^= pa >> 33;
	pa *= UINT64_C(0xff51afd7ed558ccd);
	pa ^= pa >> 33;
	return (uint32_t)pa;
}

struct ptw_error *ptw_table_set_create(struct ptw_table_set **ret)
{
	struct ptw_table_set *s = calloc(1, sizeof(*s));

	if (!s)
		return &ptw_enomem;
	*ret = s;
	return NULL;
}

void ptw_table_set_destroy(struct ptw_table_set *s)
{
	if (!s)
		return;
	free(s->e);
	free(s->index);
	free(s);
}

/* The index slot for pa: its entry, or the empty slot where it would go.
 * Bounded: the index is never full, so a probe sequence meets an empty slot
 * within index_size steps. */
static uint32_t *slot_of(const struct ptw_table_set *s, uint64_t pa)
{
	uint32_t mask = s->index_size - 1;
	uint32_t i = hash_pa(pa) & mask;

	for (uint32_t probes = 0; probes < s->index_size; probes++, i = (i + 1) & mask) {
		uint32_t v = s->index[i];

		if (v == 0 || s->e[v - 1].pa == pa)
			return &s->index[i];
	}
	return NULL;
}

struct ptw_table_seen *ptw_table_set_find(struct ptw_table_set *s, uint64_t pa)
{
	uint32_t *slot;

	if (!s->index_size)
		return NULL;
	slot = slot_of(s, pa);
	return slot && *slot ? &s->e[*slot - 1] : NULL;
}

static struct ptw_error *grow_index(struct ptw_table_set *s)
{
	uint32_t size = s->index_size ? s->index_size * 2 : 64;
	uint32_t *index = calloc(size, sizeof(*index));
	uint32_t *old = s->index;

	if (!index)
		return &ptw_enomem;
	s->index = index;
	s->index_size = size;
	for (uint32_t i = 0; i < s->n; i++)
		*slot_of(s, s->e[i].pa) = i + 1;
	free(old);
	return NULL;
}

struct ptw_error *ptw_table_set_add(struct ptw_table_set *s, uint64_t pa,
				    struct ptw_table_seen **ret, bool *added_ret)
{
	struct ptw_table_seen *seen = ptw_table_set_find(s, pa);
	struct ptw_error *err;

	*added_ret = false;
	if (seen) {
		if (seen->refs < UINT32_MAX)
			seen->refs++;
		*ret = seen;
		return NULL;
	}
	*ret = NULL;
	if (s->n >= PTW_TABLE_SET_CAP)
		return NULL;
	if ((s->n + 1) * 2 > s->index_size) {
		err = grow_index(s);
		if (err)
			return err;
	}
	if (s->n == s->cap) {
		uint32_t cap = s->cap ? s->cap * 2 : 32;
		struct ptw_table_seen *e = realloc(s->e, cap * sizeof(*e));

		if (!e)
			return &ptw_enomem;
		s->e = e;
		s->cap = cap;
	}
	seen = &s->e[s->n];
	memset(seen, 0, sizeof(*seen));
	seen->pa = pa;
	seen->refs = 1;
	*slot_of(s, pa) = ++s->n;
	*ret = seen;
	*added_ret = true;
	return NULL;
}

size_t ptw_table_set_count(const struct ptw_table_set *s)
{
	return s->n;
}

struct ptw_table_seen *ptw_table_set_at(struct ptw_table_set *s, size_t i)
{
	return &s->e[i];
}
