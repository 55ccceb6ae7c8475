/* The kernel's own layout, read through its symbols where detection and
 * the distribution defaults fall short (x86-64).
 *
 * vmalloc_base and vmemmap_base: VMCOREINFO names neither (6.1, 6.12);
 * arch/x86_64/detect.c finds vmemmap_base from SYMBOL(mem_section), which
 * holds it only with SPARSEMEM_VMEMMAP, and searches the tables for
 * vmalloc_base below vmemmap_base.  A kernel without SPARSEMEM_VMEMMAP
 * (tinyconfig-based ones) then has neither, and without them `maps` has no
 * region markers and `layout` no vmalloc or vmemmap region.  Where the
 * dump's symbols (kallsyms, -m or -k) name the variables, kaslr.c's values
 * are read from the dump instead.  This needs the symbols, which need the
 * translation: so it runs after detection, at the dump level.
 *
 * The markers of x86's ptdump depend on build options (MODIFY_LDT_SYSCALL,
 * X86_ESPFIX64, EFI, KASAN, the fixmap's slots) the dump does not state;
 * the kernel's address_markers[] holds them as it prints them. */
#include "layout_symbols.h"

#include <stddef.h>
#include <string.h>

#include "vmem.h"

/* The variable NAME's value, when the symbols name it and it can be read. */
static bool read_variable(struct ptw_dump *dump, struct ptw_vmem *vm, const char *name, uint64_t *ret)
{
	uint64_t va;
	struct ptw_error *err;

	if (!ptw_dump_symbol_address(dump, name, &va))
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

/* Every name arch/x86/mm/dump_pagetables.c gives a marker (6.1, 6.12;
 * x86-64 only): a name read from the dump must be one of these, so the
 * view keeps pointers to string literals. */
static const char *const x86_64_marker_names[] = {
	"User Space", "Kernel Space", "LDT remap", "Low Kernel Mapping", "vmalloc() Area",
	"Vmemmap", "KASAN shadow", "KASAN shadow end", "CPU entry Area", "ESPfix Area",
	"EFI Runtime Services", "High Kernel Mapping", "Modules", "End Modules", "Fixmap Area",
};

/* The marker name at VA, as one of x86_64_marker_names; NULL when it is
 * not one of them or cannot be read. */
static const char *known_marker_name(const struct ptw_mem_reader *r, uint64_t va)
{
	char buf[32];
	struct ptw_error *err = r->read(r->arg, va, buf, sizeof(buf));

	if (err) {
		/* a name near the end of a mapped page: read it byte by byte */
		ptw_error_destroy(err);
		for (size_t i = 0; i < sizeof(buf); i++) {
			err = r->read(r->arg, va + i, &buf[i], 1);
			if (err) {
				ptw_error_destroy(err);
				return NULL;
			}
			if (!buf[i])
				break;
		}
	}
	if (!memchr(buf, 0, sizeof(buf)))
		return NULL;
	for (size_t i = 0; i < sizeof(x86_64_marker_names) / sizeof(x86_64_marker_names[0]); i++)
		if (!strcmp(buf, x86_64_marker_names[i]))
			return x86_64_marker_names[i];
	return NULL;
}

bool ptw_x86_64_markers_decode(const struct ptw_mem_reader *r, uint64_t array, struct ptw_ptdump_view *view)
{
	struct ptw_ptdump_view v = *view;
	unsigned n = 0;
	bool ok = false;

	memset(v.max_lines, 0, sizeof(v.max_lines));
	/* struct addr_marker { unsigned long start_address; const char *name;
	 * unsigned long max_lines; }, ended by { -1, NULL }; pt_dump_init()
	 * has set the addresses KASLR chose. */
	for (unsigned i = 0; i <= PTW_MAX_MARKERS; i++) {
		uint64_t e[3];
		struct ptw_error *err = r->read(r->arg, array + i * sizeof(e), e, sizeof(e));

		if (err) {
			ptw_error_destroy(err);
			break;
		}
		if (e[1] == 0) {
			ok = n >= 2 && e[0] == UINT64_MAX;
			break;
		}
		if (i == PTW_MAX_MARKERS || (v.m[n].name = known_marker_name(r, e[1])) == NULL ||
		    e[2] > UINT32_MAX)
			break;
		v.m[n].start = e[0];
		v.max_lines[n] = (unsigned)e[2];
		n++;
	}
	/* The walk starts at the first marker; the kernel's is at 0. */
	if (!ok || v.m[0].start != view->start)
		return false;
	v.n = n;
	*view = v;
	return true;
}

static struct ptw_error *vmem_reader(void *arg, uint64_t addr, void *buf, size_t len)
{
	return ptw_vmem_read(arg, addr, buf, len);
}

bool ptw_dump_x86_64_kernel_markers(struct ptw_dump *dump, struct ptw_ptdump_view *view)
{
	struct ptw_vmem *vm;
	struct ptw_error *err;
	uint64_t array;
	bool ok;

	if (!dump->have_xlat || dump->arch != PTW_ARCH_X86_64 || !ptw_dump_symbol_address(dump, "address_markers", &array))
		return false;
	err = ptw_vmem_create(dump, &vm);
	if (err) {
		ptw_error_destroy(err);
		return false;
	}
	struct ptw_mem_reader r = { .read = vmem_reader, .arg = vm };
	ok = ptw_x86_64_markers_decode(&r, array, view);
	ptw_vmem_destroy(vm);
	return ok;
}
