/* ps: every task of the dump, crash style or as JSON Lines. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_cli.h"
#include "cli.h"
#include "json.h"

struct ps_out {
	struct ptw_json json;
	bool json_mode;
	const char *layout;
	struct ptwalk_task *tasks;
	size_t n, cap;
	bool nomem;
};

static void print_json(struct ps_out *o, const struct ptwalk_task *t)
{
	struct ptw_json *j = &o->json;

	ptw_json_begin_object(j);
	ptw_json_field_i64(j, "pid", t->pid);
	ptw_json_field_i64(j, "tgid", t->tgid);
	if (t->have_ppid)
		ptw_json_field_i64(j, "ppid", t->ppid);
	else
		ptw_json_field_null(j, "ppid");
	ptw_json_field_string(j, "comm", t->comm);
	if (t->have_state) {
		char s[2] = { t->state, 0 };

		ptw_json_field_string(j, "state", s);
	} else {
		ptw_json_field_null(j, "state");
	}
	ptw_json_field_hex(j, "task", t->addr);
	if (t->mm)
		ptw_json_field_hex(j, "mm", t->mm);
	else
		ptw_json_field_null(j, "mm");
	if (t->have_pgd)
		ptw_json_field_hex(j, "pgd_pa", t->pgd_pa);
	else
		ptw_json_field_null(j, "pgd_pa");
	if (t->have_cpu)
		ptw_json_field_u64(j, "cpu", t->cpu);
	else
		ptw_json_field_null(j, "cpu");
	if (t->have_running)
		ptw_json_field_bool(j, "running", t->running);
	else
		ptw_json_field_null(j, "running");
	/* Kernel thread or not is known from PF_KTHREAD only. */
	if (t->have_flags)
		ptw_json_field_bool(j, "kthread", t->kthread);
	else
		ptw_json_field_null(j, "kthread");
	ptw_json_field_string(j, "struct_layout", o->layout);
	ptw_json_end_object(j);
	ptw_json_newline(j);
}

static bool on_task(void *arg, const struct ptwalk_task *t)
{
	struct ps_out *o = arg;

	if (o->json_mode) {
		print_json(o, t);
		return true;
	}
	if (o->n == o->cap) {
		size_t ncap = o->cap ? o->cap * 2 : 256;
		struct ptwalk_task *n = realloc(o->tasks, ncap * sizeof(*n));

		if (!n) {
			o->nomem = true;
			return false;
		}
		o->tasks = n;
		o->cap = ncap;
	}
	o->tasks[o->n++] = *t;
	return true;
}

static int cmp_pid(const void *a, const void *b)
{
	const struct ptwalk_task *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static void print_text(const struct ps_out *o)
{
	printf("   PID    PPID  CPU       TASK        ST  COMM\n");
	for (size_t i = 0; i < o->n; i++) {
		const struct ptwalk_task *t = &o->tasks[i];
		char ppid[16], cpu[16];

		if (t->have_ppid)
			snprintf(ppid, sizeof(ppid), "%" PRId32, t->ppid);
		else
			snprintf(ppid, sizeof(ppid), "?");
		if (t->have_cpu)
			snprintf(cpu, sizeof(cpu), "%" PRIu32, t->cpu);
		else
			snprintf(cpu, sizeof(cpu), "-");
		printf("%c%6" PRId32 " %7s %4s  %016" PRIx64 "  %-2c  %s%s%s\n",
		       t->have_running && t->running ? '>' : ' ', t->pid, ppid, cpu, t->addr,
		       t->have_state ? t->state : '?', t->have_flags && t->kthread ? "[" : "", t->comm,
		       t->have_flags && t->kthread ? "]" : "");
	}
}

static int run_ps(struct ptw_cli *cli)
{
	struct ptwalk_dump *d = NULL;
	struct ptwalk_task_layout_info layout;
	struct ps_out o = { .json_mode = cli->json };
	struct ptwalk_error *err = ptw_cli_open(cli, &d);

	if (!err)
		err = ptwalk_task_layout(d, &layout);
	if (err) {
		ptw_cli_close(cli, d);
		return ptw_cli_fail_api(cli, err);
	}
	o.layout = layout.source;
	ptw_json_init(&o.json, stdout);
	if (!layout.have_threads)
		ptw_cli_warn(cli, "the thread lists could not be read (task_struct.thread_node not known): only thread-group leaders are listed");
	if (!strcmp(layout.source, "inferred") && !cli->json)
		ptw_cli_warn(cli, "no types in the dump: structure offsets inferred from init_task and the task list");
	err = ptwalk_tasks(d, on_task, &o);
	if (!err && o.nomem)
		err = ptwalk_error_create(PTWALK_E_NOMEM, "out of memory");
	if (!err && !cli->json) {
		qsort(o.tasks, o.n, sizeof(*o.tasks), cmp_pid);
		print_text(&o);
	}
	free(o.tasks);
	ptw_cli_close(cli, d);
	return err ? ptw_cli_fail_api(cli, err) : PTW_EXIT_OK;
}

const struct ptw_command ptw_cmd_ps = {
	.name = "ps",
	.run = run_ps,
	.synopsis = "DUMP [--json]",
	.summary = "the tasks in the dump",
	.details =
		"Every thread, as crash's ps: PID PPID CPU TASK ST COMM, '>' before a task that\n"
		"was running on a CPU at the crash, kernel threads' COMM in brackets. PPID is\n"
		"the thread group id of real_parent, as /proc prints it. ST is the /proc state\n"
		"letter (R S D T t X Z P I). A '?' or '-' is a fact the dump does not tell:\n"
		"without BTF or DWARF the structure offsets are inferred from init_task and the\n"
		"task list, and the state and CPU are not known; a single-threaded process is\n"
		"shown running on a CPU whose note (in user mode) has a stack pointer in its\n"
		"VMAs and in no other process's.",
	.options = PTW_OPTS_COMMON,
	.min_args = 0,
	.max_args = 0,
};
