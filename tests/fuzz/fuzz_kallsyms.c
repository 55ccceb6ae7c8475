/* Fuzz harness: the kallsyms decoder and the table built from it (finish,
 * name and address lookups, NAME+OFF, iteration). Input: a 24-byte header
 * (u32 num_syms, u32 names_len, u16 token_table_len, u8 absolute, 1 pad,
 * u64 relative_base, 4 pad), then token_index (512 bytes), the token table,
 * the names, and the offsets (4 bytes each) or addresses (8) to the end;
 * the lengths are cut to what the input holds. */
#include <stdint.h>
#include <string.h>

#include "sym.h"

static uint64_t rd(const uint8_t *p, int n)
{
	uint64_t v = 0;

	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ptw_kallsyms_tables t = { 0 };
	struct ptw_symtab *st;
	struct ptw_error *err;
	size_t off = 24 + 512, rest;
	bool absolute;

	if (size < off)
		return 0;
	t.num_syms = (uint32_t)rd(data, 4);
	t.names_len = (size_t)rd(data + 4, 4);
	t.token_table_len = (size_t)rd(data + 8, 2);
	absolute = data[10] & 1;
	t.relative_base = rd(data + 12, 8);
	t.token_index = data + 24;
	rest = size - off;
	if (t.token_table_len > rest)
		t.token_table_len = rest;
	t.token_table = data + off;
	off += t.token_table_len;
	rest = size - off;
	if (t.names_len > rest)
		t.names_len = rest;
	t.names = data + off;
	off += t.names_len;
	rest = size - off;
	/* The address table must hold num_syms entries, as the loader reads it. */
	if (rest / (absolute ? 8 : 4) < t.num_syms)
		t.num_syms = (uint32_t)(rest / (absolute ? 8 : 4));
	if (absolute)
		t.addresses = data + off;
	else
		t.offsets = data + off;

	if (ptw_symtab_create(PTW_SYM_KALLSYMS, &st))
		return 0;
	err = ptw_kallsyms_decode(&t, st);
	if (!err)
		err = ptw_symtab_finish(st);
	if (!err) {
		struct ptw_symbol s;
		uint64_t a, o;
		const char *name;
		size_t n = ptw_symtab_count(st);

		for (size_t i = 0; i < n && i < 64; i++) {
			ptw_symtab_get(st, i, &s);
			ptw_symtab_lookup_name(st, s.name, &a, NULL);
			ptw_symtab_lookup_addr(st, s.address + 1, &name, &o);
		}
		ptw_symtab_lookup_addr(st, t.relative_base, &name, &o);
		ptw_error_destroy(ptw_symtab_resolve(st, "_stext+0x10", &a));
		ptw_error_destroy(ptw_symtab_resolve(st, "start_kernel-16", &a));
	}
	ptw_error_destroy(err);
	ptw_symtab_destroy(st);
	return 0;
}
