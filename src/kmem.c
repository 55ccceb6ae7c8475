#include "kmem.h"

#include <stdarg.h>
#include <stdio.h>

#include "vmem.h"

static struct ptw_error *vmem_read(void *arg, uint64_t va, void *buf, size_t len)
{
	return ptw_vmem_read(arg, va, buf, len);
}

static struct ptw_error *vmem_read_user(void *arg, const struct ptw_geom *g, uint64_t va, void *buf,
					size_t len)
{
	return ptw_vmem_read_tree(arg, g, va, buf, len);
}

static struct ptw_error *vmem_translate(void *arg, uint64_t va, uint64_t *pa_ret)
{
	return ptw_vmem_translate(arg, va, pa_ret);
}

void ptw_kmem_from_vmem(struct ptw_vmem *vm, struct ptw_kmem *ret)
{
	ret->read = vmem_read;
	ret->read_user = vmem_read_user;
	ret->translate = vmem_translate;
	ret->arg = vm;
}

void ptw_diag_warn(struct ptw_diag *d, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (!d)
		return;
	d->count++;
	if (!d->warn || (d->max && d->count > d->max))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	d->warn(d->arg, msg);
}
