/* The generic walker over hand-built arm64 tables in an in-memory physical
 * memory (tests/fixture.c). Every index, entry address and expected PA below
 * is worked out by hand in the comments, not by the code under test.
 *
 * Shorthand: "L1[256]@0x40000800" is the level-1 entry with index 256 at
 * physical 0x40000800. Leaf attributes 0x703 = AF | SH inner | page/table
 * type; 0x701 = the same as a block. RAM is [0x40000000, 0x80000000). */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arm64/arm64.h"
#include "fixture.h"
#include "walk.h"

struct plant {
	uint64_t pa, value;
};

struct query {
	uint64_t va;
	enum ptw_walk_status status;
	uint64_t pa;        /* expected PA (ok, or not-in-dump of the final page) */
	int level;          /* level where the walk ends */
	unsigned index;     /* index of the last entry read */
	uint64_t page_size; /* 0: not checked */
	uint64_t cont_size; /* checked when status is ok */
};

struct wcase {
	const char *name;
	unsigned page_shift, va_bits;
	enum ptw_pte_format fmt;
	bool upper;
	uint64_t root;
	unsigned levels;
	int top_level;
	struct plant plants[24];
	struct query queries[12];
	/* extra RAM ranges (high PAs) */
	uint64_t ram2_start, ram2_end;
};

#define END_PLANTS { 0, 0 }
#define K4 0x1000ull
#define S_OK PTW_WALK_OK
#define S_NM PTW_WALK_NOT_MAPPED
#define S_NID PTW_WALK_NOT_IN_DUMP
#define S_BAD PTW_WALK_BAD_TABLE
#define S_NC PTW_WALK_NON_CANONICAL

