/* The types interface over a BTF blob encoded here by hand (struct
 * btf_header and btf_type as include/uapi/linux/btf.h defines them), and
 * the search for BTF in an image: decoy headers libbpf refuses, unreadable
 * pages, a header across the search's chunk boundary. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "btf_find.h"
#include "types.h"

#define KIND_INT 1
#define KIND_PTR 2
#define KIND_ARRAY 3
#define KIND_STRUCT 4
#define KIND_UNION 5
#define KIND_TYPEDEF 8

struct blob {
	unsigned char b[4096];
	size_t len;
};

static void put32(struct blob *bl, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		bl->b[bl->len++] = (unsigned char)(v >> (8 * i));
}

static const char strings[] = "\0int\0char\0list_head\0next\0prev\0__state\0state_alias\0task_struct\0"
			      "pid\0tasks\0comm\0flag\0pid_t";

static uint32_t str(const char *s)
{
	for (size_t i = 0; i < sizeof(strings); i += strlen(strings + i) + 1)
		if (strcmp(strings + i, s) == 0)
			return (uint32_t)i;
	ck_abort_msg("no string %s", s);
	return 0;
}

static uint32_t info(unsigned kind, unsigned vlen, bool kflag)
{
	return (uint32_t)kind << 24 | vlen | (kflag ? 1u << 31 : 0);
}

static void member(struct blob *bl, const char *name, uint32_t type, uint32_t offset)
{
	put32(bl, name[0] ? str(name) : 0);
	put32(bl, type);
	put32(bl, offset);
}

/* [1] int  [2] char  [3] struct list_head { next, prev }  [4] list_head *
 * [5] union { int __state; int state_alias; }  [6] char[16]
 * [7] struct task_struct (64 bytes) { pid_t pid; union {...}; struct
 *     list_head tasks; char comm[16]; int flag:3 at bit 325 }  [8] pid_t.
 * with_task: name type 7 task_struct, or "list_head" is all there is. */
static void make_btf(struct blob *bl, bool with_task)
{
	struct blob types = { .len = 0 };

	put32(&types, str("int")); put32(&types, info(KIND_INT, 0, false)); put32(&types, 4);
	put32(&types, 1u << 24 | 32);
	put32(&types, str("char")); put32(&types, info(KIND_INT, 0, false)); put32(&types, 1);
	put32(&types, 1u << 24 | 8);
	put32(&types, str("list_head")); put32(&types, info(KIND_STRUCT, 2, false)); put32(&types, 16);
	member(&types, "next", 4, 0);
	member(&types, "prev", 4, 64);
	put32(&types, 0); put32(&types, info(KIND_PTR, 0, false)); put32(&types, 3);
	put32(&types, 0); put32(&types, info(KIND_UNION, 2, false)); put32(&types, 4);
	member(&types, "__state", 1, 0);
	member(&types, "state_alias", 1, 0);
	put32(&types, 0); put32(&types, info(KIND_ARRAY, 0, false)); put32(&types, 0);
	put32(&types, 2); put32(&types, 1); put32(&types, 16);
	put32(&types, with_task ? str("task_struct") : str("comm")); put32(&types, info(KIND_STRUCT, 5, true));
	put32(&types, 64);
	member(&types, "pid", 8, 0);
	member(&types, "", 5, 32);
	member(&types, "tasks", 3, 64);
	member(&types, "comm", 6, 192);
	member(&types, "flag", 1, 3u << 24 | 325);
	put32(&types, str("pid_t")); put32(&types, info(KIND_TYPEDEF, 0, false)); put32(&types, 1);

	bl->len = 0;
	put32(bl, 0x0001eB9F); /* magic, version 1, flags 0 */
	put32(bl, 24);
	put32(bl, 0);
	put32(bl, (uint32_t)types.len);
	put32(bl, (uint32_t)types.len);
	put32(bl, sizeof(strings));
	memcpy(bl->b + bl->len, types.b, types.len);
	bl->len += types.len;
	memcpy(bl->b + bl->len, strings, sizeof(strings));
	bl->len += sizeof(strings);
}

