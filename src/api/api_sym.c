/* Symbols of the dumped kernel. */
#include <inttypes.h>
#include <string.h>

#include "api.h"
#include "number.h"
#include "sym.h"

_Static_assert((int)PTWALK_SYM_VMLINUX == (int)PTW_SYM_VMLINUX &&
	       (int)PTWALK_SYM_SYSTEM_MAP == (int)PTW_SYM_SYSTEM_MAP &&
	       (int)PTWALK_SYM_KALLSYMS == (int)PTW_SYM_KALLSYMS &&
	       (int)PTWALK_SYM_VMCOREINFO == (int)PTW_SYM_VMCOREINFO && (int)PTWALK_SYM_NONE == (int)PTW_SYM_NONE,
	       "symbol sources differ");

const char *ptwalk_sym_source_name(enum ptwalk_sym_source source)
{
	return ptw_sym_source_name((enum ptw_sym_source)source);
}

static struct ptw_error *table(struct ptwalk_dump *d, const struct ptw_symtab **ret)
{
	return ptw_dump_symbols(d->d, ret);
}

static void symbol_public(const struct ptw_symbol *s, struct ptwalk_symbol *p)
{
	p->address = s->address;
	p->name = s->name;
	p->type = s->type;
	p->source = (enum ptwalk_sym_source)s->source;
}

struct ptwalk_error *ptwalk_symbols_load(struct ptwalk_dump *d)
{
	const struct ptw_symtab *st;

	return ptw_api_error(table(d, &st));
}

bool ptwalk_symbols_loaded(const struct ptwalk_dump *d)
{
	return d->d->symbols_tried;
}

struct ptwalk_error *ptwalk_symbols_source(struct ptwalk_dump *d, enum ptwalk_sym_source *source_ret,
					   size_t *count_ret)
{
	const struct ptw_symtab *st;
	struct ptw_error *err = table(d, &st);

	if (err)
		return ptw_api_error(err);
	if (source_ret)
		*source_ret = (enum ptwalk_sym_source)ptw_symtab_source(st);
	if (count_ret)
		*count_ret = ptw_symtab_count(st);
	return NULL;
}

bool ptwalk_symbols_refusal(struct ptwalk_dump *d, size_t i, enum ptwalk_sym_source *source_ret,
			    const char **why_ret)
{
	const struct ptw_symtab *st;
	struct ptw_error *err = table(d, &st);

	if (err) {
		ptw_error_destroy(err);
		return false;
	}
	if (i >= ptw_symtab_refusal_count(st))
		return false;
	const struct ptw_sym_refusal *r = ptw_symtab_refusal(st, i);

	*source_ret = (enum ptwalk_sym_source)r->source;
	*why_ret = r->why;
	return true;
}

struct ptwalk_error *ptwalk_symbol_get(struct ptwalk_dump *d, size_t i, struct ptwalk_symbol *ret)
{
	const struct ptw_symtab *st;
	struct ptw_symbol s;
	struct ptw_error *err = table(d, &st);

	if (err)
		return ptw_api_error(err);
	if (i >= ptw_symtab_count(st))
		return ptw_api_error(ptw_error_create(PTW_E_INVALID_ARGUMENT, "symbol %zu: the table has %zu",
						      i, ptw_symtab_count(st)));
	ptw_symtab_get(st, i, &s);
	symbol_public(&s, ret);
	return NULL;
}

struct ptwalk_error *ptwalk_symbol_lookup(struct ptwalk_dump *d, const char *name, struct ptwalk_symbol *ret)
{
	const struct ptw_symtab *st;
	struct ptw_symbol s;
	size_t pos = 0;
	uint64_t address;
	char type;
	struct ptw_error *err = table(d, &st);

	if (err)
		return ptw_api_error(err);
	if (!ptw_symtab_lookup_name(st, name, &address, &type))
		return ptw_api_error(ptw_error_create(PTW_E_INVALID_ARGUMENT, "no symbol '%s'%s", name,
						      ptw_symtab_missing_hint(st)));
	/* The entry lookup chose, for its source and stable name. */
	while (ptw_symtab_next_by_name(st, name, &pos, &s))
		if (s.address == address && s.type == type) {
			symbol_public(&s, ret);
			return NULL;
		}
	return ptw_api_error(ptw_error_create(PTW_E_INVALID_ARGUMENT, "no symbol '%s'", name));
}

bool ptwalk_symbol_next_by_name(struct ptwalk_dump *d, const char *name, size_t *pos, struct ptwalk_symbol *ret)
{
	const struct ptw_symtab *st;
	struct ptw_symbol s;
	struct ptw_error *err = table(d, &st);

	if (err) {
		ptw_error_destroy(err);
		return false;
	}
	if (!ptw_symtab_next_by_name(st, name, pos, &s))
		return false;
	symbol_public(&s, ret);
	return true;
}

struct ptwalk_error *ptwalk_symbol_at(struct ptwalk_dump *d, uint64_t address, struct ptwalk_symbol *ret,
				      uint64_t *offset_ret)
{
	const struct ptw_symtab *st;
	struct ptw_symbol s;
	uint64_t off;
	struct ptw_error *err = table(d, &st);

	if (err)
		return ptw_api_error(err);
	if (!ptw_symtab_find_addr(st, address, &s, &off))
		return ptw_api_error(ptw_error_create(PTW_E_INVALID_ARGUMENT, "no symbol at 0x%" PRIx64, address));
	symbol_public(&s, ret);
	if (offset_ret)
		*offset_ret = off;
	return NULL;
}

struct ptwalk_error *ptwalk_symbol_resolve(struct ptwalk_dump *d, const char *text, uint64_t *address_ret)
{
	const struct ptw_symtab *st;
	struct ptw_error *err;

	if (ptw_parse_u64(text, address_ret))
		return NULL;
	err = table(d, &st);
	if (err)
		return ptw_api_error(err);
	return ptw_api_error(ptw_symtab_resolve(st, text, address_ret));
}

struct ptwalk_error *ptwalk_symbol_resolve_parts(struct ptwalk_dump *d, const char *text,
						 struct ptwalk_symbol *base_ret, int64_t *offset_ret,
						 uint64_t *address_ret)
{
	const struct ptw_symtab *st;
	struct ptw_symbol base;
	struct ptw_error *err = table(d, &st);

	if (!err)
		err = ptw_symtab_resolve_parts(st, text, &base, offset_ret, address_ret);
	if (err)
		return ptw_api_error(err);
	symbol_public(&base, base_ret);
	return NULL;
}