static const struct wcase cases[] = {
	{
		/* 4K/48: levels 0..3, shifts 39/30/21/12, 9 bits each.
		 * VA 0xffff800012345678: bits[47:0] 0x800012345678 ->
		 * L0 0x100 (256), L1 0, L2 0x12345678>>21 = 0x91 (145),
		 * L3 0x12345 & 0x1ff = 0x145 (325), offset 0x678. */
		.name = "4k48", .page_shift = 12, .va_bits = 48, .fmt = PTW_PTE_ARM64_VMSA,
		.upper = true, .root = 0x40000000, .levels = 4, .top_level = 0,
		.plants = {
			{ 0x40000800, 0x40001003 },	/* L0[256] -> 0x40001000 */
			{ 0x40001000, 0x40002003 },	/* L1[0] -> 0x40002000 */
			{ 0x40002488, 0x40003003 },	/* L2[145]@+0x488 -> 0x40003000 */
			{ 0x40003a28, 0x0060000040100703 }, /* L3[325]@+0xa28 page 0x40100000 PXN UXN */
			/* L2[146]@+0x490: 2M block 0x40200000; VA 0xffff800012412345 -> +0x12345 */
			{ 0x40002490, 0x40200701 },
			/* L1[1]@+0x8: 1G block 0x40000000; VA 0xffff800040123456 -> 0x40123456 */
			{ 0x40001008, 0x40000701 },
			/* L0[257]@0x40000808: block at level 0, illegal without LPA2 */
			{ 0x40000808, 0x00000701 },
			/* L3[326]@+0xa30 cont page 0x40101000: VA 0xffff800012346000 */
			{ 0x40003a30, 0x0010000040101703 },
			/* L0[258]@0x40000810: table with RES0 bit 48 set */
			{ 0x40000810, 0x0001000040004003 },
			/* L0[259]@0x40000818: table at 0x10000000, below RAM */
			{ 0x40000818, 0x10000003 },
			/* L1[2]@0x40001010 -> 0x40001000 itself: a loop at level 1 */
			{ 0x40001010, 0x40001003 },
			/* L2[147]@+0x498 -> table 0x7ff00000, excluded from the dump */
			{ 0x40002498, 0x7ff00003 },
			END_PLANTS,
		},
		.queries = {
			{ 0xffff800012345678, S_OK, 0x40100678, 3, 325, 0x1000, 0 },
			{ 0xffff800012412345, S_OK, 0x40212345, 2, 146, 0x200000, 0 },
			{ 0xffff800040123456, S_OK, 0x40123456, 1, 1, 0x40000000, 0 },
			/* L0 index 0x808000000000>>39 = 0x101 = 257 */
			{ 0xffff808000000000, S_BAD, 0, 0, 257, 0, 0 },
			/* cont: 16 x 4K */
			{ 0xffff800012346abc, S_OK, 0x40101abc, 3, 326, 0x1000, 0x10000 },
			/* L3[327] empty */
			{ 0xffff800012347000, S_NM, 0, 3, 327, 0x1000, 0 },
			{ 0xfff0000000000000, S_NC, 0, 0, 0, 0, 0 },
			/* L0 index 258: reserved bits */
			{ 0xffff810000000000, S_BAD, 0, 0, 258, 0, 0 },
			/* L0 index 259: 0x818000000000>>39 = 0x103; table outside memory, blamed on L0[259] */
			{ 0xffff818000000000, S_BAD, 0, 0, 259, 0, 0 },
			/* L1 index 2: 0x800080000000 -> bits 38:30 = 2; loop */
			{ 0xffff800080000000, S_BAD, 0, 1, 2, 0, 0 },
			/* L2 index 147: 0x12600000>>21 = 0x93; the level-3 table it points to
			 * is not in the dump: the answer names the L2 entry, covering 2M */
			{ 0xffff800012600000, S_NID, 0, 2, 147, 0x200000, 0 },
		},
	},
	{
		/* 4K/39: levels 1..3. VA 0xffffffc012345678: bits[38:0]
		 * 0x4012345678 -> L1 0x100 (256), L2 145, L3 325. */
		.name = "4k39", .page_shift = 12, .va_bits = 39, .fmt = PTW_PTE_ARM64_VMSA,
		.upper = true, .root = 0x40010000, .levels = 3, .top_level = 1,
		.plants = {
			{ 0x40010800, 0x40011003 },	/* L1[256] */
			{ 0x40011488, 0x40012003 },	/* L2[145] */
			{ 0x40012a28, 0x40100703 },	/* L3[325] page 0x40100000 */
			/* L1[257]@0x40010808: 1G block 0x80000000 (outside RAM: not in dump, PA known) */
			{ 0x40010808, 0x80000701 },
			END_PLANTS,
		},
		.queries = {
			{ 0xffffffc012345678, S_OK, 0x40100678, 3, 325, 0x1000, 0 },
			/* L1 index 0x4040000000>>30 = 0x101 = 257; PA 0x80000000 + 0x1234 */
			{ 0xffffffc040001234, S_NID, 0x80001234, 1, 257, 0x40000000, 0 },
			{ 0xffffff0000000000, S_NC, 0, 0, 0, 0, 0 },
		},
	},
	{
		/* 4K/52 LPA2, 5 levels: -1..3, shifts 48/39/30/21/12; level -1
		 * has 4 bits. VA 0xfff8800012345678: bits[51:48] = 8 -> L-1[8];
		 * bits[47:0] 0x800012345678 -> L0 256, L1 0, L2 145, L3 325. */
		.name = "4k52-lpa2", .page_shift = 12, .va_bits = 52, .fmt = PTW_PTE_ARM64_LPA2,
		.upper = true, .root = 0x40020000, .levels = 5, .top_level = -1,
		.plants = {
			{ 0x40020040, 0x40021003 },	/* L-1[8]@+0x40 */
			{ 0x40021800, 0x40022003 },	/* L0[256] */
			{ 0x40022000, 0x40023003 },	/* L1[0] */
			/* L2[145]: table at 0x0004000040024000: PA[50]=1 -> bits[9:8] = 01 */
			{ 0x40023488, 0x40024103 },
			/* L3[325] at 0x0004000040024a28: page OA 0x000c000040100000:
			 * PA[51:50] = 11 -> bits[9:8] = 0x300 */
			{ 0x0004000040024a28, 0x40100703 },
			/* L3[326]: OA 0x0002000040101000 (PA bit 49 in bit 49) */
			{ 0x0004000040024a30, 0x0002000040101403 },
			/* L0[257]@+0x808: 512G block (legal with LPA2) at 0x8000000000 */
			{ 0x40021808, 0x8000000401 },
			/* L-1[9]@+0x48: block at level -1: illegal */
			{ 0x40020048, 0x401 },
			END_PLANTS,
		},
		.ram2_start = 0x0004000040000000, .ram2_end = 0x0004000040100000,
		.queries = {
			{ 0xfff8800012345678, S_NID, 0x000c000040100678, 3, 325, 0x1000, 0 },
			{ 0xfff8800012346008, S_NID, 0x0002000040101008, 3, 326, 0x1000, 0 },
			/* L0 index 257 (0x808000000000>>39); PA 0x8000000000 + 0x12345 */
			{ 0xfff8808000012345, S_NID, 0x8000012345, 0, 257, 0x8000000000, 0 },
			/* L-1 index 9 */
			{ 0xfff9000000000000, S_BAD, 0, -1, 9, 0, 0 },
			{ 0xffe0000000000000, S_NC, 0, 0, 0, 0, 0 },
		},
	},
	{
		/* 16K/36: levels 2..3, shifts 25/14, 11 bits each. VA
		 * 0xfffffff812345678: bits[35:0] 0x812345678 -> L2 0x409 (1033),
		 * L3 (0x812345678>>14)&0x7ff = 0x2048d1&0x7ff = 0xd1 (209), offset 0x1678. */
		.name = "16k36", .page_shift = 14, .va_bits = 36, .fmt = PTW_PTE_ARM64_VMSA,
		.upper = true, .root = 0x40030000, .levels = 2, .top_level = 2,
		.plants = {
			{ 0x40032048, 0x40034003 },	/* L2[1033]@+0x2048 */
			{ 0x40034688, 0x40104703 },	/* L3[209]@+0x688 page 0x40104000 */
			/* L2[1034]@+0x2050: 32M block 0x42000000; VA 0xfffffff814012345 */
			{ 0x40032050, 0x42000701 },
			/* L3[210]@+0x690: bit 12 set in a 16K page descriptor: RES0 */
			{ 0x40034690, 0x40109703 },
			END_PLANTS,
		},
		.queries = {
			{ 0xfffffff812345678, S_OK, 0x40105678, 3, 209, 0x4000, 0 },
			{ 0xfffffff814012345, S_OK, 0x42012345, 2, 1034, 0x2000000, 0 },
			{ 0xfffffff812348000, S_BAD, 0, 3, 210, 0, 0 },
		},
	},
	{
		/* 16K/47: levels 1..3, shifts 36/25/14. VA 0xffffc00012345678:
		 * bits[46:0] 0x400012345678 -> L1 0x400 (1024), L2 9, L3 209. */
		.name = "16k47", .page_shift = 14, .va_bits = 47, .fmt = PTW_PTE_ARM64_VMSA,
		.upper = true, .root = 0x40040000, .levels = 3, .top_level = 1,
		.plants = {
			{ 0x40042000, 0x40044003 },	/* L1[1024]@+0x2000 */
			{ 0x40044048, 0x40048003 },	/* L2[9]@+0x48 */
			/* L3[209]@+0x688: cont page 0x40104000 (128 x 16K = 2M run) */
			{ 0x40048688, 0x0010000040104703 },
			/* L1[1025]@+0x2008: 64G block, illegal with 16K and no LPA2 */
			{ 0x40042008, 0x1000000701 },
			END_PLANTS,
		},
		.queries = {
			{ 0xffffc00012345678, S_OK, 0x40105678, 3, 209, 0x4000, 0x200000 },
			/* L1 index 0x401000000000>>36 = 0x401 = 1025 */
			{ 0xffffc01000000000, S_BAD, 0, 1, 1025, 0, 0 },
		},
	},
	{
		/* 16K/48: levels 0..3, shifts 47/36/25/14; level 0 has 1 bit
		 * (2 entries). VA 0xffff800012345678: bits[47:0] 0x800012345678
		 * -> L0 1, L1 (0x800>>0)&0x7ff = 0, L2 9, L3 209. */
		.name = "16k48", .page_shift = 14, .va_bits = 48, .fmt = PTW_PTE_ARM64_VMSA,
		.upper = true, .root = 0x40050000, .levels = 4, .top_level = 0,
		.plants = {
			{ 0x40050008, 0x40054003 },	/* L0[1] */
			{ 0x40054000, 0x40058003 },	/* L1[0] */
			{ 0x40058048, 0x4005c003 },	/* L2[9] */
			{ 0x4005c688, 0x40104703 },	/* L3[209] page 0x40104000 */
			END_PLANTS,
		},
		.queries = {
			{ 0xffff800012345678, S_OK, 0x40105678, 3, 209, 0x4000, 0 },
			/* L0[0] empty: VA 0xffff000000000000 */
			{ 0xffff000000000000, S_NM, 0, 0, 0, 0x800000000000, 0 },
		},
	},
	{
		/* 16K/52 LPA2: levels 0..3, shifts 47/36/25/14; level 0 has 5 bits.
		 * VA 0xfff8800012345678: bits[51:0] 0x8800012345678 -> L0 0x11 (17),
		 * L1 (0x8800)&0x7ff = 0, L2 9, L3 209. */
		.name = "16k52-lpa2", .page_shift = 14, .va_bits = 52, .fmt = PTW_PTE_ARM64_LPA2,
		.upper = true, .root = 0x40060000, .levels = 4, .top_level = 0,
		.plants = {
			{ 0x40060088, 0x40064003 },	/* L0[17]@+0x88 */
			{ 0x40064000, 0x40068003 },	/* L1[0] */
			{ 0x40068048, 0x4006c003 },	/* L2[9] */
			/* L3[209]: OA 0x0008000040104000: PA[51:50] = 10 -> bits[9:8] = 0x200 */
			{ 0x4006c688, 0x40104603 },
			/* L1[1]@+0x8: 64G block (legal with LPA2) at 0x1000000000 */
			{ 0x40064008, 0x1000000401 },
			END_PLANTS,
		},
		.queries = {
			{ 0xfff8800012345678, S_NID, 0x0008000040105678, 3, 209, 0x4000, 0 },
			/* L1 index (0x8801000000000>>36)&0x7ff = 1; PA 0x1000000000 + 0x12345 */
			{ 0xfff8801000012345, S_NID, 0x1000012345, 1, 1, 0x1000000000, 0 },
		},
	},
	{
		/* 64K/42: levels 2..3, shifts 29/16, 13 bits. VA 0xfffffe0012345678:
		 * bits[41:0] 0x20012345678 -> L2 0x1000 (4096), L3 0x1234 (4660),
		 * offset 0x5678. */
		.name = "64k42", .page_shift = 16, .va_bits = 42, .fmt = PTW_PTE_ARM64_VMSA,
		.upper = true, .root = 0x40070000, .levels = 2, .top_level = 2,
		.plants = {
			{ 0x40078000, 0x40080003 },	/* L2[4096]@+0x8000 */
			{ 0x400891a0, 0x40110703 },	/* L3[4660]@+0x91a0 page 0x40110000 */
			/* L2[4097]@+0x8008: 512M block 0x60000000; VA 0xfffffe0020123456 */
			{ 0x40078008, 0x60000701 },
			/* L3[4661]@+0x91a8: bits[15:12] set without LPA: RES0 */
			{ 0x400891a8, 0x4011f703 },
			END_PLANTS,
		},
		.queries = {
			{ 0xfffffe0012345678, S_OK, 0x40115678, 3, 4660, 0x10000, 0 },
			{ 0xfffffe0020123456, S_OK, 0x60123456, 2, 4097, 0x20000000, 0 },
			{ 0xfffffe0012350000, S_BAD, 0, 3, 4661, 0, 0 },
		},
	},
	{
		/* 64K/48 VMSA: levels 1..3, shifts 42/29/16; level 1 has 6 bits.
		 * VA 0xffff800012345678 -> L1 0x20 (32), L2 0, L3 4660. */
		.name = "64k48", .page_shift = 16, .va_bits = 48, .fmt = PTW_PTE_ARM64_VMSA,
		.upper = true, .root = 0x40090000, .levels = 3, .top_level = 1,
		.plants = {
			{ 0x40090100, 0x400a0003 },	/* L1[32]@+0x100 */
			{ 0x400a0000, 0x400b0003 },	/* L2[0] */
			{ 0x400b91a0, 0x40110703 },	/* L3[4660] */
			/* L1[33]@+0x108: 4T block, illegal without FEAT_LPA */
			{ 0x40090108, 0x401 },
			END_PLANTS,
		},
		.queries = {
			{ 0xffff800012345678, S_OK, 0x40115678, 3, 4660, 0x10000, 0 },
			/* L1 index 0x840000000000>>42 = 0x21 = 33 */
			{ 0xffff840000000000, S_BAD, 0, 1, 33, 0, 0 },
		},
	},
	{
		/* 64K/52 LPA: levels 1..3; level 1 has 10 bits. VA
		 * 0xfff8800012345678: bits[51:42] = 0x8800012345678>>42 = 0x220 (544),
		 * L2 0, L3 4660. */
		.name = "64k52-lpa", .page_shift = 16, .va_bits = 52, .fmt = PTW_PTE_ARM64_LPA,
		.upper = true, .root = 0x400c0000, .levels = 3, .top_level = 1,
		.plants = {
			{ 0x400c1100, 0x400d0003 },	/* L1[544]@+0x1100 */
			/* L2[0] -> table 0x00010000400e0000: PA[51:48] = 1 -> bits[15:12] = 0x1000 */
			{ 0x400d0000, 0x400e1003 },
			/* L3[4660] in the high table: OA 0x000f000040110000 -> bits[15:12] = 0xf000 */
			{ 0x00010000400e91a0, 0x4011f703 },
			/* L1[545]@+0x1108: 4T block (legal with LPA) at 2^48 -> bits[15:12] = 1 */
			{ 0x400c1108, 0x1401 },
			END_PLANTS,
		},
		.ram2_start = 0x0001000040000000, .ram2_end = 0x0001000041000000,
		.queries = {
			{ 0xfff8800012345678, S_NID, 0x000f000040115678, 3, 4660, 0x10000, 0 },
			/* L1 index 0x8840000000000>>42 = 0x221 = 545; PA 2^48 + 0x5678 */
			{ 0xfff8840000005678, S_NID, 0x0001000000005678, 1, 545, 0x40000000000, 0 },
		},
	},
	{
		/* A user tree (TTBR0), 4K/48: VA 0x0000ffff00001000 -> L0 511,
		 * L1 (0xffff00001000>>30)&511: 0xffff00000000>>30 = 2^18 - 4 = 0x3fffc,
		 * &0x1ff = 0x1fc (508); L2 (2^27 - 2^11)&511 = 0; L3 1. */
		.name = "4k48-user", .page_shift = 12, .va_bits = 48, .fmt = PTW_PTE_ARM64_VMSA,
		.upper = false, .root = 0x40004000, .levels = 4, .top_level = 0,
		.plants = {
			{ 0x40004ff8, 0x40005003 },	/* L0[511]@+0xff8 */
			{ 0x40005fe0, 0x40006003 },	/* L1[508]@+0xfe0 */
			{ 0x40006000, 0x40007003 },	/* L2[0] */
			{ 0x40007008, 0x40300743 },	/* L3[1] user page 0x40300000 */
			END_PLANTS,
		},
		.queries = {
			{ 0x0000ffff00001abc, S_OK, 0x40300abc, 3, 1, 0x1000, 0 },
			{ 0x0001000000000000, S_NC, 0, 0, 0, 0, 0 },
		},
	},
};

