/* Fuzz harness: the task list walker, the VMA walker with its maple-tree
 * decoder, and the layout inference, over an arbitrary kernel memory image
 * (tests/kmem_image.h; init_task at its start, the synthetic layout of
 * tests/check_task.c). The oracle: no crash, and everything reported stays
 * within the budgets whatever the bytes say. */
#include <stdint.h>
#include <string.h>

#include "kmem_image.h"
#include "maple.h"
#include "task.h"
#include "vma.h"

#define MAX_TASKS 4096
#define MAX_VMAS 4096

struct counts {
	uint64_t tasks, vmas, first_mm;
};

static bool on_task(void *arg, const struct ptw_task *t)
{
	struct counts *c = arg;

	if (!c->first_mm && t->mm)
		c->first_mm = t->mm;
	c->tasks++;
	return true;
}

static bool on_vma(void *arg, const struct ptw_vma *v)
{
	struct counts *c = arg;

	(void)v;
	c->vmas++;
	return true;
}

static void quiet(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kmem_image m = { data, size };
	struct ptw_kmem mem;
	struct ptw_task_layout L;
	struct ptw_task_limits lim = { .max_tasks = MAX_TASKS };
	struct ptw_diag d = { .warn = quiet, .max = 10 };
	struct counts c = { 0 };
	struct ptw_task_anchors a = { .init_task = IMG_BASE, .init_mm = IMG_BASE + 0x4800,
				      .kernel_root_pa = 0x6000, .granule = 4096 };
	struct ptw_error *err;

	if (size < 0x100 || size > (1u << 20))
		return 0;
	kmem_image_init(&mem, &m);
	kmem_image_layout(&L);
	err = ptw_tasks_walk(&mem, &L, IMG_BASE, &lim, on_task, &c, &d);
	ptw_error_destroy(err);
	if (c.tasks > MAX_TASKS)
		__builtin_trap();
	if (c.first_mm) {
		err = ptw_vmas_walk(&mem, &L, c.first_mm, MAX_VMAS, on_vma, &c, &d);
		ptw_error_destroy(err);
		if (c.vmas > MAX_VMAS)
			__builtin_trap();
	}
	err = ptw_task_layout_infer(&mem, &a, &L);
	ptw_error_destroy(err);
	return 0;
}
