/* The ELF segment map: segments in any order, holes, p_filesz < p_memsz,
 * reads across segment boundaries, QEMU's header quirks, and bad headers. */
#include <check.h>
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "source.h"

struct test_segment {
	uint64_t pa, mem_size, file_size;
	unsigned char fill; /* each byte = fill + (offset & 0x3f) */
};

/* Write an ELF64 core with the given segments. qemu_quirks puts e_ehsize=8
 * and the program headers away from the ELF header, as QEMU 7.2 does. */
static char *write_core(const struct test_segment *segs, size_t n, bool qemu_quirks,
			uint64_t bogus_extra_offset)
{
	char *path = strdup("/tmp/ptw-check-elf-XXXXXX");
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	FILE *f = fdopen(fd, "w+b");
	const char vmci[] = "OSRELEASE=6.1.0-test\nPAGESIZE=4096\n";
	unsigned char note[12 + 12 + sizeof(vmci) + 3] = { 0 };
	uint32_t hdr[3] = { 11, sizeof(vmci) - 1, 0 };
	memcpy(note, hdr, sizeof(hdr));
	memcpy(note + 12, "VMCOREINFO", 11);
	memcpy(note + 24, vmci, sizeof(vmci) - 1);
	size_t note_len = 24 + ((sizeof(vmci) - 1 + 3) & ~3u);

	uint64_t phoff = qemu_quirks ? 0x400 : sizeof(Elf64_Ehdr);
	uint64_t note_off = 0x2000;
	uint64_t data_off = 0x3000;
	Elf64_Ehdr eh = { 0 };
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_CORE;
	eh.e_machine = EM_AARCH64;
	eh.e_version = EV_CURRENT;
	eh.e_phoff = phoff;
	eh.e_ehsize = qemu_quirks ? 8 : sizeof(Elf64_Ehdr);
	eh.e_phentsize = sizeof(Elf64_Phdr);
	eh.e_phnum = (Elf64_Half)(n + 1);
	fwrite(&eh, sizeof(eh), 1, f);
	Elf64_Phdr ph = { .p_type = PT_NOTE, .p_offset = note_off, .p_filesz = note_len, .p_memsz = note_len };
	fseek(f, (long)phoff, SEEK_SET);
	fwrite(&ph, sizeof(ph), 1, f);
	uint64_t off = data_off;
	for (size_t i = 0; i < n; i++) {
		Elf64_Phdr l = { .p_type = PT_LOAD, .p_offset = off + (i == 0 ? bogus_extra_offset : 0),
				 .p_paddr = segs[i].pa, .p_vaddr = 0, .p_filesz = segs[i].file_size,
				 .p_memsz = segs[i].mem_size };
		fwrite(&l, sizeof(l), 1, f);
		off += segs[i].file_size;
	}
	fseek(f, (long)note_off, SEEK_SET);
	fwrite(note, note_len, 1, f);
	off = data_off;
	for (size_t i = 0; i < n; i++) {
		fseek(f, (long)off, SEEK_SET);
		for (uint64_t b = 0; b < segs[i].file_size; b++)
			fputc((unsigned char)(segs[i].fill + (b & 0x3f)), f);
		off += segs[i].file_size;
	}
	fclose(f);
	return path;
}

static const struct test_segment unsorted[] = {
	{ 0x80000000, 0x2000, 0x2000, 0x40 },
	{ 0x40000000, 0x3000, 0x3000, 0x80 },
	{ 0x40003000, 0x1000, 0x1000, 0xc0 }, /* continues the previous one */
	{ 0x90000000, 0x4000, 0x1000, 0x10 }, /* 3 pages not saved */
};

