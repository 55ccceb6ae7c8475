/* The public API (include/ptwalk.h) on the testdata dumps, against facts
 * recorded outside ptwalk: testdata/CASE/truth.json (QEMU's translations
 * of kernel_facts and processes[].facts, the guest's symbols, its task
 * list, memory_samples read by QEMU). Only ptwalk.h is included: this is
 * what a program linking libptwalk sees. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ptwalk.h"

static char path_buf[4096];

/* testdata/CASE/FILE under the source tree. */
static const char *data(const char *case_name, const char *file)
{
	const char *top = getenv("top_srcdir");

	snprintf(path_buf, sizeof(path_buf), "%s/testdata/%s/%s", top ? top : ".", case_name, file);
	return path_buf;
}

static struct ptwalk_dump *open_case(const char *case_name)
{
	struct ptwalk_dump *d = NULL;
	struct ptwalk_error *err = ptwalk_dump_open(data(case_name, "vmcore.kdump-zlib.flat"), NULL, &d);

	ck_assert_msg(!err, "%s: %s", case_name, err ? ptwalk_error_message(err) : "");
	return d;
}

/* truth.json kernel_facts of arm64-4k39: QEMU's gva2gpa. */
static const struct fact {
	uint64_t va;
	uint64_t pa; /* PTWALK_PA_NONE: QEMU found no mapping */
} arm64_facts[] = {
	{ 0xffffffe1c105b008, 0x4065b008 },          /* _edata */
	{ 0xffffffe1c0c10018, 0x40210018 },          /* _stext+0x18 */
	{ 0xffffffe1c0ef2000, 0x404f2000 },          /* idmap_pg_dir */
	{ 0xffffffe1c1053358, 0x40653358 },          /* init_uts_ns+0x18 */
	{ 0xffffffe1c0ef4000, 0x404f4000 },          /* swapper_pg_dir */
	{ 0xffffff800fffffc0, 0x4fffffc0 },          /* linear */
	{ 0xffffffc080010000, 0x40827000 },          /* vmalloc */
	{ 0xffffffe1c10a0000, PTWALK_PA_NONE },      /* _end */
	{ 0xffffffe1c10a0018, PTWALK_PA_NONE },      /* _end+0x18 */
	{ 0xfffffffebf000000, PTWALK_PA_NONE },      /* SYMBOL(vmemmap) value */
	{ 0xffffff8020000000, PTWALK_PA_NONE },      /* linear beyond RAM */
	{ 0xfffffffed0400000, PTWALK_PA_NONE },      /* vmemmap beyond RAM */
	{ 0xffffff7fffff0000, PTWALK_PA_NONE },      /* below the kernel half */
};
#define NFACTS (sizeof(arm64_facts) / sizeof(arm64_facts[0]))

/* truth.json processes[0] of arm64-4k39: pid 65, TTBR0 0x41068000, and
 * QEMU's translations of its region A. */
static const struct fact arm64_pid65[] = {
	{ 0x7f96954000, 0x48151000 },
	{ 0x7f969547f8, 0x481517f8 },
	{ 0x7f96955000, 0x405a2000 },
	{ 0x7f96956000, 0x405a1000 },
};

static void check_error(struct ptwalk_error *err, enum ptwalk_error_code code)
{
	ck_assert_msg(err != NULL, "expected an error (code %d)", (int)code);
	ck_assert_msg(ptwalk_error_code(err) == code, "code %d (%s), expected %d", (int)ptwalk_error_code(err),
		      ptwalk_error_message(err), (int)code);
	ck_assert_ptr_nonnull(ptwalk_error_message(err));
	ck_assert(strlen(ptwalk_error_message(err)) > 0);
	ptwalk_error_free(err);
}

START_TEST(open_errors)
{
	struct ptwalk_dump *d = NULL;
	struct ptwalk_error *err;
	uint64_t off = 1;

	/* no such file */
	check_error(ptwalk_dump_open(data("arm64-4k39", "no-such-file"), NULL, &d), PTWALK_E_OS);
	ck_assert_ptr_null(d);
	/* a text file: not a dump, and the offset says where */
	err = ptwalk_dump_open(data("arm64-4k39", "console.log"), NULL, &d);
	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(ptwalk_error_code(err), PTWALK_E_BAD_DATA);
	ck_assert(ptwalk_error_offset(err, &off));
	ck_assert_uint_eq(off, 0);
	ck_assert_ptr_null(ptwalk_error_file(err));
	ck_assert_ptr_nonnull(strstr(ptwalk_error_message(err), "not a vmcore"));
	ptwalk_error_free(err);
	/* options without their size */
	struct ptwalk_open_options bad = { 0 };
	check_error(ptwalk_dump_open(data("arm64-4k39", "vmcore.kdump-zlib.flat"), &bad, &d),
		    PTWALK_E_INVALID_ARGUMENT);
	ck_assert_str_eq(ptwalk_strerror(PTWALK_E_NOT_PRESENT), "not in the dump");
	ptwalk_error_free(NULL);
	ptwalk_dump_close(NULL);
}
END_TEST

START_TEST(open_fd_and_options)
{
	const char *sets[] = { "NUMBER(PTWALK_TEST)=42" };
	struct ptwalk_open_options o = {
		.struct_size = sizeof(o), .vmcoreinfo_sets = sets, .n_vmcoreinfo_sets = 1,
	};
	struct ptwalk_dump *d;
	struct ptwalk_info info;
	int fd = open(data("arm64-4k39", "vmcore.kdump-zlib.flat"), O_RDONLY);

	ck_assert_int_ge(fd, 0);
	ck_assert_ptr_null(ptwalk_dump_open_fd(fd, &o, &d));
	close(fd); /* the dump has its own */
	ck_assert_str_eq(ptwalk_vmcoreinfo_get(d, "NUMBER(PTWALK_TEST)"), "42");
	ptwalk_dump_info(d, &info);
	ck_assert_str_eq(info.arch, "arm64");
	ptwalk_dump_close(d);
	check_error(ptwalk_dump_open_fd(-1, NULL, &d), PTWALK_E_INVALID_ARGUMENT);
}
END_TEST

static bool count_range(void *arg, const struct ptwalk_phys_range *r)
{
	uint64_t *total = arg;

	*total += r->end - r->start;
	return true;
}

/* truth.json of arm64-4k39: page_size, va_bits, pa_bits, levels,
 * kaslr_offset, kernel.release, build_id; 3 vCPUs (registers). */
