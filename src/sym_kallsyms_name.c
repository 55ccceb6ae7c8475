/* One kallsyms name looked up in the dump without decoding the table, as
 * the kernel's own kallsyms_lookup_name() does (kernel/kallsyms.c): a
 * bisection of kallsyms_seqs_of_names (every symbol's index, 3 bytes big
 * endian, in name order), each step expanding one name, found through
 * kallsyms_markers (the offset in kallsyms_names of every 256th entry).
 * A few dozen pages of the dump instead of the whole of kallsyms_names.
 *
 * VMCOREINFO names neither table; scripts/kallsyms.c places them (each
 * label aligned to 8 bytes on 64-bit kernels):
 * - 6.1 (Debian's carries seqs_of_names, upstream since 6.2): ... names,
 *   markers, seqs_of_names, token_table, token_index;
 * - 6.12: num_syms, names, markers, token_table, token_index, offsets,
 *   relative_base, seqs_of_names.
 * So markers end just before seqs_of_names or token_table, and
 * seqs_of_names just before token_table or just after relative_base. The
 * markers found there must start at 0 and rise inside kallsyms_names, and a
 * name only counts as found when its expansion equals the one asked for:
 * a wrong guess of the layout finds nothing, never a wrong address. */
#include "sym.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dump.h"
#include "vmem.h"

#define NAME_MAX_LEN PTW_KALLSYMS_NAME_MAX
/* A name's length is one or two ULEB128 bytes: at most 0x3fff tokens. */
#define ENTRY_MAX (0x3fff + 2)
/* Bounds on what a corrupt count could make us read. */
#define MAX_SYMS (1u << 24)
#define WINDOW 4096

struct lookup {
	const struct ptw_kallsyms_reader *r;
	const struct ptw_kallsyms_where *w;
	uint32_t num_syms;
	uint64_t markers, seqs;
	uint64_t names_end; /* where the markers start: no entry goes past it */
	uint8_t token_index[512];
	uint8_t token_table[4096];
	size_t token_table_len;
	/* The last WINDOW bytes of kallsyms_names read, at window_va. */
	uint8_t window[WINDOW];
	uint64_t window_va;
	size_t window_len;
	/* Base-relative tables: the base, and CONFIG_KALLSYMS_ABSOLUTE_PERCPU. */
	uint64_t relative_base;
	bool absolute_percpu;
};

static struct ptw_error *read_mem(const struct lookup *l, const char *table, uint64_t va, void *buf, size_t len)
{
	struct ptw_error *err = l->r->read(l->r->arg, va, buf, len);

	if (err)
		return ptw_error_prepend(err, "%s at 0x%llx: ", table, (unsigned long long)va);
	return NULL;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Byte va of kallsyms_names (below names_end), through the window. */
static struct ptw_error *names_byte(struct lookup *l, uint64_t va, uint8_t *ret)
{
	if (va < l->w->names || va >= l->names_end)
		return ptw_error_create(PTW_E_BAD_DATA, "kallsyms_names+0x%llx: past the table (which ends at +0x%llx)",
					(unsigned long long)(va - l->w->names),
					(unsigned long long)(l->names_end - l->w->names));
	if (va - l->window_va >= l->window_len) {
		uint64_t start = va & ~(uint64_t)(WINDOW - 1);
		size_t len = l->names_end - start < WINDOW ? (size_t)(l->names_end - start) : WINDOW;
		struct ptw_error *err;

		if (start < l->w->names) {
			len -= (size_t)(l->w->names - start);
			start = l->w->names;
		}
		l->window_len = 0;
		err = read_mem(l, "kallsyms_names", start, l->window, len);
		if (err)
			return err;
		l->window_va = start;
		l->window_len = len;
	}
	*ret = l->window[va - l->window_va];
	return NULL;
}

/* Entry at va: its token count and where the tokens start. */
static struct ptw_error *entry_at(struct lookup *l, uint64_t va, size_t *len_ret, uint64_t *tokens_ret)
{
	uint8_t b0, b1;
	struct ptw_error *err = names_byte(l, va, &b0);

