/* The kdump-compressed and flattened readers, on dumps tests/mkdump writes
 * at test time from the specs below. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <check.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "source.h"
#include "source_kdump_view.h"

#define MB (UINT64_C(1) << 20)

/* The scratch directory of the running test (each test runs in its own process). */
static char tmpdir[4096];

static void setup(void)
{
	const char *base = getenv("TMPDIR");
	snprintf(tmpdir, sizeof(tmpdir), "%s/ptw-kdump-XXXXXX", base ? base : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void teardown(void)
{
	char cmd[4200];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
}

static const char *mkdump_path(void)
{
	static char path[4096];
	const char *env = getenv("MKDUMP");
	if (env)
		return env;
	const char *top = getenv("top_builddir");
	snprintf(path, sizeof(path), "%s/tests/mkdump", top ? top : ".");
	return path;
}

/* Base memory for most tests: 4 MiB of addr fill (u64 at pa holds pa),
 * a hole, 1 MiB more, an excluded block, a hand-set value, notes. */
static const char base_spec[] =
	"arch arm64\n"
	"memory 0x40000000 +4M addr\n"
	"memory 0x40800000 +1M random=5\n"
	"exclude 0x40100000 +4K\n"
	"u64 0x40001ff8 = 0x40002003\n"
	"string 0x40003000 = \"hello\"\n"
	"vmcoreinfo\n"
	"OSRELEASE=6.1.0-test\n"
	"PAGESIZE=4096\n"
	"end\n"
	"prstatus 42 1 2 3 31=0xffff800008003f00 32=0xffff800008010000\n"
	"prstatus 43\n"
	"format kdump\n";

/* Write NAME from spec plus directives (NULL-terminated); NULL if mkdump
 * says a codec is not built in (the caller skips). */
static char *make(const char *name, const char *spec, const char *const *directives)
{
	char spec_path[4200], *out, *map;
	snprintf(spec_path, sizeof(spec_path), "%s/%s.spec", tmpdir, name);
	ck_assert_int_ge(asprintf(&out, "%s/%s", tmpdir, name), 0);
	ck_assert_int_ge(asprintf(&map, "%s/%s.map", tmpdir, name), 0);
	FILE *f = fopen(spec_path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(spec, f);
	fclose(f);
	const char *argv[64];
	size_t n = 0;
	argv[n++] = mkdump_path();
	argv[n++] = "-m";
	argv[n++] = map;
	for (size_t i = 0; directives && directives[i]; i++) {
		argv[n++] = "-D";
		argv[n++] = directives[i];
	}
	argv[n++] = spec_path;
	argv[n++] = out;
	argv[n] = NULL;
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	free(map);
	ck_assert(WIFEXITED(status));
	if (WEXITSTATUS(status) == 77) {
		free(out);
		return NULL;
	}
	ck_assert_msg(WEXITSTATUS(status) == 0, "mkdump %s failed", name);
	return out;
}

/* A value from mkdump's map of NAME. */
static uint64_t map_value(const char *name, const char *key)
{
	char path[4200], line[256];
	snprintf(path, sizeof(path), "%s/%s.map", tmpdir, name);
	FILE *f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	size_t klen = strlen(key);
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, klen) && line[klen] == '=') {
			fclose(f);
			return strtoull(line + klen + 1, NULL, 0);
		}
	}
	fclose(f);
	ck_abort_msg("no %s in the map of %s", key, name);
	return 0;
}

static struct ptw_source *open_ok(const char *path)
{
	struct ptw_source *src;
	struct ptw_error *err = ptw_source_open(path, &src);
	ck_assert_msg(!err, "open %s: %s", path, err ? err->message : "");
	return src;
}

static uint64_t read_u64(struct ptw_source *src, uint64_t pa)
{
	uint64_t v;
	struct ptw_error *err = ptw_source_read_u64(src, pa, &v);
	ck_assert_msg(!err, "read 0x%" PRIx64 ": %s", pa, err ? err->message : "");
	return v;
}

static void expect_not_present(struct ptw_source *src, uint64_t pa)
{
	unsigned char b[8];
	struct ptw_error *err = ptw_source_read_phys(src, pa, b, sizeof(b));
	ck_assert_msg(err, "0x%" PRIx64 " read as present", pa);
	ck_assert_int_eq(err->code, PTW_E_NOT_PRESENT);
	ck_assert(err->has_address);
	ck_assert_uint_eq(err->address, pa);
	ptw_error_destroy(err);
	ck_assert(!ptw_source_is_present(src, pa));
}

