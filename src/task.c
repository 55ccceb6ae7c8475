#include "task.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* A set of task addresses, to catch lists that loop back into themselves
 * somewhere other than their head. Grows up to the walk's task limit. */
struct addr_set {
	uint64_t *slot;
	size_t cap;   /* power of two */
	size_t n;
};

static void set_free(struct addr_set *s)
{
	free(s->slot);
	s->slot = NULL;
}

static size_t set_hash(uint64_t a, size_t cap)
{
	a ^= a >> 33;
	a *= UINT64_C(0xff51afd7ed558ccd);
	a ^= a >> 33;
	return (size_t)a & (cap - 1);
}

/* *added false when a was there already. */
static struct ptw_error *set_add(struct addr_set *s, uint64_t a, bool *added)
{
	if (!a)
		a = 1; /* 0 marks empty slots; address 1 is never a task anyway */
	if ((s->n + 1) * 2 > s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 1024;
		uint64_t *n = calloc(ncap, sizeof(*n));

		if (!n)
			return &ptw_enomem;
		for (size_t i = 0; i < s->cap; i++)
			if (s->slot[i]) {
				size_t h = set_hash(s->slot[i], ncap);

				while (n[h])
					h = (h + 1) & (ncap - 1);
				n[h] = s->slot[i];
			}
		free(s->slot);
		s->slot = n;
		s->cap = ncap;
	}
	size_t h = set_hash(a, s->cap);

	while (s->slot[h]) {
		if (s->slot[h] == a) {
			*added = false;
			return NULL;
		}
		h = (h + 1) & (s->cap - 1);
	}
	s->slot[h] = a;
	s->n++;
	*added = true;
	return NULL;
}

bool ptw_task_comm_ok(const unsigned char *b)
{
	for (unsigned i = 0; i < PTW_TASK_COMM_LEN; i++) {
		if (!b[i])
			return true;
		if (b[i] < 0x20 || b[i] == 0x7f)
			return false;
	}
	return false;
}

/* include/linux/sched.h __task_state_index(): the /proc letter. */
static char state_letter(uint32_t state, uint32_t exit_state)
{
	static const char letters[] = "RSDTtXZPI";
	uint32_t s = (state | exit_state) & 0x7f; /* TASK_REPORT */
	unsigned idx = 0;

	if (state == 0x402) /* TASK_IDLE */
		s = 0x80;
	while (s) {
		idx++;
		s >>= 1;
	}
	return idx < sizeof(letters) - 1 ? letters[idx] : '?';
}

static struct ptw_error *read_i32(const struct ptw_kmem *m, uint64_t va, int32_t *ret)
{
	uint32_t v;
	struct ptw_error *err = ptw_kmem_u32(m, va, &v);

	if (!err)
		*ret = (int32_t)v;
	return err;
}

struct ptw_error *ptw_task_read(const struct ptw_kmem *mem, const struct ptw_task_layout *L,
				uint64_t addr, struct ptw_task *ret)
{
	struct ptw_task t;
	unsigned char comm[PTW_TASK_COMM_LEN];
	struct ptw_error *err;

	memset(&t, 0, sizeof(t));
	t.addr = addr;
	t.leader = addr;
	if ((err = read_i32(mem, addr + L->task_pid, &t.pid)) ||
	    (err = read_i32(mem, addr + L->task_tgid, &t.tgid)) ||
	    (err = ptw_kmem_read(mem, addr + L->task_comm, comm, sizeof(comm))) ||
	    (err = ptw_kmem_u64(mem, addr + L->task_mm, &t.mm)) ||
	    (err = ptw_kmem_u64(mem, addr + L->task_real_parent, &t.real_parent)))
		return ptw_error_prepend(err, "task 0x%" PRIx64, addr);
	if (!ptw_task_comm_ok(comm))
		return ptw_error_address(PTW_E_BAD_DATA, addr,
					 "task 0x%" PRIx64 " (pid %" PRId32 "): comm has no terminating NUL or is not text",
					 addr, t.pid);
	memcpy(t.comm, comm, sizeof(comm));
	t.comm[PTW_TASK_COMM_LEN] = 0;
	if (t.pid < 0 || t.tgid < 0)
		return ptw_error_address(PTW_E_BAD_DATA, addr, "task 0x%" PRIx64 ": negative pid %" PRId32 " / tgid %" PRId32,
					 addr, t.pid, t.tgid);
	if (t.real_parent) {
		int32_t pp;

		err = read_i32(mem, t.real_parent + L->task_tgid, &pp);
		if (err)
			ptw_error_destroy(err);
		else {
			t.have_ppid = true;
			t.ppid = t.real_parent == addr ? 0 : pp;
		}
	}
	if (L->have_flags) {
		if ((err = ptw_kmem_u32(mem, addr + L->task_flags, &t.flags)))
			ptw_error_destroy(err);
		else
			t.have_flags = true;
	}
	if (L->have_state) {
		uint32_t st = 0, ex = 0;
		bool ok = !(err = ptw_kmem_u32(mem, addr + L->task_state, &st));

		if (err)
			ptw_error_destroy(err);
		if (ok && L->have_exit_state) {
			if ((err = ptw_kmem_u32(mem, addr + L->task_exit_state, &ex))) {
				ptw_error_destroy(err);
				ok = false;
			}
		}
		if (ok) {
			t.have_state = true;
			t.state = state_letter(st, ex);
		}
	}
	if (L->have_cpu) {
		if ((err = ptw_kmem_u32(mem, addr + L->task_cpu, &t.cpu)))
			ptw_error_destroy(err);
		else
			t.have_cpu = true;
	}
	if (L->have_on_cpu) {
		uint32_t on = 0;

		if ((err = ptw_kmem_u32(mem, addr + L->task_on_cpu, &on)))
			ptw_error_destroy(err);
		else {
			t.have_running = true;
			t.running = on != 0;
		}
	}
	if (t.mm) {
		if ((err = ptw_kmem_u64(mem, t.mm + L->mm_pgd, &t.pgd)))
			ptw_error_destroy(err);
		else if (mem->translate && t.pgd) {
			if ((err = mem->translate(mem->arg, t.pgd, &t.pgd_pa)))
				ptw_error_destroy(err);
			else
				t.have_pgd = true;
		}
	}
	*ret = t;
	return NULL;
}

