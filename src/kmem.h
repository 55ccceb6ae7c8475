/* What the kernel-object walkers (tasks, maple trees, VMAs) read through: a
 * reader of kernel virtual memory and a sink for warnings. In ptwalk the
 * reader is src/vmem.h; the fuzz harnesses give one over a buffer, so the
 * walkers can be driven by arbitrary bytes without a dump. */
#ifndef PTW_KMEM_H
#define PTW_KMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct ptw_vmem;
struct ptw_geom;

struct ptw_kmem {
	/* Read [va, va + len) of kernel memory; FAULT / NOT_PRESENT with the VA. */
	struct ptw_error *(*read)(void *arg, uint64_t va, void *buf, size_t len);
	/* Read through a user tree (NULL when the reader has none). */
	struct ptw_error *(*read_user)(void *arg, const struct ptw_geom *g, uint64_t va, void *buf,
				       size_t len);
	/* Physical address of a kernel VA (for mm->pgd); NULL when unknown. */
	struct ptw_error *(*translate)(void *arg, uint64_t va, uint64_t *pa_ret);
	void *arg;
};

/** A reader of kernel (and user) memory over a ptw_vmem. */
void ptw_kmem_from_vmem(struct ptw_vmem *vm, struct ptw_kmem *ret);

static inline struct ptw_error *ptw_kmem_read(const struct ptw_kmem *m, uint64_t va, void *buf,
					      size_t len)
{
	return m->read(m->arg, va, buf, len);
}

/** Little-endian words (both supported arches are little-endian). */
static inline uint64_t ptw_le64(const void *p)
{
	const unsigned char *b = p;
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | b[i];
	return v;
}

static inline uint32_t ptw_le32(const void *p)
{
	const unsigned char *b = p;

	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static inline struct ptw_error *ptw_kmem_u64(const struct ptw_kmem *m, uint64_t va, uint64_t *ret)
{
	unsigned char b[8];
	struct ptw_error *err = m->read(m->arg, va, b, sizeof(b));

	if (!err)
		*ret = ptw_le64(b);
	return err;
}

static inline struct ptw_error *ptw_kmem_u32(const struct ptw_kmem *m, uint64_t va, uint32_t *ret)
{
	unsigned char b[4];
	struct ptw_error *err = m->read(m->arg, va, b, sizeof(b));

	if (!err)
		*ret = ptw_le32(b);
	return err;
}

/* Warnings from a walk over dump data: each names the object and what is
 * wrong. The sink bounds how many reach the user; the rest are counted. */
struct ptw_diag {
	void (*warn)(void *arg, const char *msg);
	void *arg;
	unsigned max;        /* 0: no limit */
	unsigned count;      /* warnings issued, including suppressed ones */
};

/** Issue one warning (formatted; dropped when d is NULL or past d->max). */
void ptw_diag_warn(struct ptw_diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
