/* Tasks, their VMAs, and core files of processes. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api.h"
#include "gcore.h"
#include "regs.h"
#include "source.h"
#include "task.h"
#include "vma.h"

/* Threads written into a core at most, as `ptwalk gcore` (the kernel's own dumps have no
 * bound; ptwalk's is generous and keeps memory fixed). */
#define MAX_THREADS 65536

static void task_public(const struct ptw_task *t, struct ptwalk_task *p)
{
	bool known;

	memset(p, 0, sizeof(*p));
	p->addr = t->addr;
	p->pid = t->pid;
	p->tgid = t->tgid;
	p->have_ppid = t->have_ppid;
	p->ppid = t->ppid;
	_Static_assert(sizeof(p->comm) == sizeof(t->comm), "comm sizes differ");
	memcpy(p->comm, t->comm, sizeof(p->comm));
	p->have_state = t->have_state;
	p->state = t->state;
	p->have_flags = t->have_flags;
	p->flags = t->flags;
	p->have_cpu = t->have_cpu;
	p->cpu = t->cpu;
	p->have_running = t->have_running;
	p->running = t->running;
	p->kthread = ptw_task_is_kthread(t, &known);
	p->mm = t->mm;
	p->have_pgd = t->have_pgd;
	p->pgd_pa = t->pgd_pa;
}

/* Without task_struct.on_cpu: the mm each CPU note's user stack pointer
 * lies in, and how many tasks have it (a first pass over the list), so the
 * one task of a single-threaded process can be marked running. */
struct running_guess {
	size_t ncpus;
	uint64_t *mm;      /* per CPU note, 0: none */
	size_t *users;     /* per CPU note: tasks with that mm */
};

static bool count_users(void *arg, const struct ptw_task *t)
{
	struct running_guess *g = arg;

	for (size_t c = 0; c < g->ncpus; c++)
		if (g->mm[c] && t->mm == g->mm[c])
			g->users[c]++;
	return true;
}

static void guess_running(struct ptwalk_dump *d, struct running_guess *g)
{
	const struct ptw_source *src = d->d->src;
	const struct ptw_regs_ops *regs = d->d->arch == PTW_ARCH_ARM64 ? &ptw_regs_arm64 :
					  d->d->arch == PTW_ARCH_X86_64 ? &ptw_regs_x86_64 : NULL;
	struct ptw_error *err;

	memset(g, 0, sizeof(*g));
	if (!regs || !src->ncpus)
		return;
	g->mm = calloc(src->ncpus, sizeof(*g->mm));
	g->users = calloc(src->ncpus, sizeof(*g->users));
	if (!g->mm || !g->users)
		goto none;
	g->ncpus = src->ncpus;
	err = ptw_notes_user_mms(&d->mem, &d->env.layout, d->env.init_task, regs, src->cpus, src->ncpus, g->mm);
	if (!err) /* the walk proper warns about bad elements; this one counts quietly */
		err = ptw_tasks_walk(&d->mem, &d->env.layout, d->env.init_task, NULL, count_users, g, NULL);
	if (!err)
		return;
	ptw_error_destroy(err);
none:
	free(g->mm);
	free(g->users);
	memset(g, 0, sizeof(*g));
}

struct task_visit {
	ptwalk_task_fn *fn;
	void *arg;
	const struct running_guess *guess;
};

static bool visit_task(void *arg, const struct ptw_task *t)
{
	struct task_visit *v = arg;
	struct ptwalk_task p;

	task_public(t, &p);
	for (size_t c = 0; v->guess && c < v->guess->ncpus; c++)
		if (v->guess->mm[c] && t->mm == v->guess->mm[c] && v->guess->users[c] == 1) {
			p.have_running = true;
			p.running = true;
			p.have_cpu = true;
			p.cpu = (uint32_t)c;
		}
	return v->fn(v->arg, &p);
}

struct ptwalk_error *ptwalk_tasks(struct ptwalk_dump *d, ptwalk_task_fn *fn, void *arg)
{
	struct task_visit v = { .fn = fn, .arg = arg };
	struct running_guess g = { 0 };
	struct ptw_error *err = ptw_api_task_env(d);

	if (err)
		return ptw_api_error(err);
	if (!d->env.layout.have_on_cpu) {
		guess_running(d, &g);
		v.guess = &g;
	}
	err = ptw_tasks_walk(&d->mem, &d->env.layout, d->env.init_task, NULL, visit_task, &v, &d->diag);
	free(g.mm);
	free(g.users);
	return ptw_api_error(err);
}

static struct ptw_error *find_task(struct ptwalk_dump *d, uint64_t pid, struct ptw_task *ret)
{
	struct ptw_error *err = ptw_api_task_env(d);

	if (err)
		return err;
	return ptw_task_find(&d->mem, &d->env.layout, d->env.init_task, pid, ret, &d->diag);
}

struct ptwalk_error *ptwalk_task_find(struct ptwalk_dump *d, uint64_t pid, struct ptwalk_task *ret)
{
	struct ptw_task t;
	struct ptw_error *err = find_task(d, pid, &t);

	if (err)
		return ptw_api_error(err);
	task_public(&t, ret);
	return NULL;
}

struct ptwalk_error *ptwalk_task_layout(struct ptwalk_dump *d, struct ptwalk_task_layout_info *ret)
{
	struct ptw_error *err = ptw_api_task_env(d);

	if (err)
		return ptw_api_error(err);
	ret->source = d->env.layout.source;
	ret->have_threads = d->env.layout.have_threads;
	ret->have_on_cpu = d->env.layout.have_on_cpu;
	ret->have_vma_file = d->env.layout.have_vma_file;
	return NULL;
}

