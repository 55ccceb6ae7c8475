#include "vmcoreinfo.h"

#include "number.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The kernel's text is a few KiB; this bounds a hostile note without
 * refusing any real one. */
#define VMCOREINFO_MAX_ENTRIES 65536

static bool key_char_ok(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '(' || c == ')' || c == '.' ||
	       c == '-' || c == '[' || c == ']';
}

static struct ptw_vmcoreinfo_entry *find_exact(const struct ptw_vmcoreinfo *vi, const char *key)
{
	for (size_t i = 0; i < vi->count; i++)
		if (strcmp(vi->entries[i].key, key) == 0)
			return &vi->entries[i];
	return NULL;
}

static struct ptw_vmcoreinfo_entry *find_any_case(const struct ptw_vmcoreinfo *vi, const char *key)
{
	struct ptw_vmcoreinfo_entry *e = find_exact(vi, key);
	if (e)
		return e;
	for (size_t i = 0; i < vi->count; i++)
		if (strcasecmp(vi->entries[i].key, key) == 0)
			return &vi->entries[i];
	return NULL;
}

static struct ptw_error *put_entry(struct ptw_vmcoreinfo *vi, const char *key, size_t key_len,
				   const char *value, size_t value_len, bool overridden)
{
	char *k = strndup(key, key_len);
	char *v = strndup(value, value_len);
	if (!k || !v) {
		free(k);
		free(v);
		return &ptw_enomem;
	}
	/* A later line (or --set) replaces an earlier one: the last word wins. */
	struct ptw_vmcoreinfo_entry *e = overridden ? find_any_case(vi, k) : find_exact(vi, k);
	if (e) {
		free(k);
		free(e->value);
		e->value = v;
		e->overridden = overridden;
		return NULL;
	}
	if (vi->count >= VMCOREINFO_MAX_ENTRIES) {
		free(k);
		free(v);
		return ptw_error_create(PTW_E_BAD_DATA, "more than %d VMCOREINFO entries",
					VMCOREINFO_MAX_ENTRIES);
	}
	if (vi->count == vi->capacity) {
		size_t cap = vi->capacity ? vi->capacity * 2 : 64;
		struct ptw_vmcoreinfo_entry *n = realloc(vi->entries, cap * sizeof(*n));
		if (!n) {
			free(k);
			free(v);
			return &ptw_enomem;
		}
		vi->entries = n;
		vi->capacity = cap;
	}
	vi->entries[vi->count++] = (struct ptw_vmcoreinfo_entry){ k, v, overridden };
	return NULL;
}

/* The line as it can be shown: its first bytes, each byte that is not
 * printable as '?'. */
static void printable_prefix(const char *line, size_t len, char *buf, size_t size)
{
	size_t n = len < size - 4 ? len : size - 4;

	for (size_t i = 0; i < n; i++)
		buf[i] = isprint((unsigned char)line[i]) ? line[i] : '?';
	if (n < len)
		memcpy(buf + n, "...", 4);
	else
		buf[n] = 0;
}

/* warnings NULL: the first malformed line is the error. */
static struct ptw_error *parse_text(struct ptw_vmcoreinfo *vi, const char *text, size_t len,
				    uint64_t base_offset, struct ptw_warnings *warnings)
{
	const char *nul = memchr(text, '\0', len);
	if (nul)
		len = (size_t)(nul - text);
	size_t pos = 0;
	while (pos < len) {
		const char *line = text + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t line_len = nl ? (size_t)(nl - line) : len - pos;
		pos += line_len + (nl ? 1 : 0);
		if (line_len && line[line_len - 1] == '\r')
			line_len--;
		if (line_len == 0)
			continue;
		const char *eq = memchr(line, '=', line_len);
		size_t key_len = eq ? (size_t)(eq - line) : 0;
		bool ok = eq && key_len > 0;
		for (size_t i = 0; ok && i < key_len; i++)
			ok = key_char_ok(line[i]);
		for (size_t i = key_len + 1; ok && i < line_len; i++)
			ok = isprint((unsigned char)line[i]) || line[i] == '\t';
		if (!ok && !warnings)
			return ptw_error_at(PTW_E_BAD_DATA, base_offset + (uint64_t)(line - text),
					    "VMCOREINFO line is not KEY=VALUE");
		if (!ok) {
			char shown[64];

			printable_prefix(line, line_len, shown, sizeof(shown));
			ptw_warnings_add(warnings, ptw_error_at(PTW_E_BAD_DATA, base_offset + (uint64_t)(line - text),
								"VMCOREINFO line '%s' is not KEY=VALUE, skipped",
								shown));
			continue;
		}
		struct ptw_error *err =
			put_entry(vi, line, key_len, eq + 1, line_len - key_len - 1, false);
		if (err)
			return err;
	}
	return NULL;
}

