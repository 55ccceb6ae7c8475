/* Choosing the dump's symbol source: -k, else -m, else the kallsyms in the
 * dump, each checked against VMCOREINFO before use, and VMCOREINFO's own
 * SYMBOL() lines as the last resort and as a supplement. */
#include <stdlib.h>
#include <string.h>

#include "dump.h"
#include "sym.h"

/* KERNELOFFSET (hex): how far KASLR moved the kernel from its link address. */
static uint64_t kaslr_offset(const struct ptw_dump *dump)
{
	uint64_t off = 0;

	if (ptw_vmcoreinfo_has(&dump->vmcoreinfo, "KERNELOFFSET")) {
		struct ptw_error *err = ptw_vmcoreinfo_u64(&dump->vmcoreinfo, "KERNELOFFSET", 16, &off);

		if (err) {
			ptw_error_destroy(err);
			off = 0;
		}
	}
	return off;
}

/* A file given with -k or -m: load it, and refuse it if it is not the dump's kernel. */
static struct ptw_error *load_file(struct ptw_dump *dump, enum ptw_sym_source source,
				   struct ptw_symtab **ret)
{
	const char *path = source == PTW_SYM_VMLINUX ? dump->vmlinux_path : dump->system_map_path;
	const char *what = source == PTW_SYM_VMLINUX ? "vmlinux" : "System.map";
	uint64_t offset = kaslr_offset(dump);
	struct ptw_symtab *st;
	struct ptw_error *err = ptw_symtab_create(source, &st);

	if (err)
		return err;
	if (source == PTW_SYM_VMLINUX)
		err = ptw_vmlinux_symbols_load(path, ptw_vmcoreinfo_get(&dump->vmcoreinfo, "BUILD-ID"),
					       offset, st);
	else
		err = ptw_sysmap_load(path, offset, st);
	if (!err)
		err = ptw_symtab_add_vmcoreinfo(st, &dump->vmcoreinfo);
	if (!err)
		err = ptw_symtab_finish(st);
	if (!err) {
		err = ptw_symtab_check_vmcoreinfo(st, &dump->vmcoreinfo);
		if (err)
			err = ptw_error_prepend(err, "%s %s is not from the dump's kernel (KASLR offset 0x%llx applied): ",
						what, path, (unsigned long long)offset);
	}
	if (err) {
		ptw_symtab_destroy(st);
		return err;
	}
	*ret = st;
	return NULL;
}

/* kallsyms, or, when it cannot be used, VMCOREINFO alone with the reason kept. */
static struct ptw_error *load_from_dump(struct ptw_dump *dump, struct ptw_symtab **ret)
{
	struct ptw_symtab *st;
	struct ptw_error *err = ptw_symtab_create(PTW_SYM_KALLSYMS, &st), *why;

	if (err)
		return err;
	why = ptw_kallsyms_load(dump, st);
	if (!why)
		why = ptw_symtab_add_vmcoreinfo(st, &dump->vmcoreinfo);
	if (!why)
		why = ptw_symtab_finish(st);
	if (!why)
		why = ptw_symtab_check_vmcoreinfo(st, &dump->vmcoreinfo);
	if (!why) {
		*ret = st;
		return NULL;
	}
	ptw_symtab_destroy(st);
	if (why == &ptw_enomem)
		return why;
	err = ptw_symtab_create(PTW_SYM_VMCOREINFO, &st);
	if (!err)
		err = ptw_symtab_add_refusal(st, PTW_SYM_KALLSYMS, why->message);
	ptw_error_destroy(why);
	if (!err)
		err = ptw_symtab_add_vmcoreinfo(st, &dump->vmcoreinfo);
	if (!err)
		err = ptw_symtab_finish(st);
	if (err) {
		ptw_symtab_destroy(st);
		return err;
	}
	*ret = st;
	return NULL;
}

