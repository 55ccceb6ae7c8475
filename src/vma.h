/* A process's virtual memory areas, as /proc/PID/maps shows them: from the
 * mm's maple tree (6.1+) or its mmap list (older kernels), with the file
 * path built from the dentries (fs/d_path.c) and the names the kernel gives
 * anonymous areas ([heap], [stack], [vdso]). Bounded: VMA count, path
 * length and depth. */
#ifndef PTW_VMA_H
#define PTW_VMA_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "kmem.h"
#include "task.h"

#define PTW_VMA_PATH_MAX 4096
/* The kernel's own limit is sysctl max_map_count, 65530 by default. */
#define PTW_VMA_MAX_DEFAULT (UINT64_C(1) << 20)

/* include/linux/mm.h */
#define PTW_VM_READ 0x1u
#define PTW_VM_WRITE 0x2u
#define PTW_VM_EXEC 0x4u
#define PTW_VM_MAYSHARE 0x80u

struct ptw_vma {
	uint64_t addr;                /* the vm_area_struct */
	uint64_t start, end;
	uint64_t flags;
	bool have_pgoff;
	uint64_t pgoff;               /* in pages */
	uint64_t file;                /* struct file *, 0 for anonymous */
	bool have_name;               /* path known, or a [name] */
	char name[PTW_VMA_PATH_MAX];
	bool have_dev;
	uint32_t major, minor;
	uint64_t ino;
};

/** "rw-p" and so on, as /proc prints vm_flags. */
void ptw_vma_perms(const struct ptw_vma *v, char out[5]);

typedef bool ptw_vma_fn(void *arg, const struct ptw_vma *v);

/** Every VMA of mm in address order. Bad entries (unreadable, out of
 * order, vm_mm not this mm) are one warning each and skipped. */
struct ptw_error *ptw_vmas_walk(const struct ptw_kmem *mem, const struct ptw_task_layout *L,
				uint64_t mm, uint64_t max_vmas, ptw_vma_fn *fn, void *arg,
				struct ptw_diag *diag);

#endif
