/* vtop: virtual to physical, every level of the walk shown. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xlat_cli.h"

/* Batch input is read in blocks, and --brief output formatted by hand: a
 * million addresses a second is the point of --brief. */
#define IN_BLOCK (1u << 16)
#define MAX_LINE 256

static char *put_hex(char *p, uint64_t v)
{
	static const char digits[] = "0123456789abcdef";
	char tmp[16];
	int n = 0;

	do {
		tmp[n++] = digits[v & 15];
		v >>= 4;
	} while (v);
	while (n)
		*p++ = tmp[--n];
	return p;
}

struct vtop_state {
	struct ptw_xctx *c;
	struct ptw_json j;
	unsigned unanswered;
	unsigned bad_input;
	unsigned long long line;
	bool first_text;
};

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
		printf("%-16" PRIx64 "  (%s)\n", res->input, ptw_walk_status_name(r->status));
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
		char buf[64], *p = buf;

		p = put_hex(p, res.input);
		*p++ = ' ';
		if (ptw_xres_ok(&res)) {
			p = put_hex(p, res.r.pa);
		} else {
			const char *s = ptw_walk_status_name(res.r.status);
			size_t n = strlen(s);

			memcpy(p, s, n);
			p += n;
		}
		*p++ = '\n';
		fwrite(buf, 1, (size_t)(p - buf), stdout);
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
		for (i = 2; i < n; i++) {
			char ch = s[i];
			unsigned d;

			if (ch >= '0' && ch <= '9')
				d = (unsigned)(ch - '0');
			else if (ch >= 'a' && ch <= 'f')
				d = (unsigned)(ch - 'a' + 10);
			else if (ch >= 'A' && ch <= 'F')
				d = (unsigned)(ch - 'A' + 10);
			else
				return false;
			v = v << 4 | d;
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
		ptw_cli_warn(st->c->cli, "stdin line %llu: not an address: '%.*s'", st->line,
			     (int)(n > 40 ? 40 : n), s);
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
		for (size_t i = 0; i < have; i++) {
			if (buf[i] != '\n')
				continue;
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
			ptw_cli_warn(st->c->cli, "stdin line %llu: too long", st->line + 1);
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
	setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
	ptw_json_init(&st.j, stdout);
	for (size_t i = 0; i < cli->nargs && !err; i++) {
		uint64_t va;

		if (strcmp(cli->args[i], "-") == 0) {
			err = from_stdin(&st);
		} else if (ptw_parse_u64(cli->args[i], &va)) {
			err = answer(&st, va);
		} else {
			fflush(stdout);
			fprintf(stderr, "ptwalk: vtop: '%s' is not an address (decimal or 0x hex)\n", cli->args[i]);
			ptw_xctx_close(&c);
			return PTW_EXIT_USAGE;
		}
	}
	fflush(stdout);
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
	.synopsis = "DUMP ADDR... | - [--brief] [--json] [--pgd PA]",
	.summary = "virtual to physical, showing every level of the walk",
	.details = "ADDR is a virtual address (decimal or 0x hex); '-' reads one per line from stdin.\n"
		   "Tagged addresses (arm64 TBI/MTE) are untagged by sign-extending bit 55. Addresses\n"
		   "with bit 55 set walk the kernel table (TTBR1); others need --pgd.\n"
		   "Levels are Arm lookup levels: 3 is the last; a 3-level tree starts at 1, a\n"
		   "5-level (LPA2) one at -1. Exit 4 if any address could not be translated.",
	.options = PTW_OPTS_COMMON | PTW_OPT_BRIEF | PTW_OPT_PGD,
	.min_args = 1,
	.max_args = (size_t)-1,
};
