/* Batch input (`vtop DUMP -`, `read DUMP -`): one item a line, read in
 * blocks with memory that does not grow with the input. A line longer than
 * any item can be is skipped whole, however long it is, and reported once. */
#ifndef PTW_CLI_LINES_H
#define PTW_CLI_LINES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "ptwalk.h"

/* Longer lines are skipped: an address, or a symbol name (the kernel's
 * KSYM_NAME_LEN is 512) with an offset, fits with room to spare. */
#define PTW_LINE_MAX 4096

enum ptw_line_kind {
	PTW_LINE_END,      /* no more input */
	PTW_LINE_TEXT,     /* a line with something on it */
	PTW_LINE_TOO_LONG, /* a line of PTW_LINE_MAX bytes or more, skipped whole */
};

struct ptw_lines {
	FILE *in;
	char *buf;               /* a block and a partial line */
	size_t pos, have;        /* unread text: buf[pos..have) */
	bool eof;
	bool skipping;           /* inside a line too long to keep */
	unsigned long long lineno; /* of the line last returned, from 1 */
};

struct ptwalk_error *ptw_lines_init(struct ptw_lines *lr, FILE *in);
void ptw_lines_fini(struct ptw_lines *lr);
/** The next non-blank line, blanks (space, tab, CR) around it trimmed:
 * *kind_ret says which; for PTW_LINE_TEXT, the text (*text_ret, *len_ret) is valid until
 * the next call. lr->lineno numbers it (blank lines count). An error only
 * when reading fails. */
struct ptwalk_error *ptw_lines_next(struct ptw_lines *lr, enum ptw_line_kind *kind_ret,
				   const char **text_ret, size_t *len_ret);

/** "stdin: line N", naming the line last returned in messages. */
void ptw_lines_where(const struct ptw_lines *lr, char *buf, size_t len);

#endif
