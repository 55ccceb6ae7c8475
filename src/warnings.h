/* Warnings found while opening a dump: problems the rest of the dump can be
 * answered around. The library collects them (it never prints); the
 * command line prints them, unless --quiet, in its one place for messages. */
#ifndef PTW_WARNINGS_H
#define PTW_WARNINGS_H

#include <stddef.h>

#include "error.h"

/* Kept warnings; later ones are only counted: corrupt data must not make
 * the output grow with what it can express. */
#define PTW_WARNINGS_MAX 32

struct ptw_warnings {
	struct ptw_error *items[PTW_WARNINGS_MAX]; /* each with its offset, if any */
	size_t count;   /* kept */
	size_t dropped; /* beyond PTW_WARNINGS_MAX */
};

/** Keep err as a warning (the list owns it). An allocation failure while
 * making err (&ptw_enomem) is counted as dropped. */
void ptw_warnings_add(struct ptw_warnings *w, struct ptw_error *err);
void ptw_warnings_free(struct ptw_warnings *w);

#endif
