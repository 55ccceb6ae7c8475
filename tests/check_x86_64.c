/* x86-64 pieces in isolation: 4- and 5-level geometry, the entry decoder
 * (tables, 2M and 1G pages, NX, PAT, protection keys, reserved bits, PS
 * where it is reserved), CR3 masking, detection from VMCOREINFO text, and
 * the randomized bases found in a small in-memory dump. Expected values
 * are worked out by hand in comments. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "walk.h"
#include "x86_64/x86_64.h"
#include "vmcoreinfo.h"

static struct ptw_geom geom(unsigned levels, unsigned maxphyaddr, uint64_t sme)
{
	struct ptw_geom g;
	struct ptw_error *err = ptw_x86_64_geom(levels, true, 0x1000, maxphyaddr, sme, &g);

	ck_assert_msg(!err, "%s", err ? err->message : "");
	return g;
}

START_TEST(test_geom)
{
	struct ptw_geom g4 = geom(4, 52, 0), g5 = geom(5, 52, 0), g;
	struct ptw_error *err;

	/* 4 levels: indexes at 12, 21, 30, 39, 9 bits each; a half is 47 bits
	 * (the root index's top bit is the sign bit 47) */
	ck_assert_uint_eq(g4.levels, 4);
	ck_assert_uint_eq(g4.va_bits, 47);
	ck_assert_uint_eq(g4.shift[3], 39);
	ck_assert_uint_eq(g4.bits[3], 9);
	/* kernel level numbers: PML4 is 1 (p4d), the PTE 4 */
	ck_assert_int_eq(ptw_geom_level(&g4, 3), 1);
	ck_assert_int_eq(ptw_geom_level(&g4, 0), 4);
	/* 5 levels (LA57): a fifth index at 48; 56 bits a half; PML5 is 0 */
	ck_assert_uint_eq(g5.levels, 5);
	ck_assert_uint_eq(g5.va_bits, 56);
	ck_assert_uint_eq(g5.shift[4], 48);
	ck_assert_int_eq(ptw_geom_level(&g5, 4), 0);
	ck_assert_int_eq(ptw_geom_level(&g5, 0), 4);
	/* 2M (index 1) and 1G (index 2) pages only */
	ck_assert_uint_eq(g4.block_mask, 0x6);
	err = ptw_x86_64_geom(3, true, 0, 52, 0, &g);
	ck_assert_ptr_nonnull(err);
	ptw_error_destroy(err);
	err = ptw_x86_64_geom(4, true, 0, 53, 0, &g);
	ck_assert_ptr_nonnull(err);
	ptw_error_destroy(err);
	/* an sme_mask outside bits 51:12 cannot be an address bit */
	err = ptw_x86_64_geom(4, true, 0, 52, UINT64_C(1) << 55, &g);
	ck_assert_ptr_nonnull(err);
	ptw_error_destroy(err);
}
END_TEST