	if (err)
		return err;
	if (!(b0 & 0x80)) {
		*len_ret = b0;
		*tokens_ret = va + 1;
		return NULL;
	}
	err = names_byte(l, va + 1, &b1);
	if (err)
		return err;
	*len_ret = (size_t)(b0 & 0x7f) | (size_t)b1 << 7;
	*tokens_ret = va + 2;
	return NULL;
}

/* Symbol index's name (its type letter first), NUL-terminated, in buf. */
static struct ptw_error *expand(struct lookup *l, uint32_t index, char buf[NAME_MAX_LEN + 1])
{
	uint8_t m[4];
	uint64_t va, tokens;
	size_t len, n = 0;
	struct ptw_error *err = read_mem(l, "kallsyms_markers", l->markers + 4 * (uint64_t)(index >> 8), m, 4);

	if (err)
		return err;
	va = l->w->names + le32(m);
	/* At most 255 entries between a marker and the symbol. */
	for (uint32_t k = 0; k < (index & 0xff); k++) {
		if ((err = entry_at(l, va, &len, &tokens)))
			return err;
		va = tokens + len;
	}
	if ((err = entry_at(l, va, &len, &tokens)))
		return err;
	for (size_t k = 0; k < len; k++) {
		uint8_t t;
		size_t at, tl;

		if ((err = names_byte(l, tokens + k, &t)))
			return err;
		at = (size_t)l->token_index[2 * t] | (size_t)l->token_index[2 * t + 1] << 8;
		if (at >= l->token_table_len)
			return ptw_error_create(PTW_E_BAD_DATA, "kallsyms_token_index: token %u at 0x%zx is past kallsyms_token_table",
						t, at);
		tl = strnlen((const char *)l->token_table + at, l->token_table_len - at);
		if (n + tl > NAME_MAX_LEN)
			return ptw_error_create(PTW_E_BAD_DATA, "kallsyms_names+0x%llx: symbol %u expands past %u characters",
						(unsigned long long)(va - l->w->names), index, NAME_MAX_LEN);
		memcpy(buf + n, l->token_table + at, tl);
		n += tl;
	}
	buf[n] = '\0';
	return NULL;
}

/* As the kernel compares (cleanup_symbol_name): a clang LTO suffix is not
 * part of the name the table is sorted by. */
static int compare_name(const char *want, const char *got)
{
	const char *suffix = strstr(got, ".llvm.");
	size_t n = suffix ? (size_t)(suffix - got) : strlen(got);
	int c = strncmp(want, got, n);

	if (c)
		return c;
	return want[n] != '\0';
}

/* The markers where the layout puts them: 0 first, rising, inside the names. */
static bool markers_plausible(struct lookup *l)
{
	uint32_t count = (l->num_syms + 255) / 256, prev = 0;
	uint8_t b[4];

	for (uint32_t i = 0; i < count; i++) {
		uint32_t v;
		struct ptw_error *err = l->r->read(l->r->arg, l->markers + 4 * (uint64_t)i, b, 4);

		if (err) {
			ptw_error_destroy(err);
			return false;
		}
		v = le32(b);
		if ((i == 0 && v != 0) || (i > 0 && v <= prev) || v >= l->names_end - l->w->names)
			return false;
		prev = v;
	}
	return true;
}

static uint64_t align_down8(uint64_t v)
{
	return v & ~(uint64_t)7;
}

/* Read the count and the token tables, and place the markers and
 * seqs_of_names; *ret is freed by the caller. */
static struct ptw_error *open_lookup(const struct ptw_kallsyms_reader *r, const struct ptw_kallsyms_where *w,
				     struct lookup **ret)
{
	struct lookup *l;
	struct ptw_error *err;
	uint8_t b[8];
	uint32_t count;

