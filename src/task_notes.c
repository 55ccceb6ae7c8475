/* Which process each CPU was running, from the dump's CPU notes alone, for
 * layouts without task_struct.on_cpu (inferred without types): a note taken
 * in user mode holds the user stack pointer, and the process it belongs to
 * is the only one with a VMA holding that address. Two processes holding
 * it, or none, leave the note unassigned. */
#include <stdlib.h>

#include "regs.h"
#include "task.h"
#include "vma.h"

#define MAX_MMS 4096

struct probe {
	uint64_t sp;
	bool hit;
};

static bool probe_vma(void *arg, const struct ptw_vma *v)
{
	struct probe *p = arg;

	if (v->start <= p->sp && p->sp < v->end) {
		p->hit = true;
		return false;
	}
	return true;
}

struct mms {
	uint64_t *mm;
	size_t n;
	bool overflow;
};

static bool collect(void *arg, const struct ptw_task *t)
{
	struct mms *m = arg;

	if (!t->mm)
		return true;
	for (size_t i = 0; i < m->n; i++)
		if (m->mm[i] == t->mm)
			return true;
	if (m->n == MAX_MMS) {
		m->overflow = true;
		return false;
	}
	m->mm[m->n++] = t->mm;
	return true;
}

struct ptw_error *ptw_notes_user_mms(const struct ptw_kmem *mem, const struct ptw_task_layout *L,
				     uint64_t init_task, const struct ptw_regs_ops *regs,
				     const struct ptw_prstatus *notes, size_t nnotes, uint64_t *mm_ret)
{
	struct mms m = { .mm = calloc(MAX_MMS, sizeof(uint64_t)) };
	struct ptw_error *err;

	for (size_t i = 0; i < nnotes; i++)
		mm_ret[i] = 0;
	if (!m.mm)
		return &ptw_enomem;
	err = ptw_tasks_walk(mem, L, init_task, NULL, collect, &m, NULL);
	if (err || m.overflow) {
		free(m.mm);
		return err;
	}
	for (size_t i = 0; i < nnotes; i++) {
		uint64_t gregs[PTW_MAX_GREGS], owner = 0;
		unsigned owners = 0;

		if (!regs->from_note(&notes[i], gregs))
			continue;
		for (size_t k = 0; k < m.n && owners < 2; k++) {
			struct probe p = { .sp = gregs[regs->sp_index] };

			err = ptw_vmas_walk(mem, L, m.mm[k], PTW_VMA_MAX_DEFAULT, probe_vma, &p, NULL);
			ptw_error_destroy(err);
			if (p.hit) {
				owners++;
				owner = m.mm[k];
			}
		}
		if (owners == 1)
			mm_ret[i] = owner;
	}
	free(m.mm);
	return NULL;
}