static struct ptw_types *load(void)
{
	struct blob bl;
	struct ptw_types *t = NULL;
	struct ptw_error *err;

	make_btf(&bl, true);
	err = ptw_types_btf_new(bl.b, bl.len, "test", &t);
	ck_assert_msg(err == NULL, "%s", err ? err->message : "");
	return t;
}

START_TEST(test_sizes_and_paths)
{
	struct ptw_types *t = load();
	struct ptw_member m;
	uint64_t v;

	ck_assert_str_eq(ptw_types_source(t), "btf");
	ck_assert_ptr_null(ptw_types_struct_size(t, "task_struct", &v));
	ck_assert_uint_eq(v, 64);
	ck_assert_ptr_null(ptw_types_struct_size(t, "pid_t", &v));
	ck_assert_uint_eq(v, 4);
	ck_assert_ptr_null(ptw_types_member_offset(t, "task_struct", "tasks.next", &v));
	ck_assert_uint_eq(v, 8);
	ck_assert_ptr_null(ptw_types_member_offset(t, "task_struct", "tasks.prev", &v));
	ck_assert_uint_eq(v, 16);
	/* A member of an anonymous union, named as the struct's own. */
	ck_assert_ptr_null(ptw_types_member(t, "task_struct", "__state", &m));
	ck_assert_uint_eq(m.offset, 4);
	ck_assert_uint_eq(m.size, 4);
	ck_assert_int_eq(m.type.kind, PTW_TYPE_INT);
	ck_assert(m.type.is_signed);
	ck_assert_ptr_null(ptw_types_member(t, "task_struct", "comm[3]", &m));
	ck_assert_uint_eq(m.offset, 27);
	ck_assert_uint_eq(m.size, 1);
	ck_assert_str_eq(m.type_name, "char");
	ck_assert_ptr_null(ptw_types_member(t, "task_struct", "comm", &m));
	ck_assert_int_eq(m.type.kind, PTW_TYPE_ARRAY);
	ck_assert_uint_eq(m.type.nelems, 16);
	ck_assert_uint_eq(m.size, 16);
	/* The typedef's name as declared, the int behind it as the type. */
	ck_assert_ptr_null(ptw_types_member(t, "task_struct", "pid", &m));
	ck_assert_str_eq(m.type_name, "pid_t");
	ck_assert_str_eq(m.type.name, "int");
	ck_assert_ptr_null(ptw_types_member(t, "task_struct", "tasks.next", &m));
	ck_assert_int_eq(m.type.kind, PTW_TYPE_POINTER);
	ck_assert_uint_eq(m.size, 8);
	/* A bitfield: byte 40, bit 5, 3 bits. */
	ck_assert_ptr_null(ptw_types_member(t, "task_struct", "flag", &m));
	ck_assert_uint_eq(m.offset, 40);
	ck_assert_uint_eq(m.bit_offset, 5);
	ck_assert_uint_eq(m.bit_size, 3);
	ptw_types_destroy(t);
}
END_TEST

