/* The kernel log, through the printk reader. */
#include <stdlib.h>

#include "api.h"
#include "printk.h"
#include "vmem.h"

struct ptwalk_log {
	struct ptw_vmem *vm;
	struct ptw_printk *pk;
};

struct ptwalk_error *ptwalk_log_open(struct ptwalk_dump *d, struct ptwalk_log **log_ret)
{
	struct ptwalk_log *log = calloc(1, sizeof(*log));
	struct ptw_error *err;

	if (!log)
		return ptw_api_error(&ptw_enomem);
	err = ptw_vmem_create(d->d, &log->vm);
	if (!err)
		err = ptw_printk_open(log->vm, &d->d->vmcoreinfo, &log->pk);
	if (err) {
		ptwalk_log_close(log);
		return ptw_api_error(err);
	}
	*log_ret = log;
	return NULL;
}

struct ptwalk_error *ptwalk_log_next(struct ptwalk_log *log, struct ptwalk_log_record *rec, bool *done_ret)
{
	struct ptw_printk_record r;
	bool done = false;
	struct ptw_error *err = ptw_printk_next(log->pk, &r, &done);

	if (err)
		return ptw_api_error(err);
	*done_ret = done;
	if (done)
		return NULL;
	rec->have_seq = r.have_seq;
	rec->seq = r.seq;
	rec->ts_nsec = r.ts_nsec;
	rec->level = r.level;
	rec->facility = r.facility;
	rec->flags = r.flags;
	rec->have_caller = r.have_caller;
	rec->caller_id = r.caller_id;
	rec->text = r.text;
	rec->text_len = r.text_len;
	rec->dict = r.dict;
	rec->dict_len = r.dict_len;
	rec->damage = r.damage;
	return NULL;
}

const char *ptwalk_log_kind(const struct ptwalk_log *log)
{
	return ptw_printk_kind(log->pk);
}

void ptwalk_log_close(struct ptwalk_log *log)
{
	if (!log)
		return;
	ptw_printk_destroy(log->pk);
	ptw_vmem_destroy(log->vm);
	free(log);
}