/* Open must fail with BAD_DATA at offset (any offset if offset is UINT64_MAX). */
static void expect_open_bad(const char *path, uint64_t offset, const char *needle)
{
	struct ptw_source *src = NULL;
	struct ptw_error *err = ptw_source_open(path, &src);
	ck_assert_msg(err, "%s opened", path);
	ck_assert_msg(err->code == PTW_E_BAD_DATA, "code %d: %s", err->code, err->message);
	ck_assert(err->has_offset);
	if (offset != UINT64_MAX)
		ck_assert_msg(err->offset == offset, "offset 0x%" PRIx64 ", expected 0x%" PRIx64 ": %s",
			      err->offset, offset, err->message);
	if (needle)
		ck_assert_msg(strstr(err->message, needle), "'%s' lacks '%s'", err->message, needle);
	ptw_error_destroy(err);
}

static void expect_read_bad(struct ptw_source *src, uint64_t pa, uint64_t offset, const char *needle)
{
	unsigned char b[8];
	struct ptw_error *err = ptw_source_read_phys(src, pa, b, sizeof(b));
	ck_assert_msg(err, "0x%" PRIx64 " read fine", pa);
	ck_assert_msg(err->code == PTW_E_BAD_DATA, "code %d: %s", err->code, err->message);
	ck_assert(err->has_offset);
	ck_assert_msg(err->offset == offset, "offset 0x%" PRIx64 ", expected 0x%" PRIx64 ": %s", err->offset,
		      offset, err->message);
	if (needle)
		ck_assert_msg(strstr(err->message, needle), "'%s' lacks '%s'", err->message, needle);
	ptw_error_destroy(err);
}

struct ranges {
	struct ptw_phys_range r[16];
	size_t n;
};

static bool collect_range(const struct ptw_phys_range *range, void *arg)
{
	struct ranges *rs = arg;
	if (rs->n < 16)
		rs->r[rs->n] = *range;
	rs->n++;
	return true;
}

/* Everything base_spec promises, whatever the container and codec. */
static void check_base_contents(struct ptw_source *src, uint64_t block_size)
{
	ck_assert_uint_eq(src->block_size, block_size);
	ck_assert_ptr_nonnull(src->vmcoreinfo);
	ck_assert_str_eq(src->vmcoreinfo, "OSRELEASE=6.1.0-test\nPAGESIZE=4096\n");
	ck_assert_uint_eq(src->ncpus, 2);
	ck_assert_int_eq(src->cpus[0].pid, 42);
	ck_assert_uint_eq(src->cpus[0].nregs, 34);
	ck_assert_uint_eq(src->cpus[0].regs[2], 3);
	ck_assert_uint_eq(src->cpus[0].regs[31], UINT64_C(0xffff800008003f00));
	ck_assert_uint_eq(src->cpus[0].regs[32], UINT64_C(0xffff800008010000));
	ck_assert_int_eq(src->cpus[1].pid, 43);
	ck_assert_str_eq(src->utsname_machine, "aarch64");
	ck_assert_int_eq(src->dump_level, 1);

	ck_assert_uint_eq(read_u64(src, 0x40000000), 0x40000000);
	ck_assert_uint_eq(read_u64(src, 0x40001ff8), 0x40002003);
	ck_assert_uint_eq(read_u64(src, 0x403ffff8), 0x403ffff8);
	ck_assert_uint_eq(read_u64(src, 0x40110008), 0x40110008);
	char text[6] = {0};
	ck_assert_ptr_null(ptw_source_read_phys(src, 0x40003000, text, 5));
	ck_assert_str_eq(text, "hello");
	/* Across a 4 KiB boundary (and a block boundary for 4 KiB blocks). */
	unsigned char b[16];
	ck_assert_ptr_null(ptw_source_read_phys(src, 0x40004ffc, b, sizeof(b)));
	ck_assert_uint_eq(b[4], 0x00);
	ck_assert_uint_eq(b[5], 0x50);
	ck_assert(ptw_source_is_present(src, 0x40000000));

	/* The excluded block, the hole, and past the end: not present, never zeroes. */
	uint64_t excluded_start = 0x40100000 / block_size * block_size;
	expect_not_present(src, excluded_start);
	expect_not_present(src, 0x40100ff8);
	expect_not_present(src, 0x40400000);
	expect_not_present(src, 0x40900000);
	expect_not_present(src, UINT64_C(0x7ffffffff000));
	expect_not_present(src, 0);

	struct ranges rs = {0};
	ck_assert_ptr_null(ptw_source_for_each_range(src, collect_range, &rs));
	ck_assert_uint_eq(rs.n, 2);
	ck_assert_uint_eq(rs.r[0].start, 0x40000000);
	ck_assert_uint_eq(rs.r[0].end, 0x40400000);
	ck_assert_uint_eq(rs.r[1].start, 0x40800000);
	ck_assert_uint_eq(rs.r[1].end, 0x40900000);

	uint64_t present, excluded;
	ck_assert_ptr_null(src->ops->count_pages(src, 4096, &present, &excluded));
	ck_assert_uint_eq(excluded, block_size / 4096);
	ck_assert_uint_eq(present, (5 * MB) / 4096 - excluded);
}

