#include "large_buf.h"

#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#define HUGE_PAGE PTW_LARGE_BUF_HUGE_PAGE

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

/* size rounded up to whole huge pages; 0 when that does not fit. */
static size_t huge_round(size_t size)
{
	if (size > SIZE_MAX - (HUGE_PAGE - 1))
		return 0;
	return (size + (HUGE_PAGE - 1)) & ~(size_t)(HUGE_PAGE - 1);
}

void *ptw_large_buf_alloc_zeroed(size_t size)
{
	size_t len = huge_round(size ? size : 1);
	uint8_t *p, *aligned;

	if (len == 0 || len > SIZE_MAX - HUGE_PAGE)
		return NULL;
	p = mmap(NULL, len + HUGE_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	/* The mapping, trimmed to an aligned start and length. */
	aligned = (uint8_t *)(((uintptr_t)p + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
	if (aligned > p)
		munmap(p, (size_t)(aligned - p));
	if (aligned + len < p + len + HUGE_PAGE)
		munmap(aligned + len, (size_t)(p + len + HUGE_PAGE - (aligned + len)));
#ifdef MADV_HUGEPAGE
	(void)madvise(aligned, len, MADV_HUGEPAGE);
#endif
	return aligned;
}

void ptw_large_buf_free_zeroed(void *p, size_t size)
{
	if (p)
		munmap(p, huge_round(size ? size : 1));
}

size_t ptw_large_buf_round(size_t size)
{
	size_t rounded = huge_round(size);

	return size < HUGE_PAGE || rounded == 0 ? size : rounded;
}
