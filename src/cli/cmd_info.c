/* ptwalk info: what the dump is. Every value comes from the dump or is null. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "json.h"
#include "types_dump.h"

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
	} else {
		printf("  %016" PRIx64 "-%016" PRIx64 "  %" PRIu64 " pages\n", r->start, r->end, pages);
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

	if (s->source == PTW_SYM_NONE)
		printf("symbols:      none");
	else
		printf("symbols:      %s%s%s, %zu", ptw_sym_source_name(s->source), from ? " " : "",
		       from ? from : "", s->count);
	if (s->data_symbols == 0 && s->source == PTW_SYM_KALLSYMS)
		printf(", text only (kernel built without CONFIG_KALLSYMS_ALL: -m or -k name data)");
	printf("\n");
	if (s->refused != PTW_SYM_NONE)
		printf("  %s not used: %s\n", ptw_sym_source_name(s->refused), s->refused_why);
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
	if (why) {
		printf("types:        none (%s)\n", why->message);
		return;
	}
	printf("types:        %s, ", c->source);
	if (c->have_address)
		printf("in the dump at %016" PRIx64 " (%" PRIu64 " bytes)", c->address, c->size);
	else if (strcmp(c->from, "vmlinux") == 0)
		printf("from %s", cli->vmlinux);
	else
		printf("from %s", cli->btf);
	if (c->skipped)
		printf(" (%s)", c->skipped);
	printf("\n");
}

static struct ptw_error *info_json(const struct ptw_cli *cli, struct ptw_dump *dump,
				   const struct ptw_sym_summary *syms)
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
	ptw_json_key(&j, "symbols");
	json_symbols(&j, syms);
	ptw_json_key(&j, "types");
	struct ptw_types_choice tc;
	struct ptw_error *why;
	probe_types(cli, dump, &tc, &why);
	json_types(&j, &tc, why);
	ptw_types_choice_free(&tc);
	ptw_error_destroy(why);
	ptw_json_end_object(&j);
	ptw_json_newline(&j);
	return NULL;
}

static const char *or_unknown(const char *s)
{
	return s ? s : "unknown";
}

static struct ptw_error *info_text(const struct ptw_cli *cli, struct ptw_dump *dump,
				   const struct ptw_sym_summary *syms)
{
	struct ptw_source *src = dump->src;
	printf("file:         %s\n", cli->dump_path);
	printf("format:       %s", src->format);
	bool first = true;
	for (size_t i = 0; i < NCOMPRESSION; i++) {
		if (src->compression & compression_names[i].bit) {
			printf("%s%s", first ? ", pages compressed with " : ", ", compression_names[i].name);
			first = false;
		}
	}
	printf("%s\n", src->incomplete ? " (INCOMPLETE)" : "");
	printf("arch:         %s%s%s%s\n", or_unknown(ptw_arch_name(dump->arch)),
	       dump->arch_source ? " (from " : "", dump->arch_source ? dump->arch_source : "",
	       dump->arch_source ? ")" : "");
	printf("kernel:       %s\n", or_unknown(ptw_vmcoreinfo_get(&dump->vmcoreinfo, "OSRELEASE")));
	if (dump->page_size)
		printf("page size:    %" PRIu64 "\n", dump->page_size);
	else
		printf("page size:    unknown\n");
	if (src->block_size)
		printf("block size:   %" PRIu32 "\n", src->block_size);
	if (src->dump_level >= 0)
		printf("dump level:   %d\n", src->dump_level);
	printf("cpus:         %zu\n", src->ncpus);

	uint64_t present, excluded, unit = counting_page_size(dump);
	struct ptw_error *err = src->ops->count_pages(src, unit, &present, &excluded);
	if (err)
		return err;
	printf("memory:       %" PRIu64 " pages present, %" PRIu64 " excluded (%" PRIu64 "-byte pages)\n",
	       present, excluded, unit);
	struct range_printer rp = { .json = NULL, .page_size = unit };
	err = ptw_source_for_each_range(src, print_range, &rp);
	if (err)
		return err;
	printf("vmcoreinfo:   %zu entries, %zu symbols\n", dump->vmcoreinfo.count,
	       count_symbols(&dump->vmcoreinfo));
	if (dump->have_xlat) {
		const struct ptw_xlat *x = &dump->xlat;
		printf("translation:  %u-byte granule, VA_BITS %u (running %u), PA bits %u, %u levels, %s descriptors\n",
		       x->granule, x->va_bits, x->vabits_actual, x->pa_bits, x->levels,
		       or_unknown(ptw_pte_format_name(x->fmt)));
		printf("  root:          %016" PRIx64 " (%s)\n", x->root_pa, or_unknown(x->root_source));
		if (x->layout != PTW_LAYOUT_UNKNOWN)
			printf("  layout:        %s\n", ptw_layout_name(x->layout));
		if (x->have_page_offset)
			printf("  page_offset:   %016" PRIx64 "\n", x->page_offset);
		if (x->have_phys_offset)
			printf("  phys_offset:   %016" PRIx64 "\n", (uint64_t)x->phys_offset);
		if (x->have_kimage_voffset)
			printf("  kimage_voffset: %016" PRIx64 "\n", x->kimage_voffset);
		if (x->have_kaslr_offset)
			printf("  kaslr_offset:  %016" PRIx64 "\n", x->kaslr_offset);
	} else {
		printf("translation:  unknown (%s)\n", dump->xlat_error->message);
	}
	text_symbols(cli, syms);
	struct ptw_types_choice tc;
	struct ptw_error *why;
	probe_types(cli, dump, &tc, &why);
	text_types(cli, &tc, why);
	ptw_types_choice_free(&tc);
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
	/* Before any output: a -k or -m file from another kernel is exit 1. */
	struct ptw_sym_summary syms;
	err = ptw_dump_symbols_summary(dump, &syms);
	if (err) {
		ptw_dump_close(dump);
		return ptw_cli_fail(cli, err);
	}
	err = cli->json ? info_json(cli, dump, &syms) : info_text(cli, dump, &syms);
	ptw_sym_summary_free(&syms);
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