START_TEST(test_decode)
{
	static const struct {
		unsigned levels, maxphy;
		uint64_t sme;
		unsigned idx;
		uint64_t raw;
		enum ptw_desc_kind kind;
		uint64_t addr;
	} t[] = {
		{ 4, 52, 0, 3, 0, PTW_DESC_INVALID, 0 },
		/* not present: everything else is the OS's */
		{ 4, 52, 0, 0, 0x8000000012345066ull, PTW_DESC_INVALID, 0 },
		/* _KERNPG_TABLE 0x63: P RW A D -> table at bits 51:12 */
		{ 4, 52, 0, 3, 0x0000000001234063ull, PTW_DESC_TABLE, 0x1234000 },
		/* a PTE with NX, G (0x100) and PAT (bit 7, 0x80): a page */
		{ 4, 52, 0, 0, 0x80000000012341e3ull, PTW_DESC_PAGE, 0x1234000 },
		/* PDE 0x1e3: P RW A D PS G -> 2M page at 0x1200000 */
		{ 4, 52, 0, 1, 0x80000000012001e3ull, PTW_DESC_BLOCK, 0x1200000 },
		/* bit 12 of a 2M page is PAT, not address */
		{ 4, 52, 0, 1, 0x00000000012011e3ull, PTW_DESC_BLOCK, 0x1200000 },
		/* bit 13 of a 2M page is reserved */
		{ 4, 52, 0, 1, 0x00000000012021e3ull, PTW_DESC_BAD, 0 },
		/* PDPTE with PS: 1G page at 0x40000000 */
		{ 4, 52, 0, 2, 0x80000000400000e3ull, PTW_DESC_BLOCK, 0x40000000 },
		/* bit 21 of a 1G page is reserved (address bits 29:13) */
		{ 4, 52, 0, 2, 0x00000000402000e3ull, PTW_DESC_BAD, 0 },
		/* PS in a PML4E (4 levels: index 3) and a PML5E (index 4) is reserved */
		{ 4, 52, 0, 3, 0x00000000000000e3ull, PTW_DESC_BAD, 0 },
		{ 5, 52, 0, 4, 0x00000000000000e3ull, PTW_DESC_BAD, 0 },
		{ 5, 52, 0, 3, 0x00000000000000e3ull, PTW_DESC_BAD, 0 },
		/* bit 47 set: fine with MAXPHYADDR 52, reserved with 46 */
		{ 4, 52, 0, 3, 0x0000800000001063ull, PTW_DESC_TABLE, 0x800000001000ull },
		{ 4, 46, 0, 3, 0x0000800000001063ull, PTW_DESC_BAD, 0 },
		/* ... unless it is the SME C-bit, a flag: the table is at 0x1000 */
		{ 4, 46, UINT64_C(1) << 47, 3, 0x0000800000001063ull, PTW_DESC_TABLE, 0x1000 },
		/* protection key 5 (bits 62:59) is not address */
		{ 4, 52, 0, 0, 0x2800000000005163ull, PTW_DESC_PAGE, 0x5000 },
	};

	for (unsigned i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct ptw_geom g = geom(t[i].levels, t[i].maxphy, t[i].sme);
		struct ptw_desc d;

		ptw_x86_64_decode(&g, t[i].idx, t[i].raw, &d);
		ck_assert_msg(d.kind == t[i].kind, "case %u: kind %d, want %d", i, d.kind, t[i].kind);
		if (d.kind == PTW_DESC_BAD) {
			ck_assert_ptr_nonnull(d.reason);
		} else if (d.kind != PTW_DESC_INVALID) {
			ck_assert_msg(d.addr == t[i].addr, "case %u: addr %#llx, want %#llx", i,
				      (unsigned long long)d.addr, (unsigned long long)t[i].addr);
		}
	}
}
END_TEST

static const struct ptw_attr *attr(const struct ptw_attrs *a, const char *name)
{
	const struct ptw_attr *t = ptw_attrs_find(a, name);

	ck_assert_msg(t != NULL, "no attribute %s", name);
	return t;
}

START_TEST(test_attrs)
{
	struct ptw_geom g = geom(4, 52, 0);
	struct ptw_attrs a;

	/* PTE 0x28000000000051e3: P RW A D, bit 7 = PAT, G, pkey 5, no NX */
	ptw_arch_x86_64.attrs(&g, 0, 0x28000000000051e3ull, &a);
	ck_assert(attr(&a, "present")->u);
	ck_assert(attr(&a, "rw")->u);
	ck_assert(!attr(&a, "us")->u);
	ck_assert(attr(&a, "pat")->u);
	ck_assert(!attr(&a, "ps")->u);   /* bit 7 of a PTE is PAT */
	ck_assert(attr(&a, "g")->u);
	ck_assert(!attr(&a, "nx")->u);
	ck_assert_uint_eq(attr(&a, "pkey")->u, 5);
	/* 2M page 0x80000000012011e7: US, PS, PAT from bit 12, NX */
	ptw_arch_x86_64.attrs(&g, 1, 0x80000000012011e7ull, &a);
	ck_assert(attr(&a, "us")->u);
	ck_assert(attr(&a, "ps")->u);
	ck_assert(attr(&a, "pat")->u);
	ck_assert(attr(&a, "nx")->u);
	ck_assert_str_eq(ptw_arch_x86_64.level_name(&g, 3), "PML4");
	ck_assert_str_eq(ptw_arch_x86_64.level_name(&g, 0), "PTE");
}
END_TEST

