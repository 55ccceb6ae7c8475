/* A kernel memory image for the task and maple-tree tests and harnesses:
 * bytes at VA IMG_BASE, read through a struct ptw_kmem, "physical"
 * address = VA - IMG_BASE. Reads outside the image are FAULT. */
#ifndef PTW_KMEM_IMAGE_H
#define PTW_KMEM_IMAGE_H

#include <stdint.h>
#include <string.h>

#include "kmem.h"
#include "task.h"

#define IMG_BASE UINT64_C(0xffff000010000000)

struct kmem_image {
	const unsigned char *b;
	size_t len;
};

static struct ptw_error *img_read(void *arg, uint64_t va, void *buf, size_t len)
{
	const struct kmem_image *m = arg;

	if (va < IMG_BASE || va - IMG_BASE > m->len || len > m->len - (va - IMG_BASE))
		return ptw_error_address(PTW_E_FAULT, va, "0x%llx not mapped", (unsigned long long)va);
	memcpy(buf, m->b + (va - IMG_BASE), len);
	return NULL;
}

static struct ptw_error *img_translate(void *arg, uint64_t va, uint64_t *pa)
{
	const struct kmem_image *m = arg;

	if (va < IMG_BASE || va - IMG_BASE >= m->len)
		return ptw_error_address(PTW_E_FAULT, va, "0x%llx not mapped", (unsigned long long)va);
	*pa = va - IMG_BASE;
	return NULL;
}

static inline void kmem_image_init(struct ptw_kmem *mem, struct kmem_image *m)
{
	mem->read = img_read;
	mem->read_user = NULL;
	mem->translate = img_translate;
	mem->arg = m;
}

/* The synthetic layout both use: task_struct, signal_struct, mm_struct and
 * vm_area_struct members at these offsets, in the kernel's order (flags
 * before pid, thread_node before comm, signal after it). */
#define T_FLAGS 0x08
#define T_TASKS 0x10
#define T_PID 0x20
#define T_TGID 0x24
#define T_PARENT 0x28
#define T_THREAD_NODE 0x40
#define T_COMM 0x50
#define T_MM 0x60
#define T_ACTIVE_MM 0x68
#define T_SIGNAL 0x70
#define T_SIZE 0x100
#define S_THREAD_HEAD 0x10
#define MM_MT 0x0
#define MM_PGD 0x20

static inline void kmem_image_layout(struct ptw_task_layout *L)
{
	memset(L, 0, sizeof(*L));
	L->source = "types";
	L->task_tasks = T_TASKS;
	L->task_pid = T_PID;
	L->task_tgid = T_TGID;
	L->task_comm = T_COMM;
	L->task_mm = T_MM;
	L->task_real_parent = T_PARENT;
	L->have_flags = true;
	L->task_flags = T_FLAGS;
	L->have_threads = true;
	L->task_thread_node = T_THREAD_NODE;
	L->task_signal = T_SIGNAL;
	L->signal_thread_head = S_THREAD_HEAD;
	L->mm_pgd = MM_PGD;
	L->have_mm_mt = true;
	L->mm_mt = MM_MT;
	L->mt_flags = 4;
	L->mt_root = 8;
	L->vma_start = 0;
	L->vma_end = 8;
	L->vma_mm = 16;
	L->vma_flags = 32;
}

#endif
