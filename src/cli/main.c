/* ptwalk: one dispatch table; each command lives in its own file. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "config.h"

static const struct ptw_command *const commands[] = {
	&ptw_cmd_info,
	&ptw_cmd_layout,
	&ptw_cmd_vtop,
	&ptw_cmd_ptov,
	&ptw_cmd_read,
	&ptw_cmd_maps,
	&ptw_cmd_check,
	&ptw_cmd_log,
	&ptw_cmd_sym,
	&ptw_cmd_ps,
	&ptw_cmd_vmas,
	&ptw_cmd_gcore,
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct ptw_command *find_command(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i]->name, name) == 0)
			return commands[i];
	return NULL;
}

static void print_usage(FILE *out)
{
	fprintf(out,
		"Usage: ptwalk COMMAND DUMP [ARGS...] [OPTIONS]\n"
		"       ptwalk help [COMMAND]   ptwalk --version   ptwalk COMMAND --help\n\n"
		"Offline analysis of Linux crash dumps: reads the dump's VMCOREINFO and walks\n"
		"the dead kernel's page tables in software.\n\nCommands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(out, "  %-8s %s\n", commands[i]->name, commands[i]->summary);
	fprintf(out, "\nExit status: 0 ok, 1 bad or unsupported input, 2 usage, 3 check findings,\n"
		     "4 an address could not be answered.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		print_usage(stderr);
		return PTW_EXIT_USAGE;
	}
	const char *name = argv[1];
	if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0) {
		printf("ptwalk %s\n", PACKAGE_VERSION);
		return PTW_EXIT_OK;
	}
	if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
		print_usage(stdout);
		return PTW_EXIT_OK;
	}
	if (strcmp(name, "help") == 0) {
		if (argc < 3) {
			print_usage(stdout);
			return PTW_EXIT_OK;
		}
		const struct ptw_command *cmd = find_command(argv[2]);
		if (!cmd) {
			fprintf(stderr, "ptwalk: %s: unknown command\n", argv[2]);
			return PTW_EXIT_USAGE;
		}
		ptw_cli_print_help(cmd);
		return PTW_EXIT_OK;
	}
	const struct ptw_command *cmd = find_command(name);
	if (!cmd) {
		fprintf(stderr, "ptwalk: %s: unknown command\n", name);
		print_usage(stderr);
		return PTW_EXIT_USAGE;
	}
	struct ptw_cli cli;
	int rc = ptw_cli_parse(&cli, cmd, argc - 1, argv + 1);
	if (rc < 0)
		rc = cmd->run(&cli);
	ptw_cli_free(&cli);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "ptwalk: stdout: %s\n", strerror(errno));
		if (rc == PTW_EXIT_OK)
			rc = PTW_EXIT_DATA;
	}
	return rc;
}
