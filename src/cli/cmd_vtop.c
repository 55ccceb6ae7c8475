/* vtop: virtual to physical, every level of the walk shown. */
#include <endian.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_cli.h"
#include "cli.h"
#include "format.h"
#include "json.h"
#include "lines.h"

/* Batch input is read in blocks (lines.c), and --brief output formatted by
 * hand into a buffer of its own, handed to stdio in large blocks: a million
 * addresses a second is the point of --brief, and at that rate a call into
 * stdio per line, or a loop per digit, costs more than the walk. */
#define BRIEF_OUT_BLOCK (1u << 20)
/* Room kept for a --brief line: two 16-digit numbers (or one and a status
 * name), and the 15 bytes put_hex may store past the last digit. */
#define BRIEF_LINE_MAX 64

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

/* What vtop says of a user address without a user tree: the options that give one. */
#define NO_USER_TABLE_REASON "a user address: give the user table with --pgd or --pid"

/* Addresses answered in full (text, or --json): each with its walk, the
 * leaf's attributes, its frame's struct page and its symbol. */
struct vtop_state {
	const struct ptw_cli *cli;
	struct ptwalk_dump *d;
	struct ptwalk_space *space;
	struct ptw_json j;
	unsigned unanswered;
	unsigned bad_input;
	bool first_text;
	/* struct page of each answered frame (not with --brief); NULL when
	 * the dump does not describe it. */
	struct ptwalk_pages *pages;
	bool page_warned;
};

/* One answered address and what is shown with it. */
struct answer {
	struct ptwalk_translation t;
	bool page_tried;             /* looked up */
	bool have_page;              /* false: its address could not be worked out */
	struct ptwalk_page page;
	const char *symbol;          /* "start_kernel+0x10", or NULL */
	char symbol_text[PTW_CLI_SYMBOL_TEXT_MAX];
};

/* struct page as crash's vtop prints it: a header line and the values. */
static void print_page_text(const struct ptwalk_page *p)
{
	printf("      PAGE         PHYSICAL      MAPPING       CNT  MAPCNT FLAGS\n");
	if (!p->have_contents) {
		printf("%16" PRIx64 "  %8" PRIx64 "  (struct page %s)\n", p->address, p->pa,
		       p->missing == PTWALK_NOT_IN_DUMP ? "not in the dump" : "not mapped");
		return;
	}
	printf("%16" PRIx64 "  %8" PRIx64 "  %16" PRIx64 " %4" PRId32 " ", p->address, p->pa, p->mapping,
	       p->refcount);
	if (p->type)
		printf("%7s", p->type);
	else
		printf("%7" PRId64, p->mapcount);
	printf(" %" PRIx64, p->flags);
	for (unsigned i = 0; i < p->nflag_names; i++)
		printf("%s%s", i ? "," : " ", p->flag_names[i]);
	printf("\n");
}

