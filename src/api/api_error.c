/* Public error objects: the library's own, read through accessors. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"

/* The public codes are the library's codes under other names. */
#define SAME(name) _Static_assert((int)PTWALK_E_##name == (int)PTW_E_##name, "code " #name)
SAME(NOMEM);
SAME(OS);
SAME(BAD_DATA);
SAME(FAULT);
SAME(NOT_PRESENT);
SAME(NOT_IMPLEMENTED);
SAME(INVALID_ARGUMENT);
SAME(OVERFLOW);
_Static_assert(PTW_E_NUM == 8, "a new error code needs its PTWALK_E_ name");

enum ptwalk_error_code ptwalk_error_code(const struct ptwalk_error *err)
{
	return (enum ptwalk_error_code)ptw_api_unwrap(err)->code;
}

const char *ptwalk_error_message(const struct ptwalk_error *err)
{
	const struct ptw_error *e = ptw_api_unwrap(err);

	return e->message ? e->message : ptw_strerror(e->code);
}

bool ptwalk_error_offset(const struct ptwalk_error *err, uint64_t *offset_ret)
{
	const struct ptw_error *e = ptw_api_unwrap(err);

	if (e->has_offset && offset_ret)
		*offset_ret = e->offset;
	return e->has_offset;
}

bool ptwalk_error_address(const struct ptwalk_error *err, uint64_t *address_ret)
{
	const struct ptw_error *e = ptw_api_unwrap(err);

	if (e->has_address && address_ret)
		*address_ret = e->address;
	return e->has_address;
}

const char *ptwalk_error_file(const struct ptwalk_error *err)
{
	return ptw_api_unwrap(err)->file;
}

const char *ptwalk_strerror(enum ptwalk_error_code code)
{
	return ptw_strerror((enum ptw_error_code)code);
}

struct ptwalk_error *ptwalk_error_create(enum ptwalk_error_code code, const char *fmt, ...)
{
	char *msg = NULL;
	va_list ap;
	struct ptw_error *err;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (!msg)
		return ptw_api_error(&ptw_enomem);
	err = ptw_error_create((enum ptw_error_code)code, "%s", msg);
	free(msg);
	return ptw_api_error(err);
}

void ptwalk_error_free(struct ptwalk_error *err)
{
	ptw_error_destroy(ptw_api_unwrap(err));
}

struct ptw_error *ptw_api_error_copy(const struct ptw_error *err)
{
	struct ptw_error *copy;

	if (!err || err == &ptw_enomem)
		return &ptw_enomem;
	copy = ptw_error_create(err->code, "%s", err->message ? err->message : "");
	if (copy == &ptw_enomem)
		return copy;
	copy->has_offset = err->has_offset;
	copy->offset = err->offset;
	copy->has_address = err->has_address;
	copy->address = err->address;
	return ptw_error_in_file(copy, err->file);
}

struct ptwalk_error *ptwalk_error_in_file(struct ptwalk_error *err, const char *file)
{
	return ptw_api_error(ptw_error_in_file(ptw_api_unwrap(err), file));
}
