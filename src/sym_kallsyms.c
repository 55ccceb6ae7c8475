/* The kernel's own symbol table, kallsyms, read from the dump's memory at the
 * addresses VMCOREINFO gives (SYMBOL(kallsyms_names) and friends, exported
 * since 6.0), and decoded as kernel/kallsyms.c does.
 *
 * Format (scripts/kallsyms.c of 6.1 and 6.12):
 * - kallsyms_names: per symbol a length byte (two bytes, 7 bits each, low
 *   first, when the first has bit 7 set: 6.1+ "big" symbols), then that many
 *   token numbers. The expanded text's first character is the type letter.
 * - kallsyms_token_table: 256 NUL-terminated strings; kallsyms_token_index:
 *   256 u16 offsets of them in the table.
 * - addresses, in symbol order (sorted by address), one of:
 *   - kallsyms_offsets (s32) + kallsyms_relative_base: the address is
 *     base + (u32)offset; or, with CONFIG_KALLSYMS_ABSOLUTE_PERCPU (x86-64
 *     SMP until 6.15), an offset >= 0 is an absolute value (a per-CPU
 *     offset) and a negative one means base - 1 - offset;
 *   - kallsyms_addresses (unsigned long): absolute, on kernels built without
 *     CONFIG_KALLSYMS_BASE_RELATIVE (the option went away in 6.11, every
 *     kernel since uses offsets).
 * The tables' order differs (6.1: offsets, relative_base, num_syms, names,
 * markers, seqs_of_names, token_table, token_index; 6.12: num_syms, names,
 * markers, token_table, token_index, offsets, relative_base, seqs_of_names),
 * but in both kallsyms_token_table follows kallsyms_names and
 * kallsyms_token_index follows the token table, which bounds both. */
#include "sym.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dump.h"
#include "vmem.h"

/* KSYM_NAME_LEN is 512 since 6.1; a longer expansion is corruption. */
#define KALLSYMS_NAME_MAX 1024
/* Bounds on how much of the dump a table may span, so a corrupt
 * VMCOREINFO cannot make us read (and allocate) the whole of memory. */
#define KALLSYMS_NAMES_MAX (64u << 20)
#define KALLSYMS_TOKEN_TABLE_MAX (64u << 10)

/* Tokens are short (scripts/kallsyms.c merges pairs of symbols' bytes, a
 * few characters each): a token of up to TOKEN_SLOT bytes is copied with one
 * fixed-size copy from a zero-padded slot, which is most of the speed of
 * decoding 100,000 names; a longer one with memcpy. */
#define TOKEN_SLOT 16

struct token {
	const char *text;
	size_t len;
	char slot[TOKEN_SLOT];
};

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

static struct ptw_error *decode_tokens(const struct ptw_kallsyms_tables *t, struct token tokens[256])
{
	for (unsigned i = 0; i < 256; i++) {
		size_t idx = le16(t->token_index + 2 * i);
		const uint8_t *nul;

		if (idx >= t->token_table_len)
			return ptw_error_create(PTW_E_BAD_DATA,
						"kallsyms_token_index+0x%x: token %u at 0x%zx is past kallsyms_token_table (0x%zx bytes)",
						2 * i, i, idx, t->token_table_len);
		nul = memchr(t->token_table + idx, 0, t->token_table_len - idx);
		if (!nul)
			return ptw_error_create(PTW_E_BAD_DATA,
						"kallsyms_token_table+0x%zx: token %u runs past the table (0x%zx bytes)",
						idx, i, t->token_table_len);
		tokens[i].text = (const char *)t->token_table + idx;
		tokens[i].len = (size_t)(nul - (t->token_table + idx));
		memset(tokens[i].slot, 0, TOKEN_SLOT);
		memcpy(tokens[i].slot, tokens[i].text, tokens[i].len < TOKEN_SLOT ? tokens[i].len : TOKEN_SLOT);
	}
	return NULL;
}

/* With CONFIG_KALLSYMS_ABSOLUTE_PERCPU every symbol that is not a per-CPU
 * one is stored as a negative offset; without it every offset is below 2 GiB
 * from the base (a kernel image is smaller), so the sign bit tells. */
static bool offsets_are_absolute_percpu(const struct ptw_kallsyms_tables *t)
{
	for (uint32_t i = 0; i < t->num_syms; i++)
		if (le32(t->offsets + 4 * (size_t)i) & 0x80000000u)
			return true;
	return false;
}

