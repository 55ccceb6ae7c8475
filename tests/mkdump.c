/* mkdump: write a synthetic crash dump from a text spec.
 *
 *   mkdump [-m MAPFILE] [-D 'directive']... [--format PRESET] SPEC|- OUTPUT
 *   mkdump [...] -o OUTPUT SPEC|-        mkdump --list-formats
 *
 * The spec language is documented in tests/mkdump.md; in short, one
 * directive per line, '#' starts a comment:
 *
 *   arch arm64                          e_machine: arm64, x86_64, i386, arm, or a number
 *   format kdump                        elf64 (default), elf32, kdump
 *   memory 0x40000000 +64M addr         a RAM range and its fill: zero, byte=N,
 *                                       addr[=XOR] (each u64 holds its own address),
 *                                       random=SEED; optional filesz=N (ELF)
 *   u64 0x40001ff8 = 0x40002003         explicit values (also u32, u8, bytes HEX, string "..")
 *   exclude 0x40100000 +8K              filtered pages (kdump: not dumped; ELF: left out)
 *   vmcoreinfo / KEY=VALUE lines / end  the VMCOREINFO text
 *   prstatus PID [IDX=VALUE|VALUE]...   one CPU's NT_PRSTATUS
 *   block-size, compress, header-version, header-abi, endian, utsname-*, dump-level,
 *   incomplete, share-zero-pages, split, max-mapnr, bitmap-blocks, desc, inflate   (kdump)
 *   flatten [record-size=N] [order=...] [rewrite-header] [skip-zero] [no-end], flat-record
 *   elf-quirks qemu, load-vaddr OFFSET                                        (ELF)
 *   truncate N|-N, poke OFFSET = HEX                                          (the output file)
 *
 * -D lines are appended after the spec, so they override its settings.
 * -m writes where things went (key=value lines), for tests that expect an
 * error at a given offset. mkdump is written from the formats' documented
 * layouts only; it never reads ptwalk's code or output, so that a test
 * compares two independent views of the format.
 * Exit status: 0 written, 1 error, 77 a requested codec is not built in. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <ctype.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <getopt.h>
#include <unistd.h>

#include <lzo/lzo1x.h>
#include <zlib.h>
#ifdef HAVE_SNAPPY
#include <snappy-c.h>
#endif
#ifdef HAVE_ZSTD
#include <zstd.h>
#endif

#define EXIT_SKIP 77
#define MAX_POKE 4096
#define MAX_BITMAP_BYTES (1u << 30)

enum fill_kind { FILL_ZERO, FILL_BYTE, FILL_ADDR, FILL_RANDOM };
enum out_format { OUT_ELF64, OUT_ELF32, OUT_KDUMP };
enum codec { CODEC_NONE, CODEC_ZLIB, CODEC_LZO, CODEC_SNAPPY, CODEC_ZSTD };
enum flat_order { ORDER_SEQUENTIAL, ORDER_REVERSE, ORDER_SHUFFLE };

struct mem_range {
	uint64_t start, end;
	enum fill_kind fill;
	uint64_t arg;
	uint64_t filesz; /* ELF: bytes in the file; UINT64_MAX = all */
};

struct poke {
	uint64_t pa;
	size_t len;
	unsigned char *bytes;
	size_t seq;
};

struct span {
	uint64_t start, end;
};

struct prstatus {
	int32_t pid;
	uint64_t regs[34];
};

struct desc_override {
	uint64_t pa;
	bool set_offset, set_size, set_flags;
	int64_t offset;
	uint32_t size, flags;
};

struct inflate_override {
	uint64_t pa;
	int64_t delta;
};

struct file_poke {
	uint64_t offset;
	size_t len;
	unsigned char *bytes;
};

struct flat_record {
	int64_t offset, size;
	bool last; /* after the data records instead of before them */
};

/* Growable arrays without a macro zoo: each list holds its own count. */
struct spec {
	unsigned machine;
	enum out_format format;
	struct mem_range *ranges;
	size_t nranges;
	struct poke *pokes;
	size_t npokes;
	struct span *excludes;
	size_t nexcludes;
	char *vmcoreinfo;
	size_t vmcoreinfo_len;
	struct prstatus *cpus;
	size_t ncpus;
	/* kdump */
	uint32_t block_size;
	enum codec codecs[8];
	size_t ncodecs;
	int header_version;
	bool abi32;
	bool big_endian;
	char utsname_machine[65];
	char utsname_release[65];
	bool have_machine, have_release;
	int dump_level;
	bool incomplete;
	bool share_zero;
	bool split;
	uint64_t split_start, split_end;
	bool have_max_mapnr, have_bitmap_blocks;
	uint64_t max_mapnr;
	uint32_t bitmap_blocks;
	struct desc_override *descs;
	size_t ndescs;
	struct inflate_override *inflates;
	size_t ninflates;
	/* flattened */
	bool flatten;
	uint64_t record_size;
	enum flat_order order;
	uint64_t shuffle_seed;
	bool rewrite_header, skip_zero, no_end;
	struct flat_record *flat_records;
	size_t nflat_records;
	/* ELF */
	bool qemu_quirks;
	uint64_t load_vaddr;
	/* output file */
	bool have_truncate;
	int64_t truncate;
	struct file_poke *file_pokes;
	size_t nfile_pokes;
};

/* Where the parser is, for die(). A test tool that exits on the first
 * error; the library proper keeps no such state. */
static const char *spec_name = "spec";
static unsigned spec_line;

static void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
static void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "mkdump: %s:%u: ", spec_name, spec_line);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p) {
		fprintf(stderr, "mkdump: out of memory\n");
		exit(1);
	}
	return p;
}

#define PUSH(arr, n) (arr = xrealloc(arr, ((n) + 1) * sizeof(*(arr))), &(arr)[(n)++])

/* ---- parsing ---- */

static bool parse_number(const char *s, uint64_t *ret)
{
	char *end;
	bool neg = *s == '-';
	errno = 0;
	uint64_t v = strtoull(neg ? s + 1 : s, &end, 0);
	if (end == s || errno)
		return false;
	uint64_t mult = 1;
	switch (*end) {
	case 'k': case 'K': mult = 1ull << 10; end++; break;
	case 'm': case 'M': mult = 1ull << 20; end++; break;
	case 'g': case 'G': mult = 1ull << 30; end++; break;
	case 't': case 'T': mult = 1ull << 40; end++; break;
	default: break;
	}
	if (*end)
		return false;
	v *= mult;
	*ret = neg ? (uint64_t)-(int64_t)v : v;
	return true;
}

static uint64_t number(const char *s)
{
	uint64_t v;
	if (!s || !parse_number(s, &v))
		die("expected a number, got '%s'", s ? s : "(nothing)");
	return v;
}

/* START END, where END may be +SIZE. */
static void parse_span(char **tok, size_t ntok, size_t at, uint64_t *start, uint64_t *end)
{
	if (at + 1 >= ntok)
		die("expected START END");
	*start = number(tok[at]);
	if (tok[at + 1][0] == '+')
		*end = *start + number(tok[at + 1] + 1);
	else
		*end = number(tok[at + 1]);
	if (*end <= *start)
		die("empty range");
}

static unsigned parse_machine(const char *s)
{
	if (!strcmp(s, "arm64") || !strcmp(s, "aarch64"))
		return EM_AARCH64;
	if (!strcmp(s, "x86_64") || !strcmp(s, "x86-64"))
		return EM_X86_64;
	if (!strcmp(s, "i386"))
		return EM_386;
	if (!strcmp(s, "arm"))
		return EM_ARM;
	return (unsigned)number(s);
}

