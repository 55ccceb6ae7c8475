#include "error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ptw_error ptw_enomem = {
	.code = PTW_E_NOMEM,
	.message = (char *)"out of memory",
};

static const char *const error_texts[] = {
#define PTW_ERROR(name, text) [PTW_E_##name] = text,
	PTW_ERRORS
#undef PTW_ERROR
};

const char *ptw_strerror(enum ptw_error_code code)
{
	if ((unsigned)code >= PTW_E_NUM)
		return "unknown error";
	return error_texts[code];
}

static struct ptw_error *error_vcreate(enum ptw_error_code code, const char *fmt, va_list ap)
{
	struct ptw_error *err = calloc(1, sizeof(*err));
	if (!err)
		return &ptw_enomem;
	err->code = code;
	if (vasprintf(&err->message, fmt, ap) < 0) {
		free(err);
		return &ptw_enomem;
	}
	return err;
}

struct ptw_error *ptw_error_create(enum ptw_error_code code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct ptw_error *err = error_vcreate(code, fmt, ap);
	va_end(ap);
	return err;
}

struct ptw_error *ptw_error_at(enum ptw_error_code code, uint64_t offset, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct ptw_error *err = error_vcreate(code, fmt, ap);
	va_end(ap);
	if (err != &ptw_enomem) {
		err->has_offset = true;
		err->offset = offset;
	}
	return err;
}

struct ptw_error *ptw_error_address(enum ptw_error_code code, uint64_t address, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct ptw_error *err = error_vcreate(code, fmt, ap);
	va_end(ap);
	if (err != &ptw_enomem) {
		err->has_address = true;
		err->address = address;
	}
	return err;
}

struct ptw_error *ptw_error_errno(int errnum, const char *fmt, ...)
{
	va_list ap;
	char *what;
	va_start(ap, fmt);
	int n = vasprintf(&what, fmt, ap);
	va_end(ap);
	if (n < 0)
		return &ptw_enomem;
	struct ptw_error *err = ptw_error_create(errnum == ENOMEM ? PTW_E_NOMEM : PTW_E_OS,
						 "%s: %s", what, strerror(errnum));
	free(what);
	return err;
}

struct ptw_error *ptw_error_prepend(struct ptw_error *err, const char *fmt, ...)
{
	if (!err || err == &ptw_enomem)
		return err;
	va_list ap;
	char *prefix, *joined;
	va_start(ap, fmt);
	int n = vasprintf(&prefix, fmt, ap);
	va_end(ap);
	if (n < 0)
		return err;
	if (asprintf(&joined, "%s%s", prefix, err->message) >= 0) {
		free(err->message);
		err->message = joined;
	}
	free(prefix);
	return err;
}

struct ptw_error *ptw_error_in_file(struct ptw_error *err, const char *file)
{
	if (!err || err == &ptw_enomem || !file)
		return err;
	char *copy = strdup(file);
	if (copy) {
		free(err->file);
		err->file = copy;
	}
	return err;
}

void ptw_error_destroy(struct ptw_error *err)
{
	if (!err || err == &ptw_enomem)
		return;
	free(err->file);
	free(err->message);
	free(err);
}