	*ret = NULL;
	if (!w->offsets == !w->addresses || w->token_table <= w->names || w->token_index <= w->token_table)
		return ptw_error_create(PTW_E_NOT_IMPLEMENTED, "kallsyms: unknown table layout");
	l = calloc(1, sizeof(*l));
	if (!l)
		return &ptw_enomem;
	*ret = l;
	l->r = r;
	l->w = w;
	if ((err = read_mem(l, "kallsyms_num_syms", w->num_syms, b, 4)))
		return err;
	l->num_syms = le32(b);
	count = (l->num_syms + 255) / 256;
	if (l->num_syms == 0 || l->num_syms > MAX_SYMS ||
	    w->token_table - w->names < 2 * (uint64_t)l->num_syms + 4 * (uint64_t)count)
		return ptw_error_create(PTW_E_BAD_DATA, "kallsyms_num_syms = %u: the tables cannot hold that many",
					l->num_syms);
	if (w->offsets && w->offsets > w->token_index) {
		/* 6.12: markers before the token table, seqs after the base. */
		l->markers = align_down8(w->token_table - 4 * (uint64_t)count);
		l->seqs = w->relative_base + 8;
	} else {
		/* 6.1: markers, then seqs, before the token table. */
		l->seqs = align_down8(w->token_table - 3 * (uint64_t)l->num_syms);
		l->markers = align_down8(l->seqs - 4 * (uint64_t)count);
	}
	l->names_end = l->markers;
	if (l->markers <= w->names || l->markers - w->names < 2 * (uint64_t)l->num_syms || !markers_plausible(l))
		return ptw_error_create(PTW_E_NOT_IMPLEMENTED,
					"kallsyms: no kallsyms_markers and kallsyms_seqs_of_names where the known layouts put them");
	l->token_table_len = w->token_index - w->token_table < sizeof(l->token_table)
				     ? (size_t)(w->token_index - w->token_table)
				     : sizeof(l->token_table);
	if ((err = read_mem(l, "kallsyms_token_table", w->token_table, l->token_table, l->token_table_len)) ||
	    (err = read_mem(l, "kallsyms_token_index", w->token_index, l->token_index, sizeof(l->token_index))))
		return err;
	if (w->offsets) {
		uint8_t last[4];

		if ((err = read_mem(l, "kallsyms_offsets", w->offsets + 4 * (uint64_t)(l->num_syms - 1), last, 4)) ||
		    (err = read_mem(l, "kallsyms_relative_base", w->relative_base, b, 8)))
			return err;
		/* CONFIG_KALLSYMS_ABSOLUTE_PERCPU stores every kernel symbol,
		 * the last one included, as a negative offset. */
		l->absolute_percpu = (le32(last) & 0x80000000u) != 0;
		l->relative_base = (uint64_t)le32(b) | (uint64_t)le32(b + 4) << 32;
	}
	return NULL;
}

/* Symbol i's address, as the loader computes it. */
static struct ptw_error *address_of(struct lookup *l, uint32_t i, uint64_t *ret)
{
	uint8_t b[8];
	struct ptw_error *err;
	int32_t off;

	if (l->w->addresses) {
		if ((err = read_mem(l, "kallsyms_addresses", l->w->addresses + 8 * (uint64_t)i, b, 8)))
			return err;
		*ret = (uint64_t)le32(b) | (uint64_t)le32(b + 4) << 32;
		return NULL;
	}
	if ((err = read_mem(l, "kallsyms_offsets", l->w->offsets + 4 * (uint64_t)i, b, 4)))
		return err;
	off = (int32_t)le32(b);
	if (!l->absolute_percpu)
		*ret = l->relative_base + (uint32_t)off;
	else if (off >= 0)
		*ret = (uint64_t)off;
	else
		*ret = l->relative_base - 1 - (uint64_t)(int64_t)off;
	return NULL;
}

struct ptw_error *ptw_kallsyms_find_name(const struct ptw_kallsyms_reader *r, const struct ptw_kallsyms_where *w,
					 const char *name, bool *found_ret, uint64_t *address_ret)
{
	struct lookup *l;
	struct ptw_error *err;
	uint8_t b[8];
	uint32_t lo, hi;
	char buf[NAME_MAX_LEN + 1];

	*found_ret = false;
	err = open_lookup(r, w, &l);
	if (err)
		goto out;
	/* Bisection: at most 25 steps for 2^24 symbols. */
	lo = 0;
	hi = l->num_syms;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2, seq;
		int c;

		if ((err = read_mem(l, "kallsyms_seqs_of_names", l->seqs + 3 * (uint64_t)mid, b, 3)))
			goto out;
		seq = (uint32_t)b[0] << 16 | (uint32_t)b[1] << 8 | b[2];
		if (seq >= l->num_syms) {
			err = ptw_error_create(PTW_E_BAD_DATA, "kallsyms_seqs_of_names+0x%llx: index %u of %u symbols",
					       3 * (unsigned long long)mid, seq, l->num_syms);
			goto out;
		}
		if ((err = expand(l, seq, buf)))
			goto out;
		if (buf[0] == '\0') {
			err = ptw_error_create(PTW_E_BAD_DATA, "kallsyms: symbol %u has no type letter", seq);
			goto out;
		}
		c = compare_name(name, buf + 1);
		if (c == 0 && strcmp(name, buf + 1) == 0) {
			if ((err = address_of(l, seq, address_ret)))
				goto out;
			*found_ret = true;
			break;
		}
		if (c > 0)
			lo = mid + 1;
		else
			hi = mid;
	}
out:
	free(l);
	return err;
}

