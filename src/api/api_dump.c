/* Opening a dump through the public API, and what it says about itself. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "source.h"
#include "vmem.h"

static void diag_to_handler(void *arg, const char *msg)
{
	struct ptwalk_dump *d = arg;

	if (d->warn_fn)
		d->warn_fn(d->warn_arg, msg);
}

struct ptwalk_error *ptwalk_dump_open(const char *path, const struct ptwalk_open_options *opts,
				      struct ptwalk_dump **dump_ret)
{
	struct ptw_dump_options o = { 0 };
	struct ptwalk_open_options given = { 0 };
	struct ptw_error *err;
	struct ptwalk_dump *d;

	if (!path || !dump_ret)
		return ptw_api_error(ptw_error_create(PTW_E_INVALID_ARGUMENT, "no dump path given"));
	if (opts) {
		size_t n = opts->struct_size < sizeof(given) ? opts->struct_size : sizeof(given);

		if (n < sizeof(size_t))
			return ptw_api_error(ptw_error_create(PTW_E_INVALID_ARGUMENT,
							      "struct ptwalk_open_options: struct_size not set"));
		memcpy(&given, opts, n);
	}
	o.sets = given.vmcoreinfo_sets;
	o.nsets = given.n_vmcoreinfo_sets;
	o.vmlinux = given.vmlinux;
	o.btf_path = given.btf;
	o.system_map = given.system_map;
	d = calloc(1, sizeof(*d));
	if (!d)
		return ptw_api_error(&ptw_enomem);
	err = ptw_dump_open(path, &o, &d->d);
	if (err) {
		free(d);
		return ptw_api_error(err);
	}
	d->diag.warn = diag_to_handler;
	d->diag.arg = d;
	*dump_ret = d;
	return NULL;
}

struct ptwalk_error *ptwalk_dump_open_fd(int fd, const struct ptwalk_open_options *opts,
					 struct ptwalk_dump **dump_ret)
{
	char path[32];

	if (fd < 0)
		return ptw_api_error(ptw_error_create(PTW_E_INVALID_ARGUMENT, "bad file descriptor %d", fd));
	/* Opening the descriptor's own file again gives the dump its own
	 * offset and lifetime: the caller may close fd. */
	snprintf(path, sizeof(path), "/dev/fd/%d", fd);
	return ptwalk_dump_open(path, opts, dump_ret);
}

void ptwalk_dump_close(struct ptwalk_dump *d)
{
	if (!d)
		return;
	ptw_error_destroy(d->env_error);
	free(d->summary_why);
	free(d->types_skipped);
	ptw_vmem_destroy(d->vm);
	ptw_dump_close(d->d);
	free(d);
}

size_t ptwalk_dump_warning_count(const struct ptwalk_dump *d, size_t *dropped_ret)
{
	if (dropped_ret)
		*dropped_ret = d->d->warnings.dropped;
	return d->d->warnings.count;
}

const struct ptwalk_error *ptwalk_dump_warning(const struct ptwalk_dump *d, size_t i)
{
	return i < d->d->warnings.count ? ptw_api_error(d->d->warnings.items[i]) : NULL;
}

const struct ptwalk_error *ptwalk_dump_translation_error(const struct ptwalk_dump *d)
{
	if (d->d->have_xlat)
		return NULL;
	return ptw_api_error(d->d->xlat_error ? d->d->xlat_error : &ptw_enomem);
}

struct ptw_error *ptw_api_xlat_error(const struct ptw_dump *d, const char *what)
{
	if (!d->xlat_error)
		return ptw_error_create(PTW_E_BAD_DATA, "%s: unknown configuration", what);
	return ptw_error_create(d->xlat_error->code, "%s: %s", what, d->xlat_error->message);
}

void ptwalk_dump_info(const struct ptwalk_dump *dump, struct ptwalk_info *ret)
{
	const struct ptw_dump *d = dump->d;
	const struct ptw_source *src = d->src;

	memset(ret, 0, sizeof(*ret));
	ret->path = src->path;
	ret->format = src->format;
	ret->compression = src->compression;
	ret->arch = ptw_arch_name(d->arch);
	ret->arch_source = d->arch_source;
	ret->osrelease = ptw_vmcoreinfo_get(&d->vmcoreinfo, "OSRELEASE");
	ret->page_size = d->page_size;
	ret->block_size = src->block_size;
	ret->dump_level = src->dump_level;
	ret->incomplete = src->incomplete;
	ret->ncpus = src->ncpus;
	ret->have_xlat = d->have_xlat;
	if (d->have_xlat) {
		const struct ptw_xlat *x = &d->xlat;
		struct ptwalk_xlat_info *o = &ret->xlat;

		o->granule = x->granule;
		o->va_bits = x->va_bits;
		o->vabits_actual = x->vabits_actual;
		o->pa_bits = x->pa_bits;
		o->levels = x->levels;
		o->descriptor_format = ptw_pte_format_name(x->fmt);
		o->layout = ptw_layout_name(x->layout);
		o->root_pa = x->root_pa;
		o->root_source = x->root_source;
		o->have_page_offset = x->have_page_offset;
		o->page_offset = x->page_offset;
		o->have_phys_offset = x->have_phys_offset;
		o->phys_offset = x->phys_offset;
		o->have_kimage_voffset = x->have_kimage_voffset;
		o->kimage_voffset = x->kimage_voffset;
		o->have_kaslr_offset = x->have_kaslr_offset;
		o->kaslr_offset = x->kaslr_offset;
	}
}

