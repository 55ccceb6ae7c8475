/* What `info` says about a dump's symbols and types without loading them
 * (a probe of kallsyms, BTF's header), through the public API. */
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "source.h"
#include "types_dump.h"

bool ptwalk_dump_has_vmcoreinfo(const struct ptwalk_dump *dump)
{
	return dump->d->src->vmcoreinfo != NULL;
}

/* Keep text in *slot (the dump's) for the caller until the next call:
 * false when out of memory. */
static bool keep_text(char **slot, const char *text)
{
	free(*slot);
	*slot = NULL;
	if (!text)
		return true;
	*slot = strdup(text);
	return *slot != NULL;
}

struct ptwalk_error *ptwalk_symbols_summary(struct ptwalk_dump *dump, struct ptwalk_symbols_summary *ret)
{
	struct ptw_sym_summary s;
	struct ptw_error *err = ptw_dump_symbols_summary(dump->d, &s);

	if (err)
		return ptw_api_error(err);
	if (!keep_text(&dump->summary_why, s.refused_why)) {
		ptw_sym_summary_free(&s);
		return ptw_api_error(&ptw_enomem);
	}
	ret->source = (enum ptwalk_sym_source)s.source;
	ret->count = s.count;
	ret->data_symbols = s.data_symbols;
	ret->names_checked = s.loaded;
	ret->refused = (enum ptwalk_sym_source)s.refused;
	ret->refused_why = dump->summary_why;
	ptw_sym_summary_free(&s);
	return NULL;
}

struct ptwalk_error *ptwalk_types_probe(struct ptwalk_dump *dump, struct ptwalk_types_info *ret)
{
	struct ptw_types_sources src = { .vmlinux = dump->d->vmlinux_path, .btf_path = dump->d->btf_path };
	struct ptw_types_choice c;
	struct ptw_error *why;

	memset(&c, 0, sizeof(c));
	why = ptw_types_probe(dump->d, &src, &c);
	if (why) {
		ptw_types_choice_free(&c);
		return ptw_api_error(why);
	}
	if (!keep_text(&dump->types_skipped, c.skipped)) {
		ptw_types_choice_free(&c);
		return ptw_api_error(&ptw_enomem);
	}
	ret->source = c.source;
	ret->from = c.from;
	ret->have_address = c.have_address;
	ret->address = c.address;
	ret->size = c.size;
	ret->skipped = dump->types_skipped;
	ptw_types_choice_free(&c);
	return NULL;
}
