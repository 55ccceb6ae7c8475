/* Benchmark driver for libkdumpfile (Debian's libkdumpfile-dev): translates
 * kernel virtual addresses read from stdin, one per line, with addrxlat, or
 * reads physical memory, and prints answers in ptwalk's formats so the two
 * can be compared byte for byte.
 *   kdumpfile_xlat vtop DUMP < addresses      "VA PA" or "VA not-mapped", as
 *                                             `ptwalk vtop - --brief` prints
 *   kdumpfile_xlat read DUMP LEN < addresses  LEN bytes at each physical
 *                                             address to stdout, as
 *                                             `ptwalk read - LEN --phys --raw`
 *   kdumpfile_xlat open DUMP                  open and set up translation only
 * Counts go to stderr; exit 1 when the dump does not open. The environment
 * variable KDUMPFILE_ARCH (aarch64, x86_64) names the architecture when the
 * file does not. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libkdumpfile/kdumpfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static kdump_ctx_t *open_dump(const char *path)
{
	int fd = open(path, O_RDONLY);

	if (fd < 0) {
		fprintf(stderr, "kdumpfile_xlat: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	kdump_ctx_t *ctx = kdump_new();
	if (!ctx) {
		fprintf(stderr, "kdumpfile_xlat: kdump_new failed\n");
		exit(1);
	}
	/* KDUMPFILE_ARCH names the architecture for files that leave it unset
	 * (0.5.1 finds none in QEMU's kdump headers: "KDUMP_ATTR_ARCH_NAME: Key
	 * has no value"). */
	const char *arch = getenv("KDUMPFILE_ARCH");
	if (kdump_set_number_attr(ctx, KDUMP_ATTR_FILE_FD, fd) != KDUMP_OK ||
	    (arch && *arch && kdump_set_string_attr(ctx, KDUMP_ATTR_ARCH_NAME, arch) != KDUMP_OK) ||
	    kdump_set_string_attr(ctx, KDUMP_ATTR_OSTYPE, "linux") != KDUMP_OK) {
		fprintf(stderr, "kdumpfile_xlat: %s: %s\n", path, kdump_get_err(ctx));
		exit(1);
	}
	return ctx;
}

/* Lower-case hex without leading zeros, as ptwalk --brief writes it. */
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

/* "0x..." hex or decimal, without strtoull's locale and base detection, so
 * the driver's own parsing costs about what ptwalk's does. */
static uint64_t parse_addr(const char *s)
{
	uint64_t v = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		for (s += 2;; s++) {
			unsigned c = (unsigned char)*s;

			if (c - '0' < 10)
				v = v << 4 | (c - '0');
			else if ((c | 0x20) - 'a' < 6)
				v = v << 4 | ((c | 0x20) - 'a' + 10);
			else
				return v;
		}
	}
	for (; (unsigned)(*s - '0') < 10; s++)
		v = v * 10 + (uint64_t)(*s - '0');
	return v;
}

static int translate_stdin(kdump_ctx_t *ctx)
{
	addrxlat_ctx_t *xctx;
	addrxlat_sys_t *xsys;
	char line[128], out[64];
	unsigned long long done = 0, failed = 0;

	if (kdump_get_addrxlat(ctx, &xctx, &xsys) != KDUMP_OK) {
		fprintf(stderr, "kdumpfile_xlat: addrxlat: %s\n", kdump_get_err(ctx));
		return 1;
	}
	while (fgets(line, sizeof(line), stdin)) {
		uint64_t va = parse_addr(line);
		addrxlat_fulladdr_t a = { .addr = va, .as = ADDRXLAT_KVADDR };
		char *p = put_hex(out, va);

		*p++ = ' ';
		if (addrxlat_fulladdr_conv(&a, ADDRXLAT_KPHYSADDR, xctx, xsys) == ADDRXLAT_OK) {
			p = put_hex(p, a.addr);
		} else {
			memcpy(p, "not-mapped", 10);
			p += 10;
			if (failed++ < 3)
				fprintf(stderr, "kdumpfile_xlat: %" PRIx64 ": %s\n", va, addrxlat_ctx_get_err(xctx));
		}
		*p++ = '\n';
		fwrite(out, 1, (size_t)(p - out), stdout);
		done++;
	}
	fprintf(stderr, "kdumpfile_xlat: %llu translated, %llu failed\n", done, failed);
	addrxlat_sys_decref(xsys);
	addrxlat_ctx_decref(xctx);
	return 0;
}

static int read_stdin(kdump_ctx_t *ctx, size_t len)
{
	unsigned char *buf = malloc(len);
	char line[128];
	unsigned long long done = 0, failed = 0;

	if (!buf)
		return 1;
	while (fgets(line, sizeof(line), stdin)) {
		uint64_t pa = parse_addr(line);
		size_t got = len;

		if (kdump_read(ctx, KDUMP_MACHPHYSADDR, pa, buf, &got) != KDUMP_OK) {
			if (failed++ < 5)
				fprintf(stderr, "kdumpfile_xlat: read %" PRIx64 ": %s\n", pa, kdump_get_err(ctx));
		}
		fwrite(buf, 1, got, stdout);
		done++;
	}
	fprintf(stderr, "kdumpfile_xlat: %llu read, %llu failed\n", done, failed);
	free(buf);
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: kdumpfile_xlat vtop DUMP < addresses\n"
			"       kdumpfile_xlat read DUMP LEN < addresses\n"
			"       kdumpfile_xlat open DUMP\n");
	return 2;
}

int main(int argc, char **argv)
{
	/* Left to exit to free: stdout uses it until then. */
	char *outbuf = malloc(1 << 16);
	int rc;

	if (argc < 3)
		return usage();
	if (outbuf)
		setvbuf(stdout, outbuf, _IOFBF, 1 << 16);
	kdump_ctx_t *ctx = open_dump(argv[2]);
	if (strcmp(argv[1], "vtop") == 0 && argc == 3) {
		rc = translate_stdin(ctx);
	} else if (strcmp(argv[1], "read") == 0 && argc == 4) {
		rc = read_stdin(ctx, strtoul(argv[3], NULL, 0));
	} else if (strcmp(argv[1], "open") == 0 && argc == 3) {
		addrxlat_ctx_t *xctx;
		addrxlat_sys_t *xsys;

		rc = kdump_get_addrxlat(ctx, &xctx, &xsys) == KDUMP_OK ? 0 : 1;
		if (rc)
			fprintf(stderr, "kdumpfile_xlat: addrxlat: %s\n", kdump_get_err(ctx));
		else {
			addrxlat_sys_decref(xsys);
			addrxlat_ctx_decref(xctx);
		}
	} else {
		rc = usage();
	}
	fflush(stdout);
	kdump_free(ctx);
	return rc;
}
