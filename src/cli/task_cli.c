#include "task_cli.h"

#include <inttypes.h>
#include <string.h>

#include "dump.h"
#include "vmem.h"

/* Warnings past this many are counted, and the count printed at the end. */
#define MAX_WARNINGS 20

static void warn_cb(void *arg, const char *msg)
{
	struct ptw_tctx *tc = arg;

	ptw_cli_warn(tc->cli, "%s", msg);
}

struct ptw_error *ptw_tctx_open(const struct ptw_cli *cli, struct ptw_dump *dump, struct ptw_tctx *ret)
{
	struct ptw_error *err;

	memset(ret, 0, sizeof(*ret));
	ret->cli = cli;
	if (!dump) {
		err = ptw_cli_open_dump(cli, &dump);
		if (err)
			return err;
		ret->own_dump = true;
	}
	ret->dump = dump;
	ret->diag.warn = warn_cb;
	ret->diag.arg = ret;
	ret->diag.max = MAX_WARNINGS;
	err = ptw_vmem_create(dump, &ret->vm);
	if (!err) {
		ptw_kmem_from_vmem(ret->vm, &ret->mem);
		err = ptw_task_env_create(dump, &ret->mem, &ret->env);
	}
	if (err) {
		ptw_tctx_close(ret);
		return err;
	}
	return NULL;
}

void ptw_tctx_close(struct ptw_tctx *tc)
{
	if (tc->diag.max && tc->diag.count > tc->diag.max)
		ptw_cli_warn(tc->cli, "%u more warning(s) not shown", tc->diag.count - tc->diag.max);
	tc->diag.count = 0;
	ptw_vmem_destroy(tc->vm);
	tc->vm = NULL;
	if (tc->own_dump)
		ptw_dump_close(tc->dump);
	tc->dump = NULL;
}

struct ptw_error *ptw_tctx_pid(struct ptw_tctx *tc, uint64_t pid, struct ptw_task *task_ret,
			       struct ptw_geom *g_ret)
{
	const struct ptw_xlat *x = &tc->dump->xlat;
	struct ptw_task t;
	struct ptw_error *err;

	err = ptw_task_find(&tc->mem, &tc->env.layout, tc->env.init_task, pid, &t, &tc->diag);
	if (err)
		return err;
	if (!t.mm)
		return ptw_error_create(PTW_E_NOT_PRESENT,
					"pid %" PRIu64 " (%s) is a kernel thread: it has no user address space",
					pid, t.comm);
	if (!t.have_pgd)
		return ptw_error_create(PTW_E_BAD_DATA,
					"pid %" PRIu64 " (%s): mm 0x%" PRIx64 " has no readable pgd", pid, t.comm, t.mm);
	if (g_ret) {
		if (!x->ops || !x->ops->user_geom)
			return ptw_error_create(PTW_E_NOT_IMPLEMENTED, "user tables are not implemented for this arch");
		err = x->ops->user_geom(x, t.pgd_pa, g_ret);
		if (err)
			return ptw_error_prepend(err, "pid %" PRIu64 " (%s)", pid, t.comm);
	}
	*task_ret = t;
	return NULL;
}

struct ptw_error *ptw_cli_pid_geom(const struct ptw_cli *cli, struct ptw_dump *dump,
				   struct ptw_geom *g_ret)
{
	struct ptw_tctx tc;
	struct ptw_task t;
	struct ptw_error *err = ptw_tctx_open(cli, dump, &tc);

	if (err)
		return err;
	err = ptw_tctx_pid(&tc, cli->pid, &t, g_ret);
	ptw_tctx_close(&tc);
	return err;
}