static bool key_has_prefix(const char *key, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);
	return len > n && strncasecmp(key, prefix, n) == 0 && key[len - 1] == ')';
}

static bool key_is(const char *key, size_t len, const char *name)
{
	return strlen(name) == len && strncasecmp(key, name, len) == 0;
}

/* A value given with --set must read as its key's kind, as the kernel prints
 * it (NUMBER, OFFSET, SIZE, LENGTH: %ld or 0x%llx; SYMBOL, KERNELOFFSET: %lx;
 * PAGESIZE: %ld): a bad one is the user's mistake (a usage error), not a
 * corrupt dump found later. Other keys are text. */
static struct ptw_error *check_set_value(const struct ptw_vmcoreinfo *vi, const char *key, size_t len)
{
	char name[256];
	struct ptw_error *err = NULL;
	int64_t number;
	uint64_t u;
	const char *kind = NULL;

	if (len >= sizeof(name))
		return NULL;
	memcpy(name, key, len);
	name[len] = 0;
	if (key_has_prefix(key, len, "NUMBER(")) {
		name[len - 1] = 0;
		err = ptw_vmcoreinfo_number(vi, name + 7, &number);
		name[len - 1] = ')';
		kind = "a number: decimal or 0x hex";
	} else if (key_has_prefix(key, len, "OFFSET(") || key_has_prefix(key, len, "SIZE(") ||
		   key_has_prefix(key, len, "LENGTH(") || key_is(key, len, "PAGESIZE")) {
		err = ptw_vmcoreinfo_u64(vi, name, 10, &u);
		kind = "decimal";
	} else if (key_has_prefix(key, len, "SYMBOL(") || key_is(key, len, "KERNELOFFSET")) {
		err = ptw_vmcoreinfo_u64(vi, name, 16, &u);
		kind = "hex";
	}
	if (!err)
		return NULL;
	ptw_error_destroy(err);
	return ptw_error_create(PTW_E_INVALID_ARGUMENT, "--set %s=%s: %s is %s", name,
				ptw_vmcoreinfo_get(vi, name), name, kind);
}

struct ptw_error *ptw_vmcoreinfo_parse(struct ptw_vmcoreinfo *vi, const char *text, size_t len,
				       uint64_t base_offset)
{
	return parse_text(vi, text, len, base_offset, NULL);
}

struct ptw_error *ptw_vmcoreinfo_parse_lenient(struct ptw_vmcoreinfo *vi, const char *text, size_t len,
					       uint64_t base_offset, struct ptw_warnings *warnings)
{
	return parse_text(vi, text, len, base_offset, warnings);
}

struct ptw_error *ptw_vmcoreinfo_set(struct ptw_vmcoreinfo *vi, const char *assignment)
{
	const char *eq = strchr(assignment, '=');
	if (!eq || eq == assignment)
		return ptw_error_create(PTW_E_INVALID_ARGUMENT, "--set wants KEY=VALUE, not '%s'",
					assignment);
	struct ptw_error *err = put_entry(vi, assignment, (size_t)(eq - assignment), eq + 1, strlen(eq + 1), true);
	if (err)
		return err;
	return check_set_value(vi, assignment, (size_t)(eq - assignment));
}