START_TEST(test_missing_and_bad_paths)
{
	struct ptw_types *t = load();
	uint64_t v;
	struct ptw_error *err;

	/* NOT_PRESENT, so that callers can try __state then state. */
	err = ptw_types_member_offset(t, "task_struct", "state", &v);
	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(err->code, PTW_E_NOT_PRESENT);
	ck_assert_msg(strstr(err->message, "'state'") != NULL, "%s", err->message);
	ptw_error_destroy(err);
	err = ptw_types_struct_size(t, "mm_struct", &v);
	ck_assert_int_eq(err->code, PTW_E_NOT_PRESENT);
	ptw_error_destroy(err);
	err = ptw_types_member_offset(t, "task_struct", "tasks.nope", &v);
	ck_assert_int_eq(err->code, PTW_E_NOT_PRESENT);
	ptw_error_destroy(err);
	static const char *const bad[] = {
		"tasks..next", ".tasks", "pid.x", "comm[16]", "comm[", "comm[x]", "tasks[0]", "tasks.next.x", "",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err = ptw_types_member_offset(t, "task_struct", bad[i], &v);
		if (bad[i][0] == '\0') {
			/* The empty path is the struct itself. */
			ck_assert_ptr_null(err);
			ck_assert_uint_eq(v, 0);
			continue;
		}
		ck_assert_msg(err != NULL, "'%s' accepted", bad[i]);
		ck_assert_msg(err->code == PTW_E_INVALID_ARGUMENT, "'%s': %s", bad[i], err->message);
		ptw_error_destroy(err);
	}
	ptw_types_destroy(t);
}
END_TEST

START_TEST(test_refused_blobs)
{
	struct blob bl;
	struct ptw_types *t = NULL;
	struct ptw_error *err;

	make_btf(&bl, false);
	err = ptw_types_btf_new(bl.b, bl.len, "no-task", &t);
	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(err->code, PTW_E_BAD_DATA);
	ck_assert_msg(strstr(err->message, "task_struct") && strstr(err->message, "no-task"), "%s", err->message);
	ptw_error_destroy(err);
	make_btf(&bl, true);
	err = ptw_types_btf_new(bl.b, bl.len - 10, "short", &t);
	ck_assert_ptr_nonnull(err);
	ck_assert_msg(strstr(err->message, "libbpf refused") && strstr(err->message, "short"), "%s", err->message);
	ptw_error_destroy(err);
	/* A member pointing at a type id that does not exist. */
	make_btf(&bl, true);
	bl.b[24 + 32 + 12 + 4] = 99; /* list_head.next's type */
	err = ptw_types_btf_new(bl.b, bl.len, "bad-id", &t);
	if (!err) {
		/* libbpf 1.1 does not check member type ids: the lookup must. */
		uint64_t v;

		err = ptw_types_member_offset(t, "task_struct", "tasks.next", &v);
		ck_assert_ptr_nonnull(err);
		ck_assert_int_eq(err->code, PTW_E_BAD_DATA);
		ptw_types_destroy(t);
	}
	ptw_error_destroy(err);
}
END_TEST

/* A const qualifier that qualifies itself: lookups through it end with
 * BAD_DATA, and nothing leaks on the way (found by fuzz_btf). */
START_TEST(test_qualifier_loop)
{
	struct blob bl;
	struct ptw_types *t = NULL;
	struct ptw_member m;
	struct ptw_error *err;
	size_t pid_t_at = 24 + 16 + 16 + 36 + 12 + 36 + 24 + 72;

	make_btf(&bl, true);
	memset(bl.b + pid_t_at, 0, 4);                                   /* no name */
	memcpy(bl.b + pid_t_at + 4, (unsigned char[]){ 0, 0, 0, 10 }, 4); /* BTF_KIND_CONST */
	memcpy(bl.b + pid_t_at + 8, (unsigned char[]){ 8, 0, 0, 0 }, 4);  /* of itself */
	err = ptw_types_btf_new(bl.b, bl.len, "loop", &t);
	if (err) {
		ptw_error_destroy(err);
		return;
	}
	err = ptw_types_member(t, "task_struct", "pid", &m);
	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(err->code, PTW_E_BAD_DATA);
	ptw_error_destroy(err);
	ptw_types_destroy(t);
}
END_TEST