static const char *const codec_names[] = {"none", "zlib", "lzo", "snappy", "zstd"};
static const unsigned codec_bits[] = {PTW_COMP_NONE, PTW_COMP_ZLIB, PTW_COMP_LZO, PTW_COMP_SNAPPY,
				      PTW_COMP_ZSTD};

/* Each codec, with 4 KiB and 64 KiB blocks (QEMU's on arm64, whatever the page size). */
START_TEST(test_codecs)
{
	size_t codec = (size_t)_i % 5;
	uint64_t block_size = _i < 5 ? 4096 : 65536;
	char compress[64], bs[64];
	snprintf(compress, sizeof(compress), "compress %s", codec_names[codec]);
	snprintf(bs, sizeof(bs), "block-size %" PRIu64, block_size);
	const char *d[] = {compress, bs, NULL};
	char *path = make("dump", base_spec, d);
	if (!path)
		return;
	struct ptw_source *src = open_ok(path);
	ck_assert_str_eq(src->ops->name, "kdump");
	ck_assert(!src->incomplete);
	ck_assert_msg(src->compression & codec_bits[codec], "compression 0x%x", src->compression);
	/* random=5 memory does not compress: stored raw. */
	ck_assert(src->compression & PTW_COMP_NONE);
	check_base_contents(src, block_size);
	ptw_source_close(src);
	free(path);
}
END_TEST

/* Codecs mixed page by page, and pages that share one zero copy. */
START_TEST(test_mixed_codecs_and_zero_pages)
{
	const char *d[] = {"compress zlib,lzo,none", "share-zero-pages", "memory 0x40400000 +64K zero",
			   NULL};
	char *path = make("dump", base_spec, d);
	struct ptw_source *src = open_ok(path);
	ck_assert_uint_eq(src->compression & (PTW_COMP_ZLIB | PTW_COMP_LZO | PTW_COMP_NONE),
			  PTW_COMP_ZLIB | PTW_COMP_LZO | PTW_COMP_NONE);
	for (uint64_t pa = 0x40400000; pa < 0x40410000; pa += 4096)
		ck_assert_uint_eq(read_u64(src, pa + 8), 0);
	ck_assert_uint_eq(read_u64(src, 0x40200008), 0x40200008);
	ptw_source_close(src);
	free(path);
}
END_TEST

/* Header versions 0..6: what each carries. */
START_TEST(test_header_versions)
{
	int version = _i;
	char v[64];
	snprintf(v, sizeof(v), "header-version %d", version);
	const char *d[] = {v, "compress zlib", NULL};
	char *path = make("dump", base_spec, d);
	struct ptw_source *src = open_ok(path);
	ck_assert_int_eq(src->dump_level, version >= 1 ? 1 : -1);
	if (version >= 3)
		ck_assert_str_eq(src->vmcoreinfo, "OSRELEASE=6.1.0-test\nPAGESIZE=4096\n");
	else
		ck_assert_ptr_null(src->vmcoreinfo);
	ck_assert_uint_eq(src->ncpus, version >= 4 ? 2 : 0);
	ck_assert_uint_eq(read_u64(src, 0x40001ff8), 0x40002003);
	expect_not_present(src, 0x40100000);
	ptw_source_close(src);
	free(path);
}
END_TEST

/* A max_mapnr past 32 bits: only the v6 sub-header holds it whole. The
 * 512 MiB bitmaps (file holes) also widen the rank index's chunks. */
START_TEST(test_max_mapnr_64)
{
	const char *d[] = {"memory 0x100000000000 +64K", "exclude 0x100000004000 +4K", NULL};
	char *path = make("dump", base_spec, d);
	struct ptw_source *src = open_ok(path);
	ck_assert_uint_eq(read_u64(src, 0x100000000008), 0x100000000008);
	ck_assert_uint_eq(read_u64(src, 0x40000008), 0x40000008);
	ck_assert_uint_eq(read_u64(src, 0x10000000f008), 0x10000000f008);
	expect_not_present(src, 0x100000004000);
	ck_assert_uint_eq(read_u64(src, 0x100000005000), 0x100000005000);
	uint64_t present, excluded;
	ck_assert_ptr_null(src->ops->count_pages(src, 4096, &present, &excluded));
	ck_assert_uint_eq(present, 1280 - 1 + 16 - 1);
	ptw_source_close(src);
	free(path);
}
END_TEST

