/* Audits of the tables (`check`), through the space's walker. */
#include "api.h"
#include "audit.h"

struct finding_visit {
	ptwalk_finding_fn *fn;
	void *arg;
};

static void visit_finding(void *arg, const struct ptw_finding *f)
{
	struct finding_visit *v = arg;
	struct ptwalk_finding p = {
		.kind = f->kind, .has_va = f->has_va, .has_pa = f->has_pa, .has_level = f->has_level,
		.has_raw = f->has_raw, .va = f->va, .end = f->end, .pa = f->pa, .level = f->level,
		.raw = f->raw, .detail = f->detail,
	};

	if (v->fn)
		v->fn(v->arg, &p);
}

struct ptwalk_error *ptwalk_check(struct ptwalk_space *s, bool kernel, bool user, ptwalk_finding_fn *fn,
				  void *arg, uint64_t *count_ret)
{
	struct finding_visit v = { .fn = fn, .arg = arg };
	struct ptw_check_options opts = {
		.kernel = kernel,
		.user = user && s->have_user,
		.user_geom = s->have_user ? &s->user : NULL,
	};
	uint64_t count = 0;
	struct ptw_error *err = ptw_check_run(s->dump->d, s->w, &opts, visit_finding, &v, &count);

	if (err)
		return ptw_api_error(err);
	if (count_ret)
		*count_ret = count;
	return NULL;
}
