#include <errno.h>
#include <getopt.h> /* struct option: the table of long names */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_cli.h"
#include "cli.h"

/* One table drives both the parser and the help text, so they can't drift. */
struct option_doc {
	unsigned flag;
	const char *spelling;
	const char *text;
};

static const struct option_doc option_docs[] = {
	{ PTW_OPT_JSON, "--json", "machine output (JSON; JSON Lines for lists)" },
	{ PTW_OPT_BRIEF, "--brief", "one line per address: VA PA or VA STATUS" },
	{ PTW_OPT_VMLINUX, "-k, --vmlinux FILE", "kernel ELF with symbols (and DWARF types)" },
	{ PTW_OPT_SYSTEM_MAP, "-m, --system-map FILE", "a System.map" },
	{ PTW_OPT_BTF, "--btf FILE", "kernel types from a raw BTF file (e.g. /sys/kernel/btf/vmlinux)" },
	{ PTW_OPT_SET, "--set KEY=VALUE", "supply or override a VMCOREINFO entry; repeatable" },
	{ PTW_OPT_PGD, "--pgd ADDR", "walk the user table at physical ADDR (or a raw TTBR0/CR3)" },
	{ PTW_OPT_PID, "--pid PID", "walk the user table of task PID (its mm->pgd)" },
	{ PTW_OPT_PHYS, "--phys", "ADDR is physical" },
	{ PTW_OPT_RAW, "--raw", "write raw bytes instead of a hexdump" },
	{ PTW_OPT_FILL, "--fill BYTE", "with --raw, write BYTE for bytes the dump lacks" },
	{ PTW_OPT_OUTPUT, "-o FILE", "write to FILE" },
	{ PTW_OPT_HALF, "--kernel, --user", "which half of the address space to walk" },
	{ PTW_OPT_LEVEL, "--level N", "records of level N (0-7 or a name: emerg..debug) and more urgent" },
	{ PTW_OPT_CALLER, "--caller", "print the caller id ([T123] task, [C1] CPU) after the time" },
	{ PTW_OPT_LIST, "--list", "list every symbol (matching GLOB, as the shell matches names)" },
	{ PTW_OPT_PAGES, "--pages", "per VMA: pages present, not present, not in the dump" },
	{ PTW_OPT_FORCE, "--force", "replace an existing output file" },
	{ PTW_OPT_QUIET, "-q, --quiet", "no warnings on stderr" },
};

enum {
	LONG_JSON = 256, LONG_SET, LONG_PGD, LONG_PID, LONG_PHYS, LONG_RAW, LONG_KERNEL,
	LONG_USER, LONG_BRIEF, LONG_FILL, LONG_HELP, LONG_BTF, LONG_LEVEL, LONG_CALLER,
	LONG_LIST, LONG_PAGES, LONG_FORCE,
};

static const struct option long_options[] = {
	{ "json", no_argument, NULL, LONG_JSON },
	{ "brief", no_argument, NULL, LONG_BRIEF },
	{ "vmlinux", required_argument, NULL, 'k' },
	{ "system-map", required_argument, NULL, 'm' },
	{ "set", required_argument, NULL, LONG_SET },
	{ "pgd", required_argument, NULL, LONG_PGD },
	{ "pid", required_argument, NULL, LONG_PID },
	{ "phys", no_argument, NULL, LONG_PHYS },
	{ "raw", no_argument, NULL, LONG_RAW },
	{ "fill", required_argument, NULL, LONG_FILL },
	{ "kernel", no_argument, NULL, LONG_KERNEL },
	{ "user", no_argument, NULL, LONG_USER },
	{ "quiet", no_argument, NULL, 'q' },
	{ "btf", required_argument, NULL, LONG_BTF },
	{ "help", no_argument, NULL, LONG_HELP },
	{ "level", required_argument, NULL, LONG_LEVEL },
	{ "caller", no_argument, NULL, LONG_CALLER },
	{ "list", no_argument, NULL, LONG_LIST },
	{ "pages", no_argument, NULL, LONG_PAGES },
	{ "force", no_argument, NULL, LONG_FORCE },
	{ NULL, 0, NULL, 0 },
};

