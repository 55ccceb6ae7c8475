/* Addresses as people write them (numbers, symbol expressions), and the
 * names of addresses as answers show them. */
#include <ctype.h>
#include <inttypes.h>
#include <string.h>

#include "api.h"
#include "number.h"
#include "sym.h"
#include "vmcoreinfo.h"

/* Quoted in messages at most: a batch line may be long. */
#define QUOTE_MAX 40
/* Room for "NAME+0xOFF" (the kernel's KSYM_NAME_LEN is 512). */
#define SYMBOL_TEXT_MAX 560
/* Addresses named before the symbols are loaded are those of the kernel
 * image: from the 2 MiB below _stext to 256 MiB above it (images are far
 * smaller). Others never cause the symbols to be loaded, so answering a
 * linear-map or vmalloc address stays as fast as without symbols. */
#define IMAGE_SPAN (UINT64_C(256) << 20)
#define IMAGE_ALIGN (UINT64_C(2) << 20)

static struct ptw_error *not_a(const char *what, const char *text, size_t len)
{
	return ptw_error_create(PTW_E_INVALID_ARGUMENT, "not %s: '%.*s%s'", what,
				(int)(len > QUOTE_MAX ? QUOTE_MAX : len), text, len > QUOTE_MAX ? "..." : "");
}

/* Out of line, so that a batch's numbers pay nothing for it (cold: the
 * compiler keeps its setup off the path of a number). */
static __attribute__((cold, noinline)) struct ptwalk_error *not_a_number(const char *text, size_t len)
{
	return ptw_api_error(not_a("a number (decimal or 0x hex)", text ? text : "", text ? len : 0));
}

struct ptwalk_error *ptwalk_parse_u64(const char *text, size_t len, uint64_t *ret)
{
	if (text && ptw_parse_u64_n(text, len, ret))
		return NULL;
	return not_a_number(text, len);
}

/* Whether text could be SYMBOL, SYMBOL+OFF or SYMBOL-OFF: a C identifier
 * (with the '.' and '$' of compiler-made names such as foo.cold), then an
 * offset. Anything else is not looked up, so a mistyped number never costs
 * loading the symbols. */
static bool looks_like_symbol(const char *text, size_t len)
{
	if (!len || !(isalpha((unsigned char)text[0]) || text[0] == '_' || text[0] == '.'))
		return false;
	for (size_t i = 1; i < len; i++) {
		unsigned char ch = (unsigned char)text[i];

		if (!isalnum(ch) && ch != '_' && ch != '.' && ch != '$' && ch != '+' && ch != '-')
			return false;
	}
	return true;
}

struct ptwalk_error *ptwalk_address_parse(struct ptwalk_dump *d, const char *text, size_t len,
					  uint64_t *address_ret)
{
	const struct ptw_symtab *st;
	struct ptw_error *err;
	char name[SYMBOL_TEXT_MAX];

	if (ptw_parse_u64_n(text, len, address_ret))
		return NULL;
	if (!looks_like_symbol(text, len) || len >= sizeof(name))
		return ptw_api_error(not_a("an address", text, len));
	/* A symbol: the dump's symbols are loaded now, the first time. */
	err = ptw_dump_symbols(d->d, &st);
	if (err)
		return ptw_api_error(err);
	memcpy(name, text, len);
	name[len] = '\0';
	return ptw_api_error(ptw_symtab_resolve(st, name, address_ret));
}

bool ptwalk_symbol_name(struct ptwalk_dump *d, uint64_t va, struct ptwalk_symbol *ret, uint64_t *offset_ret)
{
	struct ptw_dump *dump = d->d;
	const struct ptw_symtab *st;
	struct ptw_symbol s;
	struct ptw_error *err;
	uint64_t stext, off;
	bool sure = false;

	if (!dump->symbols_tried) {
		if (!ptw_vmcoreinfo_try_symbol(&dump->vmcoreinfo, "_stext", &stext))
			return false;
		stext &= ~(IMAGE_ALIGN - 1);
		if (va < stext || va - stext >= IMAGE_SPAN)
			return false;
		/* One address named from kallsyms without loading it all. */
		err = ptw_dump_name_address(dump, va, &sure, &s, &off);
		ptw_error_destroy(err);
	}
	if (!sure) {
		/* A -k or -m file that does not match is the error of
		 * ptwalk_symbols_load; nothing here is worth failing a name for. */
		err = ptw_dump_symbols(dump, &st);
		if (err) {
			ptw_error_destroy(err);
			return false;
		}
		if (!ptw_symtab_find_addr(st, va, &s, &off))
			return false;
	}
	ret->address = s.address;
	ret->name = s.name;
	ret->type = s.type;
	ret->source = (enum ptwalk_sym_source)s.source;
	if (offset_ret)
		*offset_ret = off;
	return true;
}
