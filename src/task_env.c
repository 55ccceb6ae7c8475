#include "task_env.h"

#include <inttypes.h>
#include <string.h>

#include "dump.h"

/* A kernel symbol's address: VMCOREINFO SYMBOL(name) (which --set can
 * supply). */
static bool lookup(struct ptw_dump *dump, const char *name, uint64_t *ret, const char **source_ret)
{
	uint64_t v;

	if (ptw_vmcoreinfo_try_symbol(&dump->vmcoreinfo, name, &v)) {
		*ret = v;
		*source_ret = "vmcoreinfo";
		return true;
	}
	return false;
}

struct ptw_error *ptw_task_env_create(struct ptw_dump *dump, const struct ptw_kmem *mem,
				      struct ptw_task_env *ret)
{
	struct ptw_task_env env;
	struct ptw_task_anchors a = { 0 };
	const char *src = NULL, *src2 = NULL;
	struct ptw_error *err;

	memset(&env, 0, sizeof(env));
	if (!lookup(dump, "init_task", &env.init_task, &src))
		return ptw_error_create(PTW_E_BAD_DATA,
					"cannot list tasks: the address of init_task is not known (no such symbol; give it with --set 'SYMBOL(init_task)=ADDR')");
	env.init_task_source = src;
	a.init_task = env.init_task;
	lookup(dump, "init_mm", &a.init_mm, &src2);
	a.kernel_root_pa = dump->xlat.kernel.root_pa;
	a.kernel_root_va = dump->xlat.swapper_pg_dir;
	a.granule = dump->xlat.granule;
	err = ptw_task_layout_infer(mem, &a, &env.layout);
	if (err)
		return err;
	*ret = env;
	return NULL;
}
