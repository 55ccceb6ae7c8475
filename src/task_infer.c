/* Inferring task_struct / mm_struct / vm_area_struct offsets from the dump
 * when it has no types (tinyconfig and many embedded kernels: no BTF, no
 * DWARF, but kallsyms with data symbols). Each fact is a search over the
 * possible offsets for the single one that every task agrees with; the
 * facts used are the kernel's own invariants (include/linux/sched.h,
 * init/init_task.c, include/linux/mm_types.h):
 *  - init_task.comm is "swapper/0" ("swapper" before 6.x's idle renaming
 *    at boot is complete), unique in init_task;
 *  - mm and active_mm are adjacent; equal in a user task, mm NULL in a
 *    kernel thread (whose active_mm is NULL or borrowed while it runs);
 *  - init_task.tasks is a circular list through every thread-group leader,
 *    whose elements all have a NUL-terminated comm at the same offset;
 *  - pid and tgid are adjacent, 0 in init_task, equal in a leader and
 *    distinct across leaders; real_parent follows them within a few words;
 *  - flags has PF_KTHREAD exactly in the tasks without an mm;
 *  - thread_node is a list through signal->thread_head;
 *  - init_mm.pgd is the kernel root; mm_mt is a maple tree whose entries are
 *    VMAs whose vm_mm points back to the mm. */
#include "task.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "maple.h"

#define INIT_TASK_BYTES 16384   /* read of init_task: larger than any task_struct */
#define TASK_BYTES_AFTER_COMM 2048
#define MAX_INFER_TASKS 4096
#define MAX_CYCLE 65536
#define PID_MAX_LIMIT 4194304

struct buf {
	uint64_t va;
	unsigned char *b;
	size_t len;   /* bytes read */
};

/* Read up to want bytes at va, stopping at the first unreadable byte. */
static struct ptw_error *read_prefix(const struct ptw_kmem *mem, uint64_t va, size_t want, struct buf *ret)
{
	size_t got = 0;

	ret->va = va;
	ret->b = malloc(want ? want : 1);
	if (!ret->b)
		return &ptw_enomem;
	while (got < want) {
		size_t n = 4096 - (size_t)((va + got) & 4095);
		struct ptw_error *err;

		if (n > want - got)
			n = want - got;
		err = ptw_kmem_read(mem, va + got, ret->b + got, n);
		if (err) {
			ptw_error_destroy(err);
			break;
		}
		got += n;
	}
	ret->len = got;
	return NULL;
}

static bool b64(const struct buf *b, uint64_t off, uint64_t *v)
{
	if (off + 8 > b->len)
		return false;
	*v = ptw_le64(b->b + off);
	return true;
}

static bool b32(const struct buf *b, uint64_t off, uint32_t *v)
{
	if (off + 4 > b->len)
		return false;
	*v = ptw_le32(b->b + off);
	return true;
}

static struct ptw_error *not_established(const char *fact, const char *why)
{
	return ptw_error_create(PTW_E_BAD_DATA,
				"the dump has no types (BTF or DWARF) and %s could not be inferred: %s",
				fact, why);
}

static bool is_kernel_va(uint64_t v)
{
	return (v >> 63) != 0;
}

struct ctx {
	const struct ptw_kmem *mem;
	const struct ptw_task_anchors *a;
	struct ptw_task_layout L;
	struct buf init;
	uint64_t comm;
	struct buf *tasks;   /* leaders other than init_task */
	size_t ntasks;
	uint64_t *mms;       /* distinct user mms */
	size_t nmms;
};

static bool comm_ok_at(const struct ptw_kmem *mem, uint64_t va)
{
	unsigned char c[PTW_TASK_COMM_LEN];
	struct ptw_error *err = ptw_kmem_read(mem, va, c, sizeof(c));

	if (err) {
		ptw_error_destroy(err);
		return false;
	}
	return ptw_task_comm_ok(c);
}

static struct ptw_error *find_comm(struct ctx *c)
{
	static const char *const names[] = { "swapper/0", "swapper" };

	for (size_t k = 0; k < 2; k++) {
		size_t nl = strlen(names[k]) + 1, found = 0;
		uint64_t at = 0;

		for (size_t o = 0; o + PTW_TASK_COMM_LEN <= c->init.len; o++)
			if (memcmp(c->init.b + o, names[k], nl) == 0) {
				found++;
				at = o;
			}
		if (found == 1) {
			c->comm = at;
			return NULL;
		}
		if (found > 1)
			return not_established("task_struct.comm", "the idle task's name occurs more than once in init_task");
	}
	return not_established("task_struct.comm", "init_task does not hold the idle task's name \"swapper/0\"");
}

