/* The kernel's address-space layout through the public API: its regions
 * (`layout`, and the region of each `maps` record) and the markers of the
 * kernel's own page-table dump (`maps` text), computed once per space. */
#include <string.h>

#include "api.h"
#include "layout_symbols.h"

/* How far past its start the kernel image is followed in the tables. */
#define KIMAGE_MAX (UINT64_C(128) << 20)

/* Whether va is mapped in the kernel's table: for the regions and markers
 * whose extent depends on build options that only the tables show. */
static bool va_is_mapped(void *arg, uint64_t va)
{
	struct ptwalk_space *s = arg;
	struct ptw_walk_result r;
	struct ptw_error *err = ptw_walk(s->w, &s->x->kernel, va, &r);

	if (err) {
		ptw_error_destroy(err);
		return false;
	}
	return r.status == PTW_WALK_OK || r.have_pa;
}

const struct ptw_ptdump_view *ptw_api_ptdump_view(struct ptwalk_space *s, const struct ptw_error **why_ret)
{
	const struct ptw_ptdump_ops *pd = s->ops->ptdump;

	if (!s->view_tried) {
		s->view_tried = true;
		/* fields an arch's view leaves alone mean "as arm64" */
		memset(&s->view, 0, sizeof(s->view));
		s->view_error = pd->view(s->x, &s->dump->d->vmcoreinfo, va_is_mapped, s, &s->view);
		/* The markers of a distribution build replaced by the kernel's
		 * own, where its symbols name them (x86-64). */
		if (!s->view_error)
			ptw_dump_x86_64_kernel_markers(s->dump->d, &s->view);
	}
	*why_ret = s->view_error;
	return s->view_error ? NULL : &s->view;
}

const struct ptw_regions *ptw_api_regions(struct ptwalk_space *s)
{
	if (!s->regions_tried) {
		struct ptw_error *err;

		s->regions_tried = true;
		err = s->ops->layout(s->x, &s->dump->d->vmcoreinfo, va_is_mapped, s, &s->regions);
		if (err)
			s->regions.n = 0;
		ptw_error_destroy(err);
	}
	return &s->regions;
}

/* The end of the image: the end of the last range from `start` on that the
 * tables map at the image's own offset (PA = VA - kimage_voffset). Holes are
 * stepped over (6.x unmaps __init after boot, free_initmem()). Bounded by
 * KIMAGE_MAX and by the iterator's budget. */
static bool kimage_end(struct ptwalk_space *s, uint64_t start, uint64_t *end_ret)
{
	struct ptw_walk_iter it;
	struct ptw_walk_result r;
	bool done, any = false;
	uint64_t end = start;

	ptw_walk_iter_init(&it, s->w, &s->x->kernel, start, start + KIMAGE_MAX);
	for (;;) {
		struct ptw_error *err = ptw_walk_next(&it, &r, &done);

		if (err) {
			ptw_error_destroy(err);
			break;
		}
		if (done)
			break;
		if (r.have_pa && r.pa == r.va - s->x->kimage_voffset) {
			any = true;
			end = r.range_end;
		}
	}
	*end_ret = end;
	return any;
}

struct ptwalk_error *ptwalk_layout(struct ptwalk_space *s, ptwalk_region_fn *fn, void *arg)
{
	struct ptw_regions rg;
	struct ptw_error *err;

	if (!s->ops->layout)
		return ptw_api_error(ptw_error_create(PTW_E_NOT_IMPLEMENTED, "layout is not implemented for %s",
						      s->ops->name));
	/* Not the cached regions: those keep the image's computed end (the
	 * regions maps names records by). */
	err = s->ops->layout(s->x, &s->dump->d->vmcoreinfo, va_is_mapped, s, &rg);
	if (err)
		return ptw_api_error(err);
	/* Check the kernel image against the tables, and take its end from them. */
	for (unsigned i = 0; i < rg.n; i++) {
		uint64_t end;

		if (strcmp(rg.r[i].name, "kernel image") != 0 || !s->x->have_kimage_voffset)
			continue;
		if (kimage_end(s, rg.r[i].start, &end) && i + 1 < rg.n && end <= rg.r[i + 1].end) {
			rg.r[i].end = end;
			rg.r[i].source = "tables";
			rg.r[i + 1].start = end;
		}
	}
	for (unsigned i = 0; i < rg.n; i++) {
		struct ptwalk_region r = {
			.name = rg.r[i].name, .start = rg.r[i].start, .end = rg.r[i].end, .source = rg.r[i].source,
		};

		if (!fn(arg, &r))
			break;
	}
	return NULL;
}

struct ptwalk_error *ptwalk_ptdump_markers(struct ptwalk_space *s, ptwalk_marker_fn *fn, void *arg)
{
	const struct ptw_ptdump_view *v;
	const struct ptw_error *why;

	if (!s->ops->ptdump)
		return ptw_api_error(ptw_error_create(PTW_E_NOT_IMPLEMENTED,
						      "the kernel's page-table dump is not implemented for %s",
						      s->ops->name));
	v = ptw_api_ptdump_view(s, &why);
	if (!v)
		return ptw_api_error(ptw_api_error_copy(why));
	for (unsigned i = 0; i < v->n; i++) {
		struct ptwalk_marker m = { .name = v->m[i].name, .start = v->m[i].start, .max_lines = v->max_lines[i] };

		if (!fn(arg, &m))
			break;
	}
	return NULL;
}