struct walk {
	const struct ptw_kmem *mem;
	const struct ptw_task_layout *L;
	const struct ptw_task_limits *lim;
	ptw_task_fn *fn;
	void *arg;
	struct ptw_diag *diag;
	struct addr_set seen;
	uint64_t visited;
	bool stop;
};

/* Emit one task; false when the walk must stop. */
static struct ptw_error *visit(struct walk *w, uint64_t addr, uint64_t leader, int32_t leader_tgid,
			       bool *ok_ret)
{
	struct ptw_task t;
	bool added;
	struct ptw_error *err;

	*ok_ret = false;
	if (w->visited >= w->lim->max_tasks) {
		ptw_diag_warn(w->diag, "more than %" PRIu64 " tasks: task walk stopped", w->lim->max_tasks);
		w->stop = true;
		return NULL;
	}
	if ((err = set_add(&w->seen, addr, &added)))
		return err;
	if (!added) {
		ptw_diag_warn(w->diag, "task 0x%" PRIx64 " is listed twice (the list loops): that list stopped there", addr);
		return NULL;
	}
	w->visited++;
	err = ptw_task_read(w->mem, w->L, addr, &t);
	if (err) {
		ptw_diag_warn(w->diag, "%s: skipped", err->message);
		ptw_error_destroy(err);
		*ok_ret = true; /* the element is skipped, its links may still be good */
		return NULL;
	}
	if (leader != addr && t.tgid != leader_tgid) {
		ptw_diag_warn(w->diag, "task 0x%" PRIx64 " (pid %" PRId32 ") is in the thread list of tgid %" PRId32 " but has tgid %" PRId32 ": skipped",
			      addr, t.pid, leader_tgid, t.tgid);
		*ok_ret = true;
		return NULL;
	}
	t.leader = leader;
	*ok_ret = true;
	if (!w->fn(w->arg, &t))
		w->stop = true;
	return NULL;
}

/* The other threads of leader, in thread_node order. */
static struct ptw_error *walk_threads(struct walk *w, uint64_t leader, int32_t tgid)
{
	const struct ptw_task_layout *L = w->L;
	uint64_t signal, head, node, prev;
	struct ptw_error *err;

	if ((err = ptw_kmem_u64(w->mem, leader + L->task_signal, &signal))) {
		ptw_diag_warn(w->diag, "task 0x%" PRIx64 ": signal unreadable (%s): its threads skipped", leader, err->message);
		ptw_error_destroy(err);
		return NULL;
	}
	head = signal + L->signal_thread_head;
	if ((err = ptw_kmem_u64(w->mem, head, &node))) {
		ptw_diag_warn(w->diag, "task 0x%" PRIx64 ": thread list head 0x%" PRIx64 " unreadable (%s): its threads skipped",
			      leader, head, err->message);
		ptw_error_destroy(err);
		return NULL;
	}
	prev = head;
	for (uint64_t n = 0; node != head && !w->stop; n++) {
		uint64_t task = node - L->task_thread_node, next;
		bool ok;

		if (!node) {
			ptw_diag_warn(w->diag, "tgid %" PRId32 ": thread list entry after 0x%" PRIx64 " is NULL: rest of its threads skipped",
				      tgid, prev);
			return NULL;
		}
		if (n >= w->lim->max_tasks) {
			ptw_diag_warn(w->diag, "tgid %" PRId32 ": more than %" PRIu64 " threads: stopped", tgid, w->lim->max_tasks);
			return NULL;
		}
		if ((err = ptw_kmem_u64(w->mem, node, &next))) {
			ptw_diag_warn(w->diag, "tgid %" PRId32 ": thread list entry 0x%" PRIx64 " unreadable (%s): rest of its threads skipped",
				      tgid, node, err->message);
			ptw_error_destroy(err);
			return NULL;
		}
		if (task != leader) {
			if ((err = visit(w, task, leader, tgid, &ok)))
				return err;
			if (!ok)
				return NULL;
		}
		prev = node;
		node = next;
	}
	return NULL;
}