START_TEST(test_cr3)
{
	/* PCID 0xabc and the no-flush bit 63 are not address */
	ck_assert_uint_eq(ptw_x86_64_cr3_to_pa(0x8000000001100abcull, 0), 0x1100000);
	/* LAM_U57/U48 (bits 62:61) neither */
	ck_assert_uint_eq(ptw_x86_64_cr3_to_pa(0x6000000001100001ull, 0), 0x1100000);
	/* the SME C-bit in CR3 */
	ck_assert_uint_eq(ptw_x86_64_cr3_to_pa(0x0000800001100000ull, UINT64_C(1) << 47), 0x1100000);
	ck_assert(!ptw_arch_x86_64.is_upper(0x00007fffffffffffull));
	ck_assert(ptw_arch_x86_64.is_upper(0xffff800000000000ull));
	ck_assert_uint_eq(ptw_arch_x86_64.untag(0x00007fff12345678ull), 0x00007fff12345678ull);
}
END_TEST

static void vi_parse(struct ptw_vmcoreinfo *vi, const char *text)
{
	memset(vi, 0, sizeof(*vi));
	struct ptw_error *err = ptw_vmcoreinfo_parse(vi, text, strlen(text), 0);

	ck_assert_msg(!err, "%s", err ? err->message : "");
}

/* The VMCOREINFO of testdata/x86_64-deb61-4l and -5l (Debian 6.1 under TCG). */
START_TEST(test_detect)
{
	struct ptw_vmcoreinfo vi;
	struct ptw_xlat x;
	struct ptw_error *err;

	vi_parse(&vi, "OSRELEASE=6.1.0-56-amd64\nPAGESIZE=4096\n"
		      "SYMBOL(swapper_pg_dir)=ffffffffb6210000\nSYMBOL(_stext)=ffffffffb4800000\n"
		      "NUMBER(MAX_PHYSMEM_BITS)=46\nNUMBER(phys_base)=-796917760\n"
		      "SYMBOL(init_top_pgt)=ffffffffb6210000\nNUMBER(pgtable_l5_enabled)=0\n"
		      "KERNELOFFSET=33800000\nNUMBER(KERNEL_IMAGE_SIZE)=1073741824\nNUMBER(sme_mask)=0\n");
	ck_assert_ptr_null(ptw_x86_64_detect(&vi, 0, &x));
	ck_assert_uint_eq(x.levels, 4);
	ck_assert_uint_eq(x.va_bits, 48);
	ck_assert_uint_eq(x.pa_bits, 46);
	ck_assert_int_eq(x.fmt, PTW_PTE_X86_64);
	/* phys_base = -796917760 = -0x2f800000;
	 * kimage_voffset = __START_KERNEL_map - phys_base = 0xffffffffaf800000;
	 * root = 0xffffffffb6210000 - 0xffffffffaf800000 = 0x6a10000 */
	ck_assert_uint_eq(x.kimage_voffset, 0xffffffffaf800000ull);
	ck_assert_uint_eq(x.root_pa, 0x6a10000);
	ck_assert_uint_eq(x.kernel.root_pa, 0x6a10000);
	ck_assert_uint_eq(x.kernel.levels, 4);
	ck_assert_uint_eq(x.kaslr_offset, 0x33800000);
	/* KASLR: the bases are not in VMCOREINFO */
	ck_assert(!x.have_page_offset);
	ck_assert(!x.have_vmalloc_start);
	ptw_vmcoreinfo_free(&vi);

	/* 5 levels; phys_base -664797184 = -0x27a00000: kimage_voffset
	 * 0xffffffffa7a00000, root 0xffffffffaa410000 - that = 0x2a10000 */
	vi_parse(&vi, "OSRELEASE=6.1.0-56-amd64\nPAGESIZE=4096\n"
		      "NUMBER(MAX_PHYSMEM_BITS)=52\nNUMBER(phys_base)=-664797184\n"
		      "SYMBOL(init_top_pgt)=ffffffffaa410000\nNUMBER(pgtable_l5_enabled)=1\n"
		      "KERNELOFFSET=27a00000\n");
	ck_assert_ptr_null(ptw_x86_64_detect(&vi, 0, &x));
	ck_assert_uint_eq(x.levels, 5);
	ck_assert_uint_eq(x.va_bits, 57);
	ck_assert_uint_eq(x.kernel.va_bits, 56);
	ck_assert_uint_eq(x.root_pa, 0x2a10000);
	ptw_vmcoreinfo_free(&vi);

	/* No KASLR: the default bases; phys_base 0x1000000 (positive) */
	vi_parse(&vi, "PAGESIZE=4096\nNUMBER(phys_base)=16777216\n"
		      "SYMBOL(init_top_pgt)=ffffffff82a10000\nNUMBER(pgtable_l5_enabled)=0\nKERNELOFFSET=0\n");
	ck_assert_ptr_null(ptw_x86_64_detect(&vi, 0, &x));
	/* 0xffffffff82a10000 - 0xffffffff80000000 + 0x1000000 = 0x3a10000 */
	ck_assert_uint_eq(x.root_pa, 0x3a10000);
	ck_assert(x.have_page_offset);
	ck_assert_uint_eq(x.page_offset, 0xffff888000000000ull);
	ck_assert_uint_eq(x.vmalloc_start, 0xffffc90000000000ull);
	ck_assert_uint_eq(x.vmemmap_start, 0xffffea0000000000ull);
	ck_assert_uint_eq(x.pa_bits, 46); /* MAX_PHYSMEM_BITS's default */
	ptw_vmcoreinfo_free(&vi);

	/* Missing phys_base; a non-4K page size; a bad pgtable_l5_enabled */
	vi_parse(&vi, "PAGESIZE=4096\nSYMBOL(init_top_pgt)=ffffffff82a10000\n");
	err = ptw_x86_64_detect(&vi, 0, &x);
	ck_assert_ptr_nonnull(err);
	ck_assert_ptr_nonnull(strstr(err->message, "phys_base"));
	ptw_error_destroy(err);
	ptw_vmcoreinfo_free(&vi);
	vi_parse(&vi, "PAGESIZE=8192\nNUMBER(phys_base)=0\nSYMBOL(init_top_pgt)=ffffffff82a10000\n");
	err = ptw_x86_64_detect(&vi, 0, &x);
	ck_assert_ptr_nonnull(err);
	ptw_error_destroy(err);
	ptw_vmcoreinfo_free(&vi);
	vi_parse(&vi, "PAGESIZE=4096\nNUMBER(phys_base)=0\nSYMBOL(init_top_pgt)=ffffffff82a10000\n"
		      "NUMBER(pgtable_l5_enabled)=2\n");
	err = ptw_x86_64_detect(&vi, 0, &x);
	ck_assert_ptr_nonnull(err);
	ptw_error_destroy(err);
	ptw_vmcoreinfo_free(&vi);
}
END_TEST