START_TEST(test_matrix)
{
	const struct wcase *c = &cases[_i];
	struct fixture *f = fixture_new();
	struct ptw_geom g;
	struct ptw_walker *w;
	struct ptw_error *err;

	fixture_add_ram(f, 0x40000000, 0x80000000);
	fixture_add_excluded(f, 0x7ff00000, 0x80000000);
	if (c->ram2_end)
		fixture_add_ram(f, c->ram2_start, c->ram2_end);
	for (unsigned i = 0; c->plants[i].pa; i++)
		fixture_set_u64(f, c->plants[i].pa, c->plants[i].value);
	err = ptw_arm64_geom(c->page_shift, c->va_bits, c->fmt, c->upper, c->root, &g);
	ck_assert_msg(!err, "%s: geom: %s", c->name, err ? err->message : "");
	ck_assert_uint_eq(g.levels, c->levels);
	ck_assert_int_eq(g.top_level, c->top_level);
	ck_assert_ptr_null(ptw_walker_create(fixture_source(f), ptw_arm64_decode, &w));
	for (unsigned i = 0; i < 12 && c->queries[i].va; i++) {
		const struct query *q = &c->queries[i];
		struct ptw_walk_result r;

		ck_assert_ptr_null(ptw_walk(w, &g, q->va, &r));
		ck_assert_msg(r.status == q->status, "%s va %#llx: status %s, want %s (reason %s)",
			      c->name, (unsigned long long)q->va, ptw_walk_status_name(r.status),
			      ptw_walk_status_name(q->status), r.reason ? r.reason : "-");
		if (q->status == S_NC)
			continue;
		if (q->pa || q->status == S_OK) {
			ck_assert_msg(r.have_pa && r.pa == q->pa, "%s va %#llx: pa %#llx, want %#llx", c->name,
				      (unsigned long long)q->va, (unsigned long long)r.pa,
				      (unsigned long long)q->pa);
		}
		ck_assert_msg(r.level == q->level, "%s va %#llx: level %d, want %d", c->name,
			      (unsigned long long)q->va, r.level, q->level);
		if (q->status != S_NID || q->pa || q->page_size) {
			ck_assert_msg(r.nsteps > 0 && r.step[r.nsteps - 1].index == q->index,
				      "%s va %#llx: index %u, want %u", c->name, (unsigned long long)q->va,
				      r.nsteps ? r.step[r.nsteps - 1].index : 0, q->index);
		}
		if (q->page_size)
			ck_assert_uint_eq(r.page_size, q->page_size);
		if (q->status == S_OK) {
			ck_assert_uint_eq(r.cont_size, q->cont_size);
			ck_assert(r.cont == (q->cont_size != 0));
		}
		if (q->status == S_BAD)
			ck_assert_ptr_nonnull(r.reason);
	}
	ptw_walker_destroy(w);
	fixture_free(f);
}
END_TEST