START_TEST(info_arm64)
{
	struct ptwalk_dump *d = open_case("arm64-4k39");
	struct ptwalk_info info;
	const char *key, *value;
	size_t pos = 0, n = 0, dropped = 9;
	uint64_t bytes = 0, present, excluded;
	struct ptwalk_cpu_regs regs;

	ptwalk_dump_info(d, &info);
	ck_assert_str_eq(info.arch, "arm64");
	ck_assert_str_eq(info.format, "kdump-flattened");
	ck_assert_uint_eq(info.compression & PTWALK_COMP_ZLIB, PTWALK_COMP_ZLIB);
	ck_assert_str_eq(info.osrelease, "6.12.118");
	ck_assert_uint_eq(info.page_size, 4096);
	ck_assert_uint_eq(info.ncpus, 3);
	ck_assert(info.have_xlat);
	ck_assert_uint_eq(info.xlat.granule, 4096);
	ck_assert_uint_eq(info.xlat.va_bits, 39);
	ck_assert_uint_eq(info.xlat.vabits_actual, 39);
	ck_assert_uint_eq(info.xlat.pa_bits, 48);
	ck_assert_uint_eq(info.xlat.levels, 3);
	ck_assert(info.xlat.have_kaslr_offset);
	ck_assert_uint_eq(info.xlat.kaslr_offset, 0x2140c00000);
	/* swapper_pg_dir (truth symbols) at its kernel_facts PA */
	ck_assert_uint_eq(info.xlat.root_pa, 0x404f4000);
	ck_assert_str_eq(ptwalk_vmcoreinfo_get(d, "BUILD-ID"), "37f3cda631f55d7823a33663d4545282fca2e671");
	ck_assert_ptr_null(ptwalk_vmcoreinfo_get(d, "NO-SUCH-KEY"));
	while (ptwalk_vmcoreinfo_next(d, &pos, &key, &value))
		n++;
	ck_assert_uint_gt(n, 100);
	ck_assert_ptr_null(ptwalk_dump_translation_error(d));
	ck_assert_uint_eq(ptwalk_dump_warning_count(d, &dropped), 0);
	ck_assert_uint_eq(dropped, 0);
	/* QEMU's RAM: 256 MiB at 0x40000000 (the memory_samples lie in it) */
	ck_assert_ptr_null(ptwalk_dump_phys_ranges(d, count_range, &bytes));
	ck_assert_uint_eq(bytes, 256u << 20);
	ck_assert_ptr_null(ptwalk_dump_count_pages(d, 4096, &present, &excluded));
	ck_assert_uint_eq(present + excluded, 65536);
	check_error(ptwalk_dump_count_pages(d, 3000, &present, &excluded), PTWALK_E_INVALID_ARGUMENT);
	ck_assert_ptr_null(ptwalk_dump_cpu_regs(d, 0, &regs));
	ck_assert_uint_eq(regs.nregs, 34);
	check_error(ptwalk_dump_cpu_regs(d, 3, &regs), PTWALK_E_INVALID_ARGUMENT);
	ptwalk_dump_close(d);
}
END_TEST

START_TEST(translate_kernel_arm64)
{
	struct ptwalk_dump *d = open_case("arm64-4k39");
	struct ptwalk_space *s;
	struct ptwalk_translation t;
	struct ptwalk_attr attrs[PTWALK_MAX_ATTRS];
	size_t nattrs;
	char text[256];

	ck_assert_ptr_null(ptwalk_space_kernel(d, &s));
	for (size_t i = 0; i < NFACTS; i++) {
		ck_assert_ptr_null(ptwalk_translate(s, arm64_facts[i].va, &t));
		if (arm64_facts[i].pa == PTWALK_PA_NONE) {
			ck_assert_msg(t.status != PTWALK_OK, "%" PRIx64 " translated", arm64_facts[i].va);
		} else {
			ck_assert_msg(t.status == PTWALK_OK, "%" PRIx64 ": %s", arm64_facts[i].va,
				      ptwalk_status_name(t.status));
			ck_assert_uint_eq(t.pa, arm64_facts[i].pa);
			ck_assert_uint_ge(t.nsteps, 2); /* 2 MiB blocks end a level early */
			ck_assert_uint_eq(t.table_base, 0x404f4000);
			ck_assert(!t.user);
		}
	}
	/* _edata: a leaf with attributes; a hole has none */
	ck_assert_ptr_null(ptwalk_translate(s, 0xffffffe1c105b008, &t));
	ck_assert_ptr_null(ptwalk_translation_attrs(s, &t, attrs, &nattrs));
	ck_assert_uint_gt(nattrs, 0);
	ck_assert_ptr_null(ptwalk_translation_attrs_text(s, &t, text, sizeof(text)));
	ck_assert_ptr_nonnull(strstr(text, "valid"));
	ck_assert_ptr_null(ptwalk_translate(s, 0xffffff7fffff0000, &t));
	ck_assert(!t.have_pa);
	check_error(ptwalk_translation_attrs(s, &t, attrs, &nattrs), PTWALK_E_INVALID_ARGUMENT);
	/* a tagged pointer (TBI) translates as its untagged address */
	ck_assert_ptr_null(ptwalk_translate(s, 0x5affffe1c105b008 | (UINT64_C(0xff) << 56), &t));
	ck_assert(t.status == PTWALK_OK);
	/* a user address without a user tree */
	ck_assert_ptr_null(ptwalk_translate(s, 0x7f96954000, &t));
	ck_assert_int_eq(t.status, PTWALK_NO_USER_TABLE);
	ck_assert_str_eq(ptwalk_status_name(t.status), "no-user-table");
	ptwalk_space_close(s);
	ptwalk_dump_close(d);
}
END_TEST

/* The batch path (translation cache) answers exactly as single
 * translations do, cold and warm, and as the truth says. */
