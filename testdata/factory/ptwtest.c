/* ptwtest: guest test program for ptwalk's sample vmcores (testdata/).
 *
 * Usage: ptwtest spin|sleep [ready]   ("ready": print PTWREADY after the line)
 *
 * Maps three anonymous regions, fills them with a pattern that encodes the
 * virtual address, prints one parseable line on stdout (the console), then
 * busy-spins in user mode ("spin") or sleeps ("sleep") forever.
 *
 *   region A: 64 KiB, every page touched
 *   region B: 2 MiB, 2 MiB aligned, MADV_HUGEPAGE, every page touched
 *   region C: 4 pages, MADV_NOHUGEPAGE, page index 2 never touched (must be unmapped)
 *
 * Pattern: the u64 at virtual address v (8-byte aligned) holds
 *          v ^ 0x5054574b5054574b   ("PTWK" twice)
 *
 * Output line (one line, fields separated by single spaces):
 *   PTWTEST pid=<dec> mode=<spin|sleep> cpu=<dec> pagesize=<dec>
 *           A=<hex>:<size> B=<hex>:<size> C=<hex>:<size> untouched=<hex>
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PATTERN 0x5054574b5054574bULL

static void fill(char *p, size_t len)
{
	for (size_t off = 0; off < len; off += 8) {
		uint64_t *w = (uint64_t *)(p + off);
		*w = (uint64_t)(uintptr_t)w ^ PATTERN;
	}
}

static char *map(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	return p;
}

int main(int argc, char **argv)
{
	int spin = !(argc > 1 && strcmp(argv[1], "sleep") == 0);
	size_t ps = (size_t)sysconf(_SC_PAGESIZE);
	size_t alen = 64 * 1024, blen = 2u << 20, clen = 4 * ps;
	const size_t huge = 2u << 20;

	char *a = map(alen);
	fill(a, alen);

	char *braw = map(blen + huge);
	char *b = (char *)(((uintptr_t)braw + huge - 1) & ~(uintptr_t)(huge - 1));
	madvise(b, blen, MADV_HUGEPAGE);
	fill(b, blen);

	char *c = map(clen);
	/* no THP of any size here, else page 2 would come with its neighbours */
	madvise(c, clen, MADV_NOHUGEPAGE);
	fill(c, 2 * ps);			/* pages 0, 1 */
	fill(c + 3 * ps, ps);			/* page 3; page 2 never touched */

	printf("PTWTEST pid=%d mode=%s cpu=%d pagesize=%zu A=%p:%zu B=%p:%zu "
	       "C=%p:%zu untouched=%p\n", (int)getpid(), spin ? "spin" : "sleep",
	       sched_getcpu(), ps, (void *)a, alen, (void *)b, blen,
	       (void *)c, clen, (void *)(c + 2 * ps));
	fflush(stdout);

	if (argc > 2 && strcmp(argv[2], "ready") == 0) {
		printf("PTWREADY\n");
		fflush(stdout);
	}
	if (spin)
		for (;;)
			__asm__ volatile("" ::: "memory");
	for (;;)
		pause();
	return 0;
}
