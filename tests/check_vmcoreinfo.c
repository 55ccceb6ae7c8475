/* VMCOREINFO parsing: typed getters, both key spellings, signed values,
 * --set overrides, and malformed text named by offset. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "vmcoreinfo.h"

static void parse_ok(struct ptw_vmcoreinfo *vi, const char *text)
{
	memset(vi, 0, sizeof(*vi));
	struct ptw_error *err = ptw_vmcoreinfo_parse(vi, text, strlen(text), 0);
	ck_assert_msg(err == NULL, "parse failed: %s", err ? err->message : "");
}

START_TEST(test_typed_values)
{
	struct ptw_vmcoreinfo vi;
	parse_ok(&vi, "OSRELEASE=6.12.0\nPAGESIZE=16384\nSYMBOL(swapper_pg_dir)=ffff800081c2b000\n"
		      "NUMBER(VA_BITS)=47\nNUMBER(kimage_voffset)=0xffff7fff3f600000\nKERNELOFFSET=2f400000\n");
	ck_assert_uint_eq(vi.count, 6);
	ck_assert_str_eq(ptw_vmcoreinfo_get(&vi, "OSRELEASE"), "6.12.0");
	uint64_t u;
	int64_t n;
	ck_assert_ptr_null(ptw_vmcoreinfo_u64(&vi, "PAGESIZE", 10, &u));
	ck_assert_uint_eq(u, 16384);
	ck_assert_ptr_null(ptw_vmcoreinfo_symbol(&vi, "swapper_pg_dir", &u));
	ck_assert_uint_eq(u, 0xffff800081c2b000ull);
	ck_assert_ptr_null(ptw_vmcoreinfo_number(&vi, "VA_BITS", &n));
	ck_assert_int_eq(n, 47);
	ck_assert_ptr_null(ptw_vmcoreinfo_number(&vi, "kimage_voffset", &n));
	ck_assert_uint_eq((uint64_t)n, 0xffff7fff3f600000ull);
	ck_assert_ptr_null(ptw_vmcoreinfo_u64(&vi, "KERNELOFFSET", 16, &u));
	ck_assert_uint_eq(u, 0x2f400000);
	ptw_vmcoreinfo_free(&vi);
}
END_TEST

START_TEST(test_both_spellings)
{
	struct ptw_vmcoreinfo vi;
	int64_t n;
	parse_ok(&vi, "NUMBER(tcr_el1_t1sz)=12\n");
	ck_assert_ptr_null(ptw_vmcoreinfo_number(&vi, "TCR_EL1_T1SZ", &n));
	ck_assert_int_eq(n, 12);
	ptw_vmcoreinfo_free(&vi);
	parse_ok(&vi, "NUMBER(TCR_EL1_T1SZ)=16\n");
	ck_assert_ptr_null(ptw_vmcoreinfo_number(&vi, "tcr_el1_t1sz", &n));
	ck_assert_int_eq(n, 16);
	ptw_vmcoreinfo_free(&vi);
}
END_TEST

/* A 52-bit kernel on a 48-bit CPU has memstart_addr below zero (DUMPS.md). */
START_TEST(test_negative_phys_offset)
{
	struct ptw_vmcoreinfo vi;
	int64_t n;
	parse_ok(&vi, "NUMBER(PHYS_OFFSET)=0xfff0a477c0000000\nNUMBER(X)=-4096\n");
	ck_assert_ptr_null(ptw_vmcoreinfo_number(&vi, "PHYS_OFFSET", &n));
	ck_assert(n < 0);
	ck_assert_uint_eq((uint64_t)n, 0xfff0a477c0000000ull);
	ck_assert_ptr_null(ptw_vmcoreinfo_number(&vi, "X", &n));
	ck_assert_int_eq(n, -4096);
	ptw_vmcoreinfo_free(&vi);
}
END_TEST

START_TEST(test_set_overrides)
{
	struct ptw_vmcoreinfo vi;
	int64_t n;
	parse_ok(&vi, "NUMBER(tcr_el1_t1sz)=12\n");
	ck_assert_ptr_null(ptw_vmcoreinfo_set(&vi, "NUMBER(TCR_EL1_T1SZ)=16"));
	ck_assert_uint_eq(vi.count, 1);
	ck_assert_ptr_null(ptw_vmcoreinfo_number(&vi, "TCR_EL1_T1SZ", &n));
	ck_assert_int_eq(n, 16);
	ck_assert(vi.entries[0].overridden);
	ck_assert_ptr_null(ptw_vmcoreinfo_set(&vi, "NUMBER(VA_BITS)=52"));
	ck_assert_ptr_null(ptw_vmcoreinfo_number(&vi, "VA_BITS", &n));
	ck_assert_int_eq(n, 52);
	struct ptw_error *err = ptw_vmcoreinfo_set(&vi, "novalue");
	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(err->code, PTW_E_INVALID_ARGUMENT);
	ptw_error_destroy(err);
	ptw_vmcoreinfo_free(&vi);
}
END_TEST

START_TEST(test_garbage_line_names_offset)
{
	struct ptw_vmcoreinfo vi = { 0 };
	const char text[] = "OSRELEASE=6.1\nPAGESIZE=4096\n\x01\x02garbage\nX=1\n";
	struct ptw_error *err = ptw_vmcoreinfo_parse(&vi, text, sizeof(text) - 1, 0x1000);
	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(err->code, PTW_E_BAD_DATA);
	ck_assert(err->has_offset);
	ck_assert_uint_eq(err->offset, 0x1000 + 28);
	ptw_error_destroy(err);
	ptw_vmcoreinfo_free(&vi);
}
END_TEST

START_TEST(test_missing_and_malformed_numbers)
{
	struct ptw_vmcoreinfo vi;
	int64_t n;
	parse_ok(&vi, "NUMBER(VA_BITS)=forty\nPAGESIZE=\n");
	struct ptw_error *err = ptw_vmcoreinfo_number(&vi, "VA_BITS", &n);
	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(err->code, PTW_E_BAD_DATA);
	ptw_error_destroy(err);
	err = ptw_vmcoreinfo_number(&vi, "TCR_EL1_T1SZ", &n);
	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(err->code, PTW_E_NOT_PRESENT);
	ptw_error_destroy(err);
	uint64_t u;
	err = ptw_vmcoreinfo_u64(&vi, "PAGESIZE", 10, &u);
	ck_assert_ptr_nonnull(err);
	ptw_error_destroy(err);
	ptw_vmcoreinfo_free(&vi);
}
END_TEST

/* Text after a NUL (padding in the note) is not parsed; CRLF is accepted. */
START_TEST(test_nul_and_crlf)
{
	struct ptw_vmcoreinfo vi = { 0 };
	const char text[] = "A=1\r\nB=2\n\0\x01\x02junk";
	ck_assert_ptr_null(ptw_vmcoreinfo_parse(&vi, text, sizeof(text) - 1, 0));
	ck_assert_uint_eq(vi.count, 2);
	ck_assert_str_eq(ptw_vmcoreinfo_get(&vi, "A"), "1");
	ptw_vmcoreinfo_free(&vi);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("vmcoreinfo");
	TCase *tc = tcase_create("parse");
	tcase_add_test(tc, test_typed_values);
	tcase_add_test(tc, test_both_spellings);
	tcase_add_test(tc, test_negative_phys_offset);
	tcase_add_test(tc, test_set_overrides);
	tcase_add_test(tc, test_garbage_line_names_offset);
	tcase_add_test(tc, test_missing_and_malformed_numbers);
	tcase_add_test(tc, test_nul_and_crlf);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