START_TEST(translate_batch_arm64)
{
	struct ptwalk_dump *d = open_case("arm64-4k39");
	struct ptwalk_space *s;
	enum { N = 3 * NFACTS + 4096 };
	uint64_t *va = malloc(N * sizeof(*va)), *pa = malloc(N * sizeof(*pa));
	uint8_t *st = malloc(N);
	size_t n = 0, done = 0;

	ck_assert_ptr_null(ptwalk_space_kernel(d, &s));
	for (int rep = 0; rep < 3; rep++)
		for (size_t i = 0; i < NFACTS; i++)
			va[n++] = arm64_facts[i].va + (uint64_t)rep * 8 * (arm64_facts[i].pa != PTWALK_PA_NONE);
	/* neighbours of the facts: pages and 2 MiB regions shared with them */
	for (size_t k = 0; n < N; k++)
		va[n++] = arm64_facts[k % NFACTS].va + (k / NFACTS) * 0x1000 - 0x200000;
	for (int pass = 0; pass < 2; pass++) {
		ck_assert_ptr_null(ptwalk_translate_batch(s, va, n, pa, st, &done));
		ck_assert_uint_eq(done, n);
		for (size_t i = 0; i < n; i++) {
			struct ptwalk_translation t;

			ck_assert_ptr_null(ptwalk_translate(s, va[i], &t));
			ck_assert_msg(st[i] == t.status, "%" PRIx64 ": batch %s, single %s", va[i],
				      ptwalk_status_name(st[i]), ptwalk_status_name(t.status));
			ck_assert_uint_eq(pa[i], t.have_pa ? t.pa : PTWALK_PA_NONE);
			if (i < 3 * NFACTS && arm64_facts[i % NFACTS].pa != PTWALK_PA_NONE)
				ck_assert_uint_eq(pa[i], arm64_facts[i % NFACTS].pa + (i / NFACTS) * 8);
			else if (i < 3 * NFACTS)
				ck_assert_uint_eq(pa[i], PTWALK_PA_NONE);
		}
		if (pass == 0)
			ptwalk_space_flush(s);
	}
	ptwalk_space_close(s);
	ptwalk_dump_close(d);
	free(va);
	free(pa);
	free(st);
}
END_TEST

START_TEST(translate_user_arm64)
{
	struct ptwalk_dump *d = open_case("arm64-4k39");
	struct ptwalk_space *s;
	struct ptwalk_translation t;
	uint64_t va[4], pa[4], root;

	/* by PID */
	ck_assert_ptr_null(ptwalk_space_user_pid(d, 65, &s));
	ck_assert(ptwalk_space_user_root_pa(s, &root));
	ck_assert_uint_eq(root, 0x41068000);
	for (size_t i = 0; i < 4; i++) {
		ck_assert_ptr_null(ptwalk_translate(s, arm64_pid65[i].va, &t));
		ck_assert_int_eq(t.status, PTWALK_OK);
		ck_assert(t.user);
		ck_assert_uint_eq(t.pa, arm64_pid65[i].pa);
		va[i] = arm64_pid65[i].va;
	}
	ck_assert_ptr_null(ptwalk_translate_batch(s, va, 4, pa, NULL, NULL));
	for (size_t i = 0; i < 4; i++)
		ck_assert_uint_eq(pa[i], arm64_pid65[i].pa);
	/* the kernel half still works */
	ck_assert_ptr_null(ptwalk_translate(s, 0xffffffe1c105b008, &t));
	ck_assert_uint_eq(t.pa, 0x4065b008);
	ptwalk_space_close(s);
	/* by root (truth: ttbr0) */
	ck_assert_ptr_null(ptwalk_space_user_root(d, 0x41068000, &s));
	ck_assert_ptr_null(ptwalk_translate(s, arm64_pid65[2].va, &t));
	ck_assert_uint_eq(t.pa, arm64_pid65[2].pa);
	ptwalk_space_close(s);
	/* no such process; a kernel thread (truth tasks: pid 2 kthreadd) */
	check_error(ptwalk_space_user_pid(d, 99999, &s), PTWALK_E_NOT_PRESENT);
	check_error(ptwalk_space_user_pid(d, 2, &s), PTWALK_E_NOT_PRESENT);
	ptwalk_dump_close(d);
}
END_TEST

static int hexval(char c)
{
	return c <= '9' ? c - '0' : c - 'a' + 10;
}

/* truth.json memory_samples[0] of arm64-4k39: 64 bytes QEMU read at PA 0x40200000. */
static const char sample0[] = "1f2003d51bc40b14000000000000000000004a00000000000a00000000000000"
			      "00000000000000000000000000000000000000000000000041524d6400000000";

START_TEST(read_memory_arm64)
{
	struct ptwalk_dump *d = open_case("arm64-4k39");
	struct ptwalk_space *s;
	struct ptwalk_ptov p;
	unsigned char want[64], buf[64];
	struct ptwalk_error *err;
	size_t done = 99;
	uint64_t addr, word;

	for (size_t i = 0; i < 64; i++)
		want[i] = (unsigned char)(hexval(sample0[2 * i]) << 4 | hexval(sample0[2 * i + 1]));
	ck_assert_ptr_null(ptwalk_read_phys(d, 0x40200000, buf, 64, &done));
	ck_assert_uint_eq(done, 64);
	ck_assert_mem_eq(buf, want, 64);
	ck_assert(ptwalk_phys_is_present(d, 0x40200000));
	ck_assert(!ptwalk_phys_is_present(d, 0x50000000));
	/* past the end of RAM: what is there, then where it stops */
	err = ptwalk_read_phys(d, 0x4ffffff8, buf, 16, &done);
	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(ptwalk_error_code(err), PTWALK_E_NOT_PRESENT);
	ck_assert_uint_eq(done, 8);
	ck_assert(ptwalk_error_address(err, &addr));
	ck_assert_uint_eq(addr, 0x50000000);
	ptwalk_error_free(err);
	/* the same bytes through the linear map (ptov), virtually */
	ck_assert_ptr_null(ptwalk_ptov(d, 0x40200000, &p));
	ck_assert(p.have_linear);
	ck_assert_ptr_null(ptwalk_space_kernel(d, &s));
	ck_assert_ptr_null(ptwalk_read(s, p.linear, buf, 64, &done));
	ck_assert_uint_eq(done, 64);
	ck_assert_mem_eq(buf, want, 64);
	ck_assert_ptr_null(ptwalk_read_u64(s, p.linear, &word));
	ck_assert_uint_eq(word, 0x140bc41bd503201f);
	/* _end (truth: not mapped): the bytes before it, then FAULT at it */
	err = ptwalk_read(s, 0xffffffe1c10a0000 - 8, buf, 16, &done);
	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(ptwalk_error_code(err), PTWALK_E_FAULT);
	ck_assert_uint_eq(done, 8);
	ck_assert(ptwalk_error_address(err, &addr));
	ck_assert_uint_eq(addr, 0xffffffe1c10a0000);
	ptwalk_error_free(err);
	/* a user address without a user tree; a wrapping range */
	check_error(ptwalk_read(s, 0x7f96954000, buf, 8, NULL), PTWALK_E_FAULT);
	check_error(ptwalk_read(s, UINT64_MAX - 3, buf, 8, NULL), PTWALK_E_OVERFLOW);
	ptwalk_space_close(s);
	/* user memory by PID: region A holds u64 v ^ 0x5054574b5054574b at VA v */
	ck_assert_ptr_null(ptwalk_space_user_pid(d, 65, &s));
	ck_assert_ptr_null(ptwalk_read_u64(s, 0x7f96954000 + 0x7f8, &word));
	ck_assert_uint_eq(word, (0x7f96954000 + 0x7f8) ^ UINT64_C(0x5054574b5054574b));
	ptwalk_space_close(s);
	ptwalk_dump_close(d);
}
END_TEST

