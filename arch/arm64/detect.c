/* arm64 translation configuration from VMCOREINFO. Each rule names the
 * kernel version and the key it rests on. Nothing here reads the tables. */
#include "arm64/arm64.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arm64/hwdef.h"

unsigned ptw_arm64_kernel_version(const struct ptw_vmcoreinfo *vi)
{
	const char *s = ptw_vmcoreinfo_get(vi, "OSRELEASE");
	unsigned v[3] = { 0, 0, 0 };

	if (!s)
		return 0;
	for (unsigned i = 0; i < 3; i++) {
		char *end;
		unsigned long n = strtoul(s, &end, 10);

		if (end == s || n > 255)
			break;
		v[i] = (unsigned)n;
		if (*end != '.')
			break;
		s = end + 1;
	}
	if (v[0] == 0)
		return 0;
	return PTW_KVER(v[0], v[1], v[2]);
}

static struct ptw_error *need_number(const struct ptw_vmcoreinfo *vi, const char *name,
				     int64_t *ret)
{
	struct ptw_error *err = ptw_vmcoreinfo_number(vi, name, ret);

	if (err)
		return ptw_error_prepend(err, "arm64 translation needs NUMBER(%s) (supply it with --set NUMBER(%s)=VALUE): ",
					 name, name);
	return NULL;
}

struct ptw_error *ptw_arm64_detect(const struct ptw_vmcoreinfo *vi, uint64_t page_size,
				   struct ptw_xlat *ret)
{
	struct ptw_xlat x = { 0 };
	struct ptw_error *err;
	unsigned page_shift, va_min;
	int64_t n;
	uint64_t swapper;
	bool have_mpb;
	int64_t mpb = 0;

	x.ops = &ptw_arch_arm64;
	if (!page_size) {
		err = ptw_vmcoreinfo_u64(vi, "PAGESIZE", 10, &page_size);
		if (err)
			return ptw_error_prepend(err, "arm64 translation needs PAGESIZE: ");
	}
	switch (page_size) {
	case 4096: page_shift = 12; break;
	case 16384: page_shift = 14; break;
	case 65536: page_shift = 16; break;
	default:
		return ptw_error_create(PTW_E_BAD_DATA, "PAGESIZE=%llu is not an arm64 granule (4096, 16384, 65536)",
					(unsigned long long)page_size);
	}
	x.granule = (unsigned)page_size;

	/* NUMBER(VA_BITS): arch_crash_save_vmcoreinfo, 4.12+. */
	err = need_number(vi, "VA_BITS", &n);
	if (err)
		return err;
	if (n != 36 && n != 39 && n != 42 && n != 47 && n != 48 && n != 52)
		return ptw_error_create(PTW_E_BAD_DATA, "NUMBER(VA_BITS)=%lld is not a VA size arm64 Linux supports",
					(long long)n);
	x.va_bits = (unsigned)n;
	/* VA_BITS_MIN (asm/memory.h): a 52-bit kernel falls back to 48 bits, or
	 * 47 with 16K pages (6.9+, LPA2), on a CPU without LVA/LPA2. */
	va_min = x.va_bits > 48 ? (page_shift == 14 ? 47 : 48) : x.va_bits;

	/* vabits_actual = 64 - TCR_EL1.T1SZ: NUMBER(TCR_EL1_T1SZ), 5.9+
	 * (commit bbdbc11804ff). Older kernels ran 52-bit VAs only with 64K
	 * pages (5.4+), where a walk from swapper_pg_dir at 52 bits is the
	 * same walk as TTBR1's at 48 for every 48-bit address, so VA_BITS is
	 * a safe fallback. */
	if (ptw_vmcoreinfo_has(vi, "NUMBER(TCR_EL1_T1SZ)")) {
		err = ptw_vmcoreinfo_number(vi, "TCR_EL1_T1SZ", &n);
		if (err)
			return err;
		if (n < 12 || n > 39)
			return ptw_error_create(PTW_E_BAD_DATA, "NUMBER(TCR_EL1_T1SZ)=%lld is out of range",
						(long long)n);
		x.vabits_actual = 64 - (unsigned)n;
		x.vabits_source = "NUMBER(TCR_EL1_T1SZ)";
		if (x.vabits_actual > x.va_bits || x.vabits_actual < va_min)
			return ptw_error_create(PTW_E_BAD_DATA,
						"NUMBER(TCR_EL1_T1SZ)=%lld (%u-bit VA) contradicts NUMBER(VA_BITS)=%u",
						(long long)n, x.vabits_actual, x.va_bits);
	} else {
		x.vabits_actual = x.va_bits;
		x.vabits_source = "NUMBER(VA_BITS)";
	}

