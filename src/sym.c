/* The symbol table every source fills: entries in one array sorted by
 * address, names in one string pool, a chained hash over names, and an index
 * of the entries that may name an address. */
#include "sym.h"

#include <stdlib.h>
#include <string.h>

#include "vmcoreinfo.h"

struct sym_entry {
	uint64_t address;
	uint32_t name_off;    /* into pool */
	uint32_t seq;         /* insertion order: makes the sort stable */
	uint32_t chain;       /* next entry in the same hash bucket, +1; 0 ends */
	uint32_t hash;        /* of the name, kept to rebuild the buckets */
	uint16_t name_len;    /* capped at UINT16_MAX; only the hash uses it */
	char type;
	unsigned char source; /* enum ptw_sym_source */
};

struct ptw_symtab {
	enum ptw_sym_source source;
	struct sym_entry *entries;
	size_t count, capacity;
	/* VMCOREINFO SYMBOL() lines, added at finish where the table lacks them. */
	struct sym_entry *pending;
	size_t npending, pending_capacity;
	char *pool;
	size_t pool_len, pool_capacity;
	bool finished;
	bool has_data;
	uint32_t *buckets;     /* entry index + 1; 0 empty */
	size_t nbuckets;       /* a power of two */
	uint32_t *by_address;  /* entries that may name an address, one per distinct address */
	size_t nby_address;
	struct ptw_sym_refusal *refusals;
	size_t nrefusals;
};

/* Tables are built from sizes the dump states; this keeps indexes in 32 bits
 * and a corrupt count from asking for absurd memory. */
#define SYMTAB_MAX_ENTRIES (1u << 24)
#define SYMTAB_MAX_POOL (1u << 30)

const char *ptw_sym_source_name(enum ptw_sym_source source)
{
	switch (source) {
	case PTW_SYM_VMCOREINFO: return "vmcoreinfo";
	case PTW_SYM_KALLSYMS: return "kallsyms";
	case PTW_SYM_SYSTEM_MAP: return "system.map";
	case PTW_SYM_VMLINUX: return "vmlinux";
	default: return NULL;
	}
}

struct ptw_error *ptw_symtab_create(enum ptw_sym_source source, struct ptw_symtab **ret)
{
	struct ptw_symtab *st = calloc(1, sizeof(*st));

	if (!st)
		return &ptw_enomem;
	st->source = source;
	*ret = st;
	return NULL;
}

void ptw_symtab_destroy(struct ptw_symtab *st)
{
	if (!st)
		return;
	for (size_t i = 0; i < st->nrefusals; i++)
		free(st->refusals[i].why);
	free(st->refusals);
	free(st->entries);
	free(st->pending);
	free(st->pool);
	free(st->buckets);
	free(st->by_address);
	free(st);
}

static bool grow(void **p, size_t *capacity, size_t need, size_t elem)
{
	size_t cap = *capacity ? *capacity : 64;
	void *n;

	if (need <= *capacity)
		return true;
	while (cap < need)
		cap *= 2;
	n = realloc(*p, cap * elem);
	if (!n)
		return false;
	*p = n;
	*capacity = cap;
	return true;
}

static struct ptw_error *append(struct ptw_symtab *st, struct sym_entry **array, size_t *count,
				 size_t *capacity, uint64_t address, char type, const char *name,
				 size_t name_len, enum ptw_sym_source source)
{
	struct sym_entry *e;

	if (st->finished)
		return ptw_error_create(PTW_E_INVALID_ARGUMENT, "symbol table already finished");
	if (st->count + st->npending >= SYMTAB_MAX_ENTRIES)
		return ptw_error_create(PTW_E_OVERFLOW, "more than %u symbols", SYMTAB_MAX_ENTRIES);
	if (name_len >= SYMTAB_MAX_POOL || st->pool_len + name_len + 1 > SYMTAB_MAX_POOL)
		return ptw_error_create(PTW_E_OVERFLOW, "symbol names exceed %u bytes", SYMTAB_MAX_POOL);
	if (!grow((void **)array, capacity, *count + 1, sizeof(**array)) ||
	    !grow((void **)&st->pool, &st->pool_capacity, st->pool_len + name_len + 1, 1))
		return &ptw_enomem;
	e = &(*array)[*count];
	e->address = address;
	e->name_off = (uint32_t)st->pool_len;
	e->seq = (uint32_t)*count;
	e->chain = 0;
	e->hash = 0;
	e->name_len = name_len > UINT16_MAX ? UINT16_MAX : (uint16_t)name_len;
	e->type = type;
	e->source = (unsigned char)source;
	memcpy(st->pool + st->pool_len, name, name_len);
	st->pool[st->pool_len + name_len] = '\0';
	st->pool_len += name_len + 1;
	(*count)++;
	return NULL;
}

