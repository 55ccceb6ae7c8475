/* read: memory by virtual or physical address, as a hexdump or raw bytes. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_cli.h"
#include "cli.h"
#include "format.h"
#include "json.h"
#include "lines.h"

#define DEFAULT_LENGTH 64
#define CHUNK 4096u

struct reader {
	const struct ptw_cli *cli;
	struct ptwalk_dump *d;
	/* NULL for physical reads without --pgd or --pid: they need no
	 * translation, so a dump whose tables cannot be found still reads. */
	struct ptwalk_space *space;
	FILE *out;
	bool raw;
	/* --json: one record per contiguous run of bytes read, one per hole */
	bool json;
	struct ptw_json j;
	bool in_chunk;
	uint64_t chunk_end;
	/* hexdump line assembly */
	uint64_t line_addr;
	unsigned char line[16];
	unsigned char have[16]; /* 0 missing, 1 data, 2 padding before the start */
	unsigned fill;
	/* the missing range being gathered, reported once it ends */
	bool in_gap;
	uint64_t gap_start, gap_end;
	const char *gap_why;
	unsigned gaps;
	/* The kernel-image symbol of the range's start, for the first record
	 * (--json) or a header line (text); NULL when none. */
	const char *symbol;
	char symbol_text[PTW_CLI_SYMBOL_TEXT_MAX];
	/* the physical range of the dump last found (phys_extent) */
	bool have_range;
	struct ptwalk_phys_range range;
};

/* One line as crash's `rd -8` prints it: the address right-aligned in 16
 * columns, 16 bytes, the ASCII; bytes the dump lacks are ?? (and ?). */
static void flush_line(struct reader *rd)
{
	if (!rd->fill)
		return;
	fprintf(rd->out, PTW_RCOL_HEX ":  ", rd->line_addr);
	for (unsigned i = 0; i < 16; i++) {
		if (i < rd->fill && rd->have[i] == 1)
			fprintf(rd->out, "%02x ", rd->line[i]);
		else if (i < rd->fill && rd->have[i] == 0)
			fputs("?? ", rd->out);
		else
			fputs("   ", rd->out);
	}
	fputs("  ", rd->out);
	for (unsigned i = 0; i < rd->fill; i++) {
		unsigned char ch = rd->line[i];

		fputc(rd->have[i] == 2 ? ' ' : !rd->have[i] ? '?' : (ch >= 0x20 && ch < 0x7f ? ch : '.'), rd->out);
	}
	fputc('\n', rd->out);
	rd->fill = 0;
}

/* Close the --json record of the bytes being streamed. */
static void end_chunk(struct reader *rd)
{
	if (!rd->in_chunk)
		return;
	ptw_json_end_string(&rd->j);
	ptw_json_end_object(&rd->j);
	ptw_json_newline(&rd->j);
	rd->in_chunk = false;
}

static void end_gap(struct reader *rd)
{
	if (!rd->in_gap)
		return;
	ptw_cli_warn(rd->cli, PTW_MSG_HEX "-" PTW_MSG_HEX ": %s", rd->gap_start, rd->gap_end, rd->gap_why);
	if (rd->json) {
		ptw_json_begin_object(&rd->j);
		ptw_json_field_hex(&rd->j, "address", rd->gap_start);
		ptw_json_field_u64(&rd->j, "length", rd->gap_end - rd->gap_start);
		ptw_json_field_string(&rd->j, "status", rd->gap_why);
		ptw_json_end_object(&rd->j);
		ptw_json_newline(&rd->j);
	}
	rd->in_gap = false;
	rd->gaps++;
}