/* One part of a split dump: its descriptors count from its first PFN. */
START_TEST(test_split)
{
	const char *d[] = {"compress zlib", "split 0x40200 0x40810", NULL};
	char *path = make("dump", base_spec, d);
	struct ptw_source *src = open_ok(path);
	expect_not_present(src, 0x40000000);
	expect_not_present(src, 0x401ff000);
	ck_assert_uint_eq(read_u64(src, 0x40200008), 0x40200008);
	ck_assert_uint_eq(read_u64(src, 0x403ffff8), 0x403ffff8);
	ck_assert(ptw_source_is_present(src, 0x40800000));
	expect_not_present(src, 0x40810000);
	ptw_source_close(src);
	free(path);
}
END_TEST

/* The 32-bit header layout (i386 makedumpfile, QEMU for 32-bit guests). */
START_TEST(test_header_abi32)
{
	const char *d[] = {"header-abi 32", "arch i386", "compress lzo", NULL};
	char *path = make("dump", base_spec, d);
	struct ptw_source *src = open_ok(path);
	ck_assert_str_eq(src->vmcoreinfo, "OSRELEASE=6.1.0-test\nPAGESIZE=4096\n");
	ck_assert_str_eq(src->utsname_machine, "i686");
	ck_assert_uint_eq(src->ncpus, 2);
	ck_assert_int_eq(src->cpus[0].pid, 42);
	ck_assert_uint_eq(src->cpus[0].nregs, 17);
	ck_assert_uint_eq(src->cpus[0].regs[1], 2);
	ck_assert_uint_eq(read_u64(src, 0x40001ff8), 0x40002003);
	expect_not_present(src, 0x40100000);
	ptw_source_close(src);
	free(path);
}
END_TEST

START_TEST(test_big_endian)
{
	const char *d[] = {"endian big", "compress zlib", NULL};
	char *path = make("dump", base_spec, d);
	struct ptw_source *src = open_ok(path);
	ck_assert_str_eq(src->vmcoreinfo, "OSRELEASE=6.1.0-test\nPAGESIZE=4096\n");
	ck_assert_int_eq(src->cpus[0].pid, 42);
	ck_assert_uint_eq(src->cpus[0].regs[31], UINT64_C(0xffff800008003f00));
	/* Memory itself is little-endian in this spec: values are bytes. */
	ck_assert_uint_eq(read_u64(src, 0x40001ff8), 0x40002003);
	ptw_source_close(src);
	free(path);
}
END_TEST

/* The rank index counts 4096-bit chunks of the 2nd bitmap: exclusions on
 * both sides of chunk boundaries must not shift any descriptor. */
START_TEST(test_rank_chunk_boundaries)
{
	const char spec[] =
		"memory 0 +80M addr\n"
		"exclude 0x0 +4K\n"
		"exclude 0xfff000 +4K\n"    /* block 4095: last of chunk 0 */
		"exclude 0x1000000 +4K\n"   /* block 4096: first of chunk 1 */
		"exclude 0x1fff000 +8K\n"   /* blocks 8191, 8192 */
		"exclude 0x3000000 +16M\n"  /* chunks 3..6 whole */
		"format kdump\n"
		"compress lzo\n";
	char *path = make("dump", spec, NULL);
	struct ptw_source *src = open_ok(path);
	uint64_t checked = 0;
	for (uint64_t pa = 0; pa < 80 * MB; pa += 4096) {
		bool excluded = pa == 0 || pa == 0xfff000 || pa == 0x1000000 || pa == 0x1fff000 ||
				pa == 0x2000000 || (pa >= 0x3000000 && pa < 0x4000000);
		if (excluded) {
			expect_not_present(src, pa + 16);
		} else {
			ck_assert_uint_eq(read_u64(src, pa + 16), pa + 16);
			checked++;
		}
	}
	ck_assert_uint_eq(checked, 80 * 256 - 5 - 4096);
	uint64_t present, excluded;
	ck_assert_ptr_null(src->ops->count_pages(src, 4096, &present, &excluded));
	ck_assert_uint_eq(present, checked);
	ck_assert_uint_eq(excluded, 5 + 4096);
	/* In units of a larger page. */
	ck_assert_ptr_null(src->ops->count_pages(src, 65536, &present, &excluded));
	ck_assert_uint_eq(excluded, (5 + 4096) / 16);
	ptw_source_close(src);
	free(path);
}
END_TEST

/* block_size larger than the kernel page: 4 KiB reads inside 64 KiB blocks,
 * repeated so that the decoded-block cache serves them. */