/* Iteration yields one range per call and advances past holes. */
/* A live source (/proc/kcore): a table frame dropped from the walker's
 * cache and read again is compared with what it held; the kernel changing
 * it in between is counted, once per changed read, and a dump never is. */
START_TEST(test_live_changed_frames)
{
	/* L3 frames in the cache set of frame 0x40003 (walk.c hashes a frame
	 * number to its set with Fibonacci hashing, 6 bits), one more than
	 * the set's 4 ways: walking them pushes 0x40003 out. */
	static const uint64_t same_set[] = { 0x50036, 0x50058, 0x5008f, 0x500e8 };
	const uint64_t va_a = UINT64_C(0xffff800012345678), va_b = UINT64_C(0xffff800012400000);

	for (int live = 0; live <= 1; live++) {
		struct fixture *f = fixture_new();
		struct ptw_geom g;
		struct ptw_walker *w;
		struct ptw_walk_result r;
		uint64_t first = 0;

		fixture_add_ram(f, 0x40000000, 0x60000000);
		fixture_source(f)->live = live;
		fixture_set_u64(f, 0x40000800, 0x40001003); /* L0[256] */
		fixture_set_u64(f, 0x40001000, 0x40002003); /* L1[0] */
		fixture_set_u64(f, 0x40002488, 0x40003003); /* L2[145] -> L3 frame 0x40003 */
		fixture_set_u64(f, 0x40003a28, UINT64_C(0x0060000040100703));
		/* L2[146..149] -> the L3 frames of same_set, for va_b and the
		 * next three 2 MiB */
		for (unsigned k = 0; k < 4; k++) {
			fixture_set_u64(f, 0x40002490 + 8 * k, (same_set[k] << 12) | 3);
			fixture_set_u64(f, same_set[k] << 12, UINT64_C(0x0060000040200703) + ((uint64_t)k << 21));
		}
		ck_assert_ptr_null(ptw_arm64_geom(12, 48, PTW_PTE_ARM64_VMSA, true, 0x40000000, &g));
		ck_assert_ptr_null(ptw_walker_create(fixture_source(f), ptw_arm64_decode, &w));
		ck_assert_ptr_null(ptw_walk(w, &g, va_a, &r));
		ck_assert(r.status == PTW_WALK_OK && r.pa == 0x40100678);
		for (unsigned k = 0; k < 4; k++) { /* the last drops frame 0x40003 */
			ck_assert_ptr_null(ptw_walk(w, &g, va_b + ((uint64_t)k << 21), &r));
			ck_assert(r.status == PTW_WALK_OK && r.pa == 0x40200000 + ((uint64_t)k << 21));
		}
		ck_assert_uint_eq(ptw_walker_changed_frames(w, &first), 0);
		/* the kernel remaps va_a while frame 0x40003 is out of the cache */
		fixture_set_u64(f, 0x40003a28, UINT64_C(0x0060000040101703));
		ck_assert_ptr_null(ptw_walk(w, &g, va_a, &r)); /* drops same_set[0], used least recently */
		ck_assert(r.status == PTW_WALK_OK && r.pa == 0x40101678);
		ck_assert_ptr_null(ptw_walk(w, &g, va_b, &r)); /* same_set[0] again, unchanged */
		ck_assert_uint_eq(ptw_walker_changed_frames(w, &first), (live ? 1 : 0));
		if (live)
			ck_assert_uint_eq(first, 0x40003000);
		/* a flush starts a new walk: nothing is compared across it */
		ptw_walker_flush(w);
		fixture_set_u64(f, 0x40003a28, UINT64_C(0x0060000040100703));
		ck_assert_ptr_null(ptw_walk(w, &g, va_a, &r));
		ck_assert_uint_eq(ptw_walker_changed_frames(w, NULL), (live ? 1 : 0));
		ptw_walker_destroy(w);
		fixture_free(f);
	}
}
END_TEST

