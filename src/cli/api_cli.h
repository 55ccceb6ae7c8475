/* The command line's way into libptwalk through its public API alone
 * (include/ptwalk.h): opening the dump as the CLI contract says (warnings
 * first, -k/-m checked before any output), the address space of --pgd /
 * --pid, ADDRESS arguments, and errors as messages and exit codes. Commands
 * converted to the API use these instead of the internal ones in cli.h. */
#ifndef PTW_CLI_API_CLI_H
#define PTW_CLI_API_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ptwalk.h"

struct ptw_cli;
struct ptw_json;

/** Print err as `ptwalk: FILE: offset 0x..: message` (FILE: the file at
 * fault, else the dump; an INVALID_ARGUMENT error names the command), free
 * it, return its exit code (2 for INVALID_ARGUMENT, else 1). */
int ptw_cli_fail_api(const struct ptw_cli *cli, struct ptwalk_error *err);
/** Open cli->dump_path with -k, -m, --btf and --set; print the warnings the
 * dump was opened around; with -k or -m, load the symbols now (a file from
 * another kernel fails before any output). Walk warnings go to stderr, at
 * most 20, the rest counted by ptw_cli_close(). */
struct ptwalk_error *ptw_cli_open(const struct ptw_cli *cli, struct ptwalk_dump **ret);
/** Say how many walk warnings were not shown, and close. */
void ptw_cli_close(const struct ptw_cli *cli, struct ptwalk_dump *d);
/** The address space the command works in: the kernel's, plus the user
 * tree of --pgd or --pid when given. */
struct ptwalk_error *ptw_cli_space(const struct ptw_cli *cli, struct ptwalk_dump *d,
				   struct ptwalk_space **ret);
/** The symbols, loaded now if not yet, with each refused source named in a
 * warning once. */
struct ptwalk_error *ptw_cli_load_symbols(const struct ptw_cli *cli, struct ptwalk_dump *d);
/** The one reader of a virtual ADDRESS given by the user: the len bytes at
 * text, decimal or 0x hex, or SYMBOL, SYMBOL+OFF, SYMBOL-OFF against the
 * dump's symbols (ptwalk_address_parse; loaded only for such a text, each
 * refused source then named in a warning). INVALID_ARGUMENT naming the
 * text when it is none of these. */
struct ptwalk_error *ptw_cli_address(const struct ptw_cli *cli, struct ptwalk_dump *d, const char *text,
				     size_t len, uint64_t *va_ret);
/** A number given by the user (an option's value, a length, a physical
 * address), read as every number is (ptwalk_parse_u64): false when text is
 * not one. */
bool ptw_cli_number(const char *text, uint64_t *ret);

/* Room for "SYMBOL+0xOFF" text (the kernel's KSYM_NAME_LEN is 512). */
#define PTW_CLI_SYMBOL_TEXT_MAX 560
/** The name of a kernel address as vtop and read show it, "start_kernel+0x10"
 * or "start_kernel" at offset 0 (ptwalk_symbol_name: outside the kernel
 * image, only once the symbols are loaded). False when none. */
bool ptw_cli_name(const struct ptw_cli *cli, struct ptwalk_dump *d, uint64_t va, char *buf, size_t len);
/** A leaf's decoded attributes (ptwalk_translation_attrs,
 * ptwalk_entry_attrs) as one JSON object, each by its name: booleans,
 * numbers and strings as they are (vtop's and maps' "attrs"). */
void ptw_cli_attrs_json(struct ptw_json *j, const struct ptwalk_attr *attrs, size_t n);
/** Close space, first warning when a live kernel changed tables under the
 * walk (ptwalk_space_tables_changed). NULL is fine. */
void ptw_cli_space_close(const struct ptw_cli *cli, struct ptwalk_space *space);

#endif
