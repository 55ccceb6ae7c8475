#include "json.h"

#include <inttypes.h>
#include <string.h>

void ptw_json_init(struct ptw_json *j, FILE *out)
{
	j->out = out;
	j->depth = 0;
	j->first[0] = true;
	j->after_key = false;
}

/* Separate this value from the previous one, unless a key just introduced it. */
static void before_value(struct ptw_json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (j->depth > 0 && !j->first[j->depth])
		fputs(", ", j->out);
	j->first[j->depth] = false;
}

static void open_container(struct ptw_json *j, char c)
{
	before_value(j);
	fputc(c, j->out);
	if (j->depth + 1 < PTW_JSON_MAX_DEPTH)
		j->depth++;
	j->first[j->depth] = true;
}

static void close_container(struct ptw_json *j, char c)
{
	if (j->depth > 0)
		j->depth--;
	fputc(c, j->out);
}

void ptw_json_begin_object(struct ptw_json *j) { open_container(j, '{'); }
void ptw_json_end_object(struct ptw_json *j) { close_container(j, '}'); }
void ptw_json_begin_array(struct ptw_json *j) { open_container(j, '['); }
void ptw_json_end_array(struct ptw_json *j) { close_container(j, ']'); }

static void write_escaped(FILE *out, const char *s, size_t len);

void ptw_json_begin_string(struct ptw_json *j)
{
	before_value(j);
	fputc('"', j->out);
}

void ptw_json_string_hex_bytes(struct ptw_json *j, const unsigned char *buf, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	char pair[2];

	for (size_t i = 0; i < len; i++) {
		pair[0] = digits[buf[i] >> 4];
		pair[1] = digits[buf[i] & 15];
		fwrite(pair, 1, 2, j->out);
	}
}

void ptw_json_end_string(struct ptw_json *j)
{
	fputc('"', j->out);
}

void ptw_json_key(struct ptw_json *j, const char *key)
{
	before_value(j);
	write_escaped(j->out, key, strlen(key));
	fputs(": ", j->out);
	j->after_key = true;
}

static void write_escaped(FILE *out, const char *s, size_t len)
{
	fputc('"', out);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		switch (c) {
		case '"': fputs("\\\"", out); break;
		case '\\': fputs("\\\\", out); break;
		case '\n': fputs("\\n", out); break;
		case '\r': fputs("\\r", out); break;
		case '\t': fputs("\\t", out); break;
		default:
			/* Dumps hold anything; keep the output valid ASCII JSON. */
			if (c < 0x20 || c >= 0x7f)
				fprintf(out, "\\u%04x", c);
			else
				fputc(c, out);
		}
	}
	fputc('"', out);
}

void ptw_json_string_len(struct ptw_json *j, const char *s, size_t len)
{
	before_value(j);
	write_escaped(j->out, s, len);
}

void ptw_json_string(struct ptw_json *j, const char *s)
{
	if (!s) {
		ptw_json_null(j);
		return;
	}
	before_value(j);
	write_escaped(j->out, s, strlen(s));
}

void ptw_json_hex(struct ptw_json *j, uint64_t v)
{
	before_value(j);
	fprintf(j->out, "\"0x%" PRIx64 "\"", v);
}

void ptw_json_u64(struct ptw_json *j, uint64_t v)
{
	before_value(j);
	fprintf(j->out, "%" PRIu64, v);
}

void ptw_json_i64(struct ptw_json *j, int64_t v)
{
	before_value(j);
	fprintf(j->out, "%" PRId64, v);
}

void ptw_json_bool(struct ptw_json *j, bool v)
{
	before_value(j);
	fputs(v ? "true" : "false", j->out);
}

void ptw_json_null(struct ptw_json *j)
{
	before_value(j);
	fputs("null", j->out);
}

void ptw_json_newline(struct ptw_json *j)
{
	fputc('\n', j->out);
	j->depth = 0;
	j->first[0] = true;
	j->after_key = false;
}

void ptw_json_field_string(struct ptw_json *j, const char *key, const char *s)
{
	ptw_json_key(j, key);
	ptw_json_string(j, s);
}

void ptw_json_field_hex(struct ptw_json *j, const char *key, uint64_t v)
{
	ptw_json_key(j, key);
	ptw_json_hex(j, v);
}

void ptw_json_field_u64(struct ptw_json *j, const char *key, uint64_t v)
{
	ptw_json_key(j, key);
	ptw_json_u64(j, v);
}

void ptw_json_field_i64(struct ptw_json *j, const char *key, int64_t v)
{
	ptw_json_key(j, key);
	ptw_json_i64(j, v);
}

void ptw_json_field_bool(struct ptw_json *j, const char *key, bool v)
{
	ptw_json_key(j, key);
	ptw_json_bool(j, v);
}

void ptw_json_field_null(struct ptw_json *j, const char *key)
{
	ptw_json_key(j, key);
	ptw_json_null(j);
}
