#include "xlat.h"

#include <stddef.h>

#include "dump.h"

const char *ptw_pte_format_name(enum ptw_pte_format fmt)
{
	switch (fmt) {
	case PTW_PTE_ARM64_VMSA: return "vmsa";
	case PTW_PTE_ARM64_LPA: return "lpa";
	case PTW_PTE_ARM64_LPA2: return "lpa2";
	case PTW_PTE_X86_64: return "x86-64";
	default: return NULL;
	}
}

const char *ptw_layout_name(enum ptw_layout layout)
{
	switch (layout) {
	case PTW_LAYOUT_FLIPPED: return "flipped";
	case PTW_LAYOUT_LEGACY: return "legacy";
	default: return NULL;
	}
}

struct ptw_error *ptw_xlat_detect(struct ptw_dump *dump, struct ptw_xlat *ret)
{
	return ptw_error_create(PTW_E_NOT_IMPLEMENTED, "translation for %s is not implemented yet",
				ptw_arch_name(dump->arch) ? ptw_arch_name(dump->arch) : "this architecture");
}