START_TEST(test_iter)
{
	struct fixture *f = fixture_new();
	struct ptw_geom g;
	struct ptw_walker *w;
	struct ptw_walk_iter it;
	struct ptw_walk_result r;
	bool done;
	unsigned n = 0, ok = 0;

	fixture_add_ram(f, 0x40000000, 0x80000000);
	/* 4K/39 kernel tree: L1[256] -> L2 table, L2[0] 2M block 0x40000000,
	 * L2[1] -> L3 table with L3[0] page 0x40300000. Range
	 * [0xffffffc000000000, 0xffffffc000400000): block, page, 511 holes. */
	fixture_set_u64(f, 0x40010800, 0x40011003);
	fixture_set_u64(f, 0x40011000, 0x40000701);
	fixture_set_u64(f, 0x40011008, 0x40012003);
	fixture_set_u64(f, 0x40012000, 0x40300703);
	ck_assert_ptr_null(ptw_arm64_geom(12, 39, PTW_PTE_ARM64_VMSA, true, 0x40010000, &g));
	ck_assert_ptr_null(ptw_walker_create(fixture_source(f), ptw_arm64_decode, &w));
	ptw_walk_iter_init(&it, w, &g, 0xffffffc000000000, 0xffffffc000400000);
	for (;;) {
		ck_assert_ptr_null(ptw_walk_next(&it, &r, &done));
		if (done)
			break;
		if (n == 0) {
			ck_assert_int_eq(r.status, PTW_WALK_OK);
			ck_assert_uint_eq(r.range_start, 0xffffffc000000000);
			ck_assert_uint_eq(r.range_end, 0xffffffc000200000);
		}
		if (n == 1) {
			ck_assert_int_eq(r.status, PTW_WALK_OK);
			ck_assert_uint_eq(r.pa, 0x40300000);
		}
		ok += r.status == PTW_WALK_OK;
		n++;
		ck_assert_uint_lt(n, 1000);
	}
	ck_assert_uint_eq(n, 513);
	ck_assert_uint_eq(ok, 2);
	ptw_walker_destroy(w);
	fixture_free(f);
}
END_TEST