/* The task pid, which must have user memory. */
static struct ptw_error *user_task(struct ptwalk_dump *d, uint64_t pid, struct ptw_task *ret)
{
	struct ptw_error *err = find_task(d, pid, ret);

	if (err)
		return err;
	if (!ret->mm)
		return ptw_error_create(PTW_E_NOT_PRESENT,
					"pid %" PRIu64 " (%s) is a kernel thread: it has no user address space",
					pid, ret->comm);
	return NULL;
}

struct vma_visit {
	ptwalk_vma_fn *fn;
	void *arg;
};

static bool visit_vma(void *arg, const struct ptw_vma *v)
{
	struct vma_visit *vv = arg;
	struct ptwalk_vma p = {
		.addr = v->addr, .start = v->start, .end = v->end, .flags = v->flags,
		.have_pgoff = v->have_pgoff, .pgoff = v->pgoff, .file = v->file,
		.name = v->have_name ? v->name : NULL,
		.have_dev = v->have_dev, .major = v->major, .minor = v->minor, .ino = v->ino,
	};

	ptw_vma_perms(v, p.perms);
	return vv->fn(vv->arg, &p);
}

struct ptwalk_error *ptwalk_vmas(struct ptwalk_dump *d, uint64_t pid, ptwalk_vma_fn *fn, void *arg)
{
	struct vma_visit v = { .fn = fn, .arg = arg };
	struct ptw_task t;
	struct ptw_error *err = user_task(d, pid, &t);

	if (err)
		return ptw_api_error(err);
	return ptw_api_error(ptw_vmas_walk(&d->mem, &d->env.layout, t.mm, PTW_VMA_MAX_DEFAULT, visit_vma, &v,
					   &d->diag));
}

struct ptwalk_error *ptwalk_gcore(struct ptwalk_dump *d, uint64_t pid, int fd,
				  struct ptwalk_gcore_stats *stats_ret)
{
	const struct ptw_xlat *x = &d->d->xlat;
	const struct ptw_regs_ops *regs;
	struct ptw_task t, *threads = NULL;
	struct ptw_gcore_stats st;
	size_t nthreads = 0;
	struct ptw_geom g;
	FILE *out = NULL;
	struct ptw_error *err;
	int dupfd;

	regs = d->d->arch == PTW_ARCH_ARM64 ? &ptw_regs_arm64 :
	       d->d->arch == PTW_ARCH_X86_64 ? &ptw_regs_x86_64 : NULL;
	if (!regs)
		return ptw_api_error(ptw_error_create(PTW_E_NOT_IMPLEMENTED, "gcore is not implemented for this arch"));
	err = user_task(d, pid, &t);
	if (!err && !t.have_pgd)
		err = ptw_error_create(PTW_E_BAD_DATA, "pid %" PRIu64 " (%s): mm 0x%" PRIx64 " has no readable pgd",
				       pid, t.comm, t.mm);
	if (!err && (!x->ops || !x->ops->user_geom))
		err = ptw_error_create(PTW_E_NOT_IMPLEMENTED, "user tables are not implemented for this arch");
	if (!err) {
		err = x->ops->user_geom(x, t.pgd_pa, &g);
		if (err)
			err = ptw_error_prepend(err, "pid %" PRIu64 " (%s)", pid, t.comm);
	}
	if (!err && !(threads = calloc(MAX_THREADS, sizeof(*threads))))
		err = &ptw_enomem;
	if (!err)
		err = ptw_task_threads(&d->mem, &d->env.layout, &t, threads, MAX_THREADS, &nthreads, &d->diag);
	if (!err && nthreads == MAX_THREADS)
		ptw_diag_warn(&d->diag, "pid %" PRIu64 ": more than %d threads: the rest are left out", pid,
			      MAX_THREADS);
	if (!err) {
		/* the thread asked for first: gdb shows it as the current one */
		for (size_t i = 0; i < nthreads; i++)
			if (threads[i].addr == t.addr) {
				struct ptw_task tmp = threads[0];

				threads[0] = threads[i];
				threads[i] = tmp;
				break;
			}
		if (!nthreads)
			threads[nthreads++] = t;
	}
	if (!err) {
		dupfd = dup(fd);
		if (dupfd < 0 || !(out = fdopen(dupfd, "w"))) {
			err = ptw_error_errno(errno, "output file descriptor %d", fd);
			if (dupfd >= 0)
				close(dupfd);
		}
	}
	if (!err) {
		struct ptw_gcore_input in = {
			.vm = d->vm, .mem = &d->mem, .L = &d->env.layout, .regs = regs, .user = &g,
			.page_size = x->granule ? x->granule : 4096,
			.threads = threads, .nthreads = nthreads,
			.cpu_notes = d->d->src->cpus, .ncpu_notes = d->d->src->ncpus,
			.init_task = d->env.init_task,
		};

		setvbuf(out, NULL, _IOFBF, 1 << 20);
		err = ptw_gcore_write(&in, out, &st, &d->diag);
		if (!err && fflush(out) != 0)
			err = ptw_error_errno(errno, "writing the core file");
	}
	if (out && fclose(out) != 0 && !err)
		err = ptw_error_errno(errno, "writing the core file");
	free(threads);
	if (err)
		return ptw_api_error(err);
	if (stats_ret) {
		stats_ret->vmas = st.vmas;
		stats_ret->segments = st.segments;
		stats_ret->pages_written = st.pages_written;
		stats_ret->pages_not_present = st.pages_not_present;
		stats_ret->pages_not_in_dump = st.pages_not_in_dump;
		stats_ret->threads = st.threads;
		stats_ret->threads_from_note = st.threads_from_note;
		stats_ret->threads_without_regs = st.threads_without_regs;
		stats_ret->bytes = st.bytes;
	}
	return NULL;
}
