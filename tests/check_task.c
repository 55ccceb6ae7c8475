/* The task walker, the maple-tree decoder and the layout inference over a
 * hand-built kernel memory image (tests/kmem_image.h): a good image first,
 * then each kind of damage the issue names (a loop, a NULL or wild next, a
 * comm without NUL, pivots out of order, a node deeper than the tree's
 * height, a VMA count past the budget), each of which must give exactly one
 * warning naming the task or address and leave the rest readable. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kmem_image.h"
#include "maple.h"
#include "task.h"
#include "vma.h"

#define IMG_SIZE 0x10000
/* Where things are in the image (offsets from IMG_BASE). */
#define INIT_TASK 0x0000
#define TASK(i) (0x1000 + (i) * T_SIZE)
#define SIGNAL(i) (0x3000 + (i) * 0x40)
#define MM 0x4000
#define INIT_MM 0x4800
#define PGD 0x5000
#define KPGD 0x6000
#define NODE_ROOT 0x7000   /* 256-byte aligned maple nodes */
#define NODE_LEAF1 0x7100
#define NODE_LEAF2 0x7200
#define VMA(i) (0x8000 + (i) * 0x40)

static unsigned char img[IMG_SIZE];
static char warnings[16][512];
static unsigned nwarn;

static void put64(uint64_t off, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		img[off + i] = (unsigned char)(v >> (8 * i));
}

static void put32(uint64_t off, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		img[off + i] = (unsigned char)(v >> (8 * i));
}

static uint64_t va(uint64_t off)
{
	return IMG_BASE + off;
}

static void warn(void *arg, const char *msg)
{
	(void)arg;
	if (nwarn < 16)
		snprintf(warnings[nwarn], sizeof(warnings[0]), "%s", msg);
	nwarn++;
}

static void task(uint64_t t, int pid, const char *comm, uint64_t mm, uint64_t parent, uint64_t signal,
		 uint32_t flags)
{
	put32(t + T_PID, (uint32_t)pid);
	put32(t + T_TGID, (uint32_t)pid);
	memcpy(img + t + T_COMM, comm, strlen(comm) + 1);
	put64(t + T_MM, mm ? va(mm) : 0);
	put64(t + T_ACTIVE_MM, mm ? va(mm) : 0);
	put64(t + T_PARENT, va(parent));
	put32(t + T_FLAGS, flags);
	put64(t + T_SIGNAL, va(signal));
	/* single-threaded: thread_node <-> signal->thread_head */
	put64(t + T_THREAD_NODE, va(signal + S_THREAD_HEAD));
	put64(t + T_THREAD_NODE + 8, va(signal + S_THREAD_HEAD));
	put64(signal + S_THREAD_HEAD, va(t + T_THREAD_NODE));
	put64(signal + S_THREAD_HEAD + 8, va(t + T_THREAD_NODE));
}

/* init_task -> 1 -> 2 -> 3 -> init_task; 1 is a user process with two VMAs
 * in a two-level maple tree; 2 and 3 kernel threads. */
