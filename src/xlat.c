#include "xlat.h"

#include <stddef.h>
#include <string.h>

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

const struct ptw_attr *ptw_attrs_find(const struct ptw_attrs *a, const char *name)
{
	for (unsigned i = 0; i < a->n && i < PTW_MAX_ATTRS; i++)
		if (strcmp(a->a[i].name, name) == 0)
			return &a->a[i];
	return NULL;
}

struct ptw_error *ptw_xlat_detect_vmcoreinfo(const struct ptw_arch_ops *ops,
					     const struct ptw_vmcoreinfo *vi, uint64_t page_size,
					     struct ptw_xlat *ret)
{
	if (!ops || !ops->detect)
		return ptw_error_create(PTW_E_NOT_IMPLEMENTED, "translation for %s is not implemented yet",
					ops ? ops->name : "this architecture");
	return ops->detect(vi, page_size, ret);
}

struct ptw_error *ptw_xlat_detect(struct ptw_dump *dump, struct ptw_xlat *ret)
{
	const struct ptw_arch_ops *ops = NULL;

	switch (dump->arch) {
	case PTW_ARCH_ARM64:
		ops = &ptw_arch_arm64;
		break;
	case PTW_ARCH_X86_64:
		ops = &ptw_arch_x86_64;
		break;
	default:
		return ptw_error_create(PTW_E_NOT_IMPLEMENTED, "translation for %s is not implemented yet",
					ptw_arch_name(dump->arch) ? ptw_arch_name(dump->arch)
								  : "this architecture");
	}
	struct ptw_error *err = ptw_xlat_detect_vmcoreinfo(ops, &dump->vmcoreinfo, dump->page_size, ret);
	if (!err && ops->detect_memory)
		err = ops->detect_memory(ret, &dump->vmcoreinfo, dump->src);
	return err;
}