/* Emit bytes for [addr, addr + n): data, or a hole when buf is NULL. */
static void emit(struct reader *rd, uint64_t addr, const unsigned char *buf, uint64_t n, const char *why)
{
	if (!buf) {
		end_chunk(rd);
		if (rd->in_gap && rd->gap_end == addr && strcmp(rd->gap_why, why) == 0) {
			rd->gap_end = addr + n;
		} else {
			end_gap(rd);
			rd->in_gap = true;
			rd->gap_start = addr;
			rd->gap_end = addr + n;
			rd->gap_why = why;
		}
	} else {
		end_gap(rd);
	}
	if (rd->json) {
		if (!buf)
			return;
		if (rd->in_chunk && rd->chunk_end != addr)
			end_chunk(rd);
		if (!rd->in_chunk) {
			ptw_json_begin_object(&rd->j);
			ptw_json_field_hex(&rd->j, "address", addr);
			if (rd->symbol) {
				ptw_json_field_string(&rd->j, "symbol", rd->symbol);
				rd->symbol = NULL;
			}
			ptw_json_key(&rd->j, "bytes");
			ptw_json_begin_string(&rd->j);
			rd->in_chunk = true;
		}
		ptw_json_string_hex_bytes(&rd->j, buf, n);
		rd->chunk_end = addr + n;
		return;
	}
	if (rd->raw) {
		if (buf) {
			fwrite(buf, 1, n, rd->out);
		} else if (rd->cli->have_fill) {
			unsigned char block[CHUNK];

			memset(block, rd->cli->fill, sizeof(block));
			/* Bounded by n, which the user asked for. */
			for (uint64_t left = n; left;) {
				size_t k = left < sizeof(block) ? (size_t)left : sizeof(block);

				fwrite(block, 1, k, rd->out);
				left -= k;
			}
		}
		return;
	}
	/* Bounded by n, which the user asked for: a hexdump shows every byte. */
	for (uint64_t i = 0; i < n; i++) {
		uint64_t a = addr + i;

		if (rd->fill && (a & 15) == 0)
			flush_line(rd);
		if (!rd->fill)
			rd->line_addr = a & ~UINT64_C(15);
		/* the first line may start mid-way: pad with blanks */
		while (rd->line_addr + rd->fill < a) {
			rd->have[rd->fill] = 2;
			rd->line[rd->fill++] = 0;
		}
		rd->have[rd->fill] = buf != NULL;
		rd->line[rd->fill++] = buf ? buf[i] : 0;
	}
}

/* Read [pa, pa + n) (n <= CHUNK, not crossing a 4K frame) and emit it as addr. */
static struct ptwalk_error *emit_phys(struct reader *rd, uint64_t addr, uint64_t pa, size_t n)
{
	unsigned char buf[CHUNK];
	struct ptwalk_error *err = ptwalk_read_phys(rd->d, pa, buf, n, NULL);

	if (err) {
		enum ptwalk_error_code code = ptwalk_error_code(err);

		if (code != PTWALK_E_NOT_PRESENT && code != PTWALK_E_FAULT)
			return err;
		ptwalk_error_free(err);
		/* A frame is in the dump whole or not at all. */
		emit(rd, addr, NULL, n, ptwalk_status_name(PTWALK_NOT_IN_DUMP));
		return NULL;
	}
	emit(rd, addr, buf, n, NULL);
	return NULL;
}

static size_t to_frame_end(uint64_t a, uint64_t left)
{
	uint64_t n = CHUNK - (a & (CHUNK - 1));

	return (size_t)(n < left ? n : left);
}

/* The end of one range: the pending hole, line or record goes out. */
static void finish(struct reader *rd)
{
	end_gap(rd);
	end_chunk(rd);
	if (!rd->raw && !rd->json)
		flush_line(rd);
}

/* Name the start of a virtual range, as vtop does: a header line above
 * the hexdump, "symbol" in the first --json record. Only kernel-image
 * addresses are named (see ptwalk_symbol_name). */
static void name_start(struct reader *rd, uint64_t addr)
{
	rd->symbol = NULL;
	if (rd->cli->phys || rd->raw || !rd->space ||
	    !ptw_cli_name(rd->cli, rd->d, addr, rd->symbol_text, sizeof(rd->symbol_text)))
		return;
	rd->symbol = rd->symbol_text;
	/* Text: a label line as objdump prints one, "ADDRESS <SYMBOL+OFF>:". */
	if (!rd->json) {
		fprintf(rd->out, PTW_HEX " <%s>:\n", addr, rd->symbol);
		rd->symbol = NULL;
	}
}

struct range_search {
	uint64_t pa;
	bool found;
	struct ptwalk_phys_range r;
};

static bool first_range_ending_above(void *arg, const struct ptwalk_phys_range *r)
{
	struct range_search *s = arg;

	if (r->end > s->pa || (r->end == 0 && r->start <= s->pa)) {
		s->found = true;
		s->r = *r;
		return false;
	}
	return true;
}

/* Where pa stands among the physical ranges the dump describes: *in_ret
 * whether it lies in one, and the bytes from pa until that changes (0: up
 * to the end of the space). Holes between ranges are skipped whole this
 * way; the last range found is kept, so reading through one costs a single
 * search. */
static struct ptwalk_error *phys_extent(struct reader *rd, uint64_t pa, bool *in_ret, uint64_t *extent_ret)
{
	struct range_search s = { .pa = pa };
	struct ptwalk_error *err;

	if (!rd->have_range || pa < rd->range.start || (rd->range.end && pa >= rd->range.end)) {
		err = ptwalk_dump_phys_ranges(rd->d, first_range_ending_above, &s);
		if (err)
			return err;
		if (!s.found) {
			*in_ret = false;
			*extent_ret = 0;
			return NULL;
		}
		if (s.r.start > pa) {
			*in_ret = false;
			*extent_ret = s.r.start - pa;
			return NULL;
		}
		rd->range = s.r;
		rd->have_range = true;
	}
	*in_ret = true;
	*extent_ret = rd->range.end - pa; /* 0 when the range runs to the end */
	return NULL;
}