START_TEST(test_header_check)
{
	struct blob bl;
	uint64_t total;

	make_btf(&bl, true);
	ck_assert(ptw_btf_header_ok(bl.b, bl.len, &total));
	ck_assert_uint_eq(total, bl.len);
	ck_assert(!ptw_btf_header_ok(bl.b, 23, &total));
	struct { size_t at; unsigned char v; } breaks[] = {
		{ 0, 0x9e }, { 2, 2 }, { 3, 1 }, { 4, 32 }, { 8, 2 }, /* type_off misaligned */
		{ 16, 0 },  /* str_off 0: types overlap the strings */
		{ 23, 0x10 }, /* str_len past PTW_BTF_MAX_SIZE */
	};
	for (size_t i = 0; i < sizeof(breaks) / sizeof(breaks[0]); i++) {
		struct blob b2 = bl;

		b2.b[breaks[i].at] = breaks[i].v;
		ck_assert_msg(!ptw_btf_header_ok(b2.b, b2.len, &total), "byte %zu", breaks[i].at);
	}
}
END_TEST

/* An image in memory at IMAGE_BASE, with pages that cannot be read. */
#define IMAGE_BASE UINT64_C(0xffff800010000000)

struct image {
	unsigned char *mem;
	size_t len;
	uint64_t unreadable_start, unreadable_end; /* one hole */
	unsigned reads;
};

static struct ptw_error *image_read(void *arg, uint64_t addr, void *buf, size_t len)
{
	struct image *im = arg;

	im->reads++;
	if (addr < IMAGE_BASE || addr - IMAGE_BASE > im->len || len > im->len - (addr - IMAGE_BASE))
		return ptw_error_address(PTW_E_FAULT, addr, "outside");
	if (addr < im->unreadable_end && addr + len > im->unreadable_start)
		return ptw_error_address(PTW_E_NOT_PRESENT, addr, "hole");
	memcpy(buf, im->mem + (addr - IMAGE_BASE), len);
	return NULL;
}

static struct image make_image(size_t len)
{
	struct image im = { .mem = calloc(1, len), .len = len };

	ck_assert_ptr_nonnull(im.mem);
	for (size_t i = 0; i < len; i++)
		im.mem[i] = (unsigned char)(i * 7 + 3);
	return im;
}

START_TEST(test_search_decoy_hole_boundary)
{
	struct blob bl, decoy;
	size_t len = (3u << 20) / 2;
	struct image im = make_image(len);
	struct ptw_btf_reader r = { .read = image_read, .arg = &im, .page_size = 4096 };
	struct ptw_btf_found where;
	struct ptw_types *t = NULL;
	struct ptw_error *err;
	uint64_t size;
	/* The real BTF straddles the 1 MiB chunk boundary, header included. */
	size_t at = (1u << 20) - 10;

	make_btf(&bl, true);
	decoy = bl;
	memset(decoy.b + 24, 0xff, 64); /* header fine, types garbage */
	memcpy(im.mem + 100, decoy.b, decoy.len);
	memcpy(im.mem + at, bl.b, bl.len);
	im.unreadable_start = IMAGE_BASE + 0x40000;
	im.unreadable_end = IMAGE_BASE + 0x42000;
	err = ptw_btf_search(&r, IMAGE_BASE, IMAGE_BASE + len, &t, &where);
	ck_assert_msg(err == NULL, "%s", err ? err->message : "");
	ck_assert_uint_eq(where.addr, IMAGE_BASE + at);
	ck_assert_uint_eq(where.size, bl.len);
	ck_assert_uint_eq(where.candidates, 2);
	ck_assert_ptr_null(ptw_types_struct_size(t, "task_struct", &size));
	ck_assert_uint_eq(size, 64);
	ptw_types_destroy(t);
	/* The scan alone stops at the first plausible header. */
	ck_assert_ptr_null(ptw_btf_scan(&r, IMAGE_BASE, IMAGE_BASE + len, &where));
	ck_assert_uint_eq(where.addr, IMAGE_BASE + 100);
	free(im.mem);
}
END_TEST

