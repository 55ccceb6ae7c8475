/* ptwalk info: what the dump is. Every value comes from the dump or is null. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "api_cli.h"
#include "cli.h"
#include "format.h"
#include "json.h"

static const struct {
	unsigned bit;
	const char *name;
} compression_names[] = {
	{ PTWALK_COMP_ZLIB, "zlib" },
	{ PTWALK_COMP_LZO, "lzo" },
	{ PTWALK_COMP_SNAPPY, "snappy" },
	{ PTWALK_COMP_ZSTD, "zstd" },
	/* Pages stored raw (PTWALK_COMP_NONE) are not a method: makedumpfile
	 * stores a page raw whenever compressing it would not shrink it. */
};

#define NCOMPRESSION (sizeof(compression_names) / sizeof(compression_names[0]))

/* The unit `info` counts pages in: the kernel's page, else the smallest frame. */
static uint64_t counting_page_size(const struct ptwalk_info *info)
{
	return info->page_size ? info->page_size : 4096;
}

struct range_printer {
	struct ptw_json *json; /* NULL for text */
	uint64_t page_size;
	size_t count;
};

static bool print_range(void *arg, const struct ptwalk_phys_range *r)
{
	struct range_printer *p = arg;
	uint64_t pages = (r->end - r->start) / p->page_size;
	if (p->json) {
		ptw_json_begin_object(p->json);
		ptw_json_field_hex(p->json, "start", r->start);
		ptw_json_field_hex(p->json, "end", r->end);
		ptw_json_field_u64(p->json, "pages", pages);
		ptw_json_end_object(p->json);
	}
	p->count++;
	return true;
}

/* VMCOREINFO's lines, and how many of them are SYMBOL()s. */
static size_t count_vmcoreinfo(const struct ptwalk_dump *d, size_t *symbols_ret)
{
	const char *key, *value;
	size_t pos = 0, n = 0;

	*symbols_ret = 0;
	while (ptwalk_vmcoreinfo_next(d, &pos, &key, &value)) {
		n++;
		if (strncmp(key, "SYMBOL(", 7) == 0)
			++*symbols_ret;
	}
	return n;
}

static void json_xlat(struct ptw_json *j, const struct ptwalk_xlat_info *x)
{
	ptw_json_begin_object(j);
	ptw_json_field_u64(j, "granule", x->granule);
	ptw_json_field_u64(j, "va_bits", x->va_bits);
	ptw_json_field_u64(j, "vabits_actual", x->vabits_actual);
	ptw_json_field_u64(j, "pa_bits", x->pa_bits);
	ptw_json_field_u64(j, "levels", x->levels);
	ptw_json_field_string(j, "descriptor_format", x->descriptor_format);
	ptw_json_field_string(j, "layout", x->layout);
	ptw_json_field_hex(j, "root", x->root_pa);
	ptw_json_field_string(j, "root_source", x->root_source);
	ptw_json_key(j, "page_offset");
	x->have_page_offset ? ptw_json_hex(j, x->page_offset) : ptw_json_null(j);
	ptw_json_key(j, "phys_offset");
	x->have_phys_offset ? ptw_json_hex(j, (uint64_t)x->phys_offset) : ptw_json_null(j);
	ptw_json_key(j, "kimage_voffset");
	x->have_kimage_voffset ? ptw_json_hex(j, x->kimage_voffset) : ptw_json_null(j);
	ptw_json_key(j, "kaslr_offset");
	x->have_kaslr_offset ? ptw_json_hex(j, x->kaslr_offset) : ptw_json_null(j);
	ptw_json_end_object(j);
}

/* Text is a list of `label: value`, every value in one column (after the
 * longest label, "  kimage_voffset:"); what the dump does not give is
 * "unknown". Hex and sizes as src/cli/format.h says. */
#define INFO_LABEL_WIDTH 18