/* ptov of _edata's PA (truth kernel_facts): the image alias is _edata. */
START_TEST(ptov_arm64)
{
	struct ptwalk_dump *d = open_case("arm64-4k39");
	struct ptwalk_info info;
	struct ptwalk_ptov p;

	ptwalk_dump_info(d, &info);
	ck_assert_ptr_null(ptwalk_ptov(d, 0x4065b008, &p));
	ck_assert(p.have_kimage);
	ck_assert_uint_eq(p.kimage, 0xffffffe1c105b008);
	ck_assert(p.have_linear);
	/* the linear map of 4k39 (truth kernel_facts "linear": 0xffffff800fffffc0 -> 0x4fffffc0) */
	ck_assert_uint_eq(p.linear, 0xffffff800fffffc0 - (0x4fffffc0 - 0x4065b008));
	ptwalk_dump_close(d);
}
END_TEST

/* truth.json symbols of arm64-4k39 (the guest's /proc/kallsyms). */
START_TEST(symbols_arm64)
{
	struct ptwalk_dump *d = open_case("arm64-4k39");
	struct ptwalk_symbol sym;
	enum ptwalk_sym_source src;
	size_t count = 0, pos = 0;
	uint64_t off, addr;

	ck_assert_ptr_null(ptwalk_symbols_load(d));
	ck_assert_ptr_null(ptwalk_symbols_source(d, &src, &count));
	ck_assert_int_eq(src, PTWALK_SYM_KALLSYMS);
	ck_assert_str_eq(ptwalk_sym_source_name(src), "kallsyms");
	ck_assert_uint_gt(count, 1000);
	ck_assert_ptr_null(ptwalk_symbol_lookup(d, "init_task", &sym));
	ck_assert_uint_eq(sym.address, 0xffffffe1c0fcae80);
	ck_assert_ptr_null(ptwalk_symbol_lookup(d, "_stext", &sym));
	ck_assert_uint_eq(sym.address, 0xffffffe1c0c10000);
	ck_assert_ptr_null(ptwalk_symbol_at(d, 0xffffffe1c0c10018, &sym, &off));
	ck_assert_str_eq(sym.name, "_stext");
	ck_assert_uint_eq(off, 0x18);
	ck_assert_ptr_null(ptwalk_symbol_resolve(d, "linux_banner+0x18", &addr));
	ck_assert_uint_eq(addr, 0xffffffe1c0e5930c + 0x18);
	{
		struct ptwalk_symbol base;
		int64_t off2;

		ck_assert_ptr_null(ptwalk_symbol_resolve_parts(d, "_end-0x10", &base, &off2, &addr));
		ck_assert_str_eq(base.name, "_end");
		ck_assert_int_eq(off2, -0x10);
		ck_assert_uint_eq(addr, 0xffffffe1c10a0000 - 0x10); /* truth symbols: _end */
	}
	ck_assert(ptwalk_symbols_loaded(d));
	ck_assert_ptr_null(ptwalk_symbol_resolve(d, "0x1234", &addr));
	ck_assert_uint_eq(addr, 0x1234);
	ck_assert(ptwalk_symbol_next_by_name(d, "swapper_pg_dir", &pos, &sym));
	ck_assert_uint_eq(sym.address, 0xffffffe1c0ef4000);
	ck_assert_ptr_null(ptwalk_symbol_get(d, 0, &sym));
	check_error(ptwalk_symbol_get(d, count, &sym), PTWALK_E_INVALID_ARGUMENT);
	check_error(ptwalk_symbol_lookup(d, "no_such_symbol_anywhere", &sym), PTWALK_E_INVALID_ARGUMENT);
	check_error(ptwalk_symbol_resolve(d, "no_such_symbol_anywhere+4", &addr), PTWALK_E_INVALID_ARGUMENT);
	ptwalk_dump_close(d);
}
END_TEST

/* The first console.log lines of arm64-4k39 are the log's first records. */
START_TEST(log_arm64)
{
	static const char *const first[] = {
		"Booting Linux on physical CPU 0x0000000000 [0x000f0510]",
		"Linux version 6.12.118 (root@vm) (aarch64-linux-gnu-gcc (Debian 12.2.0-14) 12.2.0, GNU ld "
		"(GNU Binutils for Debian) 2.40) #1 SMP Thu Dec  3 00:23:19 UTC 2026",
		"KASLR enabled",
	};
	struct ptwalk_dump *d = open_case("arm64-4k39");
	struct ptwalk_log *log;
	struct ptwalk_log_record rec;
	size_t n = 0;
	bool done = false;

	ck_assert_ptr_null(ptwalk_log_open(d, &log));
	ck_assert_str_eq(ptwalk_log_kind(log), "lockless ring buffer");
	while (n < 100000) {
		ck_assert_ptr_null(ptwalk_log_next(log, &rec, &done));
		if (done)
			break;
		ck_assert_ptr_null(rec.damage);
		if (n < 3) {
			ck_assert_uint_eq(rec.text_len, strlen(first[n]));
			ck_assert(memcmp(rec.text, first[n], rec.text_len) == 0);
			ck_assert_uint_eq(rec.ts_nsec, 0);
		}
		n++;
	}
	ck_assert(done);
	ck_assert_uint_ge(n, 129); /* console.log: 129 kernel lines, a subset */
	ptwalk_log_close(log);
	ptwalk_dump_close(d);
}
END_TEST

struct task_count {
	size_t n;
	bool saw_init, saw_kthreadd;
};

