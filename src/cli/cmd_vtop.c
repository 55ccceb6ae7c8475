/* vtop: virtual to physical, every level of the walk shown. */
#include <endian.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_cli.h"
#include "lines.h"
#include "page.h"
#include "vmem.h"
#include "xlat_cli.h"

/* Batch input is read in blocks (lines.c), and --brief output formatted by
 * hand into a buffer of its own, handed to stdio in large blocks: a million
 * addresses a second is the point of --brief, and at that rate a call into
 * stdio per line, or a loop per digit, costs more than the walk. */
#define BRIEF_OUT_BLOCK (1u << 20)
/* Room kept for a --brief line: two 16-digit numbers (or one and a status
 * name), and the 15 bytes put_hex may store past the last digit. */
#define BRIEF_LINE_MAX 64

struct vtop_state {
	struct ptw_xctx *c;
	struct ptw_json j;
	unsigned unanswered;
	unsigned bad_input;
	bool first_text;
	/* --brief output not yet given to stdio: brief_out[0..brief_len). */
	char *brief_out;
	size_t brief_len;
	/* struct page of each answered frame (not with --brief): read through
	 * its own reader of kernel memory, laid out as VMCOREINFO says. */
	struct ptw_vmem *vm;
	struct ptw_page_layout page_layout;
	bool page_warned;
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

/* Hand the buffered --brief lines to stdio (before anything else is
 * written to stdout, and at the end). */
static void flush_brief(struct vtop_state *st)
{
	if (st->brief_len)
		fwrite(st->brief_out, 1, st->brief_len, stdout);
	st->brief_len = 0;
}

/* struct page as crash's vtop prints it: a header line and the values. */
static void print_page_text(const struct ptw_page_layout *l, const struct ptw_page *p, uint64_t pa)
{
	const char *names[PTW_PAGE_MAX_FLAGS];
	unsigned n;

	printf("      PAGE         PHYSICAL      MAPPING       CNT  MAPCNT FLAGS\n");
	if (!p->have_contents) {
		printf("%16" PRIx64 "  %8" PRIx64 "  (struct page %s)\n", p->address,
		       pa & ~((UINT64_C(1) << l->page_shift) - 1),
		       strcmp(p->missing, "not-in-dump") == 0 ? "not in the dump" : "not mapped");
		return;
	}
	printf("%16" PRIx64 "  %8" PRIx64 "  %16" PRIx64 " %4" PRId32 " ", p->address,
	       pa & ~((UINT64_C(1) << l->page_shift) - 1), p->mapping, p->refcount);
	if (p->type)
		printf("%7s", p->type);
	else
		printf("%7" PRId64, p->mapcount);
	printf(" %" PRIx64, p->flags);
	n = ptw_page_flag_names(l, p->flags, names, PTW_PAGE_MAX_FLAGS);
	for (unsigned i = 0; i < n; i++)
		printf("%s%s", i ? "," : " ", names[i]);
	printf("\n");
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
	if (res->symbol)
		printf("SYMBOL:         %s\n", res->symbol);
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
			if (res->page)
				print_page_text(res->page_layout, res->page, r->pa);
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
	struct ptw_page page;
	struct ptw_xres res;
	struct ptw_error *err = ptw_xctx_translate(st->c, va, &res);

	if (err)
		return err;
	if (!ptw_xres_ok(&res))
		st->unanswered++;
	if (st->vm && res.g && res.r.have_pa) {
		err = ptw_page_read(&st->page_layout, st->vm, res.r.pa, &page);
		res.page_tried = true;
		res.page_layout = &st->page_layout;
		if (!err) {
			res.page = &page;
		} else if (err->code == PTW_E_NOMEM) {
			return err;
		} else {
			/* The frame's translation still stands; say once why
			 * its struct page does not. */
			if (!st->page_warned)
				ptw_cli_warn(st->c->cli, "struct page of pa 0x%" PRIx64 ": %s", res.r.pa, err->message);
			st->page_warned = true;
			ptw_error_destroy(err);
		}
	}
	ptw_xres_name(st->c, &res);
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

/* Addresses from stdin, one a line: a line that is not one is a warning
 * (and exit 2 at the end), the rest are still answered. */
static struct ptw_error *from_stdin(struct vtop_state *st)
{
	struct ptw_lines lr;
	struct ptw_error *err = ptw_lines_init(&lr, stdin);

	/* Bounded: ptw_lines_next consumes input on every call. */
	while (!err) {
		enum ptw_line_kind kind;
		const char *text;
		size_t len;
		uint64_t va;
		char where[48];

		err = ptw_lines_next(&lr, &kind, &text, &len);
		if (err || kind == PTW_LINE_END)
			break;
		if (kind == PTW_LINE_TOO_LONG) {
			st->bad_input++;
			ptw_lines_where(&lr, where, sizeof(where));
			ptw_cli_warn_in(st->c->cli, where, "too long (%u bytes or more), skipped", PTW_LINE_MAX);
			continue;
		}
		err = ptw_cli_parse_addr(st->c, text, len, &va);
		if (err) {
			if (err->code != PTW_E_INVALID_ARGUMENT)
				break;
			st->bad_input++;
			ptw_lines_where(&lr, where, sizeof(where));
			ptw_cli_warn_in(st->c->cli, where, "%s", err->message);
			ptw_error_destroy(err);
			err = NULL;
			continue;
		}
		err = answer(st, va);
	}
	ptw_lines_fini(&lr);
	return err;
}

/* --brief (without --json) through the public API: addresses are
 * collected into batches and translated with ptwalk_translate_batch(),
 * whose translation cache answers most of them without a walk. */
#define BRIEF_BATCH 4096

struct brief_state {
	const struct ptw_cli *cli;
	struct ptwalk_dump *d;
	struct ptwalk_space *space;
	char *out;                  /* lines not yet given to stdio: out[0..len) */
	size_t len;
	size_t n;                   /* addresses waiting: va[0..n) */
	uint64_t va[BRIEF_BATCH];
	uint64_t pa[BRIEF_BATCH];
	uint8_t status[BRIEF_BATCH];
	unsigned unanswered;
	unsigned bad_input;
};

static void brief_flush_out(struct brief_state *b)
{
	if (b->len)
		fwrite(b->out, 1, b->len, stdout);
	b->len = 0;
}

/* Translate the waiting addresses and format their lines. */
static struct ptwalk_error *brief_flush_batch(struct brief_state *b)
{
	size_t done = 0;
	struct ptwalk_error *err = ptwalk_translate_batch(b->space, b->va, b->n, b->pa, b->status, &done);

	for (size_t i = 0; i < done; i++) {
		char *p;

		if (b->len > BRIEF_OUT_BLOCK - BRIEF_LINE_MAX)
			brief_flush_out(b);
		p = b->out + b->len;
		p = put_hex(p, b->va[i]);
		*p++ = ' ';
		if (b->status[i] == PTWALK_OK) {
			p = put_hex(p, b->pa[i]);
		} else {
			const char *name = ptwalk_status_name(b->status[i]);
			size_t n = strlen(name);

			memcpy(p, name, n);
			p += n;
			b->unanswered++;
		}
		*p++ = '\n';
		b->len = (size_t)(p - b->out);
	}
	b->n = 0;
	return err;
}

static struct ptwalk_error *brief_add(struct brief_state *b, uint64_t va)
{
	b->va[b->n++] = va;
	return b->n == BRIEF_BATCH ? brief_flush_batch(b) : NULL;
}

/* Addresses from stdin, one a line, as from_stdin() reads them. */
static struct ptwalk_error *brief_stdin(struct brief_state *b)
{
	struct ptw_lines lr;
	struct ptw_error *lerr = ptw_lines_init(&lr, stdin);
	struct ptwalk_error *err = NULL;

	/* Bounded: ptw_lines_next consumes input on every call. */
	while (!lerr && !err) {
		enum ptw_line_kind kind;
		const char *text;
		size_t len;
		uint64_t va;
		char where[48];

		lerr = ptw_lines_next(&lr, &kind, &text, &len);
		if (lerr || kind == PTW_LINE_END)
			break;
		if (kind == PTW_LINE_TOO_LONG) {
			b->bad_input++;
			ptw_lines_where(&lr, where, sizeof(where));
			ptw_cli_warn_in(b->cli, where, "too long (%u bytes or more), skipped", PTW_LINE_MAX);
			continue;
		}
		err = ptw_cli_address(b->cli, b->d, text, len, &va);
		if (err) {
			if (ptwalk_error_code(err) != PTWALK_E_INVALID_ARGUMENT)
				break;
			b->bad_input++;
			ptw_lines_where(&lr, where, sizeof(where));
			ptw_cli_warn_in(b->cli, where, "%s", ptwalk_error_message(err));
			ptwalk_error_free(err);
			err = NULL;
			continue;
		}
		err = brief_add(b, va);
	}
	ptw_lines_fini(&lr);
	/* A failure to read stdin is an error of the library's kind. */
	return err ? err : (struct ptwalk_error *)lerr;
}

static int run_vtop_brief(struct ptw_cli *cli)
{
	static char outbuf[1 << 16];
	struct brief_state *b = calloc(1, sizeof(*b));
	struct ptwalk_error *err;
	int rc;

	if (!b)
		return ptw_cli_fail_api(cli, ptwalk_error_create(PTWALK_E_NOMEM, "out of memory"));
	b->cli = cli;
	err = ptw_cli_open(cli, &b->d);
	if (!err)
		err = ptw_cli_space(cli, b->d, &b->space);
	if (!err && !(b->out = malloc(BRIEF_OUT_BLOCK)))
		err = ptwalk_error_create(PTWALK_E_NOMEM, "out of memory");
	if (err) {
		ptwalk_space_close(b->space);
		ptw_cli_close(cli, b->d);
		free(b);
		return ptw_cli_fail_api(cli, err);
	}
	setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
	for (size_t i = 0; i < cli->nargs && !err; i++) {
		uint64_t va;

		if (strcmp(cli->args[i], "-") == 0) {
			err = brief_stdin(b);
			continue;
		}
		err = ptw_cli_address(cli, b->d, cli->args[i], strlen(cli->args[i]), &va);
		if (err) {
			struct ptwalk_error *err2 = brief_flush_batch(b);

			brief_flush_out(b);
			fflush(stdout);
			ptwalk_error_free(err2);
			ptw_cli_usage_error(cli, "%s", ptwalk_error_message(err));
			ptwalk_error_free(err);
			rc = PTW_EXIT_USAGE;
			goto out;
		}
		err = brief_add(b, va);
	}
	if (!err)
		err = brief_flush_batch(b);
	brief_flush_out(b);
	fflush(stdout);
	if (err)
		rc = ptw_cli_fail_api(cli, err);
	else
		rc = b->bad_input ? PTW_EXIT_USAGE : b->unanswered ? PTW_EXIT_UNANSWERED : PTW_EXIT_OK;
out:
	free(b->out);
	ptwalk_space_close(b->space);
	ptw_cli_close(cli, b->d);
	free(b);
	return rc;
}

static int run_vtop(struct ptw_cli *cli)
{
	struct ptw_xctx c;
	struct vtop_state st = { .c = &c, .first_text = true };
	struct ptw_error *err;
	static char outbuf[1 << 16];

	if (cli->brief && !cli->json)
		return run_vtop_brief(cli);
	err = ptw_xctx_open(cli, &c);
	if (err)
		return ptw_cli_fail(cli, err);
	if (cli->brief && !cli->json) {
		st.brief_out = malloc(BRIEF_OUT_BLOCK);
		if (!st.brief_out) {
			ptw_xctx_close(&c);
			return ptw_cli_fail(cli, &ptw_enomem);
		}
	}
	if (!cli->brief) {
		/* struct page needs only VMCOREINFO; without it vtop goes on. */
		err = ptw_page_layout_init(c.dump, &st.page_layout);
		if (!err)
			err = ptw_vmem_create(c.dump, &st.vm);
		if (err) {
			ptw_cli_warn(cli, "struct page will not be shown: %s", err->message);
			ptw_error_destroy(err);
			err = NULL;
		}
	}
	setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
	ptw_json_init(&st.j, stdout);
	for (size_t i = 0; i < cli->nargs && !err; i++) {
		uint64_t va;

		if (strcmp(cli->args[i], "-") == 0) {
			err = from_stdin(&st);
			continue;
		}
		err = ptw_cli_parse_addr(&c, cli->args[i], strlen(cli->args[i]), &va);
		if (err) {
			flush_brief(&st);
			fflush(stdout);
			ptw_cli_usage_error(cli, "%s", err->message);
			ptw_error_destroy(err);
			free(st.brief_out);
			ptw_vmem_destroy(st.vm);
			ptw_xctx_close(&c);
			return PTW_EXIT_USAGE;
		}
		err = answer(&st, va);
	}
	flush_brief(&st);
	fflush(stdout);
	free(st.brief_out);
	ptw_vmem_destroy(st.vm);
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
		   "with bit 55 set walk the kernel table (TTBR1); others need --pgd (without it their\n"
		   "status is no-user-table).\n"
		   "Levels are Arm lookup levels: 3 is the last; a 3-level tree starts at 1, a\n"
		   "5-level (LPA2) one at -1. Exit 4 if any address could not be translated.",
	.options = PTW_OPTS_COMMON | PTW_OPT_BRIEF | PTW_OPT_PGD | PTW_OPT_PID,
	.min_args = 1,
	.max_args = (size_t)-1,
};
