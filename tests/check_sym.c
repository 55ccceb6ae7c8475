/* Symbols: kallsyms tables encoded here by hand the way scripts/kallsyms.c
 * lays them out (both address encodings, big names, a long token), decoded
 * and looked up; every kind of corruption the decoder names; the lookups'
 * rules (global first, end markers, absolute symbols); SYMBOL+OFF; the
 * VMCOREINFO check and supplement; System.map parsing with a KASLR offset. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sym.h"
#include "vmcoreinfo.h"

/* Tokens 1..127 are the single characters; 128.. are the strings below, the
 * last longer than the decoder's fast-path slot. */
static const char *const multi_tokens[] = {
	"start_", "kernel", "_text", "init", "this_token_is_longer_than_sixteen_bytes",
};
#define NMULTI (sizeof(multi_tokens) / sizeof(multi_tokens[0]))

struct enc {
	uint8_t token_table[4096];
	size_t token_table_len;
	uint8_t token_index[512];
	uint8_t names[65536];
	size_t names_len;
	uint8_t offsets[4 * 64];
	uint8_t addresses[8 * 64];
	uint32_t num;
};

static void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void enc_init(struct enc *e)
{
	memset(e, 0, sizeof(*e));
	for (unsigned i = 0; i < 256; i++) {
		char tok[64] = "";

		if (i >= 1 && i < 128)
			tok[0] = (char)i;
		else if (i >= 128 && i - 128 < NMULTI)
			strcpy(tok, multi_tokens[i - 128]);
		put16(e->token_index + 2 * i, (unsigned)e->token_table_len);
		memcpy(e->token_table + e->token_table_len, tok, strlen(tok) + 1);
		e->token_table_len += strlen(tok) + 1;
	}
}

/* Append "TYPE NAME" (typed_name = type letter then name), greedily tokenized. */
static void enc_add(struct enc *e, const char *typed_name, uint32_t offset, uint64_t address)
{
	uint8_t codes[1024];
	size_t n = 0;

	for (const char *p = typed_name; *p;) {
		unsigned code = (unsigned char)*p, step = 1;

		for (unsigned k = 0; k < NMULTI; k++)
			if (strncmp(p, multi_tokens[k], strlen(multi_tokens[k])) == 0) {
				code = 128 + k;
				step = (unsigned)strlen(multi_tokens[k]);
				break;
			}
		codes[n++] = (uint8_t)code;
		p += step;
	}
	if (n >= 0x80) {
		e->names[e->names_len++] = (uint8_t)(0x80 | (n & 0x7f));
		e->names[e->names_len++] = (uint8_t)(n >> 7);
	} else {
		e->names[e->names_len++] = (uint8_t)n;
	}
	memcpy(e->names + e->names_len, codes, n);
	e->names_len += n;
	put32(e->offsets + 4 * e->num, offset);
	for (int i = 0; i < 8; i++)
		e->addresses[8 * e->num + i] = (uint8_t)(address >> (8 * i));
	e->num++;
}

static struct ptw_kallsyms_tables enc_tables(const struct enc *e, bool absolute, uint64_t base)
{
	struct ptw_kallsyms_tables t = {
		.num_syms = e->num, .names = e->names, .names_len = e->names_len,
		.token_table = e->token_table, .token_table_len = e->token_table_len,
		.token_index = e->token_index, .relative_base = base,
	};
	if (absolute)
		t.addresses = e->addresses;
	else
		t.offsets = e->offsets;
	return t;
}

static struct ptw_symtab *decode_ok(const struct ptw_kallsyms_tables *t)
{
	struct ptw_symtab *st;
	struct ptw_error *err;

	ck_assert_ptr_null(ptw_symtab_create(PTW_SYM_KALLSYMS, &st));
	err = ptw_kallsyms_decode(t, st);
	ck_assert_msg(err == NULL, "decode: %s", err ? err->message : "");
	ck_assert_ptr_null(ptw_symtab_finish(st));
	return st;
}

static char *decode_error(const struct ptw_kallsyms_tables *t)
{
	struct ptw_symtab *st;
	struct ptw_error *err;
	char *msg;

	ck_assert_ptr_null(ptw_symtab_create(PTW_SYM_KALLSYMS, &st));
	err = ptw_kallsyms_decode(t, st);
	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(err->code, PTW_E_BAD_DATA);
	msg = strdup(err->message);
	ptw_error_destroy(err);
	ptw_symtab_destroy(st);
	return msg;
}

#define BASE 0xffff800080000000ull