/* len bytes at addr, which map to physical pa onwards contiguously: read
 * where the dump has them, one hole report where it does not. */
static struct ptwalk_error *read_phys_span(struct reader *rd, uint64_t addr, uint64_t pa, uint64_t len)
{
	const char *absent = ptwalk_status_name(PTWALK_NOT_IN_DUMP);

	/* Bounded: every pass consumes at least one byte of len. */
	while (len) {
		bool in;
		uint64_t extent, seg;
		struct ptwalk_error *err = phys_extent(rd, pa, &in, &extent);

		if (err)
			return err;
		seg = extent == 0 || extent > len ? len : extent;
		if (!in) {
			emit(rd, addr, NULL, seg, absent);
		} else {
			/* memory the dump describes: a frame at a time (pages
			 * a filter left out are reported as they come) */
			for (uint64_t left = seg, a = addr, p = pa; left;) {
				size_t n = to_frame_end(p, left);

				err = emit_phys(rd, a, p, n);
				if (err)
					return err;
				a += n;
				p += n;
				left -= n;
			}
		}
		addr += seg;
		pa += seg;
		len -= seg;
	}
	return NULL;
}

static struct ptwalk_error *read_range(struct reader *rd, uint64_t addr, uint64_t len)
{
	struct ptwalk_error *err = NULL;

	name_start(rd, addr);
	if (rd->cli->phys)
		return read_phys_span(rd, addr, addr, len);
	/* Bounded: every pass consumes at least one byte of len, and a whole
	 * leaf or hole of the tables at a time. */
	while (len && !err) {
		struct ptwalk_translation t;
		uint64_t span;

		err = ptwalk_translate_span(rd->space, addr, &t, &span);
		if (err)
			break;
		if (span == 0 || span > len)
			span = len;
		if (t.have_pa)
			err = read_phys_span(rd, addr, t.pa, span);
		else
			emit(rd, addr, NULL, span, ptwalk_status_name(t.status));
		addr += span;
		len -= span;
	}
	return err;
}

/* ADDR as given: physical with --phys (a number), else virtual (anything
 * ptw_cli_address takes). */
static struct ptwalk_error *parse_start(const struct reader *rd, const char *text, size_t len, uint64_t *ret)
{
	struct ptwalk_error *err;

	if (!rd->cli->phys)
		return ptw_cli_address(rd->cli, rd->d, text, len, ret);
	err = ptwalk_parse_u64(text, len, ret);
	if (!err)
		return NULL;
	ptwalk_error_free(err);
	return ptwalk_error_create(PTWALK_E_INVALID_ARGUMENT, "not an address: '%.*s%s'", (int)(len > 40 ? 40 : len),
				   text, len > 40 ? "..." : "");
}

/* Batch mode (ADDR is '-'): one address per line on stdin, LENGTH bytes read
 * at each, in order. A line that is not an address is skipped with a warning
 * and makes the exit status 2, as vtop does. */
static struct ptwalk_error *read_each_stdin_address(struct reader *rd, uint64_t len, unsigned *bad_lines)
{
	struct ptw_lines lr;
	struct ptwalk_error *err = ptw_lines_init(&lr, stdin);

	/* Bounded: ptw_lines_next consumes input on every call. */
	while (!err) {
		enum ptw_line_kind kind;
		const char *text;
		size_t n;
		uint64_t addr;
		char where[48];

		err = ptw_lines_next(&lr, &kind, &text, &n);
		if (err || kind == PTW_LINE_END)
			break;
		if (kind == PTW_LINE_TOO_LONG) {
			(*bad_lines)++;
			ptw_lines_where(&lr, where, sizeof(where));
			ptw_cli_warn_in(rd->cli, where, "too long (%u bytes or more), skipped", PTW_LINE_MAX);
			continue;
		}
		err = parse_start(rd, text, n, &addr);
		if (err) {
			if (ptwalk_error_code(err) != PTWALK_E_INVALID_ARGUMENT)
				break;
			(*bad_lines)++;
			ptw_lines_where(&lr, where, sizeof(where));
			ptw_cli_warn_in(rd->cli, where, "%s", ptwalk_error_message(err));
			ptwalk_error_free(err);
			err = NULL;
			continue;
		}
		if (len && addr + len - 1 < addr) {
			(*bad_lines)++;
			ptw_lines_where(&lr, where, sizeof(where));
			ptw_cli_warn_in(rd->cli, where, "%" PRIx64 " + %" PRIu64 " wraps around the address space",
					addr, len);
			continue;
		}
		err = read_range(rd, addr, len);
		finish(rd);
	}
	ptw_lines_fini(&lr);
	return err;
}