void ptw_vmcoreinfo_free(struct ptw_vmcoreinfo *vi)
{
	for (size_t i = 0; i < vi->count; i++) {
		free(vi->entries[i].key);
		free(vi->entries[i].value);
	}
	free(vi->entries);
	vi->entries = NULL;
	vi->count = vi->capacity = 0;
}

const char *ptw_vmcoreinfo_get(const struct ptw_vmcoreinfo *vi, const char *key)
{
	const struct ptw_vmcoreinfo_entry *e = find_any_case(vi, key);
	return e ? e->value : NULL;
}

bool ptw_vmcoreinfo_has(const struct ptw_vmcoreinfo *vi, const char *key)
{
	return ptw_vmcoreinfo_get(vi, key) != NULL;
}

/* The value without the spaces the kernel's text may carry around it. */
static void trim_blanks(const char **p, size_t *n)
{
	*n = strlen(*p);
	while (*n && **p == ' ') {
		(*p)++;
		(*n)--;
	}
	while (*n && (*p)[*n - 1] == ' ')
		(*n)--;
}

static struct ptw_error *missing(const char *key)
{
	return ptw_error_create(PTW_E_NOT_PRESENT, "VMCOREINFO has no %s (supply it with --set %s=...)",
				key, key);
}

static struct ptw_error *malformed(const char *key, const char *value)
{
	return ptw_error_create(PTW_E_BAD_DATA, "VMCOREINFO %s=%s is not a number", key, value);
}

struct ptw_error *ptw_vmcoreinfo_number(const struct ptw_vmcoreinfo *vi, const char *name,
					int64_t *ret)
{
	char key[256];
	snprintf(key, sizeof(key), "NUMBER(%s)", name);
	const char *v = ptw_vmcoreinfo_get(vi, key);
	if (!v)
		return missing(key);
	const char *p = v;
	size_t n;
	bool negative = false;
	uint64_t u;

	trim_blanks(&p, &n);
	if (n && *p == '-') {
		negative = true;
		p++;
		n--;
	}
	/* The kernel prints most NUMBERs with %ld but arm64's addresses
	 * (kimage_voffset, PHYS_OFFSET) with 0x%llx: both forms are taken, and
	 * a 64-bit hex value is read as the two's complement it was printed from. */
	if (!ptw_parse_u64_n(p, n, &u))
		return malformed(key, v);
	if (negative) {
		if (u > (uint64_t)INT64_MAX + 1)
			return malformed(key, v);
		*ret = (int64_t)(0 - u);
	} else {
		*ret = (int64_t)u;
	}
	return NULL;
}

struct ptw_error *ptw_vmcoreinfo_u64(const struct ptw_vmcoreinfo *vi, const char *key, int base,
				     uint64_t *ret)
{
	const char *v = ptw_vmcoreinfo_get(vi, key);
	if (!v)
		return missing(key);
	const char *p = v;
	size_t n;
	bool ok;

	trim_blanks(&p, &n);
	if (base == 16 && n >= 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		p += 2;
		n -= 2;
	}
	ok = base == 16 ? ptw_parse_hex_digits_n(p, n, ret) : ptw_parse_decimal_n(p, n, ret);
	return ok ? NULL : malformed(key, v);
}

struct ptw_error *ptw_vmcoreinfo_symbol(const struct ptw_vmcoreinfo *vi, const char *name,
					uint64_t *ret)
{
	char key[256];
	snprintf(key, sizeof(key), "SYMBOL(%s)", name);
	return ptw_vmcoreinfo_u64(vi, key, 16, ret);
}

bool ptw_vmcoreinfo_try_symbol(const struct ptw_vmcoreinfo *vi, const char *name, uint64_t *ret)
{
	struct ptw_error *err = ptw_vmcoreinfo_symbol(vi, name, ret);
	ptw_error_destroy(err);
	return err == NULL;
}
