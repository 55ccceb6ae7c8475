/* Error objects: every fallible function returns one (NULL means success),
 * and only the command-line front end turns them into messages and exit codes. */
#ifndef PTW_ERROR_H
#define PTW_ERROR_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#define PTW_ERRORS \
	PTW_ERROR(NOMEM, "out of memory") \
	PTW_ERROR(OS, "system error") \
	PTW_ERROR(BAD_DATA, "corrupt or unsupported data") \
	PTW_ERROR(FAULT, "address not available") \
	PTW_ERROR(NOT_PRESENT, "not in the dump") \
	PTW_ERROR(NOT_IMPLEMENTED, "not implemented") \
	PTW_ERROR(INVALID_ARGUMENT, "invalid argument") \
	PTW_ERROR(OVERFLOW, "value out of range")

enum ptw_error_code {
#define PTW_ERROR(name, text) PTW_E_##name,
	PTW_ERRORS
#undef PTW_ERROR
	PTW_E_NUM
};

struct ptw_error {
	enum ptw_error_code code;
	/* Where in the file the problem is, when one place is to blame. */
	bool has_offset;
	uint64_t offset;
	/* For FAULT / NOT_PRESENT: the address that could not be read. */
	bool has_address;
	uint64_t address;
	char *message;
	/* The file at fault when it is not the dump (an output file, a --set
	 * value, stdin): the CLI names it in place of the dump. NULL: the dump. */
	char *file;
};

/** The shared object returned when allocating an error itself fails. */
extern struct ptw_error ptw_enomem;

/** Text for a code, e.g. "corrupt or unsupported data". */
const char *ptw_strerror(enum ptw_error_code code);

struct ptw_error *ptw_error_create(enum ptw_error_code code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/** An error tied to a file offset, printed as "offset 0x...: message". */
struct ptw_error *ptw_error_at(enum ptw_error_code code, uint64_t offset, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/** A read that failed at an address (FAULT or NOT_PRESENT). */
struct ptw_error *ptw_error_address(enum ptw_error_code code, uint64_t address, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/** From errno, naming what was being done. */
struct ptw_error *ptw_error_errno(int errnum, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/** Prefix context to an error's message ("reading the kdump header: ..."); returns err. */
struct ptw_error *ptw_error_prepend(struct ptw_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/** Name the file at fault (when it is not the dump); returns err. */
struct ptw_error *ptw_error_in_file(struct ptw_error *err, const char *file);
void ptw_error_destroy(struct ptw_error *err);

#endif
