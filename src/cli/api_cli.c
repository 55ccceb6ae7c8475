#include "api_cli.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "number.h"

/* Walk warnings past this many are counted, and the count printed at the end. */
#define MAX_WARNINGS 20

int ptw_cli_fail_api(const struct ptw_cli *cli, struct ptwalk_error *err)
{
	bool usage = ptwalk_error_code(err) == PTWALK_E_INVALID_ARGUMENT;
	const char *where = ptwalk_error_file(err);
	uint64_t offset;

	if (!where && !usage)
		where = cli->dump_path;
	fflush(stdout);
	fputs("ptwalk: ", stderr);
	if (where)
		fprintf(stderr, "%s: ", where);
	else if (cli->cmd)
		fprintf(stderr, "%s: ", cli->cmd->name);
	if (ptwalk_error_offset(err, &offset))
		fprintf(stderr, "offset 0x%" PRIx64 ": ", offset);
	fprintf(stderr, "%s\n", ptwalk_error_message(err));
	ptwalk_error_free(err);
	return usage ? PTW_EXIT_USAGE : PTW_EXIT_DATA;
}

static void warn_cb(void *arg, const char *msg)
{
	ptw_cli_warn(arg, "%s", msg);
}

struct ptwalk_error *ptw_cli_load_symbols(const struct ptw_cli *cli, struct ptwalk_dump *d)
{
	bool first = !ptwalk_symbols_loaded(d);
	struct ptwalk_error *err = ptwalk_symbols_load(d);
	enum ptwalk_sym_source source;
	const char *why;

	if (err || !first)
		return err;
	for (size_t i = 0; ptwalk_symbols_refusal(d, i, &source, &why); i++)
		ptw_cli_warn(cli, "%s not used: %s", ptwalk_sym_source_name(source), why);
	return NULL;
}

struct ptwalk_error *ptw_cli_open(const struct ptw_cli *cli, struct ptwalk_dump **ret)
{
	struct ptwalk_open_options o = {
		.struct_size = sizeof(o), .vmcoreinfo_sets = cli->sets, .n_vmcoreinfo_sets = cli->nsets,
		.vmlinux = cli->vmlinux, .system_map = cli->system_map, .btf = cli->btf,
	};
	struct ptwalk_dump *d;
	struct ptwalk_error *err = ptwalk_dump_open(cli->dump_path, &o, &d);
	size_t n, dropped;

	if (err)
		return err;
	/* What the dump was opened around, before anything else is said. */
	n = ptwalk_dump_warning_count(d, &dropped);
	for (size_t i = 0; i < n; i++) {
		const struct ptwalk_error *w = ptwalk_dump_warning(d, i);
		char where[4096 + 32];
		uint64_t offset;

		if (ptwalk_error_offset(w, &offset))
			snprintf(where, sizeof(where), "%s: offset 0x%" PRIx64, cli->dump_path, offset);
		else
			snprintf(where, sizeof(where), "%s", cli->dump_path);
		ptw_cli_warn_in(cli, where, "%s", ptwalk_error_message(w));
	}
	if (dropped)
		ptw_cli_warn(cli, "%zu more warning(s) about the dump not shown", dropped);
	/* A -k or -m file is checked against the dump by every command given
	 * it, before any output: one from another kernel is exit 1, never
	 * silently unused. */
	if (cli->vmlinux || cli->system_map) {
		err = ptw_cli_load_symbols(cli, d);
		if (err) {
			ptwalk_dump_close(d);
			return err;
		}
	}
	ptwalk_dump_set_warning_handler(d, warn_cb, (void *)cli, MAX_WARNINGS);
	*ret = d;
	return NULL;
}

void ptw_cli_close(const struct ptw_cli *cli, struct ptwalk_dump *d)
{
	unsigned dropped;

	if (!d)
		return;
	dropped = ptwalk_dump_warnings_dropped(d);
	if (dropped)
		ptw_cli_warn(cli, "%u more warning(s) not shown", dropped);
	ptwalk_dump_close(d);
}

struct ptwalk_error *ptw_cli_space(const struct ptw_cli *cli, struct ptwalk_dump *d, struct ptwalk_space **ret)
{
	if (cli->have_pgd)
		return ptwalk_space_user_root(d, cli->pgd, ret);
	if (cli->have_pid)
		return ptwalk_space_user_pid(d, cli->pid, ret);
	return ptwalk_space_kernel(d, ret);
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

/* Room for "SYMBOL+0xOFF" text (KSYM_NAME_LEN is 512). */
#define SYMBOL_TEXT_MAX 560

struct ptwalk_error *ptw_cli_address(const struct ptw_cli *cli, struct ptwalk_dump *d, const char *text,
				     size_t len, uint64_t *va_ret)
{
	char name[SYMBOL_TEXT_MAX];
	struct ptwalk_error *err;

	if (ptw_parse_u64_n(text, len, va_ret))
		return NULL;
	if (!looks_like_symbol(text, len) || len >= sizeof(name)) {
		/* Quote at most 40 bytes of it: a batch line may be long. */
		return ptwalk_error_create(PTWALK_E_INVALID_ARGUMENT, "not an address: '%.*s%s'",
					   (int)(len > 40 ? 40 : len), text, len > 40 ? "..." : "");
	}
	/* A symbol: the dump's symbols are loaded now, the first time. */
	err = ptw_cli_load_symbols(cli, d);
	if (err)
		return err;
	memcpy(name, text, len);
	name[len] = '\0';
	return ptwalk_symbol_resolve(d, name, va_ret);
}
