/* arm64's kernel page-table dump, as arch/arm64/mm/ptdump.c prints it:
 * attribute columns, level names, and the region markers of 6.1 and 6.12. */
#include <stdio.h>
#include <string.h>

#include "arm64/arm64.h"
#include "ptdump.h"

/* Descriptor bits (asm/pgtable-hwdef.h). */
#define PTE_VALID (UINT64_C(1) << 0)
#define PTE_TABLE_BIT (UINT64_C(1) << 1)
#define PTE_ATTRINDX_MASK (UINT64_C(7) << 2)
#define PTE_USER (UINT64_C(1) << 6)
#define PTE_RDONLY (UINT64_C(1) << 7)
#define PTE_SHARED (UINT64_C(3) << 8)
#define PTE_AF (UINT64_C(1) << 10)
#define PTE_NG (UINT64_C(1) << 11)
#define PTE_GP (UINT64_C(1) << 50)
#define PTE_CONT (UINT64_C(1) << 52)
#define PTE_PXN (UINT64_C(1) << 53)
#define PTE_UXN (UINT64_C(1) << 54)

/* MAIR indices (asm/memory.h, the same in 6.1 and 6.12). */
#define MT_NORMAL 0
#define MT_NORMAL_TAGGED 1
#define MT_NORMAL_NC 2
#define MT_DEVICE_nGnRnE 3
#define MT_DEVICE_nGnRE 4

struct prot_bits {
	uint64_t mask;
	uint64_t val;
	const char *set;
	const char *clear;
};

/* The kernel's pte_bits[] table: order and spelling are the output format. */
static const struct prot_bits pte_bits[] = {
	{ PTE_VALID, PTE_VALID, " ", "F" },
	{ PTE_USER, PTE_USER, "USR", "   " },
	{ PTE_RDONLY, PTE_RDONLY, "ro", "RW" },
	{ PTE_PXN, PTE_PXN, "NX", "x " },
	{ PTE_SHARED, PTE_SHARED, "SHD", "   " },
	{ PTE_AF, PTE_AF, "AF", "  " },
	{ PTE_NG, PTE_NG, "NG", "  " },
	{ PTE_CONT, PTE_CONT, "CON", "   " },
	{ PTE_TABLE_BIT, PTE_TABLE_BIT, "   ", "BLK" },
	{ PTE_UXN, PTE_UXN, "UXN", "   " },
	{ PTE_GP, PTE_GP, "GP", "  " },
	{ PTE_ATTRINDX_MASK, (uint64_t)MT_DEVICE_nGnRnE << 2, "DEVICE/nGnRnE", NULL },
	{ PTE_ATTRINDX_MASK, (uint64_t)MT_DEVICE_nGnRE << 2, "DEVICE/nGnRE", NULL },
	{ PTE_ATTRINDX_MASK, (uint64_t)MT_NORMAL_NC << 2, "MEM/NORMAL-NC", NULL },
	{ PTE_ATTRINDX_MASK, (uint64_t)MT_NORMAL << 2, "MEM/NORMAL", NULL },
	{ PTE_ATTRINDX_MASK, (uint64_t)MT_NORMAL_TAGGED << 2, "MEM/NORMAL-TAGGED", NULL },
};

#define NBITS (sizeof(pte_bits) / sizeof(pte_bits[0]))

static uint64_t arm64_prot(uint64_t raw)
{
	uint64_t mask = 0;
	for (size_t i = 0; i < NBITS; i++)
		mask |= pte_bits[i].mask;
	return raw & mask;
}

