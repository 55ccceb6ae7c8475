/* ptwalk info: what the dump is. Every value comes from the dump or is null. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "format.h"
#include "json.h"
#include "types_dump.h"
#include "kmem.h"
#include "task_env.h"
#include "vmem.h"

static const struct {
	unsigned bit;
	const char *name;
} compression_names[] = {
	{ PTW_COMP_ZLIB, "zlib" },
	{ PTW_COMP_LZO, "lzo" },
	{ PTW_COMP_SNAPPY, "snappy" },
	{ PTW_COMP_ZSTD, "zstd" },
	/* Pages stored raw (PTW_COMP_NONE) are not a method: makedumpfile
	 * stores a page raw whenever compressing it would not shrink it. */
};

#define NCOMPRESSION (sizeof(compression_names) / sizeof(compression_names[0]))

/* The unit `info` counts pages in: the kernel's page, else the smallest frame. */
static uint64_t counting_page_size(const struct ptw_dump *dump)
{
	return dump->page_size ? dump->page_size : 4096;
}

struct range_printer {
	struct ptw_json *json; /* NULL for text */
	uint64_t page_size;
	size_t count;
};

static bool print_range(const struct ptw_phys_range *r, void *arg)
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

static size_t count_symbols(const struct ptw_vmcoreinfo *vi)
{
	size_t n = 0;
	for (size_t i = 0; i < vi->count; i++)
		if (strncmp(vi->entries[i].key, "SYMBOL(", 7) == 0)
			n++;
	return n;
}