START_TEST(test_search_only_refused)
{
	struct blob bl;
	struct image im = make_image(65536);
	struct ptw_btf_reader r = { .read = image_read, .arg = &im, .page_size = 4096 };
	struct ptw_btf_found where;
	struct ptw_types *t = NULL;
	struct ptw_error *err;

	make_btf(&bl, true);
	memset(bl.b + 24, 0xff, 64);
	memcpy(im.mem + 5000, bl.b, bl.len);
	err = ptw_btf_search(&r, IMAGE_BASE, IMAGE_BASE + im.len, &t, &where);
	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(err->code, PTW_E_BAD_DATA);
	/* One message naming where the refused BTF was. */
	ck_assert_msg(strstr(err->message, "0xffff800010001388") != NULL, "%s", err->message);
	ptw_error_destroy(err);
	/* Nothing at all: NOT_PRESENT. */
	memset(im.mem, 0, im.len);
	err = ptw_btf_search(&r, IMAGE_BASE, IMAGE_BASE + im.len, &t, &where);
	ck_assert_int_eq(err->code, PTW_E_NOT_PRESENT);
	ptw_error_destroy(err);
	/* Everything unreadable: still a bounded, clean NOT_PRESENT. */
	im.unreadable_start = IMAGE_BASE;
	im.unreadable_end = IMAGE_BASE + im.len;
	im.reads = 0;
	err = ptw_btf_search(&r, IMAGE_BASE, IMAGE_BASE + im.len, &t, &where);
	ck_assert_int_eq(err->code, PTW_E_NOT_PRESENT);
	ck_assert_uint_le(im.reads, 2 + 2 * 16);
	ptw_error_destroy(err);
	free(im.mem);
}
END_TEST

/* The downward search: a decoy above the real BTF is refused first, a hole
 * above both ends the run (page by page), the real blob straddles a 64 KiB
 * chunk and is parsed from what was read; a bound inside the blob reads
 * the rest; a hole inside the blob is a refusal naming the address. */