static enum codec parse_codec(const char *s)
{
	if (!strcmp(s, "none"))
		return CODEC_NONE;
	if (!strcmp(s, "zlib"))
		return CODEC_ZLIB;
	if (!strcmp(s, "lzo"))
		return CODEC_LZO;
	if (!strcmp(s, "snappy"))
		return CODEC_SNAPPY;
	if (!strcmp(s, "zstd"))
		return CODEC_ZSTD;
	die("unknown codec '%s'", s);
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static unsigned char *parse_hex(const char *s, size_t *len)
{
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	size_t n = strlen(s);
	if (n % 2 || !n)
		die("hex string '%s' needs an even number of digits", s);
	unsigned char *out = xrealloc(NULL, n / 2);
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			die("bad hex string '%s'", s);
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	*len = n / 2;
	return out;
}

static void add_poke(struct spec *sp, uint64_t pa, const void *bytes, size_t len)
{
	if (len > MAX_POKE)
		die("at most %d bytes per value", MAX_POKE);
	struct poke *p = PUSH(sp->pokes, sp->npokes);
	p->pa = pa;
	p->len = len;
	p->bytes = xrealloc(NULL, len);
	memcpy(p->bytes, bytes, len);
	p->seq = sp->npokes;
}

static void put_le(unsigned char *p, uint64_t v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/* Split a line into tokens; "quoted strings" stay one token (quotes kept). */
static size_t tokenize(char *line, char **tok, size_t max)
{
	size_t n = 0;
	char *p = line;
	while (*p && n < max) {
		while (isspace((unsigned char)*p))
			p++;
		if (!*p || *p == '#')
			break;
		tok[n++] = p;
		if (*p == '"') {
			p = strchr(p + 1, '"');
			if (!p)
				die("unterminated string");
			p++;
		} else {
			while (*p && !isspace((unsigned char)*p))
				p++;
		}
		if (*p)
			*p++ = '\0';
	}
	return n;
}

static const char *kv(const char *tok, const char *key)
{
	size_t n = strlen(key);
	if (!strncmp(tok, key, n) && tok[n] == '=')
		return tok + n + 1;
	return NULL;
}

static void parse_memory(struct spec *sp, char **tok, size_t ntok)
{
	struct mem_range r = {.fill = FILL_ADDR, .filesz = UINT64_MAX};
	parse_span(tok, ntok, 1, &r.start, &r.end);
	for (size_t i = 3; i < ntok; i++) {
		const char *v;
		if (!strcmp(tok[i], "zero"))
			r.fill = FILL_ZERO;
		else if (!strcmp(tok[i], "addr"))
			r.fill = FILL_ADDR;
		else if ((v = kv(tok[i], "addr")))
			r.fill = FILL_ADDR, r.arg = number(v);
		else if ((v = kv(tok[i], "byte")))
			r.fill = FILL_BYTE, r.arg = number(v);
		else if ((v = kv(tok[i], "random")))
			r.fill = FILL_RANDOM, r.arg = number(v);
		else if ((v = kv(tok[i], "filesz")))
			r.filesz = number(v);
		else
			die("unknown memory option '%s'", tok[i]);
	}
	*PUSH(sp->ranges, sp->nranges) = r;
}

static void parse_value(struct spec *sp, char **tok, size_t ntok, size_t width)
{
	/* u64 PA = VALUE, or u64 PA VALUE */
	size_t vi = ntok == 4 && !strcmp(tok[2], "=") ? 3 : 2;
	if (ntok != vi + 1)
		die("expected %s PA = VALUE", tok[0]);
	unsigned char b[8];
	put_le(b, number(tok[vi]), width);
	add_poke(sp, number(tok[1]), b, width);
}

static void parse_prstatus(struct spec *sp, char **tok, size_t ntok)
{
	if (ntok < 2)
		die("expected prstatus PID [REGS]");
	struct prstatus *c = PUSH(sp->cpus, sp->ncpus);
	memset(c, 0, sizeof(*c));
	c->pid = (int32_t)number(tok[1]);
	size_t next = 0;
	for (size_t i = 2; i < ntok; i++) {
		char *eq = strchr(tok[i], '=');
		if (eq) {
			*eq = '\0';
			next = (size_t)number(tok[i]);
			tok[i] = eq + 1;
		}
		if (next >= 34)
			die("register index %zu out of range (0..33)", next);
		c->regs[next++] = number(tok[i]);
	}
}

static void parse_flatten(struct spec *sp, char **tok, size_t ntok)
{
	sp->flatten = true;
	for (size_t i = 1; i < ntok; i++) {
		const char *v;
		if ((v = kv(tok[i], "record-size")))
			sp->record_size = number(v);
		else if (!strcmp(tok[i], "order=sequential"))
			sp->order = ORDER_SEQUENTIAL;
		else if (!strcmp(tok[i], "order=reverse"))
			sp->order = ORDER_REVERSE;
		else if ((v = kv(tok[i], "order=shuffle")))
			sp->order = ORDER_SHUFFLE, sp->shuffle_seed = number(v);
		else if (!strcmp(tok[i], "order=shuffle"))
			sp->order = ORDER_SHUFFLE, sp->shuffle_seed = 1;
		else if (!strcmp(tok[i], "rewrite-header"))
			sp->rewrite_header = true;
		else if (!strcmp(tok[i], "skip-zero"))
			sp->skip_zero = true;
		else if (!strcmp(tok[i], "no-end"))
			sp->no_end = true;
		else if (!strcmp(tok[i], "off"))
			sp->flatten = false;
		else
			die("unknown flatten option '%s'", tok[i]);
	}
	if (!sp->record_size)
		die("record-size must be positive");
}

static void set_string(char *dst, const char *src)
{
	size_t n = strlen(src);
	if (n >= 2 && src[0] == '"' && src[n - 1] == '"')
		src++, n -= 2;
	if (n > 64)
		die("at most 64 characters");
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static void parse_line(struct spec *sp, char *line, bool *in_vmcoreinfo)
{
	if (*in_vmcoreinfo) {
		char *s = line;
		while (isspace((unsigned char)*s))
			s++;
		size_t n = strlen(s);
		while (n && isspace((unsigned char)s[n - 1]))
			s[--n] = '\0';
		if (!strcmp(s, "end")) {
			*in_vmcoreinfo = false;
			return;
		}
		if (!n)
			return;
		sp->vmcoreinfo = xrealloc(sp->vmcoreinfo, sp->vmcoreinfo_len + n + 2);
		memcpy(sp->vmcoreinfo + sp->vmcoreinfo_len, s, n);
		sp->vmcoreinfo_len += n;
		sp->vmcoreinfo[sp->vmcoreinfo_len++] = '\n';
		sp->vmcoreinfo[sp->vmcoreinfo_len] = '\0';
		return;
	}
	char *tok[64];
	size_t ntok = tokenize(line, tok, 64);
	if (!ntok)
		return;
	const char *d = tok[0];
	if (!strcmp(d, "arch") && ntok == 2) {
		sp->machine = parse_machine(tok[1]);
	} else if (!strcmp(d, "format") && ntok == 2) {
		if (!strcmp(tok[1], "elf64"))
			sp->format = OUT_ELF64;
		else if (!strcmp(tok[1], "elf32"))
			sp->format = OUT_ELF32;
		else if (!strcmp(tok[1], "kdump"))
			sp->format = OUT_KDUMP;
		else
			die("unknown format '%s'", tok[1]);
	} else if (!strcmp(d, "memory")) {
		parse_memory(sp, tok, ntok);
	} else if (!strcmp(d, "u64") || !strcmp(d, "u32") || !strcmp(d, "u8")) {
		parse_value(sp, tok, ntok, d[1] == '6' ? 8 : d[1] == '3' ? 4 : 1);
	} else if (!strcmp(d, "bytes") || !strcmp(d, "string")) {
		size_t vi = ntok == 4 && !strcmp(tok[2], "=") ? 3 : 2;
		if (ntok != vi + 1)
			die("expected %s PA = VALUE", d);
		if (d[0] == 'b') {
			size_t len;
			unsigned char *b = parse_hex(tok[vi], &len);
			add_poke(sp, number(tok[1]), b, len);
			free(b);
		} else {
			char *s = tok[vi];
			size_t n = strlen(s);
			if (n < 2 || s[0] != '"' || s[n - 1] != '"')
				die("expected a \"quoted string\"");
			add_poke(sp, number(tok[1]), s + 1, n - 2);
		}
	} else if (!strcmp(d, "exclude")) {
		struct span *x = PUSH(sp->excludes, sp->nexcludes);
		parse_span(tok, ntok, 1, &x->start, &x->end);
	} else if (!strcmp(d, "vmcoreinfo") && ntok == 1) {
		*in_vmcoreinfo = true;
	} else if (!strcmp(d, "prstatus")) {
		parse_prstatus(sp, tok, ntok);
	} else if (!strcmp(d, "block-size") && ntok == 2) {
		sp->block_size = (uint32_t)number(tok[1]);
	} else if (!strcmp(d, "compress") && ntok == 2) {
		sp->ncodecs = 0;
		for (char *c = strtok(tok[1], ","); c; c = strtok(NULL, ",")) {
			if (sp->ncodecs == 8)
				die("at most 8 codecs");
			sp->codecs[sp->ncodecs++] = parse_codec(c);
		}
	} else if (!strcmp(d, "header-version") && ntok == 2) {
		sp->header_version = (int)number(tok[1]);
	} else if (!strcmp(d, "header-abi") && ntok == 2) {
		sp->abi32 = number(tok[1]) == 32;
	} else if (!strcmp(d, "endian") && ntok == 2) {
		sp->big_endian = !strcmp(tok[1], "big");
	} else if (!strcmp(d, "utsname-machine") && ntok == 2) {
		set_string(sp->utsname_machine, tok[1]);
		sp->have_machine = true;
	} else if (!strcmp(d, "utsname-release") && ntok == 2) {
		set_string(sp->utsname_release, tok[1]);
		sp->have_release = true;
	} else if (!strcmp(d, "dump-level") && ntok == 2) {
		sp->dump_level = (int)number(tok[1]);
	} else if (!strcmp(d, "incomplete") && ntok == 1) {
		sp->incomplete = true;
	} else if (!strcmp(d, "split") && ntok == 3) {
		sp->split = true;
		sp->split_start = number(tok[1]);
		sp->split_end = number(tok[2]);
	} else if (!strcmp(d, "share-zero-pages") && ntok == 1) {
		sp->share_zero = true;
	} else if (!strcmp(d, "max-mapnr") && ntok == 2) {
		sp->max_mapnr = number(tok[1]);
		sp->have_max_mapnr = true;
	} else if (!strcmp(d, "bitmap-blocks") && ntok == 2) {
		sp->bitmap_blocks = (uint32_t)number(tok[1]);
		sp->have_bitmap_blocks = true;
	} else if (!strcmp(d, "desc") && ntok >= 3) {
		struct desc_override *o = PUSH(sp->descs, sp->ndescs);
		memset(o, 0, sizeof(*o));
		o->pa = number(tok[1]);
		for (size_t i = 2; i < ntok; i++) {
			const char *v;
			if ((v = kv(tok[i], "offset")))
				o->set_offset = true, o->offset = (int64_t)number(v);
			else if ((v = kv(tok[i], "size")))
				o->set_size = true, o->size = (uint32_t)number(v);
			else if ((v = kv(tok[i], "flags")))
				o->set_flags = true, o->flags = (uint32_t)number(v);
			else
				die("unknown desc field '%s'", tok[i]);
		}
	} else if (!strcmp(d, "inflate") && ntok == 3) {
		struct inflate_override *o = PUSH(sp->inflates, sp->ninflates);
		o->pa = number(tok[1]);
		o->delta = (int64_t)number(tok[2]);
	} else if (!strcmp(d, "flatten")) {
		parse_flatten(sp, tok, ntok);
	} else if (!strcmp(d, "flat-record") && (ntok == 3 || (ntok == 4 && !strcmp(tok[3], "last")))) {
		struct flat_record *r = PUSH(sp->flat_records, sp->nflat_records);
		r->offset = (int64_t)number(tok[1]);
		r->size = (int64_t)number(tok[2]);
		r->last = ntok == 4;
	} else if (!strcmp(d, "elf-quirks") && ntok == 2 && !strcmp(tok[1], "qemu")) {
		sp->qemu_quirks = true;
	} else if (!strcmp(d, "load-vaddr") && ntok == 2) {
		sp->load_vaddr = number(tok[1]);
	} else if (!strcmp(d, "truncate") && ntok == 2) {
		sp->have_truncate = true;
		sp->truncate = (int64_t)number(tok[1]);
	} else if (!strcmp(d, "poke") && (ntok == 3 || (ntok == 4 && !strcmp(tok[2], "=")))) {
		struct file_poke *p = PUSH(sp->file_pokes, sp->nfile_pokes);
		p->offset = number(tok[1]);
		p->bytes = parse_hex(tok[ntok - 1], &p->len);
	} else {
		die("unknown directive '%s' (or wrong number of arguments)", d);
	}
}

static void parse_stream(struct spec *sp, FILE *f, bool *in_vmcoreinfo)
{
	char *line = NULL;
	size_t cap = 0;
	while (getline(&line, &cap, f) >= 0) {
		spec_line++;
		parse_line(sp, line, in_vmcoreinfo);
	}
	free(line);
}

/* ---- memory contents ---- */

static uint64_t mix64(uint64_t x)
{
	/* splitmix64's finalizer: a fixed, well-spread function of the address. */
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static uint64_t fill_word(const struct mem_range *r, uint64_t word_pa)
{
	switch (r->fill) {
	case FILL_ADDR:
		return word_pa ^ r->arg;
	case FILL_RANDOM:
		return mix64(r->arg * 0x100000001b3ull ^ word_pa);
	case FILL_BYTE:
		return 0x0101010101010101ull * (r->arg & 0xff);
	default:
		return 0;
	}
}

static int compare_pokes(const void *a, const void *b)
{
	const struct poke *x = a, *y = b;
	if (x->pa != y->pa)
		return x->pa < y->pa ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Physical memory [pa, pa + len) as the spec defines it; outside every range, zero. */
static void fill_memory(const struct spec *sp, uint64_t pa, unsigned char *buf, size_t len)
{
	memset(buf, 0, len);
	uint64_t end = pa + len;
	for (size_t i = 0; i < sp->nranges; i++) {
		const struct mem_range *r = &sp->ranges[i];
		uint64_t s = r->start > pa ? r->start : pa, e = r->end < end ? r->end : end;
		if (s >= e || r->fill == FILL_ZERO)
			continue;
		if (r->fill == FILL_BYTE) {
			memset(buf + (s - pa), (int)(r->arg & 0xff), (size_t)(e - s));
			continue;
		}
		for (uint64_t a = s; a < e;) {
			uint64_t w = fill_word(r, a & ~7ull);
			if (!(a & 7) && a + 8 <= e) {
				put_le(buf + (a - pa), w, 8);
				a += 8;
			} else {
				buf[a - pa] = (unsigned char)(w >> (8 * (a & 7)));
				a++;
			}
		}
	}
	/* Pokes are sorted by address; start from the first that may reach pa. */
	size_t lo = 0, hi = sp->npokes;
	uint64_t from = pa > MAX_POKE ? pa - MAX_POKE : 0;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (sp->pokes[mid].pa < from)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < sp->npokes && sp->pokes[i].pa < end; i++) {
		const struct poke *p = &sp->pokes[i];
		for (size_t j = 0; j < p->len; j++)
			if (p->pa + j >= pa && p->pa + j < end)
				buf[p->pa + j - pa] = p->bytes[j];
	}
}

static bool overlaps_any(const struct span *spans, size_t n, uint64_t start, uint64_t end)
{
	for (size_t i = 0; i < n; i++)
		if (spans[i].start < end && start < spans[i].end)
			return true;
	return false;
}

/* ---- output helpers ---- */

struct out {
	int fd;
	bool big_endian;
};

static void out_write(struct out *o, uint64_t off, const void *buf, size_t len)
{
	const char *p = buf;
	while (len) {
		ssize_t n = pwrite(o->fd, p, len, (off_t)off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "mkdump: write: %s\n", strerror(errno));
			exit(1);
		}
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
}

static void put(const struct out *o, unsigned char *p, uint64_t v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[o->big_endian ? n - 1 - i : i] = (unsigned char)(v >> (8 * i));
}

static void put_be(unsigned char *p, uint64_t v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[n - 1 - i] = (unsigned char)(v >> (8 * i));
}

/* ---- notes ---- */

struct blob {
	unsigned char *data;
	size_t len;
};

static void blob_add(struct blob *b, const void *data, size_t len)
{
	b->data = xrealloc(b->data, b->len + len);
	memcpy(b->data + b->len, data, len);
	b->len += len;
}

static void blob_pad4(struct blob *b)
{
	static const unsigned char zeros[4];
	blob_add(b, zeros, (4 - b->len % 4) % 4);
}

/* Append one ELF note; returns the offset of its descriptor in the blob. */
static size_t add_note(const struct out *o, struct blob *b, const char *name, uint32_t type,
		       const void *desc, size_t descsz)
{
	unsigned char h[12];
	put(o, h, strlen(name) + 1, 4);
	put(o, h + 4, descsz, 4);
	put(o, h + 8, type, 4);
	blob_add(b, h, 12);
	blob_add(b, name, strlen(name) + 1);
	blob_pad4(b);
	size_t at = b->len;
	blob_add(b, desc, descsz);
	blob_pad4(b);
	return at;
}

static unsigned prstatus_nregs(unsigned machine)
{
	switch (machine) {
	case EM_X86_64:
		return 27; /* struct user_regs_struct */
	case EM_386:
		return 17;
	case EM_ARM:
		return 18;
	default:
		return 34; /* arm64: x0..x30, sp, pc, pstate */
	}
}

/* The notes of the dump; *vmcoreinfo_at is the VMCOREINFO text's offset in them. */
static struct blob make_notes(const struct spec *sp, const struct out *o, bool wide, size_t *vmcoreinfo_at)
{
	struct blob b = {0};
	/* elf_prstatus: pid after the signal info, registers after four timevals. */
	unsigned pid_off = wide ? 32 : 24, reg_off = wide ? 112 : 72, reg_size = wide ? 8 : 4;
	unsigned nregs = prstatus_nregs(sp->machine);
	size_t descsz = reg_off + nregs * reg_size + (wide ? 8 : 4);
	for (size_t i = 0; i < sp->ncpus; i++) {
		unsigned char *d = calloc(1, descsz);
		if (!d)
			exit(1);
		put(o, d + pid_off, (uint32_t)sp->cpus[i].pid, 4);
		for (unsigned r = 0; r < nregs; r++)
			put(o, d + reg_off + r * reg_size, sp->cpus[i].regs[r], reg_size);
		add_note(o, &b, "CORE", NT_PRSTATUS, d, descsz);
		free(d);
	}
	*vmcoreinfo_at = SIZE_MAX;
	if (sp->vmcoreinfo)
		*vmcoreinfo_at = add_note(o, &b, "VMCOREINFO", 0, sp->vmcoreinfo, sp->vmcoreinfo_len);
	return b;
}

/* ---- ELF ---- */

struct segment {
	uint64_t paddr, memsz, filesz, offset;
};

/* PT_LOADs: each memory range, minus excluded blocks. */
static struct segment *elf_segments(const struct spec *sp, size_t *n_ret)
{
	struct segment *segs = NULL;
	size_t n = 0;
	uint64_t bs = sp->block_size;
	for (size_t i = 0; i < sp->nranges; i++) {
		const struct mem_range *r = &sp->ranges[i];
		uint64_t filesz = r->filesz < r->end - r->start ? r->filesz : r->end - r->start;
		if (!sp->nexcludes) {
			*PUSH(segs, n) = (struct segment){r->start, r->end - r->start, filesz, 0};
			continue;
		}
		uint64_t run = r->start;
		for (uint64_t a = r->start; a < r->end;) {
			uint64_t next = (a / bs + 1) * bs;
			if (next > r->end)
				next = r->end;
			if (overlaps_any(sp->excludes, sp->nexcludes, a, next)) {
				if (a > run)
					*PUSH(segs, n) = (struct segment){run, a - run, a - run, 0};
				run = next;
			}
			a = next;
		}
		if (r->end > run)
			*PUSH(segs, n) = (struct segment){run, r->end - run, r->end - run, 0};
	}
	*n_ret = n;
	return segs;
}

static void write_memory(const struct spec *sp, struct out *o, uint64_t off, uint64_t pa, uint64_t len)
{
	unsigned char buf[65536];
	while (len) {
		size_t chunk = len < sizeof(buf) ? (size_t)len : sizeof(buf);
		fill_memory(sp, pa, buf, chunk);
		out_write(o, off, buf, chunk);
		off += chunk;
		pa += chunk;
		len -= chunk;
	}
}

static void write_elf(const struct spec *sp, struct out *o, FILE *map)
{
	bool wide = sp->format == OUT_ELF64;
	size_t vmcoreinfo_at;
	struct blob notes = make_notes(sp, o, wide, &vmcoreinfo_at);
	size_t nsegs;
	struct segment *segs = elf_segments(sp, &nsegs);
	size_t nphdr = nsegs + 1;
	size_t ehsize = wide ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
	size_t phentsize = wide ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
	size_t shentsize = wide ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr);
	/* More than PN_XNUM-1 headers: e_phnum = PN_XNUM, the count in section 0's sh_info. */
	bool extended = nphdr >= PN_XNUM;
	uint64_t phoff, notes_off, shoff = 0;
	if (sp->qemu_quirks) {
		/* QEMU 7.2: notes first, program headers after them. */
		notes_off = ehsize;
		phoff = (notes_off + notes.len + 7) & ~7ull;
	} else {
		phoff = ehsize;
		notes_off = phoff + nphdr * phentsize;
	}
	uint64_t data = (phoff > notes_off ? phoff + nphdr * phentsize : notes_off + notes.len);
	if (extended) {
		shoff = (data + 7) & ~7ull;
		data = shoff + shentsize;
	}
	data = (data + 4095) & ~4095ull;
	for (size_t i = 0; i < nsegs; i++) {
		segs[i].offset = data;
		data += segs[i].filesz;
	}

	unsigned char eh[64] = {0};
	memcpy(eh, ELFMAG, SELFMAG);
	eh[EI_CLASS] = wide ? ELFCLASS64 : ELFCLASS32;
	eh[EI_DATA] = o->big_endian ? ELFDATA2MSB : ELFDATA2LSB;
	eh[EI_VERSION] = EV_CURRENT;
	put(o, eh + 16, ET_CORE, 2);
	put(o, eh + 18, sp->machine, 2);
	put(o, eh + 20, EV_CURRENT, 4);
	uint16_t phnum = extended ? PN_XNUM : (uint16_t)nphdr;
	uint16_t e_ehsize = sp->qemu_quirks ? 8 : (uint16_t)ehsize;
	if (wide) {
		put(o, eh + 32, phoff, 8);
		put(o, eh + 40, shoff, 8);
		put(o, eh + 52, e_ehsize, 2);
		put(o, eh + 54, phentsize, 2);
		put(o, eh + 56, phnum, 2);
		put(o, eh + 58, extended ? shentsize : 0, 2);
		put(o, eh + 60, extended ? 1 : 0, 2);
	} else {
		put(o, eh + 28, phoff, 4);
		put(o, eh + 32, shoff, 4);
		put(o, eh + 40, e_ehsize, 2);
		put(o, eh + 42, phentsize, 2);
		put(o, eh + 44, phnum, 2);
		put(o, eh + 46, extended ? shentsize : 0, 2);
		put(o, eh + 48, extended ? 1 : 0, 2);
	}
	out_write(o, 0, eh, ehsize);
	if (extended) {
		unsigned char sh[64] = {0};
		put(o, sh + (wide ? 44 : 28), nphdr, 4); /* sh_info */
		out_write(o, shoff, sh, shentsize);
	}

	unsigned char *ph = calloc(nphdr, phentsize);
	if (!ph)
		exit(1);
	for (size_t i = 0; i < nphdr; i++) {
		unsigned char *p = ph + i * phentsize;
		bool note = i == 0;
		uint64_t off = note ? notes_off : segs[i - 1].offset;
		uint64_t paddr = note ? 0 : segs[i - 1].paddr;
		uint64_t filesz = note ? notes.len : segs[i - 1].filesz;
		uint64_t memsz = note ? notes.len : segs[i - 1].memsz;
		uint64_t vaddr = note || !sp->load_vaddr ? 0 : paddr + sp->load_vaddr;
		if (!wide && (paddr + memsz > UINT32_MAX + 1ull || off + filesz > UINT32_MAX + 1ull)) {
			fprintf(stderr, "mkdump: memory above 4 GiB does not fit an ELF32 core\n");
			exit(1);
		}
		if (wide) {
			put(o, p, note ? PT_NOTE : PT_LOAD, 4);
			put(o, p + 4, note ? 0 : PF_R | PF_W | PF_X, 4);
			put(o, p + 8, off, 8);
			put(o, p + 16, vaddr, 8);
			put(o, p + 24, paddr, 8);
			put(o, p + 32, filesz, 8);
			put(o, p + 40, memsz, 8);
			put(o, p + 48, note ? 0 : 4096, 8);
		} else {
			put(o, p, note ? PT_NOTE : PT_LOAD, 4);
			put(o, p + 4, off, 4);
			put(o, p + 8, vaddr, 4);
			put(o, p + 12, paddr, 4);
			put(o, p + 16, filesz, 4);
			put(o, p + 20, memsz, 4);
			put(o, p + 24, note ? 0 : PF_R | PF_W | PF_X, 4);
			put(o, p + 28, note ? 0 : 4096, 4);
		}
	}
	out_write(o, phoff, ph, nphdr * phentsize);
	free(ph);
	if (notes.len)
		out_write(o, notes_off, notes.data, notes.len);
	for (size_t i = 0; i < nsegs; i++)
		write_memory(sp, o, segs[i].offset, segs[i].paddr, segs[i].filesz);
	if (ftruncate(o->fd, (off_t)data) < 0) {
		fprintf(stderr, "mkdump: truncate: %s\n", strerror(errno));
		exit(1);
	}
	if (map) {
		fprintf(map, "format=%s\nphdrs=%" PRIu64 "\nnotes=%" PRIu64 "\n", wide ? "elf64" : "elf32",
			phoff, notes_off);
		if (vmcoreinfo_at != SIZE_MAX)
			fprintf(map, "vmcoreinfo=%" PRIu64 "\n", notes_off + vmcoreinfo_at);
		for (size_t i = 0; i < nsegs && i < 1000; i++)
			fprintf(map, "load.%zu=%" PRIu64 " 0x%" PRIx64 " %" PRIu64 "\n", i, segs[i].offset,
				segs[i].paddr, segs[i].filesz);
	}
	free(segs);
	free(notes.data);
}

/* ---- kdump ---- */

#define DUMP_DH_COMPRESSED_ZLIB 0x1
#define DUMP_DH_COMPRESSED_LZO 0x2
#define DUMP_DH_COMPRESSED_SNAPPY 0x4
#define DUMP_DH_COMPRESSED_INCOMPLETE 0x8
#define DUMP_DH_COMPRESSED_ZSTD 0x20

static uint32_t codec_flag(enum codec c)
{
	switch (c) {
	case CODEC_ZLIB: return DUMP_DH_COMPRESSED_ZLIB;
	case CODEC_LZO: return DUMP_DH_COMPRESSED_LZO;
	case CODEC_SNAPPY: return DUMP_DH_COMPRESSED_SNAPPY;
	case CODEC_ZSTD: return DUMP_DH_COMPRESSED_ZSTD;
	default: return 0;
	}
}

static void need_codec(enum codec c)
{
#ifndef HAVE_SNAPPY
	if (c == CODEC_SNAPPY) {
		fprintf(stderr, "mkdump: snappy support not built in\n");
		exit(EXIT_SKIP);
	}
#endif
#ifndef HAVE_ZSTD
	if (c == CODEC_ZSTD) {
		fprintf(stderr, "mkdump: zstd support not built in\n");
		exit(EXIT_SKIP);
	}
#endif
	(void)c;
}

/* Compress in into out (capacity out_cap); returns the size, or 0 if it does not fit. */
static size_t compress_block(enum codec c, const unsigned char *in, size_t len, unsigned char *out,
			     size_t out_cap, void *lzo_work)
{
	switch (c) {
	case CODEC_ZLIB: {
		uLongf n = out_cap;
		/* makedumpfile uses compress2(..., Z_BEST_SPEED). */
		return compress2(out, &n, in, len, Z_BEST_SPEED) == Z_OK ? n : 0;
	}
	case CODEC_LZO: {
		lzo_uint n = out_cap;
		return lzo1x_1_compress(in, len, out, &n, lzo_work) == LZO_E_OK ? n : 0;
	}
#ifdef HAVE_SNAPPY
	case CODEC_SNAPPY: {
		size_t n = out_cap;
		return snappy_compress((const char *)in, len, (char *)out, &n) == SNAPPY_OK ? n : 0;
	}
#endif
#ifdef HAVE_ZSTD
	case CODEC_ZSTD: {
		size_t n = ZSTD_compress(out, out_cap, in, len, 1);
		return ZSTD_isError(n) ? 0 : n;
	}
#endif
	default:
		return 0;
	}
}

static bool bit_get(const unsigned char *b, uint64_t i)
{
	return (b[i / 8] >> (i % 8)) & 1;
}

static void bit_set(unsigned char *b, uint64_t i)
{
	b[i / 8] |= (unsigned char)(1u << (i % 8));
}

static const char *default_machine(unsigned machine)
{
	switch (machine) {
	case EM_AARCH64: return "aarch64";
	case EM_X86_64: return "x86_64";
	case EM_386: return "i686";
	case EM_ARM: return "armv7l";
	default: return "unknown";
	}
}

static bool all_zero(const unsigned char *p, size_t n)
{
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t w;
		memcpy(&w, p + i, 8);
		if (w)
			return false;
	}
	for (; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* Write only the non-zero 64 KiB pieces: huge, mostly empty bitmaps become
 * file holes instead of gigabytes on disk. */
static void write_sparse(struct out *o, uint64_t off, const unsigned char *buf, uint64_t len)
{
	const uint64_t piece = 65536;
	for (uint64_t at = 0; at < len; at += piece) {
		size_t n = len - at < piece ? (size_t)(len - at) : (size_t)piece;
		if (!all_zero(buf + at, n))
			out_write(o, off + at, buf + at, n);
	}
}

static void write_kdump(const struct spec *sp, struct out *o, FILE *map)
{
	uint64_t bs = sp->block_size;
	bool wide = !sp->abi32;
	int version = sp->header_version;
	for (size_t i = 0; i < sp->ncodecs; i++)
		need_codec(sp->codecs[i]);

	uint64_t max_end = 0;
	for (size_t i = 0; i < sp->nranges; i++)
		if (sp->ranges[i].end > max_end)
			max_end = sp->ranges[i].end;
	uint64_t max_mapnr = sp->have_max_mapnr ? sp->max_mapnr : (max_end + bs - 1) / bs;
	uint64_t half = ((max_mapnr + 7) / 8 + bs - 1) / bs * bs;
	uint32_t bitmap_blocks = (uint32_t)(2 * half / bs);
	if (sp->have_bitmap_blocks) {
		bitmap_blocks = sp->bitmap_blocks;
		half = (uint64_t)bitmap_blocks * bs / 2;
	}
	if (half > MAX_BITMAP_BYTES) {
		fprintf(stderr, "mkdump: bitmaps of %" PRIu64 " bytes are too large\n", half);
		exit(1);
	}
	uint64_t nbits = half * 8 < max_mapnr ? half * 8 : max_mapnr;
	unsigned char *bm1 = calloc(1, half ? half : 1), *bm2 = calloc(1, half ? half : 1);
	if (!bm1 || !bm2)
		exit(1);
	uint64_t ndumped = 0;
	for (size_t i = 0; i < sp->nranges; i++) {
		const struct mem_range *r = &sp->ranges[i];
		for (uint64_t b = r->start / bs; b * bs < r->end && b < nbits; b++) {
			bit_set(bm1, b);
			if (!overlaps_any(sp->excludes, sp->nexcludes, b * bs, (b + 1) * bs) && !bit_get(bm2, b)) {
				bit_set(bm2, b);
				if (!sp->split || (b >= sp->split_start && b < sp->split_end))
					ndumped++;
			}
		}
	}

	/* Sub-header, then the notes (v4+) or just the VMCOREINFO text (v3). */
	size_t sub_size = wide ? 104 : 80;
	size_t vmcoreinfo_at;
	struct blob notes = {0};
	if (version >= 4) {
		notes = make_notes(sp, o, wide, &vmcoreinfo_at);
	} else if (version >= 3 && sp->vmcoreinfo) {
		blob_add(&notes, sp->vmcoreinfo, sp->vmcoreinfo_len);
		vmcoreinfo_at = 0;
	} else {
		vmcoreinfo_at = SIZE_MAX;
	}
	uint64_t sub_off = bs;
	uint32_t sub_hdr_size = (uint32_t)((sub_size + notes.len + bs - 1) / bs);
	uint64_t notes_off = sub_off + sub_size;
	uint64_t bitmap1 = bs * (1 + sub_hdr_size);
	uint64_t bitmap2 = bitmap1 + half;
	uint64_t descs = bitmap1 + (uint64_t)bitmap_blocks * bs;
	uint64_t data = descs + ndumped * 24;

	/* disk_dump_header */
	unsigned char h[464] = {0};
	memcpy(h, "KDUMP   ", 8);
	put(o, h + 8, (uint32_t)version, 4);
	/* new_utsname: sysname, nodename, release, version, machine, domainname */
	memcpy(h + 12, "Linux", 5);
	if (sp->have_release)
		memcpy(h + 12 + 2 * 65, sp->utsname_release, strlen(sp->utsname_release));
	const char *machine = sp->have_machine ? sp->utsname_machine : default_machine(sp->machine);
	memcpy(h + 12 + 4 * 65, machine, strlen(machine));
	unsigned f = wide ? 424 : 412; /* status, after struct timeval */
	uint32_t status = sp->ncodecs ? codec_flag(sp->codecs[0]) : 0;
	if (sp->incomplete)
		status |= DUMP_DH_COMPRESSED_INCOMPLETE;
	put(o, h + (wide ? 408 : 404), 1700000000, wide ? 8 : 4); /* tv_sec */
	put(o, h + f, status, 4);
	put(o, h + f + 4, bs, 4);
	put(o, h + f + 8, sub_hdr_size, 4);
	put(o, h + f + 12, bitmap_blocks, 4);
	put(o, h + f + 16, max_mapnr > UINT32_MAX ? UINT32_MAX : max_mapnr, 4);
	put(o, h + f + 20, ndumped, 4); /* total_ram_blocks */
	put(o, h + f + 36, sp->ncpus ? sp->ncpus : 1, 4); /* nr_cpus */
	out_write(o, 0, h, wide ? 464 : 452);

	/* kdump_sub_header */
	unsigned char sub[104] = {0};
	unsigned w = wide ? 8 : 4;
	put(o, sub, 0, w); /* phys_base */
	put(o, sub + w, (uint32_t)sp->dump_level, 4);
	unsigned vmci = wide ? 32 : 20;
	if (vmcoreinfo_at != SIZE_MAX && version >= 3) {
		put(o, sub + vmci, notes_off + vmcoreinfo_at, 8);
		put(o, sub + vmci + 8, sp->vmcoreinfo_len, w);
	}
	if (version >= 4 && notes.len) {
		put(o, sub + vmci + 8 + w, notes_off, 8);
		put(o, sub + vmci + 16 + w, notes.len, w);
	}
	if (sp->split && version >= 2) {
		/* split, then the obsolete word-sized start_pfn/end_pfn */
		put(o, sub + w + 4, 1, 4);
		put(o, sub + (wide ? 16 : 12), sp->split_start, w);
		put(o, sub + (wide ? 24 : 16), sp->split_end, w);
	}
	if (version >= 6) {
		if (sp->split) {
			put(o, sub + (wide ? 80 : 56), sp->split_start, 8);
			put(o, sub + (wide ? 88 : 64), sp->split_end, 8);
		}
		put(o, sub + (wide ? 96 : 72), max_mapnr, 8);
	}
	out_write(o, sub_off, sub, sub_size);
	if (notes.len)
		out_write(o, notes_off, notes.data, notes.len);
	write_sparse(o, bitmap1, bm1, half);
	write_sparse(o, bitmap2, bm2, half);

	if (map) {
		fprintf(map, "format=kdump\nblock_size=%" PRIu64 "\nsub_header=%" PRIu64 "\nnotes=%" PRIu64
			     "\nbitmap1=%" PRIu64 "\nbitmap2=%" PRIu64 "\ndescs=%" PRIu64 "\ndata=%" PRIu64
			     "\nmax_mapnr=%" PRIu64 "\ndumped=%" PRIu64 "\n",
			bs, sub_off, notes_off, bitmap1, bitmap2, descs, data, max_mapnr, ndumped);
		if (vmcoreinfo_at != SIZE_MAX)
			fprintf(map, "vmcoreinfo=%" PRIu64 "\n", notes_off + vmcoreinfo_at);
	}

	/* Descriptors and data, in PFN order. */
	unsigned char *page = malloc(bs * 2), *packed = malloc(bs * 3 + 1024);
	void *lzo_work = malloc(LZO1X_1_MEM_COMPRESS);
	if (!page || !packed || !lzo_work)
		exit(1);
	uint64_t zero_offset = 0;
	uint32_t zero_size = 0, zero_flags = 0;
	uint64_t desc_at = descs;
	size_t nth = 0;
	for (uint64_t b = 0; b < nbits; b++) {
		/* Skip empty bitmap words whole: sparse machines have billions of bits. */
		if (b % 64 == 0 && b + 64 <= nbits && all_zero(bm2 + b / 8, 8)) {
			b += 63;
			continue;
		}
		if (!bit_get(bm2, b))
			continue;
		/* A split part holds the descriptors of its own PFN range only. */
		if (sp->split && (b < sp->split_start || b >= sp->split_end))
			continue;
		uint64_t pa = b * bs;
		fill_memory(sp, pa, page, bs);
		/* Bytes of a block outside every range are not memory: zero. */
		bool zero = true;
		for (uint64_t i = 0; i < bs && zero; i++)
			zero = !page[i];
		uint64_t offset;
		uint32_t size, flags = 0;
		const struct inflate_override *inf = NULL;
		for (size_t i = 0; i < sp->ninflates; i++)
			if (sp->inflates[i].pa / bs == b)
				inf = &sp->inflates[i];
		if (zero && sp->share_zero && zero_size && !inf) {
			offset = zero_offset;
			size = zero_size;
			flags = zero_flags;
		} else {
			enum codec c = sp->ncodecs ? sp->codecs[nth++ % sp->ncodecs] : CODEC_NONE;
			size_t in_len = bs;
			if (inf) {
				/* Compress a block of the wrong size, so it inflates wrong. */
				in_len = (size_t)((int64_t)bs + inf->delta);
				if (in_len > bs)
					memset(page + bs, 0x5a, in_len - bs);
				if (c == CODEC_NONE)
					c = CODEC_ZLIB;
			}
			size_t n = c == CODEC_NONE ? 0 : compress_block(c, page, in_len, packed, bs * 3 + 1024, lzo_work);
			/* makedumpfile keeps a page raw unless compression shrinks it. */
			if (n && (n < bs || inf)) {
				flags = codec_flag(c);
				size = (uint32_t)n;
				out_write(o, data, packed, n);
			} else {
				size = (uint32_t)bs;
				out_write(o, data, page, bs);
			}
			offset = data;
			data += size;
			if (zero && !zero_size && !inf) {
				zero_offset = offset;
				zero_size = size;
				zero_flags = flags;
			}
		}
		for (size_t i = 0; i < sp->ndescs; i++) {
			const struct desc_override *d = &sp->descs[i];
			if (d->pa / bs != b)
				continue;
			if (d->set_offset)
				offset = (uint64_t)d->offset;
			if (d->set_size)
				size = d->size;
			if (d->set_flags)
				flags = d->flags;
		}
		unsigned char pd[24] = {0};
		put(o, pd, offset, 8);
		put(o, pd + 8, size, 4);
		put(o, pd + 12, flags, 4);
		out_write(o, desc_at, pd, sizeof(pd));
		if (map && ndumped <= 100000)
			fprintf(map, "desc.0x%" PRIx64 "=%" PRIu64 "\n", b, desc_at);
		desc_at += 24;
	}
	if (ftruncate(o->fd, (off_t)data) < 0)
		exit(1);
	if (map)
		fprintf(map, "end=%" PRIu64 "\n", data);
	free(page);
	free(packed);
	free(lzo_work);
	free(bm1);
	free(bm2);
	free(notes.data);
}

/* ---- flattened ---- */

struct chunk {
	uint64_t offset, size;
};

static void flat_record(FILE *f, int64_t offset, int64_t size)
{
	unsigned char h[16];
	put_be(h, (uint64_t)offset, 8);
	put_be(h + 8, (uint64_t)size, 8);
	fwrite(h, 1, 16, f);
}


/* flat-record lines: a header and, for a sane size, that many 0xee bytes. */
static void write_extra_records(const struct spec *sp, FILE *f, bool last)
{
	for (size_t i = 0; i < sp->nflat_records; i++) {
		const struct flat_record *r = &sp->flat_records[i];
		if (r->last != last)
			continue;
		flat_record(f, r->offset, r->size);
		if (r->size > 0 && r->size <= (1 << 20))
			for (int64_t j = 0; j < r->size; j++)
				fputc(0xee, f);
	}
}

/* Re-emit the plain file at fd as the flattened stream (makedumpfile -F). */
static void flatten_file(const struct spec *sp, int fd, const char *path)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		exit(1);
	uint64_t size = (uint64_t)st.st_size;
	FILE *f = fopen(path, "wb");
	if (!f) {
		fprintf(stderr, "mkdump: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	unsigned char header[4096] = {0};
	memcpy(header, "makedumpfile", 12);
	put_be(header + 16, 1, 8); /* TYPE_FLAT_HEADER */
	put_be(header + 24, 1, 8); /* VERSION_FLAT_HEADER */
	fwrite(header, 1, sizeof(header), f);

	write_extra_records(sp, f, false);
	if (sp->rewrite_header) {
		/* A stale copy of the header first: the later record must win. */
		unsigned char junk[512];
		memset(junk, 0xaa, sizeof(junk));
		flat_record(f, 0, sizeof(junk));
		fwrite(junk, 1, sizeof(junk), f);
	}

	size_t n = (size_t)((size + sp->record_size - 1) / sp->record_size);
	struct chunk *chunks = xrealloc(NULL, n * sizeof(*chunks));
	for (size_t i = 0; i < n; i++) {
		chunks[i].offset = i * sp->record_size;
		chunks[i].size = size - chunks[i].offset < sp->record_size ? size - chunks[i].offset : sp->record_size;
	}
	if (sp->order == ORDER_REVERSE) {
		for (size_t i = 0; i < n / 2; i++) {
			struct chunk t = chunks[i];
			chunks[i] = chunks[n - 1 - i];
			chunks[n - 1 - i] = t;
		}
	} else if (sp->order == ORDER_SHUFFLE) {
		uint64_t x = sp->shuffle_seed;
		for (size_t i = n; i > 1; i--) {
			x = mix64(x);
			size_t j = (size_t)(x % i);
			struct chunk t = chunks[i - 1];
			chunks[i - 1] = chunks[j];
			chunks[j] = t;
		}
	}
	unsigned char *buf = xrealloc(NULL, sp->record_size);
	for (size_t i = 0; i < n; i++) {
		ssize_t got = pread(fd, buf, chunks[i].size, (off_t)chunks[i].offset);
		if (got != (ssize_t)chunks[i].size) {
			fprintf(stderr, "mkdump: re-reading the plain dump failed\n");
			exit(1);
		}
		if (sp->skip_zero && all_zero(buf, chunks[i].size) && chunks[i].offset + chunks[i].size < size)
			continue;
		flat_record(f, (int64_t)chunks[i].offset, (int64_t)chunks[i].size);
		fwrite(buf, 1, chunks[i].size, f);
	}
	write_extra_records(sp, f, true);
	if (!sp->no_end)
		flat_record(f, -1, -1);
	free(buf);
	free(chunks);
	if (fclose(f)) {
		fprintf(stderr, "mkdump: %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

/* ---- main ---- */

static void finish_file(const struct spec *sp, const char *path)
{
	int fd = open(path, O_RDWR);
	if (fd < 0) {
		fprintf(stderr, "mkdump: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	for (size_t i = 0; i < sp->nfile_pokes; i++) {
		struct out o = {.fd = fd};
		out_write(&o, sp->file_pokes[i].offset, sp->file_pokes[i].bytes, sp->file_pokes[i].len);
	}
	if (sp->have_truncate) {
		struct stat st;
		if (fstat(fd, &st) < 0)
			exit(1);
		int64_t len = sp->truncate < 0 ? st.st_size + sp->truncate : sp->truncate;
		if (len < 0 || ftruncate(fd, len) < 0) {
			fprintf(stderr, "mkdump: cannot truncate to %lld\n", (long long)len);
			exit(1);
		}
	}
	close(fd);
}

static void usage(void)
{
	fprintf(stderr, "usage: mkdump [-m MAPFILE] [-D 'directive']... [--format PRESET] SPEC|- OUTPUT\n"
			"       mkdump [options] -o OUTPUT SPEC|-\n"
			"       mkdump --list-formats\n");
	exit(1);
}

/* Named variants, each a few spec lines applied after the spec: one spec
 * gives a dump in every format (fuzz seeds, format sweeps). */
struct preset {
	const char *name;
	const char *lines[5];
};

static const struct preset presets[] = {
	{"elf64", {"format elf64"}},
	{"elf64-qemu", {"format elf64", "elf-quirks qemu"}},
	{"elf32", {"format elf32"}},
	{"kdump-none", {"format kdump", "compress none"}},
	{"kdump-zlib", {"format kdump", "compress zlib"}},
	{"kdump-lzo", {"format kdump", "compress lzo"}},
#ifdef HAVE_SNAPPY
	{"kdump-snappy", {"format kdump", "compress snappy"}},
#endif
#ifdef HAVE_ZSTD
	{"kdump-zstd", {"format kdump", "compress zstd"}},
#endif
	{"kdump-mixed-64k", {"format kdump", "compress zlib,lzo,none", "block-size 65536", "share-zero-pages"}},
	{"kdump-v3-abi32", {"format kdump", "compress zlib", "header-version 3", "header-abi 32"}},
	{"kdump-big-endian", {"format kdump", "compress lzo", "endian big"}},
	{"kdump-flat-zlib", {"format kdump", "compress zlib", "block-size 65536", "flatten record-size=262144"}},
	{"kdump-flat-shuffled", {"format kdump", "compress lzo", "flatten record-size=1000 order=shuffle=7 rewrite-header"}},
};

static const struct preset *find_preset(const char *name)
{
	for (size_t i = 0; i < sizeof(presets) / sizeof(presets[0]); i++)
		if (!strcmp(presets[i].name, name))
			return &presets[i];
	fprintf(stderr, "mkdump: unknown format preset '%s' (see --list-formats)\n", name);
	exit(1);
}

int main(int argc, char **argv)
{
	struct spec sp = {
		.machine = EM_AARCH64,
		.format = OUT_ELF64,
		.block_size = 4096,
		.header_version = 6,
		.dump_level = 1,
		.record_size = 65536,
	};
	const char *map_path = NULL, *out_path = NULL;
	const struct preset *preset = NULL;
	char **extra = NULL;
	size_t nextra = 0;
	static const struct option longopts[] = {
		{"format", required_argument, NULL, 'f'},
		{"list-formats", no_argument, NULL, 'l'},
		{"output", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	int opt;
	while ((opt = getopt_long(argc, argv, "m:D:o:h", longopts, NULL)) != -1) {
		if (opt == 'm') {
			map_path = optarg;
		} else if (opt == 'D') {
			*PUSH(extra, nextra) = optarg;
		} else if (opt == 'o') {
			out_path = optarg;
		} else if (opt == 'f') {
			preset = find_preset(optarg);
		} else if (opt == 'l') {
			for (size_t i = 0; i < sizeof(presets) / sizeof(presets[0]); i++)
				puts(presets[i].name);
			return 0;
		} else {
			usage();
		}
	}
	if (argc - optind != (out_path ? 1 : 2))
		usage();
	const char *spec_path = argv[optind];
	if (!out_path)
		out_path = argv[optind + 1];
	/* A preset's lines come before the -D lines, so -D still has the last word. */
	if (preset) {
		size_t n = 0;
		while (n < 5 && preset->lines[n])
			n++;
		extra = xrealloc(extra, (nextra + n) * sizeof(*extra));
		memmove(extra + n, extra, nextra * sizeof(*extra));
		for (size_t i = 0; i < n; i++)
			extra[i] = (char *)preset->lines[i];
		nextra += n;
	}

	bool in_vmcoreinfo = false;
	FILE *in = strcmp(spec_path, "-") ? fopen(spec_path, "r") : stdin;
	if (!in) {
		fprintf(stderr, "mkdump: %s: %s\n", spec_path, strerror(errno));
		return 1;
	}
	spec_name = spec_path;
	parse_stream(&sp, in, &in_vmcoreinfo);
	if (in != stdin)
		fclose(in);
	spec_name = "-D";
	for (size_t i = 0; i < nextra; i++) {
		spec_line = (unsigned)i + 1;
		char *line = strdup(extra[i]);
		parse_line(&sp, line, &in_vmcoreinfo);
		free(line);
	}
	if (in_vmcoreinfo)
		die("vmcoreinfo block without 'end'");
	if (!sp.block_size || sp.block_size & (sp.block_size - 1))
		die("block-size must be a power of two");
	if (sp.header_version < 0)
		die("header-version must be >= 0");
	if (sp.npokes)
		qsort(sp.pokes, sp.npokes, sizeof(*sp.pokes), compare_pokes);
	if (sp.flatten && sp.format != OUT_KDUMP)
		die("flatten applies to kdump output only");

	/* Flattened output is the plain file re-emitted as records. */
	char *plain_path = NULL;
	if (sp.flatten) {
		plain_path = xrealloc(NULL, strlen(out_path) + 16);
		sprintf(plain_path, "%s.plain.tmp", out_path);
	}
	const char *write_path = plain_path ? plain_path : out_path;
	struct out o = {.big_endian = sp.big_endian};
	o.fd = open(write_path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (o.fd < 0) {
		fprintf(stderr, "mkdump: %s: %s\n", write_path, strerror(errno));
		return 1;
	}
	FILE *map = NULL;
	if (map_path && !(map = fopen(map_path, "w"))) {
		fprintf(stderr, "mkdump: %s: %s\n", map_path, strerror(errno));
		return 1;
	}
	if (sp.format == OUT_KDUMP)
		write_kdump(&sp, &o, map);
	else
		write_elf(&sp, &o, map);
	if (plain_path) {
		flatten_file(&sp, o.fd, out_path);
		close(o.fd);
		unlink(plain_path);
		free(plain_path);
	} else {
		close(o.fd);
	}
	if (map)
		fclose(map);
	finish_file(&sp, out_path);

	for (size_t i = 0; i < sp.npokes; i++)
		free(sp.pokes[i].bytes);
	for (size_t i = 0; i < sp.nfile_pokes; i++)
		free(sp.file_pokes[i].bytes);
	free(sp.pokes);
	free(sp.file_pokes);
	free(sp.ranges);
	free(sp.excludes);
	free(sp.vmcoreinfo);
	free(sp.cpus);
	free(sp.descs);
	free(sp.inflates);
	free(sp.flat_records);
	free(extra);
	return 0;
}