/* A little kernel: _text, _stext, two functions, a static twice, _etext. */
static void small_kernel(struct enc *e)
{
	enc_init(e);
	enc_add(e, "T_text", 0x0, BASE);
	enc_add(e, "T_stext", 0x10000, BASE + 0x10000);
	enc_add(e, "tgic_handle_irq", 0x10000, BASE + 0x10000);
	enc_add(e, "tcleanup", 0x10100, BASE + 0x10100);
	enc_add(e, "Tstart_kernel", 0x20000, BASE + 0x20000);
	enc_add(e, "tcleanup", 0x20400, BASE + 0x20400);
	enc_add(e, "Tcleanup", 0x20800, BASE + 0x20800);
	enc_add(e, "D_etext", 0x30000, BASE + 0x30000);
	enc_add(e, "Tinit_this_token_is_longer_than_sixteen_bytes", 0x40000, BASE + 0x40000);
	enc_add(e, "Tlast", 0x40100, BASE + 0x40100);
}

START_TEST(test_decode_relative)
{
	struct enc e;
	struct ptw_kallsyms_tables t;
	struct ptw_symtab *st;
	struct ptw_symbol s;
	uint64_t a;
	char type;

	small_kernel(&e);
	t = enc_tables(&e, false, BASE);
	st = decode_ok(&t);
	ck_assert_uint_eq(ptw_symtab_count(st), 10);
	ptw_symtab_get(st, 4, &s);
	ck_assert_str_eq(s.name, "start_kernel");
	ck_assert_int_eq(s.type, 'T');
	ck_assert_uint_eq(s.address, BASE + 0x20000);
	ck_assert(ptw_symtab_lookup_name(st, "init_this_token_is_longer_than_sixteen_bytes", &a, &type));
	ck_assert_uint_eq(a, BASE + 0x40000);
	/* Three "cleanup": the global one wins. */
	ck_assert(ptw_symtab_lookup_name(st, "cleanup", &a, &type));
	ck_assert_uint_eq(a, BASE + 0x20800);
	ck_assert_int_eq(type, 'T');
	ck_assert(!ptw_symtab_lookup_name(st, "nothing", &a, &type));
	/* Data symbols: only the _etext marker, as without KALLSYMS_ALL. */
	ck_assert(!ptw_symtab_has_data_symbols(st));
	ptw_symtab_destroy(st);
}
END_TEST

START_TEST(test_decode_all_by_name)
{
	struct enc e;
	struct ptw_kallsyms_tables t;
	struct ptw_symtab *st;
	struct ptw_symbol s;
	size_t pos = 0;
	uint64_t seen[3];
	int n = 0;

	small_kernel(&e);
	t = enc_tables(&e, false, BASE);
	st = decode_ok(&t);
	while (n < 3 && ptw_symtab_next_by_name(st, "cleanup", &pos, &s))
		seen[n++] = s.address;
	ck_assert_int_eq(n, 3);
	ck_assert(!ptw_symtab_next_by_name(st, "cleanup", &pos, &s));
	ck_assert_uint_eq(seen[0], BASE + 0x10100);
	ck_assert_uint_eq(seen[1], BASE + 0x20400);
	ck_assert_uint_eq(seen[2], BASE + 0x20800);
	ptw_symtab_destroy(st);
}
END_TEST

START_TEST(test_lookup_addr_rules)
{
	struct enc e;
	struct ptw_kallsyms_tables t;
	struct ptw_symtab *st;
	const char *name;
	uint64_t off;

	small_kernel(&e);
	t = enc_tables(&e, false, BASE);
	st = decode_ok(&t);
	ck_assert(ptw_symtab_lookup_addr(st, BASE + 0x20010, &name, &off));
	ck_assert_str_eq(name, "start_kernel");
	ck_assert_uint_eq(off, 0x10);
	/* _stext and gic_handle_irq share an address: the global wins. */
	ck_assert(ptw_symtab_lookup_addr(st, BASE + 0x10000, &name, &off));
	ck_assert_str_eq(name, "_stext");
	/* Past _etext nothing lies inside it; _etext itself is named. */
	ck_assert(ptw_symtab_lookup_addr(st, BASE + 0x30000, &name, &off));
	ck_assert_str_eq(name, "_etext");
	ck_assert(!ptw_symtab_lookup_addr(st, BASE + 0x30008, &name, &off));
	/* Below the first symbol, and past the last one. */
	ck_assert(!ptw_symtab_lookup_addr(st, BASE - 1, &name, &off));
	ck_assert(ptw_symtab_lookup_addr(st, BASE + 0x40100, &name, &off));
	ck_assert(!ptw_symtab_lookup_addr(st, BASE + 0x40108, &name, &off));
	ptw_symtab_destroy(st);
}
END_TEST