START_TEST(test_search_below)
{
	struct blob bl, decoy;
	size_t len = (3u << 20) / 2;
	struct image im = make_image(len);
	struct ptw_btf_reader r = { .read = image_read, .arg = &im, .page_size = 4096 };
	struct ptw_btf_found where;
	struct ptw_types *t = NULL;
	struct ptw_error *err;
	uint64_t size;
	size_t at = 0x100000 - 10, decoy_at = 0x140000 + 7;

	make_btf(&bl, true);
	decoy = bl;
	memset(decoy.b + 24, 0xff, 64);
	memcpy(im.mem + decoy_at, decoy.b, decoy.len);
	memcpy(im.mem + at, bl.b, bl.len);
	im.unreadable_start = IMAGE_BASE + 0x160000;
	im.unreadable_end = IMAGE_BASE + 0x162000;
	err = ptw_btf_search_below(&r, IMAGE_BASE, IMAGE_BASE + len, &t, &where);
	ck_assert_msg(err == NULL, "%s", err ? err->message : "");
	ck_assert_uint_eq(where.addr, IMAGE_BASE + at);
	ck_assert_uint_eq(where.size, bl.len);
	ck_assert_uint_eq(where.candidates, 2);
	ck_assert_ptr_null(ptw_types_struct_size(t, "task_struct", &size));
	ck_assert_uint_eq(size, 64);
	ptw_types_destroy(t);
	/* Nothing below the real one was read: 0x100000 - 10 is in the chunk
	 * [0xf0000, 0x100000), the last one read. */
	im.reads = 0;
	im.unreadable_start = im.unreadable_end = 0;
	ck_assert_ptr_null(ptw_btf_search_below(&r, IMAGE_BASE, IMAGE_BASE + len, &t, &where));
	ck_assert_uint_eq(im.reads, 9);
	ptw_types_destroy(t);
	/* The bound cuts the blob: the rest is read. */
	err = ptw_btf_search_below(&r, IMAGE_BASE, IMAGE_BASE + at + 30, &t, &where);
	ck_assert_msg(err == NULL, "%s", err ? err->message : "");
	ck_assert_uint_eq(where.addr, IMAGE_BASE + at);
	ptw_types_destroy(t);
	/* A blob whose header is read but whose rest lies in a hole: the
	 * read of the rest fails, a refusal naming the address; below it the
	 * first blob is still found. */
	memcpy(im.mem + 0x120000 - 30, bl.b, bl.len);
	im.unreadable_start = IMAGE_BASE + 0x120000;
	im.unreadable_end = IMAGE_BASE + 0x120008;
	err = ptw_btf_search_below(&r, IMAGE_BASE + 0x110000, IMAGE_BASE + 0x130000, &t, &where);
	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(err->code, PTW_E_BAD_DATA);
	ck_assert_msg(strstr(err->message, "0xffff80001011ffe2") != NULL, "%s", err->message);
	ptw_error_destroy(err);
	err = ptw_btf_search_below(&r, IMAGE_BASE, IMAGE_BASE + 0x130000, &t, &where);
	ck_assert_msg(err == NULL, "%s", err ? err->message : "");
	ck_assert_uint_eq(where.addr, IMAGE_BASE + at);
	ck_assert_uint_eq(where.candidates, 2);
	ptw_types_destroy(t);
	/* Nothing, and nothing readable: NOT_PRESENT, bounded. */
	memset(im.mem, 0, im.len);
	im.unreadable_start = im.unreadable_end = 0;
	err = ptw_btf_search_below(&r, IMAGE_BASE, IMAGE_BASE + len, &t, &where);
	ck_assert_int_eq(err->code, PTW_E_NOT_PRESENT);
	ptw_error_destroy(err);
	im.unreadable_start = IMAGE_BASE;
	im.unreadable_end = IMAGE_BASE + len;
	im.reads = 0;
	err = ptw_btf_search_below(&r, IMAGE_BASE, IMAGE_BASE + len, &t, &where);
	ck_assert_int_eq(err->code, PTW_E_NOT_PRESENT);
	ck_assert_uint_le(im.reads, 24 + 24 * 16);
	ptw_error_destroy(err);
	/* An empty range. */
	err = ptw_btf_search_below(&r, IMAGE_BASE + 10, IMAGE_BASE + 10, &t, &where);
	ck_assert_int_eq(err->code, PTW_E_NOT_PRESENT);
	ptw_error_destroy(err);
	free(im.mem);
}
END_TEST

START_TEST(test_btf_file)
{
	struct blob bl;
	char path[] = "/tmp/ptw-btf-XXXXXX";
	int fd = mkstemp(path);
	struct ptw_types *t = NULL;
	struct ptw_error *err;

	ck_assert_int_ge(fd, 0);
	make_btf(&bl, true);
	ck_assert_int_eq(write(fd, bl.b, bl.len), (ssize_t)bl.len);
	close(fd);
	ck_assert_ptr_null(ptw_types_btf_probe(path));
	err = ptw_types_btf_open(path, &t);
	ck_assert_msg(err == NULL, "%s", err ? err->message : "");
	ck_assert_str_eq(ptw_types_origin(t), path);
	ptw_types_destroy(t);
	unlink(path);
	err = ptw_types_btf_open(path, &t);
	ck_assert_int_eq(err->code, PTW_E_OS);
	ptw_error_destroy(err);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("types");
	TCase *tc = tcase_create("btf");
	tcase_add_test(tc, test_sizes_and_paths);
	tcase_add_test(tc, test_missing_and_bad_paths);
	tcase_add_test(tc, test_refused_blobs);
	tcase_add_test(tc, test_qualifier_loop);
	tcase_add_test(tc, test_header_check);
	tcase_add_test(tc, test_search_decoy_hole_boundary);
	tcase_add_test(tc, test_search_only_refused);
	tcase_add_test(tc, test_search_below);
	tcase_add_test(tc, test_btf_file);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
