/* The public API's summaries and layout (include/ptwalk.h: the functions
 * `ptwalk info`, `layout` and `maps` need) on the testdata dumps, against
 * facts recorded outside ptwalk: testdata/CASE/truth.json (the guest's
 * symbols and VMCOREINFO), System.map and the guest kernel's own
 * /sys/kernel/debug/kernel_page_tables (kernel_page_tables.txt). Only
 * ptwalk.h is included: this is what a program linking libptwalk sees. */
#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ptwalk.h"

/* testdata/CASE/FILE under the source tree. */
static const char *data(const char *case_name, const char *file, char *buf, size_t len)
{
	const char *top = getenv("top_srcdir");

	snprintf(buf, len, "%s/testdata/%s/%s", top ? top : ".", case_name, file);
	return buf;
}

static struct ptwalk_dump *open_with(const char *case_name, const struct ptwalk_open_options *o)
{
	char path[4096];
	struct ptwalk_dump *d = NULL;
	struct ptwalk_error *err = ptwalk_dump_open(data(case_name, "vmcore.kdump-zlib.flat", path, sizeof(path)),
						    o, &d);

	ck_assert_msg(!err, "%s: %s", case_name, err ? ptwalk_error_message(err) : "");
	return d;
}

static void check_error(struct ptwalk_error *err, enum ptwalk_error_code code)
{
	ck_assert_msg(err != NULL, "expected an error (code %d)", (int)code);
	ck_assert_msg(ptwalk_error_code(err) == code, "code %d (%s), expected %d", (int)ptwalk_error_code(err),
		      ptwalk_error_message(err), (int)code);
	ck_assert(strlen(ptwalk_error_message(err)) > 0);
	ptwalk_error_free(err);
}

/* System.map of a case, uncompressed into a temporary file (the test's
 * own copy: the name goes into *path). */
