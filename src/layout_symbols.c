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

/* NAME's address: unless the symbols are at hand (loaded, or -k/-m), one
 * name looked up in the dump's kallsyms without decoding all of it
 * (sym_kallsyms_name.c), after the probe has checked the tables against
 * VMCOREINFO's _stext as the full load would; else, or where that lookup
 * cannot read the tables, the dump's symbol table. */
static bool symbol_address(struct ptw_dump *dump, const char *name, uint64_t *ret)
{
	const struct ptw_symtab *st;
	struct ptw_error *err;
	char type;

	if (!dump->symbols_tried && !dump->vmlinux_path && !dump->system_map_path) {
		struct ptw_kallsyms_probe probe;
		bool found = false;

		err = ptw_kallsyms_probe(dump, &probe);
		if (!err)
			err = ptw_kallsyms_lookup_name(dump, name, &found, ret);
		if (!err)
			return found;
		ptw_error_destroy(err);
	}
	/* A failure leaves the name unknown; whoever needs the symbols later
	 * gets the reason then. */
	err = ptw_dump_symbols(dump, &st);
	if (err) {
		ptw_error_destroy(err);
		return false;
	}
	return ptw_symtab_lookup_name(st, name, ret, &type);
}

/* The variable NAME's value, when the symbols name it and it can be read. */
static bool read_variable(struct ptw_dump *dump, struct ptw_vmem *vm, const char *name, uint64_t *ret)
{
	uint64_t va;
	struct ptw_error *err;

	if (!symbol_address(dump, name, &va))
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
	struct ptw_vmem *vm;
	struct ptw_error *err;
	uint64_t vmalloc = 0, vmemmap = 0;
	bool have_vmalloc, have_vmemmap;

	if (!dump->have_xlat || dump->arch != PTW_ARCH_X86_64 || !x->have_page_offset ||
	    (x->have_vmalloc_start && x->have_vmemmap_start))
		return;
	err = ptw_vmem_create(dump, &vm);
	if (err) {
		ptw_error_destroy(err);
		return;
	}
	have_vmalloc = !x->have_vmalloc_start && read_variable(dump, vm, "vmalloc_base", &vmalloc);
	have_vmemmap = !x->have_vmemmap_start && read_variable(dump, vm, "vmemmap_base", &vmemmap);
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
