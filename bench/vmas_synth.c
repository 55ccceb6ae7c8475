/* bench/vmas_synth.c: ptw_vmas_walk over a synthetic process with N VMAs
 * (default 10,000; the figure: under 50 ms), in a maple tree built
 * as the kernel lays one out (leaf_64 nodes of up to 15 entries under
 * arange_64 nodes of up to 10 children), in memory (tests/kmem_image.h).
 * Prints VMAs seen and the best of 10 walks in ms. Reported, not asserted.
 *   cc -O2 -Isrc -Iarch -Itests -Ibuild/o2 bench/vmas_synth.c build/o2/.libs/libptwalk-internal.a $(LIBS) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kmem_image.h"
#include "vma.h"

#define NODE 256
static unsigned char *img;
static size_t img_len, img_used;

static uint64_t alloc(size_t n)
{
	uint64_t off = (img_used + 255) & ~(size_t)255;

	img_used = off + n;
	if (img_used > img_len) {
		fprintf(stderr, "image too small\n");
		exit(1);
	}
	return off;
}

static void put64(uint64_t off, uint64_t v)
{
	memcpy(img + off, &v, 8);
}

struct child {
	uint64_t enode, max;
};

static bool count(void *arg, const struct ptw_vma *v)
{
	(void)v;
	(*(uint64_t *)arg)++;
	return true;
}

int main(int argc, char **argv)
{
	uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 0) : 10000;
	uint64_t mm, vmas, seen = 0;
	struct child *level = calloc(n + 2, sizeof(*level));
	size_t nlevel = 0;
	unsigned height = 1;

	img_len = (size_t)n * 64 + (size_t)(n / 10 + 64) * NODE * 2 + 65536;
	img = calloc(1, img_len);
	mm = alloc(4096);
	vmas = alloc((size_t)n * 64);
	/* VMAs of one page each, every other page: [0x10000 + 2i pages) */
	for (uint64_t i = 0; i < n; i++) {
		uint64_t v = vmas + i * 64, start = 0x10000 + i * 0x2000;

		put64(v, start);
		put64(v + 8, start + 0x1000);
		put64(v + 16, IMG_BASE + mm);
		put64(v + 32, 0x73);
	}
	/* leaves: entries and the gaps between them, 15 pivots + implicit max */
	uint64_t i = 0, lo = 0;
	while (i < n) {
		uint64_t node = alloc(NODE), slot = 0;

		while (slot + 2 <= 15 && i < n) {
			uint64_t start = 0x10000 + i * 0x2000;

			if (lo < start) { /* gap */
				put64(node + 8 + 8 * slot, start - 1);
				slot++;
			}
			put64(node + 8 + 8 * slot, start + 0xfff);
			put64(node + 128 + 8 * slot, IMG_BASE + vmas + i * 64);
			slot++;
			lo = start + 0x1000;
			i++;
		}
		uint64_t max = i < n ? lo - 1 : UINT64_MAX;

		if (i < n) {
			/* this leaf ends at its last entry */
		} else {
			put64(node + 8 + 8 * slot, UINT64_MAX); /* final gap to the end */
		}
		level[nlevel++] = (struct child){ (IMG_BASE + node) | 1 << 3, max };
	}
	/* arange_64 levels: up to 10 children, 9 pivots */
	while (nlevel > 1) {
		size_t out = 0;

		for (size_t k = 0; k < nlevel;) {
			uint64_t node = alloc(NODE);
			unsigned c = 0;

			for (; c < 10 && k < nlevel; c++, k++) {
				if (c < 9)
					put64(node + 8 + 8 * c, level[k].max);
				put64(node + 80 + 8 * c, level[k].enode);
			}
			level[out++] = (struct child){ (IMG_BASE + node) | 3 << 3, level[k - 1].max };
		}
		nlevel = out;
		height++;
	}
	put64(mm + 0, (uint64_t)(0x303 | height << 2) << 32);
	put64(mm + 8, level[0].enode | 2);

	struct kmem_image m = { img, img_len };
	struct ptw_kmem mem;
	struct ptw_task_layout L;
	struct ptw_diag d = { 0 };
	double best = 1e9;

	kmem_image_init(&mem, &m);
	kmem_image_layout(&L);
	for (int r = 0; r < 10; r++) {
		struct timespec a, b;

		seen = 0;
		clock_gettime(CLOCK_MONOTONIC, &a);
		struct ptw_error *err = ptw_vmas_walk(&mem, &L, IMG_BASE + mm, PTW_VMA_MAX_DEFAULT, count, &seen, &d);
		clock_gettime(CLOCK_MONOTONIC, &b);
		if (err) {
			fprintf(stderr, "%s\n", err->message);
			return 1;
		}
		double ms = (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
		best = ms < best ? ms : best;
	}
	printf("vmas_synth: %llu VMAs built, %llu seen, %u warnings, height %u, best %.2f ms\n",
	       (unsigned long long)n, (unsigned long long)seen, d.count, height, best);
	free(level);
	free(img);
	return seen == n ? 0 : 1;
}