struct ptw_error *ptw_tasks_walk(const struct ptw_kmem *mem, const struct ptw_task_layout *L,
				 uint64_t init_task, const struct ptw_task_limits *lim,
				 ptw_task_fn *fn, void *arg, struct ptw_diag *diag)
{
	struct ptw_task_limits dflt = { .max_tasks = PTW_TASK_MAX_DEFAULT };
	struct walk w = { .mem = mem, .L = L, .lim = lim ? lim : &dflt, .fn = fn, .arg = arg, .diag = diag };
	uint64_t leader = init_task;
	struct ptw_error *err = NULL;
	uint64_t probe;

	/* init_task itself must be readable: otherwise there is no list. */
	if ((err = ptw_kmem_u64(mem, init_task + L->task_tasks, &probe)))
		return ptw_error_prepend(err, "init_task 0x%" PRIx64, init_task);
	for (;;) {
		int32_t tgid = 0;
		uint64_t next;
		bool ok;

		if ((err = read_i32(mem, leader + L->task_tgid, &tgid)))
			ptw_error_destroy(err); /* visit() warns about it */
		if ((err = visit(&w, leader, leader, tgid, &ok)))
			break;
		if (!ok || w.stop)
			break;
		if (L->have_threads && leader != init_task &&
		    (err = walk_threads(&w, leader, tgid)))
			break;
		if (w.stop)
			break;
		if ((err = ptw_kmem_u64(mem, leader + L->task_tasks, &next))) {
			ptw_diag_warn(diag, "task 0x%" PRIx64 ": tasks.next unreadable (%s): task list stopped", leader, err->message);
			ptw_error_destroy(err);
			err = NULL;
			break;
		}
		if (!next) {
			ptw_diag_warn(diag, "task 0x%" PRIx64 ": tasks.next is NULL: task list stopped", leader);
			break;
		}
		if (next - L->task_tasks == init_task)
			break;
		/* A wild next: one warning here, rather than one per field. */
		if ((err = ptw_kmem_u64(mem, next, &probe))) {
			ptw_diag_warn(diag, "task 0x%" PRIx64 ": tasks.next 0x%" PRIx64 " is not readable memory: task list stopped",
				      leader, next);
			ptw_error_destroy(err);
			err = NULL;
			break;
		}
		leader = next - L->task_tasks;
	}
	set_free(&w.seen);
	return err;
}

struct find {
	uint64_t pid;
	bool found;
	struct ptw_task t;
};

static bool find_fn(void *arg, const struct ptw_task *t)
{
	struct find *f = arg;

	if ((uint64_t)(uint32_t)t->pid == f->pid) {
		f->found = true;
		f->t = *t;
		return false;
	}
	return true;
}

struct ptw_error *ptw_task_find(const struct ptw_kmem *mem, const struct ptw_task_layout *L,
				uint64_t init_task, uint64_t pid, struct ptw_task *ret,
				struct ptw_diag *diag)
{
	struct find f = { .pid = pid };
	struct ptw_error *err = ptw_tasks_walk(mem, L, init_task, NULL, find_fn, &f, diag);

	if (err)
		return err;
	if (!f.found)
		return ptw_error_create(PTW_E_NOT_PRESENT, "no task with pid %" PRIu64 " in the dump", pid);
	*ret = f.t;
	return NULL;
}

struct collect {
	int32_t tgid;
	struct ptw_task *out;
	size_t max, n;
};

static bool collect_fn(void *arg, const struct ptw_task *t)
{
	struct collect *c = arg;

	if (t->tgid == c->tgid && c->n < c->max)
		c->out[c->n++] = *t;
	return true;
}

struct ptw_error *ptw_task_threads(const struct ptw_kmem *mem, const struct ptw_task_layout *L,
				   const struct ptw_task *t, struct ptw_task *out, size_t max,
				   size_t *n_ret, struct ptw_diag *diag)
{
	struct collect c = { .tgid = t->tgid, .out = out, .max = max };
	struct walk w = { .mem = mem, .L = L, .fn = collect_fn, .arg = &c, .diag = diag };
	struct ptw_task_limits lim = { .max_tasks = PTW_TASK_MAX_DEFAULT };
	struct ptw_task leader;
	bool ok;
	struct ptw_error *err;

	w.lim = &lim;
	err = ptw_task_read(mem, L, t->leader, &leader);
	if (err)
		return err;
	err = visit(&w, leader.addr, leader.addr, leader.tgid, &ok);
	if (!err && L->have_threads)
		err = walk_threads(&w, leader.addr, leader.tgid);
	set_free(&w.seen);
	if (err)
		return err;
	*n_ret = c.n;
	return NULL;
}
