/* Joining the parts tasks need on one dump: where init_task is (symbols),
 * and the structure layout (the dump's types, else inference). */
#ifndef PTW_TASK_ENV_H
#define PTW_TASK_ENV_H

#include "error.h"
#include "kmem.h"
#include "task.h"

struct ptw_dump;

struct ptw_task_env {
	struct ptw_task_layout layout;
	uint64_t init_task;
	const char *init_task_source;  /* "kallsyms", "vmcoreinfo", ... */
};

/** Find init_task and the layout for dump, read through mem. An error says
 * which fact is missing (no init_task symbol, a layout fact that could not
 * be inferred). */
struct ptw_error *ptw_task_env_create(struct ptw_dump *dump, const struct ptw_kmem *mem,
				      struct ptw_task_env *ret);

#endif
