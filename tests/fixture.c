#include "fixture.h"

#include <stdlib.h>
#include <string.h>

#define MAX_FRAMES 256
#define MAX_RANGES 16

struct fixture {
	struct ptw_source src;
	uint64_t frame_pa[MAX_FRAMES];
	unsigned char *frame[MAX_FRAMES];
	unsigned nframes;
	struct ptw_phys_range ram[MAX_RANGES], excluded[MAX_RANGES];
	unsigned nram, nexcluded;
};

static bool in(const struct ptw_phys_range *r, unsigned n, uint64_t pa)
{
	for (unsigned i = 0; i < n; i++)
		if (pa >= r[i].start && pa < r[i].end)
			return true;
	return false;
}

static unsigned char *find_frame(struct fixture *f, uint64_t pa)
{
	for (unsigned i = 0; i < f->nframes; i++)
		if (f->frame_pa[i] == (pa & ~UINT64_C(0xfff)))
			return f->frame[i];
	return NULL;
}

static bool fx_present(struct ptw_source *src, uint64_t pa)
{
	struct fixture *f = src->priv;

	if (find_frame(f, pa))
		return true;
	return in(f->ram, f->nram, pa) && !in(f->excluded, f->nexcluded, pa);
}

static struct ptw_error *fx_read(struct ptw_source *src, uint64_t pa, void *buf, size_t len)
{
	struct fixture *f = src->priv;
	unsigned char *fr = find_frame(f, pa);

	if (fr) {
		memcpy(buf, fr + (pa & 0xfff), len);
		return NULL;
	}
	if (fx_present(src, pa)) {
		memset(buf, 0, len);
		return NULL;
	}
	return ptw_error_address(PTW_E_NOT_PRESENT, pa, "not in the fixture");
}

static int cmp_range(const void *a, const void *b)
{
	const struct ptw_phys_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

static struct ptw_error *fx_ranges(struct ptw_source *src, ptw_range_fn *fn, void *arg)
{
	struct fixture *f = src->priv;
	struct ptw_phys_range r[MAX_RANGES];

	memcpy(r, f->ram, f->nram * sizeof(r[0]));
	qsort(r, f->nram, sizeof(r[0]), cmp_range);
	for (unsigned i = 0; i < f->nram; i++)
		if (!fn(&r[i], arg))
			break;
	return NULL;
}

static const struct ptw_source_ops fixture_ops = {
	.name = "fixture",
	.read = fx_read,
	.is_present = fx_present,
	.for_each_range = fx_ranges,
};

struct fixture *fixture_new(void)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		abort();
	f->src.ops = &fixture_ops;
	f->src.fd = -1;
	f->src.priv = f;
	return f;
}

void fixture_free(struct fixture *f)
{
	for (unsigned i = 0; i < f->nframes; i++)
		free(f->frame[i]);
	free(f);
}

struct ptw_source *fixture_source(struct fixture *f)
{
	return &f->src;
}

void fixture_set_u64(struct fixture *f, uint64_t pa, uint64_t value)
{
	unsigned char *fr = find_frame(f, pa);

	if (!fr) {
		if (f->nframes == MAX_FRAMES)
			abort();
		fr = calloc(1, 4096);
		if (!fr)
			abort();
		f->frame_pa[f->nframes] = pa & ~UINT64_C(0xfff);
		f->frame[f->nframes++] = fr;
	}
	for (unsigned i = 0; i < 8; i++)
		fr[(pa & 0xfff) + i] = (unsigned char)(value >> (8 * i));
}

void fixture_add_ram(struct fixture *f, uint64_t start, uint64_t end)
{
	if (f->nram == MAX_RANGES)
		abort();
	f->ram[f->nram++] = (struct ptw_phys_range){ start, end };
}

void fixture_add_excluded(struct fixture *f, uint64_t start, uint64_t end)
{
	if (f->nexcluded == MAX_RANGES)
		abort();
	f->excluded[f->nexcluded++] = (struct ptw_phys_range){ start, end };
}
