/* Types from a vmlinux's DWARF, through libdw. */
#include "types.h"

struct ptw_error *ptw_types_dwarf_open(const char *path, struct ptw_types **ret)
{
	return ptw_error_create(PTW_E_NOT_PRESENT, "%s: DWARF types are not read yet", path);
}

struct ptw_error *ptw_types_dwarf_probe(const char *path)
{
	return ptw_error_create(PTW_E_NOT_PRESENT, "%s: DWARF types are not read yet", path);
}
