#include "dump.h"

#include <elf.h>
#include <stdlib.h>
#include <string.h>

#include "layout_symbols.h"
#include "types.h"
#include "types_dump.h"

const char *ptw_arch_name(enum ptw_arch arch)
{
	switch (arch) {
	case PTW_ARCH_ARM64: return "arm64";
	case PTW_ARCH_X86_64: return "x86_64";
	default: return NULL;
	}
}

/* VMCOREINFO keys that only one architecture's kernel writes
 * (arch/arm64/kernel/vmcore_info.c, arch/x86/kernel/machine_kexec_64.c). */
static enum ptw_arch arch_from_vmcoreinfo(const struct ptw_vmcoreinfo *vi)
{
	static const char *const arm64_keys[] = {
		"NUMBER(kimage_voffset)", "NUMBER(TCR_EL1_T1SZ)", "NUMBER(KERNELPACMASK)",
	};
	static const char *const x86_64_keys[] = {
		"SYMBOL(init_top_pgt)", "NUMBER(pgtable_l5_enabled)", "NUMBER(phys_base)",
	};
	for (size_t i = 0; i < sizeof(arm64_keys) / sizeof(arm64_keys[0]); i++)
		if (ptw_vmcoreinfo_has(vi, arm64_keys[i]))
			return PTW_ARCH_ARM64;
	for (size_t i = 0; i < sizeof(x86_64_keys) / sizeof(x86_64_keys[0]); i++)
		if (ptw_vmcoreinfo_has(vi, x86_64_keys[i]))
			return PTW_ARCH_X86_64;
	return PTW_ARCH_UNKNOWN;
}

static void detect_arch(struct ptw_dump *dump)
{
	switch (dump->src->elf_machine) {
	case EM_AARCH64:
		dump->arch = PTW_ARCH_ARM64;
		dump->arch_source = "elf e_machine";
		return;
	case EM_X86_64:
		dump->arch = PTW_ARCH_X86_64;
		dump->arch_source = "elf e_machine";
		return;
	default:
		break;
	}
	dump->arch = arch_from_vmcoreinfo(&dump->vmcoreinfo);
	if (dump->arch != PTW_ARCH_UNKNOWN) {
		dump->arch_source = "vmcoreinfo";
		return;
	}
	/* Last resort: makedumpfile < 1.6.9 wrote utsname 4 bytes off on
	 * 5.11+ kernels and QEMU writes "Unknown", so this is only a hint. */
	if (strcmp(dump->src->utsname_machine, "aarch64") == 0)
		dump->arch = PTW_ARCH_ARM64;
	else if (strcmp(dump->src->utsname_machine, "x86_64") == 0)
		dump->arch = PTW_ARCH_X86_64;
	if (dump->arch != PTW_ARCH_UNKNOWN)
		dump->arch_source = "kdump utsname";
}

struct ptw_error *ptw_dump_open(const char *path, const struct ptw_dump_options *opts,
				struct ptw_dump **ret)
{
	struct ptw_error *err;
	struct ptw_dump *dump = calloc(1, sizeof(*dump));
	if (!dump)
		return &ptw_enomem;
	err = ptw_source_open(path, &dump->src);
	if (err)
		goto fail;
	if (dump->src->vmcoreinfo) {
		err = ptw_vmcoreinfo_parse_lenient(&dump->vmcoreinfo, dump->src->vmcoreinfo,
						   dump->src->vmcoreinfo_len, dump->src->vmcoreinfo_offset,
						   &dump->warnings);
		if (err)
			goto fail;
	}
	for (size_t i = 0; opts && i < opts->nsets; i++) {
		err = ptw_vmcoreinfo_set(&dump->vmcoreinfo, opts->sets[i]);
		if (err)
			goto fail;
	}
	if ((opts && opts->vmlinux && !(dump->vmlinux_path = strdup(opts->vmlinux))) ||
	    (opts && opts->btf_path && !(dump->btf_path = strdup(opts->btf_path))) ||
	    (opts && opts->system_map && !(dump->system_map_path = strdup(opts->system_map)))) {
		err = &ptw_enomem;
		goto fail;
	}
	detect_arch(dump);
	uint64_t page_size;
	if (ptw_vmcoreinfo_has(&dump->vmcoreinfo, "PAGESIZE")) {
		/* A bad PAGESIZE leaves it unknown: what needs it (the
		 * translation) says so, the rest (physical reads) works. */
		err = ptw_vmcoreinfo_u64(&dump->vmcoreinfo, "PAGESIZE", 10, &page_size);
		if (!err && (page_size < 4096 || page_size > (1u << 20) || (page_size & (page_size - 1))))
			err = ptw_error_create(PTW_E_BAD_DATA, "VMCOREINFO PAGESIZE=%llu is not a page size",
					       (unsigned long long)page_size);
		if (err)
			ptw_warnings_add(&dump->warnings, err);
		else
			dump->page_size = page_size;
		err = NULL;
	}
	dump->xlat_error = ptw_xlat_detect(dump, &dump->xlat);
	dump->have_xlat = dump->xlat_error == NULL;
	ptw_dump_layout_from_symbols(dump);
	*ret = dump;
	return NULL;

fail:
	ptw_dump_close(dump);
	return err;
}

struct ptw_error *ptw_dump_types(struct ptw_dump *dump, struct ptw_types **ret)
{
	if (!dump->types_tried) {
		struct ptw_types_sources src = { .vmlinux = dump->vmlinux_path, .btf_path = dump->btf_path };
		struct ptw_types_choice choice;

		dump->types_tried = true;
		dump->types_error = ptw_types_load(dump, &src, &dump->types, &choice);
		if (!dump->types_error) {
			dump->types_choice = malloc(sizeof(choice));
			if (!dump->types_choice) {
				ptw_types_choice_free(&choice);
				ptw_types_destroy(dump->types);
				dump->types = NULL;
				dump->types_error = &ptw_enomem;
			} else {
				*dump->types_choice = choice;
			}
		}
	}
	if (dump->types_error) {
		/* Each caller frees what it gets: a copy, keeping the file
		 * (a --btf or -k file) and offset the error names. */
		const struct ptw_error *e = dump->types_error;
		struct ptw_error *copy = e->has_offset ? ptw_error_at(e->code, e->offset, "%s", e->message)
						       : ptw_error_create(e->code, "%s", e->message);

		return ptw_error_in_file(copy, e->file);
	}
	*ret = dump->types;
	return NULL;
}

const struct ptw_types_choice *ptw_dump_types_choice(const struct ptw_dump *dump)
{
	return dump->types_choice;
}

void ptw_dump_close(struct ptw_dump *dump)
{
	if (!dump)
		return;
	ptw_types_destroy(dump->types);
	ptw_error_destroy(dump->types_error);
	if (dump->types_choice)
		ptw_types_choice_free(dump->types_choice);
	free(dump->types_choice);
	free(dump->vmlinux_path);
	free(dump->btf_path);
	free(dump->system_map_path);
	ptw_error_destroy(dump->symbols_error);
	ptw_warnings_free(&dump->warnings);
	ptw_symtab_destroy(dump->symtab);
	free(dump->lazy_name);
	ptw_error_destroy(dump->xlat_error);
	ptw_vmcoreinfo_free(&dump->vmcoreinfo);
	ptw_source_close(dump->src);
	free(dump);
}