struct ptw_error *ptw_dump_symbols(struct ptw_dump *dump, const struct ptw_symtab **ret)
{
	if (!dump->symbols_tried) {
		struct ptw_symtab *st = NULL;
		struct ptw_error *err;

		if (dump->vmlinux_path)
			err = load_file(dump, PTW_SYM_VMLINUX, &st);
		else if (dump->system_map_path)
			err = load_file(dump, PTW_SYM_SYSTEM_MAP, &st);
		else
			err = load_from_dump(dump, &st);
		if (err == &ptw_enomem)
			return err;
		dump->symbols_tried = true;
		dump->symtab = st;
		dump->symbols_error = err;
	}
	if (dump->symbols_error) {
		/* Each caller frees what it gets: hand out a copy. */
		struct ptw_error *e = dump->symbols_error;
		struct ptw_error *copy = e->has_offset ? ptw_error_at(e->code, e->offset, "%s", e->message)
						       : ptw_error_create(e->code, "%s", e->message);
		return ptw_error_in_file(copy, e->file);
	}
	*ret = dump->symtab;
	return NULL;
}

static size_t count_vmcoreinfo_symbols(const struct ptw_vmcoreinfo *vi)
{
	size_t n = 0;

	for (size_t i = 0; i < vi->count; i++) {
		const char *k = vi->entries[i].key;

		if (strncmp(k, "SYMBOL(", 7) == 0 && strcmp(k, "SYMBOL(mem_section)") != 0 &&
		    strcmp(k, "SYMBOL(vmemmap)") != 0 && strcmp(k, "SYMBOL(mem_map)") != 0)
			n++;
	}
	return n;
}

struct ptw_error *ptw_dump_symbols_summary(struct ptw_dump *dump, struct ptw_sym_summary *ret)
{
	struct ptw_kallsyms_probe probe;
	struct ptw_error *why;

	memset(ret, 0, sizeof(*ret));
	ret->data_symbols = -1;
	if (dump->symbols_tried || dump->vmlinux_path || dump->system_map_path) {
		const struct ptw_symtab *st;
		struct ptw_error *err = ptw_dump_symbols(dump, &st);

		if (err)
			return err;
		ret->source = ptw_symtab_source(st);
		ret->count = ptw_symtab_count(st);
		ret->data_symbols = ptw_symtab_has_data_symbols(st);
		ret->loaded = true;
		if (ptw_symtab_refusal_count(st)) {
			ret->refused = ptw_symtab_refusal(st, 0)->source;
			ret->refused_why = strdup(ptw_symtab_refusal(st, 0)->why);
			if (!ret->refused_why)
				return &ptw_enomem;
		}
		return NULL;
	}
	why = ptw_kallsyms_probe(dump, &probe);
	if (!why) {
		ret->source = PTW_SYM_KALLSYMS;
		ret->count = probe.count;
		ret->data_symbols = probe.data_symbols;
		return NULL;
	}
	if (why == &ptw_enomem)
		return why;
	ret->refused = PTW_SYM_KALLSYMS;
	ret->refused_why = strdup(why->message);
	ptw_error_destroy(why);
	if (!ret->refused_why)
		return &ptw_enomem;
	ret->count = count_vmcoreinfo_symbols(&dump->vmcoreinfo);
	ret->source = ret->count ? PTW_SYM_VMCOREINFO : PTW_SYM_NONE;
	return NULL;
}

void ptw_sym_summary_free(struct ptw_sym_summary *s)
{
	free(s->refused_why);
	s->refused_why = NULL;
}

bool ptw_dump_symbol_address(struct ptw_dump *dump, const char *name, uint64_t *ret)
{
	const struct ptw_symtab *st;
	struct ptw_error *err;

	/* Unless the symbols are at hand (loaded, or -k/-m), one name is
	 * looked up in kallsyms without decoding all of it, once the probe
	 * has checked the tables against VMCOREINFO's _stext as the full load
	 * would: a few dozen pages, not the 100,000 names of a distribution
	 * kernel. */
	if (!dump->symbols_tried && !dump->vmlinux_path && !dump->system_map_path) {
		struct ptw_kallsyms_probe probe;
		bool found = false;

		err = ptw_kallsyms_probe(dump, &probe);
		if (!err)
			err = ptw_kallsyms_lookup_name(dump, name, &found, ret);
		if (!err)
			return found;
		ptw_error_destroy(err);
		/* Tables the lookup cannot read: the full load says why. */
	}
	/* A failure leaves the name unknown; whoever needs the symbols later
	 * gets the reason then. */
	err = ptw_dump_symbols(dump, &st);
	if (err) {
		ptw_error_destroy(err);
		return false;
	}
	return ptw_symtab_lookup_name(st, name, ret, NULL);
}