static void field(const char *label, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void field(const char *label, const char *fmt, ...)
{
	va_list ap;
	char with_colon[INFO_LABEL_WIDTH + 2];

	snprintf(with_colon, sizeof(with_colon), "%s:", label);
	printf("%-*s", INFO_LABEL_WIDTH, with_colon);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static void field_hex(const char *label, bool have, uint64_t v)
{
	if (have)
		field(label, PTW_HEX, v);
	else
		field(label, "unknown");
}

static void field_size(const char *label, uint64_t size)
{
	char text[PTW_SIZE_TEXT_MAX];

	if (!size) {
		field(label, "unknown");
		return;
	}
	ptw_size_text(size, text, sizeof(text));
	field(label, "%s", text);
}

static bool print_range_text(void *arg, const struct ptwalk_phys_range *r)
{
	uint64_t *page_size = arg;

	printf("%-*s" PTW_HEX "-" PTW_HEX "  %" PRIu64 " pages\n", INFO_LABEL_WIDTH, "", r->start, r->end,
	       (r->end - r->start) / *page_size);
	return true;
}

/* Where symbols come from: kallsyms is only probed (count and addresses,
 * not the names), so info stays fast; -k and -m files are loaded and checked. */
static void json_symbols(struct ptw_json *j, const struct ptwalk_symbols_summary *s)
{
	ptw_json_begin_object(j);
	ptw_json_field_string(j, "source", ptwalk_sym_source_name(s->source));
	ptw_json_field_u64(j, "count", s->count);
	ptw_json_key(j, "data_symbols");
	s->data_symbols < 0 ? ptw_json_null(j) : ptw_json_bool(j, s->data_symbols);
	ptw_json_field_bool(j, "names_checked", s->names_checked);
	ptw_json_key(j, "refused");
	ptw_json_begin_array(j);
	if (s->refused != PTWALK_SYM_NONE) {
		ptw_json_begin_object(j);
		ptw_json_field_string(j, "source", ptwalk_sym_source_name(s->refused));
		ptw_json_field_string(j, "why", s->refused_why);
		ptw_json_end_object(j);
	}
	ptw_json_end_array(j);
	ptw_json_end_object(j);
}

static void text_symbols(const struct ptw_cli *cli, const struct ptwalk_symbols_summary *s)
{
	const char *from = s->source == PTWALK_SYM_VMLINUX ? cli->vmlinux
			 : s->source == PTWALK_SYM_SYSTEM_MAP ? cli->system_map : NULL;
	const char *text_only = s->data_symbols == 0 && s->source == PTWALK_SYM_KALLSYMS
		? ", text only (kernel built without CONFIG_KALLSYMS_ALL: -m or -k name data)" : "";

	if (s->source == PTWALK_SYM_NONE)
		field("symbols", "none%s", text_only);
	else
		field("symbols", "%s%s%s, %zu%s", ptwalk_sym_source_name(s->source), from ? " " : "",
		      from ? from : "", s->count, text_only);
	if (s->refused != PTWALK_SYM_NONE)
		field("  not used", "%s: %s", ptwalk_sym_source_name(s->refused), s->refused_why);
}

/* Where types would come from, without loading them (info stays fast):
 * why is set when there are none. */
static void json_types(struct ptw_json *j, const struct ptwalk_types_info *c, const struct ptwalk_error *why)
{
	ptw_json_begin_object(j);
	ptw_json_field_string(j, "source", why ? NULL : c->source);
	ptw_json_field_string(j, "why", why ? ptwalk_error_message(why) : NULL);
	ptw_json_field_string(j, "from", why ? NULL : c->from);
	ptw_json_key(j, "address");
	!why && c->have_address ? ptw_json_hex(j, c->address) : ptw_json_null(j);
	ptw_json_key(j, "size");
	!why && c->have_address ? ptw_json_u64(j, c->size) : ptw_json_null(j);
	ptw_json_end_object(j);
}

static void text_types(const struct ptw_cli *cli, const struct ptwalk_types_info *c,
		       const struct ptwalk_error *why)
{
	char where[160];

	if (why) {
		field("types", "none (%s)", ptwalk_error_message(why));
		return;
	}
	if (c->have_address)
		snprintf(where, sizeof(where), "in the dump at " PTW_HEX " (%" PRIu64 " bytes)", c->address, c->size);
	else
		snprintf(where, sizeof(where), "from %s", strcmp(c->from, "vmlinux") == 0 ? cli->vmlinux : cli->btf);
	field("types", "%s, %s%s%s%s", c->source, where, c->skipped ? " (" : "", c->skipped ? c->skipped : "",
	      c->skipped ? ")" : "");
}

/* What info says of the kernel's objects. Types first: finding BTF may
 * load the symbols, which the summary then reports in full instead of
 * probing kallsyms again. */
struct kernel_objects {
	struct ptwalk_types_info types;
	struct ptwalk_error *types_why; /* set when there are no types */
	struct ptwalk_symbols_summary symbols;
};

static struct ptwalk_error *probe_kernel_objects(struct ptwalk_dump *d, struct kernel_objects *k)
{
	struct ptwalk_error *err;

	memset(k, 0, sizeof(*k));
	k->types_why = ptwalk_types_probe(d, &k->types);
	err = ptwalk_symbols_summary(d, &k->symbols);
	if (err)
		ptwalk_error_free(k->types_why);
	return err;
}

/* Where the task and mm offsets come from: the types when there are any;
 * without them, inference from init_task and the task list, tried here
 * (only on dumps without types, whose kernels are small). NULL when
 * neither works. */
static const char *struct_layout(struct ptwalk_dump *d, const struct ptwalk_error *types_why)
{
	struct ptwalk_task_layout_info layout;
	struct ptwalk_error *err;

	if (!types_why)
		return "types";
	err = ptwalk_task_layout(d, &layout);
	if (err) {
		ptwalk_error_free(err);
		return NULL;
	}
	return layout.source;
}

static struct ptwalk_error *info_json(const struct ptw_cli *cli, struct ptwalk_dump *d)
{
	struct ptwalk_info info;
	struct ptw_json j;
	ptwalk_dump_info(d, &info);
	ptw_json_init(&j, stdout);
	ptw_json_begin_object(&j);
	ptw_json_field_string(&j, "file", cli->dump_path);
	ptw_json_field_string(&j, "format", info.format);
	ptw_json_key(&j, "compression");
	ptw_json_begin_array(&j);
	for (size_t i = 0; i < NCOMPRESSION; i++)
		if (info.compression & compression_names[i].bit)
			ptw_json_string(&j, compression_names[i].name);
	ptw_json_end_array(&j);
	ptw_json_field_string(&j, "arch", info.arch);
	ptw_json_field_string(&j, "osrelease", info.osrelease);
	ptw_json_key(&j, "page_size");
	info.page_size ? ptw_json_u64(&j, info.page_size) : ptw_json_null(&j);
	ptw_json_key(&j, "block_size");
	info.block_size ? ptw_json_u64(&j, info.block_size) : ptw_json_null(&j);
	ptw_json_field_bool(&j, "incomplete", info.incomplete);
	ptw_json_key(&j, "dump_level");
	info.dump_level >= 0 ? ptw_json_i64(&j, info.dump_level) : ptw_json_null(&j);

	uint64_t present, excluded, unit = counting_page_size(&info);
	struct ptwalk_error *err = ptwalk_dump_count_pages(d, unit, &present, &excluded);
	if (err)
		return err;
	ptw_json_key(&j, "memory");
	ptw_json_begin_object(&j);
	ptw_json_key(&j, "ranges");
	ptw_json_begin_array(&j);
	struct range_printer rp = { .json = &j, .page_size = unit };
	err = ptwalk_dump_phys_ranges(d, print_range, &rp);
	if (err)
		return err;
	ptw_json_end_array(&j);
	ptw_json_field_u64(&j, "pages_present", present);
	ptw_json_field_u64(&j, "pages_excluded", excluded);
	ptw_json_end_object(&j);

	ptw_json_field_u64(&j, "cpus", info.ncpus);
	ptw_json_key(&j, "vmcoreinfo");
	size_t nsymbols;
	if (ptwalk_dump_has_vmcoreinfo(d) || count_vmcoreinfo(d, &nsymbols)) {
		const char *key, *value;
		size_t pos = 0;

		ptw_json_begin_object(&j);
		while (ptwalk_vmcoreinfo_next(d, &pos, &key, &value))
			ptw_json_field_string(&j, key, value);
		ptw_json_end_object(&j);
	} else {
		ptw_json_null(&j);
	}
	ptw_json_key(&j, "translation");
	if (info.have_xlat)
		json_xlat(&j, &info.xlat);
	else
		ptw_json_null(&j);
	struct kernel_objects k;
	err = probe_kernel_objects(d, &k);
	if (err)
		return err;
	ptw_json_key(&j, "symbols");
	json_symbols(&j, &k.symbols);
	ptw_json_key(&j, "types");
	json_types(&j, &k.types, k.types_why);
	const char *layout = struct_layout(d, k.types_why);
	if (layout)
		ptw_json_field_string(&j, "struct_layout", layout);
	else
		ptw_json_field_null(&j, "struct_layout");
	ptwalk_error_free(k.types_why);
	ptw_json_end_object(&j);
	ptw_json_newline(&j);
	return NULL;
}

static const char *or_unknown(const char *s)
{
	return s ? s : "unknown";
}

static struct ptwalk_error *info_text(const struct ptw_cli *cli, struct ptwalk_dump *d)
{
	struct ptwalk_info info;
	char compression[64] = "";
	size_t n = 0;
	char size[PTW_SIZE_TEXT_MAX];

	ptwalk_dump_info(d, &info);
	field("file", "%s", cli->dump_path);
	for (size_t i = 0; i < NCOMPRESSION; i++)
		if (info.compression & compression_names[i].bit)
			n += (size_t)snprintf(compression + n, sizeof(compression) - n, "%s%s",
					      n ? ", " : ", pages compressed with ", compression_names[i].name);
	field("format", "%s%s%s", info.format, compression, info.incomplete ? " (INCOMPLETE)" : "");
	field("arch", "%s%s%s%s", or_unknown(info.arch), info.arch_source ? " (from " : "",
	      info.arch_source ? info.arch_source : "", info.arch_source ? ")" : "");
	field("kernel", "%s", or_unknown(info.osrelease));
	field_size("page size", info.page_size);
	field_size("block size", info.block_size);
	if (info.dump_level >= 0)
		field("dump level", "%d", info.dump_level);
	else
		field("dump level", "unknown");
	field("cpus", "%zu", info.ncpus);

	uint64_t present, excluded, unit = counting_page_size(&info);
	struct ptwalk_error *err = ptwalk_dump_count_pages(d, unit, &present, &excluded);
	if (err)
		return err;
	ptw_size_text(unit, size, sizeof(size));
	field("memory", "%" PRIu64 " pages present, %" PRIu64 " excluded (%s pages)", present, excluded, size);
	err = ptwalk_dump_phys_ranges(d, print_range_text, &unit);
	if (err)
		return err;
	size_t nsymbols, nentries = count_vmcoreinfo(d, &nsymbols);
	field("vmcoreinfo", "%zu entries, %zu symbols", nentries, nsymbols);
	if (info.have_xlat) {
		const struct ptwalk_xlat_info *x = &info.xlat;
		ptw_size_text(x->granule, size, sizeof(size));
		field("translation", "%s granule, VA_BITS %u (running %u), PA bits %u, %u levels, %s descriptors",
		      size, x->va_bits, x->vabits_actual, x->pa_bits, x->levels, or_unknown(x->descriptor_format));
		field("  root", PTW_HEX " (%s)", x->root_pa, or_unknown(x->root_source));
		if (info.arch && strcmp(info.arch, "arm64") == 0) /* flipped or legacy: an arm64 question */
			field("  layout", "%s", or_unknown(x->layout));
		field_hex("  page_offset", x->have_page_offset, x->page_offset);
		field_hex("  phys_offset", x->have_phys_offset, (uint64_t)x->phys_offset);
		field_hex("  kimage_voffset", x->have_kimage_voffset, x->kimage_voffset);
		field_hex("  kaslr_offset", x->have_kaslr_offset, x->kaslr_offset);
	} else {
		field("translation", "unknown (%s)", ptwalk_error_message(ptwalk_dump_translation_error(d)));
	}
	struct kernel_objects k;
	err = probe_kernel_objects(d, &k);
	if (err)
		return err;
	text_symbols(cli, &k.symbols);
	text_types(cli, &k.types, k.types_why);
	const char *layout = struct_layout(d, k.types_why);
	field("struct_layout", "%s", layout ? layout : "none (no types, and inference from init_task failed)");
	ptwalk_error_free(k.types_why);
	return NULL;
}

static int run_info(struct ptw_cli *cli)
{
	struct ptwalk_dump *d;
	const struct ptwalk_error *no_xlat;
	struct ptwalk_error *err = ptw_cli_open(cli, &d);
	if (err)
		return ptw_cli_fail_api(cli, err);
	no_xlat = ptwalk_dump_translation_error(d);
	if (no_xlat && cli->json)
		ptw_cli_warn(cli, "translation unknown: %s", ptwalk_error_message(no_xlat));
	/* (A -k or -m file from another kernel was refused, exit 1, when the
	 * dump was opened: before any output.) */
	err = cli->json ? info_json(cli, d) : info_text(cli, d);
	ptw_cli_close(cli, d);
	return err ? ptw_cli_fail_api(cli, err) : PTW_EXIT_OK;
}

const struct ptw_command ptw_cmd_info = {
	.name = "info",
	.run = run_info,
	.synopsis = "DUMP [--json] [--set KEY=VALUE]...",
	.summary = "what the dump is: format, compression, arch, kernel, memory, VMCOREINFO, translation",
	.details = "Every value comes from the dump (or --set); what the dump does not tell is null.",
	.options = PTW_OPTS_COMMON,
	.min_args = 0,
	.max_args = 0,
};