/* The first field in which two results differ, or NULL if they say the
 * same thing (steps past nsteps are not part of a result). Plain tests,
 * not one ck_assert per field: libcheck records every assertion, and the
 * iterations below compare tens of thousands of results. */
static const char *result_difference(const struct ptw_walk_result *a, const struct ptw_walk_result *b)
{
	if (a->status != b->status)
		return "status";
	if (a->va != b->va)
		return "va";
	if (a->table_base != b->table_base)
		return "table_base";
	if (a->nsteps != b->nsteps)
		return "nsteps";
	for (unsigned i = 0; i < b->nsteps; i++) {
		const struct ptw_walk_step *x = &a->step[i], *y = &b->step[i];

		if (x->level != y->level || x->idx != y->idx || x->index != y->index ||
		    x->entry_pa != y->entry_pa || x->raw != y->raw)
			return "step";
	}
	if (a->have_pa != b->have_pa)
		return "have_pa";
	if (a->pa != b->pa)
		return "pa";
	if (a->page_size != b->page_size)
		return "page_size";
	if (a->level != b->level)
		return "level";
	if (a->idx != b->idx)
		return "idx";
	if (a->raw != b->raw)
		return "raw";
	if (a->leaf_is_block != b->leaf_is_block)
		return "leaf_is_block";
	if (a->cont != b->cont)
		return "cont";
	if (a->cont_size != b->cont_size)
		return "cont_size";
	if (a->missing_pa != b->missing_pa)
		return "missing_pa";
	if ((a->reason == NULL) != (b->reason == NULL) || (a->reason && strcmp(a->reason, b->reason) != 0))
		return "reason";
	if (a->range_start != b->range_start)
		return "range_start";
	if (a->range_end != b->range_end)
		return "range_end";
	return NULL;
}

