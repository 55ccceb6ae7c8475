/* The public API (include/ptwalk.h) on the testdata dumps, against facts
 * recorded outside ptwalk: testdata/CASE/truth.json (QEMU's translations
 * of kernel_facts and processes[].facts, the guest's symbols, its task
 * list, memory_samples read by QEMU). Only ptwalk.h is included: this is
 * what a program linking libptwalk sees. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ptwalk.h"

static char path_buf[4096];

/* testdata/CASE/FILE under the source tree. */
static const char *data(const char *case_name, const char *file)
{
	const char *top = getenv("top_srcdir");

	snprintf(path_buf, sizeof(path_buf), "%s/testdata/%s/%s", top ? top : ".", case_name, file);
	return path_buf;
}

static struct ptwalk_dump *open_case(const char *case_name)
{
	struct ptwalk_dump *d = NULL;
	struct ptwalk_error *err = ptwalk_dump_open(data(case_name, "vmcore.kdump-zlib.flat"), NULL, &d);

	ck_assert_msg(!err, "%s: %s", case_name, err ? ptwalk_error_message(err) : "");
	return d;
}

/* truth.json kernel_facts of arm64-4k39: QEMU's gva2gpa. */
START_TEST(translate_kernel_arm64)
{
	struct ptwalk_dump *d = open_case("arm64-4k39");
	struct ptwalk_space *s;
	struct ptwalk_translation t;

	ck_assert_ptr_null(ptwalk_space_kernel(d, &s));
	ck_assert_ptr_null(ptwalk_translate(s, 0xffffffe1c105b008, &t)); /* _edata */
	ck_assert_int_eq(t.status, PTWALK_OK);
	ck_assert_uint_eq(t.pa, 0x4065b008);
	ck_assert_ptr_null(ptwalk_translate(s, 0xffffff800fffffc0, &t)); /* linear */
	ck_assert_int_eq(t.status, PTWALK_OK);
	ck_assert_uint_eq(t.pa, 0x4fffffc0);
	ck_assert_ptr_null(ptwalk_translate(s, 0xffffffc080010000, &t)); /* vmalloc */
	ck_assert_uint_eq(t.pa, 0x40827000);
	ck_assert_ptr_null(ptwalk_translate(s, 0xffffff7fffff0000, &t)); /* unmapped */
	ck_assert_int_ne(t.status, PTWALK_OK);
	ck_assert(!t.have_pa);
	ptwalk_space_close(s);
	ptwalk_dump_close(d);
}
END_TEST

static Suite *api_suite(void)
{
	Suite *s = suite_create("api");
	TCase *tc = tcase_create("translate");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, translate_kernel_arm64);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(api_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