bool ptwalk_vmcoreinfo_next(const struct ptwalk_dump *dump, size_t *pos, const char **key_ret,
			    const char **value_ret)
{
	const struct ptw_vmcoreinfo *vi = &dump->d->vmcoreinfo;

	if (*pos >= vi->count)
		return false;
	*key_ret = vi->entries[*pos].key;
	*value_ret = vi->entries[*pos].value;
	++*pos;
	return true;
}

const char *ptwalk_vmcoreinfo_get(const struct ptwalk_dump *dump, const char *key)
{
	return ptw_vmcoreinfo_get(&dump->d->vmcoreinfo, key);
}

struct range_visit {
	ptwalk_phys_range_fn *fn;
	void *arg;
};

static bool visit_range(const struct ptw_phys_range *r, void *arg)
{
	struct range_visit *v = arg;
	struct ptwalk_phys_range pr = { .start = r->start, .end = r->end };

	return v->fn(v->arg, &pr);
}

struct ptwalk_error *ptwalk_dump_phys_ranges(struct ptwalk_dump *dump, ptwalk_phys_range_fn *fn,
					     void *arg)
{
	struct range_visit v = { .fn = fn, .arg = arg };

	return ptw_api_error(ptw_source_for_each_range(dump->d->src, visit_range, &v));
}

struct ptwalk_error *ptwalk_dump_count_pages(struct ptwalk_dump *dump, uint64_t page_size,
					     uint64_t *present_ret, uint64_t *excluded_ret)
{
	struct ptw_source *src = dump->d->src;

	if (!page_size || (page_size & (page_size - 1)) || page_size < 4096)
		return ptw_api_error(ptw_error_create(PTW_E_INVALID_ARGUMENT,
						      "page size %" PRIu64 " is not a power of two >= 4096",
						      page_size));
	if (!src->ops->count_pages)
		return ptw_api_error(ptw_error_create(PTW_E_NOT_IMPLEMENTED,
						      "counting pages is not implemented for %s", src->format));
	return ptw_api_error(src->ops->count_pages(src, page_size, present_ret, excluded_ret));
}

struct ptwalk_error *ptwalk_dump_cpu_regs(const struct ptwalk_dump *dump, size_t i,
					  struct ptwalk_cpu_regs *ret)
{
	const struct ptw_source *src = dump->d->src;

	if (i >= src->ncpus)
		return ptw_api_error(ptw_error_create(PTW_E_INVALID_ARGUMENT,
						      "CPU note %zu: the dump has %zu", i, src->ncpus));
	_Static_assert(sizeof(ret->regs) == sizeof(src->cpus[i].regs), "register array sizes differ");
	ret->pid = src->cpus[i].pid;
	ret->nregs = src->cpus[i].nregs;
	memcpy(ret->regs, src->cpus[i].regs, sizeof(ret->regs));
	return NULL;
}

/* The bytes a chunk read gave before err's address (NOT_PRESENT names the
 * first missing byte). */
static size_t bytes_before(const struct ptw_error *err, uint64_t start, size_t len)
{
	if (err->code == PTW_E_NOT_PRESENT && err->has_address && err->address > start &&
	    err->address - start < len)
		return (size_t)(err->address - start);
	return 0;
}

struct ptwalk_error *ptwalk_read_phys(struct ptwalk_dump *dump, uint64_t pa, void *buf, size_t len,
				      size_t *done_ret)
{
	struct ptw_source *src = dump->d->src;
	unsigned char *out = buf;
	size_t done = 0;

	if (done_ret)
		*done_ret = 0;
	if (len && pa + (len - 1) < pa)
		return ptw_api_error(ptw_error_address(PTW_E_OVERFLOW, pa,
						       "physical range of %zu bytes at 0x%" PRIx64 " wraps around",
						       len, pa));
	while (done < len) {
		uint64_t at = pa + done;
		size_t chunk = 4096 - (size_t)(at & 4095);
		struct ptw_error *err;

		if (chunk > len - done)
			chunk = len - done;
		err = ptw_source_read_phys(src, at, out + done, chunk);
		if (err) {
			size_t part = bytes_before(err, at, chunk);

			/* What lies before the first missing byte is there: give it. */
			if (part) {
				struct ptw_error *again = ptw_source_read_phys(src, at, out + done, part);

				if (again)
					ptw_error_destroy(again);
				else
					done += part;
			}
			if (done_ret)
				*done_ret = done;
			return ptw_api_error(err);
		}
		done += chunk;
	}
	if (done_ret)
		*done_ret = done;
	return NULL;
}

bool ptwalk_phys_is_present(struct ptwalk_dump *dump, uint64_t pa)
{
	return ptw_source_is_present(dump->d->src, pa);
}

void ptwalk_dump_set_warning_handler(struct ptwalk_dump *dump, ptwalk_warning_fn *fn, void *arg,
				     unsigned max)
{
	dump->warn_fn = fn;
	dump->warn_arg = arg;
	dump->diag.max = max;
	dump->diag.count = 0;
}

unsigned ptwalk_dump_warnings_dropped(const struct ptwalk_dump *dump)
{
	return dump->diag.max && dump->diag.count > dump->diag.max ? dump->diag.count - dump->diag.max : 0;
}

struct ptw_error *ptw_api_task_env(struct ptwalk_dump *d)
{
	if (!d->env_tried) {
		d->env_tried = true;
		d->env_error = ptw_vmem_create(d->d, &d->vm);
		if (!d->env_error) {
			ptw_kmem_from_vmem(d->vm, &d->mem);
			d->env_error = ptw_task_env_create(d->d, &d->mem, &d->env);
		}
	}
	return d->env_error ? ptw_api_error_copy(d->env_error) : NULL;
}