/* Length of the circular list through init_task + o whose elements all have
 * a comm at c->comm; 0 when it is not such a list. */
static uint64_t list_len(struct ctx *c, uint64_t o)
{
	uint64_t head = c->a->init_task + o, cur, prev = head, n = 0;

	if (!b64(&c->init, o, &cur) || cur == head || !is_kernel_va(cur))
		return 0;
	while (cur != head) {
		uint64_t p, next;
		struct ptw_error *err;

		if (++n > MAX_CYCLE || !is_kernel_va(cur) || cur < o)
			return 0;
		if ((err = ptw_kmem_u64(c->mem, cur + 8, &p))) {
			ptw_error_destroy(err);
			return 0;
		}
		if (p != prev || !comm_ok_at(c->mem, cur - o + c->comm))
			return 0;
		if ((err = ptw_kmem_u64(c->mem, cur, &next))) {
			ptw_error_destroy(err);
			return 0;
		}
		prev = cur;
		cur = next;
	}
	return n;
}

static struct ptw_error *find_tasks(struct ctx *c)
{
	uint64_t best = 0, best_off = 0;
	size_t nbest = 0;

	for (uint64_t o = 0; o + 16 <= c->init.len; o += 8) {
		uint64_t n = list_len(c, o);

		if (n > best) {
			best = n;
			best_off = o;
			nbest = 1;
		} else if (n && n == best) {
			nbest++;
		}
	}
	if (!best)
		return not_established("task_struct.tasks", "no list through init_task leads to tasks with names");
	if (nbest > 1)
		return not_established("task_struct.tasks", "more than one list through init_task is the longest");
	c->L.task_tasks = best_off;
	/* Read the leaders, up to a bound, for the searches that follow. */
	size_t cap = best < MAX_INFER_TASKS ? (size_t)best : MAX_INFER_TASKS;
	uint64_t cur = 0;