static void print_text(struct vtop_state *st, const struct answer *a)
{
	const struct ptwalk_translation *t = &a->t;
	const struct ptwalk_step *last = t->nsteps ? &t->steps[t->nsteps - 1] : NULL;
	char flags[256], size[PTW_SIZE_TEXT_MAX];
	struct ptwalk_error *err;
	uint64_t va;

	if (!st->first_text)
		putchar('\n');
	st->first_text = false;
	printf("VIRTUAL           PHYSICAL\n");
	if (t->status == PTWALK_OK || t->have_pa)
		printf("%-16" PRIx64 "  %" PRIx64 "\n", t->input, t->pa);
	else
		printf(PTW_COL_HEX "  (%s)\n", t->input, ptwalk_status_name(t->status));
	if (t->tagged)
		printf("UNTAGGED:       %" PRIx64 "\n", t->va);
	if (a->symbol)
		printf("SYMBOL:         %s\n", a->symbol);
	if (t->status == PTWALK_NO_USER_TABLE) {
		printf("  %s\n", NO_USER_TABLE_REASON);
		return;
	}
	if (t->status == PTWALK_NON_CANONICAL) {
		printf("  not canonical: outside both halves of the %u-bit address space\n",
		       ptwalk_space_va_bits(st->space, t->user ? PTWALK_TREE_USER : PTWALK_TREE_KERNEL));
		return;
	}
	/* Tables are shown at the kernel VA the kernel sees them at, as crash does. */
	if (ptwalk_table_va(st->space, t->table_base, &va))
		printf("PAGE DIRECTORY: %" PRIx64 "\n", va);
	else
		printf("PAGE DIRECTORY: %" PRIx64 " (physical)\n", t->table_base);
	for (unsigned i = 0; i < t->nsteps; i++) {
		const struct ptwalk_step *s = &t->steps[i];

		if (ptwalk_table_va(st->space, s->entry_pa, &va))
			printf("  %4s: %" PRIx64 " => %" PRIx64 "\n", s->table ? s->table : "L", va, s->raw);
		else
			printf("  %4s: %" PRIx64 " (physical) => %" PRIx64 "\n", s->table ? s->table : "L", s->entry_pa,
			       s->raw);
	}
	ptw_size_text(t->page_size, size, sizeof(size));
	switch (t->status) {
	case PTWALK_OK:
	case PTWALK_NOT_IN_DUMP:
		if (!t->have_pa) {
			printf("  not in the dump: the table at %" PRIx64 " (from the level %d entry) is missing\n",
			       t->missing_pa, t->level);
			break;
		}
		printf("  PAGE: %" PRIx64 "  (%s %s, level %d%s)\n", t->pa & ~(t->page_size - 1), size,
		       t->block ? "block" : "page", t->level,
		       t->status == PTWALK_NOT_IN_DUMP ? ", not in the dump" : "");
		err = ptwalk_translation_attrs_text(st->space, t, flags, sizeof(flags));
		if (err) {
			/* an architecture without attribute names: none shown */
			flags[0] = '\0';
			ptwalk_error_free(err);
		}
		printf(" FLAGS: %s\n", flags);
		if (t->cont_size) {
			ptw_size_text(t->cont_size, size, sizeof(size));
			printf("  CONT: part of a %s contiguous run\n", size);
		}
		if (a->have_page)
			print_page_text(&a->page);
		break;
	case PTWALK_NOT_MAPPED:
		printf("  not mapped: invalid entry at level %d, index %u\n", t->level, last ? last->index : 0);
		break;
	case PTWALK_BAD_TABLE:
		printf("  bad table at level %d, index %u, entry %" PRIx64 ": %s\n", t->level, last ? last->index : 0,
		       last ? last->raw : 0, t->reason ? t->reason : "forbidden descriptor");
		break;
	case PTWALK_NON_CANONICAL:
	case PTWALK_NO_USER_TABLE:
		break;
	}
}

/* struct page as a JSON object (vtop's "page"). */
static void page_json(struct ptw_json *j, const struct ptwalk_page *p)
{
	ptw_json_begin_object(j);
	ptw_json_field_hex(j, "address", p->address);
	ptw_json_field_u64(j, "pfn", p->pfn);
	ptw_json_field_string(j, "status", ptwalk_status_name(p->have_contents ? PTWALK_OK : p->missing));
	if (!p->have_contents) {
		ptw_json_end_object(j);
		return;
	}
	ptw_json_field_hex(j, "flags", p->flags);
	ptw_json_key(j, "flag_names");
	ptw_json_begin_array(j);
	for (unsigned i = 0; i < p->nflag_names; i++)
		ptw_json_string(j, p->flag_names[i]);
	ptw_json_end_array(j);
	ptw_json_field_i64(j, "refcount", p->refcount);
	ptw_json_key(j, "mapcount");
	p->type ? ptw_json_null(j) : ptw_json_i64(j, p->mapcount);
	ptw_json_field_string(j, "type", p->type);
	ptw_json_field_hex(j, "mapping", p->mapping);
	ptw_json_end_object(j);
}

/* The leaf's block/contiguous facts and attributes (none where the
 * architecture names no attributes). */
