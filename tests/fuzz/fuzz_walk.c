/* Fuzz harness: the generic walker, the arm64 decoders and the maps engine
 * over arbitrary physical memory, for every granule / VA size / descriptor
 * format Linux has shipped, both halves.
 * Input: [geometry][flags][root index lo][root index hi] then memory bytes,
 * laid out as RAM from 0x40000000; RAM past them is present and zero, and
 * one range is in memory but missing from the dump. */
#include <stdint.h>
#include <string.h>

#include "arm64/arm64.h"
#include "fixture.h"
#include "maps.h"
#include "ptdump.h"
#include "walk.h"

#define RAM_BASE UINT64_C(0x40000000)
#define RAM_SIZE (UINT64_C(1) << 20)
#define MAX_MEMORY (64 * 1024)
#define BUDGET 20000

static const struct {
	unsigned page_shift, va_bits;
	enum ptw_pte_format fmt;
} geometries[] = {
	{ 12, 39, PTW_PTE_ARM64_VMSA }, { 12, 48, PTW_PTE_ARM64_VMSA }, { 12, 52, PTW_PTE_ARM64_LPA2 },
	{ 12, 48, PTW_PTE_ARM64_LPA2 }, { 14, 36, PTW_PTE_ARM64_VMSA }, { 14, 47, PTW_PTE_ARM64_VMSA },
	{ 14, 48, PTW_PTE_ARM64_VMSA }, { 14, 52, PTW_PTE_ARM64_LPA2 }, { 16, 42, PTW_PTE_ARM64_VMSA },
	{ 16, 48, PTW_PTE_ARM64_VMSA }, { 16, 52, PTW_PTE_ARM64_LPA },  { 16, 48, PTW_PTE_ARM64_LPA },
};

#define NGEOMETRIES (sizeof(geometries) / sizeof(geometries[0]))

/* The oracle for aliased tables (issue 15): what the maps engine reports
 * is bounded by the distinct table memory it read, however often the
 * tables are referenced. Every record comes from one entry read (a leaf,
 * a hole, a missing or bad table behind it, a run of aliases), and a 4 KiB
 * frame holds 512 entries, so each stream has at most 512 records per
 * distinct frame read, plus a few for the root and the last run. */
#define RECORDS_PER_FRAME 512
#define RECORDS_SLACK 8

struct counting_source {
	struct ptw_source src;      /* forwards to inner, counting the frames read */
	struct ptw_source *inner;
	unsigned char seen[RAM_SIZE >> 12];
	uint64_t distinct;
};

static struct ptw_error *count_read(struct ptw_source *src, uint64_t pa, void *buf, size_t len)
{
	struct counting_source *c = src->priv;
	struct ptw_error *err = c->inner->ops->read(c->inner, pa, buf, len);

	if (!err && pa >= RAM_BASE && pa - RAM_BASE < RAM_SIZE && !c->seen[(pa - RAM_BASE) >> 12]++)
		c->distinct++;
	return err;
}

static bool count_present(struct ptw_source *src, uint64_t pa)
{
	struct counting_source *c = src->priv;
	return c->inner->ops->is_present(c->inner, pa);
}

static struct ptw_error *count_ranges(struct ptw_source *src, ptw_range_fn *fn, void *arg)
{
	struct counting_source *c = src->priv;
	return c->inner->ops->for_each_range(c->inner, fn, arg);
}

static const struct ptw_source_ops counting_ops = {
	.name = "counting",
	.read = count_read,
	.is_present = count_present,
	.for_each_range = count_ranges,
};

struct records {
	const struct ptw_geom *g;
	uint64_t lines;
	uint64_t others; /* ranges, gaps, bad entries, alias runs */
};

static void on_line(void *arg, uint64_t start, uint64_t end, int kernel_level, const char *level,
		    uint64_t prot)
{
	struct records *rec = arg;
	char buf[256] = "";
	ptw_ptdump_arm64.format(prot, buf, sizeof(buf));
	(void)start, (void)end, (void)kernel_level, (void)level;
	rec->lines++;
}

static void on_range(void *arg, const struct ptw_map_range *r)
{
	struct records *rec = arg;
	struct ptw_attrs a;
	ptw_arch_arm64.attrs(rec->g, r->idx, r->raw, &a);
	rec->others++;
}

static void on_result(void *arg, const struct ptw_walk_result *r)
{
	struct records *rec = arg;
	(void)r;
	rec->others++;
}

static void on_alias(void *arg, const struct ptw_alias_run *a)
{
	struct records *rec = arg;
	if (a->entries == 0 || (a->end && a->end <= a->start))
		__builtin_trap();
	rec->others++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 4)
		return 0;
	unsigned sel = data[0] % NGEOMETRIES;
	bool upper = data[1] & 1;
	uint64_t root = RAM_BASE + (uint64_t)(data[2] | (data[3] << 8)) * 8 % RAM_SIZE;
	data += 4;
	size -= 4;
	if (size > MAX_MEMORY)
		size = MAX_MEMORY;

	struct fixture *f = fixture_new();
	fixture_add_ram(f, RAM_BASE, RAM_BASE + RAM_SIZE);
	fixture_add_excluded(f, RAM_BASE + RAM_SIZE / 2, RAM_BASE + RAM_SIZE / 2 + 0x10000);
	for (size_t off = 0; off + 8 <= size; off += 8) {
		uint64_t v;
		memcpy(&v, data + off, 8);
		if (v)
			fixture_set_u64(f, RAM_BASE + off, v);
	}
	struct ptw_geom g;
	struct ptw_error *err = ptw_arm64_geom(geometries[sel].page_shift, geometries[sel].va_bits,
					       geometries[sel].fmt, upper, root, &g);
	if (err) {
		ptw_error_destroy(err);
		fixture_free(f);
		return 0;
	}
	struct counting_source counter;
	memset(&counter, 0, sizeof(counter));
	counter.src = *fixture_source(f);
	counter.src.ops = &counting_ops;
	counter.src.priv = &counter;
	counter.inner = fixture_source(f);
	struct ptw_walker *w;
	if (ptw_walker_create(&counter.src, ptw_arm64_decode, &w)) {
		fixture_free(f);
		return 0;
	}
	/* Single walks at addresses taken from the input itself. */
	for (size_t off = 0; off + 8 <= size && off < 64; off += 8) {
		uint64_t va;
		struct ptw_walk_result r;
		memcpy(&va, data + off, 8);
		ptw_error_destroy(ptw_walk(w, &g, ptw_arm64_untag(va), &r));
	}
	struct records rec = { .g = &g };
	struct ptw_maps_sink sink = { .arg = &rec, .line = on_line, .range = on_range, .gap = on_result,
				      .bad = on_result, .alias = on_alias };
	struct ptw_maps_stats stats;
	uint64_t start = upper ? -(UINT64_C(1) << g.va_bits) : 0;
	uint64_t end = upper ? 0 : UINT64_C(1) << g.va_bits;
	/* Count the frames the listing reads, not those of the walks above. */
	ptw_walker_flush(w);
	memset(counter.seen, 0, sizeof(counter.seen));
	counter.distinct = 0;
	ptw_error_destroy(ptw_maps_walk(w, &g, start, end, &ptw_ptdump_arm64, NULL, &sink, BUDGET, &stats));
	if (rec.lines > counter.distinct * RECORDS_PER_FRAME + RECORDS_SLACK ||
	    rec.others > counter.distinct * RECORDS_PER_FRAME + RECORDS_SLACK)
		__builtin_trap(); /* output grew with references, not with tables */
	ptw_walker_destroy(w);
	fixture_free(f);
	return 0;
}
