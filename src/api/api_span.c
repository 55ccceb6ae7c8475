/* What a space's answers cover and how they are shown: the stretch one
 * translation holds for (a read is a loop over them), the size of each
 * half, the virtual address a table is seen at, tables a live kernel
 * changed under the walk. */
#include "api.h"

/* Reads go a 4 KiB page at a time where an answer does not say how far it
 * holds (the smallest page of every architecture). */
#define SMALLEST_PAGE UINT64_C(4096)

struct ptwalk_error *ptwalk_translate_span(struct ptwalk_space *s, uint64_t va, struct ptwalk_translation *ret,
					   uint64_t *span_ret)
{
	struct ptwalk_translation t;
	struct ptwalk_error *err = ptwalk_translate(s, va, &t);
	uint64_t span;

	if (err)
		return err;
	if (t.range_start <= t.va && (t.range_end == 0 || t.range_end > t.va)) {
		span = t.range_end - t.va; /* wraps to 0 for "to the end" */
		/* The range is of the untagged VA. Where addresses carry tags
		 * (arm64 TBI: the top byte follows bit 55), it holds for the
		 * address as given only up to where bit 55 changes. An
		 * architecture whose untag step keeps addresses as they are
		 * (x86-64) is split there too: a walk more, no other answer. */
		if (s->ops->untag) {
			uint64_t window = (va | ((UINT64_C(1) << 55) - 1)) - va + 1; /* 0 past the top */

			if (window && (span == 0 || span > window))
				span = window;
		}
	} else {
		span = SMALLEST_PAGE - (va & (SMALLEST_PAGE - 1));
	}
	*ret = t;
	*span_ret = span;
	return NULL;
}

unsigned ptwalk_space_va_bits(const struct ptwalk_space *s, enum ptwalk_tree tree)
{
	if (tree == PTWALK_TREE_KERNEL)
		return s->x->kernel.va_bits;
	if (s->have_user)
		return s->user.va_bits;
	return s->have_user_shape ? s->user_shape.va_bits : 0;
}

bool ptwalk_table_va(const struct ptwalk_space *s, uint64_t pa, uint64_t *va_ret)
{
	const struct ptw_xlat *x = s->x;
	bool have_linear = false, have_kimage = false;
	uint64_t linear = 0, kimage = 0;

	/* The kernel's root lives in the image: show it as swapper_pg_dir. */
	if (x->have_kimage_voffset && x->swapper_pg_dir &&
	    pa - (x->swapper_pg_dir - x->kimage_voffset) < (uint64_t)x->granule) {
		*va_ret = pa + x->kimage_voffset;
		return true;
	}
	if (s->ops->ptov)
		s->ops->ptov(x, pa, &have_linear, &linear, &have_kimage, &kimage);
	if (!have_linear)
		return false;
	*va_ret = linear;
	return true;
}

uint64_t ptwalk_space_tables_changed(const struct ptwalk_space *s, uint64_t *first_pa_ret)
{
	uint64_t first_pa = 0;
	uint64_t n = ptw_walker_changed_frames(s->w, &first_pa);

	if (n && first_pa_ret)
		*first_pa_ret = first_pa;
	return n;
}