/* A 4-level kernel tree in a fixture, KASLR on (KERNELOFFSET != 0):
 *   root = SYMBOL(init_top_pgt) - __START_KERNEL_map + phys_base
 *        = 0xffffffff80001000 - 0xffffffff80000000 + 0 = 0x1000.
 * Direct map at 0xffff888000000000 (PML4 index 0x111 = 273, entry at
 *   0x1000 + 273 * 8 = 0x1888) -> PUD table 0x2000:
 *   PUD[0] = 1G page at PA 0 (0x80000000000000e3: NX, PS, D, A, RW, P);
 *   PUD[1] -> PMD table 0x3000, PMD[1] -> PT 0x4000, PT[5] = 4K page 0x5000.
 * vmalloc at 0xffffc90000000000 (PML4 index 402, entry 0x1c90) -> PUD
 *   0x8000 -> PMD 0x9000 -> PT 0xa000, PT[3] = page 0xb000 (VA +0x3000).
 * SYMBOL(mem_section) = 0xffff888000006000, in the 1G page: PA 0x6000, so
 *   page_offset_base = VA - PA = 0xffff888000000000. Its first root,
 *   read at PA 0x6000, is 0xffff888000007000 (PA 0x7000), whose section 0
 *   holds section_mem_map 0xffffea0000000000 | 0x7 (present, has map, online). */