static uint64_t symbol_address(const struct ptw_kallsyms_tables *t, bool absolute_percpu, uint32_t i)
{
	int32_t off;

	if (t->addresses)
		return le64(t->addresses + 8 * (size_t)i);
	off = (int32_t)le32(t->offsets + 4 * (size_t)i);
	if (!absolute_percpu)
		return t->relative_base + (uint32_t)off;
	if (off >= 0)
		return (uint64_t)off;
	return t->relative_base - 1 - (uint64_t)(int64_t)off;
}

struct ptw_error *ptw_kallsyms_decode(const struct ptw_kallsyms_tables *t, struct ptw_symtab *st)
{
	struct token tokens[256];
	char name[KALLSYMS_NAME_MAX + TOKEN_SLOT];
	struct ptw_error *err;
	bool absolute_percpu = false;
	size_t off = 0;

	if (!t->offsets == !t->addresses)
		return ptw_error_create(PTW_E_INVALID_ARGUMENT, "kallsyms: need either offsets or addresses");
	if (t->num_syms == 0)
		return ptw_error_create(PTW_E_BAD_DATA, "kallsyms_num_syms is 0");
	/* Each symbol takes at least two bytes of kallsyms_names: its length and one token. */
	if (t->num_syms > t->names_len / 2)
		return ptw_error_create(PTW_E_BAD_DATA,
					"kallsyms_num_syms = %u: kallsyms_names (0x%zx bytes up to kallsyms_token_table) cannot hold that many",
					t->num_syms, t->names_len);
	err = decode_tokens(t, tokens);
	if (err)
		return err;
	if (t->offsets)
		absolute_percpu = offsets_are_absolute_percpu(t);
	/* Names expand to about twice their compressed size. */
	err = ptw_symtab_reserve(st, t->num_syms, 3 * t->names_len);
	if (err)
		return err;

	for (uint32_t i = 0; i < t->num_syms; i++) {
		size_t len, hdr = 1, n = 0;

		if (off >= t->names_len)
			return ptw_error_create(PTW_E_BAD_DATA,
						"kallsyms_names+0x%zx: symbol %u starts past the table (0x%zx bytes)",
						off, i, t->names_len);
		len = t->names[off];
		if (len & 0x80) {
			if (off + 1 >= t->names_len)
				return ptw_error_create(PTW_E_BAD_DATA,
							"kallsyms_names+0x%zx: symbol %u's length runs past the table (0x%zx bytes)",
							off, i, t->names_len);
			len = (len & 0x7f) | (size_t)t->names[off + 1] << 7;
			hdr = 2;
		}
		if (len == 0)
			return ptw_error_create(PTW_E_BAD_DATA, "kallsyms_names+0x%zx: symbol %u is empty", off, i);
		if (len > t->names_len - off - hdr)
			return ptw_error_create(PTW_E_BAD_DATA,
						"kallsyms_names+0x%zx: symbol %u (%zu bytes) runs past the table (0x%zx bytes)",
						off, i, len, t->names_len);
		for (size_t k = 0; k < len; k++) {
			const struct token *tk = &tokens[t->names[off + hdr + k]];

			if (n + tk->len > KALLSYMS_NAME_MAX)
				return ptw_error_create(PTW_E_BAD_DATA,
							"kallsyms_names+0x%zx: symbol %u expands past %u characters",
							off, i, KALLSYMS_NAME_MAX);
			if (tk->len <= TOKEN_SLOT)
				memcpy(name + n, tk->slot, TOKEN_SLOT);
			else
				memcpy(name + n, tk->text, tk->len);
			n += tk->len;
		}
		if (n < 2)
			return ptw_error_create(PTW_E_BAD_DATA,
						"kallsyms_names+0x%zx: symbol %u has no name after its type", off, i);
		err = ptw_symtab_add(st, symbol_address(t, absolute_percpu, i), name[0], name + 1, n - 1,
				     PTW_SYM_KALLSYMS);
		if (err)
			return err;
		off += hdr + len;
	}
	return NULL;
}

/* Read [va, va + len) into a new buffer, naming the table on failure. */
static struct ptw_error *read_table(struct ptw_vmem *vm, const char *table, uint64_t va, size_t len,
				    uint8_t **ret)
{
	uint8_t *buf = malloc(len ? len : 1);
	struct ptw_error *err;

	if (!buf)
		return &ptw_enomem;
	err = ptw_vmem_read(vm, va, buf, len);
	if (err) {
		free(buf);
		return ptw_error_prepend(err, "%s at 0x%llx (0x%zx bytes)", table, (unsigned long long)va, len);
	}
	*ret = buf;
	return NULL;
}

static struct ptw_error *need_symbol(const struct ptw_vmcoreinfo *vi, const char *name, uint64_t *ret)
{
	if (ptw_vmcoreinfo_try_symbol(vi, name, ret))
		return NULL;
	return ptw_error_create(PTW_E_NOT_IMPLEMENTED,
				"VMCOREINFO has no SYMBOL(%s) (kernels export the kallsyms tables since 6.0)", name);
}

