/* A System.map: the kernel build's `nm -n vmlinux` output, one
 * `ADDRESS TYPE NAME` line per symbol, at link-time addresses. */
#include "sym.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "file.h"

static bool parse_hex(const char *s, size_t len, uint64_t *ret)
{
	uint64_t v = 0;

	if (len == 0 || len > 16)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		unsigned d;

		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			return false;
		v = v << 4 | d;
	}
	*ret = v;
	return true;
}

/* The KASLR offset moves kernel-half addresses only; x86-64 per-CPU symbols
 * are offsets from the per-CPU base and stay as linked. */
static uint64_t relocate(uint64_t address, uint64_t kaslr_offset)
{
	return (address >> 63) ? address + kaslr_offset : address;
}

struct ptw_error *ptw_sysmap_load(const char *path, uint64_t kaslr_offset, struct ptw_symtab *st)
{
	FILE *f;
	char *line = NULL;
	size_t cap = 0, count = 0, lineno = 0;
	ssize_t n;
	uint64_t size;
	int fd;
	struct ptw_error *err = ptw_file_open_regular(path, &fd, &size);

	/* A FIFO or a device given as -m is refused, not waited on. */
	if (err)
		return ptw_error_in_file(err, path);
	f = fdopen(fd, "r");
	if (!f) {
		err = ptw_error_errno(errno, "cannot open");
		close(fd);
		return ptw_error_in_file(err, path);
	}
	while ((n = getline(&line, &cap, f)) > 0) {
		char *addr = line, *type, *name, *end;
		uint64_t address;
		size_t alen, nlen;

		lineno++;
		end = line + n;
		while (end > line && (end[-1] == '\n' || end[-1] == '\r'))
			*--end = '\0';
		if (end == line)
			continue;
		type = strchr(addr, ' ');
		alen = type ? (size_t)(type - addr) : 0;
		name = type && type[1] && type[2] == ' ' ? type + 3 : NULL;
		nlen = name ? strcspn(name, " \t") : 0;
		if (!type || !name || nlen == 0 || !parse_hex(addr, alen, &address)) {
			err = ptw_error_create(PTW_E_BAD_DATA,
					       "line %zu: not a System.map line (ADDRESS TYPE NAME): '%.60s'",
					       lineno, line);
			break;
		}
		err = ptw_symtab_add(st, relocate(address, kaslr_offset), type[1], name, nlen,
				     PTW_SYM_SYSTEM_MAP);
		if (err)
			break;
		count++;
	}
	if (!err && ferror(f))
		err = ptw_error_errno(errno, "reading");
	if (!err && count == 0)
		err = ptw_error_create(PTW_E_BAD_DATA, "no symbols in it");
	free(line);
	fclose(f);
	/* The System.map is at fault, not the dump: the CLI names it. */
	return ptw_error_in_file(err, path);
}