static void build(void)
{
	uint64_t order[] = { INIT_TASK, TASK(0), TASK(1), TASK(2) };

	memset(img, 0, sizeof(img));
	memset(warnings, 0, sizeof(warnings));
	nwarn = 0;
	task(INIT_TASK, 0, "swapper/0", 0, INIT_TASK, SIGNAL(3), PTW_PF_KTHREAD);
	put64(INIT_TASK + T_ACTIVE_MM, va(INIT_MM));
	task(TASK(0), 1, "init", MM, INIT_TASK, SIGNAL(0), 0);
	task(TASK(1), 2, "kthreadd", 0, INIT_TASK, SIGNAL(1), PTW_PF_KTHREAD);
	task(TASK(2), 3, "kworker/0:0", 0, TASK(1), SIGNAL(2), PTW_PF_KTHREAD);
	for (int i = 0; i < 4; i++) {
		put64(order[i] + T_TASKS, va(order[(i + 1) % 4] + T_TASKS));
		put64(order[i] + T_TASKS + 8, va(order[(i + 3) % 4] + T_TASKS));
	}
	put64(MM + MM_PGD, va(PGD));
	put64(INIT_MM + MM_PGD, va(KPGD));
	put32(INIT_MM + 4, 0x303);
	/* mm_mt: flags MM_MT_FLAGS | height 2; root = arange node, tagged */
	put32(MM + 4, 0x303 | 2 << 2);
	put64(MM + 8, va(NODE_ROOT) | 3 << 3 | 2);
	/* root (arange_64): pivot[0] = 0x4fffff -> leaf1, then leaf2 up to max */
	put64(NODE_ROOT + 8, 0x4fffff);
	put64(NODE_ROOT + 16, UINT64_MAX);
	put64(NODE_ROOT + 80, va(NODE_LEAF1) | 1 << 3);
	put64(NODE_ROOT + 88, va(NODE_LEAF2) | 1 << 3);
	/* leaf1: [0, 0x3fffff] gap, [0x400000, 0x4fffff] VMA 0 */
	put64(NODE_LEAF1 + 8, 0x3fffff);
	put64(NODE_LEAF1 + 16, 0x4fffff);
	put64(NODE_LEAF1 + 128 + 8, va(VMA(0)));
	/* leaf2: [0x500000, 0x7ffffffeffff] gap, VMA 1 to 0x7ffffffff000 - 1, gap to max */
	put64(NODE_LEAF2 + 8, 0x7fffffeeffff);
	put64(NODE_LEAF2 + 16, 0x7fffffffefff);
	put64(NODE_LEAF2 + 24, UINT64_MAX);
	put64(NODE_LEAF2 + 128 + 8, va(VMA(1)));
	put64(VMA(0), 0x400000);
	put64(VMA(0) + 8, 0x500000);
	put64(VMA(0) + 16, va(MM));
	put64(VMA(0) + 32, 0x75); /* r-x, may rwx */
	put64(VMA(1), 0x7fffffef0000);
	put64(VMA(1) + 8, 0x7ffffffff000);
	put64(VMA(1) + 16, va(MM));
	put64(VMA(1) + 32, 0x73); /* rw- */
}

struct seen {
	int pids[16];
	int ppids[16];
	char comms[16][17];
	unsigned n;
};

static bool on_task(void *arg, const struct ptw_task *t)
{
	struct seen *s = arg;

	if (s->n < 16) {
		s->pids[s->n] = t->pid;
		s->ppids[s->n] = t->ppid;
		memcpy(s->comms[s->n], t->comm, 17);
	}
	s->n++;
	return true;
}

static void walk(struct seen *s)
{
	struct kmem_image m = { img, sizeof(img) };
	struct ptw_kmem mem;
	struct ptw_task_layout L;
	struct ptw_diag d = { .warn = warn };
	struct ptw_error *err;

	kmem_image_init(&mem, &m);
	kmem_image_layout(&L);
	memset(s, 0, sizeof(*s));
	err = ptw_tasks_walk(&mem, &L, va(INIT_TASK), NULL, on_task, s, &d);
	ck_assert_ptr_null(err);
}

START_TEST(good_list)
{
	struct seen s;

	build();
	walk(&s);
	ck_assert_uint_eq(s.n, 4);
	ck_assert_uint_eq(nwarn, 0);
	ck_assert_int_eq(s.pids[1], 1);
	ck_assert_int_eq(s.ppids[1], 0);
	ck_assert_str_eq(s.comms[2], "kthreadd");
	ck_assert_int_eq(s.pids[3], 3);
	ck_assert_int_eq(s.ppids[3], 2); /* real_parent's tgid */
}
END_TEST

