/* The page codecs: round trips and the exact-size contract. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <lzo/lzo1x.h>
#include <zlib.h>
#ifdef HAVE_SNAPPY
#include <snappy-c.h>
#endif
#ifdef HAVE_ZSTD
#include <zstd.h>
#endif

#include "decomp.h"

#define PAGE 4096

/* A page that compresses, but not to nothing. */
static void make_page(unsigned char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (unsigned char)((i / 64) ^ (i % 7));
}

static size_t compress_with(enum ptw_codec codec, const unsigned char *in, size_t len, unsigned char *out,
			    size_t cap)
{
	switch (codec) {
	case PTW_CODEC_ZLIB: {
		uLongf n = cap;
		ck_assert_int_eq(compress2(out, &n, in, len, 1), Z_OK);
		return n;
	}
	case PTW_CODEC_LZO: {
		static unsigned char work[LZO1X_1_MEM_COMPRESS];
		lzo_uint n = cap;
		ck_assert_int_eq(lzo1x_1_compress(in, len, out, &n, work), LZO_E_OK);
		return n;
	}
#ifdef HAVE_SNAPPY
	case PTW_CODEC_SNAPPY: {
		size_t n = cap;
		ck_assert_int_eq(snappy_compress((const char *)in, len, (char *)out, &n), SNAPPY_OK);
		return n;
	}
#endif
#ifdef HAVE_ZSTD
	case PTW_CODEC_ZSTD: {
		size_t n = ZSTD_compress(out, cap, in, len, 1);
		ck_assert(!ZSTD_isError(n));
		return n;
	}
#endif
	default:
		ck_abort_msg("codec %d not built in", codec);
		return 0;
	}
}

static void expect_error(struct ptw_error *err, enum ptw_error_code code, const char *needle)
{
	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(err->code, code);
	ck_assert_msg(strstr(err->message, needle), "message '%s' lacks '%s'", err->message, needle);
	ck_assert(!err->has_offset);
	ptw_error_destroy(err);
}

START_TEST(test_round_trip)
{
	enum ptw_codec codec = (enum ptw_codec)_i;
	if (!ptw_codec_available(codec))
		return;
	unsigned char page[PAGE], packed[2 * PAGE], out[PAGE];
	make_page(page, sizeof(page));
	size_t n = compress_with(codec, page, sizeof(page), packed, sizeof(packed));
	struct ptw_decomp *d;
	ck_assert_ptr_null(ptw_decomp_create(&d));
	/* Twice through the same state: the zlib stream and zstd context are reused. */
	for (int round = 0; round < 2; round++) {
		memset(out, 0xcc, sizeof(out));
		ck_assert_ptr_null(ptw_decomp_page(d, codec, packed, n, out, sizeof(out)));
		ck_assert_mem_eq(out, page, sizeof(page));
	}
	ptw_decomp_destroy(d);
	/* And without state. */
	ck_assert_ptr_null(ptw_decomp_page(NULL, codec, packed, n, out, sizeof(out)));
	ck_assert_mem_eq(out, page, sizeof(page));
}
END_TEST

/* A block that expands to more than the page is rejected, not truncated. */
START_TEST(test_expands_to_more)
{
	enum ptw_codec codec = (enum ptw_codec)_i;
	if (!ptw_codec_available(codec))
		return;
	unsigned char page[PAGE + 100], packed[3 * PAGE], out[PAGE];
	make_page(page, sizeof(page));
	size_t n = compress_with(codec, page, sizeof(page), packed, sizeof(packed));
	expect_error(ptw_decomp_page(NULL, codec, packed, n, out, sizeof(out)), PTW_E_BAD_DATA,
		     ptw_codec_name(codec));
}
END_TEST

START_TEST(test_expands_to_less)
{
	enum ptw_codec codec = (enum ptw_codec)_i;
	if (!ptw_codec_available(codec))
		return;
	unsigned char page[PAGE - 100], packed[2 * PAGE], out[PAGE];
	make_page(page, sizeof(page));
	size_t n = compress_with(codec, page, sizeof(page), packed, sizeof(packed));
	expect_error(ptw_decomp_page(NULL, codec, packed, n, out, sizeof(out)), PTW_E_BAD_DATA,
		     "not the block size 4096");
}
END_TEST

START_TEST(test_corrupt)
{
	enum ptw_codec codec = (enum ptw_codec)_i;
	if (!ptw_codec_available(codec))
		return;
	unsigned char page[PAGE], packed[2 * PAGE], out[PAGE];
	make_page(page, sizeof(page));
	size_t n = compress_with(codec, page, sizeof(page), packed, sizeof(packed));
	/* Cut in half: every codec must notice, and never write past out. */
	struct ptw_error *err = ptw_decomp_page(NULL, codec, packed, n / 2, out, sizeof(out));
	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(err->code, PTW_E_BAD_DATA);
	ptw_error_destroy(err);
	/* Garbage. */
	memset(packed, 0xff, 64);
	err = ptw_decomp_page(NULL, codec, packed, 64, out, sizeof(out));
	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(err->code, PTW_E_BAD_DATA);
	ptw_error_destroy(err);
	/* Empty input. */
	err = ptw_decomp_page(NULL, codec, packed, 0, out, sizeof(out));
	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(err->code, PTW_E_BAD_DATA);
	ptw_error_destroy(err);
}
END_TEST

START_TEST(test_not_built_in)
{
	unsigned char in[16] = {0}, out[PAGE];
	for (int c = 0; c < PTW_CODEC_NUM; c++) {
		if (ptw_codec_available((enum ptw_codec)c))
			continue;
		struct ptw_error *err = ptw_decomp_page(NULL, (enum ptw_codec)c, in, sizeof(in), out, sizeof(out));
		ck_assert_ptr_nonnull(err);
		ck_assert_int_eq(err->code, PTW_E_NOT_IMPLEMENTED);
		ck_assert(strstr(err->message, "support not built in"));
		ptw_error_destroy(err);
	}
	ck_assert(ptw_codec_available(PTW_CODEC_ZLIB));
	ck_assert(ptw_codec_available(PTW_CODEC_LZO));
	ck_assert_str_eq(ptw_codec_name(PTW_CODEC_SNAPPY), "snappy");
	ck_assert_str_eq(ptw_codec_name((enum ptw_codec)99), "unknown codec");
	struct ptw_error *err = ptw_decomp_page(NULL, (enum ptw_codec)99, in, sizeof(in), out, sizeof(out));
	ck_assert_int_eq(err->code, PTW_E_NOT_IMPLEMENTED);
	ptw_error_destroy(err);
}
END_TEST

static Suite *decomp_suite(void)
{
	Suite *s = suite_create("decomp");
	TCase *tc = tcase_create("codecs");
	tcase_add_loop_test(tc, test_round_trip, 0, PTW_CODEC_NUM);
	tcase_add_loop_test(tc, test_expands_to_more, 0, PTW_CODEC_NUM);
	tcase_add_loop_test(tc, test_expands_to_less, 0, PTW_CODEC_NUM);
	tcase_add_loop_test(tc, test_corrupt, 0, PTW_CODEC_NUM);
	tcase_add_test(tc, test_not_built_in);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(decomp_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
