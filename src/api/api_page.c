/* struct page of a frame, read through a kernel-memory reader of its own,
 * laid out as VMCOREINFO says. */
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "page.h"
#include "vmem.h"

_Static_assert(PTWALK_PAGE_MAX_FLAGS >= PTW_PAGE_MAX_FLAGS, "room for every flag name");

struct ptwalk_pages {
	struct ptw_page_layout layout;
	struct ptw_vmem *vm;
};

struct ptwalk_error *ptwalk_pages_open(struct ptwalk_dump *d, struct ptwalk_pages **ret)
{
	struct ptwalk_pages *p = calloc(1, sizeof(*p));
	struct ptw_error *err;

	if (!p)
		return ptw_api_error(&ptw_enomem);
	err = ptw_page_layout_init(d->d, &p->layout);
	if (!err)
		err = ptw_vmem_create(d->d, &p->vm);
	if (err) {
		free(p);
		return ptw_api_error(err);
	}
	*ret = p;
	return NULL;
}

struct ptwalk_error *ptwalk_pages_read(struct ptwalk_pages *pages, uint64_t pa, struct ptwalk_page *ret)
{
	struct ptw_page p;
	struct ptwalk_page out = { 0 };
	struct ptw_error *err = ptw_page_read(&pages->layout, pages->vm, pa, &p);

	if (err)
		return ptw_api_error(err);
	out.address = p.address;
	out.pfn = p.pfn;
	out.pa = p.pfn << pages->layout.page_shift;
	out.have_contents = p.have_contents;
	if (!p.have_contents) {
		out.missing = p.missing && strcmp(p.missing, "not-in-dump") == 0 ? PTWALK_NOT_IN_DUMP : PTWALK_NOT_MAPPED;
		*ret = out;
		return NULL;
	}
	out.missing = PTWALK_OK;
	out.flags = p.flags;
	out.refcount = p.refcount;
	out.type = p.type;
	out.mapcount = p.mapcount;
	out.mapping = p.mapping;
	out.nflag_names = ptw_page_flag_names(&pages->layout, p.flags, out.flag_names, PTWALK_PAGE_MAX_FLAGS);
	*ret = out;
	return NULL;
}

void ptwalk_pages_close(struct ptwalk_pages *pages)
{
	if (!pages)
		return;
	ptw_vmem_destroy(pages->vm);
	free(pages);
}
