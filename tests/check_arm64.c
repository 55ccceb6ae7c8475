/* arm64 pieces in isolation: geometry per granule and VA size, the three
 * descriptor formats, TTBR masking, untagging, and detection from
 * VMCOREINFO text. Expected values are worked out by hand in comments. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "arm64/arm64.h"
#include "vmcoreinfo.h"

START_TEST(test_geom_shapes)
{
	static const struct {
		unsigned ps, va;
		enum ptw_pte_format fmt;
		unsigned levels;
		int top;
		unsigned topbits;
	} t[] = {
		/* levels = (va - 4) / (ps - 3); top bits = va - shift(top) */
		{ 12, 39, PTW_PTE_ARM64_VMSA, 3, 1, 9 },  /* 35/9 = 3; 39 - 30 */
		{ 12, 48, PTW_PTE_ARM64_VMSA, 4, 0, 9 },  /* 44/9 = 4; 48 - 39 */
		{ 12, 52, PTW_PTE_ARM64_LPA2, 5, -1, 4 }, /* 48/9 = 5; 52 - 48 */
		{ 14, 36, PTW_PTE_ARM64_VMSA, 2, 2, 11 }, /* 32/11 = 2; 36 - 25 */
		{ 14, 47, PTW_PTE_ARM64_VMSA, 3, 1, 11 }, /* 43/11 = 3; 47 - 36 */
		{ 14, 48, PTW_PTE_ARM64_VMSA, 4, 0, 1 },  /* 44/11 = 4; 48 - 47 */
		{ 14, 52, PTW_PTE_ARM64_LPA2, 4, 0, 5 },  /* 48/11 = 4; 52 - 47 */
		{ 16, 42, PTW_PTE_ARM64_VMSA, 2, 2, 13 }, /* 38/13 = 2; 42 - 29 */
		{ 16, 48, PTW_PTE_ARM64_VMSA, 3, 1, 6 },  /* 44/13 = 3; 48 - 42 */
		{ 16, 52, PTW_PTE_ARM64_LPA, 3, 1, 10 },  /* 48/13 = 3; 52 - 42 */
		{ 16, 52, PTW_PTE_ARM64_VMSA, 3, 1, 10 }, /* FEAT_LVA without FEAT_LPA */
	};

	for (unsigned i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct ptw_geom g;
		struct ptw_error *err = ptw_arm64_geom(t[i].ps, t[i].va, t[i].fmt, true, 0, &g);

		ck_assert_msg(!err, "%u/%u: %s", t[i].ps, t[i].va, err ? err->message : "");
		ck_assert_uint_eq(g.levels, t[i].levels);
		ck_assert_int_eq(g.top_level, t[i].top);
		ck_assert_uint_eq(g.bits[g.levels - 1], t[i].topbits);
		ck_assert_uint_eq(g.shift[0], t[i].ps);
	}
}
END_TEST

START_TEST(test_geom_rejects)
{
	struct ptw_geom g;
	struct ptw_error *err;

	/* 52-bit VA with 4K pages needs the LPA2 format */
	err = ptw_arm64_geom(12, 52, PTW_PTE_ARM64_VMSA, true, 0, &g);
	ck_assert_ptr_nonnull(err);
	ptw_error_destroy(err);
	/* LPA is 64K only; LPA2 is 4K/16K only */
	err = ptw_arm64_geom(12, 48, PTW_PTE_ARM64_LPA, true, 0, &g);
	ck_assert_ptr_nonnull(err);
	ptw_error_destroy(err);
	err = ptw_arm64_geom(16, 48, PTW_PTE_ARM64_LPA2, true, 0, &g);
	ck_assert_ptr_nonnull(err);
	ptw_error_destroy(err);
	err = ptw_arm64_geom(13, 48, PTW_PTE_ARM64_VMSA, true, 0, &g);
	ck_assert_ptr_nonnull(err);
	ptw_error_destroy(err);
}
END_TEST

START_TEST(test_desc_addr)
{
	/* VMSA: bits [47:12]; bits above 47 are not address */
	ck_assert_uint_eq(ptw_arm64_desc_addr(PTW_PTE_ARM64_VMSA, 12, 0x00e80000412345c3ull), 0x41234000ull);
	/* LPA 64K: [47:16] | [15:12] << 36: 0x4011f703 -> 0x000f000040110000 */
	ck_assert_uint_eq(ptw_arm64_desc_addr(PTW_PTE_ARM64_LPA, 16, 0x4011f703ull), 0x000f000040110000ull);
	/* LPA2 4K: [49:12] | [9:8] << 42: 0x0003000040100303 -> 0x000f000040100000
	 * (bits 49:48 = 3 stay; bits 9:8 = 3 give 51:50) */
	ck_assert_uint_eq(ptw_arm64_desc_addr(PTW_PTE_ARM64_LPA2, 12, 0x0003000040100303ull), 0x000f000040100000ull);
	/* LPA2 16K: [49:14]; bits 9:8 = 01 -> PA bit 50 */
	ck_assert_uint_eq(ptw_arm64_desc_addr(PTW_PTE_ARM64_LPA2, 14, 0x0000000040104103ull), 0x0004000040104000ull);
}
END_TEST

