#include "lines.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Read this much at a time; a partial line (< PTW_LINE_MAX) is moved to the
 * front of the buffer before the next block is appended. */
#define PTW_LINES_BLOCK (1u << 16)

struct ptwalk_error *ptw_lines_init(struct ptw_lines *lr, FILE *in)
{
	memset(lr, 0, sizeof(*lr));
	lr->in = in;
	lr->buf = malloc(PTW_LINES_BLOCK + PTW_LINE_MAX);
	return lr->buf ? NULL : ptwalk_error_create(PTWALK_E_NOMEM, "out of memory");
}

void ptw_lines_fini(struct ptw_lines *lr)
{
	free(lr->buf);
	lr->buf = NULL;
}

void ptw_lines_where(const struct ptw_lines *lr, char *buf, size_t len)
{
	snprintf(buf, len, "stdin: line %llu", lr->lineno);
}

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Refill: keep the partial line, or drop it once it is too long to be
 * anything (then the rest of it is dropped as it arrives). */
static struct ptwalk_error *refill(struct ptw_lines *lr)
{
	size_t n;

	if (lr->have - lr->pos >= PTW_LINE_MAX) {
		lr->skipping = true;
		lr->pos = lr->have;
	}
	memmove(lr->buf, lr->buf + lr->pos, lr->have - lr->pos);
	lr->have -= lr->pos;
	lr->pos = 0;
	n = fread(lr->buf + lr->have, 1, PTW_LINES_BLOCK, lr->in);
	lr->have += n;
	if (n == 0) {
		if (ferror(lr->in)) {
			int e = errno ? errno : EIO;

			return ptwalk_error_create(e == ENOMEM ? PTWALK_E_NOMEM : PTWALK_E_OS, "reading stdin: %s",
						   strerror(e));
		}
		lr->eof = true;
	}
	return NULL;
}

struct ptwalk_error *ptw_lines_next(struct ptw_lines *lr, enum ptw_line_kind *kind_ret,
				 const char **text_ret, size_t *len_ret)
{
	/* Bounded: each pass either returns, consumes a line, or reads a block
	 * (which ends at EOF). */
	for (;;) {
		const char *s = lr->buf + lr->pos;
		const char *nl = memchr(s, '\n', lr->have - lr->pos);
		size_t n;

		if (!nl && !lr->eof) {
			struct ptwalk_error *err = refill(lr);

			if (err)
				return err;
			continue;
		}
		if (!nl && lr->pos == lr->have && !lr->skipping) {
			*kind_ret = PTW_LINE_END;
			return NULL;
		}
		/* a whole line: up to the newline, or the last one without */
		n = nl ? (size_t)(nl - s) : lr->have - lr->pos;
		lr->pos += n + (nl != NULL);
		lr->lineno++;
		if (lr->skipping || n >= PTW_LINE_MAX) {
			lr->skipping = false;
			*kind_ret = PTW_LINE_TOO_LONG;
			return NULL;
		}
		while (n && blank(s[0])) {
			s++;
			n--;
		}
		while (n && blank(s[n - 1]))
			n--;
		if (n == 0)
			continue;
		*kind_ret = PTW_LINE_TEXT;
		*text_ret = s;
		*len_ret = n;
		return NULL;
	}
}