START_TEST(test_big_blocks_cached_reads)
{
	const char *d[] = {"block-size 65536", "compress zstd", NULL};
	char *path = make("dump", base_spec, d);
	if (!path)
		return;
	struct ptw_source *src = open_ok(path);
	for (int round = 0; round < 3; round++)
		for (uint64_t pa = 0x40000000; pa < 0x40400000; pa += 0x1008) {
			uint64_t at = pa & ~UINT64_C(7);
			if (at >> 16 == 0x4010) /* the excluded 64 KiB block */
				expect_not_present(src, at);
			else
				ck_assert_uint_eq(read_u64(src, at), at);
		}
	ptw_source_close(src);
	free(path);
}
END_TEST

START_TEST(test_incomplete_flag)
{
	const char *d[] = {"incomplete", "compress zlib", NULL};
	char *path = make("dump", base_spec, d);
	struct ptw_source *src = open_ok(path);
	ck_assert(src->incomplete);
	ck_assert_uint_eq(read_u64(src, 0x40001ff8), 0x40002003);
	ptw_source_close(src);
	free(path);
}
END_TEST

/* A file cut short in the page data: opens, what is there reads, the rest is
 * not present. */
START_TEST(test_truncated_data)
{
	const char *d[] = {"compress none", "truncate -1M", NULL};
	char *path = make("dump", base_spec, d);
	struct ptw_source *src = open_ok(path);
	ck_assert(src->incomplete);
	ck_assert_uint_eq(read_u64(src, 0x40000000), 0x40000000);
	expect_not_present(src, 0x408ff000);
	ck_assert(!ptw_source_is_present(src, 0x408ff000));
	ck_assert(ptw_source_is_present(src, 0x40000000));
	ptw_source_close(src);
	free(path);
}
END_TEST

/* Cut inside the descriptors, and inside the bitmaps. */
START_TEST(test_truncated_descs_and_bitmaps)
{
	char *path = make("dump", base_spec, NULL);
	uint64_t descs = map_value("dump", "descs"), bitmap2 = map_value("dump", "bitmap2");
	free(path);
	char cut[64];
	snprintf(cut, sizeof(cut), "truncate %" PRIu64, descs + 24 * 10 + 5);
	const char *d1[] = {cut, NULL};
	path = make("descs", base_spec, d1);
	struct ptw_source *src = open_ok(path);
	ck_assert(src->incomplete);
	/* Descriptors 0..9 exist but their data does not. */
	expect_not_present(src, 0x40000000);
	expect_not_present(src, 0x40200000);
	ptw_source_close(src);
	free(path);

	snprintf(cut, sizeof(cut), "truncate %" PRIu64, bitmap2 + 3);
	const char *d2[] = {cut, NULL};
	path = make("bitmaps", base_spec, d2);
	src = open_ok(path);
	ck_assert(src->incomplete);
	expect_not_present(src, 0x40000000);
	uint64_t present, excluded;
	ck_assert_ptr_null(src->ops->count_pages(src, 4096, &present, &excluded));
	ck_assert_uint_eq(present, 0);
	ptw_source_close(src);
	free(path);
}
END_TEST

/* The same dump, flattened every way: same answers. */
START_TEST(test_flattened)
{
	static const char *const variants[][3] = {
		{"flatten", NULL},
		{"flatten record-size=4096", NULL},
		{"flatten record-size=1000 order=reverse", NULL},
		{"flatten record-size=777 order=shuffle=9", NULL},
		{"flatten record-size=4096 rewrite-header", NULL},
		{"flatten record-size=512 skip-zero order=shuffle=2", NULL},
		{"flatten record-size=4096", "flat-record 0x10 0", NULL},
	};
	const char *const *v = variants[_i];
	const char *d[8] = {"compress zlib,none", "block-size 16384"};
	size_t n = 2;
	for (size_t i = 0; v[i]; i++)
		d[n++] = v[i];
	d[n] = NULL;
	char *path = make("dump", base_spec, d);
	struct ptw_source *src = open_ok(path);
	ck_assert_str_eq(src->ops->name, "kdump-flattened");
	ck_assert(!src->incomplete);
	check_base_contents(src, 16384);
	ptw_source_close(src);
	free(path);
}
END_TEST

/* The view's index: equal-sized records in order fold into one extent;
 * out of order they stay apart; a later record overwrites an earlier one. */
