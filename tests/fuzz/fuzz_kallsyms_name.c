/* Fuzz harness: one kallsyms name looked up without decoding the table
 * (ptw_kallsyms_find_name: the layout guess, the markers check, the
 * bisection of kallsyms_seqs_of_names and each name's expansion). Input: a
 * 32-byte header (u32 offsets in the image of num_syms, names, token_table,
 * token_index, offsets, relative_base; u8 flags, bit 0: addresses instead of
 * offsets; 7 bytes: the first name looked up), then the memory image, mapped
 * at 0x10000 (reads outside it fail). Three fixed names are looked up too,
 * and an address (from the name bytes) named and checked for _stext. */
#include <stdint.h>
#include <string.h>

#include "fuzz_image.h"
#include "sym.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_image im;
	struct ptw_kallsyms_where w = { 0 };
	struct ptw_kallsyms_reader r = { .read = fuzz_image_read, .arg = &im };
	char first[16];
	const char *names[] = { first, "_stext", "__start_BTF", "" };

	if (size < 32)
		return 0;
	im.p = data + 32;
	im.len = size - 32;
	w.num_syms = FUZZ_IMAGE_BASE + (uint64_t)fuzz_le32(data);
	w.names = FUZZ_IMAGE_BASE + (uint64_t)fuzz_le32(data + 4);
	w.token_table = FUZZ_IMAGE_BASE + (uint64_t)fuzz_le32(data + 8);
	w.token_index = FUZZ_IMAGE_BASE + (uint64_t)fuzz_le32(data + 12);
	if (data[24] & 1) {
		w.addresses = FUZZ_IMAGE_BASE + (uint64_t)fuzz_le32(data + 16);
	} else {
		w.offsets = FUZZ_IMAGE_BASE + (uint64_t)fuzz_le32(data + 16);
		w.relative_base = FUZZ_IMAGE_BASE + (uint64_t)fuzz_le32(data + 20);
	}
	memcpy(first, data + 25, 7);
	first[7] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		bool found;
		uint64_t address;
		struct ptw_error *err = ptw_kallsyms_find_name(&r, &w, names[i], &found, &address);

		ptw_error_destroy(err);
	}
	/* The address side: an address taken from the header's name bytes. */
	{
		uint64_t va = 0xffff000000000000u | (uint64_t)fuzz_le32(data + 25), address;
		char name[PTW_KALLSYMS_NAME_MAX + 1], type;
		bool sure, at;
		struct ptw_error *err = ptw_kallsyms_find_addr(&r, &w, va, &sure, name, &type, &address);

		ptw_error_destroy(err);
		err = ptw_kallsyms_named_at(&r, &w, "_stext", va, &at);
		ptw_error_destroy(err);
	}
	return 0;
}
