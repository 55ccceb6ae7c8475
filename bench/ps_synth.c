/* bench/ps_synth.c: ptw_tasks_walk over a synthetic kernel with N tasks
 * (default 2,000: the ps target is under 100 ms), as thread groups
 * of G threads each (default 1), in memory (tests/kmem_image.h), with the
 * synthetic layout of tests/check_task.c. Prints tasks seen and the best of
 * 10 walks in ms: the walker's own cost, without page-table walks or
 * decompression (bench/procs.sh times the real command on the sample dumps).
 *   cc -O2 -Isrc -Iarch -Itests -Ibuild/o2 bench/ps_synth.c build/o2/.libs/libptwalk-internal.a $(LIBS) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kmem_image.h"

static unsigned char *img;

static void put64(uint64_t off, uint64_t v)
{
	memcpy(img + off, &v, 8);
}

static void put32(uint64_t off, uint32_t v)
{
	memcpy(img + off, &v, 4);
}

static bool count(void *arg, const struct ptw_task *t)
{
	(void)t;
	(*(uint64_t *)arg)++;
	return true;
}

#define SIG_SIZE 0x40

int main(int argc, char **argv)
{
	uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 0) : 2000;
	uint64_t g = argc > 2 ? strtoull(argv[2], NULL, 0) : 1;
	uint64_t ngroups = (n + g - 1) / g;
	size_t tasks_off = 0, sig_off = (size_t)(n + 1) * T_SIZE, len = sig_off + (size_t)(ngroups + 1) * SIG_SIZE;
	uint64_t seen = 0;
	double best = 1e9;

	img = calloc(1, len);
#define TASK(i) (tasks_off + (size_t)(i) * T_SIZE)   /* 0 = init_task */
#define SIG(k) (sig_off + (size_t)(k) * SIG_SIZE)
	/* task i (1..n) is thread (i-1)%g of group (i-1)/g; leaders on the tasks list */
	uint64_t prev_leader = TASK(0);
	for (uint64_t i = 0; i <= n; i++) {
		uint64_t t = TASK(i), grp = i ? (i - 1) / g + 1 : 0, leader = i ? TASK((grp - 1) * g + 1) : 0;
		char comm[16];

		snprintf(comm, sizeof(comm), i ? "task%llu" : "swapper/0", (unsigned long long)i);
		memcpy(img + t + T_COMM, comm, strlen(comm) + 1);
		put32(t + T_PID, (uint32_t)i);
		put32(t + T_TGID, (uint32_t)(i ? (grp - 1) * g + 1 : 0));
		put64(t + T_PARENT, IMG_BASE + TASK(0));
		put64(t + T_SIGNAL, IMG_BASE + SIG(grp));
		if (!i || t == leader) {
			put64(prev_leader + T_TASKS, IMG_BASE + t + T_TASKS);
			put64(t + T_TASKS + 8, IMG_BASE + prev_leader + T_TASKS);
			prev_leader = t;
		}
	}
	put64(prev_leader + T_TASKS, IMG_BASE + TASK(0) + T_TASKS);
	/* thread lists: head -> threads of the group in order -> head */
	for (uint64_t k = 0; k <= ngroups; k++) {
		uint64_t head = SIG(k) + S_THREAD_HEAD, prev = head;
		uint64_t first = k ? (k - 1) * g + 1 : 0, last = k ? first + g - 1 : 0;

		if (last > n)
			last = n;
		for (uint64_t i = first; i <= last; i++) {
			put64(prev, IMG_BASE + TASK(i) + T_THREAD_NODE);
			prev = TASK(i) + T_THREAD_NODE;
		}
		put64(prev, IMG_BASE + head);
	}
	struct kmem_image m = { img, len };
	struct ptw_kmem mem;
	struct ptw_task_layout L;
	struct ptw_diag d = { 0 };

	kmem_image_init(&mem, &m);
	kmem_image_layout(&L);
	for (int r = 0; r < 10; r++) {
		struct timespec a, b;

		seen = 0;
		clock_gettime(CLOCK_MONOTONIC, &a);
		struct ptw_error *err = ptw_tasks_walk(&mem, &L, IMG_BASE, NULL, count, &seen, &d);
		clock_gettime(CLOCK_MONOTONIC, &b);
		if (err) {
			fprintf(stderr, "%s\n", err->message);
			return 1;
		}
		double ms = (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
		best = ms < best ? ms : best;
	}
	printf("ps_synth: %llu tasks in groups of %llu, %llu seen, %u warnings, best %.2f ms\n",
	       (unsigned long long)n, (unsigned long long)g, (unsigned long long)seen, d.count, best);
	free(img);
	return seen == n + 1 ? 0 : 1;
}
