/* The text conventions of format.h. */
#include "format.h"

#include <stdio.h>

void ptw_size_text(uint64_t size, char *buf, size_t len)
{
	static const char *const units[] = { "B", "KB", "MB", "GB", "TB", "PB", "EB" };
	unsigned u = 0;
	uint64_t v = size;

	while (u + 1 < sizeof(units) / sizeof(units[0]) && v >= 1024) {
		v /= 1024;
		u++;
	}
	if (u == 0 || size % (UINT64_C(1) << (10 * u)) == 0)
		snprintf(buf, len, "%" PRIu64 "%s", v, units[u]);
	else
		snprintf(buf, len, "~%.1f%s", (double)size / (double)(UINT64_C(1) << (10 * u)), units[u]);
}