/* How many symbols lie below bound (count_equal: at or below it), which is
 * the index of the first one past it; the table is sorted by address. */
static struct ptw_error *first_index_above(struct lookup *l, uint64_t bound, bool count_equal,
					   uint32_t *index_ret)
{
	uint32_t lo = 0, hi = l->num_syms;
	uint64_t a;
	struct ptw_error *err;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if ((err = address_of(l, mid, &a)))
			return err;
		if (a < bound || (count_equal && a == bound))
			lo = mid + 1;
		else
			hi = mid;
	}
	*index_ret = lo;
	return NULL;
}

struct ptw_error *ptw_kallsyms_named_at(const struct ptw_kallsyms_reader *r, const struct ptw_kallsyms_where *w,
					 const char *name, uint64_t address, bool *ret)
{
	struct lookup *l;
	struct ptw_error *err;
	uint32_t lo;
	uint64_t a;
	char buf[NAME_MAX_LEN + 1];

	*ret = false;
	err = open_lookup(r, w, &l);
	if (err)
		goto out;
	if ((err = first_index_above(l, address, false, &lo)))
		goto out;
	/* The symbols at the address: a few aliases, bounded all the same. */
	for (uint32_t i = lo, n = 0; i < l->num_syms && n < 256 && !*ret; i++, n++) {
		if ((err = address_of(l, i, &a)))
			goto out;
		if (a != address)
			break;
		if ((err = expand(l, i, buf)))
			goto out;
		*ret = buf[0] != '\0' && strcmp(buf + 1, name) == 0;
	}
out:
	free(l);
	return err;
}

/* Types that never name an address in the loaded table (sym.c). */
static bool names_no_address(char type)
{
	return type == 'A' || type == 'a' || type == 'U' || type == 'w' || type == 'v';
}

struct ptw_error *ptw_kallsyms_find_addr(const struct ptw_kallsyms_reader *r, const struct ptw_kallsyms_where *w,
					 uint64_t va, bool *sure_ret, char name_ret[PTW_KALLSYMS_NAME_MAX + 1],
					 char *type_ret, uint64_t *address_ret)
{
	struct lookup *l;
	struct ptw_error *err;
	uint32_t lo;
	uint64_t a, prev, next;
	char buf[NAME_MAX_LEN + 1];

	*sure_ret = false;
	err = open_lookup(r, w, &l);
	if (err)
		goto out;
	/* How many symbols are at or below va. */
	if ((err = first_index_above(l, va, true, &lo)))
		goto out;
	/* Only the plain case: one kernel-half symbol at its address, and a
	 * symbol after it that may name addresses too. Same-address choices,
	 * end markers and the ends of the table: the caller asks the loaded
	 * table. */
	if (lo < 2 || lo >= l->num_syms)
		goto out;
	if ((err = address_of(l, lo - 1, &a)) || (err = address_of(l, lo - 2, &prev)) ||
	    (err = address_of(l, lo, &next)))
		goto out;
	if (!(a >> 63) || prev == a || !(next >> 63))
		goto out;
	if ((err = expand(l, lo, buf)))
		goto out;
	if (buf[0] == '\0' || names_no_address(buf[0]))
		goto out;
	if ((err = expand(l, lo - 1, buf)))
		goto out;
	if (buf[0] == '\0' || buf[1] == '\0' || names_no_address(buf[0]) ||
	    (va != a && ptw_sym_is_end_marker(buf + 1)))
		goto out;
	memcpy(name_ret, buf + 1, strlen(buf + 1) + 1);
	*type_ret = buf[0];
	*address_ret = a;
	*sure_ret = true;
out:
	free(l);
	return err;
}