/* CONFIG_KALLSYMS_ABSOLUTE_PERCPU: per-CPU symbols keep their small absolute
 * values (offset >= 0), the rest are base - 1 - offset. */
START_TEST(test_decode_absolute_percpu)
{
	struct enc e;
	struct ptw_kallsyms_tables t;
	struct ptw_symtab *st;
	uint64_t base = 0xffffffff81000000ull, a;
	const char *name;
	uint64_t off;

	enc_init(&e);
	enc_add(&e, "Afixed_percpu_data", 0x0, 0);
	enc_add(&e, "Acpu_tss_rw", 0x6000, 0);
	enc_add(&e, "T_text", (uint32_t)(-1 - 0), 0);
	enc_add(&e, "T_stext", (uint32_t)(-1 - 0x1000), 0);
	enc_add(&e, "Tstart_kernel", (uint32_t)(-1 - 0x200000), 0);
	t = enc_tables(&e, false, base);
	st = decode_ok(&t);
	ck_assert(ptw_symtab_lookup_name(st, "cpu_tss_rw", &a, NULL));
	ck_assert_uint_eq(a, 0x6000);
	ck_assert(ptw_symtab_lookup_name(st, "start_kernel", &a, NULL));
	ck_assert_uint_eq(a, base + 0x200000);
	ck_assert(ptw_symtab_lookup_name(st, "_stext", &a, NULL));
	ck_assert_uint_eq(a, base + 0x1000);
	/* Per-CPU offsets never name an address. */
	ck_assert(!ptw_symtab_lookup_addr(st, 0x6010, &name, &off));
	ptw_symtab_destroy(st);
}
END_TEST

START_TEST(test_decode_absolute_addresses_and_big_name)
{
	struct enc e;
	struct ptw_kallsyms_tables t;
	struct ptw_symtab *st;
	char big[300];
	uint64_t a;

	enc_init(&e);
	memset(big, 'x', sizeof(big) - 1);
	big[0] = 't';
	big[sizeof(big) - 1] = '\0';
	enc_add(&e, "T_stext", 0, 0xffffffc010000000ull);
	enc_add(&e, big, 0, 0xffffffc010000100ull); /* 299 tokens: a two-byte length */
	enc_add(&e, "Tafter_big", 0, 0xffffffc010000200ull);
	t = enc_tables(&e, true, 0);
	st = decode_ok(&t);
	ck_assert(ptw_symtab_lookup_name(st, big + 1, &a, NULL));
	ck_assert_uint_eq(a, 0xffffffc010000100ull);
	ck_assert(ptw_symtab_lookup_name(st, "after_big", &a, NULL));
	ck_assert_uint_eq(a, 0xffffffc010000200ull);
	ptw_symtab_destroy(st);
}
END_TEST

START_TEST(test_corrupt_token_index)
{
	struct enc e;
	struct ptw_kallsyms_tables t;
	char *msg;

	small_kernel(&e);
	put16(e.token_index + 2 * 7, 0xfff0);
	t = enc_tables(&e, false, BASE);
	msg = decode_error(&t);
	ck_assert_msg(strstr(msg, "kallsyms_token_index+0xe") && strstr(msg, "past kallsyms_token_table"), "%s", msg);
	free(msg);
}
END_TEST

START_TEST(test_corrupt_token_unterminated)
{
	struct enc e;
	struct ptw_kallsyms_tables t;
	char *msg;

	small_kernel(&e);
	t = enc_tables(&e, false, BASE);
	/* Cut the table inside the long token 132: its NUL is gone. */
	t.token_table_len = (size_t)(e.token_index[2 * 132] | e.token_index[2 * 132 + 1] << 8) + 5;
	msg = decode_error(&t);
	ck_assert_msg(strstr(msg, "kallsyms_token_table+0x") && strstr(msg, "runs past"), "%s", msg);
	free(msg);
}
END_TEST

START_TEST(test_corrupt_names_past_table)
{
	struct enc e;
	struct ptw_kallsyms_tables t;
	char *msg;

	small_kernel(&e);
	t = enc_tables(&e, false, BASE);
	t.names_len -= 3; /* the last name runs past the end */
	msg = decode_error(&t);
	ck_assert_msg(strstr(msg, "kallsyms_names+0x") && strstr(msg, "symbol 9") && strstr(msg, "runs past"),
		      "%s", msg);
	free(msg);
}
END_TEST

