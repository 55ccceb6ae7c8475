/* The command line's access to the dump's symbols: loaded on first use, with
 * every source that was refused named in a warning. */
#include <inttypes.h>
#include <stdio.h>

#include "cli.h"

struct ptw_error *ptw_cli_symbols(const struct ptw_cli *cli, struct ptw_dump *dump,
				  const struct ptw_symtab **ret)
{
	bool first = !dump->symbols_tried;
	const struct ptw_symtab *st;
	struct ptw_error *err = ptw_dump_symbols(dump, &st);

	if (err)
		return err;
	if (first) {
		for (size_t i = 0; i < ptw_symtab_refusal_count(st); i++) {
			const struct ptw_sym_refusal *r = ptw_symtab_refusal(st, i);

			ptw_cli_warn(cli, "%s not used: %s", ptw_sym_source_name(r->source), r->why);
		}
	}
	*ret = st;
	return NULL;
}

/* Addresses named in vtop and read output are those of the kernel image:
 * from the 2 MiB below _stext to 256 MiB above it (images are far
 * smaller). Others never cause the symbols to be loaded, so translating a
 * linear-map or vmalloc address stays as fast as without symbols. */
#define IMAGE_SPAN (UINT64_C(256) << 20)

bool ptw_cli_name_address(const struct ptw_cli *cli, struct ptw_dump *dump, uint64_t va,
			  struct ptw_symbol *sym_ret, uint64_t *offset_ret)
{
	const struct ptw_symtab *st;
	struct ptw_error *err;
	uint64_t stext;

	if (!dump->symbols_tried) {
		if (!ptw_vmcoreinfo_try_symbol(&dump->vmcoreinfo, "_stext", &stext))
			return false;
		stext &= ~UINT64_C(0x1fffff);
		if (va < stext || va - stext >= IMAGE_SPAN)
			return false;
		/* One address named from kallsyms without loading it all. */
		bool sure = false;

		err = ptw_dump_name_address(dump, va, &sure, sym_ret, offset_ret);
		ptw_error_destroy(err);
		if (sure)
			return true;
	}
	err = ptw_cli_symbols(cli, dump, &st);
	if (err) {
		/* A -k or -m file that does not match was refused when the
		 * command started (ptw_cli_check_symbol_files); nothing else
		 * here is worth failing an answer for. */
		ptw_error_destroy(err);
		return false;
	}
	return ptw_symtab_find_addr(st, va, sym_ret, offset_ret);
}

struct ptw_error *ptw_cli_check_symbol_files(const struct ptw_cli *cli, struct ptw_dump *dump)
{
	const struct ptw_symtab *st;

	if (!cli->vmlinux && !cli->system_map)
		return NULL;
	return ptw_cli_symbols(cli, dump, &st);
}

void ptw_cli_symbol_text(const struct ptw_symbol *s, uint64_t offset, char *buf, size_t len)
{
	if (offset)
		snprintf(buf, len, "%s+0x%" PRIx64, s->name, offset);
	else
		snprintf(buf, len, "%s", s->name);
}