static struct ptw_error *vmem_read(void *arg, uint64_t addr, void *buf, size_t len)
{
	return ptw_vmem_read(arg, addr, buf, len);
}

/* The tables' addresses from VMCOREINFO. */
static struct ptw_error *dump_where(const struct ptw_dump *dump, struct ptw_kallsyms_where *w)
{
	const struct ptw_vmcoreinfo *vi = &dump->vmcoreinfo;

	memset(w, 0, sizeof(*w));
	if (!ptw_vmcoreinfo_try_symbol(vi, "kallsyms_names", &w->names) ||
	    !ptw_vmcoreinfo_try_symbol(vi, "kallsyms_num_syms", &w->num_syms) ||
	    !ptw_vmcoreinfo_try_symbol(vi, "kallsyms_token_table", &w->token_table) ||
	    !ptw_vmcoreinfo_try_symbol(vi, "kallsyms_token_index", &w->token_index))
		return ptw_error_create(PTW_E_NOT_IMPLEMENTED, "VMCOREINFO does not name the kallsyms tables");
	if (ptw_vmcoreinfo_try_symbol(vi, "kallsyms_offsets", &w->offsets)) {
		if (!ptw_vmcoreinfo_try_symbol(vi, "kallsyms_relative_base", &w->relative_base))
			return ptw_error_create(PTW_E_NOT_IMPLEMENTED, "VMCOREINFO has no SYMBOL(kallsyms_relative_base)");
	} else if (!ptw_vmcoreinfo_try_symbol(vi, "kallsyms_addresses", &w->addresses)) {
		return ptw_error_create(PTW_E_NOT_IMPLEMENTED, "VMCOREINFO names no kallsyms address table");
	}
	return NULL;
}

struct ptw_error *ptw_kallsyms_lookup_name(struct ptw_dump *dump, const char *name, bool *found_ret,
					   uint64_t *address_ret)
{
	struct ptw_kallsyms_where w;
	struct ptw_vmem *vm;
	struct ptw_error *err;

	*found_ret = false;
	err = dump_where(dump, &w);
	if (!err)
		err = ptw_vmem_create(dump, &vm);
	if (err)
		return err;
	struct ptw_kallsyms_reader r = { .read = vmem_read, .arg = vm };
	err = ptw_kallsyms_find_name(&r, &w, name, found_ret, address_ret);
	ptw_vmem_destroy(vm);
	return err;
}

static struct ptw_error *kallsyms_named_at(struct ptw_dump *dump, const char *name, uint64_t address, bool *ret)
{
	struct ptw_kallsyms_where w;
	struct ptw_vmem *vm;
	struct ptw_error *err = dump_where(dump, &w);

	*ret = false;
	if (!err)
		err = ptw_vmem_create(dump, &vm);
	if (err)
		return err;
	struct ptw_kallsyms_reader r = { .read = vmem_read, .arg = vm };
	err = ptw_kallsyms_named_at(&r, &w, name, address, ret);
	ptw_vmem_destroy(vm);
	return err;
}

/* VMCOREINFO's SYMBOL() lines that the loaded table takes (sym.c's
 * ptw_symtab_add_vmcoreinfo leaves these out: pointer values). */
static bool vmcoreinfo_symbol(const char *key, const char **name_ret)
{
	if (strncmp(key, "SYMBOL(", 7) != 0 || strcmp(key, "SYMBOL(mem_section)") == 0 ||
	    strcmp(key, "SYMBOL(vmemmap)") == 0 || strcmp(key, "SYMBOL(mem_map)") == 0)
		return false;
	*name_ret = key + 7;
	return true;
}

