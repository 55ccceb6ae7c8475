/* The command-line front end: parsed options, the command table, and the one
 * place where errors become messages and exit codes. */
#ifndef PTW_CLI_H
#define PTW_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ptw_exit {
	PTW_EXIT_OK = 0,
	PTW_EXIT_DATA = 1,       /* unreadable, corrupt or unsupported input */
	PTW_EXIT_USAGE = 2,
	PTW_EXIT_FINDINGS = 3,   /* check found problems */
	PTW_EXIT_UNANSWERED = 4, /* an address could not be answered */
};

/* Options a command accepts, as a bit set over this list. */
enum ptw_opt {
	PTW_OPT_JSON = 1u << 0,
	PTW_OPT_VMLINUX = 1u << 1,
	PTW_OPT_SYSTEM_MAP = 1u << 2,
	PTW_OPT_SET = 1u << 3,
	PTW_OPT_PGD = 1u << 4,
	PTW_OPT_PID = 1u << 5,
	PTW_OPT_PHYS = 1u << 6,
	PTW_OPT_RAW = 1u << 7,
	PTW_OPT_OUTPUT = 1u << 8,
	PTW_OPT_HALF = 1u << 9,  /* --kernel / --user */
	PTW_OPT_QUIET = 1u << 10,
	PTW_OPT_BRIEF = 1u << 11,
	PTW_OPT_FILL = 1u << 12,
	PTW_OPT_BTF = 1u << 13,
	PTW_OPT_LEVEL = 1u << 14,  /* log --level N */
	PTW_OPT_CALLER = 1u << 15, /* log --caller */
	PTW_OPT_LIST = 1u << 16,   /* sym --list */
	PTW_OPT_PAGES = 1u << 17,  /* vmas --pages */
	PTW_OPT_FORCE = 1u << 18,  /* gcore --force */
};

/* Options of the contract that this build does not have yet (other work is
 * adding them): each is "not implemented yet" (exit 2), never silently
 * ignored. Remove an option's bit here when it lands. */
#define PTW_OPTS_NOT_YET 0u

/* Every command takes these. */
#define PTW_OPTS_COMMON (PTW_OPT_JSON | PTW_OPT_VMLINUX | PTW_OPT_SYSTEM_MAP | PTW_OPT_BTF | PTW_OPT_SET | PTW_OPT_QUIET)

struct ptw_cli;

struct ptw_command {
	const char *name;
	int (*run)(struct ptw_cli *cli);
	const char *synopsis;    /* after "ptwalk NAME " */
	const char *summary;     /* one line */
	const char *details;     /* further help text, or NULL */
	unsigned options;        /* PTW_OPT_* accepted */
	size_t min_args, max_args; /* positional arguments after DUMP */
};

struct ptw_cli {
	const struct ptw_command *cmd;
	const char *dump_path;
	char **args;             /* positional arguments after DUMP */
	size_t nargs;
	bool json, quiet, brief, phys, raw, kernel_half, user_half;
	const char *vmlinux, *system_map, *btf, *output;
	const char **sets;
	size_t nsets;
	bool have_pgd;
	uint64_t pgd;
	bool have_pid;
	uint64_t pid;
	bool have_fill;
	uint8_t fill;
	bool have_level;
	unsigned level;          /* log: records of this level and more urgent */
	bool caller;             /* log: print the caller id */
	bool list;               /* sym: list the table */
	bool pages;              /* vmas: page counts per VMA */
	bool force;              /* gcore: replace an existing file */
	char **positional;       /* owns the array args points into */
};

/* One per command file; main.c lists them in its dispatch table. */
extern const struct ptw_command ptw_cmd_info;
extern const struct ptw_command ptw_cmd_layout, ptw_cmd_vtop, ptw_cmd_ptov, ptw_cmd_read;
extern const struct ptw_command ptw_cmd_maps, ptw_cmd_check;
extern const struct ptw_command ptw_cmd_log;
extern const struct ptw_command ptw_cmd_sym;
extern const struct ptw_command ptw_cmd_ps, ptw_cmd_vmas, ptw_cmd_gcore;

/** Parse argv after the command name into cli. Prints usage errors itself; returns an exit code or -1 to go on. */
int ptw_cli_parse(struct ptw_cli *cli, const struct ptw_command *cmd, int argc, char **argv);
void ptw_cli_free(struct ptw_cli *cli);
/** Print the help of one command to stdout. */
void ptw_cli_print_help(const struct ptw_command *cmd);

/* Messages. Every one has the shape `ptwalk: WHERE: what`: WHERE is the file
 * at fault (the dump; an output file; stdin), then `offset 0x...` where one
 * applies; for usage errors it is the command. Warnings add `warning: `
 * before what. Numbers in messages are hex with 0x (see src/cli/format.h).
 * Errors, which are the library's (struct ptwalk_error), are printed by
 * ptw_cli_fail_api (src/cli/api_cli.h). */

/** A warning about the dump, `ptwalk: DUMP: warning: ...`, unless --quiet. */
void ptw_cli_warn(const struct ptw_cli *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/** A warning about another input, `ptwalk: WHERE: warning: ...` (WHERE e.g. "stdin"). */
void ptw_cli_warn_in(const struct ptw_cli *cli, const char *where, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/** A usage error found by a command, `ptwalk: COMMAND: ...`; returns PTW_EXIT_USAGE. */
int ptw_cli_usage_error(const struct ptw_cli *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