START_TEST(test_decode_kinds)
{
	struct ptw_geom g;
	struct ptw_desc d;

	ck_assert_ptr_null(ptw_arm64_geom(12, 48, PTW_PTE_ARM64_VMSA, true, 0, &g));
	ptw_arm64_decode(&g, 0, 0, &d);
	ck_assert_int_eq(d.kind, PTW_DESC_INVALID);
	ptw_arm64_decode(&g, 0, 0x40000702, &d); /* bit 0 clear: invalid */
	ck_assert_int_eq(d.kind, PTW_DESC_INVALID);
	ptw_arm64_decode(&g, 0, 0x40000701, &d); /* 0b01 at level 3: reserved */
	ck_assert_int_eq(d.kind, PTW_DESC_BAD);
	ptw_arm64_decode(&g, 0, 0x0010000040000703, &d);
	ck_assert_int_eq(d.kind, PTW_DESC_PAGE);
	ck_assert(d.cont);
	ptw_arm64_decode(&g, 1, 0x40200701, &d); /* 2M block */
	ck_assert_int_eq(d.kind, PTW_DESC_BLOCK);
	ck_assert_uint_eq(d.addr, 0x40200000);
	ptw_arm64_decode(&g, 1, 0x40201701, &d); /* bit 12 in a 2M block: not aligned */
	ck_assert_int_eq(d.kind, PTW_DESC_BAD);
	ptw_arm64_decode(&g, 1, 0x40210701, &d); /* bit 16 is nT (FEAT_BBM): fine */
	ck_assert_int_eq(d.kind, PTW_DESC_BLOCK);
	ck_assert_uint_eq(d.addr, 0x40200000);
	ptw_arm64_decode(&g, 3, 0x701, &d); /* level 0 block without LPA2 */
	ck_assert_int_eq(d.kind, PTW_DESC_BAD);
	ptw_arm64_decode(&g, 2, 0x40001003, &d);
	ck_assert_int_eq(d.kind, PTW_DESC_TABLE);
	ck_assert_uint_eq(d.addr, 0x40001000);
}
END_TEST

START_TEST(test_ttbr)
{
	/* ASID 0x2e in [63:48] and CnP masked: 0x2e000040550000 -> 0x40550000 */
	ck_assert_uint_eq(ptw_arm64_ttbr_to_pa(PTW_PTE_ARM64_VMSA, 0x2e000040550001ull), 0x40550000ull);
	/* 52-bit: BADDR[51:48] = 0xa in bits [5:2] = 0x28; 64-byte aligned PGD at +0x40 */
	ck_assert_uint_eq(ptw_arm64_ttbr_to_pa(PTW_PTE_ARM64_LPA2, 0x0005000040550068ull), 0x000a000040550040ull);
	/* TTBR1_BADDR_4852_OFFSET with 64K pages: PGDIR_SHIFT 42:
	 * ((1 << 10) - (1 << 6)) * 8 = 960 * 8 = 7680 = 0x1e00 */
	ck_assert_uint_eq(ptw_arm64_ttbr1_4852_offset(16), 0x1e00);
}
END_TEST

START_TEST(test_untag)
{
	/* sign-extend from bit 55 */
	ck_assert_uint_eq(ptw_arm64_untag(0x5aff800012345678ull), 0xffff800012345678ull);
	ck_assert_uint_eq(ptw_arm64_untag(0x0f0000ffff001000ull), 0x000000ffff001000ull);
	ck_assert_uint_eq(ptw_arm64_untag(0xffff800012345678ull), 0xffff800012345678ull);
}
END_TEST

static void vi_parse(struct ptw_vmcoreinfo *vi, const char *text)
{
	memset(vi, 0, sizeof(*vi));
	struct ptw_error *err = ptw_vmcoreinfo_parse(vi, text, strlen(text), 0);

	ck_assert_msg(!err, "%s", err ? err->message : "");
}

/* The VMCOREINFO of testdata/arm64-64k52-max (QEMU -cpu max, 6.12.117, 64K/52,
 * LVA + LPA), with a made-up kimage_voffset: the root is swapper_pg_dir -
 * kimage_voffset, and TTBR1 there really was 0x40550000 (truth.json). */
