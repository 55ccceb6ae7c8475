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

static void on_line(void *arg, uint64_t start, uint64_t end, const char *level, uint64_t prot)
{
	char buf[256] = "";
	ptw_ptdump_arm64.format(prot, buf, sizeof(buf));
	(void)arg, (void)start, (void)end, (void)level;
}

static void on_range(void *arg, const struct ptw_map_range *r)
{
	struct ptw_attrs a;
	ptw_arch_arm64.attrs((const struct ptw_geom *)arg, r->idx, r->raw, &a);
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
	struct ptw_walker *w;
	if (ptw_walker_create(fixture_source(f), ptw_arm64_decode, &w)) {
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
	struct ptw_maps_sink sink = { .arg = &g, .line = on_line, .range = on_range };
	struct ptw_maps_stats stats;
	uint64_t start = upper ? -(UINT64_C(1) << g.va_bits) : 0;
	uint64_t end = upper ? 0 : UINT64_C(1) << g.va_bits;
	ptw_error_destroy(ptw_maps_walk(w, &g, start, end, &ptw_ptdump_arm64, NULL, &sink, BUDGET, &stats));
	ptw_walker_destroy(w);
	fixture_free(f);
	return 0;
}
