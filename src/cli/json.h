/* A small streaming JSON writer: commas and nesting are tracked here, so
 * callers only say what goes in. Addresses are written as "0x..." strings. */
#ifndef PTW_JSON_H
#define PTW_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define PTW_JSON_MAX_DEPTH 32

struct ptw_json {
	FILE *out;
	int depth;
	bool first[PTW_JSON_MAX_DEPTH];
	bool after_key;
};

void ptw_json_init(struct ptw_json *j, FILE *out);
void ptw_json_begin_object(struct ptw_json *j);
void ptw_json_end_object(struct ptw_json *j);
void ptw_json_begin_array(struct ptw_json *j);
void ptw_json_end_array(struct ptw_json *j);
/** Name the next value inside an object. */
void ptw_json_key(struct ptw_json *j, const char *key);
void ptw_json_string(struct ptw_json *j, const char *s);
void ptw_json_string_len(struct ptw_json *j, const char *s, size_t len);
void ptw_json_hex(struct ptw_json *j, uint64_t v);
void ptw_json_u64(struct ptw_json *j, uint64_t v);
void ptw_json_i64(struct ptw_json *j, int64_t v);
void ptw_json_bool(struct ptw_json *j, bool v);
void ptw_json_null(struct ptw_json *j);
/** End a top-level value with a newline (one JSON Lines record). */
void ptw_json_newline(struct ptw_json *j);
/* A string written in pieces, for values too long to hold (read --json's
 * bytes): begin, any number of hex pieces, end. */
void ptw_json_begin_string(struct ptw_json *j);
/** Append the bytes as lower-case hex digits, two a byte. */
void ptw_json_string_hex_bytes(struct ptw_json *j, const unsigned char *buf, size_t len);
void ptw_json_end_string(struct ptw_json *j);

/* key + value in one call */
void ptw_json_field_string(struct ptw_json *j, const char *key, const char *s);
void ptw_json_field_hex(struct ptw_json *j, const char *key, uint64_t v);
void ptw_json_field_u64(struct ptw_json *j, const char *key, uint64_t v);
void ptw_json_field_i64(struct ptw_json *j, const char *key, int64_t v);
void ptw_json_field_bool(struct ptw_json *j, const char *key, bool v);
void ptw_json_field_null(struct ptw_json *j, const char *key);

#endif