	/* Descriptor format. NUMBER(MAX_PHYSMEM_BITS) (generic vmcoreinfo, 5.9+)
	 * is PHYS_MASK_SHIFT: with 4K/16K in 6.9+ that is 52 exactly when
	 * TCR_EL1.DS is set (lpa2_is_enabled(), asm/pgtable-prot.h), i.e. the
	 * tables are in the FEAT_LPA2 format. With 64K pages,
	 * CONFIG_ARM64_PA_BITS_52 means the FEAT_LPA format (bits [15:12]). */
	have_mpb = ptw_vmcoreinfo_has(vi, "NUMBER(MAX_PHYSMEM_BITS)");
	if (have_mpb) {
		err = ptw_vmcoreinfo_number(vi, "MAX_PHYSMEM_BITS", &mpb);
		if (err)
			return err;
		if (mpb < 32 || mpb > 52)
			return ptw_error_create(PTW_E_BAD_DATA, "NUMBER(MAX_PHYSMEM_BITS)=%lld is out of range",
						(long long)mpb);
	}
	if (page_shift == 16) {
		if (have_mpb ? mpb == 52 : x.va_bits == 52) {
			x.fmt = PTW_PTE_ARM64_LPA;
			x.fmt_source = have_mpb ? "NUMBER(MAX_PHYSMEM_BITS)=52, 64K pages: FEAT_LPA"
						: "NUMBER(VA_BITS)=52, 64K pages: FEAT_LPA";
		} else {
			x.fmt = PTW_PTE_ARM64_VMSA;
			x.fmt_source = "48-bit output addresses";
		}
	} else if (x.vabits_actual > 48 || (have_mpb && mpb == 52)) {
		/* 52-bit VAs with 4K/16K pages exist only under FEAT_LPA2 (6.9+);
		 * without MAX_PHYSMEM_BITS, infer DS from the VA size as drgn does. */
		x.fmt = PTW_PTE_ARM64_LPA2;
		x.fmt_source = have_mpb && mpb == 52 ? "NUMBER(MAX_PHYSMEM_BITS)=52 with 4K/16K pages: FEAT_LPA2 (TCR_EL1.DS)"
						     : "52-bit VA with 4K/16K pages: FEAT_LPA2";
	} else {
		x.fmt = PTW_PTE_ARM64_VMSA;
		x.fmt_source = "48-bit output addresses";
	}
	/* pa_bits is the configured size (CONFIG_ARM64_PA_BITS), like va_bits;
	 * the descriptor format says what the MMU could express at run time.
	 * 4K/16K with VA_BITS=52 forces ARM64_PA_BITS_52 (arch/arm64/Kconfig,
	 * 6.9+: PA_BITS_48 depends on 64K_PAGES || !VA_BITS_52), although
	 * MAX_PHYSMEM_BITS says 48 when the CPU lacks LPA2. Otherwise
	 * MAX_PHYSMEM_BITS is PHYS_MASK_SHIFT = CONFIG_ARM64_PA_BITS. */
	if (page_shift != 16 && x.va_bits == 52)
		x.pa_bits = 52;
	else if (have_mpb)
		x.pa_bits = (unsigned)mpb;
	else
		x.pa_bits = x.fmt == PTW_PTE_ARM64_VMSA ? 48 : 52;