struct ptw_error *ptw_kallsyms_load(struct ptw_dump *dump, struct ptw_symtab *st)
{
	const struct ptw_vmcoreinfo *vi = &dump->vmcoreinfo;
	uint64_t names_va, num_va, table_va, index_va, offsets_va = 0, addresses_va = 0, base_va = 0;
	struct ptw_kallsyms_tables t = { 0 };
	uint8_t *names = NULL, *table = NULL, *index = NULL, *addrs = NULL;
	struct ptw_vmem *vm = NULL;
	struct ptw_error *err;
	bool relative;

	if ((err = need_symbol(vi, "kallsyms_names", &names_va)) ||
	    (err = need_symbol(vi, "kallsyms_num_syms", &num_va)) ||
	    (err = need_symbol(vi, "kallsyms_token_table", &table_va)) ||
	    (err = need_symbol(vi, "kallsyms_token_index", &index_va)))
		return err;
	relative = ptw_vmcoreinfo_try_symbol(vi, "kallsyms_offsets", &offsets_va);
	if (relative) {
		if ((err = need_symbol(vi, "kallsyms_relative_base", &base_va)))
			return err;
	} else if (!ptw_vmcoreinfo_try_symbol(vi, "kallsyms_addresses", &addresses_va)) {
		return need_symbol(vi, "kallsyms_offsets", &offsets_va);
	}
	if (table_va <= names_va || table_va - names_va > KALLSYMS_NAMES_MAX)
		return ptw_error_create(PTW_E_BAD_DATA,
					"kallsyms_token_table at 0x%llx does not follow kallsyms_names at 0x%llx within %u MiB: unknown layout",
					(unsigned long long)table_va, (unsigned long long)names_va, KALLSYMS_NAMES_MAX >> 20);
	if (index_va <= table_va)
		return ptw_error_create(PTW_E_BAD_DATA,
					"kallsyms_token_index at 0x%llx does not follow kallsyms_token_table at 0x%llx: unknown layout",
					(unsigned long long)index_va, (unsigned long long)table_va);
	t.names_len = (size_t)(table_va - names_va);
	t.token_table_len = index_va - table_va < KALLSYMS_TOKEN_TABLE_MAX ? (size_t)(index_va - table_va)
									   : KALLSYMS_TOKEN_TABLE_MAX;

	err = ptw_vmem_create(dump, &vm);
	if (err)
		return err;
	err = ptw_vmem_read_u32(vm, num_va, &t.num_syms);
	if (err) {
		err = ptw_error_prepend(err, "kallsyms_num_syms");
		goto out;
	}
	if (t.num_syms == 0 || t.num_syms > t.names_len / 2) {
		err = ptw_error_create(PTW_E_BAD_DATA,
				       "kallsyms_num_syms = %u: kallsyms_names (0x%zx bytes up to kallsyms_token_table) cannot hold that many",
				       t.num_syms, t.names_len);
		goto out;
	}
	if (relative) {
		/* kallsyms_relative_base follows kallsyms_offsets in both layouts. */
		if (base_va > offsets_va && (base_va - offsets_va) / 4 < t.num_syms) {
			err = ptw_error_create(PTW_E_BAD_DATA,
					       "kallsyms_num_syms = %u: kallsyms_offsets at 0x%llx would run into kallsyms_relative_base at 0x%llx",
					       t.num_syms, (unsigned long long)offsets_va, (unsigned long long)base_va);
			goto out;
		}
		err = ptw_vmem_read_u64(vm, base_va, &t.relative_base);
		if (err) {
			err = ptw_error_prepend(err, "kallsyms_relative_base");
			goto out;
		}
		err = read_table(vm, "kallsyms_offsets", offsets_va, 4 * (size_t)t.num_syms, &addrs);
		t.offsets = addrs;
	} else {
		err = read_table(vm, "kallsyms_addresses", addresses_va, 8 * (size_t)t.num_syms, &addrs);
		t.addresses = addrs;
	}
	if (!err)
		err = read_table(vm, "kallsyms_names", names_va, t.names_len, &names);
	if (!err)
		err = read_table(vm, "kallsyms_token_table", table_va, t.token_table_len, &table);
	if (!err)
		err = read_table(vm, "kallsyms_token_index", index_va, 512, &index);
	if (err)
		goto out;
	t.names = names;
	t.token_table = table;
	t.token_index = index;
	err = ptw_kallsyms_decode(&t, st);
out:
	free(names);
	free(table);
	free(index);
	free(addrs);
	ptw_vmem_destroy(vm);
	return err;
}
