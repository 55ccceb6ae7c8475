/* Large buffers that are written once, front to back (a BTF blob read from
 * the dump, the kdump reader's block cache). Each 4 KiB page of fresh
 * memory costs a page fault when first written: 1,200 of them for a
 * 4.8 MB BTF, about 4 ms of system time on a virtual machine, as much as
 * inflating it. Where the kernel has transparent huge pages in "madvise"
 * mode (Debian's default) or "always", these buffers ask for them: one
 * fault per 2 MiB. */
#ifndef PTW_LARGE_BUF_H
#define PTW_LARGE_BUF_H

#include <stddef.h>

/** x86-64's and arm64's (4 KiB granule) huge page size. */
#define PTW_LARGE_BUF_HUGE_PAGE (2u << 20)

/** size bytes, uninitialised, to be released with free(); NULL when out of
 * memory. Aligned to 2 MiB and advised for huge pages when size is at
 * least that; a kernel without them gives ordinary pages. */
void *ptw_large_buf_alloc(size_t size);

/** size bytes of zeroes, faulted in only when touched, to be released with
 * ptw_large_buf_free_zeroed(p, size); NULL when out of memory. Mapped in
 * whole 2 MiB pages, aligned and advised for huge pages: a table probed at
 * random (the translation cache) then costs no TLB misses, and its cache
 * behaviour does not depend on where 4 KiB pages happened to land. */
void *ptw_large_buf_alloc_zeroed(size_t size);
void ptw_large_buf_free_zeroed(void *p, size_t size);

/** size rounded up to whole huge pages when it is at least one, else size.
 * A buffer of ptw_large_buf_alloc() written near its end gets a huge page
 * there only when the 2 MiB around it is all the buffer's: a buffer of
 * the rounded size has no partial huge page at its end. */
size_t ptw_large_buf_round(size_t size);

#endif