static void arm64_format(uint64_t prot, char *buf, size_t len)
{
	size_t used = strlen(buf);
	for (size_t i = 0; i < NBITS && used < len; i++) {
		const char *s = (prot & pte_bits[i].mask) == pte_bits[i].val ? pte_bits[i].set
									      : pte_bits[i].clear;
		if (!s)
			continue;
		int n = snprintf(buf + used, len - used, " %s", s);
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

/* mm/pagewalk.c reports a hole at its real level (real_depth() skips folded
 * levels, so a hole in the top table is always level 0, PGD), and a leaf
 * through the callback of its own level: pud_entry for a top-level block of
 * a 3-level kernel. Level numbers: 0 PGD, 1 P4D, 2 PUD, 3 PMD, 4 PTE. */
static int arm64_kernel_level(const struct ptw_geom *g, unsigned idx, bool hole)
{
	if (hole && idx == g->levels - 1)
		return 0;
	return 4 - (int)idx;
}

/* 6.12 names levels by number. 6.1's kernel_pg_levels[] names the PUD
 * level "PGD" unless CONFIG_PGTABLE_LEVELS > 3, and the PMD level "PGD"
 * unless CONFIG_PGTABLE_LEVELS > 2. */
static const char *arm64_level_name(const struct ptw_ptdump_view *v, const struct ptw_geom *g,
				    int level)
{
	static const char *const names[] = { "PGD", "P4D", "PUD", "PMD", "PTE" };
	if (level < 0 || level > 4)
		return "?";
	if (v->old_level_names && ((level == 2 && g->levels <= 3) || (level == 3 && g->levels <= 2)))
		return "PGD";
	return names[level];
}

static bool is_old_kernel(const struct ptw_vmcoreinfo *vi)
{
	unsigned v = ptw_arm64_kernel_version(vi);
	/* The fixmap/PCI I/O move above vmemmap and the ptdump rework that
	 * walks from _PAGE_OFFSET(vabits_actual) came with the LPA2 series
	 * (6.9); 6.1 is the older layout. Unknown versions are taken as new. */
	return v && v < PTW_KVER(6, 9, 0);
}

static uint64_t number_or(const struct ptw_vmcoreinfo *vi, const char *name, uint64_t fallback)
{
	int64_t v;
	struct ptw_error *err = ptw_vmcoreinfo_number(vi, name, &v);
	if (err) {
		ptw_error_destroy(err);
		return fallback;
	}
	return (uint64_t)v;
}

static uint64_t page_offset_of(unsigned va_bits)
{
	return -(UINT64_C(1) << va_bits);
}

static uint64_t page_end_of(unsigned va_bits)
{
	return -(UINT64_C(1) << (va_bits - 1));
}

/* VA_BITS_MIN (asm/memory.h): 48 for 52-bit kernels with 64K pages or LPA2
 * on 4K, 47 for 16K/52, else VA_BITS. */
static unsigned va_bits_min(const struct ptw_xlat *x)
{
	if (x->va_bits <= 48)
		return x->va_bits;
	return x->granule == 16384 ? 47 : 48;
}

static struct ptw_error *arm64_view(const struct ptw_xlat *x, const struct ptw_vmcoreinfo *vi,
				    bool (*is_mapped)(void *, uint64_t), void *arg,
				    struct ptw_ptdump_view *ret)
{
	bool old = is_old_kernel(vi);
	uint64_t page = x->granule;
	uint64_t page_offset = page_offset_of(x->va_bits);
	uint64_t page_end = page_end_of(va_bits_min(x));
	uint64_t modules_vaddr = number_or(vi, "MODULES_VADDR", page_end);
	uint64_t modules_end = number_or(vi, "MODULES_END", modules_vaddr + (UINT64_C(2) << 30));
	uint64_t vmalloc_start = number_or(vi, "VMALLOC_START", modules_end);
	uint64_t vmalloc_end = number_or(vi, "VMALLOC_END", 0);
	uint64_t vmemmap_start = number_or(vi, "VMEMMAP_START", 0);
	uint64_t vmemmap_end = number_or(vi, "VMEMMAP_END", 0);
	unsigned n = 0;
	struct ptw_marker *m = ret->m;

	if (!vmalloc_end || !vmemmap_start || !vmemmap_end)
		return ptw_error_create(PTW_E_NOT_PRESENT,
					"VMCOREINFO lacks NUMBER(VMALLOC_END/VMEMMAP_START/VMEMMAP_END): region markers unknown");
	if (!old) {
		uint64_t shadow_start, shadow_end;

		if (ptw_arm64_kasan_shadow(x, is_mapped, arg, &shadow_start, &shadow_end)) {
			/* PAGE_END = KASAN_SHADOW_START (asm/memory.h) */
			page_end = shadow_start;
			m[n++] = (struct ptw_marker){ page_offset, "Linear Mapping start" };
			m[n++] = (struct ptw_marker){ page_end, "Linear Mapping end" };
			m[n++] = (struct ptw_marker){ shadow_start, "Kasan shadow start" };
			m[n++] = (struct ptw_marker){ shadow_end, "Kasan shadow end" };
		}
	}
	if (n == 0) {
		m[n++] = (struct ptw_marker){ page_offset, "Linear Mapping start" };
		m[n++] = (struct ptw_marker){ page_end, "Linear Mapping end" };
	}
	m[n++] = (struct ptw_marker){ modules_vaddr, "Modules start" };
	m[n++] = (struct ptw_marker){ modules_end, "Modules end" };
	m[n++] = (struct ptw_marker){ vmalloc_start, "vmalloc() area" };
	m[n++] = (struct ptw_marker){ vmalloc_end, "vmalloc() end" };
	if (old) {
		/* 6.1 asm/memory.h: PCI I/O and the fixmap sit below vmemmap. */
		uint64_t pci_io_end = vmemmap_start - (UINT64_C(8) << 20);
		uint64_t pci_io_start = pci_io_end - (UINT64_C(16) << 20);
		uint64_t fixaddr_top = vmemmap_start - (UINT64_C(32) << 20);
		uint64_t slots = ptw_arm64_fixmap_permanent_slots(x, true, is_mapped, arg, fixaddr_top);
		m[n++] = (struct ptw_marker){ fixaddr_top - slots * page, "Fixmap start" };
		m[n++] = (struct ptw_marker){ fixaddr_top, "Fixmap end" };
		m[n++] = (struct ptw_marker){ pci_io_start, "PCI I/O start" };
		m[n++] = (struct ptw_marker){ pci_io_end, "PCI I/O end" };
		m[n++] = (struct ptw_marker){ vmemmap_start, "vmemmap start" };
		m[n++] = (struct ptw_marker){ vmemmap_end, "vmemmap end" };
	} else {
		/* 6.12 ptdump_init(): vmemmap starts at virt_to_page() of the
		 * running PAGE_OFFSET, which asm/memory.h (without DEBUG_VIRTUAL)
		 * computes as VMEMMAP_START + ((va - PAGE_OFFSET) / PAGE_SIZE) *
		 * sizeof(struct page): past the unused head of vmemmap when the
		 * kernel runs with fewer VA bits than it was built for. PCI I/O
		 * and the fixmap sit above vmemmap (asm/memory.h). */
		uint64_t walk_start = page_offset_of(x->vabits_actual);
		uint64_t struct_page = number_or(vi, "SIZE(page)", 64);
		uint64_t first_vmemmap = vmemmap_start + ((walk_start - page_offset) / page) * struct_page;
		uint64_t pci_io_start = vmemmap_end + (UINT64_C(8) << 20);
		uint64_t fixaddr_top = -(UINT64_C(8) << 20);
		uint64_t total = ptw_arm64_fixmap_total_slots(x, is_mapped, arg, fixaddr_top);
		m[n++] = (struct ptw_marker){ first_vmemmap, "vmemmap start" };
		m[n++] = (struct ptw_marker){ vmemmap_end, "vmemmap end" };
		m[n++] = (struct ptw_marker){ pci_io_start, "PCI I/O start" };
		m[n++] = (struct ptw_marker){ pci_io_start + (UINT64_C(16) << 20), "PCI I/O end" };
		m[n++] = (struct ptw_marker){ fixaddr_top - total * page, "Fixmap start" };
		m[n++] = (struct ptw_marker){ fixaddr_top, "Fixmap end" };
	}
	ret->n = n;
	/* 6.1 walks from PAGE_OFFSET; 6.12 from _PAGE_OFFSET(vabits_actual). */
	ret->start = old ? page_offset : page_offset_of(x->vabits_actual);
	ret->old_level_names = old;
	return NULL;
}

static bool arm64_is_wx(uint64_t prot)
{
	/* note_prot_wx(): neither read-only nor privileged-execute-never. */
	return (prot & PTE_VALID) && !(prot & PTE_RDONLY) && !(prot & PTE_PXN);
}

static bool arm64_is_user(uint64_t prot)
{
	return (prot & PTE_VALID) && (prot & PTE_USER);
}

static bool arm64_is_device(uint64_t prot)
{
	uint64_t attr = (prot & PTE_ATTRINDX_MASK) >> 2;
	return attr == MT_DEVICE_nGnRnE || attr == MT_DEVICE_nGnRE;
}

/* mm/kasan/init.c: kasan_populate_early_shadow() points every entry over
 * the unpopulated shadow at the one kasan_early_shadow_{p4d,pud,pmd,pte}
 * table of the level below. The shadow lies below _PAGE_END(VA_BITS_MIN)
 * (see arm64_view); take the larger, generic, extent. */
static bool arm64_kernel_aliases(const struct ptw_xlat *x, uint64_t va)
{
	uint64_t shadow_end = page_end_of(va_bits_min(x));

	if (x->layout != PTW_LAYOUT_FLIPPED || x->vabits_actual < 4)
		return false;
	return va < shadow_end && va >= shadow_end - (UINT64_C(1) << (x->vabits_actual - 3));
}

const struct ptw_ptdump_ops ptw_ptdump_arm64 = {
	.kernel_aliases = arm64_kernel_aliases,
	.prot = arm64_prot,
	.format = arm64_format,
	.kernel_level = arm64_kernel_level,
	.level_name = arm64_level_name,
	.view = arm64_view,
	.is_wx = arm64_is_wx,
	.is_user = arm64_is_user,
	.is_device = arm64_is_device,
};
