/* arm64 VMSAv8-64 descriptor bits, named as the kernel names them in
 * arch/arm64/include/asm/pgtable-hwdef.h and pgtable-prot.h (Linux 6.12),
 * prefixed ARM64_. Facts only: the layout of a stage-1 EL1&0 descriptor. */
#ifndef PTW_ARM64_HWDEF_H
#define PTW_ARM64_HWDEF_H

#include <stdint.h>

#define ARM64_BIT(n)		(UINT64_C(1) << (n))
/* Bits h..l set, like the kernel's GENMASK_ULL(h, l). */
#define ARM64_GENMASK(h, l)	((~UINT64_C(0) >> (63 - (h))) & (~UINT64_C(0) << (l)))

/* Descriptor bits [1:0]: 0b00/0b10 invalid; 0b01 block (levels that allow
 * blocks); 0b11 table, or page at the last level. */
#define ARM64_PTE_VALID		ARM64_BIT(0)
#define ARM64_PTE_TABLE_BIT	ARM64_BIT(1)
#define ARM64_PTE_TYPE_MASK	UINT64_C(3)
#define ARM64_PTE_TYPE_BLOCK	UINT64_C(1)	/* PMD_TYPE_SECT */
#define ARM64_PTE_TYPE_TABLE	UINT64_C(3)	/* PTE_TYPE_PAGE at the last level */

/* Lower attributes of block and page descriptors. */
#define ARM64_PTE_ATTRINDX_SHIFT 2
#define ARM64_PTE_ATTRINDX_MASK	(UINT64_C(7) << 2)
#define ARM64_PTE_NS		ARM64_BIT(5)
#define ARM64_PTE_USER		ARM64_BIT(6)	/* AP[1] */
#define ARM64_PTE_RDONLY	ARM64_BIT(7)	/* AP[2] */
#define ARM64_PTE_SHARED_SHIFT	8		/* SH[1:0]; OA[51:50] under FEAT_LPA2 */
#define ARM64_PTE_SHARED	(UINT64_C(3) << 8)
#define ARM64_PTE_AF		ARM64_BIT(10)
#define ARM64_PTE_NG		ARM64_BIT(11)
#define ARM64_PTE_NT		ARM64_BIT(16)	/* FEAT_BBM nT, block descriptors only */
/* Upper attributes. */
#define ARM64_PTE_GP		ARM64_BIT(50)	/* BTI guarded */
#define ARM64_PTE_DBM		ARM64_BIT(51)	/* also the kernel's PTE_WRITE */
#define ARM64_PTE_CONT		ARM64_BIT(52)
#define ARM64_PTE_PXN		ARM64_BIT(53)
#define ARM64_PTE_UXN		ARM64_BIT(54)
/* Software bits (pgtable-prot.h, 6.12): PTE_DIRTY 55, PTE_SPECIAL 56,
 * PTE_DEVMAP 57, PTE_UFFD_WP 58 (CONFIG_HAVE_ARCH_USERFAULTFD_WP). */
#define ARM64_PTE_SW_DIRTY	ARM64_BIT(55)
#define ARM64_PTE_SW_SPECIAL	ARM64_BIT(56)
#define ARM64_PTE_SW_DEVMAP	ARM64_BIT(57)
#define ARM64_PTE_SW_UFFD_WP	ARM64_BIT(58)

/* Table descriptor attributes (hierarchical permissions). */
#define ARM64_TABLE_PXN		ARM64_BIT(59)
#define ARM64_TABLE_UXN		ARM64_BIT(60)

/* Output / next-table address fields.
 * VMSA (48-bit OA): OA[47:PAGE_SHIFT] in bits [47:PAGE_SHIFT]; [49:48] RES0.
 * LPA (FEAT_LPA, 64K granule only): OA[47:16] in bits [47:16],
 *   OA[51:48] in bits [15:12] (PTE_ADDR_HIGH 0xf << 12, shift 36).
 * LPA2 (FEAT_LPA2, 4K/16K with TCR_ELx.DS = 1): OA[49:PAGE_SHIFT] in bits
 *   [49:PAGE_SHIFT], OA[51:50] in bits [9:8] (PTE_ADDR_HIGH 0x3 << 8,
 *   shift 42); SH then comes from TCR, not the descriptor. */
#define ARM64_LPA_HIGH_MASK	(UINT64_C(0xf) << 12)
#define ARM64_LPA_HIGH_SHIFT	36
#define ARM64_LPA2_HIGH_MASK	(UINT64_C(0x3) << 8)
#define ARM64_LPA2_HIGH_SHIFT	42

/* TTBRn_EL1: ASID [63:48], BADDR, CnP [0]. With a 52-bit OA, BADDR[51:48]
 * sit in TTBR bits [5:2] (phys_to_ttbr in asm/assembler.h:
 * TTBR_BADDR_MASK_52 = GENMASK(47, 2)). */
#define ARM64_TTBR_ASID_MASK	ARM64_GENMASK(63, 48)
#define ARM64_TTBR_CNP		ARM64_BIT(0)

#endif