START_TEST(test_segments_and_reads)
{
	char *path = write_core(unsorted, 4, _i == 1, 0);
	struct ptw_source *src;
	struct ptw_error *err = ptw_source_open(path, &src);
	ck_assert_msg(err == NULL, "open: %s", err ? err->message : "");
	ck_assert_str_eq(src->format, "elf64");
	ck_assert_uint_eq(src->elf_machine, EM_AARCH64);
	ck_assert_ptr_nonnull(src->vmcoreinfo);
	ck_assert_str_eq(src->vmcoreinfo, "OSRELEASE=6.1.0-test\nPAGESIZE=4096\n");

	unsigned char b[16];
	ck_assert_ptr_null(ptw_source_read_phys(src, 0x40000005, b, 1));
	ck_assert_uint_eq(b[0], 0x85);
	/* Across the boundary of two segments that continue each other. */
	ck_assert_ptr_null(ptw_source_read_phys(src, 0x40002ff8, b, 16));
	ck_assert_uint_eq(b[0], 0x80 + 0x38);
	ck_assert_uint_eq(b[8], 0xc0);
	ck_assert_ptr_null(ptw_source_read_phys(src, 0x80001040, b, 1));
	ck_assert_uint_eq(b[0], 0x40);

	err = ptw_source_read_phys(src, 0x50000000, b, 8);
	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(err->code, PTW_E_NOT_PRESENT);
	ck_assert_uint_eq(err->address, 0x50000000);
	ptw_error_destroy(err);
	/* Memory past p_filesz is absent, not zero. */
	err = ptw_source_read_phys(src, 0x90000ffc, b, 8);
	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(err->code, PTW_E_NOT_PRESENT);
	ck_assert_uint_eq(err->address, 0x90001000);
	ptw_error_destroy(err);
	ck_assert(ptw_source_is_present(src, 0x90000000));
	ck_assert(!ptw_source_is_present(src, 0x90001000));

	uint64_t present, excluded;
	ck_assert_ptr_null(src->ops->count_pages(src, 4096, &present, &excluded));
	ck_assert_uint_eq(present, 2 + 3 + 1 + 1);
	ck_assert_uint_eq(excluded, 3);
	ptw_source_close(src);
	unlink(path);
	free(path);
}
END_TEST

static bool collect(const struct ptw_phys_range *r, void *arg)
{
	struct ptw_phys_range *out = arg;
	for (; out->end; out++)
		;
	*out = *r;
	return true;
}

START_TEST(test_ranges_merged_in_order)
{
	char *path = write_core(unsorted, 4, false, 0);
	struct ptw_source *src;
	ck_assert_ptr_null(ptw_source_open(path, &src));
	struct ptw_phys_range r[8] = { { 0 } };
	ck_assert_ptr_null(ptw_source_for_each_range(src, collect, r));
	ck_assert_uint_eq(r[0].start, 0x40000000);
	ck_assert_uint_eq(r[0].end, 0x40004000);
	ck_assert_uint_eq(r[1].start, 0x80000000);
	ck_assert_uint_eq(r[2].start, 0x90000000);
	ck_assert_uint_eq(r[2].end, 0x90004000);
	ck_assert_uint_eq(r[3].end, 0);
	ptw_source_close(src);
	unlink(path);
	free(path);
}
END_TEST

/* A PT_LOAD past the end of the file (a truncated copy): the dump opens as
 * incomplete, that segment is not in the dump, the others read. */
START_TEST(test_load_beyond_eof)
{
	char *path = write_core(unsorted, 4, false, 0x100000);
	struct ptw_source *src;
	unsigned char b[16];
	struct ptw_error *err = ptw_source_open(path, &src);
	ck_assert_ptr_null(err);
	ck_assert(src->incomplete);
	ck_assert(!ptw_source_is_present(src, 0x80000000));
	err = ptw_source_read_phys(src, 0x80000000, b, sizeof(b));
	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(err->code, PTW_E_NOT_PRESENT);
	ptw_error_destroy(err);
	ck_assert_ptr_null(ptw_source_read_phys(src, 0x40000000, b, sizeof(b)));
	ptw_source_close(src);
	unlink(path);
	free(path);
}
END_TEST

START_TEST(test_truncated_header)
{
	char *path = write_core(unsorted, 4, false, 0);
	ck_assert_int_eq(truncate(path, 40), 0);
	struct ptw_source *src;
	struct ptw_error *err = ptw_source_open(path, &src);
	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(err->code, PTW_E_BAD_DATA);
	ck_assert(err->has_offset);
	ptw_error_destroy(err);
	unlink(path);
	free(path);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("elf");
	TCase *tc = tcase_create("segments");
	tcase_add_loop_test(tc, test_segments_and_reads, 0, 2);
	tcase_add_test(tc, test_ranges_merged_in_order);
	tcase_add_test(tc, test_load_beyond_eof);
	tcase_add_test(tc, test_truncated_header);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