START_TEST(test_flattened_extents)
{
	const char *d1[] = {"compress none", "flatten record-size=4096", NULL};
	char *path = make("seq", base_spec, d1);
	struct ptw_source *src = open_ok(path);
	struct kdump_view view;
	ck_assert_ptr_null(kdump_view_init_flattened(&view, src));
	ck_assert_uint_gt(view.nrecords, 100);
	ck_assert_uint_eq(view.nextents, 1);
	ck_assert(!view.truncated);
	/* Byte 5000 is in record 1: header (4096) + record 0 (16 + 4096) + 16 + 904. */
	ck_assert_uint_eq(kdump_view_file_offset(&view, 5000), 4096 + 16 + 4096 + 16 + 904);
	kdump_view_fini(&view);
	ptw_source_close(src);
	free(path);

	const char *d2[] = {"compress none", "flatten record-size=4096 order=reverse", NULL};
	path = make("rev", base_spec, d2);
	src = open_ok(path);
	ck_assert_ptr_null(kdump_view_init_flattened(&view, src));
	ck_assert_uint_eq(view.nextents, view.nrecords);
	kdump_view_fini(&view);
	ptw_source_close(src);
	free(path);

	/* A last record of 16 bytes of 0xee over the start of block 0x40000's data. */
	path = make("plain", base_spec, (const char *[]){"compress none", NULL});
	free(path);
	uint64_t data = map_value("plain", "data");
	char rec[64];
	snprintf(rec, sizeof(rec), "flat-record %" PRIu64 " 16 last", data);
	const char *d3[] = {"compress none", "flatten record-size=4096", rec, NULL};
	path = make("over", base_spec, d3);
	src = open_ok(path);
	ck_assert_uint_eq(read_u64(src, 0x40000000), UINT64_C(0xeeeeeeeeeeeeeeee));
	ck_assert_uint_eq(read_u64(src, 0x40000008), UINT64_C(0xeeeeeeeeeeeeeeee));
	ck_assert_uint_eq(read_u64(src, 0x40000010), 0x40000010);
	ck_assert_ptr_null(kdump_view_init_flattened(&view, src));
	ck_assert_uint_eq(view.nextents, 3);
	kdump_view_fini(&view);
	ptw_source_close(src);
	free(path);
}
END_TEST

/* A flattened stream without its end marker, cut inside a record. */
START_TEST(test_flattened_truncated)
{
	const char *d[] = {"compress none", "flatten record-size=4096 no-end", "truncate -3000", NULL};
	char *path = make("dump", base_spec, d);
	struct ptw_source *src = open_ok(path);
	ck_assert(src->incomplete);
	ck_assert_uint_eq(read_u64(src, 0x40000000), 0x40000000);
	expect_not_present(src, 0x408ff000);
	ptw_source_close(src);
	free(path);
}
END_TEST

/* ---- bad input: BAD_DATA naming the right offset, never a crash ---- */

START_TEST(test_bad_short_bitmaps)
{
	const char *d[] = {"max-mapnr 0x100000", "bitmap-blocks 2", NULL};
	char *path = make("dump", base_spec, d);
	/* disk_dump_header.bitmap_blocks of the LP64 layout. */
	expect_open_bad(path, 436, "fewer than max_mapnr");
	free(path);
}
END_TEST

/* Issue 10: a machine of 2^36 blocks with short bitmaps. */
START_TEST(test_bad_huge_max_mapnr)
{
	char *path = make("short", base_spec, (const char *[]){"max-mapnr 0x1000000000", "bitmap-blocks 4", NULL});
	expect_open_bad(path, 436, "fewer than max_mapnr");
	free(path);
	/* Bitmaps that claim to cover it but lie past the end of the file
	 * (bitmap_blocks poked to 2^23: two 16 GiB bitmaps): opens as
	 * incomplete, in bounded time and memory. */
	path = make("long", base_spec,
		    (const char *[]){"max-mapnr 0x1000000000", "bitmap-blocks 8", "poke 436 = 00008000", NULL});
	struct ptw_source *src = open_ok(path);
	ck_assert(src->incomplete);
	expect_not_present(src, 0x40000000);
	uint64_t present, excluded;
	ck_assert_ptr_null(src->ops->count_pages(src, 4096, &present, &excluded));
	struct ranges rs = {0};
	ck_assert_ptr_null(ptw_source_for_each_range(src, collect_range, &rs));
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	ck_assert_int_lt(ru.ru_maxrss, 64 * 1024);
	ptw_source_close(src);
	free(path);
}
END_TEST

START_TEST(test_bad_inflate_size)
{
	static const char *const codecs[] = {"compress zlib", "compress lzo", "compress snappy", "compress zstd"};
	for (int more = 0; more < 2; more++) {
		const char *d[] = {codecs[_i], more ? "inflate 0x40002000 100" : "inflate 0x40002000 -100", NULL};
		char *path = make("dump", base_spec, d);
		if (!path)
			return;
		struct ptw_source *src = open_ok(path);
		uint64_t desc = map_value("dump", "desc.0x40002");
		expect_read_bad(src, 0x40002000, desc, "block size");
		/* Its neighbours are fine. */
		ck_assert_uint_eq(read_u64(src, 0x40001ff8), 0x40002003);
		ck_assert_uint_eq(read_u64(src, 0x40003008), 0x40003008);
		ptw_source_close(src);
		free(path);
	}
}
END_TEST

