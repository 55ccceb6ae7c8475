#include "warnings.h"

void ptw_warnings_add(struct ptw_warnings *w, struct ptw_error *err)
{
	if (!err)
		return;
	if (err == &ptw_enomem || w->count >= PTW_WARNINGS_MAX) {
		w->dropped++;
		ptw_error_destroy(err);
		return;
	}
	w->items[w->count++] = err;
}

void ptw_warnings_free(struct ptw_warnings *w)
{
	for (size_t i = 0; i < w->count; i++)
		ptw_error_destroy(w->items[i]);
	w->count = 0;
	w->dropped = 0;
}
