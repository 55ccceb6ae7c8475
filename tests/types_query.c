/* A test tool, not installed: the types ptwalk finds for a dump, queried
 * through src/types.h, so tests can compare them with bpftool and pahole.
 *
 *   types-query DUMP [-k VMLINUX] [--btf FILE] [--save-btf OUT] QUERY...
 *
 * QUERY "task_struct" prints "task_struct size N"; "task_struct:tasks.next"
 * prints "task_struct:tasks.next offset N size N kind K type NAME" (bitfields
 * add "bits OFF+WIDTH"); a missing type or member prints "... not-present".
 * --save-btf writes the BTF bytes found in the dump to OUT. The first line
 * says where the types came from.
 *
 *   types-query DUMP --pages PFN...
 *
 * prints "pfn N memmap ADDR sections ADDR|none" per PFN: struct page by the
 * memory map src/page.c chose, and by mem_section, for comparing the two.
 *
 *   types-query --dwarf VMLINUX QUERY...     types-query --raw-btf FILE QUERY...
 *
 * query one backend on its own, without a dump (DWARF against BTF of the
 * same build). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dump.h"
#include "page.h"
#include "types.h"
#include "types_dump.h"
#include "vmem.h"

static const char *kind_name(enum ptw_type_kind k)
{
	static const char *const names[] = {
		[PTW_TYPE_OTHER] = "other", [PTW_TYPE_VOID] = "void", [PTW_TYPE_INT] = "int",
		[PTW_TYPE_FLOAT] = "float", [PTW_TYPE_ENUM] = "enum", [PTW_TYPE_POINTER] = "pointer",
		[PTW_TYPE_ARRAY] = "array", [PTW_TYPE_STRUCT] = "struct", [PTW_TYPE_UNION] = "union",
		[PTW_TYPE_FUNCTION] = "function",
	};
	return names[k];
}

static int fail(const char *what, struct ptw_error *err)
{
	fprintf(stderr, "types-query: %s: %s\n", what, err->message);
	ptw_error_destroy(err);
	return 1;
}

static int save_btf(struct ptw_dump *dump, const struct ptw_types_choice *c, const char *out)
{
	struct ptw_vmem *vm;
	struct ptw_error *err;
	unsigned char *buf;
	FILE *f;

	if (!c->have_address) {
		fprintf(stderr, "types-query: --save-btf: the types did not come from the dump\n");
		return 1;
	}
	err = ptw_vmem_create(dump, &vm);
	if (err)
		return fail("vmem", err);
	buf = malloc(c->size);
	if (!buf)
		return 1;
	err = ptw_vmem_read(vm, c->address, buf, c->size);
	ptw_vmem_destroy(vm);
	if (err) {
		free(buf);
		return fail("reading the BTF", err);
	}
	f = fopen(out, "wb");
	if (!f || fwrite(buf, 1, c->size, f) != c->size || fclose(f) != 0) {
		perror(out);
		free(buf);
		return 1;
	}
	free(buf);
	return 0;
}

static int queries(struct ptw_types *t, int argc, char **argv, bool any)
{
	struct ptw_error *err;
	int rc = 0;

	for (int i = 0; any && i < argc; i++) {
		char *q = strdup(argv[i]);
		char *colon = strchr(q, ':');

		if (!colon) {
			uint64_t size;

			err = ptw_types_struct_size(t, q, &size);
			if (!err)
				printf("%s size %" PRIu64 "\n", q, size);
		} else {
			struct ptw_member m;

			*colon = '\0';
			err = ptw_types_member(t, q, colon + 1, &m);
			*colon = ':';
			if (!err) {
				printf("%s offset %" PRIu64 " size %" PRIu64 " kind %s type %s", q, m.offset, m.size,
				       kind_name(m.type.kind), m.type_name[0] ? m.type_name : "-");
				if (m.bit_size)
					printf(" bits %u+%u", m.bit_offset, m.bit_size);
				printf("\n");
			}
		}
		if (err) {
			if (err->code == PTW_E_NOT_PRESENT) {
				printf("%s not-present\n", q);
				ptw_error_destroy(err);
			} else {
				rc = fail(q, err);
			}
		}
		free(q);
	}
	return rc;
}

static int pages(struct ptw_dump *dump, int argc, char **argv)
{
	struct ptw_page_layout l;
	struct ptw_vmem *vm;
	struct ptw_error *err = ptw_page_layout_init(dump, &l);

	if (err)
		return fail("page layout", err);
	err = ptw_vmem_create(dump, &vm);
	if (err)
		return fail("vmem", err);
	printf("memmap %s\n", l.source);
	for (int i = 0; i < argc; i++) {
		uint64_t pfn = strtoull(argv[i], NULL, 0), a, b;
		struct ptw_page_layout s = l;

		err = ptw_page_address(&l, vm, pfn, &a);
		if (err)
			return fail(argv[i], err);
		printf("pfn %" PRIu64 " memmap 0x%" PRIx64, pfn, a);
		s.model = PTW_MEMMAP_SECTIONS;
		err = s.have_sections ? ptw_page_address(&s, vm, pfn, &b) : NULL;
		if (!s.have_sections || err)
			printf(" sections none\n");
		else
			printf(" sections 0x%" PRIx64 "\n", b);
		ptw_error_destroy(err);
	}
	ptw_vmem_destroy(vm);
	return 0;
}

int main(int argc, char **argv)
{
	struct ptw_dump_options opts = { 0 };
	const char *save = NULL, *path = NULL;
	struct ptw_dump *dump;
	struct ptw_types *t;
	struct ptw_error *err;
	int first_query = 0, rc = 0;

	if (argc >= 3 && (strcmp(argv[1], "--dwarf") == 0 || strcmp(argv[1], "--raw-btf") == 0)) {
		err = strcmp(argv[1], "--dwarf") == 0 ? ptw_types_dwarf_open(argv[2], &t)
						      : ptw_types_btf_open(argv[2], &t);
		if (err)
			return fail(argv[2], err);
		printf("source %s from file\n", ptw_types_source(t));
		rc = queries(t, argc - 3, argv + 3, true);
		ptw_types_destroy(t);
		return rc;
	}
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-k") == 0 && i + 1 < argc)
			opts.vmlinux = argv[++i];
		else if (strcmp(argv[i], "--btf") == 0 && i + 1 < argc)
			opts.btf_path = argv[++i];
		else if (strcmp(argv[i], "--save-btf") == 0 && i + 1 < argc)
			save = argv[++i];
		else if (!path)
			path = argv[i];
		else {
			first_query = i;
			break;
		}
	}
	if (!path) {
		fprintf(stderr, "usage: types-query DUMP [-k VMLINUX] [--btf FILE] [--save-btf OUT] QUERY...\n");
		return 2;
	}
	err = ptw_dump_open(path, &opts, &dump);
	if (err)
		return fail(path, err);
	if (first_query && strcmp(argv[first_query], "--pages") == 0) {
		rc = pages(dump, argc - first_query - 1, argv + first_query + 1);
		ptw_dump_close(dump);
		return rc;
	}
	err = ptw_dump_types(dump, &t);
	if (err) {
		ptw_dump_close(dump);
		return fail("types", err);
	}
	const struct ptw_types_choice *c = ptw_dump_types_choice(dump);
	printf("source %s from %s", ptw_types_source(t), c->from);
	if (c->have_address)
		printf(" address 0x%" PRIx64 " size %" PRIu64, c->address, c->size);
	printf("\n");
	if (save)
		rc = save_btf(dump, c, save);
	rc |= queries(t, argc - first_query, argv + first_query, first_query != 0);
	ptw_dump_close(dump);
	return rc;
}