START_TEST(test_corrupt_count)
{
	struct enc e;
	struct ptw_kallsyms_tables t;
	char *msg;

	small_kernel(&e);
	t = enc_tables(&e, false, BASE);
	t.num_syms = 0x40000000;
	msg = decode_error(&t);
	ck_assert_msg(strstr(msg, "kallsyms_num_syms = 1073741824") && strstr(msg, "cannot hold"), "%s", msg);
	free(msg);
	t.num_syms = 0;
	msg = decode_error(&t);
	ck_assert_msg(strstr(msg, "kallsyms_num_syms is 0"), "%s", msg);
	free(msg);
	/* More symbols than the names hold, but within the two-bytes-each bound. */
	t.num_syms = e.num + 1;
	msg = decode_error(&t);
	ck_assert_msg(strstr(msg, "symbol 10 starts past the table"), "%s", msg);
	free(msg);
}
END_TEST

START_TEST(test_corrupt_empty_and_huge_names)
{
	struct enc e;
	struct ptw_kallsyms_tables t;
	char *msg;

	small_kernel(&e);
	e.names[0] = 0;
	t = enc_tables(&e, false, BASE);
	msg = decode_error(&t);
	ck_assert_msg(strstr(msg, "kallsyms_names+0x0: symbol 0 is empty"), "%s", msg);
	free(msg);
	/* One name of 1000 copies of the 39-character token: too long. */
	enc_init(&e);
	e.names[0] = 0x80 | (1000 & 0x7f);
	e.names[1] = 1000 >> 7;
	memset(e.names + 2, 128 + 4, 1000);
	e.names_len = 1002;
	e.num = 1;
	t = enc_tables(&e, false, BASE);
	msg = decode_error(&t);
	ck_assert_msg(strstr(msg, "expands past"), "%s", msg);
	free(msg);
}
END_TEST

static void vmcoreinfo(struct ptw_vmcoreinfo *vi, const char *text)
{
	memset(vi, 0, sizeof(*vi));
	ck_assert_ptr_null(ptw_vmcoreinfo_parse(vi, text, strlen(text), 0));
}

START_TEST(test_vmcoreinfo_check_and_supplement)
{
	struct enc e;
	struct ptw_kallsyms_tables t;
	struct ptw_symtab *st;
	struct ptw_vmcoreinfo vi;
	struct ptw_error *err;
	char buf[512];
	uint64_t a;
	char type;

	small_kernel(&e);
	t = enc_tables(&e, false, BASE);
	snprintf(buf, sizeof(buf), "SYMBOL(_stext)=%llx\nSYMBOL(init_uts_ns)=%llx\nSYMBOL(mem_section)=ffff000012345678\n",
		 BASE + 0x10000, BASE + 0x50000);
	vmcoreinfo(&vi, buf);
	ck_assert_ptr_null(ptw_symtab_create(PTW_SYM_KALLSYMS, &st));
	ck_assert_ptr_null(ptw_kallsyms_decode(&t, st));
	ck_assert_ptr_null(ptw_symtab_add_vmcoreinfo(st, &vi));
	ck_assert_ptr_null(ptw_symtab_finish(st));
	ck_assert_ptr_null(ptw_symtab_check_vmcoreinfo(st, &vi));
	ck_assert(ptw_symtab_lookup_name(st, "init_uts_ns", &a, &type));
	ck_assert_uint_eq(a, BASE + 0x50000);
	ck_assert_int_eq(type, '?');
	/* A pointer's value is not a symbol's address. */
	ck_assert(!ptw_symtab_lookup_name(st, "mem_section", &a, &type));
	ck_assert_uint_eq(ptw_symtab_count(st), 11);
	ptw_symtab_destroy(st);
	ptw_vmcoreinfo_free(&vi);

	/* The same tables against another kernel's _stext. */
	snprintf(buf, sizeof(buf), "SYMBOL(_stext)=%llx\n", BASE + 0x12000);
	vmcoreinfo(&vi, buf);
	st = decode_ok(&t);
	err = ptw_symtab_check_vmcoreinfo(st, &vi);
	ck_assert_ptr_nonnull(err);
	ck_assert_msg(strstr(err->message, "_stext is 0xffff800080010000, VMCOREINFO SYMBOL(_stext) is 0xffff800080012000"),
		      "%s", err->message);
	ptw_error_destroy(err);
	ptw_symtab_destroy(st);
	ptw_vmcoreinfo_free(&vi);
}
END_TEST

