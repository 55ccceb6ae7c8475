/* ps: every task of the dump, crash style or as JSON Lines. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "dump.h"
#include "json.h"
#include "regs.h"
#include "task_cli.h"

struct ps_out {
	struct ptw_tctx *tc;
	struct ptw_json json;
	bool json_mode;
	struct ptw_task *tasks;
	size_t n, cap;
	bool nomem;
	bool collect;   /* JSON too: running is worked out after the walk */
};

static void print_json(struct ps_out *o, const struct ptw_task *t)
{
	struct ptw_json *j = &o->json;
	bool known;
	bool kthread = ptw_task_is_kthread(t, &known);

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
	if (known)
		ptw_json_field_bool(j, "kthread", kthread);
	else
		ptw_json_field_null(j, "kthread");
	ptw_json_field_string(j, "struct_layout", o->tc->env.layout.source);
	ptw_json_end_object(j);
	ptw_json_newline(j);
}

static bool on_task(void *arg, const struct ptw_task *t)
{
	struct ps_out *o = arg;

	if (o->json_mode && !o->collect) {
		print_json(o, t);
		return true;
	}
	if (o->n == o->cap) {
		size_t ncap = o->cap ? o->cap * 2 : 256;
		struct ptw_task *n = realloc(o->tasks, ncap * sizeof(*n));

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
	const struct ptw_task *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static void print_text(const struct ps_out *o)
{
	printf("   PID    PPID  CPU       TASK        ST  COMM\n");
	for (size_t i = 0; i < o->n; i++) {
		const struct ptw_task *t = &o->tasks[i];
		bool known;
		bool kthread = ptw_task_is_kthread(t, &known);
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
		       t->have_state ? t->state : '?', known && kthread ? "[" : "", t->comm,
		       known && kthread ? "]" : "");
	}
}

/* Without task_struct.on_cpu: a CPU note in user mode whose stack pointer
 * lies in exactly one process's VMAs marks that process running on that
 * CPU, when it has one thread; the other tasks stay unknown. */
static void mark_running_from_notes(struct ptw_tctx *tc, struct ps_out *o)
{
	struct ptw_source *src = tc->dump->src;
	const struct ptw_regs_ops *regs = tc->dump->arch == PTW_ARCH_ARM64 ? &ptw_regs_arm64 :
					  tc->dump->arch == PTW_ARCH_X86_64 ? &ptw_regs_x86_64 : NULL;
	uint64_t *mms;
	struct ptw_error *err;

	if (!regs || !src->ncpus || !(mms = calloc(src->ncpus, sizeof(*mms))))
		return;
	err = ptw_notes_user_mms(&tc->mem, &tc->env.layout, tc->env.init_task, regs, src->cpus, src->ncpus, mms);
	if (err) {
		ptw_error_destroy(err);
		free(mms);
		return;
	}
	for (size_t c = 0; c < src->ncpus; c++) {
		size_t users = 0, at = 0;

		if (!mms[c])
			continue;
		for (size_t i = 0; i < o->n; i++)
			if (o->tasks[i].mm == mms[c]) {
				users++;
				at = i;
			}
		if (users == 1) {
			o->tasks[at].have_running = true;
			o->tasks[at].running = true;
			o->tasks[at].have_cpu = true;
			o->tasks[at].cpu = (uint32_t)c;
		}
	}
	free(mms);
}

static int run_ps(struct ptw_cli *cli)
{
	struct ptw_tctx tc;
	struct ps_out o = { .tc = &tc, .json_mode = cli->json };
	struct ptw_error *err = ptw_tctx_open(cli, NULL, &tc);

	if (err)
		return ptw_cli_fail(cli, err);
	ptw_json_init(&o.json, stdout);
	if (!tc.env.layout.have_threads)
		ptw_cli_warn(cli, "the thread lists could not be read (task_struct.thread_node not known): only thread-group leaders are listed");
	if (!strcmp(tc.env.layout.source, "inferred") && !cli->json)
		ptw_cli_warn(cli, "no types in the dump: structure offsets inferred from init_task and the task list");
	o.collect = !tc.env.layout.have_on_cpu;
	err = ptw_tasks_walk(&tc.mem, &tc.env.layout, tc.env.init_task, NULL, on_task, &o, &tc.diag);
	if (!err && o.nomem)
		err = &ptw_enomem;
	if (!err && o.collect)
		mark_running_from_notes(&tc, &o);
	if (!err && cli->json && o.collect)
		for (size_t i = 0; i < o.n; i++)
			print_json(&o, &o.tasks[i]);
	if (!err && !cli->json) {
		qsort(o.tasks, o.n, sizeof(*o.tasks), cmp_pid);
		print_text(&o);
	}
	free(o.tasks);
	ptw_tctx_close(&tc);
	return err ? ptw_cli_fail(cli, err) : PTW_EXIT_OK;
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