	c->tasks = calloc(cap ? cap : 1, sizeof(*c->tasks));
	if (!c->tasks)
		return &ptw_enomem;
	b64(&c->init, best_off, &cur);
	while (c->ntasks < cap && cur != c->a->init_task + best_off) {
		struct ptw_error *err = read_prefix(c->mem, cur - best_off,
						    c->comm + PTW_TASK_COMM_LEN + TASK_BYTES_AFTER_COMM,
						    &c->tasks[c->ntasks]);
		if (err)
			return err;
		c->ntasks++;
		if ((err = ptw_kmem_u64(c->mem, cur, &cur)))
			return ptw_error_prepend(err, "re-reading the task list");
	}
	return NULL;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static struct ptw_error *find_pid(struct ctx *c)
{
	uint32_t *v = calloc(c->ntasks ? c->ntasks : 1, sizeof(*v));
	size_t found = 0;

	if (!v)
		return &ptw_enomem;
	for (uint64_t o = 0; o + 8 <= c->comm; o += 4) {
		uint32_t a, b;
		bool ok = b32(&c->init, o, &a) && b32(&c->init, o + 4, &b) && a == 0 && b == 0;

		for (size_t i = 0; ok && i < c->ntasks; i++) {
			ok = b32(&c->tasks[i], o, &a) && b32(&c->tasks[i], o + 4, &b) && a == b && a >= 1 &&
			     a <= PID_MAX_LIMIT;
			v[i] = a;
		}
		if (!ok || !c->ntasks)
			continue;
		qsort(v, c->ntasks, sizeof(*v), cmp_u32);
		for (size_t i = 1; ok && i < c->ntasks; i++)
			ok = v[i] != v[i - 1];
		if (ok) {
			found++;
			c->L.task_pid = o;
			c->L.task_tgid = o + 4;
		}
	}
	free(v);
	if (found != 1)
		return not_established("task_struct.pid", found ? "more than one pair of words fits" : "no pair of words is 0 in init_task and a distinct pid (== tgid) in every leader");
	return NULL;
}

static bool is_task(const struct ctx *c, uint64_t v)
{
	if (v == c->a->init_task)
		return true;
	for (size_t i = 0; i < c->ntasks; i++)
		if (c->tasks[i].va == v)
			return true;
	return false;
}

static struct ptw_error *find_real_parent(struct ctx *c)
{
	/* real_parent is the first of the task pointers after pid/tgid (a
	 * stack canary may sit between them). */
	for (uint64_t o = (c->L.task_tgid + 4 + 7) & ~UINT64_C(7); o <= c->L.task_tgid + 4 + 64; o += 8) {
		uint64_t v;
		bool ok = b64(&c->init, o, &v) && v == c->a->init_task;

		for (size_t i = 0; ok && i < c->ntasks; i++)
			ok = b64(&c->tasks[i], o, &v) && v != c->tasks[i].va && is_task(c, v);
		if (ok) {
			c->L.task_real_parent = o;
			return NULL;
		}
	}
	return not_established("task_struct.real_parent", "no word after pid/tgid points to a task in every task");
}

static void find_flags(struct ctx *c)
{
	size_t found = 0, nk = 0, nu = 0;
	uint64_t at = 0;

	for (size_t i = 0; i < c->ntasks; i++) {
		uint64_t mm = 1;

		b64(&c->tasks[i], c->L.task_mm, &mm);
		if (mm)
			nu++;
		else
			nk++;
	}
	if (!nk || !nu)
		return;
	for (uint64_t o = 0; o + 4 <= c->L.task_pid; o += 4) {
		uint32_t f;
		bool ok = b32(&c->init, o, &f) && (f & PTW_PF_KTHREAD);

		for (size_t i = 0; ok && i < c->ntasks; i++) {
			uint64_t mm;

			ok = b32(&c->tasks[i], o, &f) && b64(&c->tasks[i], c->L.task_mm, &mm) &&
			     ((f & PTW_PF_KTHREAD) != 0) == (mm == 0);
		}
		if (ok) {
			found++;
			at = o;
		}
	}
	if (found == 1) {
		c->L.have_flags = true;
		c->L.task_flags = at;
	}
}

/* Whether thread_node at t and signal at s fit task b, with thread_head at
 * h in signal_struct (h UINT64_MAX: learn it from this task). */
static bool threads_fit(struct ctx *c, const struct buf *b, uint64_t t, uint64_t s, uint64_t *h)
{
	uint64_t node, sig, self = b->va + t, cur;
	unsigned heads = 0;

	if (!b64(b, t, &node) || !b64(b, s, &sig) || !is_kernel_va(sig) || !is_kernel_va(node))
		return false;
	if (*h == UINT64_MAX) {
		if (node < sig || node - sig >= 1024 || ((node - sig) & 7))
			return false;
		*h = node - sig;
	}
	cur = node;
	for (unsigned n = 0; cur != self; n++) {
		struct ptw_error *err;

		if (n > 64 || !is_kernel_va(cur))
			return false;
		if (cur == sig + *h)
			heads++;
		if ((err = ptw_kmem_u64(c->mem, cur, &cur))) {
			ptw_error_destroy(err);
			return false;
		}
	}
	return heads == 1;
}

static void find_threads(struct ctx *c)
{
	size_t found = 0;
	uint64_t ft = 0, fs = 0, fh = 0;

	for (uint64_t t = c->L.task_tgid + 4; t + 16 <= c->comm; t++) {
		if (t & 7)
			continue;
		for (uint64_t s = c->comm + PTW_TASK_COMM_LEN; s < c->comm + TASK_BYTES_AFTER_COMM; s += 8) {
			uint64_t h = UINT64_MAX;
			bool ok = threads_fit(c, &c->init, t, s, &h);

			for (size_t i = 0; ok && i < c->ntasks; i++)
				ok = threads_fit(c, &c->tasks[i], t, s, &h);
			if (ok) {
				found++;
				ft = t;
				fs = s;
				fh = h;
			}
		}
	}
	if (found == 1) {
		c->L.have_threads = true;
		c->L.task_thread_node = ft;
		c->L.task_signal = fs;
		c->L.signal_thread_head = fh;
	}
}

static struct ptw_error *collect_mms(struct ctx *c)
{
	c->mms = calloc(c->ntasks ? c->ntasks : 1, sizeof(*c->mms));
	if (!c->mms)
		return &ptw_enomem;
	for (size_t i = 0; i < c->ntasks; i++) {
		uint64_t mm;
		bool dup = false;

		if (!b64(&c->tasks[i], c->L.task_mm, &mm) || !mm)
			continue;
		for (size_t k = 0; k < c->nmms; k++)
			dup |= c->mms[k] == mm;
		if (!dup)
			c->mms[c->nmms++] = mm;
	}
	return NULL;
}

static struct ptw_error *find_pgd(struct ctx *c, struct buf *init_mm)
{
	size_t found = 0;
	uint64_t gran = c->a->granule ? c->a->granule : 4096;

