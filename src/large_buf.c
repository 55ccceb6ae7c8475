#include "large_buf.h"

#include <stdlib.h>
#include <sys/mman.h>

/* x86-64's and arm64's (4 KiB granule) huge page size. */
#define HUGE_PAGE (2u << 20)

void *ptw_large_buf_alloc(size_t size)
{
	void *p;

	if (size < HUGE_PAGE)
		return malloc(size ? size : 1);
	if (posix_memalign(&p, HUGE_PAGE, size) != 0)
		return NULL;
#ifdef MADV_HUGEPAGE
	/* Advice only: without THP (or with it "never") nothing changes. */
	(void)madvise(p, size, MADV_HUGEPAGE);
#endif
	return p;
}
