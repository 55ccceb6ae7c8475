/* vtop: virtual to physical, every level of the walk shown. */
#include <endian.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xlat_cli.h"

/* Batch input is read in blocks, and --brief output formatted by hand into
 * a buffer of its own, handed to stdio in large blocks: a million addresses
 * a second is the point of --brief, and at that rate a call into stdio per
 * line, or a loop per digit, costs more than the walk. */
#define IN_BLOCK (1u << 16)
#define MAX_LINE 256
#define BRIEF_OUT_BLOCK (1u << 20)
/* Room kept for a --brief line: two 16-digit numbers (or one and a status
 * name), and the 15 bytes put_hex may store past the last digit. */
#define BRIEF_LINE_MAX 64

/* Each hex digit's value plus one; 0 for bytes that are not hex digits. */
static const unsigned char hex_digit_value_plus_one[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5,
	['5'] = 6, ['6'] = 7, ['7'] = 8, ['8'] = 9, ['9'] = 10,
	['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
	['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

struct vtop_state {
	struct ptw_xctx *c;
	struct ptw_json j;
	unsigned unanswered;
	unsigned bad_input;
	unsigned long long line;
	bool first_text;
	/* --brief output not yet given to stdio: brief_out[0..brief_len). */
	char *brief_out;
	size_t brief_len;
};

/* Byte k of the result is nibble k of v (k = 0: the lowest). */
static uint64_t nibbles_to_bytes(uint32_t v)
{
	uint64_t x = v;

	x = (x | x << 16) & UINT64_C(0x0000ffff0000ffff);
	x = (x | x << 8) & UINT64_C(0x00ff00ff00ff00ff);
	x = (x | x << 4) & UINT64_C(0x0f0f0f0f0f0f0f0f);
	return x;
}

/* Each byte 0..15 of x as its lower-case hex digit: '0' + b, and 39 more
 * ('a' - '0' - 10) where b >= 10, i.e. where b + 6 carries into bit 4. */
static uint64_t bytes_to_hex_digits(uint64_t x)
{
	uint64_t letters = ((x + UINT64_C(0x0606060606060606)) >> 4) & UINT64_C(0x0101010101010101);

	return x + UINT64_C(0x3030303030303030) + letters * 39;
}

/* v in lower-case hex without leading zeros (as "%" PRIx64), at p; returns
 * the end. All 16 digits are made at once, eight to a 64-bit word, without
 * a branch, and the significant ones copied with one fixed-size copy: 16
 * bytes are stored at p whatever the width, so the caller leaves that much
 * room (the bytes after the digits are overwritten next). */
static char *put_hex(char *p, uint64_t v)
{
	char digits[32];
	uint64_t high = bytes_to_hex_digits(nibbles_to_bytes((uint32_t)(v >> 32)));
	uint64_t low = bytes_to_hex_digits(nibbles_to_bytes((uint32_t)v));
	unsigned width = v ? (unsigned)(64 - __builtin_clzll(v) + 3) / 4 : 1;

	/* Most significant digit first: byte 0 of each word is its lowest. */
	high = htobe64(high);
	low = htobe64(low);
	memcpy(digits, &high, 8);
	memcpy(digits + 8, &low, 8);
	memset(digits + 16, 0, 16);
	memcpy(p, digits + 16 - width, 16);
	return p + width;
}

/* The 8 hex digits at s (either case) as a number, or false if any byte is
 * not one: all eight are tested and converted at once in a 64-bit word. A
 * byte c < 0x80 is >= lo when c + 0x80 - lo sets bit 7, and <= hi when
 * c + 0x7f - hi leaves it clear; c | 0x20 folds 'A'-'F' onto 'a'-'f'. */
static bool parse_8_hex_digits(const char *s, uint32_t *ret)
{
	const uint64_t ones = UINT64_C(0x0101010101010101), top = ones * 0x80;
	uint64_t x, folded, digit, letter, v;

	memcpy(&x, s, 8);
	x = le64toh(x); /* byte 0: the first, most significant digit */
	if (x & top)
		return false;
	folded = x | ones * 0x20;
	digit = (x + ones * (0x80 - '0')) & ~(x + ones * (0x7f - '9')) & top;
	letter = (folded + ones * (0x80 - 'a')) & ~(folded + ones * (0x7f - 'f')) & top;
	if ((digit | letter) != top)
		return false;
	v = (x & ones * 0x0f) + (letter >> 7) * 9;
	/* Pack: pairs of digits into bytes, bytes into 16-bit units, units
	 * into the 32-bit value; the earlier digit is the higher each time. */
	v = (v << 4 | v >> 8) & UINT64_C(0x00ff00ff00ff00ff);
	v = (v << 8 | v >> 16) & UINT64_C(0x0000ffff0000ffff);
	*ret = (uint32_t)(v << 16 | v >> 32);
	return true;
}

/* Hand the buffered --brief lines to stdio (before anything else is
 * written to stdout, and at the end). */
static void flush_brief(struct vtop_state *st)
{
	if (st->brief_len)
		fwrite(st->brief_out, 1, st->brief_len, stdout);
	st->brief_len = 0;
}

static void print_text(struct vtop_state *st, const struct ptw_xres *res)
{
	struct ptw_xctx *c = st->c;
	const struct ptw_walk_result *r = &res->r;
	uint64_t tva;
	char flags[256], size[32];

	if (!st->first_text)
		putchar('\n');
	st->first_text = false;
	printf("VIRTUAL           PHYSICAL\n");
	if (ptw_xres_ok(res) || r->have_pa)
		printf("%-16" PRIx64 "  %" PRIx64 "\n", res->input, r->pa);
	else
		printf(PTW_COL_HEX "  (%s)\n", res->input, ptw_xres_status_name(res));
	if (res->tagged)
		printf("UNTAGGED:       %" PRIx64 "\n", res->va);
	if (!res->g) {
		printf("  %s\n", r->reason);
		return;
	}
	if (r->status == PTW_WALK_NON_CANONICAL) {
		printf("  not canonical: outside both halves of the %u-bit address space\n", res->g->va_bits);
		return;
	}
	if (ptw_xctx_table_va(c, r->table_base, &tva))
		printf("PAGE DIRECTORY: %" PRIx64 "\n", tva);
	else
		printf("PAGE DIRECTORY: %" PRIx64 " (physical)\n", r->table_base);
	for (unsigned i = 0; i < r->nsteps; i++) {
		const struct ptw_walk_step *s = &r->step[i];
		const char *name = c->ops->level_name ? c->ops->level_name(res->g, s->idx) : "L";

		if (ptw_xctx_table_va(c, s->entry_pa, &tva))
			printf("  %4s: %" PRIx64 " => %" PRIx64 "\n", name, tva, s->raw);
		else
			printf("  %4s: %" PRIx64 " (physical) => %" PRIx64 "\n", name, s->entry_pa, s->raw);
	}
	ptw_size_text(r->page_size, size, sizeof(size));
	switch (r->status) {
	case PTW_WALK_OK:
	case PTW_WALK_NOT_IN_DUMP:
		if (r->have_pa) {
			printf("  PAGE: %" PRIx64 "  (%s %s, level %d%s)\n", r->pa & ~(r->page_size - 1), size,
			       r->leaf_is_block ? "block" : "page", r->level,
			       r->status == PTW_WALK_NOT_IN_DUMP ? ", not in the dump" : "");
			ptw_xctx_flags_text(c, res, flags, sizeof(flags));
			printf(" FLAGS: %s\n", flags);
			if (r->cont_size) {
				ptw_size_text(r->cont_size, size, sizeof(size));
				printf("  CONT: part of a %s contiguous run\n", size);
			}
		} else {
			printf("  not in the dump: the table at %" PRIx64 " (from the level %d entry) is missing\n",
			       r->missing_pa, r->level);
		}
		break;
	case PTW_WALK_NOT_MAPPED:
		printf("  not mapped: invalid entry at level %d, index %u\n", r->level,
		       r->nsteps ? r->step[r->nsteps - 1].index : 0);
		break;
	case PTW_WALK_BAD_TABLE:
		printf("  bad table at level %d, index %u, entry %" PRIx64 ": %s\n", r->level,
		       r->nsteps ? r->step[r->nsteps - 1].index : 0, r->nsteps ? r->step[r->nsteps - 1].raw : 0,
		       r->reason ? r->reason : "forbidden descriptor");
		break;
	case PTW_WALK_NON_CANONICAL:
	case PTW_WALK_ALIAS: /* only iterations that track tables */
		break;
	}
}

static struct ptw_error *answer(struct vtop_state *st, uint64_t va)
{
	struct ptw_xres res;
	struct ptw_error *err = ptw_xctx_translate(st->c, va, &res);

	if (err)
		return err;
	if (!ptw_xres_ok(&res))
		st->unanswered++;
	if (st->c->cli->json) {
		ptw_xctx_json(st->c, &st->j, &res);
	} else if (st->c->cli->brief) {
		char *p;

		if (st->brief_len > BRIEF_OUT_BLOCK - BRIEF_LINE_MAX)
			flush_brief(st);
		p = st->brief_out + st->brief_len;
		p = put_hex(p, res.input);
		*p++ = ' ';
		if (ptw_xres_ok(&res)) {
			p = put_hex(p, res.r.pa);
		} else {
			const char *s = ptw_xres_status_name(&res);
			size_t n = strlen(s);

			memcpy(p, s, n);
			p += n;
		}
		*p++ = '\n';
		st->brief_len = (size_t)(p - st->brief_out);
	} else {
		print_text(st, &res);
	}
	return NULL;
}

/* Decimal or 0x hex, as ptw_parse_u64 accepts, without strtoull's locale cost. */
static bool parse_addr(const char *s, size_t n, uint64_t *ret)
{
	uint64_t v = 0;
	size_t i = 0;

	if (n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		if (n == 2 || n > 18)
			return false;
		/* Bounded: at most 16 digits. */
		for (i = 2; i + 8 <= n; i += 8) {
			uint32_t eight;

			if (!parse_8_hex_digits(s + i, &eight))
				return false;
			v = v << 32 | eight;
		}
		for (; i < n; i++) {
			unsigned d = hex_digit_value_plus_one[(unsigned char)s[i]];

			if (!d)
				return false;
			v = v << 4 | (d - 1);
		}
		*ret = v;
		return true;
	}
	if (n == 0 || n > 20)
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		if (v > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*ret = v;
	return true;
}

static struct ptw_error *one_line(struct vtop_state *st, const char *s, size_t n)
{
	uint64_t va;

	st->line++;
	while (n && (s[0] == ' ' || s[0] == '\t')) {
		s++;
		n--;
	}
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	if (n == 0)
		return NULL;
	if (!parse_addr(s, n, &va)) {
		st->bad_input++;
		char where[48];

		snprintf(where, sizeof(where), "stdin: line %llu", st->line);
		ptw_cli_warn_in(st->c->cli, where, "not an address: '%.*s'", (int)(n > 40 ? 40 : n), s);
		return NULL;
	}
	return answer(st, va);
}

static struct ptw_error *from_stdin(struct vtop_state *st)
{
	char *buf = malloc(IN_BLOCK + MAX_LINE);
	size_t have = 0;
	struct ptw_error *err = NULL;

	if (!buf)
		return &ptw_enomem;
	for (;;) {
		size_t n = fread(buf + have, 1, IN_BLOCK, stdin);
		size_t start = 0;

		have += n;
		/* Bounded: each line found moves start past it, within have. */
		while (start < have) {
			const char *nl = memchr(buf + start, '\n', have - start);
			size_t i;

			if (!nl)
				break;
			i = (size_t)(nl - buf);
			err = one_line(st, buf + start, i - start);
			if (err)
				goto out;
			start = i + 1;
		}
		memmove(buf, buf + start, have - start);
		have -= start;
		if (have >= MAX_LINE) {
			/* a line longer than any address: skip it */
			st->bad_input++;
			char where[48];

			snprintf(where, sizeof(where), "stdin: line %llu", st->line + 1);
			ptw_cli_warn_in(st->c->cli, where, "too long");
			have = 0;
		}
		if (n == 0) {
			if (ferror(stdin))
				err = ptw_error_errno(5, "reading stdin");
			else if (have)
				err = one_line(st, buf, have);
			break;
		}
	}
out:
	free(buf);
	return err;
}

static int run_vtop(struct ptw_cli *cli)
{
	struct ptw_xctx c;
	struct vtop_state st = { .c = &c, .first_text = true };
	struct ptw_error *err = ptw_xctx_open(cli, &c);
	static char outbuf[1 << 16];

	if (err)
		return ptw_cli_fail(cli, err);
	if (cli->brief && !cli->json) {
		st.brief_out = malloc(BRIEF_OUT_BLOCK);
		if (!st.brief_out) {
			ptw_xctx_close(&c);
			return ptw_cli_fail(cli, &ptw_enomem);
		}
	}
	setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
	ptw_json_init(&st.j, stdout);
	for (size_t i = 0; i < cli->nargs && !err; i++) {
		uint64_t va;

		if (strcmp(cli->args[i], "-") == 0) {
			err = from_stdin(&st);
		} else if (ptw_parse_u64(cli->args[i], &va)) {
			err = answer(&st, va);
		} else {
			flush_brief(&st);
			fflush(stdout);
			fprintf(stderr, "ptwalk: vtop: '%s' is not an address (decimal or 0x hex)\n", cli->args[i]);
			free(st.brief_out);
			ptw_xctx_close(&c);
			return PTW_EXIT_USAGE;
		}
	}
	flush_brief(&st);
	fflush(stdout);
	free(st.brief_out);
	ptw_xctx_close(&c);
	if (err)
		return ptw_cli_fail(cli, err);
	if (st.bad_input)
		return PTW_EXIT_USAGE;
	return st.unanswered ? PTW_EXIT_UNANSWERED : PTW_EXIT_OK;
}

const struct ptw_command ptw_cmd_vtop = {
	.name = "vtop",
	.run = run_vtop,
	.synopsis = "DUMP ADDR... | - [--brief] [--json] [--pgd PA | --pid PID]",
	.summary = "virtual to physical, showing every level of the walk",
	.details = "ADDR is a virtual address (decimal or 0x hex); '-' reads one per line from stdin.\n"
		   "Tagged addresses (arm64 TBI/MTE) are untagged by sign-extending bit 55. Addresses\n"
		   "with bit 55 set walk the kernel table (TTBR1); others need --pgd.\n"
		   "Levels are Arm lookup levels: 3 is the last; a 3-level tree starts at 1, a\n"
		   "5-level (LPA2) one at -1. Exit 4 if any address could not be translated.",
	.options = PTW_OPTS_COMMON | PTW_OPT_BRIEF | PTW_OPT_PGD | PTW_OPT_PID,
	.min_args = 1,
	.max_args = (size_t)-1,
};