/* The same, inside a flattened file: the offset is where the descriptor
 * sits in the file, not in the rearranged dump. */
START_TEST(test_bad_inflate_flattened)
{
	const char *d[] = {"compress zlib", "inflate 0x40002000 64", "flatten record-size=4000", NULL};
	char *path = make("dump", base_spec, d);
	struct ptw_source *src = open_ok(path);
	uint64_t desc = map_value("dump", "desc.0x40002");
	uint64_t real = 4096 + desc / 4000 * (4000 + 16) + 16 + desc % 4000;
	expect_read_bad(src, 0x40002000, real, "block size");
	ptw_source_close(src);
	free(path);
}
END_TEST

START_TEST(test_bad_descriptors)
{
	static const char *const cases[][2] = {
		{"desc 0x40002000 offset=0x7fff00000000", "past the end of the file"},
		{"desc 0x40002000 size=0", "size 0"},
		{"desc 0x40002000 size=9000", "stored bytes"},
		{"desc 0x40002000 size=4000", "trailing bytes"},
		{"desc 0x40002000 flags=3", "more than one codec"},
		{"desc 0x40002000 offset=0xffffffffffffff00", "past the end of the file"},
	};
	const char *d[] = {"compress zlib", cases[_i][0], NULL};
	char *path = make("dump", base_spec, d);
	struct ptw_source *src = open_ok(path);
	ck_assert(!src->incomplete);
	expect_read_bad(src, 0x40002000, map_value("dump", "desc.0x40002"), cases[_i][1]);
	ck_assert_uint_eq(read_u64(src, 0x40003008), 0x40003008);
	ptw_source_close(src);
	free(path);
}
END_TEST

/* Corrupt compressed bytes: BAD_DATA at the descriptor. */
START_TEST(test_bad_compressed_bytes)
{
	char *path = make("clean", base_spec, (const char *[]){"compress zlib", NULL});
	free(path);
	/* The first dumped block's data starts the data area. */
	uint64_t data = map_value("clean", "data");
	char poke[128];
	snprintf(poke, sizeof(poke), "poke %" PRIu64 " = ffffffffffffffff", data);
	path = make("dump", base_spec, (const char *[]){"compress zlib", poke, NULL});
	struct ptw_source *src = open_ok(path);
	expect_read_bad(src, 0x40000000, map_value("dump", "desc.0x40000"), "zlib");
	ptw_source_close(src);
	free(path);
}
END_TEST

START_TEST(test_bad_truncated_header)
{
	char *path = make("dump", base_spec, (const char *[]){"truncate 300", NULL});
	expect_open_bad(path, 300, "inside the kdump header");
	free(path);
	/* Header whole, sub-header missing. */
	path = make("sub", base_spec, (const char *[]){"truncate 4100", NULL});
	expect_open_bad(path, 4096, "sub-header");
	free(path);
	/* A flattened file cut inside its 4 KiB header. */
	path = make("flat", base_spec, (const char *[]){"flatten", "truncate 1000", NULL});
	expect_open_bad(path, 1000, NULL);
	free(path);
}
END_TEST

START_TEST(test_bad_header_fields)
{
	/* header_version absurd in both byte orders. */
	char *path = make("version", base_spec, (const char *[]){"poke 8 = 01020304", NULL});
	expect_open_bad(path, 8, "header_version");
	free(path);
	/* block_size 3. */
	path = make("bs", base_spec, (const char *[]){"poke 428 = 03000000", NULL});
	expect_open_bad(path, 428, "block_size");
	free(path);
	/* VMCOREINFO said to lie far outside the file: sub-header offset_vmcoreinfo. */
	path = make("vmci", base_spec, (const char *[]){"poke 4128 = 00000000ffff0000", NULL});
	expect_open_bad(path, 4096 + 32, "VMCOREINFO");
	free(path);
	/* Notes too. */
	/* size_note of 4 GiB: the sub-header's offset_note field is blamed. */
	path = make("notes", base_spec, (const char *[]){"poke 4152 = 0000000001000000", NULL});
	expect_open_bad(path, 4096 + 48, "notes");
	free(path);
}
END_TEST

START_TEST(test_bad_flat_records)
{
	static const struct {
		const char *record;
		const char *needle;
	} cases[] = {
		{"flat-record 0 -5", "negative size"},
		{"flat-record -7 16", "negative offset"},
		{"flat-record 0 0x7000000000000000", "impossibly large"},
		{"flat-record 0x7ffffffffffffff0 0x100", "impossibly large"},
	};
	const char *d[] = {"flatten", cases[_i].record, NULL};
	char *path = make("dump", base_spec, d);
	expect_open_bad(path, 4096, cases[_i].needle);
	free(path);
}
END_TEST