static bool on_task(void *arg, const struct ptwalk_task *t)
{
	struct task_count *c = arg;

	c->n++;
	if (t->pid == 1 && strcmp(t->comm, "ptwtest") == 0 && !t->kthread)
		c->saw_init = true;
	if (t->pid == 2 && strcmp(t->comm, "kthreadd") == 0 && t->kthread && t->ppid == 0)
		c->saw_kthreadd = true;
	return true;
}

struct vma_seen {
	size_t n;
	bool saw_a;
};

static bool on_vma(void *arg, const struct ptwalk_vma *v)
{
	struct vma_seen *s = arg;

	s->n++;
	/* truth processes[0] region A: 64 KiB at 0x7f96954000, touched */
	if (v->start <= 0x7f96954000 && v->end >= 0x7f96954000 + 65536 && v->perms[0] == 'r' &&
	    v->perms[1] == 'w')
		s->saw_a = true;
	return true;
}

static void count_warning(void *arg, const char *msg)
{
	(void)msg;
	++*(unsigned *)arg;
}

/* truth.json tasks of arm64-4k39: 44 tasks listed, pid 1 ptwtest, pid 2 kthreadd. */
START_TEST(tasks_arm64)
{
	struct ptwalk_dump *d = open_case("arm64-4k39");
	struct task_count c = { 0 };
	struct vma_seen v = { 0 };
	struct ptwalk_task t;
	struct ptwalk_task_layout_info layout;
	unsigned warnings = 0;

	ptwalk_dump_set_warning_handler(d, count_warning, &warnings, 20);
	ck_assert_ptr_null(ptwalk_tasks(d, on_task, &c));
	/* the truth's listing may miss a kworker started after it (its tasks_note) */
	ck_assert_uint_ge(c.n, 44);
	ck_assert_uint_le(c.n, 48);
	ck_assert(c.saw_init && c.saw_kthreadd);
	ck_assert_ptr_null(ptwalk_task_find(d, 65, &t));
	ck_assert_str_eq(t.comm, "ptwtest");
	ck_assert(t.have_pgd);
	ck_assert_uint_eq(t.pgd_pa, 0x41068000); /* truth ttbr0 */
	check_error(ptwalk_task_find(d, 99999, &t), PTWALK_E_NOT_PRESENT);
	ck_assert_ptr_null(ptwalk_task_layout(d, &layout));
	ck_assert_str_eq(layout.source, "inferred"); /* no BTF in this kernel */
	ck_assert_ptr_null(ptwalk_vmas(d, 65, on_vma, &v));
	ck_assert_uint_gt(v.n, 3);
	ck_assert(v.saw_a);
	{
		/* region A: 16 pages, all touched (truth processes[0]) */
		struct ptwalk_space *s;
		struct ptwalk_page_counts pc;

		ck_assert_ptr_null(ptwalk_space_user_pid(d, 65, &s));
		ck_assert_ptr_null(ptwalk_count_pages(s, PTWALK_TREE_USER, 0x7f96954000, 0x7f96954000 + 65536, &pc));
		ck_assert_uint_eq(pc.present, 16);
		ck_assert_uint_eq(pc.not_present + pc.not_in_dump + pc.bad_table, 0);
		ptwalk_space_close(s);
	}
	check_error(ptwalk_vmas(d, 2, on_vma, &v), PTWALK_E_NOT_PRESENT);
	check_error(ptwalk_vmas(d, 99999, on_vma, &v), PTWALK_E_NOT_PRESENT);
	ck_assert_uint_eq(warnings, 0);
	ck_assert_uint_eq(ptwalk_dump_warnings_dropped(d), 0);
	ptwalk_dump_close(d);
}
END_TEST

START_TEST(gcore_arm64)
{
	struct ptwalk_dump *d = open_case("arm64-4k39");
	struct ptwalk_gcore_stats st;
	char name[] = "/tmp/check_api_core.XXXXXX";
	unsigned char head[4];
	int fd = mkstemp(name);

	ck_assert_int_ge(fd, 0);
	unlink(name);
	ck_assert_ptr_null(ptwalk_gcore(d, 65, fd, &st));
	/* region A (64 KiB, all touched) at least, and the thread */
	ck_assert_uint_ge(st.pages_written, 16);
	ck_assert_uint_ge(st.threads, 1);
	ck_assert_int_eq(pread(fd, head, 4, 0), 4);
	ck_assert(memcmp(head, "\177ELF", 4) == 0);
	close(fd);
	check_error(ptwalk_gcore(d, 2, 1, &st), PTWALK_E_NOT_PRESENT);
	ptwalk_dump_close(d);
}
END_TEST

struct maps_seen {
	size_t ranges, lines, markers;
	size_t facts_found;
};

static void on_range(void *arg, const struct ptwalk_map_range *r)
{
	struct maps_seen *m = arg;

	m->ranges++;
	/* every mapped fact lies in one range, at the PA the truth says */
	for (size_t i = 0; i < NFACTS; i++) {
		uint64_t va = arm64_facts[i].va;

		if (va >= r->start && (r->end == 0 || va < r->end)) {
			ck_assert_msg(arm64_facts[i].pa != PTWALK_PA_NONE, "%" PRIx64 " listed as mapped", va);
			ck_assert_uint_eq(r->pa + (va - r->start), arm64_facts[i].pa);
			m->facts_found++;
		}
	}
}

static void on_line(void *arg, uint64_t start, uint64_t end, int level, const char *table, uint64_t prot,
		    const char *text)
{
	struct maps_seen *m = arg;

	(void)start, (void)end, (void)level, (void)prot;
	ck_assert_ptr_nonnull(table);
	ck_assert_ptr_nonnull(text);
	m->lines++;
}

static void on_marker(void *arg, const char *name)
{
	(void)name;
	((struct maps_seen *)arg)->markers++;
}

static void on_finding(void *arg, const struct ptwalk_finding *f)
{
	(void)f;
	++*(uint64_t *)arg;
}