static void attrs_json(struct vtop_state *st, const struct ptwalk_translation *t)
{
	struct ptwalk_attr attrs[PTWALK_MAX_ATTRS];
	size_t n;
	struct ptwalk_error *err = ptwalk_translation_attrs(st->space, t, attrs, &n);

	if (err) {
		ptwalk_error_free(err);
		return;
	}
	ptw_json_field_bool(&st->j, "block", t->block);
	if (t->cont_size)
		ptw_json_field_u64(&st->j, "cont_size", t->cont_size);
	ptw_json_key(&st->j, "attrs");
	ptw_cli_attrs_json(&st->j, attrs, n);
}

/* One JSON Lines record. */
static void print_json(struct vtop_state *st, const struct answer *a)
{
	const struct ptwalk_translation *t = &a->t;
	struct ptw_json *j = &st->j;
	bool walked = t->status != PTWALK_NO_USER_TABLE;

	ptw_json_begin_object(j);
	ptw_json_field_hex(j, "va", t->input);
	ptw_json_field_string(j, "status", ptwalk_status_name(t->status));
	if (walked && (t->status == PTWALK_OK || t->have_pa)) {
		ptw_json_field_hex(j, "pa", t->pa);
		ptw_json_field_u64(j, "page_size", t->page_size);
	}
	if (walked && t->status != PTWALK_NON_CANONICAL) {
		ptw_json_field_i64(j, "level", t->level);
		if (t->status != PTWALK_OK && t->nsteps) {
			const struct ptwalk_step *s = &t->steps[t->nsteps - 1];

			if (t->status != PTWALK_NOT_IN_DUMP || t->have_pa) {
				ptw_json_field_u64(j, "index", s->index);
				ptw_json_field_hex(j, "raw", s->raw);
			}
		}
		ptw_json_field_hex(j, "table_base", t->table_base);
		ptw_json_key(j, "walk");
		ptw_json_begin_array(j);
		for (unsigned i = 0; i < t->nsteps; i++) {
			ptw_json_begin_object(j);
			ptw_json_field_i64(j, "level", t->steps[i].level);
			ptw_json_field_u64(j, "index", t->steps[i].index);
			ptw_json_field_hex(j, "entry_pa", t->steps[i].entry_pa);
			ptw_json_field_hex(j, "raw", t->steps[i].raw);
			ptw_json_end_object(j);
		}
		ptw_json_end_array(j);
	}
	if (t->status == PTWALK_NOT_IN_DUMP)
		ptw_json_field_hex(j, "missing_pa", t->missing_pa);
	if (t->status == PTWALK_NO_USER_TABLE)
		ptw_json_field_string(j, "reason", NO_USER_TABLE_REASON);
	else if (t->reason)
		ptw_json_field_string(j, "reason", t->reason);
	if (walked && t->have_pa)
		attrs_json(st, t);
	if (a->page_tried) {
		ptw_json_key(j, "page");
		if (a->have_page)
			page_json(j, &a->page);
		else
			ptw_json_null(j);
	}
	if (t->tagged)
		ptw_json_field_hex(j, "untagged_va", t->va);
	if (a->symbol)
		ptw_json_field_string(j, "symbol", a->symbol);
	ptw_json_end_object(j);
	ptw_json_newline(j);
}

static struct ptwalk_error *answer(struct vtop_state *st, uint64_t va)
{
	struct answer a;
	struct ptwalk_error *err = ptwalk_translate(st->space, va, &a.t);

	if (err)
		return err;
	if (a.t.status != PTWALK_OK)
		st->unanswered++;
	a.page_tried = false;
	a.have_page = false;
	a.symbol = NULL;
	if (st->pages && a.t.have_pa) {
		err = ptwalk_pages_read(st->pages, a.t.pa, &a.page);
		a.page_tried = true;
		if (!err) {
			a.have_page = true;
		} else if (ptwalk_error_code(err) == PTWALK_E_NOMEM) {
			return err;
		} else {
			/* The frame's translation still stands; say once why
			 * its struct page does not. */
			if (!st->page_warned)
				ptw_cli_warn(st->cli, "struct page of pa 0x%" PRIx64 ": %s", a.t.pa,
					     ptwalk_error_message(err));
			st->page_warned = true;
			ptwalk_error_free(err);
		}
	}
	/* Kernel addresses are named, as the image's symbols name them. */
	if (!st->cli->brief && !a.t.user &&
	    ptw_cli_name(st->cli, st->d, a.t.va, a.symbol_text, sizeof(a.symbol_text)))
		a.symbol = a.symbol_text;
	if (st->cli->json)
		print_json(st, &a);
	else
		print_text(st, &a);
	return NULL;
}

