/* Shared by the commands that read tasks (ps, vmas, gcore, and --pid on
 * vtop/read/maps/check): the dump's kernel memory reader, the task
 * environment (init_task, layout) and warnings routed to stderr. */
#ifndef PTW_TASK_CLI_H
#define PTW_TASK_CLI_H

#include "cli.h"
#include "kmem.h"
#include "task.h"
#include "task_env.h"
#include "xlat.h"

struct ptw_vmem;

struct ptw_tctx {
	const struct ptw_cli *cli;
	struct ptw_dump *dump;
	bool own_dump;
	struct ptw_vmem *vm;
	struct ptw_kmem mem;
	struct ptw_diag diag;
	struct ptw_task_env env;
};

/** Set up on dump (opened here when NULL). */
struct ptw_error *ptw_tctx_open(const struct ptw_cli *cli, struct ptw_dump *dump, struct ptw_tctx *ret);
/** Print how many warnings were not shown, and release. */
void ptw_tctx_close(struct ptw_tctx *tc);

/** The task cli->pid, required to have a user address space; its user
 * tree in *g_ret. Kernel threads and unknown pids are errors naming them. */
struct ptw_error *ptw_tctx_pid(struct ptw_tctx *tc, uint64_t pid, struct ptw_task *task_ret,
			       struct ptw_geom *g_ret);

/** --pid for the translation commands: the user tree of that task. */
struct ptw_error *ptw_cli_pid_geom(const struct ptw_cli *cli, struct ptw_dump *dump,
				   struct ptw_geom *g_ret);

#endif