static void json_xlat(struct ptw_json *j, const struct ptw_xlat *x)
{
	ptw_json_begin_object(j);
	ptw_json_field_u64(j, "granule", x->granule);
	ptw_json_field_u64(j, "va_bits", x->va_bits);
	ptw_json_field_u64(j, "vabits_actual", x->vabits_actual);
	ptw_json_field_u64(j, "pa_bits", x->pa_bits);
	ptw_json_field_u64(j, "levels", x->levels);
	ptw_json_field_string(j, "descriptor_format", ptw_pte_format_name(x->fmt));
	ptw_json_field_string(j, "layout", ptw_layout_name(x->layout));
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

static bool print_range_text(const struct ptw_phys_range *r, void *arg)
{
	uint64_t *page_size = arg;

	printf("%-*s" PTW_HEX "-" PTW_HEX "  %" PRIu64 " pages\n", INFO_LABEL_WIDTH, "", r->start, r->end,
	       (r->end - r->start) / *page_size);
	return true;
}

/* Where symbols come from: kallsyms is only probed (count and addresses,
 * not the names), so info stays fast; -k and -m files are loaded and checked. */
static void json_symbols(struct ptw_json *j, const struct ptw_sym_summary *s)
{
	ptw_json_begin_object(j);
	ptw_json_field_string(j, "source", ptw_sym_source_name(s->source));
	ptw_json_field_u64(j, "count", s->count);
	ptw_json_key(j, "data_symbols");
	s->data_symbols < 0 ? ptw_json_null(j) : ptw_json_bool(j, s->data_symbols);
	ptw_json_field_bool(j, "names_checked", s->loaded);
	ptw_json_key(j, "refused");
	ptw_json_begin_array(j);
	if (s->refused != PTW_SYM_NONE) {
		ptw_json_begin_object(j);
		ptw_json_field_string(j, "source", ptw_sym_source_name(s->refused));
		ptw_json_field_string(j, "why", s->refused_why);
		ptw_json_end_object(j);
	}
	ptw_json_end_array(j);
	ptw_json_end_object(j);
}

static void text_symbols(const struct ptw_cli *cli, const struct ptw_sym_summary *s)
{
	const char *from = s->source == PTW_SYM_VMLINUX ? cli->vmlinux
			 : s->source == PTW_SYM_SYSTEM_MAP ? cli->system_map : NULL;
	const char *text_only = s->data_symbols == 0 && s->source == PTW_SYM_KALLSYMS
		? ", text only (kernel built without CONFIG_KALLSYMS_ALL: -m or -k name data)" : "";

	if (s->source == PTW_SYM_NONE)
		field("symbols", "none%s", text_only);
	else
		field("symbols", "%s%s%s, %zu%s", ptw_sym_source_name(s->source), from ? " " : "", from ? from : "",
		      s->count, text_only);
	if (s->refused != PTW_SYM_NONE)
		field("  not used", "%s: %s", ptw_sym_source_name(s->refused), s->refused_why);
}

/* Where types would come from, without loading them (info stays fast):
 * *why_ret is set when there are none. */
static void probe_types(const struct ptw_cli *cli, struct ptw_dump *dump, struct ptw_types_choice *c,
			struct ptw_error **why_ret)
{
	struct ptw_types_sources src = { .vmlinux = cli->vmlinux, .btf_path = cli->btf };

	memset(c, 0, sizeof(*c));
	*why_ret = ptw_types_probe(dump, &src, c);
}

static void json_types(struct ptw_json *j, const struct ptw_types_choice *c, const struct ptw_error *why)
{
	ptw_json_begin_object(j);
	ptw_json_field_string(j, "source", why ? NULL : c->source);
	ptw_json_field_string(j, "why", why ? why->message : NULL);
	ptw_json_field_string(j, "from", why ? NULL : c->from);
	ptw_json_key(j, "address");
	!why && c->have_address ? ptw_json_hex(j, c->address) : ptw_json_null(j);
	ptw_json_key(j, "size");
	!why && c->have_address ? ptw_json_u64(j, c->size) : ptw_json_null(j);
	ptw_json_end_object(j);
}

static void text_types(const struct ptw_cli *cli, const struct ptw_types_choice *c, const struct ptw_error *why)
{
	char where[160];

	if (why) {
		field("types", "none (%s)", why->message);
		return;
	}
	if (c->have_address)
		snprintf(where, sizeof(where), "in the dump at " PTW_HEX " (%" PRIu64 " bytes)", c->address, c->size);
	else
		snprintf(where, sizeof(where), "from %s", strcmp(c->from, "vmlinux") == 0 ? cli->vmlinux : cli->btf);
	field("types", "%s, %s%s%s%s", c->source, where, c->skipped ? " (" : "", c->skipped ? c->skipped : "",
	      c->skipped ? ")" : "");
}

/* Where the task and mm offsets come from: the types when there are any;
 * without them, inference from init_task and the task list, tried here
 * (only on dumps without types, whose kernels are small). NULL when
 * neither works. */
static const char *struct_layout(struct ptw_dump *dump, const struct ptw_error *types_why)
{
	struct ptw_vmem *vm;
	struct ptw_kmem mem;
	struct ptw_task_env env;
	const char *source = NULL;
	struct ptw_error *err;

	if (!types_why)
		return "types";
	if (!dump->have_xlat)
		return NULL;
	if ((err = ptw_vmem_create(dump, &vm))) {
		ptw_error_destroy(err);
		return NULL;
	}
	ptw_kmem_from_vmem(vm, &mem);
	if ((err = ptw_task_env_create(dump, &mem, &env)))
		ptw_error_destroy(err);
	else
		source = env.layout.source;
	ptw_vmem_destroy(vm);
	return source;
}

static struct ptw_error *info_json(const struct ptw_cli *cli, struct ptw_dump *dump)
{
	struct ptw_source *src = dump->src;
	struct ptw_json j;
	ptw_json_init(&j, stdout);
	ptw_json_begin_object(&j);
	ptw_json_field_string(&j, "file", cli->dump_path);
	ptw_json_field_string(&j, "format", src->format);
	ptw_json_key(&j, "compression");
	ptw_json_begin_array(&j);
	for (size_t i = 0; i < NCOMPRESSION; i++)
		if (src->compression & compression_names[i].bit)
			ptw_json_string(&j, compression_names[i].name);
	ptw_json_end_array(&j);
	ptw_json_field_string(&j, "arch", ptw_arch_name(dump->arch));
	ptw_json_field_string(&j, "osrelease", ptw_vmcoreinfo_get(&dump->vmcoreinfo, "OSRELEASE"));
	ptw_json_key(&j, "page_size");
	dump->page_size ? ptw_json_u64(&j, dump->page_size) : ptw_json_null(&j);
	ptw_json_key(&j, "block_size");
	src->block_size ? ptw_json_u64(&j, src->block_size) : ptw_json_null(&j);
	ptw_json_field_bool(&j, "incomplete", src->incomplete);
	ptw_json_key(&j, "dump_level");
	src->dump_level >= 0 ? ptw_json_i64(&j, src->dump_level) : ptw_json_null(&j);

	uint64_t present, excluded, unit = counting_page_size(dump);
	struct ptw_error *err = src->ops->count_pages(src, unit, &present, &excluded);
	if (err)
		return err;
	ptw_json_key(&j, "memory");
	ptw_json_begin_object(&j);
	ptw_json_key(&j, "ranges");
	ptw_json_begin_array(&j);
	struct range_printer rp = { .json = &j, .page_size = unit };
	err = ptw_source_for_each_range(src, print_range, &rp);
	if (err)
		return err;
	ptw_json_end_array(&j);
	ptw_json_field_u64(&j, "pages_present", present);
	ptw_json_field_u64(&j, "pages_excluded", excluded);
	ptw_json_end_object(&j);

	ptw_json_field_u64(&j, "cpus", src->ncpus);
	ptw_json_key(&j, "vmcoreinfo");
	if (src->vmcoreinfo || dump->vmcoreinfo.count) {
		ptw_json_begin_object(&j);
		for (size_t i = 0; i < dump->vmcoreinfo.count; i++)
			ptw_json_field_string(&j, dump->vmcoreinfo.entries[i].key,
					      dump->vmcoreinfo.entries[i].value);
		ptw_json_end_object(&j);
	} else {
		ptw_json_null(&j);
	}
	ptw_json_key(&j, "translation");
	if (dump->have_xlat)
		json_xlat(&j, &dump->xlat);
	else
		ptw_json_null(&j);
	/* Types first: finding BTF may load the symbols, which the summary
	 * then reports in full instead of probing kallsyms again. */
	struct ptw_types_choice tc;
	struct ptw_error *why;
	probe_types(cli, dump, &tc, &why);
	struct ptw_sym_summary syms;
	struct ptw_error *serr = ptw_dump_symbols_summary(dump, &syms);
	if (serr) {
		ptw_types_choice_free(&tc);
		ptw_error_destroy(why);
		return serr;
	}
	ptw_json_key(&j, "symbols");
	json_symbols(&j, &syms);
	ptw_sym_summary_free(&syms);
	ptw_json_key(&j, "types");
	json_types(&j, &tc, why);
	ptw_types_choice_free(&tc);
	const char *layout = struct_layout(dump, why);
	if (layout)
		ptw_json_field_string(&j, "struct_layout", layout);
	else
		ptw_json_field_null(&j, "struct_layout");
	ptw_error_destroy(why);
	ptw_json_end_object(&j);
	ptw_json_newline(&j);
	return NULL;
}

static const char *or_unknown(const char *s)
{
	return s ? s : "unknown";
}

static struct ptw_error *info_text(const struct ptw_cli *cli, struct ptw_dump *dump)
{
	struct ptw_source *src = dump->src;
	char compression[64] = "";
	size_t n = 0;
	char size[PTW_SIZE_TEXT_MAX];

	field("file", "%s", cli->dump_path);
	for (size_t i = 0; i < NCOMPRESSION; i++)
		if (src->compression & compression_names[i].bit)
			n += (size_t)snprintf(compression + n, sizeof(compression) - n, "%s%s",
					      n ? ", " : ", pages compressed with ", compression_names[i].name);
	field("format", "%s%s%s", src->format, compression, src->incomplete ? " (INCOMPLETE)" : "");
	field("arch", "%s%s%s%s", or_unknown(ptw_arch_name(dump->arch)), dump->arch_source ? " (from " : "",
	      dump->arch_source ? dump->arch_source : "", dump->arch_source ? ")" : "");
	field("kernel", "%s", or_unknown(ptw_vmcoreinfo_get(&dump->vmcoreinfo, "OSRELEASE")));
	field_size("page size", dump->page_size);
	field_size("block size", src->block_size);
	if (src->dump_level >= 0)
		field("dump level", "%d", src->dump_level);
	else
		field("dump level", "unknown");
	field("cpus", "%zu", src->ncpus);

	uint64_t present, excluded, unit = counting_page_size(dump);
	struct ptw_error *err = src->ops->count_pages(src, unit, &present, &excluded);
	if (err)
		return err;
	ptw_size_text(unit, size, sizeof(size));
	field("memory", "%" PRIu64 " pages present, %" PRIu64 " excluded (%s pages)", present, excluded, size);
	err = ptw_source_for_each_range(src, print_range_text, &unit);
	if (err)
		return err;
	field("vmcoreinfo", "%zu entries, %zu symbols", dump->vmcoreinfo.count, count_symbols(&dump->vmcoreinfo));
	if (dump->have_xlat) {
		const struct ptw_xlat *x = &dump->xlat;
		ptw_size_text(x->granule, size, sizeof(size));
		field("translation", "%s granule, VA_BITS %u (running %u), PA bits %u, %u levels, %s descriptors",
		      size, x->va_bits, x->vabits_actual, x->pa_bits, x->levels,
		      or_unknown(ptw_pte_format_name(x->fmt)));
		field("  root", PTW_HEX " (%s)", x->root_pa, or_unknown(x->root_source));
		if (dump->arch == PTW_ARCH_ARM64) /* flipped or legacy: an arm64 question */
			field("  layout", "%s",
			      x->layout != PTW_LAYOUT_UNKNOWN ? ptw_layout_name(x->layout) : "unknown");
		field_hex("  page_offset", x->have_page_offset, x->page_offset);
		field_hex("  phys_offset", x->have_phys_offset, (uint64_t)x->phys_offset);
		field_hex("  kimage_voffset", x->have_kimage_voffset, x->kimage_voffset);
		field_hex("  kaslr_offset", x->have_kaslr_offset, x->kaslr_offset);
	} else {
		field("translation", "unknown (%s)", dump->xlat_error->message);
	}
	/* Types first: finding BTF may load the symbols, which the summary
	 * then reports in full instead of probing kallsyms again. */
	struct ptw_types_choice tc;
	struct ptw_error *why;
	probe_types(cli, dump, &tc, &why);
	struct ptw_sym_summary syms;
	struct ptw_error *serr = ptw_dump_symbols_summary(dump, &syms);
	if (serr) {
		ptw_types_choice_free(&tc);
		ptw_error_destroy(why);
		return serr;
	}
	text_symbols(cli, &syms);
	ptw_sym_summary_free(&syms);
	text_types(cli, &tc, why);
	ptw_types_choice_free(&tc);
	const char *layout = struct_layout(dump, why);
	field("struct_layout", "%s", layout ? layout : "none (no types, and inference from init_task failed)");
	ptw_error_destroy(why);
	return NULL;
}

static int run_info(struct ptw_cli *cli)
{
	struct ptw_dump *dump;
	struct ptw_error *err = ptw_cli_open_dump(cli, &dump);
	if (err)
		return ptw_cli_fail(cli, err);
	if (!dump->have_xlat && cli->json)
		ptw_cli_warn(cli, "translation unknown: %s", dump->xlat_error->message);
	/* (A -k or -m file from another kernel was refused, exit 1, when the
	 * dump was opened: before any output.) */
	err = cli->json ? info_json(cli, dump) : info_text(cli, dump);
	ptw_dump_close(dump);
	return err ? ptw_cli_fail(cli, err) : PTW_EXIT_OK;
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