static void system_map(const char *case_name, char *path, size_t len)
{
	char gz[4096], cmd[8400];
	int fd;

	snprintf(path, len, "/tmp/check_api_info.XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	snprintf(cmd, sizeof(cmd), "gzip -dc '%s' > '%s'", data(case_name, "System.map.gz", gz, sizeof(gz)), path);
	ck_assert_int_eq(system(cmd), 0);
}

static size_t count_lines(const char *path)
{
	FILE *f = fopen(path, "r");
	size_t n = 0;
	int c;

	ck_assert_ptr_nonnull(f);
	while ((c = getc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

START_TEST(has_vmcoreinfo)
{
	struct ptwalk_dump *d = open_with("x86_64-deb61-4l", NULL);
	const char *key, *value;
	size_t pos = 0, n = 0;

	ck_assert(ptwalk_dump_has_vmcoreinfo(d));
	while (ptwalk_vmcoreinfo_next(d, &pos, &key, &value))
		n++;
	/* truth.json vmcoreinfo_text: 109 lines */
	ck_assert_uint_eq(n, 109);
	ptwalk_dump_close(d);
}
END_TEST

/* kallsyms is probed, not loaded: its count is at most System.map's (which
 * also lists what kallsyms leaves out); once loaded, the summary is the
 * loaded table's. */
START_TEST(symbols_summary_kallsyms)
{
	char map[64];
	struct ptwalk_dump *d = open_with("arm64-4k39", NULL);
	struct ptwalk_symbols_summary s;
	enum ptwalk_sym_source source;
	size_t count;

	system_map("arm64-4k39", map, sizeof(map));
	ck_assert_ptr_null(ptwalk_symbols_summary(d, &s));
	ck_assert_int_eq(s.source, PTWALK_SYM_KALLSYMS);
	ck_assert(!s.names_checked);
	ck_assert(!ptwalk_symbols_loaded(d));
	ck_assert_int_eq(s.refused, PTWALK_SYM_NONE);
	ck_assert_ptr_null(s.refused_why);
	ck_assert_uint_gt(s.count, 1000);
	ck_assert_uint_le(s.count, count_lines(map));
	/* testdata/factory/common.config: CONFIG_KALLSYMS_ALL=y */
	ck_assert_int_eq(s.data_symbols, 1);
	ck_assert_ptr_null(ptwalk_symbols_load(d));
	ck_assert_ptr_null(ptwalk_symbols_summary(d, &s));
	ck_assert(s.names_checked);
	ck_assert_ptr_null(ptwalk_symbols_source(d, &source, &count));
	ck_assert_int_eq(s.source, source);
	ck_assert_uint_eq(s.count, count);
	ptwalk_dump_close(d);
	unlink(map);
}
END_TEST

START_TEST(symbols_summary_files)
{
	char map[64], other[64];
	struct ptwalk_open_options o = { .struct_size = sizeof(o) };
	struct ptwalk_dump *d;
	struct ptwalk_symbols_summary s;

	system_map("arm64-4k39", map, sizeof(map));
	system_map("x86_64-small612", other, sizeof(other));
	o.system_map = map;
	d = open_with("arm64-4k39", &o);
	ck_assert_ptr_null(ptwalk_symbols_summary(d, &s));
	ck_assert_int_eq(s.source, PTWALK_SYM_SYSTEM_MAP);
	ck_assert(s.names_checked);
	/* every line of System.map, give or take VMCOREINFO's own SYMBOL()s */
	ck_assert_uint_ge(s.count + 32, count_lines(map));
	ptwalk_dump_close(d);
	/* another kernel's System.map: refused as an error, not silently unused */
	o.system_map = other;
	d = open_with("arm64-4k39", &o);
	check_error(ptwalk_symbols_summary(d, &s), PTWALK_E_BAD_DATA);
	ptwalk_dump_close(d);
	unlink(map);
	unlink(other);
}
END_TEST

/* The Debian kernel has BTF in its image: between the end of its text and
 * the start of its data (truth.json: _etext, _sdata), where .BTF lies in
 * RO_DATA, starting with the BTF magic 0xeb9f. */
START_TEST(types_probe_btf_in_dump)
{
	struct ptwalk_dump *d = open_with("x86_64-deb61-4l", NULL);
	struct ptwalk_types_info t;
	struct ptwalk_space *s;
	uint64_t word;

	ck_assert_ptr_null(ptwalk_types_probe(d, &t));
	ck_assert_str_eq(t.source, "btf");
	ck_assert_str_eq(t.from, "dump");
	ck_assert(t.have_address);
	ck_assert_uint_ge(t.address, UINT64_C(0xffffffff8cc01d32));
	ck_assert_uint_le(t.address + t.size, UINT64_C(0xffffffff8d800000));
	ck_assert_ptr_null(t.skipped);
	ck_assert_ptr_null(ptwalk_space_kernel(d, &s));
	ck_assert_ptr_null(ptwalk_read_u64(s, t.address, &word));
	ck_assert_uint_eq(word & 0xffff, 0xeb9f);
	ptwalk_space_close(s);
	ptwalk_dump_close(d);
}
END_TEST

START_TEST(types_probe_none)
{
	struct ptwalk_open_options o = { .struct_size = sizeof(o), .btf = "/nonexistent/btf" };
	struct ptwalk_dump *d = open_with("arm64-4k39", NULL);
	struct ptwalk_types_info t;
	struct ptwalk_error *err;

	/* built without CONFIG_DEBUG_INFO_BTF (testdata/factory/common.config, arm64-4k39.config) */
	err = ptwalk_types_probe(d, &t);
	ck_assert_ptr_nonnull(err);
	ck_assert_ptr_nonnull(strstr(ptwalk_error_message(err), "BTF"));
	ptwalk_error_free(err);
	ptwalk_dump_close(d);
	/* a --btf file asked for and missing is an error naming it */
	d = open_with("x86_64-deb61-4l", &o);
	err = ptwalk_types_probe(d, &t);
	ck_assert_ptr_nonnull(err);
	ck_assert_ptr_nonnull(strstr(ptwalk_error_message(err), "/nonexistent/btf"));
	ptwalk_error_free(err);
	ptwalk_dump_close(d);
}
END_TEST

#define MAX_SEEN 64

struct regions_seen {
	size_t n, stop_after;
	struct ptwalk_region r[MAX_SEEN];
};

static bool on_region(void *arg, const struct ptwalk_region *r)
{
	struct regions_seen *s = arg;

	ck_assert_uint_lt(s->n, MAX_SEEN);
	s->r[s->n++] = *r;
	return s->n != s->stop_after;
}

static const struct ptwalk_region *region_named(const struct regions_seen *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->r[i].name, name) == 0)
			return &s->r[i];
	return NULL;
}

/* arm64-4k39: the regions cover the kernel half end to end; the kernel
 * image is [_text, _end) of the guest's symbols (truth.json), its end from
 * the tables; modules and vmalloc start where VMCOREINFO's MODULES_VADDR
 * and VMALLOC_START (truth.json vmcoreinfo_text) say. */
START_TEST(layout_arm64)
{
	struct ptwalk_dump *d = open_with("arm64-4k39", NULL);
	struct regions_seen seen = { 0 };
	const struct ptwalk_region *r;
	struct ptwalk_space *s;

	ck_assert_ptr_null(ptwalk_space_kernel(d, &s));
	ck_assert_ptr_null(ptwalk_layout(s, on_region, &seen));
	ck_assert_uint_gt(seen.n, 5);
	ck_assert_uint_eq(seen.r[0].start, -(UINT64_C(1) << 39));
	for (size_t i = 1; i < seen.n; i++)
		ck_assert_uint_eq(seen.r[i].start, seen.r[i - 1].end);
	ck_assert_uint_eq(seen.r[seen.n - 1].end, 0);
	r = region_named(&seen, "kernel image");
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(r->start, UINT64_C(0xffffffe1c0c00000));
	ck_assert_uint_eq(r->end, UINT64_C(0xffffffe1c10a0000));
	ck_assert_str_eq(r->source, "tables");
	r = region_named(&seen, "modules");
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(r->start, UINT64_C(0xffffffc000000000));
	r = region_named(&seen, "vmalloc");
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(r->start, UINT64_C(0xffffffc080000000));
	/* false from the callback stops the walk there */
	memset(&seen, 0, sizeof(seen));
	seen.stop_after = 2;
	ck_assert_ptr_null(ptwalk_layout(s, on_region, &seen));
	ck_assert_uint_eq(seen.n, 2);
	ptwalk_space_close(s);
	ptwalk_dump_close(d);
}
END_TEST

struct markers_seen {
	size_t n;
	struct ptwalk_marker m[MAX_SEEN];
};

static bool on_marker(void *arg, const struct ptwalk_marker *m)
{
	struct markers_seen *s = arg;

	ck_assert_uint_lt(s->n, MAX_SEEN);
	s->m[s->n++] = *m;
	return true;
}

/* One line of kernel_page_tables.txt: a marker's name, or a range's start. */
struct ptdump_line {
	bool marker;
	char name[64];
	uint64_t start;
};

static size_t read_ptdump(const char *case_name, struct ptdump_line *lines, size_t max)
{
	char path[4096], buf[512];
	FILE *f = fopen(data(case_name, "kernel_page_tables.txt", path, sizeof(path)), "r");
	size_t n = 0;

	ck_assert_ptr_nonnull(f);
	while (n < max && fgets(buf, sizeof(buf), f)) {
		struct ptdump_line *l = &lines[n];
		char *end;

		memset(l, 0, sizeof(*l));
		if (strncmp(buf, "---[ ", 5) == 0 && (end = strstr(buf, " ]---")) && end - buf - 5 < 64) {
			l->marker = true;
			memcpy(l->name, buf + 5, (size_t)(end - buf - 5));
			n++;
		} else if (strncmp(buf, "0x", 2) == 0) {
			l->start = strtoull(buf, NULL, 16);
			n++;
		}
	}
	fclose(f);
	return n;
}

/* x86_64-small612 (no LDT remap, ESPfix or EFI, its own fixmap): the
 * markers are its kernel's own, by name and in order as its debugfs dump
 * shows them, each between the ranges the kernel printed around it. */
START_TEST(ptdump_markers_x86_64)
{
	enum { MAX_LINES = 8192 };
	struct ptdump_line *lines = calloc(MAX_LINES, sizeof(*lines));
	struct ptwalk_dump *d = open_with("x86_64-small612", NULL);
	struct markers_seen seen = { 0 };
	struct ptwalk_space *s;
	size_t nlines, k = 0;
	uint64_t start;

	ck_assert_ptr_nonnull(lines);
	nlines = read_ptdump("x86_64-small612", lines, MAX_LINES);
	ck_assert_ptr_null(ptwalk_space_kernel(d, &s));
	ck_assert_ptr_null(ptwalk_ptdump_markers(s, on_marker, &seen));
	ck_assert(ptwalk_maps_ptdump_start(s, &start));
	ck_assert_uint_gt(seen.n, 5);
	ck_assert_uint_eq(seen.m[0].start, start);
	for (size_t i = 0; i < nlines; i++) {
		if (!lines[i].marker)
			continue;
		ck_assert_uint_lt(k, seen.n);
		ck_assert_str_eq(seen.m[k].name, lines[i].name);
		if (i > 0 && !lines[i - 1].marker)
			ck_assert_uint_ge(seen.m[k].start, lines[i - 1].start);
		if (i + 1 < nlines && !lines[i + 1].marker)
			ck_assert_uint_le(seen.m[k].start, lines[i + 1].start);
		if (k)
			ck_assert_uint_gt(seen.m[k].start, seen.m[k - 1].start);
		k++;
	}
	ck_assert_uint_eq(k, seen.n);
	ptwalk_space_close(s);
	ptwalk_dump_close(d);
	free(lines);
}
END_TEST

struct user_lines {
	uint64_t last_end;
	size_t n;
};

static void on_user_line(void *arg, uint64_t start, uint64_t end, int level, const char *table, uint64_t prot,
			 const char *text)
{
	struct user_lines *u = arg;

	(void)start, (void)level, (void)table, (void)prot, (void)text;
	u->last_end = end;
	u->n++;
}

/* A user tree walked with end 0 ends at the top of the user half (VA_BITS
 * 39 in truth.json), where its last line closes; pid 65 is truth.json's
 * processes[0]. */
START_TEST(maps_user_to_top)
{
	struct ptwalk_dump *d = open_with("arm64-4k39", NULL);
	struct ptwalk_maps_visitor v = { .line = on_user_line };
	struct user_lines u = { 0 };
	struct ptwalk_map_stats stats;
	struct ptwalk_space *s;

	ck_assert_ptr_null(ptwalk_space_user_pid(d, 65, &s));
	ck_assert_ptr_null(ptwalk_maps(s, PTWALK_TREE_USER, 0, 0, true, &v, &u, &stats));
	ck_assert_uint_gt(u.n, 3);
	ck_assert_uint_eq(u.last_end, UINT64_C(1) << 39);
	ptwalk_space_close(s);
	ptwalk_dump_close(d);
}
END_TEST

static Suite *api_info_suite(void)
{
	Suite *s = suite_create("api_info");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, has_vmcoreinfo);
	tcase_add_test(tc, symbols_summary_kallsyms);
	tcase_add_test(tc, symbols_summary_files);
	tcase_add_test(tc, types_probe_btf_in_dump);
	tcase_add_test(tc, types_probe_none);
	tcase_add_test(tc, layout_arm64);
	tcase_add_test(tc, ptdump_markers_x86_64);
	tcase_add_test(tc, maps_user_to_top);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	char path[4096];
	SRunner *sr;
	int failed;

	/* The cases are the sample dumps, which the release tarball (make
	 * distcheck) leaves out: skipped, saying so. */
	if (access(data("arm64-4k39", "truth.json", path, sizeof(path)), R_OK) != 0) {
		printf("no testdata/arm64-4k39: skipped\n");
		return 77;
	}
	sr = srunner_create(api_info_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