START_TEST(threads)
{
	struct seen s;
	uint64_t t = TASK(3), head = SIGNAL(0) + S_THREAD_HEAD;

	build();
	/* a second thread (tid 4) in init's group: head -> leader -> t -> head */
	task(t, 4, "init-worker", MM, INIT_TASK, SIGNAL(0), 0);
	put32(t + T_TGID, 1);
	put64(TASK(0) + T_THREAD_NODE, va(t + T_THREAD_NODE));
	put64(t + T_THREAD_NODE, va(head));
	put64(t + T_THREAD_NODE + 8, va(TASK(0) + T_THREAD_NODE));
	put64(head + 8, va(t + T_THREAD_NODE));
	walk(&s);
	ck_assert_uint_eq(nwarn, 0);
	ck_assert_uint_eq(s.n, 5);
	ck_assert_int_eq(s.pids[1], 1);
	ck_assert_int_eq(s.pids[2], 4); /* right after its leader */
	ck_assert_str_eq(s.comms[2], "init-worker");
	/* a thread claiming another group is skipped with one warning */
	put32(t + T_TGID, 2);
	walk(&s);
	ck_assert_uint_eq(s.n, 4);
	ck_assert_uint_eq(nwarn, 1);
	ck_assert_ptr_nonnull(strstr(warnings[0], "has tgid 2"));
}
END_TEST

START_TEST(list_loops)
{
	struct seen s;

	build();
	/* task 3's next points back to task 1, not to init_task */
	put64(TASK(2) + T_TASKS, va(TASK(0) + T_TASKS));
	walk(&s);
	ck_assert_uint_eq(s.n, 4);
	ck_assert_uint_eq(nwarn, 1);
	ck_assert_ptr_nonnull(strstr(warnings[0], "listed twice"));
}
END_TEST

START_TEST(null_next)
{
	struct seen s;

	build();
	put64(TASK(1) + T_TASKS, 0);
	walk(&s);
	ck_assert_uint_eq(s.n, 3);
	ck_assert_uint_eq(nwarn, 1);
	ck_assert_ptr_nonnull(strstr(warnings[0], "tasks.next is NULL"));
}
END_TEST

START_TEST(wild_next)
{
	struct seen s;

	build();
	put64(TASK(1) + T_TASKS, UINT64_C(0xffff7777deadbeef));
	walk(&s);
	ck_assert_uint_eq(s.n, 3);
	ck_assert_uint_eq(nwarn, 1);
	ck_assert_ptr_nonnull(strstr(warnings[0], "0xffff7777deadbe"));
}
END_TEST

START_TEST(comm_without_nul)
{
	struct seen s;

	build();
	memcpy(img + TASK(1) + T_COMM, "0123456789abcdef", 16);
	walk(&s);
	ck_assert_uint_eq(s.n, 3); /* that task skipped, the list goes on */
	ck_assert_uint_eq(nwarn, 1);
	ck_assert_ptr_nonnull(strstr(warnings[0], "comm has no terminating NUL"));
	ck_assert_int_eq(s.pids[2], 3);
}
END_TEST

struct vmas {
	uint64_t start[8], end[8];
	unsigned n;
};

static bool on_vma(void *arg, const struct ptw_vma *v)
{
	struct vmas *s = arg;

	if (s->n < 8) {
		s->start[s->n] = v->start;
		s->end[s->n] = v->end;
	}
	s->n++;
	return true;
}

static void vmas(struct vmas *s, uint64_t max)
{
	struct kmem_image m = { img, sizeof(img) };
	struct ptw_kmem mem;
	struct ptw_task_layout L;
	struct ptw_diag d = { .warn = warn };

	kmem_image_init(&mem, &m);
	kmem_image_layout(&L);
	memset(s, 0, sizeof(*s));
	ck_assert_ptr_null(ptw_vmas_walk(&mem, &L, va(MM), max, on_vma, s, &d));
}

START_TEST(good_vmas)
{
	struct vmas s;

	build();
	vmas(&s, 100);
	ck_assert_uint_eq(nwarn, 0);
	ck_assert_uint_eq(s.n, 2);
	ck_assert_uint_eq(s.start[0], 0x400000);
	ck_assert_uint_eq(s.end[1], 0x7ffffffff000);
}
END_TEST

START_TEST(pivots_out_of_order)
{
	struct vmas s;

	build();
	/* leaf2's second pivot below its first */
	put64(NODE_LEAF2 + 16, 0x100);
	vmas(&s, 100);
	ck_assert_uint_eq(s.n, 1);
	ck_assert_uint_eq(nwarn, 1);
	ck_assert_ptr_nonnull(strstr(warnings[0], "pivots out of order"));
}
END_TEST