	/* The root: swapper_pg_dir is in the kernel image, so
	 * __pa_symbol = VA - kimage_voffset (4.6+ image outside the linear map;
	 * NUMBER(kimage_voffset) exported since 4.? with KASLR). */
	err = ptw_vmcoreinfo_symbol(vi, "swapper_pg_dir", &swapper);
	if (err)
		return ptw_error_prepend(err, "arm64 translation needs SYMBOL(swapper_pg_dir): ");
	x.swapper_pg_dir = swapper;
	err = need_number(vi, "kimage_voffset", &n);
	if (err)
		return err;
	x.have_kimage_voffset = true;
	x.kimage_voffset = (uint64_t)n;
	x.root_pa = swapper - x.kimage_voffset;
	x.root_source = "SYMBOL(swapper_pg_dir)";
	/* 64K pages, VA_BITS=52 running at 48 (no FEAT_LVA): swapper_pg_dir
	 * keeps 1024 entries and TTBR1 points TTBR1_BADDR_4852_OFFSET into it
	 * (offset_ttbr1, asm/assembler.h, 5.4+). LPA2 kernels (4K/16K, 6.9+)
	 * fold a level instead and TTBR1 is swapper_pg_dir itself. */
	if (page_shift == 16 && x.va_bits == 52 && x.vabits_actual == 48) {
		x.root_pa += ptw_arm64_ttbr1_4852_offset(page_shift);
		x.root_source = "SYMBOL(swapper_pg_dir)+TTBR1_BADDR_4852_OFFSET";
	}
	err = ptw_arm64_geom(page_shift, x.vabits_actual, x.fmt, true, x.root_pa, &x.kernel);
	if (err)
		return err;
	x.levels = x.kernel.levels;

	/* Layout: 5.4 (commit 14c127c957c1) flipped the kernel half: the linear
	 * map moved to the bottom and the image to the top half. The image's
	 * _stext tells which: at or above -(2^(VA_BITS-1)) only when flipped. */
	if (ptw_vmcoreinfo_try_symbol(vi, "_stext", &x.stext)) {
		x.have_stext = true;
		x.layout = x.stext >= -(UINT64_C(1) << (x.va_bits - 1)) ? PTW_LAYOUT_FLIPPED
									 : PTW_LAYOUT_LEGACY;
		x.layout_source = "SYMBOL(_stext)";
	} else {
		unsigned ver = ptw_arm64_kernel_version(vi);

		if (ver) {
			x.layout = ver >= PTW_KVER(5, 4, 0) ? PTW_LAYOUT_FLIPPED : PTW_LAYOUT_LEGACY;
			x.layout_source = "OSRELEASE";
		}
	}
	if (x.layout == PTW_LAYOUT_FLIPPED) {
		/* PAGE_OFFSET = _PAGE_OFFSET(VA_BITS); PAGE_END = _PAGE_END(VA_BITS_MIN)
		 * (without KASAN; with it the shadow takes the top of the range). */
		x.have_page_offset = true;
		x.page_offset = -(UINT64_C(1) << x.va_bits);
		x.have_page_end = true;
		x.page_end = -(UINT64_C(1) << (va_min - 1));
		x.linear_start = -(UINT64_C(1) << x.vabits_actual);
	} else if (x.layout == PTW_LAYOUT_LEGACY) {
		/* Before 5.4: PAGE_OFFSET = 0xffffffffffffffff - (1 << (VA_BITS - 1)) + 1 */
		x.have_page_offset = true;
		x.page_offset = -(UINT64_C(1) << (x.va_bits - 1));
		x.have_page_end = true;
		x.page_end = 0; /* the linear map runs to the top */
		x.linear_start = x.page_offset;
	}

	/* NUMBER(PHYS_OFFSET) is memstart_addr, an s64: below zero when a
	 * 52-bit kernel runs at 48 (arm64_memblock_init). */
	if (ptw_vmcoreinfo_has(vi, "NUMBER(PHYS_OFFSET)")) {
		err = ptw_vmcoreinfo_number(vi, "PHYS_OFFSET", &n);
		if (err)
			return err;
		x.have_phys_offset = true;
		x.phys_offset = n;
	}
	/* KERNELOFFSET=%lx: kaslr_offset(), 4.6+. */
	if (ptw_vmcoreinfo_has(vi, "KERNELOFFSET")) {
		err = ptw_vmcoreinfo_u64(vi, "KERNELOFFSET", 16, &x.kaslr_offset);
		if (err)
			return err;
		x.have_kaslr_offset = true;
	}
	*ret = x;
	return NULL;
}