START_TEST(test_detect_memory)
{
	struct fixture *f = fixture_new();
	struct ptw_vmcoreinfo vi;
	struct ptw_xlat x;
	struct ptw_walker *w;
	struct ptw_walk_result r;

	fixture_add_ram(f, 0, 0x80000000ull); /* 2G of RAM: the direct map stops below 2G */
	fixture_set_u64(f, 0x1888, 0x2063);
	fixture_set_u64(f, 0x2000, 0x80000000000000e3ull);
	fixture_set_u64(f, 0x2008, 0x3063);
	fixture_set_u64(f, 0x3008, 0x4063);
	fixture_set_u64(f, 0x4028, 0x8000000000005163ull);
	fixture_set_u64(f, 0x1c90, 0x8063);
	fixture_set_u64(f, 0x8000, 0x9063);
	fixture_set_u64(f, 0x9000, 0xa063);
	fixture_set_u64(f, 0xa018, 0x800000000000b163ull);
	fixture_set_u64(f, 0x6000, 0xffff888000007000ull);
	fixture_set_u64(f, 0x7000, 0xffffea0000000007ull);
	vi_parse(&vi, "PAGESIZE=4096\nNUMBER(phys_base)=0\nSYMBOL(init_top_pgt)=ffffffff80001000\n"
		      "NUMBER(pgtable_l5_enabled)=0\nKERNELOFFSET=1000000\n"
		      "SYMBOL(mem_section)=ffff888000006000\nOFFSET(mem_section.section_mem_map)=0\n");
	ck_assert_ptr_null(ptw_x86_64_detect(&vi, 0, &x));
	ck_assert_uint_eq(x.root_pa, 0x1000);
	ck_assert_ptr_null(ptw_x86_64_detect_memory(&x, &vi, fixture_source(f)));
	ck_assert(x.have_page_offset);
	ck_assert_uint_eq(x.page_offset, 0xffff888000000000ull);
	ck_assert(x.have_vmemmap_start);
	ck_assert_uint_eq(x.vmemmap_start, 0xffffea0000000000ull);
	/* the first mapping above page_offset + 2G is the vmalloc page at
	 * 0xffffc90000003000, rounded down to 1G */
	ck_assert(x.have_vmalloc_start);
	ck_assert_uint_eq(x.vmalloc_start, 0xffffc90000000000ull);
	/* the direct map ends with memory: page_offset + 2G */
	ck_assert_uint_eq(x.page_end, 0xffff888080000000ull);

	/* walks: 1G page, 4K page under PMD[1], and a user walk through a CR3
	 * with PCID 5 whose PML4 is the same table (index 0 empty) */
	ck_assert_ptr_null(ptw_walker_create(fixture_source(f), ptw_x86_64_decode, &w));
	ck_assert_ptr_null(ptw_walk(w, &x.kernel, 0xffff888012345678ull, &r));
	ck_assert_int_eq(r.status, PTW_WALK_OK);
	ck_assert_uint_eq(r.pa, 0x12345678);
	ck_assert_uint_eq(r.page_size, 1u << 30);
	ck_assert_int_eq(r.level, 2);
	/* 0xffff888040205abc: PUD 1, PMD 1, PT 5 -> 0x5000 + 0xabc */
	ck_assert_ptr_null(ptw_walk(w, &x.kernel, 0xffff888040205abcull, &r));
	ck_assert_int_eq(r.status, PTW_WALK_OK);
	ck_assert_uint_eq(r.pa, 0x5abc);
	ck_assert_int_eq(r.level, 4);
	/* bit 47 clear but bits 63:48 set: not canonical */
	ck_assert_ptr_null(ptw_walk(w, &x.kernel, 0xffff7fffffffffffull, &r));
	ck_assert_int_eq(r.status, PTW_WALK_NON_CANONICAL);
	{
		struct ptw_geom user;

		ck_assert_ptr_null(ptw_arch_x86_64.user_geom(&x, 0x1005, &user));
		ck_assert_uint_eq(user.root_pa, 0x1000);
		ck_assert_ptr_null(ptw_walk(w, &user, 0x0000000000401000ull, &r));
		ck_assert_int_eq(r.status, PTW_WALK_NOT_MAPPED);
		ck_assert_ptr_null(ptw_walk(w, &user, 0x0000800000000000ull, &r));
		ck_assert_int_eq(r.status, PTW_WALK_NON_CANONICAL);
	}
	ptw_walker_destroy(w);
	ptw_vmcoreinfo_free(&vi);
	fixture_free(f);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("x86_64");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_geom);
	tcase_add_test(tc, test_decode);
	tcase_add_test(tc, test_attrs);
	tcase_add_test(tc, test_cr3);
	tcase_add_test(tc, test_detect);
	tcase_add_test(tc, test_detect_memory);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