	if (!c->mem->translate)
		return not_established("mm_struct.pgd", "no kernel address translation");
	for (uint64_t o = 0; o + 8 <= init_mm->len; o += 8) {
		uint64_t v, pa;
		struct ptw_error *err;

		if (!b64(init_mm, o, &v) || !is_kernel_va(v))
			continue;
		if (c->a->kernel_root_va && v == c->a->kernel_root_va) {
			found++;
			c->L.mm_pgd = o;
			continue;
		}
		if ((err = c->mem->translate(c->mem->arg, v, &pa))) {
			ptw_error_destroy(err);
			continue;
		}
		/* Compare pages: a 52-bit root may sit inside its page. */
		if ((pa & ~(gran - 1)) == (c->a->kernel_root_pa & ~(gran - 1))) {
			found++;
			c->L.mm_pgd = o;
		}
	}
	if (found != 1)
		return not_established("mm_struct.pgd", found ? "more than one word of init_mm points to the kernel's root table"
							     : "no word of init_mm points to the kernel's root table");
	return NULL;
}

/* mm and active_mm are adjacent: (NULL, NULL or a borrowed mm) in a kernel
 * thread, (X, X) in a user task, X an mm_struct whose pgd is a table. */
static bool mm_fits(struct ctx *c, const struct buf *b, uint64_t o, bool *user)
{
	uint64_t mm, active, pgd, pa;
	struct ptw_error *err;

	if (!b64(b, o, &mm) || !b64(b, o + 8, &active))
		return false;
	if (!mm)
		return active == 0 || is_kernel_va(active);
	/* An empty list_head also holds two equal pointers: to itself. */
	if (mm != active || !is_kernel_va(mm) || mm == b->va + o)
		return false;
	if ((err = ptw_kmem_u64(c->mem, mm + c->L.mm_pgd, &pgd))) {
		ptw_error_destroy(err);
		return false;
	}
	if (!is_kernel_va(pgd) || (err = c->mem->translate(c->mem->arg, pgd, &pa))) {
		ptw_error_destroy(err);
		return false;
	}
	*user = true;
	return true;
}

static struct ptw_error *find_mm(struct ctx *c)
{
	size_t found = 0;