START_TEST(test_resolve)
{
	struct enc e;
	struct ptw_kallsyms_tables t;
	struct ptw_symtab *st;
	struct ptw_error *err;
	uint64_t a;

	small_kernel(&e);
	t = enc_tables(&e, false, BASE);
	st = decode_ok(&t);
	ck_assert_ptr_null(ptw_symtab_resolve(st, "start_kernel", &a));
	ck_assert_uint_eq(a, BASE + 0x20000);
	ck_assert_ptr_null(ptw_symtab_resolve(st, "start_kernel+0x10", &a));
	ck_assert_uint_eq(a, BASE + 0x20010);
	ck_assert_ptr_null(ptw_symtab_resolve(st, "start_kernel+16", &a));
	ck_assert_uint_eq(a, BASE + 0x20010);
	ck_assert_ptr_null(ptw_symtab_resolve(st, "start_kernel-0x20", &a));
	ck_assert_uint_eq(a, BASE + 0x1ffe0);
	err = ptw_symtab_resolve(st, "no_such_symbol+4", &a);
	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(err->code, PTW_E_INVALID_ARGUMENT);
	ck_assert_msg(strstr(err->message, "no symbol 'no_such_symbol'"), "%s", err->message);
	ptw_error_destroy(err);
	err = ptw_symtab_resolve(st, "start_kernel+0xzz", &a);
	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(err->code, PTW_E_INVALID_ARGUMENT);
	ptw_error_destroy(err);
	err = ptw_symtab_resolve(st, "start_kernel+0x7fffffffffffffff", &a);
	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(err->code, PTW_E_OVERFLOW);
	ptw_error_destroy(err);
	ptw_symtab_destroy(st);
}
END_TEST

static char *write_temp(const char *text)
{
	char *path = strdup("/tmp/ptw-sysmap-XXXXXX");
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

START_TEST(test_sysmap)
{
	char *path = write_temp("0000000000000000 D fixed_percpu_data\n"
				"ffffffff81000000 T _text\n"
				"ffffffff81001000 T _stext\n"
				"ffffffff81200000 T start_kernel\n"
				"ffffffff82000000 D init_task\n");
	struct ptw_symtab *st;
	uint64_t a;

	ck_assert_ptr_null(ptw_symtab_create(PTW_SYM_SYSTEM_MAP, &st));
	ck_assert_ptr_null(ptw_sysmap_load(path, 0x8000000, st));
	ck_assert_ptr_null(ptw_symtab_finish(st));
	ck_assert(ptw_symtab_lookup_name(st, "start_kernel", &a, NULL));
	ck_assert_uint_eq(a, 0xffffffff89200000ull);
	/* Per-CPU offsets are not moved by KASLR. */
	ck_assert(ptw_symtab_lookup_name(st, "fixed_percpu_data", &a, NULL));
	ck_assert_uint_eq(a, 0);
	ck_assert(ptw_symtab_has_data_symbols(st));
	ptw_symtab_destroy(st);
	unlink(path);
	free(path);
}
END_TEST

START_TEST(test_sysmap_bad_line)
{
	char *path = write_temp("ffffffff81000000 T _text\nthis is not a map\n");
	struct ptw_symtab *st;
	struct ptw_error *err;

	ck_assert_ptr_null(ptw_symtab_create(PTW_SYM_SYSTEM_MAP, &st));
	err = ptw_sysmap_load(path, 0, st);
	ck_assert_ptr_nonnull(err);
	ck_assert_msg(strstr(err->message, "line 2: not a System.map line"), "%s", err->message);
	ptw_error_destroy(err);
	ptw_symtab_destroy(st);
	unlink(path);
	free(path);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("sym");
	TCase *tc = tcase_create("kallsyms");
	tcase_add_test(tc, test_decode_relative);
	tcase_add_test(tc, test_decode_all_by_name);
	tcase_add_test(tc, test_lookup_addr_rules);
	tcase_add_test(tc, test_decode_absolute_percpu);
	tcase_add_test(tc, test_decode_absolute_addresses_and_big_name);
	tcase_add_test(tc, test_corrupt_token_index);
	tcase_add_test(tc, test_corrupt_token_unterminated);
	tcase_add_test(tc, test_corrupt_names_past_table);
	tcase_add_test(tc, test_corrupt_count);
	tcase_add_test(tc, test_corrupt_empty_and_huge_names);
	tcase_add_test(tc, test_vmcoreinfo_check_and_supplement);
	tcase_add_test(tc, test_resolve);
	suite_add_tcase(s, tc);
	TCase *tm = tcase_create("sysmap");
	tcase_add_test(tm, test_sysmap);
	tcase_add_test(tm, test_sysmap_bad_line);
	suite_add_tcase(s, tm);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
