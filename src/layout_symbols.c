/* x86-64 layout bases read through the kernel's own symbols.  VMCOREINFO
 * names none of vmalloc_base and vmemmap_base (6.1, 6.12);
 * arch/x86_64/detect.c finds vmemmap_base from SYMBOL(mem_section), which
 * holds it only with SPARSEMEM_VMEMMAP, and searches the tables for
 * vmalloc_base below vmemmap_base.  A kernel without SPARSEMEM_VMEMMAP
 * (tinyconfig-based ones) then has neither, and without them `maps` has no
 * region markers and `layout` no vmalloc or vmemmap region.  Where the
 * dump's symbols (kallsyms, -m or -k) name the variables, kaslr.c's values
 * are read from the dump instead.  This needs the symbols, which need the
 * translation: so it runs after detection, at the dump level. */
#include "layout_symbols.h"

#include <stddef.h>

#include "sym.h"
#include "vmem.h"

/* The variable NAME's value, when the symbols name it and it can be read. */
static bool read_variable(struct ptw_vmem *vm, const struct ptw_symtab *st, const char *name,
			  uint64_t *ret)
{
	uint64_t va;
	char type;
	struct ptw_error *err;

	if (!ptw_symtab_lookup_name(st, name, &va, &type))
		return false;
	err = ptw_vmem_read_u64(vm, va, ret);
	if (err) {
		ptw_error_destroy(err);
		return false;
	}
	return true;
}

void ptw_dump_layout_from_symbols(struct ptw_dump *dump)
{
	struct ptw_xlat *x = &dump->xlat;
	const struct ptw_symtab *st;
	struct ptw_vmem *vm;
	struct ptw_error *err;
	uint64_t vmalloc = 0, vmemmap = 0;
	bool have_vmalloc, have_vmemmap;

	if (!dump->have_xlat || dump->arch != PTW_ARCH_X86_64 || !x->have_page_offset ||
	    (x->have_vmalloc_start && x->have_vmemmap_start))
		return;
	/* A failure here leaves the bases unknown, as they were; whoever
	 * needs the symbols later gets the reason then. */
	err = ptw_dump_symbols(dump, &st);
	if (err) {
		ptw_error_destroy(err);
		return;
	}
	err = ptw_vmem_create(dump, &vm);
	if (err) {
		ptw_error_destroy(err);
		return;
	}
	have_vmalloc = !x->have_vmalloc_start && read_variable(vm, st, "vmalloc_base", &vmalloc);
	have_vmemmap = !x->have_vmemmap_start && read_variable(vm, st, "vmemmap_base", &vmemmap);
	ptw_vmem_destroy(vm);
	/* kaslr.c keeps the order: direct map, vmalloc, vmemmap. */
	if (have_vmalloc && vmalloc > x->page_offset &&
	    (!x->have_vmemmap_start || vmalloc < x->vmemmap_start) && (!have_vmemmap || vmalloc < vmemmap)) {
		x->have_vmalloc_start = true;
		x->vmalloc_start = vmalloc;
		x->vmalloc_source = "symbol vmalloc_base, read from the dump";
	}
	if (have_vmemmap && x->have_vmalloc_start && vmemmap > x->vmalloc_start) {
		x->have_vmemmap_start = true;
		x->vmemmap_start = vmemmap;
		x->vmemmap_source = "symbol vmemmap_base, read from the dump";
	}
}