/* An OS error about the output file, named in the message as the file at fault. */
static struct ptwalk_error *output_error(const struct ptw_cli *cli, int errnum, const char *what)
{
	return ptwalk_error_in_file(ptwalk_error_create(errnum == ENOMEM ? PTWALK_E_NOMEM : PTWALK_E_OS, "%s: %s",
							what, strerror(errnum)),
				    cli->output);
}

static int run_read(struct ptw_cli *cli)
{
	struct reader rd = { .cli = cli, .out = stdout, .raw = cli->raw, .json = cli->json };
	uint64_t addr = 0, len = DEFAULT_LENGTH;
	bool from_stdin = strcmp(cli->args[0], "-") == 0;
	unsigned bad_lines = 0;
	struct ptwalk_error *err;
	int rc;

	if (cli->nargs > 1 && !ptw_cli_number(cli->args[1], &len)) {
		return ptw_cli_usage_error(cli, "not a length (decimal or 0x hex): '%s'", cli->args[1]);
	}
	err = ptw_cli_open(cli, &rd.d);
	/* Physical reads need no translation: a dump whose page tables cannot
	 * be found is still readable by physical address. */
	if (!err && (!cli->phys || cli->have_pgd || cli->have_pid))
		err = ptw_cli_space(cli, rd.d, &rd.space);
	if (err) {
		ptw_cli_close(cli, rd.d);
		return ptw_cli_fail_api(cli, err);
	}
	/* ADDR is read with the dump open: a virtual one may name a symbol. */
	if (!from_stdin) {
		err = parse_start(&rd, cli->args[0], strlen(cli->args[0]), &addr);
		if (!err && len && addr + len - 1 < addr)
			err = ptwalk_error_create(PTWALK_E_INVALID_ARGUMENT, "the range wraps around the address space");
		if (err) {
			ptw_cli_space_close(cli, rd.space);
			ptw_cli_close(cli, rd.d);
			ptw_cli_usage_error(cli, "%s", ptwalk_error_message(err));
			ptwalk_error_free(err);
			return PTW_EXIT_USAGE;
		}
	}
	if (cli->output) {
		rd.out = fopen(cli->output, "wb");
		if (!rd.out) {
			err = output_error(cli, errno, "cannot create");
			ptw_cli_space_close(cli, rd.space);
			ptw_cli_close(cli, rd.d);
			return ptw_cli_fail_api(cli, err);
		}
	}
	ptw_json_init(&rd.j, rd.out);
	if (from_stdin)
		err = read_each_stdin_address(&rd, len, &bad_lines);
	else
		err = read_range(&rd, addr, len);
	finish(&rd);
	if (rd.out != stdout) {
		bool write_failed = ferror(rd.out) != 0;

		if ((fclose(rd.out) != 0 || write_failed) && !err)
			err = output_error(cli, errno ? errno : EIO, "writing");
	}
	rc = bad_lines ? PTW_EXIT_USAGE : rd.gaps ? PTW_EXIT_UNANSWERED : PTW_EXIT_OK;
	ptw_cli_space_close(cli, rd.space);
	ptw_cli_close(cli, rd.d);
	return err ? ptw_cli_fail_api(cli, err) : rc;
}

const struct ptw_command ptw_cmd_read = {
	.name = "read",
	.run = run_read,
	.synopsis = "DUMP ADDR|- [LENGTH] [--phys] [--pgd PA | --pid PID] [--raw [-o FILE] [--fill BYTE]]",
	.summary = "memory by virtual or physical address: hexdump or raw bytes",
	.details = "LENGTH defaults to 64. Text is a hexdump as crash's rd -8 prints it. Bytes that\n"
		   "are not mapped or not in the dump print as ?? (the range is named on stderr) and\n"
		   "the exit status is 4. --json prints one record per run of bytes read,\n"
		   "{\"address\": \"0x...\", \"bytes\": \"HEX\"}, and one per hole,\n"
		   "{\"address\": \"0x...\", \"length\": N, \"status\": \"not-mapped\"} (a vtop status).\n"
		   "ADDR '-' reads one address per line from stdin and reads LENGTH bytes at each, in\n"
		   "order (with --raw, the bytes one after another: a batch of physical reads).\n"
		   "--phys needs no address translation: it reads dumps whose page tables cannot be found.",
	.options = PTW_OPTS_COMMON | PTW_OPT_PHYS | PTW_OPT_PGD | PTW_OPT_PID | PTW_OPT_RAW | PTW_OPT_OUTPUT | PTW_OPT_FILL,
	.min_args = 1,
	.max_args = 2,
};
