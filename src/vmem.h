/* Reading the dead kernel's virtual memory: the one place below symbols,
 * types, the kernel log and tasks that turns a kernel (or user) virtual
 * address into bytes. It owns a walker over the dump's physical memory and
 * remembers the last translated page, so sequential reads of kernel data
 * cost one walk per page. */
#ifndef PTW_VMEM_H
#define PTW_VMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "walk.h"

struct ptw_dump;
struct ptw_vmem;

/** A reader of the kernel half of dump's address space. The dump must have
 * a translation (dump->have_xlat) and must outlive the reader. */
struct ptw_error *ptw_vmem_create(struct ptw_dump *dump, struct ptw_vmem **ret);
void ptw_vmem_destroy(struct ptw_vmem *vm);

/** Read [va, va + len) through tree g (NULL: the kernel's tree; a user
 * address then fails). A page that is not mapped gives FAULT, one that is
 * mapped but absent from the dump NOT_PRESENT, each with the VA; buf may be
 * partly written on error. */
struct ptw_error *ptw_vmem_read_tree(struct ptw_vmem *vm, const struct ptw_geom *g, uint64_t va,
				     void *buf, size_t len);
/** ptw_vmem_read_tree through the kernel's tree. */
struct ptw_error *ptw_vmem_read(struct ptw_vmem *vm, uint64_t va, void *buf, size_t len);
/** Little-endian words of kernel memory (both supported arches are LE). */
struct ptw_error *ptw_vmem_read_u64(struct ptw_vmem *vm, uint64_t va, uint64_t *ret);
struct ptw_error *ptw_vmem_read_u32(struct ptw_vmem *vm, uint64_t va, uint32_t *ret);
/** Translate one kernel VA; NULL and *pa_ret set only for a mapped page. */
struct ptw_error *ptw_vmem_translate(struct ptw_vmem *vm, uint64_t va, uint64_t *pa_ret);
/** The walker this reader uses (for callers that need a full walk result). */
struct ptw_walker *ptw_vmem_walker(struct ptw_vmem *vm);
/** The dump it reads. */
struct ptw_dump *ptw_vmem_dump(struct ptw_vmem *vm);

#endif
