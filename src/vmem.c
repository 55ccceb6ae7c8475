#include "vmem.h"

#include <stdlib.h>
#include <string.h>

#include "dump.h"

struct ptw_vmem {
	struct ptw_dump *dump;
	struct ptw_walker *w;
	/* The last page translated through the kernel tree: most reads of
	 * kernel data are sequential or repeat within a page. */
	bool have_last;
	const struct ptw_geom *last_g;
	uint64_t last_va;   /* page-aligned VA */
	uint64_t last_pa;
	uint64_t last_size; /* bytes the translation holds for */
};

struct ptw_error *ptw_vmem_create(struct ptw_dump *dump, struct ptw_vmem **ret)
{
	struct ptw_vmem *vm;
	struct ptw_error *err;

	if (!dump->have_xlat)
		return ptw_error_create(dump->xlat_error ? dump->xlat_error->code : PTW_E_BAD_DATA,
					"cannot read kernel memory: %s",
					dump->xlat_error ? dump->xlat_error->message : "no translation");
	if (!dump->xlat.ops || !dump->xlat.ops->decode)
		return ptw_error_create(PTW_E_NOT_IMPLEMENTED, "no page-table decoder for %s",
					ptw_arch_name(dump->arch) ? ptw_arch_name(dump->arch) : "this arch");
	vm = calloc(1, sizeof(*vm));
	if (!vm)
		return &ptw_enomem;
	vm->dump = dump;
	err = ptw_walker_create(dump->src, dump->xlat.ops->decode, &vm->w);
	if (err) {
		free(vm);
		return err;
	}
	*ret = vm;
	return NULL;
}

void ptw_vmem_destroy(struct ptw_vmem *vm)
{
	if (!vm)
		return;
	ptw_walker_destroy(vm->w);
	free(vm);
}

struct ptw_walker *ptw_vmem_walker(struct ptw_vmem *vm)
{
	return vm->w;
}

struct ptw_dump *ptw_vmem_dump(struct ptw_vmem *vm)
{
	return vm->dump;
}

/* Translate va through g, using the one-entry cache; on success *pa_ret and
 * *avail_ret (bytes from va to the end of the translated page). */
static struct ptw_error *translate(struct ptw_vmem *vm, const struct ptw_geom *g, uint64_t va,
				   uint64_t *pa_ret, uint64_t *avail_ret)
{
	const struct ptw_xlat *x = &vm->dump->xlat;
	uint64_t u = x->ops->untag ? x->ops->untag(va) : va;
	uint64_t gran = x->granule ? x->granule : 4096;
	struct ptw_walk_result r;
	struct ptw_error *err;

	if (vm->have_last && vm->last_g == g && u - vm->last_va < vm->last_size) {
		*pa_ret = vm->last_pa + (u - vm->last_va);
		*avail_ret = vm->last_size - (u - vm->last_va);
		return NULL;
	}
	err = ptw_walk(vm->w, g, u, &r);
	if (err)
		return err;
	switch (r.status) {
	case PTW_WALK_OK:
		break;
	case PTW_WALK_NOT_IN_DUMP:
		return ptw_error_address(PTW_E_NOT_PRESENT, va, "virtual address 0x%llx: page table or page at 0x%llx not in the dump",
					 (unsigned long long)va, (unsigned long long)r.missing_pa);
	case PTW_WALK_BAD_TABLE:
		return ptw_error_address(PTW_E_FAULT, va, "virtual address 0x%llx: bad table entry 0x%llx (%s)",
					 (unsigned long long)va, (unsigned long long)r.raw, r.reason ? r.reason : "forbidden");
	case PTW_WALK_NON_CANONICAL:
		return ptw_error_address(PTW_E_FAULT, va, "virtual address 0x%llx is not canonical",
					 (unsigned long long)va);
	default:
		return ptw_error_address(PTW_E_FAULT, va, "virtual address 0x%llx is not mapped",
					 (unsigned long long)va);
	}
	/* Cache the whole leaf: the kernel image is mapped in 2 MiB blocks
	 * (x86-64) or larger, and a long read through it (the 4.4 MB BTF)
	 * otherwise walks the tree again for every 4 KiB page: 1,100 walks,
	 * 4.5M instructions, loading the x86-64 Debian 6.1 BTF. */
	uint64_t size = r.page_size >= gran && !(r.page_size & (r.page_size - 1)) ? r.page_size : gran;

	vm->have_last = true;
	vm->last_g = g;
	vm->last_va = u & ~(size - 1);
	vm->last_pa = r.pa - (u - vm->last_va);
	vm->last_size = size;
	*pa_ret = r.pa;
	*avail_ret = size - (u - vm->last_va);
	return NULL;
}

struct ptw_error *ptw_vmem_read_tree(struct ptw_vmem *vm, const struct ptw_geom *g, uint64_t va,
				     void *buf, size_t len)
{
	const struct ptw_xlat *x = &vm->dump->xlat;
	uint64_t gran = x->granule ? x->granule : 4096;
	unsigned char *out = buf;

	if (!g) {
		uint64_t u = x->ops->untag ? x->ops->untag(va) : va;
		bool upper = x->ops->is_upper ? x->ops->is_upper(u) : (u >> 63) != 0;

		if (!upper)
			return ptw_error_address(PTW_E_FAULT, va,
						 "virtual address 0x%llx is a user address: no user table given",
						 (unsigned long long)va);
		g = &x->kernel;
	}
	if (len && va + (len - 1) < va)
		return ptw_error_address(PTW_E_FAULT, va, "read of %zu bytes at 0x%llx wraps around",
					 len, (unsigned long long)va);
	while (len) {
		uint64_t pa, avail;
		struct ptw_error *err = translate(vm, g, va, &pa, &avail);
		uint64_t to_granule = gran - (va & (gran - 1));
		size_t n;

		if (err)
			return err;
		/* A page at a time even inside a block: an error then names
		 * the page that is missing, as it always has. */
		if (avail > to_granule)
			avail = to_granule;
		n = len < avail ? len : (size_t)avail;
		err = ptw_source_read_phys(vm->dump->src, pa, out, n);
		if (err) {
			if (err->code == PTW_E_NOT_PRESENT)
				return ptw_error_prepend(err, "virtual address 0x%llx", (unsigned long long)va);
			return err;
		}
		out += n;
		va += n;
		len -= n;
	}
	return NULL;
}

struct ptw_error *ptw_vmem_read(struct ptw_vmem *vm, uint64_t va, void *buf, size_t len)
{
	return ptw_vmem_read_tree(vm, NULL, va, buf, len);
}

struct ptw_error *ptw_vmem_read_u64(struct ptw_vmem *vm, uint64_t va, uint64_t *ret)
{
	unsigned char b[8];
	struct ptw_error *err = ptw_vmem_read(vm, va, b, sizeof(b));
	uint64_t v = 0;

	if (err)
		return err;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | b[i];
	*ret = v;
	return NULL;
}

struct ptw_error *ptw_vmem_read_u32(struct ptw_vmem *vm, uint64_t va, uint32_t *ret)
{
	unsigned char b[4];
	struct ptw_error *err = ptw_vmem_read(vm, va, b, sizeof(b));

	if (err)
		return err;
	*ret = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
	return NULL;
}

struct ptw_error *ptw_vmem_translate(struct ptw_vmem *vm, uint64_t va, uint64_t *pa_ret)
{
	uint64_t avail;

	return translate(vm, &vm->dump->xlat.kernel, va, pa_ret, &avail);
}
