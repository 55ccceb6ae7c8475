/* gcore: an ELF core file of one user process, written atomically: the
 * file is built unnamed (O_TMPFILE) in FILE's directory and given its name
 * only when complete, so an interrupted gcore leaves nothing behind. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api_cli.h"
#include "cli.h"
#include "json.h"

/* An OS error naming what failed, as the library words them. */
static struct ptwalk_error *os_error(int errnum, const char *what)
{
	return ptwalk_error_create(errnum == ENOMEM ? PTWALK_E_NOMEM : PTWALK_E_OS, "%s: %s", what,
				   strerror(errnum));
}

/* An unnamed file in the directory of path; *tmp_name_ret is set (to be
 * unlinked on failure) only where O_TMPFILE is not supported. */
static struct ptwalk_error *open_unnamed(const char *path, int *fd_ret, char **tmp_name_ret)
{
	char *copy = strdup(path), *dir;
	int fd;

	*tmp_name_ret = NULL;
	if (!copy)
		return ptwalk_error_create(PTWALK_E_NOMEM, "out of memory");
	dir = dirname(copy);
	fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
	if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL)) {
		char *tmp = malloc(strlen(path) + 16);

		if (!tmp) {
			free(copy);
			return ptwalk_error_create(PTWALK_E_NOMEM, "out of memory");
		}
		sprintf(tmp, "%s.ptwalk-XXXXXX", path);
		fd = mkstemp(tmp);
		if (fd >= 0)
			*tmp_name_ret = tmp;
		else
			free(tmp);
	}
	free(copy);
	if (fd < 0)
	{
		char what[4096 + 32];

		snprintf(what, sizeof(what), "%s: cannot create the core file", path);
		return os_error(errno, what);
	}
	*fd_ret = fd;
	return NULL;
}

/* Give the finished file its name: link the unnamed file (or rename the
 * temporary one); over an existing file only with force. */
static struct ptwalk_error *name_file(int fd, const char *tmp_name, const char *path, bool force)
{
	char proc[64];

	if (tmp_name) {
		if (!force && link(tmp_name, path) == 0) {
			unlink(tmp_name);
			return NULL;
		}
		if (!force)
			return os_error(errno, path);
		if (rename(tmp_name, path) != 0)
			return os_error(errno, path);
		return NULL;
	}
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	if (linkat(AT_FDCWD, proc, AT_FDCWD, path, AT_SYMLINK_FOLLOW) == 0)
		return NULL;
	if (errno != EEXIST || !force)
		return os_error(errno, path);
	/* --force: a temporary name beside it, then rename over it. */
	char *tmp = malloc(strlen(path) + 16);

	if (!tmp)
		return ptwalk_error_create(PTWALK_E_NOMEM, "out of memory");
	for (unsigned i = 0; i < 100; i++) {
		sprintf(tmp, "%s.ptwalk-%u", path, (unsigned)getpid() + i);
		if (linkat(AT_FDCWD, proc, AT_FDCWD, tmp, AT_SYMLINK_FOLLOW) == 0) {
			if (rename(tmp, path) != 0) {
				struct ptwalk_error *err = os_error(errno, path);

				unlink(tmp);
				free(tmp);
				return err;
			}
			free(tmp);
			return NULL;
		}
		if (errno != EEXIST)
			break;
	}
	struct ptwalk_error *err = os_error(errno, tmp);

	free(tmp);
	return err;
}