START_TEST(deeper_than_height)
{
	struct vmas s;

	build();
	/* height 1 recorded, but the root has children */
	put32(MM + 4, 0x303 | 1 << 2);
	vmas(&s, 100);
	ck_assert_uint_eq(s.n, 0);
	ck_assert_uint_eq(nwarn, 2); /* one per child skipped */
	ck_assert_ptr_nonnull(strstr(warnings[0], "deeper than the tree's height"));
}
END_TEST

START_TEST(node_loop_bounded)
{
	struct vmas s;

	build();
	/* leaf1's slot becomes the root itself: a cycle, caught by the height */
	put32(MM + 4, 0x303); /* height not recorded: MAPLE_HEIGHT_MAX bounds it */
	put64(NODE_ROOT + 80, va(NODE_ROOT) | 3 << 3);
	vmas(&s, 1000);
	ck_assert_uint_le(s.n, 1000);
	ck_assert_uint_ge(nwarn, 1);
}
END_TEST

START_TEST(vma_budget)
{
	struct vmas s;

	build();
	vmas(&s, 1);
	ck_assert_uint_eq(s.n, 1);
	ck_assert_uint_eq(nwarn, 1);
	ck_assert_ptr_nonnull(strstr(warnings[0], "more than 1 entries"));
}
END_TEST

START_TEST(infer_layout)
{
	struct kmem_image m = { img, sizeof(img) };
	struct ptw_kmem mem;
	struct ptw_task_layout L;
	struct ptw_task_anchors a = { .init_task = va(INIT_TASK), .init_mm = va(INIT_MM),
				      .kernel_root_pa = KPGD, .granule = 4096 };

	build();
	kmem_image_init(&mem, &m);
	ck_assert_ptr_null(ptw_task_layout_infer(&mem, &a, &L));
	ck_assert_str_eq(L.source, "inferred");
	ck_assert_uint_eq(L.task_tasks, T_TASKS);
	ck_assert_uint_eq(L.task_pid, T_PID);
	ck_assert_uint_eq(L.task_comm, T_COMM);
	ck_assert_uint_eq(L.task_mm, T_MM);
	ck_assert_uint_eq(L.task_real_parent, T_PARENT);
	ck_assert_uint_eq(L.mm_pgd, MM_PGD);
	ck_assert(L.have_flags);
	ck_assert_uint_eq(L.task_flags, T_FLAGS);
	ck_assert(L.have_threads);
	ck_assert_uint_eq(L.task_thread_node, T_THREAD_NODE);
	ck_assert_uint_eq(L.task_signal, T_SIGNAL);
	ck_assert(L.have_mm_mt);
	ck_assert_uint_eq(L.mm_mt, MM_MT);
}
END_TEST

START_TEST(infer_refuses_without_idle_name)
{
	struct kmem_image m = { img, sizeof(img) };
	struct ptw_kmem mem;
	struct ptw_task_layout L;
	struct ptw_task_anchors a = { .init_task = va(INIT_TASK), .init_mm = va(INIT_MM),
				      .kernel_root_pa = KPGD, .granule = 4096 };
	struct ptw_error *err;

	build();
	memcpy(img + INIT_TASK + T_COMM, "idle", 5);
	kmem_image_init(&mem, &m);
	err = ptw_task_layout_infer(&mem, &a, &L);
	ck_assert_ptr_nonnull(err);
	ck_assert_ptr_nonnull(strstr(err->message, "task_struct.comm"));
	ptw_error_destroy(err);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("task");
	TCase *tc = tcase_create("task");

	tcase_add_test(tc, good_list);
	tcase_add_test(tc, threads);
	tcase_add_test(tc, list_loops);
	tcase_add_test(tc, null_next);
	tcase_add_test(tc, wild_next);
	tcase_add_test(tc, comm_without_nul);
	tcase_add_test(tc, good_vmas);
	tcase_add_test(tc, pivots_out_of_order);
	tcase_add_test(tc, deeper_than_height);
	tcase_add_test(tc, node_loop_bounded);
	tcase_add_test(tc, vma_budget);
	tcase_add_test(tc, infer_layout);
	tcase_add_test(tc, infer_refuses_without_idle_name);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
