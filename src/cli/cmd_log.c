/* log: the kernel log from the printk buffer, as dmesg and the kernel's
 * console print it, or as JSON Lines. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "api_cli.h"
#include "cli.h"
#include "json.h"

/* Bit 31 of a caller id: a CPU number, not a task id (printk_caller_id()). */
#define CALLER_CPU 0x80000000u

/* Damaged records are each worth a warning, but a corrupt ring can damage
 * thousands: after this many, one line counts the rest. */
#define MAX_WARNINGS 20

/* The kernel's record_print_text() prefix: "[%5lu.%06lu] ", with
 * CONFIG_PRINTK_CALLER "[%5lu.%06lu][%6s] " (print_time, print_caller). */
static int format_prefix(const struct ptwalk_log_record *rec, bool caller, char *buf, size_t len)
{
	int n = snprintf(buf, len, "[%5" PRIu64 ".%06" PRIu64 "]", rec->ts_nsec / 1000000000u,
			 rec->ts_nsec % 1000000000u / 1000u);

	if (caller && rec->have_caller) {
		char id[16];

		snprintf(id, sizeof(id), "%c%" PRIu32, rec->caller_id & CALLER_CPU ? 'C' : 'T',
			 rec->caller_id & ~CALLER_CPU);
		n += snprintf(buf + n, len - (size_t)n, "[%6s]", id);
	}
	n += snprintf(buf + n, len - (size_t)n, " ");
	return n;
}

/* One line of text; control bytes other than tab become \xNN as dmesg and
 * makedumpfile write them, so the dump cannot drive the terminal. */
static void put_line(const char *s, size_t n, FILE *out)
{
	size_t run = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f) {
			fwrite(s + run, 1, i - run, out);
			fprintf(out, "\\x%02x", c);
			run = i + 1;
		}
	}
	fwrite(s + run, 1, n - run, out);
}

/* Every line of a record gets the prefix, as record_print_text() does. */
static void print_text(const struct ptwalk_log_record *rec, bool caller, FILE *out)
{
	char prefix[64];
	int plen = format_prefix(rec, caller, prefix, sizeof(prefix));
	const char *p = rec->text, *end = rec->text + rec->text_len;

	for (;;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *stop = nl ? nl : end;

		fwrite(prefix, 1, (size_t)plen, out);
		put_line(p, (size_t)(stop - p), out);
		fputc('\n', out);
		if (!nl)
			break;
		p = nl + 1;
	}
}

static void print_json(struct ptw_json *j, const struct ptwalk_log_record *rec)
{
	ptw_json_begin_object(j);
	if (rec->have_seq)
		ptw_json_field_u64(j, "seq", rec->seq);
	else
		ptw_json_field_null(j, "seq");
	ptw_json_field_u64(j, "ts_nsec", rec->ts_nsec);
	if (rec->level >= 0)
		ptw_json_field_u64(j, "level", (uint64_t)rec->level);
	else
		ptw_json_field_null(j, "level");
	if (rec->facility >= 0)
		ptw_json_field_u64(j, "facility", (uint64_t)rec->facility);
	else
		ptw_json_field_null(j, "facility");
	if (rec->have_caller) {
		char id[16];

		snprintf(id, sizeof(id), "%c%" PRIu32, rec->caller_id & CALLER_CPU ? 'C' : 'T',
			 rec->caller_id & ~CALLER_CPU);
		ptw_json_field_string(j, "caller", id);
	} else {
		ptw_json_field_null(j, "caller");
	}
	ptw_json_key(j, "text");
	ptw_json_string_len(j, rec->text, rec->text_len);
	ptw_json_key(j, "dict");
	ptw_json_begin_object(j);
	for (size_t i = 0; i < rec->dict_len;) {
		const char *kv = rec->dict + i;
		size_t n = strnlen(kv, rec->dict_len - i);
		const char *eq = memchr(kv, '=', n);

		if (eq) {
			char key[64];
			size_t klen = (size_t)(eq - kv) < sizeof(key) - 1 ? (size_t)(eq - kv) : sizeof(key) - 1;

			memcpy(key, kv, klen);
			key[klen] = '\0';
			ptw_json_key(j, key);
			ptw_json_string_len(j, eq + 1, n - (size_t)(eq + 1 - kv));
		}
		i += n + 1;
	}
	ptw_json_end_object(j);
	ptw_json_end_object(j);
	ptw_json_newline(j);
}

static int run_log(struct ptw_cli *cli)
{
	static char outbuf[1 << 16];
	struct ptwalk_dump *dump = NULL;
	struct ptwalk_log *log = NULL;
	struct ptw_json j;
	struct ptwalk_error *err;
	unsigned long damaged = 0;
	int rc = PTW_EXIT_OK;

	setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
	err = ptw_cli_open(cli, &dump);
	if (!err)
		err = ptwalk_log_open(dump, &log);
	if (err) {
		rc = ptw_cli_fail_api(cli, err);
		goto out;
	}
	ptw_json_init(&j, stdout);
	for (;;) {
		struct ptwalk_log_record rec;
		bool done;

		err = ptwalk_log_next(log, &rec, &done);
		if (err) {
			fflush(stdout);
			rc = ptw_cli_fail_api(cli, err);
			goto out;
		}
		if (done)
			break;
		if (rec.damage) {
			if (++damaged <= MAX_WARNINGS) {
				fflush(stdout);
				ptw_cli_warn(cli, "kernel log: %s", rec.damage);
			}
			continue;
		}
		if (cli->have_level && rec.level > (int)cli->level)
			continue;
		if (cli->json)
			print_json(&j, &rec);
		else
			print_text(&rec, cli->caller, stdout);
	}
	if (damaged > MAX_WARNINGS) {
		fflush(stdout);
		ptw_cli_warn(cli, "kernel log: %lu more damaged records not shown", damaged - MAX_WARNINGS);
	}
out:
	ptwalk_log_close(log);
	ptw_cli_close(cli, dump);
	return rc;
}

const struct ptw_command ptw_cmd_log = {
	.name = "log",
	.run = run_log,
	.synopsis = "DUMP [--level N] [--caller] [--json]",
	.summary = "the kernel log, from the printk buffer (VMCOREINFO alone)",
	.details =
		"Prints the dead kernel's log as dmesg and the console print it:\n"
		"\"[    1.047661] KASLR enabled\", each line of a multi-line record with its\n"
		"record's prefix. Reads the lockless ring buffer of Linux 5.10+ or the older\n"
		"log_buf, using only VMCOREINFO. Records the kernel had already overwritten or\n"
		"was still writing are left out; a record that cannot be read is a warning\n"
		"naming its sequence number, and the rest still prints.\n"
		"--level N keeps records of level N or more urgent (0 emerg .. 7 debug).\n"
		"--caller adds the caller id as CONFIG_PRINTK_CALLER kernels print it:\n"
		"\"[    1.047661][    T1] ...\" (T: task id, C: CPU).\n"
		"--json: one record a line: seq, ts_nsec, level, facility, caller, text, dict.",
	/* VMCOREINFO describes the buffer: symbols and types (-k, -m, --btf)
	 * would change nothing, so they are refused rather than ignored. */
	.options = PTW_OPT_JSON | PTW_OPT_SET | PTW_OPT_QUIET | PTW_OPT_LEVEL | PTW_OPT_CALLER,
	.min_args = 0,
	.max_args = 0,
};