/* Iterate [start, end) of g and compare every range with a walk from the
 * root at the VA the iterator walked; returns the number of ranges. */
static unsigned compare_iter_with_walk(const char *name, struct ptw_walker *w,
				       const struct ptw_geom *g, uint64_t start, uint64_t end)
{
	struct ptw_walk_iter it;
	struct ptw_walk_result r, walk;
	uint64_t expect_va = start;
	unsigned n = 0;
	bool done;

	ptw_walk_iter_init(&it, w, g, start, end);
	for (;;) {
		unsigned long long budget = it.budget;
		struct ptw_error *err = ptw_walk_next(&it, &r, &done);
		const char *differs;

		if (err)
			ck_abort_msg("%s: iterator error: %s", name, err->message);
		if (done)
			break;
		/* one unit of budget per range, as before */
		if (it.budget != budget - 1)
			ck_abort_msg("%s va %#llx: budget %llu after %llu", name, (unsigned long long)r.va,
				     it.budget, budget);
		if (r.va != expect_va)
			ck_abort_msg("%s: walked %#llx, want %#llx", name, (unsigned long long)r.va,
				     (unsigned long long)expect_va);
		err = ptw_walk(w, g, r.va, &walk);
		if (err)
			ck_abort_msg("%s va %#llx: walk error: %s", name, (unsigned long long)r.va, err->message);
		differs = result_difference(&r, &walk);
		if (differs)
			ck_abort_msg("%s va %#llx: %s differs (status %s, walk %s; raw %#llx, walk %#llx)", name,
				     (unsigned long long)r.va, differs, ptw_walk_status_name(r.status),
				     ptw_walk_status_name(walk.status), (unsigned long long)r.raw,
				     (unsigned long long)walk.raw);
		expect_va = r.range_end;
		n++;
		if (n >= 100000)
			ck_abort_msg("%s: more than 100000 ranges", name);
	}
	return n;
}