struct ptw_error *ptw_symtab_reserve(struct ptw_symtab *st, size_t count, size_t name_bytes)
{
	if (count > SYMTAB_MAX_ENTRIES || name_bytes > SYMTAB_MAX_POOL)
		return NULL; /* only a hint: append says what is too much */
	if (!grow((void **)&st->entries, &st->capacity, st->count + count, sizeof(*st->entries)) ||
	    !grow((void **)&st->pool, &st->pool_capacity, st->pool_len + name_bytes, 1))
		return &ptw_enomem;
	return NULL;
}

struct ptw_error *ptw_symtab_add(struct ptw_symtab *st, uint64_t address, char type,
				 const char *name, size_t name_len, enum ptw_sym_source source)
{
	return append(st, &st->entries, &st->count, &st->capacity, address, type, name, name_len, source);
}

static int compare_entries(const void *a, const void *b)
{
	const struct sym_entry *x = a, *y = b;

	if (x->address != y->address)
		return x->address < y->address ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* A multiplicative hash over 8 bytes at a time: hashing every name is a
 * good part of building a 100,000-symbol table, and byte-wise FNV cost
 * twice as much. */
static uint32_t hash_bytes(const char *s, size_t len)
{
	uint64_t h = 0x9e3779b97f4a7c15u ^ len;

	while (len >= 8) {
		uint64_t w;

		memcpy(&w, s, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdu;
		h ^= h >> 32;
		s += 8;
		len -= 8;
	}
	if (len) {
		uint64_t w = 0;

		memcpy(&w, s, len);
		h = (h ^ w) * 0xff51afd7ed558ccdu;
	}
	h ^= h >> 29;
	return (uint32_t)h;
}

static uint32_t hash_name(const char *s)
{
	return hash_bytes(s, strlen(s));
}

static const char *entry_name(const struct ptw_symtab *st, const struct sym_entry *e)
{
	return st->pool + e->name_off;
}

static bool is_global(char type)
{
	return type >= 'A' && type <= 'Z';
}

/* Symbols that mark where a region ends: nothing lies "inside" them. */
bool ptw_sym_is_end_marker(const char *name)
{
	static const char *const exact[] = {
		"_etext", "_edata", "_end", "_einittext", "_einitdata", "__end_rodata",
		"__bss_stop", "__init_end", "_sinittext_end",
	};
	size_t len = strlen(name);

	for (size_t i = 0; i < sizeof(exact) / sizeof(exact[0]); i++)
		if (strcmp(name, exact[i]) == 0)
			return true;
	if (strncmp(name, "__stop_", 7) == 0 || strncmp(name, "__end_", 6) == 0)
		return true;
	return len > 6 && strncmp(name, "__", 2) == 0 && strcmp(name + len - 4, "_end") == 0;
}

/* Whether an entry may name an address: kernel-half addresses only (x86-64
 * per-CPU symbols are small offsets), never absolute symbols. */
static bool names_addresses(const struct sym_entry *e)
{
	return (e->address >> 63) != 0 && e->type != 'A' && e->type != 'a' && e->type != 'U' &&
	       e->type != 'w' && e->type != 'v';
}

/* Which of two entries at one address names it: not an end marker, then a
 * global, then the first. */
static bool better_name(const struct ptw_symtab *st, const struct sym_entry *cand,
			const struct sym_entry *cur)
{
	bool cand_end = ptw_sym_is_end_marker(entry_name(st, cand)), cur_end = ptw_sym_is_end_marker(entry_name(st, cur));

	if (cand_end != cur_end)
		return !cand_end;
	if (is_global(cand->type) != is_global(cur->type))
		return is_global(cand->type);
	return false;
}

/* Link every entry into its hash bucket, from the highest address down at
 * the head of each chain, so chains list same-named symbols in address order. */
static struct ptw_error *build_buckets(struct ptw_symtab *st)
{
	free(st->buckets);
	/* At least one bucket per symbol (chains of 1.5 entries on average):
	 * names are looked up a few at a time, while every bucket is fresh
	 * memory the load pays for (twice as many were 1 MiB for 94,000). */
	st->nbuckets = 64;
	while (st->nbuckets < st->count)
		st->nbuckets *= 2;
	st->buckets = calloc(st->nbuckets, sizeof(*st->buckets));
	if (!st->buckets)
		return &ptw_enomem;
	for (size_t i = st->count; i-- > 0;) {
		struct sym_entry *e = &st->entries[i];
		uint32_t b = e->hash & (uint32_t)(st->nbuckets - 1);

		e->chain = st->buckets[b];
		st->buckets[b] = (uint32_t)i + 1;
	}
	return NULL;
}

/* Merge the pending VMCOREINFO symbols the table lacks into the sorted
 * entries, before the buckets are built: the few dozen pending names go in
 * a small hash set of their own, probed once per entry. */
#define PENDING_SLOTS 256

static struct ptw_error *merge_pending(struct ptw_symtab *st)
{
	uint16_t slots[PENDING_SLOTS] = { 0 }; /* pending index + 1 */
	bool *present;
	size_t keep = 0, total, a, b, o;

	if (!st->npending)
		return NULL;
	if (st->npending > PENDING_SLOTS / 2)
		st->npending = PENDING_SLOTS / 2; /* VMCOREINFO has a few dozen SYMBOL() lines */
	present = calloc(st->npending, sizeof(*present));
	if (!present)
		return &ptw_enomem;
	for (size_t i = 0; i < st->npending; i++) {
		struct sym_entry *p = &st->pending[i];
		uint32_t k = (p->hash = hash_name(entry_name(st, p))) % PENDING_SLOTS;

		while (slots[k])
			k = (k + 1) % PENDING_SLOTS;
		slots[k] = (uint16_t)(i + 1);
	}
	for (size_t i = 0; i < st->count; i++) {
		const struct sym_entry *e = &st->entries[i];

		for (uint32_t k = e->hash % PENDING_SLOTS; slots[k]; k = (k + 1) % PENDING_SLOTS) {
			const struct sym_entry *p = &st->pending[slots[k] - 1];

			if (p->hash == e->hash && strcmp(entry_name(st, p), entry_name(st, e)) == 0)
				present[slots[k] - 1] = true;
		}
	}
	for (size_t i = 0; i < st->npending; i++)
		if (!present[i])
			st->pending[keep++] = st->pending[i];
	free(present);
	st->npending = 0;
	if (!keep)
		return NULL;
	qsort(st->pending, keep, sizeof(*st->pending), compare_entries);
	total = st->count + keep;
	if (!grow((void **)&st->entries, &st->capacity, total, sizeof(*st->entries)))
		return &ptw_enomem;
	/* Merge from the top down in place: no second copy of the table. */
	a = st->count;
	b = keep;
	o = total;
	while (b > 0) {
		if (a > 0 && st->entries[a - 1].address > st->pending[b - 1].address)
			st->entries[--o] = st->entries[--a];
		else
			st->entries[--o] = st->pending[--b];
	}
	st->count = total;
	return NULL;
}

struct ptw_error *ptw_symtab_finish(struct ptw_symtab *st)
{
	struct ptw_error *err;
	bool sorted = true;

	if (st->finished)
		return NULL;
	for (size_t i = 1; i < st->count && sorted; i++)
		sorted = st->entries[i - 1].address <= st->entries[i].address;
	if (!sorted)
		qsort(st->entries, st->count, sizeof(*st->entries), compare_entries);
	for (size_t i = 0; i < st->count; i++) {
		struct sym_entry *e = &st->entries[i];

		e->hash = e->name_len < UINT16_MAX ? hash_bytes(entry_name(st, e), e->name_len)
						    : hash_name(entry_name(st, e));
	}
	err = merge_pending(st);
	if (!err)
		err = build_buckets(st);
	if (err)
		return err;
	st->by_address = malloc((st->count ? st->count : 1) * sizeof(*st->by_address));
	if (!st->by_address)
		return &ptw_enomem;
	st->nby_address = 0;
	for (size_t i = 0; i < st->count; i++) {
		const struct sym_entry *e = &st->entries[i];
		char t = e->type;

		/* Without KALLSYMS_ALL a few linker markers (_etext as 'D') remain. */
		if (!st->has_data && e->source != PTW_SYM_VMCOREINFO &&
		    (t == 'D' || t == 'd' || t == 'B' || t == 'b' || t == 'R' || t == 'r') &&
		    !ptw_sym_is_end_marker(entry_name(st, e)))
			st->has_data = true;
		if (!names_addresses(e))
			continue;
		if (st->nby_address && st->entries[st->by_address[st->nby_address - 1]].address == e->address) {
			if (better_name(st, e, &st->entries[st->by_address[st->nby_address - 1]]))
				st->by_address[st->nby_address - 1] = (uint32_t)i;
			continue;
		}
		st->by_address[st->nby_address++] = (uint32_t)i;
	}
	st->finished = true;
	return NULL;
}

struct ptw_error *ptw_symtab_add_refusal(struct ptw_symtab *st, enum ptw_sym_source source,
					 const char *why)
{
	struct ptw_sym_refusal *n = realloc(st->refusals, (st->nrefusals + 1) * sizeof(*n));

	if (!n)
		return &ptw_enomem;
	st->refusals = n;
	n[st->nrefusals].source = source;
	n[st->nrefusals].why = strdup(why);
	if (!n[st->nrefusals].why)
		return &ptw_enomem;
	st->nrefusals++;
	return NULL;
}

size_t ptw_symtab_refusal_count(const struct ptw_symtab *st)
{
	return st->nrefusals;
}

const struct ptw_sym_refusal *ptw_symtab_refusal(const struct ptw_symtab *st, size_t i)
{
	return i < st->nrefusals ? &st->refusals[i] : NULL;
}

enum ptw_sym_source ptw_symtab_source(const struct ptw_symtab *st)
{
	return st->source;
}

size_t ptw_symtab_count(const struct ptw_symtab *st)
{
	return st->count;
}

bool ptw_symtab_has_data_symbols(const struct ptw_symtab *st)
{
	return st->has_data;
}

static void fill_symbol(const struct ptw_symtab *st, const struct sym_entry *e, struct ptw_symbol *ret)
{
	ret->address = e->address;
	ret->name = entry_name(st, e);
	ret->type = e->type;
	ret->source = (enum ptw_sym_source)e->source;
}

void ptw_symtab_get(const struct ptw_symtab *st, size_t i, struct ptw_symbol *ret)
{
	fill_symbol(st, &st->entries[i], ret);
}

bool ptw_symtab_next_by_name(const struct ptw_symtab *st, const char *name, size_t *pos,
			     struct ptw_symbol *ret)
{
	uint32_t i, h = hash_name(name);

	if (!st->finished || !st->nbuckets)
		return false;
	if (*pos == 0)
		i = st->buckets[h & (uint32_t)(st->nbuckets - 1)];
	else if (*pos <= st->count)
		i = st->entries[*pos - 1].chain;
	else
		return false;
	/* A chain holds each entry at most once: at most count steps. */
	for (; i; i = st->entries[i - 1].chain) {
		const struct sym_entry *e = &st->entries[i - 1];

		if (e->hash == h && strcmp(entry_name(st, e), name) == 0) {
			fill_symbol(st, e, ret);
			*pos = i;
			return true;
		}
	}
	*pos = st->count + 1;
	return false;
}

bool ptw_symtab_lookup_name(const struct ptw_symtab *st, const char *name, uint64_t *address_ret,
			    char *type_ret)
{
	struct ptw_symbol s, best;
	size_t pos = 0;
	bool found = false;

	while (ptw_symtab_next_by_name(st, name, &pos, &s)) {
		if (!found || (is_global(s.type) && !is_global(best.type))) {
			best = s;
			found = true;
		}
	}
	if (!found)
		return false;
	if (address_ret)
		*address_ret = best.address;
	if (type_ret)
		*type_ret = best.type;
	return true;
}

bool ptw_symtab_find_addr(const struct ptw_symtab *st, uint64_t address, struct ptw_symbol *ret,
			  uint64_t *offset_ret)
{
	size_t lo = 0, hi = st->nby_address;
	const struct sym_entry *e;

	if (!st->finished)
		return false;
	/* The last entry at or below address. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (st->entries[st->by_address[mid]].address <= address)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return false;
	e = &st->entries[st->by_address[lo - 1]];
	if (address != e->address) {
		if (lo == st->nby_address || ptw_sym_is_end_marker(entry_name(st, e)))
			return false;
	}
	fill_symbol(st, e, ret);
	if (offset_ret)
		*offset_ret = address - e->address;
	return true;
}

bool ptw_symtab_lookup_addr(const struct ptw_symtab *st, uint64_t address, const char **name_ret,
			    uint64_t *offset_ret)
{
	struct ptw_symbol s;

	if (!ptw_symtab_find_addr(st, address, &s, offset_ret))
		return false;
	if (name_ret)
		*name_ret = s.name;
	return true;
}

/* SYMBOL() lines whose value is a pointer's value, not the symbol's address
 * (kernel/vmcore_info.c: VMCOREINFO_SYMBOL_ARRAY / the pointer is printed). */
static bool is_value_symbol(const char *name, size_t len)
{
	return (len == 11 && strncmp(name, "mem_section", 11) == 0) ||
	       (len == 7 && strncmp(name, "vmemmap", 7) == 0) ||
	       (len == 7 && strncmp(name, "mem_map", 7) == 0);
}

/* The NAME inside "SYMBOL(NAME)", or NULL. */
static const char *symbol_key_name(const char *key, size_t *len_ret)
{
	size_t len = strlen(key);

	if (len < 9 || strncmp(key, "SYMBOL(", 7) != 0 || key[len - 1] != ')')
		return NULL;
	*len_ret = len - 8;
	return key + 7;
}

static bool table_has_address(const struct ptw_symtab *st, const char *name, uint64_t address,
			      bool *present_ret)
{
	struct ptw_symbol s;
	size_t pos = 0;

	*present_ret = false;
	while (ptw_symtab_next_by_name(st, name, &pos, &s)) {
		if (s.source == PTW_SYM_VMCOREINFO)
			continue;
		*present_ret = true;
		if (s.address == address)
			return true;
	}
	return false;
}

struct ptw_error *ptw_symtab_check_vmcoreinfo(const struct ptw_symtab *st,
					      const struct ptw_vmcoreinfo *vi)
{
	uint64_t want;
	bool present;
	size_t compared = 0;

	if (ptw_vmcoreinfo_try_symbol(vi, "_stext", &want)) {
		if (!table_has_address(st, "_stext", want, &present)) {
			uint64_t got = 0;

			if (!present)
				return ptw_error_create(PTW_E_BAD_DATA, "no _stext symbol to compare with VMCOREINFO SYMBOL(_stext)=0x%llx",
							(unsigned long long)want);
			ptw_symtab_lookup_name(st, "_stext", &got, NULL);
			return ptw_error_create(PTW_E_BAD_DATA, "_stext is 0x%llx, VMCOREINFO SYMBOL(_stext) is 0x%llx",
						(unsigned long long)got, (unsigned long long)want);
		}
		compared++;
	}
	for (size_t i = 0; i < vi->count; i++) {
		size_t len;
		const char *n = symbol_key_name(vi->entries[i].key, &len);
		char name[256];

		if (!n || is_value_symbol(n, len) || len >= sizeof(name))
			continue;
		memcpy(name, n, len);
		name[len] = '\0';
		if (strcmp(name, "_stext") == 0 || !ptw_vmcoreinfo_try_symbol(vi, name, &want))
			continue;
		if (!table_has_address(st, name, want, &present)) {
			uint64_t got = 0;

			if (!present)
				continue;
			ptw_symtab_lookup_name(st, name, &got, NULL);
			return ptw_error_create(PTW_E_BAD_DATA, "%s is 0x%llx, VMCOREINFO SYMBOL(%s) is 0x%llx",
						name, (unsigned long long)got, name, (unsigned long long)want);
		}
		compared++;
	}
	if (!compared)
		return ptw_error_create(PTW_E_BAD_DATA, "no symbol in common with VMCOREINFO to check it against");
	return NULL;
}

struct ptw_error *ptw_symtab_add_vmcoreinfo(struct ptw_symtab *st, const struct ptw_vmcoreinfo *vi)
{
	for (size_t i = 0; i < vi->count; i++) {
		size_t len;
		const char *n = symbol_key_name(vi->entries[i].key, &len);
		char name[256];
		uint64_t address;
		struct ptw_error *err;

		if (!n || is_value_symbol(n, len) || len >= sizeof(name))
			continue;
		memcpy(name, n, len);
		name[len] = '\0';
		if (!ptw_vmcoreinfo_try_symbol(vi, name, &address))
			continue;
		/* Whether the table has it is known only once its names are
		 * indexed: finish decides. */
		err = append(st, &st->pending, &st->npending, &st->pending_capacity, address, '?',
			     name, len, PTW_SYM_VMCOREINFO);
		if (err)
			return err;
	}
	return NULL;
}

/* OFF of SYMBOL+OFF: decimal, or hex after 0x; the whole text must be used. */
static bool parse_offset(const char *s, uint64_t *ret)
{
	uint64_t v = 0;
	int base = 10;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!*s)
		return false;
	for (; *s; s++) {
		int d;

		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			return false;
		if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
			return false;
		v = v * (uint64_t)base + (uint64_t)d;
	}
	*ret = v;
	return true;
}

const char *ptw_symtab_missing_hint(const struct ptw_symtab *st)
{
	if (st->source == PTW_SYM_KALLSYMS && !st->has_data)
		return "; the dump's kallsyms holds text symbols only (kernel built without CONFIG_KALLSYMS_ALL): -m System.map or -k vmlinux name data";
	if (st->source == PTW_SYM_VMCOREINFO)
		return "; only VMCOREINFO's SYMBOL() lines are known: -m System.map or -k vmlinux name more";
	return "";
}

/* The symbol a name refers to, by the rule of ptw_symtab_lookup_name. */
static bool find_named(const struct ptw_symtab *st, const char *name, struct ptw_symbol *ret)
{
	struct ptw_symbol s;
	size_t pos = 0;
	bool found = false;

	while (ptw_symtab_next_by_name(st, name, &pos, &s)) {
		if (!found || (is_global(s.type) && !is_global(ret->type))) {
			*ret = s;
			found = true;
		}
	}
	return found;
}

struct ptw_error *ptw_symtab_resolve_parts(const struct ptw_symtab *st, const char *text,
					   struct ptw_symbol *base_ret, int64_t *offset_ret,
					   uint64_t *address_ret)
{
	const char *sign;
	char name[512];
	struct ptw_symbol base;
	uint64_t off;
	size_t len;

	if (find_named(st, text, &base)) {
		*base_ret = base;
		*offset_ret = 0;
		*address_ret = base.address;
		return NULL;
	}
	sign = strrchr(text, '+');
	if (!sign)
		sign = strrchr(text, '-');
	if (!sign || sign == text)
		return ptw_error_create(PTW_E_INVALID_ARGUMENT, "no symbol '%s'%s", text,
					ptw_symtab_missing_hint(st));
	len = (size_t)(sign - text);
	if (len >= sizeof(name))
		return ptw_error_create(PTW_E_INVALID_ARGUMENT, "symbol name too long in '%s'", text);
	memcpy(name, text, len);
	name[len] = '\0';
	if (!parse_offset(sign + 1, &off) || off > INT64_MAX)
		return ptw_error_create(PTW_E_INVALID_ARGUMENT, "'%s': '%s' is not an offset (decimal or 0x hex)",
					text, sign + 1);
	if (!find_named(st, name, &base))
		return ptw_error_create(PTW_E_INVALID_ARGUMENT, "no symbol '%s'%s", name,
					ptw_symtab_missing_hint(st));
	if (*sign == '+' ? base.address + off < base.address : base.address < off)
		return ptw_error_create(PTW_E_OVERFLOW, "'%s' wraps around the address space", text);
	*base_ret = base;
	*offset_ret = *sign == '+' ? (int64_t)off : -(int64_t)off;
	*address_ret = *sign == '+' ? base.address + off : base.address - off;
	return NULL;
}

struct ptw_error *ptw_symtab_resolve(const struct ptw_symtab *st, const char *text,
				     uint64_t *address_ret)
{
	struct ptw_symbol base;
	int64_t off;

	return ptw_symtab_resolve_parts(st, text, &base, &off, address_ret);
}
