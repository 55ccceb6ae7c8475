/* makedumpfile's kdump-compressed format, plain and flattened. */
#include "source.h"

static bool kdump_probe(const unsigned char *head, size_t len)
{
	(void)head;
	(void)len;
	return false;
}

static struct ptw_error *kdump_open(struct ptw_source *src)
{
	return ptw_error_create(PTW_E_NOT_IMPLEMENTED, "kdump reader not written yet");
}

const struct ptw_source_ops ptw_source_kdump = {
	.name = "kdump",
	.probe = kdump_probe,
	.open = kdump_open,
};

const struct ptw_source_ops ptw_source_kdump_flattened = {
	.name = "kdump-flattened",
	.probe = kdump_probe,
	.open = kdump_open,
};