static int run_gcore(struct ptw_cli *cli)
{
	struct ptwalk_dump *d = NULL;
	struct ptwalk_space *space = NULL;
	struct ptwalk_task t;
	struct ptwalk_gcore_stats st;
	struct ptwalk_error *err;
	char *tmp_name = NULL;
	int fd = -1;
	struct stat sb;

	if (!cli->have_pid)
		return ptw_cli_usage_error(cli, "which process: --pid PID is required");
	if (!cli->output)
		return ptw_cli_usage_error(cli, "where to: -o FILE is required");
	if (!cli->force && lstat(cli->output, &sb) == 0)
		return ptw_cli_fail_api(cli, ptwalk_error_create(PTWALK_E_OS, "%s exists: give --force to replace it",
								 cli->output));
	err = ptw_cli_open(cli, &d);
	/* The process and its table first: no file for a pid that cannot be dumped. */
	if (!err)
		err = ptwalk_space_user_pid(d, cli->pid, &space);
	ptwalk_space_close(space);
	if (!err)
		err = ptwalk_task_find(d, cli->pid, &t);
	if (!err)
		err = open_unnamed(cli->output, &fd, &tmp_name);
	if (!err)
		err = ptwalk_gcore(d, cli->pid, fd, &st);
	if (!err)
		err = name_file(fd, tmp_name, cli->output, cli->force);
	if (fd >= 0)
		close(fd);
	if (err && tmp_name)
		unlink(tmp_name);
	free(tmp_name);
	if (!err) {
		if (!cli->quiet)
			fprintf(stderr, "ptwalk: %s: core of pid %" PRIu64 " (%s): %" PRIu64 " VMAs in %" PRIu64 " segments, %" PRIu64 " pages written, %" PRIu64 " left out (%" PRIu64 " not present, %" PRIu64 " not in the dump), %" PRIu64 " threads (%" PRIu64 " from CPU notes, %" PRIu64 " without registers), %" PRIu64 " bytes\n",
				cli->output, cli->pid, t.comm, st.vmas, st.segments, st.pages_written,
				st.pages_not_present + st.pages_not_in_dump, st.pages_not_present, st.pages_not_in_dump,
				st.threads, st.threads_from_note, st.threads_without_regs, st.bytes);
		if (cli->json) {
			struct ptw_json j;

			ptw_json_init(&j, stdout);
			ptw_json_begin_object(&j);
			ptw_json_field_u64(&j, "pid", cli->pid);
			ptw_json_field_string(&j, "file", cli->output);
			ptw_json_field_u64(&j, "vmas", st.vmas);
			ptw_json_field_u64(&j, "segments", st.segments);
			ptw_json_field_u64(&j, "pages_written", st.pages_written);
			ptw_json_field_u64(&j, "pages_missing", st.pages_not_present + st.pages_not_in_dump);
			ptw_json_field_u64(&j, "pages_not_present", st.pages_not_present);
			ptw_json_field_u64(&j, "pages_not_in_dump", st.pages_not_in_dump);
			ptw_json_field_u64(&j, "threads", st.threads);
			ptw_json_field_u64(&j, "threads_from_cpu_notes", st.threads_from_note);
			ptw_json_field_u64(&j, "threads_without_registers", st.threads_without_regs);
			ptw_json_field_u64(&j, "bytes", st.bytes);
			ptw_json_end_object(&j);
			ptw_json_newline(&j);
		}
	}
	ptw_cli_close(cli, d);
	return err ? ptw_cli_fail_api(cli, err) : PTW_EXIT_OK;
}

const struct ptw_command ptw_cmd_gcore = {
	.name = "gcore",
	.run = run_gcore,
	.synopsis = "DUMP --pid PID -o FILE [--force] [--json]",
	.summary = "an ELF core file of one user process",
	.details =
		"The memory of every VMA is read through the process's own page table; pages\n"
		"that are not mapped or not in the dump are left out of the file (a VMA then\n"
		"becomes several PT_LOAD segments) and counted, never written as zeroes.\n"
		"NT_PRSTATUS per thread (the CPU note for a thread running in user mode at the\n"
		"crash, else the user registers saved at the top of its kernel stack),\n"
		"NT_PRPSINFO, NT_AUXV (mm->saved_auxv), NT_FILE. The file appears only when\n"
		"complete; an existing FILE is kept unless --force. Needs the dump's types.",
	.options = PTW_OPTS_COMMON | PTW_OPT_PID | PTW_OPT_OUTPUT | PTW_OPT_FORCE,
	.min_args = 0,
	.max_args = 0,
};