START_TEST(test_detect_64k52)
{
	struct ptw_vmcoreinfo vi;
	struct ptw_xlat x;

	vi_parse(&vi, "OSRELEASE=6.12.117\nPAGESIZE=65536\n"
		      "SYMBOL(swapper_pg_dir)=ffffcfaf62350000\nSYMBOL(_stext)=ffffcfaf62010000\n"
		      "NUMBER(MAX_PHYSMEM_BITS)=52\nNUMBER(VA_BITS)=52\n"
		      "NUMBER(kimage_voffset)=0xffffcfaf21e00000\nNUMBER(PHYS_OFFSET)=0x40000000\n"
		      "NUMBER(TCR_EL1_T1SZ)=0xc\nKERNELOFFSET=4faee2000000\n");
	ck_assert_ptr_null(ptw_arm64_detect(&vi, 0, &x));
	ck_assert_uint_eq(x.granule, 65536);
	ck_assert_uint_eq(x.va_bits, 52);
	ck_assert_uint_eq(x.vabits_actual, 52);   /* 64 - 12 */
	ck_assert_int_eq(x.fmt, PTW_PTE_ARM64_LPA);
	ck_assert_uint_eq(x.levels, 3);
	/* 0xffffcfaf62350000 - 0xffffcfaf21e00000 = 0x40550000 */
	ck_assert_uint_eq(x.root_pa, 0x40550000);
	ck_assert_int_eq(x.layout, PTW_LAYOUT_FLIPPED);
	ck_assert_uint_eq(x.page_offset, 0xfff0000000000000ull);
	ck_assert_uint_eq(x.kaslr_offset, 0x4faee2000000ull);
	ptw_vmcoreinfo_free(&vi);

	/* Same kernel on a CPU without LVA: T1SZ 16, TTBR1 at +0x1e00 */
	vi_parse(&vi, "OSRELEASE=6.12.117\nPAGESIZE=65536\n"
		      "SYMBOL(swapper_pg_dir)=ffffcfaf62350000\nSYMBOL(_stext)=ffffcfaf62010000\n"
		      "NUMBER(MAX_PHYSMEM_BITS)=52\nNUMBER(VA_BITS)=52\n"
		      "NUMBER(kimage_voffset)=0xffffcfaf21e00000\nNUMBER(PHYS_OFFSET)=0xfff0a477c0000000\n"
		      "NUMBER(TCR_EL1_T1SZ)=0x10\n");
	ck_assert_ptr_null(ptw_arm64_detect(&vi, 0, &x));
	ck_assert_uint_eq(x.vabits_actual, 48);
	ck_assert_uint_eq(x.levels, 3);
	ck_assert_uint_eq(x.root_pa, 0x40551e00);
	ck_assert_str_eq(x.root_source, "SYMBOL(swapper_pg_dir)+TTBR1_BADDR_4852_OFFSET");
	ck_assert(x.have_phys_offset);
	ck_assert(x.phys_offset < 0);
	ck_assert_uint_eq(x.linear_start, 0xffff000000000000ull);
	ptw_vmcoreinfo_free(&vi);
}
END_TEST

START_TEST(test_detect_lpa2)
{
	struct ptw_vmcoreinfo vi;
	struct ptw_xlat x;

	/* 4K/52 on a CPU with LPA2: 5 levels, LPA2 format, root = swapper */
	vi_parse(&vi, "OSRELEASE=6.12.0\nPAGESIZE=4096\nSYMBOL(swapper_pg_dir)=ffff800081c2b000\n"
		      "SYMBOL(_stext)=ffff800080010000\nNUMBER(VA_BITS)=52\nNUMBER(MAX_PHYSMEM_BITS)=52\n"
		      "NUMBER(kimage_voffset)=0xffff7fff3f600000\nNUMBER(TCR_EL1_T1SZ)=0xc\n");
	ck_assert_ptr_null(ptw_arm64_detect(&vi, 0, &x));
	ck_assert_int_eq(x.fmt, PTW_PTE_ARM64_LPA2);
	ck_assert_uint_eq(x.levels, 5);
	ck_assert_int_eq(x.kernel.top_level, -1);
	/* 0xffff800081c2b000 - 0xffff7fff3f600000 = 0x14262b000 */
	ck_assert_uint_eq(x.root_pa, 0x14262b000ull);
	ptw_vmcoreinfo_free(&vi);

	/* The same kernel folded to 48 bits on a CPU without LPA2:
	 * MAX_PHYSMEM_BITS 48, 4 levels, plain format, root still swapper */
	vi_parse(&vi, "OSRELEASE=6.12.0\nPAGESIZE=4096\nSYMBOL(swapper_pg_dir)=ffff800081c2b000\n"
		      "SYMBOL(_stext)=ffff800080010000\nNUMBER(VA_BITS)=52\nNUMBER(MAX_PHYSMEM_BITS)=48\n"
		      "NUMBER(kimage_voffset)=0xffff7fff3f600000\nNUMBER(TCR_EL1_T1SZ)=0x10\n");
	ck_assert_ptr_null(ptw_arm64_detect(&vi, 0, &x));
	ck_assert_int_eq(x.fmt, PTW_PTE_ARM64_VMSA);
	ck_assert_uint_eq(x.levels, 4);
	ck_assert_uint_eq(x.root_pa, 0x14262b000ull);
	ptw_vmcoreinfo_free(&vi);

	/* 16K/52 folded: VA_BITS_MIN is 47 with 16K pages: 3 levels */
	vi_parse(&vi, "OSRELEASE=6.12.0\nPAGESIZE=16384\nSYMBOL(swapper_pg_dir)=ffff800081c2c000\n"
		      "SYMBOL(_stext)=ffff800080010000\nNUMBER(VA_BITS)=52\nNUMBER(MAX_PHYSMEM_BITS)=48\n"
		      "NUMBER(kimage_voffset)=0xffff7fff3f600000\nNUMBER(TCR_EL1_T1SZ)=0x11\n");
	ck_assert_ptr_null(ptw_arm64_detect(&vi, 0, &x));
	ck_assert_uint_eq(x.vabits_actual, 47);
	ck_assert_uint_eq(x.levels, 3);
	ck_assert_int_eq(x.fmt, PTW_PTE_ARM64_VMSA);
	ptw_vmcoreinfo_free(&vi);
}
END_TEST