/* Not a dump of ours at all. */
START_TEST(test_bad_not_kdump)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/flat-garbage", tmpdir);
	FILE *f = fopen(path, "w");
	unsigned char head[4096] = "makedumpfile";
	head[23] = 1;
	head[31] = 1;
	fwrite(head, 1, sizeof(head), f);
	/* One record of text at offset 0, then the end. */
	unsigned char rec[16] = {0};
	rec[15] = 12;
	fwrite(rec, 1, 16, f);
	fwrite("hello world!", 1, 12, f);
	memset(rec, 0xff, 16);
	fwrite(rec, 1, 16, f);
	fclose(f);
	expect_open_bad(path, 4096, "does not hold a kdump");

	snprintf(path, sizeof(path), "%s/kdump-short", tmpdir);
	f = fopen(path, "w");
	fwrite("KDUMP   \x06\0\0\0", 1, 12, f);
	fclose(f);
	expect_open_bad(path, UINT64_MAX, "kdump header");
}
END_TEST

/* mkdump's ELF outputs hold the same memory as its kdump: a check of the
 * generator itself (the ELF reader is tested on its own elsewhere). */
START_TEST(test_mkdump_elf_agrees)
{
	static const char *const variants[][3] = {
		{"format elf64", NULL},
		{"format elf32", "arch arm"},
		{"format elf64", "elf-quirks qemu"},
	};
	const char *d[] = {variants[_i][0], variants[_i][1], NULL};
	char *path = make("elf", base_spec, d);
	struct ptw_source *src = open_ok(path);
	ck_assert_uint_eq(read_u64(src, 0x40001ff8), 0x40002003);
	ck_assert_uint_eq(read_u64(src, 0x40200008), 0x40200008);
	ck_assert_ptr_nonnull(src->vmcoreinfo);
	ck_assert(strstr(src->vmcoreinfo, "OSRELEASE=6.1.0-test"));
	ck_assert_uint_eq(src->ncpus, 2);
	expect_not_present(src, 0x40100000);
	char *kpath = make("kdump", base_spec, (const char *[]){"compress zlib", NULL});
	struct ptw_source *k = open_ok(kpath);
	static unsigned char a[4096], b[4096];
	for (uint64_t pa = 0x40800000; pa < 0x40900000; pa += 4096) {
		ck_assert_ptr_null(ptw_source_read_phys(src, pa, a, sizeof(a)));
		ck_assert_ptr_null(ptw_source_read_phys(k, pa, b, sizeof(b)));
		ck_assert_mem_eq(a, b, sizeof(a));
	}
	ptw_source_close(k);
	ptw_source_close(src);
	free(kpath);
	free(path);
}
END_TEST

static Suite *kdump_suite(void)
{
	Suite *s = suite_create("kdump");
	TCase *tc = tcase_create("read");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_codecs, 0, 10);
	tcase_add_test(tc, test_mixed_codecs_and_zero_pages);
	tcase_add_loop_test(tc, test_header_versions, 0, 7);
	tcase_add_test(tc, test_max_mapnr_64);
	tcase_add_test(tc, test_header_abi32);
	tcase_add_test(tc, test_split);
	tcase_add_test(tc, test_big_endian);
	tcase_add_test(tc, test_rank_chunk_boundaries);
	tcase_add_test(tc, test_big_blocks_cached_reads);
	tcase_add_test(tc, test_incomplete_flag);
	tcase_add_test(tc, test_truncated_data);
	tcase_add_test(tc, test_truncated_descs_and_bitmaps);
	tcase_add_loop_test(tc, test_flattened, 0, 7);
	tcase_add_test(tc, test_flattened_extents);
	tcase_add_test(tc, test_flattened_truncated);
	tcase_add_loop_test(tc, test_mkdump_elf_agrees, 0, 3);
	suite_add_tcase(s, tc);

	TCase *bad = tcase_create("bad input");
	tcase_add_checked_fixture(bad, setup, teardown);
	tcase_set_timeout(bad, 60);
	tcase_add_test(bad, test_bad_short_bitmaps);
	tcase_add_test(bad, test_bad_huge_max_mapnr);
	tcase_add_loop_test(bad, test_bad_inflate_size, 0, 4);
	tcase_add_test(bad, test_bad_inflate_flattened);
	tcase_add_loop_test(bad, test_bad_descriptors, 0, 6);
	tcase_add_test(bad, test_bad_compressed_bytes);
	tcase_add_test(bad, test_bad_truncated_header);
	tcase_add_test(bad, test_bad_header_fields);
	tcase_add_loop_test(bad, test_bad_flat_records, 0, 4);
	tcase_add_test(bad, test_bad_not_kdump);
	suite_add_tcase(s, bad);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(kdump_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
