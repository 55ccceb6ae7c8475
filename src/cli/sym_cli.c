/* The command line's access to the dump's symbols: loaded on first use, with
 * every source that was refused named in a warning. */
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
