/* sym: symbol to address and address to symbol+offset, as crash's sym;
 * --list prints the whole table (or the names matching a glob). */
#include <fnmatch.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "api_cli.h"
#include "cli.h"
#include "format.h"
#include "json.h"

static void type_text(char type, char buf[2])
{
	buf[0] = type;
	buf[1] = '\0';
}

/* offset is signed only for NAME-OFF past every symbol's span. */
static void emit(const struct ptw_cli *cli, struct ptw_json *j, const struct ptwalk_symbol *s,
		 int64_t offset, bool by_address)
{
	uint64_t address = s->address + (uint64_t)offset;
	char t[2];

	type_text(s->type, t);
	if (cli->json) {
		ptw_json_begin_object(j);
		ptw_json_field_string(j, "name", s->name);
		ptw_json_field_hex(j, "address", address);
		ptw_json_field_string(j, "type", t);
		ptw_json_field_i64(j, "offset", offset);
		ptw_json_field_string(j, "source", ptwalk_sym_source_name(s->source));
		ptw_json_end_object(j);
		ptw_json_newline(j);
	} else if (by_address) {
		if (offset > 0)
			printf(PTW_COL_HEX " %s+0x%" PRIx64 "\n", address, s->name, (uint64_t)offset);
		else if (offset < 0)
			printf(PTW_COL_HEX " %s-0x%" PRIx64 "\n", address, s->name, -(uint64_t)offset);
		else
			printf(PTW_COL_HEX " %s\n", address, s->name);
	} else {
		printf(PTW_COL_HEX " %s %s\n", s->address, t, s->name);
	}
}

/* One NAME, NAME+OFF or ADDRESS argument; false when it names nothing. */
static bool answer(const struct ptw_cli *cli, struct ptw_json *j, struct ptwalk_dump *d, const char *arg)
{
	struct ptwalk_symbol s, base;
	size_t pos = 0;
	uint64_t address, offset;
	int64_t base_offset = 0;
	bool any = false, expression = false;
	struct ptwalk_error *err;

	if (!ptw_cli_number(arg, &address)) {
		/* Every symbol of that name (static functions repeat). */
		while (ptwalk_symbol_next_by_name(d, arg, &pos, &s)) {
			emit(cli, j, &s, 0, false);
			any = true;
		}
		if (any)
			return true;
		err = ptwalk_symbol_resolve_parts(d, arg, &base, &base_offset, &address);
		expression = true;
		if (err) {
			fflush(stdout);
			ptw_cli_warn(cli, "%s", ptwalk_error_message(err));
			ptwalk_error_free(err);
			return false;
		}
	}
	err = ptwalk_symbol_at(d, address, &s, &offset);
	if (err) {
		ptwalk_error_free(err);
		/* NAME+OFF past the symbol's span (beyond _end, say): the answer
		 * is still the address it names, relative to NAME. */
		if (expression) {
			emit(cli, j, &base, base_offset, true);
			return true;
		}
		fflush(stdout);
		ptw_cli_warn(cli, "no symbol at 0x%" PRIx64, address);
		return false;
	}
	emit(cli, j, &s, (int64_t)offset, true);
	return true;
}

static int run_sym(struct ptw_cli *cli)
{
	struct ptwalk_dump *d;
	struct ptw_json j;
	unsigned unanswered = 0;
	struct ptwalk_error *err;
	size_t count = 0;

	if (cli->list ? cli->nargs > 1 : cli->nargs == 0)
		return ptw_cli_usage_error(cli, cli->list ? "--list takes at most one GLOB"
							  : "give a NAME, NAME+OFF or ADDRESS (or --list)");
	err = ptw_cli_open(cli, &d);
	if (err)
		return ptw_cli_fail_api(cli, err);
	err = ptw_cli_load_symbols(cli, d);
	if (!err)
		err = ptwalk_symbols_source(d, NULL, &count);
	if (err) {
		ptw_cli_close(cli, d);
		return ptw_cli_fail_api(cli, err);
	}
	ptw_json_init(&j, stdout);
	if (cli->list) {
		const char *glob = cli->nargs ? cli->args[0] : NULL;

		for (size_t i = 0; i < count; i++) {
			struct ptwalk_symbol s;

			err = ptwalk_symbol_get(d, i, &s);
			if (err) {
				ptw_cli_close(cli, d);
				return ptw_cli_fail_api(cli, err);
			}
			if (!glob || fnmatch(glob, s.name, 0) == 0)
				emit(cli, &j, &s, 0, false);
		}
	} else {
		for (size_t i = 0; i < cli->nargs; i++)
			if (!answer(cli, &j, d, cli->args[i]))
				unanswered++;
	}
	ptw_cli_close(cli, d);
	return unanswered ? PTW_EXIT_UNANSWERED : PTW_EXIT_OK;
}

const struct ptw_command ptw_cmd_sym = {
	.name = "sym",
	.run = run_sym,
	.synopsis = "DUMP NAME|NAME+OFF|ADDRESS...  |  DUMP --list [GLOB]",
	.summary = "symbol to address and address to symbol+offset",
	.details = "A NAME prints `ADDRESS TYPE NAME` for every symbol of that name (static\n"
		   "functions repeat); an ADDRESS or NAME+OFF prints `ADDRESS NAME+0xOFF`, the\n"
		   "symbol the address lies in. --list prints the whole table in address order,\n"
		   "or the names matching GLOB ('*' and '?' as the shell). Symbols come from -k,\n"
		   "else -m, else the kallsyms tables in the dump, with VMCOREINFO's SYMBOL()\n"
		   "lines added (type '?'). Exit 4 when an argument names nothing.",
	.options = (PTW_OPTS_COMMON & ~PTW_OPT_BTF) | PTW_OPT_LIST, /* types change nothing here */
	.min_args = 0,
	.max_args = (size_t)-1,
};