START_TEST(test_detect_legacy_and_errors)
{
	struct ptw_vmcoreinfo vi;
	struct ptw_xlat x;
	struct ptw_error *err;

	/* 4.19-style 4K/48: image at 0xffff000008080000, below -(2^47) */
	vi_parse(&vi, "OSRELEASE=4.19.0\nPAGESIZE=4096\nSYMBOL(swapper_pg_dir)=ffff0000092d2000\n"
		      "SYMBOL(_stext)=ffff000008081000\nNUMBER(VA_BITS)=48\n"
		      "NUMBER(kimage_voffset)=0xfffeffffc7e00000\nNUMBER(PHYS_OFFSET)=0x40000000\n");
	ck_assert_ptr_null(ptw_arm64_detect(&vi, 0, &x));
	ck_assert_int_eq(x.layout, PTW_LAYOUT_LEGACY);
	ck_assert_uint_eq(x.page_offset, 0xffff800000000000ull);
	ck_assert_uint_eq(x.vabits_actual, 48);
	/* 0xffff0000092d2000 - 0xfffeffffc7e00000 = 0x414d2000 */
	ck_assert_uint_eq(x.root_pa, 0x414d2000ull);
	ptw_vmcoreinfo_free(&vi);

	/* T1SZ that contradicts VA_BITS */
	vi_parse(&vi, "PAGESIZE=4096\nSYMBOL(swapper_pg_dir)=ffff800081c2b000\nNUMBER(VA_BITS)=39\n"
		      "NUMBER(kimage_voffset)=0xffff7fff3f600000\nNUMBER(TCR_EL1_T1SZ)=0x10\n");
	err = ptw_arm64_detect(&vi, 0, &x);
	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(err->code, PTW_E_BAD_DATA);
	ptw_error_destroy(err);
	ptw_vmcoreinfo_free(&vi);

	/* No kimage_voffset: say which key to --set */
	vi_parse(&vi, "PAGESIZE=4096\nSYMBOL(swapper_pg_dir)=ffff800081c2b000\nNUMBER(VA_BITS)=48\n");
	err = ptw_arm64_detect(&vi, 0, &x);
	ck_assert_ptr_nonnull(err);
	ck_assert_ptr_nonnull(strstr(err->message, "kimage_voffset"));
	ptw_error_destroy(err);
	ptw_vmcoreinfo_free(&vi);

	/* PAGESIZE 8192 is no arm64 granule */
	vi_parse(&vi, "PAGESIZE=8192\nNUMBER(VA_BITS)=48\n");
	err = ptw_arm64_detect(&vi, 0, &x);
	ck_assert_ptr_nonnull(err);
	ptw_error_destroy(err);
	ptw_vmcoreinfo_free(&vi);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("arm64");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_geom_shapes);
	tcase_add_test(tc, test_geom_rejects);
	tcase_add_test(tc, test_desc_addr);
	tcase_add_test(tc, test_decode_kinds);
	tcase_add_test(tc, test_ttbr);
	tcase_add_test(tc, test_untag);
	tcase_add_test(tc, test_detect_64k52);
	tcase_add_test(tc, test_detect_lpa2);
	tcase_add_test(tc, test_detect_legacy_and_errors);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
