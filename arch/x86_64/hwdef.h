/* x86-64 paging-structure entry bits, named as the kernel names them in
 * arch/x86/include/asm/pgtable_types.h (Linux 6.1 and 6.12), prefixed X86_.
 * Facts only: the layout of a 4-level / 5-level (LA57) IA-32e entry (Intel
 * SDM vol. 3A, 4.5 "4-Level Paging and 5-Level Paging"). */
#ifndef PTW_X86_64_HWDEF_H
#define PTW_X86_64_HWDEF_H

#include <stdint.h>

#define X86_BIT(n)		(UINT64_C(1) << (n))
/* Bits h..l set, like the kernel's GENMASK_ULL(h, l). */
#define X86_GENMASK(h, l)	((~UINT64_C(0) >> (63 - (h))) & (~UINT64_C(0) << (l)))

#define X86_PAGE_PRESENT	X86_BIT(0)
#define X86_PAGE_RW		X86_BIT(1)
#define X86_PAGE_USER		X86_BIT(2)
#define X86_PAGE_PWT		X86_BIT(3)
#define X86_PAGE_PCD		X86_BIT(4)
#define X86_PAGE_ACCESSED	X86_BIT(5)
#define X86_PAGE_DIRTY		X86_BIT(6)
#define X86_PAGE_PSE		X86_BIT(7)	/* PS in PDPTEs and PDEs; reserved above */
#define X86_PAGE_PAT		X86_BIT(7)	/* in PTEs: the PAT index's high bit */
#define X86_PAGE_GLOBAL		X86_BIT(8)
#define X86_PAGE_PAT_LARGE	X86_BIT(12)	/* in 2M/1G pages */
#define X86_PAGE_NX		X86_BIT(63)	/* XD; reserved unless EFER.NXE (Linux sets it) */
/* Protection key of a leaf: bits 62:59 (_PAGE_PKEY_BIT0..3). */
#define X86_PAGE_PKEY_SHIFT	59
#define X86_PAGE_PKEY_MASK	X86_GENMASK(62, 59)
/* Linux's software bits (_PAGE_BIT_SOFTW1..3, pgtable_types.h). */
#define X86_PAGE_SPECIAL	X86_BIT(9)
#define X86_PAGE_SOFT_DIRTY	X86_BIT(11)

/* The address field: PTE_PFN_MASK with __PHYSICAL_MASK_SHIFT = 52. Bits
 * 51:MAXPHYADDR of it are reserved (must be 0). */
#define X86_PFN_MASK		X86_GENMASK(51, 12)
#define X86_PHYSICAL_MASK_SHIFT	52

/* CR3: PCID [11:0] with CR4.PCIDE (PWT/PCD otherwise), the root's address
 * in [51:12], bit 63 "no flush" when written (never read back), bits 62/61
 * LAM_U57/LAM_U48 (6.8+; LAM is out of scope, they are masked off as
 * flags). */
#define X86_CR3_PCID_MASK	X86_GENMASK(11, 0)
#define X86_CR3_ADDR_MASK	X86_GENMASK(51, 12)

/* Virtual layout constants (asm/page_64_types.h, asm/pgtable_64_types.h). */
#define X86_START_KERNEL_MAP		UINT64_C(0xffffffff80000000) /* __START_KERNEL_map */
#define X86_PAGE_OFFSET_BASE_L4		UINT64_C(0xffff888000000000)
#define X86_PAGE_OFFSET_BASE_L5		UINT64_C(0xff11000000000000)
#define X86_VMALLOC_BASE_L4		UINT64_C(0xffffc90000000000)
#define X86_VMALLOC_BASE_L5		UINT64_C(0xffa0000000000000)
#define X86_VMALLOC_SIZE_TB_L4		UINT64_C(32)
#define X86_VMALLOC_SIZE_TB_L5		UINT64_C(12800)
#define X86_VMEMMAP_BASE_L4		UINT64_C(0xffffea0000000000)
#define X86_VMEMMAP_BASE_L5		UINT64_C(0xffd4000000000000)
#define X86_P4D_SHIFT			39
#define X86_PUD_SHIFT			30
#define X86_PMD_SHIFT			21
/* GUARD_HOLE_PGD_ENTRY -256, 16 entries; LDT_PGD_ENTRY -240; both in units
 * of PGDIR_SIZE (39 or 48 bits). */
#define X86_GUARD_HOLE_PGD_ENTRY	256
#define X86_GUARD_HOLE_ENTRIES		16
#define X86_LDT_PGD_ENTRY		240
/* CPU_ENTRY_AREA_PGD -4, ESPFIX_PGD_ENTRY -2 in units of P4D_SIZE (512G). */
#define X86_CPU_ENTRY_AREA_BASE		UINT64_C(0xfffffe0000000000)
#define X86_ESPFIX_BASE_ADDR		UINT64_C(0xffffff0000000000)
#define X86_EFI_VA_END			UINT64_C(0xffffffef00000000) /* -68G */
#define X86_EFI_VA_START		UINT64_C(0xffffffff00000000) /* -4G */
#define X86_MODULES_END			UINT64_C(0xffffffffff000000)
/* FIXADDR_TOP = round_up(VSYSCALL_ADDR + PAGE_SIZE, PMD_SIZE) - PAGE_SIZE */
#define X86_VSYSCALL_ADDR		UINT64_C(0xffffffffff600000)
#define X86_FIXADDR_TOP			UINT64_C(0xffffffffff7ff000)

#endif
