/* The floor for a full kernel `ptwalk maps`: the time merely to read every
 * table page of the kernel's tree once. Opens the dump with libptwalk (the
 * same open as ptwalk), walks the kernel table depth-first from its root,
 * reads each table once with ptw_source_read_phys, decodes each entry with
 * the arch's decoder only to find child tables, and counts them. Leaves and
 * attributes are not looked at, nothing is printed per entry.
 *   table_read DUMP     prints "tables N bytes B missing M seconds S"
 * (seconds: the walk alone, after the open). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dump.h"
#include "source.h"
#include "xlat.h"

/* Table addresses already read, so a table reached twice is read once and a
 * loop ends: open addressing over a power-of-two array that doubles. */
struct seen_set {
	uint64_t *slot; /* 0 = empty; a table is never at physical address 0 here */
	size_t cap;
	size_t used;
};

static bool seen_insert(struct seen_set *s, uint64_t pa)
{
	if (pa == 0)
		return true;
	if ((s->used + 1) * 2 > s->cap) {
		struct seen_set bigger = { calloc(s->cap ? s->cap * 2 : 1024, sizeof(uint64_t)),
					   s->cap ? s->cap * 2 : 1024, 0 };
		if (!bigger.slot) {
			fprintf(stderr, "table_read: out of memory\n");
			exit(1);
		}
		for (size_t i = 0; i < s->cap; i++)
			if (s->slot[i])
				seen_insert(&bigger, s->slot[i]);
		free(s->slot);
		*s = bigger;
	}
	for (size_t i = (size_t)(pa >> 12) * 0x9e3779b97f4a7c15u & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
		if (s->slot[i] == pa)
			return false;
		if (!s->slot[i]) {
			s->slot[i] = pa;
			s->used++;
			return true;
		}
	}
}

struct table_walk {
	struct ptw_dump *dump;
	const struct ptw_geom *g;
	struct seen_set seen;
	uint64_t *buf[PTW_MAX_LEVELS]; /* one table buffer per level */
	uint64_t tables;
	uint64_t bytes;
	uint64_t missing;
};

static void read_table(struct table_walk *t, uint64_t pa, unsigned idx)
{
	size_t entries = (size_t)1 << t->g->bits[idx];
	uint64_t *table = t->buf[idx];
	struct ptw_error *err;

	if (!seen_insert(&t->seen, pa))
		return;
	err = ptw_source_read_phys(t->dump->src, pa, table, entries * 8);
	if (err) {
		ptw_error_destroy(err);
		t->missing++;
		return;
	}
	t->tables++;
	t->bytes += entries * 8;
	if (idx == 0)
		return;
	for (size_t i = 0; i < entries; i++) {
		struct ptw_desc d;

		if (!table[i])
			continue;
		t->dump->xlat.ops->decode(t->g, idx, table[i], &d);
		if (d.kind == PTW_DESC_TABLE)
			read_table(t, d.addr, idx - 1);
	}
}

int main(int argc, char **argv)
{
	struct ptw_dump *dump;
	struct ptw_error *err;
	struct timespec t0, t1;

	if (argc != 2) {
		fprintf(stderr, "usage: table_read DUMP\n");
		return 2;
	}
	err = ptw_dump_open(argv[1], NULL, &dump);
	if (err) {
		fprintf(stderr, "table_read: %s: %s\n", argv[1], err->message);
		return 1;
	}
	if (!dump->have_xlat) {
		fprintf(stderr, "table_read: %s: no translation: %s\n", argv[1],
			dump->xlat_error ? dump->xlat_error->message : "unknown");
		return 1;
	}
	struct table_walk t = { .dump = dump, .g = &dump->xlat.kernel };
	for (unsigned i = 0; i < t.g->levels; i++) {
		t.buf[i] = malloc(((size_t)1 << t.g->bits[i]) * 8);
		if (!t.buf[i]) {
			fprintf(stderr, "table_read: out of memory\n");
			return 1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	read_table(&t, dump->xlat.kernel.root_pa, t.g->levels - 1);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("tables %" PRIu64 " bytes %" PRIu64 " missing %" PRIu64 " seconds %.6f\n", t.tables, t.bytes,
	       t.missing, (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9);
	for (unsigned i = 0; i < t.g->levels; i++)
		free(t.buf[i]);
	free(t.seen.slot);
	ptw_dump_close(dump);
	return 0;
}