START_TEST(maps_and_check_arm64)
{
	struct ptwalk_dump *d = open_case("arm64-4k39");
	struct ptwalk_space *s;
	struct maps_seen m = { 0 };
	struct ptwalk_maps_visitor v = { .range = on_range, .line = on_line, .marker = on_marker };
	struct ptwalk_map_stats stats;
	uint64_t start, count = 99, seen = 0;
	size_t mapped = 0;

	for (size_t i = 0; i < NFACTS; i++)
		mapped += arm64_facts[i].pa != PTWALK_PA_NONE;
	ck_assert_ptr_null(ptwalk_space_kernel(d, &s));
	ck_assert(ptwalk_maps_ptdump_start(s, &start));
	ck_assert_ptr_null(ptwalk_maps(s, PTWALK_TREE_KERNEL, start, 0, true, &v, &m, &stats));
	ck_assert_uint_eq(m.facts_found, mapped);
	ck_assert_uint_gt(m.lines, 10);
	ck_assert_uint_gt(m.markers, 3);
	ck_assert_uint_eq(stats.gaps, 0);
	ck_assert(!stats.budget_exhausted);
	check_error(ptwalk_maps(s, PTWALK_TREE_USER, 0, 0, false, &v, &m, &stats), PTWALK_E_INVALID_ARGUMENT);
	/* kernel_page_tables.txt of this dump has no W+X mapping: no findings */
	ck_assert_ptr_null(ptwalk_check(s, true, false, on_finding, &seen, &count));
	ck_assert_uint_eq(count, seen);
	ptwalk_space_close(s);
	ptwalk_dump_close(d);
}
END_TEST

/* truth.json of x86_64-deb61-4l: kernel_facts, and processes[0] (pid 118, CR3 0x60ce000). */
START_TEST(translate_x86_64)
{
	static const struct fact facts[] = {
		{ 0xffffffff8da48980, 0x2c48980 },  /* _edata */
		{ 0xffffffff8be00018, 0x1000018 },  /* _stext+0x18 */
		{ 0xffffffff8d810000, 0x2a10000 },  /* swapper_pg_dir */
		{ 0xffffffffc0508024, 0x6296024 },  /* module [qemu_fw_cfg] */
		{ 0xffffcf4640001028, 0x7a03028 },  /* vmalloc */
		{ 0xffff898b57fe0000, PTWALK_PA_NONE }, /* linear beyond RAM */
	};
	struct ptwalk_dump *d = open_case("x86_64-deb61-4l");
	struct ptwalk_space *s;
	struct ptwalk_translation t;
	uint64_t va[6], pa[6];

	ck_assert_ptr_null(ptwalk_space_kernel(d, &s));
	for (size_t i = 0; i < 6; i++) {
		ck_assert_ptr_null(ptwalk_translate(s, facts[i].va, &t));
		ck_assert_uint_eq(t.status == PTWALK_OK ? t.pa : PTWALK_PA_NONE, facts[i].pa);
		va[i] = facts[i].va;
	}
	ck_assert_ptr_null(ptwalk_translate_batch(s, va, 6, pa, NULL, NULL));
	for (size_t i = 0; i < 6; i++)
		ck_assert_uint_eq(pa[i], facts[i].pa);
	ptwalk_space_close(s);
	ck_assert_ptr_null(ptwalk_space_user_pid(d, 118, &s));
	ck_assert_ptr_null(ptwalk_translate(s, 0x7ffaf2445000, &t));
	ck_assert_int_eq(t.status, PTWALK_OK);
	ck_assert_uint_eq(t.pa, 0x29ff000);
	ptwalk_space_close(s);
	ptwalk_dump_close(d);
}
END_TEST

/* The number syntax every ptwalk number is read with: decimal or 0x hex,
 * no octal, nothing else; the length given is honoured. */
START_TEST(parse_numbers)
{
	static const struct {
		const char *text;
		uint64_t value;
	} good[] = {
		{ "0", 0 }, { "010", 10 }, { "0x10", 16 }, { "0X1f", 31 }, { "0xABCdef", 0xabcdef },
		{ "18446744073709551615", UINT64_MAX }, { "0xffffffffffffffff", UINT64_MAX },
		{ "0x00000000000000000000001", 1 }, { "000000000000000000000000042", 42 },
		{ "0xffffffe1c0fcae80", 0xffffffe1c0fcae80 },
	};
	static const char *const bad[] = {
		"", "0x", "-1", "+1", " 1", "1 ", "1k", "0x1g", "18446744073709551616", "0x1ffffffffffffffff",
		"1e3", "0b101", "init_task",
	};
	uint64_t v;
	struct ptwalk_error *err;
	char long_text[100];

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		v = 7;
		err = ptwalk_parse_u64(good[i].text, strlen(good[i].text), &v);
		ck_assert_msg(!err, "%s: %s", good[i].text, err ? ptwalk_error_message(err) : "");
		ck_assert_uint_eq(v, good[i].value);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = 7;
		err = ptwalk_parse_u64(bad[i], strlen(bad[i]), &v);
		ck_assert_msg(err != NULL, "'%s' was read as a number", bad[i]);
		ck_assert_ptr_nonnull(strstr(ptwalk_error_message(err), bad[i]));
		check_error(err, PTWALK_E_INVALID_ARGUMENT);
		ck_assert_uint_eq(v, 7); /* untouched */
	}
	/* only the len bytes count: a line of a batch is not NUL-terminated */
	ck_assert_ptr_null(ptwalk_parse_u64("123abc", 3, &v));
	ck_assert_uint_eq(v, 123);
	ck_assert_ptr_null(ptwalk_parse_u64("0x1f\n0x2", 4, &v));
	ck_assert_uint_eq(v, 31);
	check_error(ptwalk_parse_u64(NULL, 0, &v), PTWALK_E_INVALID_ARGUMENT);
	/* a long text is quoted in part */
	memset(long_text, 'z', sizeof(long_text));
	err = ptwalk_parse_u64(long_text, sizeof(long_text), &v);
	ck_assert_ptr_nonnull(err);
	ck_assert_ptr_nonnull(strstr(ptwalk_error_message(err), "..."));
	ck_assert_uint_lt(strlen(ptwalk_error_message(err)), 100);
	ptwalk_error_free(err);
}
END_TEST

/* Addresses as people write them, against truth.json's symbols of
 * arm64-4k39; the symbols are loaded only for text shaped like one. */