	for (uint64_t o = 0; o + 16 <= c->init.len; o += 8) {
		uint64_t mm;
		bool user = false;
		bool ok = b64(&c->init, o, &mm) && mm == 0 && mm_fits(c, &c->init, o, &user);

		for (size_t i = 0; ok && i < c->ntasks; i++)
			ok = mm_fits(c, &c->tasks[i], o, &user);
		if (ok && user) {
			found++;
			c->L.task_mm = o;
		}
	}
	if (found != 1)
		return not_established("task_struct.mm", found ? "more than one pair of words fits (mm, active_mm)"
							    : "no pair of words fits (mm, active_mm) in every task");
	return NULL;
}

struct vma_check {
	const struct ptw_kmem *mem;
	uint64_t mm;
	uint64_t prev_end;
	bool ok;
	uint64_t n;
};

/* vm_start 0, vm_end 8, vm_mm 16, vm_flags 32 on every 64-bit kernel since
 * 4.x (mm_types.h); checked here against the tree's own ranges. */
static bool vma_check_fn(void *arg, uint64_t first, uint64_t last, uint64_t e)
{
	struct vma_check *v = arg;
	unsigned char b[40];
	struct ptw_error *err = ptw_kmem_read(v->mem, e, b, sizeof(b));
	uint64_t start, end, mm, flags;

	if (err) {
		ptw_error_destroy(err);
		v->ok = false;
		return false;
	}
	start = ptw_le64(b);
	end = ptw_le64(b + 8);
	mm = ptw_le64(b + 16);
	flags = ptw_le64(b + 32);
	/* VM_READ/WRITE/EXEC imply VM_MAYREAD/MAYWRITE/MAYEXEC. */
	if (start != first || end != last + 1 || mm != v->mm || start < v->prev_end || (start & 4095) ||
	    (end & 4095) || ((flags & 7) & ~((flags >> 4) & 7))) {
		v->ok = false;
		return false;
	}
	v->prev_end = end;
	v->n++;
	return true;
}

/* struct maple_tree: ma_lock, then ma_flags and ma_root (6.4+) or ma_root
 * and ma_flags (6.1-6.3). */
static const struct {
	uint64_t flags, root;
} mt_layouts[] = { { 4, 8 }, { 16, 8 } };

static void find_mm_mt(struct ctx *c, struct buf *init_mm)
{
	struct ptw_maple_limits lim = { .max_nodes = 1 << 16, .max_entries = 1 << 20 };
	const uint32_t need = PTW_MT_FLAGS_ALLOC_RANGE | PTW_MT_FLAGS_LOCK_MASK;
	size_t found = 0;
	uint64_t at = 0;
	unsigned at_layout = 0;

	if (!c->nmms)
		return;
	for (unsigned k = 0; k < sizeof(mt_layouts) / sizeof(mt_layouts[0]); k++) {
		for (uint64_t o = 0; o + 24 <= c->L.mm_pgd; o += 8) {
			uint32_t f;
			bool ok = b32(init_mm, o + mt_layouts[k].flags, &f) && (f & need) == need && (f >> 12) == 0;

			for (size_t i = 0; ok && i < c->nmms; i++) {
				uint64_t root;
				struct ptw_error *err;
				struct vma_check v = { .mem = c->mem, .mm = c->mms[i], .ok = true };
				struct ptw_maple_stats st;

				if ((err = ptw_kmem_u32(c->mem, c->mms[i] + o + mt_layouts[k].flags, &f)) ||
				    (err = ptw_kmem_u64(c->mem, c->mms[i] + o + mt_layouts[k].root, &root))) {
					ptw_error_destroy(err);
					ok = false;
					break;
				}
				ok = (f & need) == need && (f >> 12) == 0 && (root & 3) == 2 && root > 4096;
				if (!ok)
					break;
				err = ptw_maple_walk(c->mem, root, f, &lim, vma_check_fn, &v, NULL, "", &st);
				if (err) {
					ptw_error_destroy(err);
					ok = false;
				}
				ok = ok && v.ok && v.n > 0 && !st.truncated;
			}
			if (ok) {
				found++;
				at = o;
				at_layout = k;
			}
		}
	}
	if (found == 1) {
		c->L.have_mm_mt = true;
		c->L.mm_mt = at;
		c->L.mt_flags = mt_layouts[at_layout].flags;
		c->L.mt_root = mt_layouts[at_layout].root;
		c->L.vma_start = 0;
		c->L.vma_end = 8;
		c->L.vma_mm = 16;
		c->L.vma_flags = 32;
	}
}

struct ptw_error *ptw_task_layout_infer(const struct ptw_kmem *mem, const struct ptw_task_anchors *a,
					struct ptw_task_layout *ret)
{
	struct ctx c = { .mem = mem, .a = a };
	struct buf init_mm = { 0 };
	struct ptw_error *err;

	c.L.source = "inferred";
	c.L.state_size = 4;
	if ((err = read_prefix(mem, a->init_task, INIT_TASK_BYTES, &c.init)))
		goto out;
	if (c.init.len < 1024) {
		err = ptw_error_address(PTW_E_NOT_PRESENT, a->init_task, "init_task at 0x%" PRIx64 " is not readable",
					a->init_task);
		goto out;
	}
	if (!a->init_mm) {
		err = not_established("mm_struct.pgd", "the address of init_mm is not known (no such symbol)");
		goto out;
	}
	if ((err = read_prefix(mem, a->init_mm, 4096, &init_mm)))
		goto out;
	if ((err = find_comm(&c)) || (err = find_tasks(&c)) || (err = find_pid(&c)) ||
	    (err = find_real_parent(&c)) || (err = find_pgd(&c, &init_mm)) || (err = find_mm(&c)))
		goto out;
	c.L.task_comm = c.comm;
	find_flags(&c);
	find_threads(&c);
	if ((err = collect_mms(&c)))
		goto out;
	find_mm_mt(&c, &init_mm);
	*ret = c.L;
out:
	free(init_mm.b);
	free(c.init.b);
	for (size_t i = 0; i < c.ntasks; i++)
		free(c.tasks[i].b);
	free(c.tasks);
	free(c.mms);
	return err;
}