/* Addresses from stdin, one a line, each handed to fn: a line that
 * is not one is a warning (and exit 2 at the end), the rest are still
 * answered. */
static inline struct ptwalk_error *each_stdin_address(const struct ptw_cli *cli, struct ptwalk_dump *d, unsigned *bad_input,
					       struct ptwalk_error *(*fn)(void *arg, uint64_t va), void *arg)
{
	struct ptw_lines lr;
	struct ptwalk_error *err = ptw_lines_init(&lr, stdin);

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
			(*bad_input)++;
			ptw_lines_where(&lr, where, sizeof(where));
			ptw_cli_warn_in(cli, where, "too long (%u bytes or more), skipped", PTW_LINE_MAX);
			continue;
		}
		err = ptw_cli_address(cli, d, text, len, &va);
		if (err) {
			if (ptwalk_error_code(err) != PTWALK_E_INVALID_ARGUMENT)
				break;
			(*bad_input)++;
			ptw_lines_where(&lr, where, sizeof(where));
			ptw_cli_warn_in(cli, where, "%s", ptwalk_error_message(err));
			ptwalk_error_free(err);
			err = NULL;
			continue;
		}
		err = fn(arg, va);
	}
	ptw_lines_fini(&lr);
	return err;
}

static struct ptwalk_error *answer_in_full(void *arg, uint64_t va)
{
	return answer(arg, va);
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

/* arg: the brief_state (the shape each_stdin_address calls). */
static struct ptwalk_error *brief_add(void *arg, uint64_t va)
{
	struct brief_state *b = arg;

	b->va[b->n++] = va;
	return b->n == BRIEF_BATCH ? brief_flush_batch(b) : NULL;
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
			err = each_stdin_address(cli, b->d, &b->bad_input, brief_add, b);
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
	ptw_cli_space_close(cli, b->space);
	ptw_cli_close(cli, b->d);
	free(b);
	return rc;
}

static int run_vtop(struct ptw_cli *cli)
{
	struct vtop_state st = { .cli = cli, .first_text = true };
	struct ptwalk_error *err;
	static char outbuf[1 << 16];
	int rc;

	if (cli->brief && !cli->json)
		return run_vtop_brief(cli);
	err = ptw_cli_open(cli, &st.d);
	if (!err)
		err = ptw_cli_space(cli, st.d, &st.space);
	if (err) {
		ptw_cli_close(cli, st.d);
		return ptw_cli_fail_api(cli, err);
	}
	if (!cli->brief) {
		/* struct page needs only VMCOREINFO; without it vtop goes on. */
		err = ptwalk_pages_open(st.d, &st.pages);
		if (err) {
			ptw_cli_warn(cli, "struct page will not be shown: %s", ptwalk_error_message(err));
			ptwalk_error_free(err);
			err = NULL;
		}
	}
	setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
	ptw_json_init(&st.j, stdout);
	for (size_t i = 0; i < cli->nargs && !err; i++) {
		uint64_t va;

		if (strcmp(cli->args[i], "-") == 0) {
			err = each_stdin_address(cli, st.d, &st.bad_input, answer_in_full, &st);
			continue;
		}
		err = ptw_cli_address(cli, st.d, cli->args[i], strlen(cli->args[i]), &va);
		if (err) {
			fflush(stdout);
			ptw_cli_usage_error(cli, "%s", ptwalk_error_message(err));
			ptwalk_error_free(err);
			err = NULL;
			rc = PTW_EXIT_USAGE;
			goto out;
		}
		err = answer(&st, va);
	}
	fflush(stdout);
	rc = st.bad_input ? PTW_EXIT_USAGE : st.unanswered ? PTW_EXIT_UNANSWERED : PTW_EXIT_OK;
out:
	ptwalk_pages_close(st.pages);
	ptw_cli_space_close(cli, st.space);
	ptw_cli_close(cli, st.d);
	return err ? ptw_cli_fail_api(cli, err) : rc;
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