START_TEST(address_parse_arm64)
{
	struct ptwalk_dump *d = open_case("arm64-4k39");
	uint64_t va = 7;
	struct ptwalk_error *err;

	ck_assert_ptr_null(ptwalk_address_parse(d, "0xffffffe1c0fcae80", 18, &va));
	ck_assert_uint_eq(va, 0xffffffe1c0fcae80);
	ck_assert_ptr_null(ptwalk_address_parse(d, "010", 3, &va));
	ck_assert_uint_eq(va, 10);
	err = ptwalk_address_parse(d, "0xzz", 4, &va);
	ck_assert_ptr_nonnull(err);
	ck_assert_str_eq(ptwalk_error_message(err), "not an address: '0xzz'");
	check_error(err, PTWALK_E_INVALID_ARGUMENT);
	check_error(ptwalk_address_parse(d, "init task", 9, &va), PTWALK_E_INVALID_ARGUMENT);
	check_error(ptwalk_address_parse(d, "", 0, &va), PTWALK_E_INVALID_ARGUMENT);
	ck_assert_uint_eq(va, 10);
	ck_assert(!ptwalk_symbols_loaded(d));
	/* init_task, init_uts_ns: truth.json symbols */
	ck_assert_ptr_null(ptwalk_address_parse(d, "init_task\n", 9, &va));
	ck_assert_uint_eq(va, 0xffffffe1c0fcae80);
	ck_assert(ptwalk_symbols_loaded(d));
	ck_assert_ptr_null(ptwalk_address_parse(d, "init_uts_ns+0x18", 16, &va));
	ck_assert_uint_eq(va, 0xffffffe1c1053358);
	ck_assert_ptr_null(ptwalk_address_parse(d, "init_uts_ns-16", 14, &va));
	ck_assert_uint_eq(va, 0xffffffe1c1053330);
	check_error(ptwalk_address_parse(d, "no_such_symbol_anywhere", 23, &va), PTWALK_E_INVALID_ARGUMENT);
	ptwalk_dump_close(d);
}
END_TEST

/* Naming addresses as answers show them: image addresses from kallsyms
 * without loading the table, others not at all until it is loaded. */
START_TEST(symbol_name_arm64)
{
	struct ptwalk_dump *d = open_case("arm64-4k39");
	struct ptwalk_symbol sym, at;
	uint64_t off = 7, off_at;

	/* linear map and vmalloc: no name, nothing loaded */
	ck_assert(!ptwalk_symbol_name(d, 0xffffff800fffffc0, &sym, &off));
	ck_assert(!ptwalk_symbol_name(d, 0xffffffc080010000, &sym, &off));
	ck_assert(!ptwalk_symbols_loaded(d));
	/* truth.json: init_uts_ns 0xffffffe1c1053340, init_task 0xffffffe1c0fcae80 */
	ck_assert(ptwalk_symbol_name(d, 0xffffffe1c1053358, &sym, &off));
	ck_assert_str_eq(sym.name, "init_uts_ns");
	ck_assert_uint_eq(sym.address, 0xffffffe1c1053340);
	ck_assert_uint_eq(off, 0x18);
	ck_assert(ptwalk_symbol_name(d, 0xffffffe1c0fcae80, &sym, &off));
	ck_assert_str_eq(sym.name, "init_task");
	ck_assert_uint_eq(off, 0);
	/* the same answer from the loaded table */
	ck_assert_ptr_null(ptwalk_symbols_load(d));
	ck_assert(ptwalk_symbol_name(d, 0xffffffe1c1053358, &sym, &off));
	ck_assert_ptr_null(ptwalk_symbol_at(d, 0xffffffe1c1053358, &at, &off_at));
	ck_assert_str_eq(sym.name, at.name);
	ck_assert_uint_eq(off, off_at);
	ptwalk_dump_close(d);
}
END_TEST

/* Spans: how far one answer holds, against QEMU's translations and the
 * architectures' address-space shapes. */
START_TEST(translate_span_arm64)
{
	struct ptwalk_dump *d = open_case("arm64-4k39");
	struct ptwalk_space *s;
	struct ptwalk_translation t, t2;
	uint64_t span, va, pa;

	ck_assert_ptr_null(ptwalk_space_kernel(d, &s));
	/* _edata (QEMU: 0x4065b008) lies in a 4 KiB page: the span ends with it */
	ck_assert_ptr_null(ptwalk_translate_span(s, 0xffffffe1c105b008, &t, &span));
	ck_assert_int_eq(t.status, PTWALK_OK);
	ck_assert_uint_eq(t.pa, 0x4065b008);
	ck_assert_uint_gt(span, 0);
	ck_assert_uint_le(span, 0x1000 - 0x008);
	ck_assert_ptr_null(ptwalk_translate(s, 0xffffffe1c105b008 + span - 1, &t2));
	ck_assert_uint_eq(t2.pa, 0x4065b008 + span - 1);
	/* _end and _end+0x18: not mapped (QEMU), one span */
	ck_assert_ptr_null(ptwalk_translate_span(s, 0xffffffe1c10a0000, &t, &span));
	ck_assert_int_eq(t.status, PTWALK_NOT_MAPPED);
	ck_assert(span == 0 || span > 0x18);
	/* the user half of a 39-bit space ends at 2^39: above, non-canonical
	 * up to where bit 55 flips (TBI takes bit 55 for the half) */
	ck_assert_ptr_null(ptwalk_translate_span(s, 0x007ffffffffffff0, &t, &span));
	ck_assert_int_eq(t.status, PTWALK_NON_CANONICAL);
	ck_assert_uint_eq(span, 0x10);
	ck_assert_ptr_null(ptwalk_translate_span(s, 0x7f96954000, &t, &span));
	ck_assert_int_eq(t.status, PTWALK_NO_USER_TABLE);
	ck_assert_uint_eq(span, (UINT64_C(1) << 39) - 0x7f96954000);
	/* truth.json: pid 65's region C (0x7f96950000, 4 pages) had pages 0,
	 * 1 and 3 touched: page 2 is a hole of one page */
	va = 0x7f96952000;
	ptwalk_space_close(s);
	ck_assert_ptr_null(ptwalk_space_user_pid(d, 65, &s));
	ck_assert_ptr_null(ptwalk_translate_span(s, va, &t, &span));
	ck_assert_int_eq(t.status, PTWALK_NOT_MAPPED);
	ck_assert_uint_eq(span, 0x1000);
	ck_assert_ptr_null(ptwalk_translate_span(s, 0x7f969547f8, &t, &span));
	ck_assert_uint_eq(t.pa, 0x481517f8);
	ck_assert_uint_eq(span, 0x808);
	ck_assert(ptwalk_space_user_root_pa(s, &pa));
	ck_assert_uint_eq(ptwalk_space_va_bits(s, PTWALK_TREE_USER), 39);
	ck_assert_uint_eq(ptwalk_space_va_bits(s, PTWALK_TREE_KERNEL), 39);
	ck_assert_uint_eq(ptwalk_space_tables_changed(s, NULL), 0);
	ptwalk_space_close(s);
	ptwalk_dump_close(d);
}
END_TEST