void ptw_cli_print_help(const struct ptw_command *cmd)
{
	printf("Usage: ptwalk %s %s\n\n%s\n", cmd->name, cmd->synopsis, cmd->summary);
	if (cmd->details)
		printf("\n%s\n", cmd->details);
	printf("\nOptions:\n");
	for (size_t i = 0; i < sizeof(option_docs) / sizeof(option_docs[0]); i++)
		if (cmd->options & option_docs[i].flag)
			printf("  %-24s %s\n", option_docs[i].spelling, option_docs[i].text);
	printf("  %-24s %s\n", "-h, --help", "this text");
}

/* Every message has one shape: `ptwalk: WHERE: what`. For usage errors WHERE
 * is the command. */
static int usage_error(const struct ptw_command *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int usage_error(const struct ptw_command *cmd, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "ptwalk: %s: ", cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nUsage: ptwalk %s %s\n", cmd->name, cmd->synopsis);
	return PTW_EXIT_USAGE;
}

/* Short options: these take a value (attached, -kFILE, or the next word). */
static const char short_with_value[] = "kmo";

/* The command line after the command name, scanned word by word: options
 * anywhere, `--` ends them, exact long names only (no abbreviations, so a
 * new option can never change what an old spelling means). */
struct arg_scan {
	int argc;
	char **argv;
	int next;               /* the next word */
	const char *cluster;    /* the rest of a short-option cluster (-qk...) */
	bool only_positional;   /* after `--` */
	char **positional;      /* collected in order */
	size_t npositional;
	const char *value;      /* of the option just returned */
	const char *word;       /* the word the option came from */
	char spelling[64];      /* the option as the user spelled it: -k, --pgd */
};

/* Returns an option code of long_options (or its short letter), -1 at the
 * end, '?' for an unknown option, ':' for a missing value, '=' for a value
 * given to an option that takes none. */
static int scan_next(struct arg_scan *s)
{
	for (;;) {
		if (s->cluster && *s->cluster) {
			char ch = *s->cluster++;

			snprintf(s->spelling, sizeof(s->spelling), "-%c", ch);
			if (strchr(short_with_value, ch)) {
				if (*s->cluster)
					s->value = s->cluster;
				else if (s->next < s->argc)
					s->value = s->argv[s->next++];
				else
					return ':';
				s->cluster = NULL;
				return ch;
			}
			if (ch == 'q')
				return 'q';
			if (ch == 'h')
				return LONG_HELP;
			return '?';
		}
		s->cluster = NULL;
		if (s->next >= s->argc)
			return -1;
		char *w = s->argv[s->next++];
		s->word = w;
		if (s->only_positional || w[0] != '-' || w[1] == '\0') {
			s->positional[s->npositional++] = w;
			continue;
		}
		if (strcmp(w, "--") == 0) {
			s->only_positional = true;
			continue;
		}
		if (w[1] != '-') {
			if (w[1] >= '0' && w[1] <= '9') {
				snprintf(s->spelling, sizeof(s->spelling), "%s", w);
				return '?';
			}
			s->cluster = w + 1;
			continue;
		}
		const char *name = w + 2, *eq = strchr(name, '=');
		size_t n = eq ? (size_t)(eq - name) : strlen(name);

		snprintf(s->spelling, sizeof(s->spelling), "--%.*s", (int)(n < 60 ? n : 60), name);
		for (const struct option *o = long_options; o->name; o++) {
			if (strlen(o->name) != n || strncmp(o->name, name, n) != 0)
				continue;
			if (o->has_arg == required_argument) {
				if (eq)
					s->value = eq + 1;
				else if (s->next < s->argc)
					s->value = s->argv[s->next++];
				else
					return ':';
			} else if (eq) {
				return '=';
			}
			return o->val;
		}
		return '?';
	}
}

/* Options that exclude each other or need another: an option that would
 * change nothing is a usage error saying why, never silently ignored. */
static int check_combinations(const struct ptw_cli *cli, const struct ptw_command *cmd)
{
	if (cli->kernel_half && cli->user_half)
		return usage_error(cmd, "--kernel and --user exclude each other");
	if (cli->have_pgd && cli->have_pid)
		return usage_error(cmd, "--pgd and --pid exclude each other");
	/* Commands that walk a table given by --pgd or --pid use types only to
	 * find --pid's task (struct page comes from VMCOREINFO). */
	if (cli->btf && (cmd->options & PTW_OPT_PGD) && !cli->have_pid)
		return usage_error(cmd, "--btf gives the types --pid needs: without --pid, %s uses no types", cmd->name);
	if (cli->user_half && !cli->have_pgd && !cli->have_pid)
		return usage_error(cmd, "--user needs the user table: --pgd ADDR");
	if (cli->kernel_half && (cli->have_pgd || cli->have_pid))
		return usage_error(cmd, "--kernel walks the kernel's table: a user table (--pgd, --pid) would be ignored");
	if (cli->phys && (cli->have_pgd || cli->have_pid))
		return usage_error(cmd, "--phys reads physical memory: a table to translate through (--pgd, --pid) would be ignored");
	if (cli->json && cli->brief)
		return usage_error(cmd, "--json and --brief exclude each other");
	if (cli->json && cli->raw)
		return usage_error(cmd, "--json and --raw exclude each other");
	if (cli->have_fill && !cli->raw)
		return usage_error(cmd, "--fill needs --raw (the hexdump shows missing bytes as \"?\?\")");
	if (cli->output && !cli->raw && (cmd->options & PTW_OPT_RAW))
		return usage_error(cmd, "-o needs --raw");
	return -1;
}

int ptw_cli_parse(struct ptw_cli *cli, const struct ptw_command *cmd, int argc, char **argv)
{
	memset(cli, 0, sizeof(*cli));
	cli->cmd = cmd;
	struct arg_scan s = { .argc = argc, .argv = argv, .next = 1 };
	s.positional = calloc((size_t)argc, sizeof(*s.positional));
	if (!s.positional)
		return usage_error(cmd, "out of memory");
	cli->positional = s.positional;
	int c;
	/* argv[0] is the command name. */
	while ((c = scan_next(&s)) != -1) {
		unsigned needed = 0;
		const char *value = s.value;
		switch (c) {
		case LONG_HELP:
			ptw_cli_print_help(cmd);
			return PTW_EXIT_OK;
		case LONG_JSON: needed = PTW_OPT_JSON; cli->json = true; break;
		case LONG_BRIEF: needed = PTW_OPT_BRIEF; cli->brief = true; break;
		case 'k': needed = PTW_OPT_VMLINUX; cli->vmlinux = value; break;
		case 'm': needed = PTW_OPT_SYSTEM_MAP; cli->system_map = value; break;
		case 'o': needed = PTW_OPT_OUTPUT; cli->output = value; break;
		case 'q': needed = PTW_OPT_QUIET; cli->quiet = true; break;
		case LONG_PHYS: needed = PTW_OPT_PHYS; cli->phys = true; break;
		case LONG_RAW: needed = PTW_OPT_RAW; cli->raw = true; break;
		case LONG_KERNEL: needed = PTW_OPT_HALF; cli->kernel_half = true; break;
		case LONG_USER: needed = PTW_OPT_HALF; cli->user_half = true; break;
		case LONG_BTF: needed = PTW_OPT_BTF; cli->btf = value; break;
		case LONG_SET: {
			needed = PTW_OPT_SET;
			if (!strchr(value, '=') || value[0] == '=')
				return usage_error(cmd, "--set wants KEY=VALUE, not '%s'", value);
			const char **n = realloc(cli->sets, (cli->nsets + 1) * sizeof(*n));
			if (!n)
				return usage_error(cmd, "out of memory");
			cli->sets = n;
			cli->sets[cli->nsets++] = value;
			break;
		}
		case LONG_PGD:
			needed = PTW_OPT_PGD;
			if (!ptw_cli_number(value, &cli->pgd))
				return usage_error(cmd, "--pgd wants a physical address (decimal or 0x hex), not '%s'", value);
			cli->have_pgd = true;
			break;
		case LONG_PID:
			needed = PTW_OPT_PID;
			if (!ptw_cli_number(value, &cli->pid))
				return usage_error(cmd, "--pid wants a number (decimal or 0x hex), not '%s'", value);
			cli->have_pid = true;
			break;
		case LONG_FILL: {
			uint64_t v;
			needed = PTW_OPT_FILL;
			if (!ptw_cli_number(value, &v) || v > 0xff)
				return usage_error(cmd, "--fill wants a byte value (0-255, decimal or 0x hex), not '%s'", value);
			cli->fill = (uint8_t)v;
			cli->have_fill = true;
			break;
		}
		case LONG_LEVEL: {
			/* The syslog level names of <linux/kern_levels.h>, as dmesg spells them. */
			static const char *const names[] = { "emerg", "alert", "crit", "err",
							     "warn", "notice", "info", "debug" };
			uint64_t v = 8;
			needed = PTW_OPT_LEVEL;
			for (unsigned i = 0; i < 8; i++)
				if (strcmp(value, names[i]) == 0)
					v = i;
			if (v == 8 && (!ptw_cli_number(value, &v) || v > 7))
				return usage_error(cmd, "--level wants 0-7 or emerg, alert, crit, err, warn, notice, info, debug; not '%s'",
						   value);
			cli->level = (unsigned)v;
			cli->have_level = true;
			break;
		}
		case LONG_CALLER: needed = PTW_OPT_CALLER; cli->caller = true; break;
		case LONG_LIST: needed = PTW_OPT_LIST; cli->list = true; break;
		case LONG_PAGES: needed = PTW_OPT_PAGES; cli->pages = true; break;
		case LONG_FORCE: needed = PTW_OPT_FORCE; cli->force = true; break;
		case ':':
			return usage_error(cmd, "option '%s' needs a value", s.spelling);
		case '=':
			return usage_error(cmd, "option '%s' takes no value", s.spelling);
		default:
			if (s.spelling[1] >= '0' && s.spelling[1] <= '9')
				return usage_error(cmd, "unknown option '%s' (numbers take no sign)", s.spelling);
			if (s.spelling[1] != '-' && strlen(s.word) > 2)
				return usage_error(cmd, "unknown option '%s' (in '%s')", s.spelling, s.word);
			return usage_error(cmd, "unknown option '%s'", s.spelling);
		}
		if (needed & PTW_OPTS_NOT_YET)
			return usage_error(cmd, "option '%s' is not implemented yet", s.spelling);
		if (!(cmd->options & needed))
			return usage_error(cmd, "option '%s' does not apply to %s", s.spelling, cmd->name);
	}
	int rc = check_combinations(cli, cmd);
	if (rc >= 0)
		return rc;
	if (s.npositional == 0)
		return usage_error(cmd, "no dump file given");
	cli->dump_path = s.positional[0];
	cli->args = s.positional + 1;
	cli->nargs = s.npositional - 1;
	if (cli->nargs < cmd->min_args)
		return usage_error(cmd, "missing argument");
	if (cli->nargs > cmd->max_args)
		return usage_error(cmd, "too many arguments ('%s')", cli->args[cmd->max_args]);
	return -1;
}

void ptw_cli_free(struct ptw_cli *cli)
{
	free(cli->sets);
	cli->sets = NULL;
	free(cli->positional);
	cli->positional = NULL;
}

/* `ptwalk: WHERE: ` */
static void message_prefix(const struct ptw_cli *cli, const char *where)
{
	fputs("ptwalk: ", stderr);
	if (where)
		fprintf(stderr, "%s: ", where);
	else if (cli && cli->cmd)
		fprintf(stderr, "%s: ", cli->cmd->name);
}

static void warn_v(const struct ptw_cli *cli, const char *where, const char *fmt, va_list ap)
{
	if (cli->quiet)
		return;
	fflush(stdout);
	message_prefix(cli, where);
	fputs("warning: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void ptw_cli_warn(const struct ptw_cli *cli, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	warn_v(cli, cli->dump_path, fmt, ap);
	va_end(ap);
}

void ptw_cli_warn_in(const struct ptw_cli *cli, const char *where, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	warn_v(cli, where, fmt, ap);
	va_end(ap);
}

int ptw_cli_usage_error(const struct ptw_cli *cli, const char *fmt, ...)
{
	va_list ap;
	fflush(stdout);
	message_prefix(cli, NULL);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return PTW_EXIT_USAGE;
}

int ptw_cli_fail_api(const struct ptw_cli *cli, struct ptwalk_error *err)
{
	bool usage = ptwalk_error_code(err) == PTWALK_E_INVALID_ARGUMENT;
	const char *where = ptwalk_error_file(err);
	uint64_t offset;

	if (!where && !usage)
		where = cli->dump_path;
	fflush(stdout);
	message_prefix(cli, where);
	if (ptwalk_error_offset(err, &offset))
		fprintf(stderr, "offset 0x%" PRIx64 ": ", offset);
	fprintf(stderr, "%s\n", ptwalk_error_message(err));
	ptwalk_error_free(err);
	return usage ? PTW_EXIT_USAGE : PTW_EXIT_DATA;
}