/* The iterator keeps its place in the tables between ranges; every range
 * must still be what a walk from the root gives, in every case of the
 * matrix: from VA 0 to the end of the space (the whole lower half or the
 * non-canonical gap, then the whole upper half), and within the top-level
 * entry of the first query, from a VA inside a range and with the final
 * page's presence not checked. */
START_TEST(test_iter_matches_walk)
{
	const struct wcase *c = &cases[_i];
	struct fixture *f = fixture_new();
	struct ptw_geom g;
	struct ptw_walker *w;
	uint64_t top_entry_size, top_start, top_end;

	fixture_add_ram(f, 0x40000000, 0x80000000);
	fixture_add_excluded(f, 0x7ff00000, 0x80000000);
	if (c->ram2_end)
		fixture_add_ram(f, c->ram2_start, c->ram2_end);
	for (unsigned i = 0; c->plants[i].pa; i++)
		fixture_set_u64(f, c->plants[i].pa, c->plants[i].value);
	ck_assert_ptr_null(ptw_arm64_geom(c->page_shift, c->va_bits, c->fmt, c->upper, c->root, &g));
	ck_assert_ptr_null(ptw_walker_create(fixture_source(f), ptw_arm64_decode, &w));
	top_entry_size = UINT64_C(1) << g.shift[g.levels - 1];
	top_start = c->queries[0].va & ~(top_entry_size - 1);
	top_end = top_start + top_entry_size;
	ck_assert_uint_gt(compare_iter_with_walk(c->name, w, &g, 0, 0), 2);
	ck_assert_uint_gt(compare_iter_with_walk(c->name, w, &g, c->queries[0].va, top_end), 1);
	ptw_walker_flush(w);
	ptw_walker_check_leaf(w, false);
	ck_assert_uint_gt(compare_iter_with_walk(c->name, w, &g, top_start, top_end), 1);
	ptw_walker_destroy(w);
	fixture_free(f);
}
END_TEST

/* 64K pages: a table is sixteen 4 KiB frames, and the dump may hold some of
 * them only. 64K/48: L1 shift 42 (6 bits), L2 shift 29, L3 shift 16 (13
 * bits each). Root 0x40020000: L1[0] -> L2 0x40040000, L2[0] -> L3
 * 0x40060000, whose second frame [0x40061000, 0x40062000) is excluded.
 * L3[0] page 0x40300000; L3[512]@0x40061000 cannot be read, so the walk of
 * its VA reports the L2[0] entry's whole 512 MiB, from before where the
 * iterator stands: the iterator must give the same and move past it. */
START_TEST(test_iter_matches_walk_partial_table)
{
	struct fixture *f = fixture_new();
	struct ptw_geom g;
	struct ptw_walker *w;
	struct ptw_walk_result r;

	fixture_add_ram(f, 0x40000000, 0x80000000);
	fixture_add_excluded(f, 0x40061000, 0x40062000);
	fixture_set_u64(f, 0x40020000, 0x40040003);
	fixture_set_u64(f, 0x40040000, 0x40060003);
	fixture_set_u64(f, 0x40060000, 0x40300703);
	ck_assert_ptr_null(ptw_arm64_geom(16, 48, PTW_PTE_ARM64_VMSA, true, 0x40020000, &g));
	ck_assert_ptr_null(ptw_walker_create(fixture_source(f), ptw_arm64_decode, &w));
	ck_assert_ptr_null(ptw_walk(w, &g, 0xffff000000000000 + 512 * 0x10000, &r));
	ck_assert_int_eq(r.status, PTW_WALK_NOT_IN_DUMP);
	ck_assert_uint_eq(r.range_start, 0xffff000000000000);
	ck_assert_uint_eq(r.range_end, 0xffff000020000000);
	ck_assert_uint_eq(compare_iter_with_walk("64k48-partial", w, &g, 0xffff000000000000, 0),
			  1 + 511 + 1 + 8191 + 63);
	ptw_walker_destroy(w);
	fixture_free(f);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("walk");
	TCase *tc = tcase_create("arm64");
	SRunner *sr;
	int failed;

	tcase_add_loop_test(tc, test_matrix, 0, sizeof(cases) / sizeof(cases[0]));
	tcase_add_test(tc, test_iter);
	tcase_add_test(tc, test_live_changed_frames);
	tcase_add_loop_test(tc, test_iter_matches_walk, 0, sizeof(cases) / sizeof(cases[0]));
	tcase_add_test(tc, test_iter_matches_walk_partial_table);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