/* Tables as crash shows them, struct page as VMCOREINFO lays it out. */
START_TEST(tables_and_pages_arm64)
{
	struct ptwalk_dump *d = open_case("arm64-4k39");
	struct ptwalk_space *s;
	struct ptwalk_pages *pages;
	struct ptwalk_page p;
	uint64_t va;

	ck_assert_ptr_null(ptwalk_space_kernel(d, &s));
	/* truth.json: swapper_pg_dir 0xffffffe1c0ef4000 at PA 0x404f4000 */
	ck_assert(ptwalk_table_va(s, 0x404f4000, &va));
	ck_assert_uint_eq(va, 0xffffffe1c0ef4000);
	ck_assert(ptwalk_table_va(s, 0x404f4ff8, &va));
	ck_assert_uint_eq(va, 0xffffffe1c0ef4ff8);
	/* other tables through the linear map (QEMU: 0xffffff800fffffc0 -> 0x4fffffc0) */
	ck_assert(ptwalk_table_va(s, 0x4fffffc0, &va));
	ck_assert_uint_eq(va, 0xffffff800fffffc0);
	ptwalk_space_close(s);

	ck_assert_ptr_null(ptwalk_pages_open(d, &pages));
	/* vmemmap (truth.json's SYMBOL(vmemmap) value 0xfffffffebf000000) +
	 * pfn * 64: init_task's frame (PA 0x405cae80) */
	ck_assert_ptr_null(ptwalk_pages_read(pages, 0x405cae80, &p));
	ck_assert_uint_eq(p.pfn, 0x405ca);
	ck_assert_uint_eq(p.pa, 0x405ca000);
	ck_assert_uint_eq(p.address, 0xfffffffebf000000 + 0x405ca * 64);
	ck_assert(p.have_contents);
	ck_assert_int_ge(p.refcount, 1); /* kernel image pages are in use */
	ck_assert_uint_le(p.nflag_names, PTWALK_PAGE_MAX_FLAGS);
	/* beyond RAM: QEMU finds vmemmap 0xfffffffed0400000 not mapped */
	ck_assert_ptr_null(ptwalk_pages_read(pages, (UINT64_C(0xfffffffed0400000) - 0xfffffffebf000000) / 64 * 4096, &p));
	ck_assert_uint_eq(p.address, 0xfffffffed0400000);
	ck_assert(!p.have_contents);
	ck_assert_int_eq(p.missing, PTWALK_NOT_MAPPED);
	ptwalk_pages_close(pages);
	ptwalk_dump_close(d);
}
END_TEST

START_TEST(va_bits_x86_64)
{
	/* x86-64: 4-level paging splits 48 bits in two halves of 47, 5-level 57 in two of 56 */
	static const struct {
		const char *name;
		unsigned bits;
	} cases[] = { { "x86_64-deb61-4l", 47 }, { "x86_64-deb61-5l", 56 } };

	for (size_t i = 0; i < 2; i++) {
		struct ptwalk_dump *d = open_case(cases[i].name);
		struct ptwalk_space *s;
		struct ptwalk_translation t;
		uint64_t span;

		ck_assert_ptr_null(ptwalk_space_kernel(d, &s));
		ck_assert_uint_eq(ptwalk_space_va_bits(s, PTWALK_TREE_KERNEL), cases[i].bits);
		ck_assert_uint_eq(ptwalk_space_va_bits(s, PTWALK_TREE_USER), cases[i].bits);
		/* the non-canonical hole between the halves: a span within it */
		ck_assert_ptr_null(ptwalk_translate_span(s, 0x0100000000000010, &t, &span));
		ck_assert_int_eq(t.status, PTWALK_NON_CANONICAL);
		ck_assert_uint_gt(span, 0);
		ck_assert_uint_le(span, -(UINT64_C(1) << cases[i].bits) - 0x0100000000000010);
		ptwalk_space_close(s);
		ptwalk_dump_close(d);
	}
}
END_TEST

START_TEST(error_in_file)
{
	struct ptwalk_error *err = ptwalk_error_create(PTWALK_E_OS, "writing: %s", "No space left on device");

	ck_assert_ptr_null(ptwalk_error_file(err));
	ck_assert_ptr_eq(ptwalk_error_in_file(err, "out.bin"), err);
	ck_assert_str_eq(ptwalk_error_file(err), "out.bin");
	ck_assert_str_eq(ptwalk_error_message(err), "writing: No space left on device");
	ptwalk_error_free(err);
	ck_assert_ptr_null(ptwalk_error_in_file(NULL, "out.bin"));
}
END_TEST

static Suite *api_suite(void)
{
	Suite *s = suite_create("api");
	TCase *tc = tcase_create("translate");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, open_errors);
	tcase_add_test(tc, open_fd_and_options);
	tcase_add_test(tc, info_arm64);
	tcase_add_test(tc, translate_kernel_arm64);
	tcase_add_test(tc, translate_batch_arm64);
	tcase_add_test(tc, translate_user_arm64);
	tcase_add_test(tc, read_memory_arm64);
	tcase_add_test(tc, ptov_arm64);
	tcase_add_test(tc, symbols_arm64);
	tcase_add_test(tc, log_arm64);
	tcase_add_test(tc, tasks_arm64);
	tcase_add_test(tc, gcore_arm64);
	tcase_add_test(tc, maps_and_check_arm64);
	tcase_add_test(tc, translate_x86_64);
	suite_add_tcase(s, tc);
	tc = tcase_create("addresses");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, parse_numbers);
	tcase_add_test(tc, address_parse_arm64);
	tcase_add_test(tc, symbol_name_arm64);
	tcase_add_test(tc, translate_span_arm64);
	tcase_add_test(tc, tables_and_pages_arm64);
	tcase_add_test(tc, va_bits_x86_64);
	tcase_add_test(tc, error_in_file);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr;
	int failed;

	/* The cases are the sample dumps, which the release tarball (make
	 * distcheck) leaves out: skipped, saying so. */
	if (access(data("arm64-4k39", "truth.json"), R_OK) != 0) {
		printf("no testdata/arm64-4k39: skipped\n");
		return 77;
	}
	sr = srunner_create(api_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
