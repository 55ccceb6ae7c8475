#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	{ PTW_OPT_SET, "--set KEY=VALUE", "supply or override a VMCOREINFO entry; repeatable" },
	{ PTW_OPT_PGD, "--pgd ADDR", "walk the user table at physical ADDR (or a raw TTBR0/CR3)" },
	{ PTW_OPT_PID, "--pid PID", "walk the user table of task PID" },
	{ PTW_OPT_PHYS, "--phys", "ADDR is physical" },
	{ PTW_OPT_RAW, "--raw", "write raw bytes instead of a hexdump" },
	{ PTW_OPT_FILL, "--fill BYTE", "with --raw, write BYTE for bytes the dump lacks" },
	{ PTW_OPT_OUTPUT, "-o FILE", "write to FILE" },
	{ PTW_OPT_HALF, "--kernel, --user", "which half of the address space to walk" },
	{ PTW_OPT_QUIET, "-q, --quiet", "no warnings on stderr" },
};

enum {
	LONG_JSON = 256, LONG_SET, LONG_PGD, LONG_PID, LONG_PHYS, LONG_RAW, LONG_KERNEL,
	LONG_USER, LONG_BRIEF, LONG_FILL, LONG_HELP,
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
	{ "help", no_argument, NULL, LONG_HELP },
	{ NULL, 0, NULL, 0 },
};

bool ptw_parse_u64(const char *s, uint64_t *ret)
{
	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return false;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	if (errno || *end)
		return false;
	*ret = v;
	return true;
}

void ptw_cli_print_help(const struct ptw_command *cmd)
{
	printf("Usage: ptwalk %s %s\n\n%s\n", cmd->name, cmd->synopsis, cmd->summary);
	if (cmd->details)
		printf("\n%s\n", cmd->details);
	printf("\nOptions:\n");
	for (size_t i = 0; i < sizeof(option_docs) / sizeof(option_docs[0]); i++)
		if (cmd->options & option_docs[i].flag)
			printf("  %-24s %s\n", option_docs[i].spelling, option_docs[i].text);
	printf("  %-24s %s\n", "--help", "this text");
}

static int usage_error(const struct ptw_command *cmd, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "ptwalk %s: ", cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nUsage: ptwalk %s %s\n", cmd->name, cmd->synopsis);
	return PTW_EXIT_USAGE;
}

static const char *option_name(int c)
{
	for (const struct option *o = long_options; o->name; o++)
		if (o->val == c)
			return o->name;
	return "?";
}

int ptw_cli_parse(struct ptw_cli *cli, const struct ptw_command *cmd, int argc, char **argv)
{
	memset(cli, 0, sizeof(*cli));
	cli->cmd = cmd;
	optind = 1;
	opterr = 0;
	int c;
	/* argv[0] is the command name; glibc's getopt permutes, so options may
	 * stand anywhere after it. */
	while ((c = getopt_long(argc, argv, ":k:m:o:q", long_options, NULL)) != -1) {
		unsigned needed = 0;
		switch (c) {
		case LONG_HELP:
			ptw_cli_print_help(cmd);
			return PTW_EXIT_OK;
		case LONG_JSON: needed = PTW_OPT_JSON; cli->json = true; break;
		case LONG_BRIEF: needed = PTW_OPT_BRIEF; cli->brief = true; break;
		case 'k': needed = PTW_OPT_VMLINUX; cli->vmlinux = optarg; break;
		case 'm': needed = PTW_OPT_SYSTEM_MAP; cli->system_map = optarg; break;
		case 'o': needed = PTW_OPT_OUTPUT; cli->output = optarg; break;
		case 'q': needed = PTW_OPT_QUIET; cli->quiet = true; break;
		case LONG_PHYS: needed = PTW_OPT_PHYS; cli->phys = true; break;
		case LONG_RAW: needed = PTW_OPT_RAW; cli->raw = true; break;
		case LONG_KERNEL: needed = PTW_OPT_HALF; cli->kernel_half = true; break;
		case LONG_USER: needed = PTW_OPT_HALF; cli->user_half = true; break;
		case LONG_SET: {
			needed = PTW_OPT_SET;
			if (!strchr(optarg, '=') || optarg[0] == '=')
				return usage_error(cmd, "--set wants KEY=VALUE, not '%s'", optarg);
			const char **n = realloc(cli->sets, (cli->nsets + 1) * sizeof(*n));
			if (!n)
				return usage_error(cmd, "out of memory");
			cli->sets = n;
			cli->sets[cli->nsets++] = optarg;
			break;
		}
		case LONG_PGD:
			needed = PTW_OPT_PGD;
			if (!ptw_parse_u64(optarg, &cli->pgd))
				return usage_error(cmd, "--pgd wants an address, not '%s'", optarg);
			cli->have_pgd = true;
			break;
		case LONG_PID:
			needed = PTW_OPT_PID;
			if (!ptw_parse_u64(optarg, &cli->pid))
				return usage_error(cmd, "--pid wants a number, not '%s'", optarg);
			cli->have_pid = true;
			break;
		case LONG_FILL: {
			uint64_t v;
			needed = PTW_OPT_FILL;
			if (!ptw_parse_u64(optarg, &v) || v > 0xff)
				return usage_error(cmd, "--fill wants a byte value, not '%s'", optarg);
			cli->fill = (uint8_t)v;
			cli->have_fill = true;
			break;
		}
		case ':':
			return usage_error(cmd, "option %s needs a value", argv[optind - 1]);
		default:
			return usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
		}
		if (!(cmd->options & needed))
			return usage_error(cmd, "option --%s does not apply to %s",
					   c < 256 ? option_name(c) : option_name(c), cmd->name);
	}
	if (cli->kernel_half && cli->user_half)
		return usage_error(cmd, "--kernel and --user exclude each other");
	if (cli->have_pgd && cli->have_pid)
		return usage_error(cmd, "--pgd and --pid exclude each other");
	if (optind >= argc)
		return usage_error(cmd, "no dump file given");
	cli->dump_path = argv[optind++];
	cli->args = argv + optind;
	cli->nargs = (size_t)(argc - optind);
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
}

int ptw_cli_fail(const struct ptw_cli *cli, struct ptw_error *err)
{
	int code = err->code == PTW_E_INVALID_ARGUMENT ? PTW_EXIT_USAGE : PTW_EXIT_DATA;
	fprintf(stderr, "ptwalk: %s: ", cli && cli->dump_path ? cli->dump_path : "-");
	if (err->has_offset)
		fprintf(stderr, "offset 0x%" PRIx64 ": ", err->offset);
	fprintf(stderr, "%s\n", err->message);
	ptw_error_destroy(err);
	return code;
}

void ptw_cli_warn(const struct ptw_cli *cli, const char *fmt, ...)
{
	if (cli->quiet)
		return;
	va_list ap;
	fprintf(stderr, "ptwalk: warning: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

struct ptw_error *ptw_cli_open_dump(const struct ptw_cli *cli, struct ptw_dump **ret)
{
	struct ptw_dump_options opts = { .sets = cli->sets, .nsets = cli->nsets };
	return ptw_dump_open(cli->dump_path, &opts, ret);
}