/* Whether kallsyms passes what loading it checks: the probe's _stext, and
 * every VMCOREINFO SYMBOL() name it has at VMCOREINFO's address (without
 * data symbols it has none but _stext, which the probe checked). */
static bool lazy_names_ok(struct ptw_dump *dump)
{
	const struct ptw_vmcoreinfo *vi = &dump->vmcoreinfo;
	struct ptw_kallsyms_probe probe;
	struct ptw_error *err = ptw_kallsyms_probe(dump, &probe);

	if (err) {
		ptw_error_destroy(err);
		return false;
	}
	for (size_t i = 0; i < vi->count && probe.data_symbols; i++) {
		const char *name;
		char buf[128];
		uint64_t want, got;
		bool found;
		size_t n;

		if (!vmcoreinfo_symbol(vi->entries[i].key, &name))
			continue;
		n = strcspn(name, ")");
		if (n >= sizeof(buf))
			return false;
		memcpy(buf, name, n);
		buf[n] = '\0';
		if (!ptw_vmcoreinfo_try_symbol(vi, buf, &want))
			return false;
		/* scripts/kallsyms.c leaves its own tables out. */
		if (strncmp(buf, "kallsyms_", 9) == 0)
			continue;
		/* That name at that address is what the load's check finds
		 * (unless a global of the name lies elsewhere as well: a
		 * kernel's VMCOREINFO names are its own unique ones); else
		 * the name must be absent. */
		err = kallsyms_named_at(dump, buf, want, &found);
		if (!err && !found)
			err = ptw_kallsyms_lookup_name(dump, buf, &found, &got);
		else
			got = want;
		if (err) {
			ptw_error_destroy(err);
			return false;
		}
		if (found && got != want)
			return false;
	}
	return true;
}

/* After this many addresses named one at a time, a batch is cheaper with
 * the table loaded. */
#define LAZY_NAMES_MAX 32

struct ptw_error *ptw_dump_name_address(struct ptw_dump *dump, uint64_t va, bool *sure_ret,
					struct ptw_symbol *ret, uint64_t *offset_ret)
{
	const struct ptw_vmcoreinfo *vi = &dump->vmcoreinfo;
	struct ptw_kallsyms_where w;
	struct ptw_vmem *vm;
	struct ptw_error *err;
	uint64_t address;
	char type;
	bool sure = false;

	*sure_ret = false;
	if (dump->symbols_tried || dump->vmlinux_path || dump->system_map_path ||
	    dump->lazy_names >= LAZY_NAMES_MAX || dump->lazy_names_ok < 0)
		return NULL;
	if (!dump->lazy_name && !(dump->lazy_name = malloc(PTW_KALLSYMS_NAME_MAX + 1)))
		return &ptw_enomem;
	if (dump->lazy_names_ok == 0)
		dump->lazy_names_ok = lazy_names_ok(dump) ? 1 : -1;
	if (dump->lazy_names_ok < 0 || dump_where(dump, &w))
		return NULL;
	dump->lazy_names++;
	err = ptw_vmem_create(dump, &vm);
	if (err)
		return err;
	struct ptw_kallsyms_reader r = { .read = vmem_read, .arg = vm };
	err = ptw_kallsyms_find_addr(&r, &w, va, &sure, dump->lazy_name, &type, &address);
	ptw_vmem_destroy(vm);
	if (err) {
		/* The loaded table says what is wrong. */
		ptw_error_destroy(err);
		return NULL;
	}
	if (!sure)
		return NULL;
	/* A VMCOREINFO symbol at or after the one found and not past va may
	 * be in the loaded table (when kallsyms lacks its name) and name va. */
	for (size_t i = 0; i < vi->count; i++) {
		const char *name;
		uint64_t v;

		if (!vmcoreinfo_symbol(vi->entries[i].key, &name))
			continue;
		errno = 0;
		v = strtoull(vi->entries[i].value, NULL, 16);
		if (errno || (v >= address && v <= va))
			return NULL;
	}
	ret->address = address;
	ret->name = dump->lazy_name;
	ret->type = type;
	ret->source = PTW_SYM_KALLSYMS;
	*offset_ret = va - address;
	*sure_ret = true;
	return NULL;
}
