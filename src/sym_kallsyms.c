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

#include <errno.h>
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
 * few characters each: 2.6 on average in Debian's x86-64 6.1, 19 at most):
 * a token of up to TOKEN_SLOT bytes is copied with one fixed-size copy from
 * a zero-padded slot, which is most of the speed of decoding 100,000
 * names; a longer one with memcpy. */
#define TOKEN_SLOT 32

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

static struct ptw_error *decode_tokens(const struct ptw_kallsyms_tables *t, struct token tokens[256],
				       size_t *longest_ret)
{
	*longest_ret = 0;
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
		if (tokens[i].len > *longest_ret)
			*longest_ret = tokens[i].len;
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
	size_t off = 0, longest;

	if (!t->offsets == !t->addresses)
		return ptw_error_create(PTW_E_INVALID_ARGUMENT, "kallsyms: need either offsets or addresses");
	if (t->num_syms == 0)
		return ptw_error_create(PTW_E_BAD_DATA, "kallsyms_num_syms is 0");
	/* Each symbol takes at least two bytes of kallsyms_names: its length and one token. */
	if (t->num_syms > t->names_len / 2)
		return ptw_error_create(PTW_E_BAD_DATA,
					"kallsyms_num_syms = %u: kallsyms_names (0x%zx bytes up to kallsyms_token_table) cannot hold that many",
					t->num_syms, t->names_len);
	err = decode_tokens(t, tokens, &longest);
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
		/* Most names: every token fits its slot and even len of the
		 * longest cannot reach the limit, so no check per token. */
		if (longest <= TOKEN_SLOT && len * longest <= KALLSYMS_NAME_MAX) {
			const uint8_t *p = t->names + off + hdr;

			for (size_t k = 0; k < len; k++) {
				const struct token *tk = &tokens[p[k]];

				memcpy(name + n, tk->slot, TOKEN_SLOT);
				n += tk->len;
			}
		} else for (size_t k = 0; k < len; k++) {
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
		return ptw_error_prepend(err, "%s at 0x%llx (0x%zx bytes): ", table, (unsigned long long)va, len);
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

/* Where the tables are, from VMCOREINFO, with the sizes their order implies. */
struct table_addresses {
	uint64_t names, num, token_table, token_index, offsets, addresses, relative_base;
	bool relative;
	size_t names_len, token_table_len;
};

static struct ptw_error *locate_tables(const struct ptw_vmcoreinfo *vi, struct table_addresses *a)
{
	struct ptw_error *err;

	memset(a, 0, sizeof(*a));
	if ((err = need_symbol(vi, "kallsyms_names", &a->names)) ||
	    (err = need_symbol(vi, "kallsyms_num_syms", &a->num)) ||
	    (err = need_symbol(vi, "kallsyms_token_table", &a->token_table)) ||
	    (err = need_symbol(vi, "kallsyms_token_index", &a->token_index)))
		return err;
	a->relative = ptw_vmcoreinfo_try_symbol(vi, "kallsyms_offsets", &a->offsets);
	if (a->relative) {
		if ((err = need_symbol(vi, "kallsyms_relative_base", &a->relative_base)))
			return err;
	} else if (!ptw_vmcoreinfo_try_symbol(vi, "kallsyms_addresses", &a->addresses)) {
		return need_symbol(vi, "kallsyms_offsets", &a->offsets);
	}
	if (a->token_table <= a->names || a->token_table - a->names > KALLSYMS_NAMES_MAX)
		return ptw_error_create(PTW_E_BAD_DATA,
					"kallsyms_token_table at 0x%llx does not follow kallsyms_names at 0x%llx within %u MiB: unknown layout",
					(unsigned long long)a->token_table, (unsigned long long)a->names,
					KALLSYMS_NAMES_MAX >> 20);
	if (a->token_index <= a->token_table)
		return ptw_error_create(PTW_E_BAD_DATA,
					"kallsyms_token_index at 0x%llx does not follow kallsyms_token_table at 0x%llx: unknown layout",
					(unsigned long long)a->token_index, (unsigned long long)a->token_table);
	a->names_len = (size_t)(a->token_table - a->names);
	a->token_table_len = a->token_index - a->token_table < KALLSYMS_TOKEN_TABLE_MAX
				     ? (size_t)(a->token_index - a->token_table)
				     : KALLSYMS_TOKEN_TABLE_MAX;
	return NULL;
}

/* kallsyms_num_syms, checked against the room the tables have, and
 * kallsyms_relative_base where there is one. */
static struct ptw_error *read_count(struct ptw_vmem *vm, const struct table_addresses *a,
				   struct ptw_kallsyms_tables *t)
{
	struct ptw_error *err = ptw_vmem_read_u32(vm, a->num, &t->num_syms);

	if (err)
		return ptw_error_prepend(err, "kallsyms_num_syms: ");
	if (t->num_syms == 0 || t->num_syms > a->names_len / 2)
		return ptw_error_create(PTW_E_BAD_DATA,
					"kallsyms_num_syms = %u: kallsyms_names (0x%zx bytes up to kallsyms_token_table) cannot hold that many",
					t->num_syms, a->names_len);
	if (!a->relative)
		return NULL;
	/* kallsyms_relative_base follows kallsyms_offsets in both layouts. */
	if (a->relative_base > a->offsets && (a->relative_base - a->offsets) / 4 < t->num_syms)
		return ptw_error_create(PTW_E_BAD_DATA,
					"kallsyms_num_syms = %u: kallsyms_offsets at 0x%llx would run into kallsyms_relative_base at 0x%llx",
					t->num_syms, (unsigned long long)a->offsets, (unsigned long long)a->relative_base);
	err = ptw_vmem_read_u64(vm, a->relative_base, &t->relative_base);
	if (err)
		return ptw_error_prepend(err, "kallsyms_relative_base: ");
	return NULL;
}

/* kallsyms_num_syms, checked against the room the tables have; and the
 * address table read (offsets with the base, or absolute addresses). */
static struct ptw_error *read_count_and_addresses(struct ptw_vmem *vm, const struct table_addresses *a,
						  struct ptw_kallsyms_tables *t, uint8_t **addrs_ret)
{
	struct ptw_error *err = read_count(vm, a, t);

	if (err)
		return err;
	if (!a->relative)
		return read_table(vm, "kallsyms_addresses", a->addresses, 8 * (size_t)t->num_syms, addrs_ret);
	return read_table(vm, "kallsyms_offsets", a->offsets, 4 * (size_t)t->num_syms, addrs_ret);
}

/* kallsyms_names, read a block at a time only as far as its num_syms
 * entries go: on 6.1 the bound (kallsyms_token_table) also covers
 * kallsyms_markers and kallsyms_seqs_of_names, a fifth more to decompress.
 * *len_ret is where the entries end (or the bound, if they do not end
 * before it: the decoder then names the entry that runs past). */
#define NAMES_BLOCK (64u << 10)

static struct ptw_error *read_names(struct ptw_vmem *vm, uint64_t va, size_t bound, uint32_t num_syms,
				    uint8_t **ret, size_t *len_ret)
{
	uint8_t *buf = malloc(bound ? bound : 1);
	size_t have = 0, pos = 0;
	uint32_t seen = 0;

	if (!buf)
		return &ptw_enomem;
	while (have < bound) {
		size_t n = bound - have < NAMES_BLOCK ? bound - have : NAMES_BLOCK;
		struct ptw_error *err = ptw_vmem_read(vm, va + have, buf + have, n);

		if (err) {
			free(buf);
			return ptw_error_prepend(err, "kallsyms_names at 0x%llx (0x%zx bytes): ",
						 (unsigned long long)va, bound);
		}
		have += n;
		/* Step over every entry whose length bytes are in: each step
		 * moves pos forward, so this ends within have. */
		while (seen < num_syms && pos < have) {
			size_t len = buf[pos], hdr = 1;

			if (len & 0x80) {
				if (pos + 1 >= have)
					break;
				len = (len & 0x7f) | (size_t)buf[pos + 1] << 7;
				hdr = 2;
			}
			pos += hdr + len;
			seen++;
		}
		if (seen == num_syms && pos <= have)
			break;
	}
	*ret = buf;
	*len_ret = seen == num_syms && pos <= have ? pos : have;
	return NULL;
}

struct ptw_error *ptw_kallsyms_load(struct ptw_dump *dump, struct ptw_symtab *st)
{
	struct table_addresses a;
	struct ptw_kallsyms_tables t = { 0 };
	uint8_t *names = NULL, *table = NULL, *index = NULL, *addrs = NULL;
	struct ptw_vmem *vm = NULL;
	struct ptw_error *err = locate_tables(&dump->vmcoreinfo, &a);

	if (err)
		return err;
	t.names_len = a.names_len;
	t.token_table_len = a.token_table_len;
	err = ptw_vmem_create(dump, &vm);
	if (err)
		return err;
	err = read_count_and_addresses(vm, &a, &t, &addrs);
	if (!err) {
		if (a.relative)
			t.offsets = addrs;
		else
			t.addresses = addrs;
		err = read_names(vm, a.names, a.names_len, t.num_syms, &names, &t.names_len);
	}
	if (!err)
		err = read_table(vm, "kallsyms_token_table", a.token_table, t.token_table_len, &table);
	if (!err)
		err = read_table(vm, "kallsyms_token_index", a.token_index, 512, &index);
	if (!err) {
		t.names = names;
		t.token_table = table;
		t.token_index = index;
		err = ptw_kallsyms_decode(&t, st);
	}
	free(names);
	free(table);
	free(index);
	free(addrs);
	ptw_vmem_destroy(vm);
	return err;
}

/* The address table read an entry at a time (the probe looks at a few
 * dozen of its entries, not all of them): through the reader's page
 * translation and the dump's block cache, each read is a copy. The first
 * error is kept and every address after it reads as 0. */
struct lazy_addresses {
	struct ptw_vmem *vm;
	const struct table_addresses *a;
	uint64_t relative_base;
	bool absolute_percpu;
	struct ptw_error *err;
};

static uint64_t lazy_address(struct lazy_addresses *la, uint32_t i)
{
	if (la->err)
		return 0;
	if (!la->a->relative) {
		uint64_t v = 0;

		la->err = ptw_vmem_read_u64(la->vm, la->a->addresses + 8 * (uint64_t)i, &v);
		if (la->err)
			la->err = ptw_error_prepend(la->err, "kallsyms_addresses[%u]: ", i);
		return v;
	}
	uint32_t raw = 0;
	int32_t off;

	la->err = ptw_vmem_read_u32(la->vm, la->a->offsets + 4 * (uint64_t)i, &raw);
	if (la->err) {
		la->err = ptw_error_prepend(la->err, "kallsyms_offsets[%u]: ", i);
		return 0;
	}
	off = (int32_t)raw;
	if (!la->absolute_percpu)
		return la->relative_base + (uint32_t)off;
	if (off >= 0)
		return (uint64_t)off;
	return la->relative_base - 1 - (uint64_t)(int64_t)off;
}

/* How many symbols have an address below address (the list is sorted). */
static uint32_t count_below(struct lazy_addresses *la, uint32_t num_syms, uint64_t address)
{
	uint32_t lo = 0, hi = num_syms;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (lazy_address(la, mid) < address)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool has_address(struct lazy_addresses *la, uint32_t num_syms, uint64_t address)
{
	uint32_t i = count_below(la, num_syms, address);

	return i < num_syms && lazy_address(la, i) == address;
}

/* Decode the first n names only (up to and including the symbols at
 * VMCOREINFO's _stext, near the start of the table) and check that one of
 * those at _stext's address is called _stext: the names' check of the full
 * load, for the price of a few KiB. */
static struct ptw_error *check_stext_name(struct ptw_vmem *vm, const struct table_addresses *a,
					  struct ptw_kallsyms_tables *t, uint32_t n, uint64_t stext)
{
	struct ptw_kallsyms_tables part = *t;
	uint8_t *names = NULL, *table = NULL, *index = NULL;
	struct ptw_symtab *st = NULL;
	struct ptw_error *err;
	uint64_t got;

	err = read_names(vm, a->names, a->names_len, n, &names, &part.names_len);
	if (!err)
		err = read_table(vm, "kallsyms_token_table", a->token_table, a->token_table_len, &table);
	if (!err)
		err = read_table(vm, "kallsyms_token_index", a->token_index, 512, &index);
	if (!err)
		err = ptw_symtab_create(PTW_SYM_KALLSYMS, &st);
	if (!err) {
		part.num_syms = n;
		part.token_table_len = a->token_table_len;
		part.names = names;
		part.token_table = table;
		part.token_index = index;
		err = ptw_kallsyms_decode(&part, st);
	}
	if (!err)
		err = ptw_symtab_finish(st);
	if (!err) {
		struct ptw_symbol s;
		size_t pos = 0;
		bool found = false;

		while (!found && ptw_symtab_next_by_name(st, "_stext", &pos, &s))
			found = s.address == stext;
		if (!found) {
			got = 0;
			if (ptw_symtab_lookup_name(st, "_stext", &got, NULL))
				err = ptw_error_create(PTW_E_BAD_DATA, "_stext is 0x%llx, VMCOREINFO SYMBOL(_stext) is 0x%llx",
						       (unsigned long long)got, (unsigned long long)stext);
			else
				err = ptw_error_create(PTW_E_BAD_DATA,
						       "no symbol at VMCOREINFO SYMBOL(_stext)=0x%llx is called _stext",
						       (unsigned long long)stext);
		}
	}
	ptw_symtab_destroy(st);
	free(names);
	free(table);
	free(index);
	return err;
}

struct ptw_error *ptw_kallsyms_probe(struct ptw_dump *dump, struct ptw_kallsyms_probe *ret)
{
	const struct ptw_vmcoreinfo *vi = &dump->vmcoreinfo;
	struct table_addresses a;
	struct ptw_kallsyms_tables t = { 0 };
	uint8_t *addrs = NULL;
	struct ptw_vmem *vm = NULL;
	struct ptw_error *err = locate_tables(vi, &a);
	struct lazy_addresses la = { .a = &a };
	uint64_t stext;

	if (err)
		return err;
	err = ptw_vmem_create(dump, &vm);
	if (err)
		return err;
	la.vm = vm;
	err = read_count(vm, &a, &t);
	if (err)
		goto out;
	if (a.relative) {
		uint32_t last;

		/* With CONFIG_KALLSYMS_ABSOLUTE_PERCPU every kernel symbol is
		 * a negative offset, the last (highest) one included; without
		 * it none is (see offsets_are_absolute_percpu). */
		err = ptw_vmem_read_u32(vm, a.offsets + 4 * (uint64_t)(t.num_syms - 1), &last);
		if (err) {
			err = ptw_error_prepend(err, "kallsyms_offsets: ");
			goto out;
		}
		la.absolute_percpu = (last & 0x80000000u) != 0;
		la.relative_base = t.relative_base;
	}
	/* The addresses are sorted (per-CPU values, when absolute, first). */
	if (ptw_vmcoreinfo_try_symbol(vi, "_stext", &stext)) {
		uint32_t first = count_below(&la, t.num_syms, stext), end = first;
		bool at_stext = !la.err && first < t.num_syms && lazy_address(&la, first) == stext;

		if (la.err) {
			err = la.err;
			la.err = NULL;
			goto out;
		}
		if (!at_stext) {
			err = ptw_error_create(PTW_E_BAD_DATA,
					       "no kallsyms address is VMCOREINFO SYMBOL(_stext)=0x%llx",
					       (unsigned long long)stext);
			goto out;
		}
		/* Symbols sharing the address: bounded by the table. */
		while (end < t.num_syms && lazy_address(&la, end) == stext)
			end++;
		if (la.err) {
			err = la.err;
			la.err = NULL;
			goto out;
		}
		/* The decoder wants the addresses of the names it decodes. */
		err = a.relative ? read_table(vm, "kallsyms_offsets", a.offsets, 4 * (size_t)end, &addrs)
				 : read_table(vm, "kallsyms_addresses", a.addresses, 8 * (size_t)end, &addrs);
		if (err)
			goto out;
		if (a.relative)
			t.offsets = addrs;
		else
			t.addresses = addrs;
		err = check_stext_name(vm, &a, &t, end, stext);
		if (err)
			goto out;
	}
	/* A data symbol VMCOREINFO names (init_uts_ns, prb, ...) is at one of
	 * the addresses only when the kernel has CONFIG_KALLSYMS_ALL. */
	ret->data_symbols = false;
	for (size_t i = 0; i < vi->count && !ret->data_symbols; i++) {
		const char *k = vi->entries[i].key;
		uint64_t v;

		if (strncmp(k, "SYMBOL(", 7) != 0 || strncmp(k, "SYMBOL(kallsyms_", 16) == 0 ||
		    strcmp(k, "SYMBOL(_stext)") == 0 || strcmp(k, "SYMBOL(mem_section)") == 0 ||
		    strcmp(k, "SYMBOL(vmemmap)") == 0 || strcmp(k, "SYMBOL(mem_map)") == 0 ||
		    strcmp(k, "SYMBOL(swapper_pg_dir)") == 0 || strcmp(k, "SYMBOL(init_top_pgt)") == 0)
			continue;
		errno = 0;
		v = strtoull(vi->entries[i].value, NULL, 16);
		if (!errno && has_address(&la, t.num_syms, v))
			ret->data_symbols = true;
	}
	if (la.err) {
		err = la.err;
		la.err = NULL;
		goto out;
	}
	ret->count = t.num_syms;
out:
	ptw_error_destroy(la.err);
	free(addrs);
	ptw_vmem_destroy(vm);
	return err;
}
