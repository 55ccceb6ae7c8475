#include "api_cli.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "json.h"

/* Walk warnings past this many are counted, and the count printed at the end. */
#define MAX_WARNINGS 20

static void warn_cb(void *arg, const char *msg)
{
	ptw_cli_warn(arg, "%s", msg);
}

/* The symbols were loaded by the call just made: name each refused source
 * once, as ptw_cli_load_symbols does. */
static void symbols_loaded_now(const struct ptw_cli *cli, struct ptwalk_dump *d, bool before)
{
	enum ptwalk_sym_source source;
	const char *why;

	if (before || !ptwalk_symbols_loaded(d))
		return;
	for (size_t i = 0; ptwalk_symbols_refusal(d, i, &source, &why); i++)
		ptw_cli_warn(cli, "%s not used: %s", ptwalk_sym_source_name(source), why);
}

struct ptwalk_error *ptw_cli_load_symbols(const struct ptw_cli *cli, struct ptwalk_dump *d)
{
	bool loaded = ptwalk_symbols_loaded(d);
	struct ptwalk_error *err = ptwalk_symbols_load(d);

	symbols_loaded_now(cli, d, loaded);
	return err;
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

bool ptw_cli_number(const char *text, uint64_t *ret)
{
	struct ptwalk_error *err = ptwalk_parse_u64(text, text ? strlen(text) : 0, ret);
	bool ok = err == NULL;

	ptwalk_error_free(err);
	return ok;
}

/* Text that is not a number: a symbol expression, or nothing. Out of line
 * (cold), so that the numbers of a batch pay nothing for it. */
static __attribute__((cold, noinline)) struct ptwalk_error *
address_not_a_number(const struct ptw_cli *cli, struct ptwalk_dump *d, const char *text, size_t len, uint64_t *va_ret)
{
	bool loaded = ptwalk_symbols_loaded(d);
	struct ptwalk_error *err = ptwalk_address_parse(d, text, len, va_ret);

	symbols_loaded_now(cli, d, loaded);
	return err;
}

struct ptwalk_error *ptw_cli_address(const struct ptw_cli *cli, struct ptwalk_dump *d, const char *text,
				     size_t len, uint64_t *va_ret)
{
	/* A number first, as ptwalk_address_parse would: a batch of a
	 * million addresses is numbers, and this is its per-line cost. */
	struct ptwalk_error *err = ptwalk_parse_u64(text, len, va_ret);

	if (!err)
		return NULL;
	ptwalk_error_free(err);
	return address_not_a_number(cli, d, text, len, va_ret);
}

bool ptw_cli_name(const struct ptw_cli *cli, struct ptwalk_dump *d, uint64_t va, char *buf, size_t len)
{
	bool loaded = ptwalk_symbols_loaded(d);
	struct ptwalk_symbol s;
	uint64_t offset;
	bool found = ptwalk_symbol_name(d, va, &s, &offset);

	symbols_loaded_now(cli, d, loaded);
	if (!found)
		return false;
	if (offset)
		snprintf(buf, len, "%s+0x%" PRIx64, s.name, offset);
	else
		snprintf(buf, len, "%s", s.name);
	return true;
}

void ptw_cli_space_close(const struct ptw_cli *cli, struct ptwalk_space *space)
{
	uint64_t first_pa = 0;
	uint64_t changed = space ? ptwalk_space_tables_changed(space, &first_pa) : 0;

	if (changed)
		ptw_cli_warn(cli,
			     "%" PRIu64 " table page(s) read differently when read again (the first at physical "
			     "0x%" PRIx64 "): the live kernel changed them during the walk, and what they map "
			     "is given as each read found it",
			     changed, first_pa);
	ptwalk_space_close(space);
}

void ptw_cli_attrs_json(struct ptw_json *j, const struct ptwalk_attr *attrs, size_t n)
{
	ptw_json_begin_object(j);
	for (size_t i = 0; i < n; i++) {
		const struct ptwalk_attr *a = &attrs[i];

		if (a->type == PTWALK_ATTR_BOOL)
			ptw_json_field_bool(j, a->name, a->u != 0);
		else if (a->type == PTWALK_ATTR_UINT)
			ptw_json_field_u64(j, a->name, a->u);
		else
			ptw_json_field_string(j, a->name, a->s);
	}
	ptw_json_end_object(j);
}
