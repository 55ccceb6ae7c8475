/* The one number parser: decimal or 0x hex, nothing else; values worked
 * out by hand. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "number.h"

static bool parses(const char *s, uint64_t *v)
{
	return ptw_parse_u64(s, v);
}

START_TEST(test_accepted)
{
	static const struct { const char *text; uint64_t value; } cases[] = {
		{ "0", 0 }, { "010", 10 }, { "09", 9 }, { "0x10", 16 }, { "0X1f", 31 },
		{ "0xABCDEF", 0xabcdef }, { "18446744073709551615", UINT64_MAX },
		{ "0xffffffffffffffff", UINT64_MAX }, { "0x0000000000000000000000001", 1 },
		{ "000000000000000000000000000042", 42 }, { "0x123456789", 0x123456789 },
		{ "0xfedcba9876543210", 0xfedcba9876543210 }, { "0x00", 0 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t v = 7;

		ck_assert_msg(parses(cases[i].text, &v), "'%s' refused", cases[i].text);
		ck_assert_msg(v == cases[i].value, "'%s' read as %llx", cases[i].text, (unsigned long long)v);
	}
}
END_TEST

START_TEST(test_refused)
{
	static const char *const cases[] = {
		"", "-1", "+1", " 1", "1 ", "\t-1", "0x", "0x-1", "0x 1", "1k", "0x10g", "1e3",
		"18446744073709551616", "99999999999999999999", "0x10000000000000000",
		"0x1ffffffffffffffff", "0b1", "0o7", "x10", "0xx1", "1.0", "0x1\n",
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t v = 7;

		ck_assert_msg(!parses(cases[i], &v), "'%s' accepted", cases[i]);
		ck_assert_uint_eq(v, 7);
	}
	ck_assert(!ptw_parse_u64(NULL, &(uint64_t){ 0 }));
}
END_TEST

/* The length form reads exactly n bytes: what follows does not matter. */
START_TEST(test_length_bounded)
{
	uint64_t v = 0;

	ck_assert(ptw_parse_u64_n("0x12zz", 4, &v));
	ck_assert_uint_eq(v, 0x12);
	ck_assert(!ptw_parse_u64_n("0x12zz", 5, &v));
	ck_assert(ptw_parse_hex_digits_n("ffff800081c2b000", 16, &v));
	ck_assert_uint_eq(v, 0xffff800081c2b000ull);
	ck_assert(!ptw_parse_hex_digits_n("0x10", 4, &v));
	ck_assert(ptw_parse_decimal_n("16384", 5, &v));
	ck_assert_uint_eq(v, 16384);
	ck_assert(!ptw_parse_decimal_n("1a", 2, &v));
	/* every split of a 16-digit hex number between the 8-digit words */
	for (size_t n = 1; n <= 16; n++) {
		const char *digits = "123456789abcdef0";
		uint64_t want = 0x123456789abcdef0ull >> (4 * (16 - n));

		ck_assert(ptw_parse_hex_digits_n(digits, n, &v));
		ck_assert_uint_eq(v, want);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("number");
	TCase *tc = tcase_create("parse");
	tcase_add_test(tc, test_accepted);
	tcase_add_test(tc, test_refused);
	tcase_add_test(tc, test_length_bounded);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
