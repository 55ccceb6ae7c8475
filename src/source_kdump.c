/* makedumpfile's kdump-compressed format, plain and flattened.
 *
 * Layout of the dump (offsets in blocks of header.block_size):
 *   block 0                      disk_dump_header ("KDUMP   ")
 *   block 1 .. sub_hdr_size      kdump_sub_header, then the ELF notes
 *   then bitmap_blocks blocks    1st bitmap (memory that exists),
 *                                2nd bitmap (pages written), each half of it
 *   then                         one 24-byte page_desc per set bit of the
 *                                2nd bitmap, in PFN order, then page data
 * The facts come from makedumpfile's diskdump_mod.h and write_kdump_header().
 *
 * Nothing here grows with the dump: the bitmaps and descriptors are read
 * through small caches, and the PFN -> descriptor lookup uses a rank index
 * holding one count per chunk of the 2nd bitmap, at most KDUMP_MAX_CHUNKS. */
#include "source.h"

#include <endian.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decomp.h"
#include "large_buf.h"
#include "source_kdump_view.h"

#define KDUMP_SIGNATURE "KDUMP   "
#define KDUMP_SIGNATURE_LEN 8

/* disk_dump_header.status and page_desc.flags bits (diskdump_mod.h). */
#define DUMP_DH_COMPRESSED_ZLIB 0x1
#define DUMP_DH_COMPRESSED_LZO 0x2
#define DUMP_DH_COMPRESSED_SNAPPY 0x4
#define DUMP_DH_COMPRESSED_INCOMPLETE 0x8
#define DUMP_DH_COMPRESSED_ZSTD 0x20

#define PAGE_DESC_SIZE 24u
/* Versions seen so far run 1..6; later ones only appended sub-header fields. */
#define KDUMP_MAX_HEADER_VERSION 64
#define KDUMP_MIN_BLOCK 512u
#define KDUMP_MAX_BLOCK (1u << 20)
/* The kernel's VMCOREINFO_BYTES is one page; leave room for big pages. */
#define KDUMP_MAX_VMCOREINFO (1u << 20)
/* The notes are one NT_PRSTATUS per CPU plus a few more. */
#define KDUMP_MAX_NOTES_SIZE (16u << 20)
/* Rank index: a count per chunk of the 2nd bitmap, chunks of at least 4096 bits,
 * widened for huge bitmaps so that the index stays at most 2 MiB. */
#define KDUMP_MIN_CHUNK_BITS 4096u
#define KDUMP_MAX_CHUNKS (1u << 18)
/* Bounded caches: bitmap and descriptor bytes in 4 KiB lines, decoded blocks.
 * A line holds 170 page descriptors, read with one pread. Reads in PFN order
 * need one line in 170 pages whatever the size; for reads all over the
 * dump the descriptors must stay cached or every page costs a second pread
 * (16 lines gave 1.86 preads a page on a 20,000-page dump): 256 lines, 1
 * MiB, hold the whole table of a dump of up to 43,690 stored pages. */
#define LINE_SIZE 4096u
#define BITMAP_LINES 16u
#define DESC_LINES 256u
#define PAGE_SLOTS 64u
#define PAGE_CACHE_BYTES (8u << 20)
/* Blocks read in PFN order (a BTF blob, a process's pages) have their
 * stored bytes back to back in the file: read ahead up to this much at a
 * time, one pread for up to 16 pages instead of one each (1,390 preads,
 * about 2 ms of system time, loading the x86-64 6.1 BTF). */
#define STORED_WINDOW 65536u
#define STORED_AHEAD_BLOCKS 16u
/* Streaming passes over the bitmaps read this much at a time. */
#define STREAM_CHUNK 65536u
/* How many descriptors open() reads to learn which codecs the pages use:
 * all of them in a small dump, evenly spaced windows in a large one. */
#define SAMPLE_ALL_LIMIT 65536u
#define SAMPLE_WINDOWS 64u
#define SAMPLE_WINDOW_DESCS 1024u

#define NT_PRSTATUS_TYPE 1

/* Where disk_dump_header's fields sit. struct timeval and the padding before
 * it depend on the writer's word size: 16 bytes at 408 for LP64, 8 bytes at
 * 404 for ILP32 (QEMU's DiskDumpHeader32 agrees). */
struct header_layout {
	const char *name;
	unsigned tv_usec, tv_usec_size;
	unsigned status, block_size, sub_hdr_size, bitmap_blocks, max_mapnr, nr_cpus;
	unsigned size;
};

static const struct header_layout header_lp64 = {
	.name = "64-bit", .tv_usec = 416, .tv_usec_size = 8, .status = 424, .block_size = 428,
	.sub_hdr_size = 432, .bitmap_blocks = 436, .max_mapnr = 440, .nr_cpus = 460, .size = 464,
};
static const struct header_layout header_ilp32 = {
	.name = "32-bit", .tv_usec = 408, .tv_usec_size = 4, .status = 412, .block_size = 416,
	.sub_hdr_size = 420, .bitmap_blocks = 424, .max_mapnr = 428, .nr_cpus = 448, .size = 452,
};
#define UTSNAME_MACHINE_OFFSET (12 + 4 * 65)
#define UTSNAME_FIELD_LEN 65

/* kdump_sub_header: unsigned long is the writer's word, off_t is always 64
 * bits (makedumpfile builds with _FILE_OFFSET_BITS=64). Whether a 64-bit
 * member is 4- or 8-aligned splits the 32-bit writers: i386 and QEMU's
 * packed KdumpSubHeader32 vs. ARM EABI. */
struct sub_layout {
	const char *name;
	unsigned word;
	unsigned phys_base, dump_level, split, start_pfn, end_pfn;
	unsigned offset_vmcoreinfo, size_vmcoreinfo, offset_note, size_note;
	unsigned offset_eraseinfo, size_eraseinfo, start_pfn_64, end_pfn_64, max_mapnr_64;
	unsigned size;
};

static const struct sub_layout sub_lp64 = {
	.name = "LP64", .word = 8, .phys_base = 0, .dump_level = 8, .split = 12, .start_pfn = 16,
	.end_pfn = 24, .offset_vmcoreinfo = 32, .size_vmcoreinfo = 40, .offset_note = 48,
	.size_note = 56, .offset_eraseinfo = 64, .size_eraseinfo = 72, .start_pfn_64 = 80,
	.end_pfn_64 = 88, .max_mapnr_64 = 96, .size = 104,
};
static const struct sub_layout sub_ilp32_packed = {
	.name = "ILP32", .word = 4, .phys_base = 0, .dump_level = 4, .split = 8, .start_pfn = 12,
	.end_pfn = 16, .offset_vmcoreinfo = 20, .size_vmcoreinfo = 28, .offset_note = 32,
	.size_note = 40, .offset_eraseinfo = 44, .size_eraseinfo = 52, .start_pfn_64 = 56,
	.end_pfn_64 = 64, .max_mapnr_64 = 72, .size = 80,
};
static const struct sub_layout sub_ilp32_aligned = {
	.name = "ILP32 (8-byte aligned)", .word = 4, .phys_base = 0, .dump_level = 4, .split = 8,
	.start_pfn = 12, .end_pfn = 16, .offset_vmcoreinfo = 24, .size_vmcoreinfo = 32,
	.offset_note = 40, .size_note = 48, .offset_eraseinfo = 56, .size_eraseinfo = 64,
	.start_pfn_64 = 72, .end_pfn_64 = 80, .max_mapnr_64 = 88, .size = 96,
};

/* A direct-mapped cache of LINE_SIZE-byte lines of the view. */
struct line_cache {
	unsigned nlines;
	uint64_t *tags; /* line number + 1; 0 = empty */
	unsigned char *data;
};

struct page_slot {
	uint64_t pfn;
	bool valid;
};

/* The stored copy the last decoded block came from, and where it is cached. */
struct stored_memo {
	bool valid;
	int64_t offset;
	uint32_t size, flags;
	unsigned slot;
	uint64_t pfn;
};

struct kdump {
	struct kdump_view view;
	bool big_endian;
	const struct header_layout *hl;
	const struct sub_layout *sl;
	int header_version;
	uint32_t status;
	uint32_t block_size;
	uint64_t max_mapnr;
	uint64_t bitmap1_off, bitmap2_off, bitmap_len; /* bitmap_len: bytes per bitmap */
	uint64_t desc_off;
	/* A split dump (makedumpfile --split) holds [split_start, split_end) only,
	 * its descriptors counted from split_start. */
	bool split;
	uint64_t split_start, split_end;
	uint64_t rank_base;
	uint64_t ndescs;
	/* Rank index: chunk_rank[i] = set bits of the 2nd bitmap before chunk i. */
	uint64_t chunk_bits;
	uint64_t *chunk_rank;
	size_t nchunks;
	/* rank()'s last answer: reads in PFN order (a BTF blob, a task's
	 * stack) then count only the bits since, not the chunk's up to pfn. */
	bool have_memo;
	uint64_t memo_pfn, memo_rank;
	struct line_cache bitmap_cache, desc_cache;
	struct page_slot *slots;
	unsigned nslots;
	unsigned char *slot_data;
	/* Stored bytes: one block's, or, when blocks are read in file order,
	 * a window of STORED_WINDOW bytes read ahead: [stored_off,
	 * stored_off + stored_len) of the view, valid when stored_len != 0. */
	unsigned char *compressed;
	size_t compressed_size;
	uint64_t stored_off;
	size_t stored_len;
	uint64_t last_stored_end; /* just past the last block's stored bytes */
	struct stored_memo last_stored;
	struct ptw_decomp *decomp;
};

/* ---- byte order: the dump's, fixed at the read boundary ---- */

static uint32_t get_u32(const struct kdump *k, const unsigned char *p)
{
	if (k->big_endian)
		return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static uint64_t get_u64(const struct kdump *k, const unsigned char *p)
{
	uint64_t lo = get_u32(k, p + (k->big_endian ? 4 : 0));
	uint64_t hi = get_u32(k, p + (k->big_endian ? 0 : 4));
	return hi << 32 | lo;
}

/* An unsigned long of the writer. */
static uint64_t get_word(const struct kdump *k, const unsigned char *p)
{
	return k->sl->word == 8 ? get_u64(k, p) : get_u32(k, p);
}

/* ---- errors: offsets are file offsets, even inside a flattened file ---- */

static struct ptw_error *kdump_error(const struct kdump *k, enum ptw_error_code code, uint64_t off,
				     const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static struct ptw_error *kdump_error(const struct kdump *k, enum ptw_error_code code, uint64_t off,
				     const char *fmt, ...)
{
	char *msg;
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		return &ptw_enomem;
	struct ptw_error *err;
	if (k->view.flattened)
		err = ptw_error_at(code, kdump_view_file_offset(&k->view, off),
				   "%s (offset 0x%llx of the flattened dump's data)", msg,
				   (unsigned long long)off);
	else
		err = ptw_error_at(code, off, "%s", msg);
	free(msg);
	return err;
}

/* Attach a file offset to an error that has none (codec errors). */
static struct ptw_error *error_with_offset(struct ptw_error *err, uint64_t off)
{
	if (err && err != &ptw_enomem && !err->has_offset) {
		err->has_offset = true;
		err->offset = off;
	}
	return err;
}

/* ---- caches ---- */

static struct ptw_error *line_cache_init(struct line_cache *c, unsigned nlines)
{
	c->nlines = nlines;
	c->tags = calloc(nlines, sizeof(*c->tags));
	c->data = malloc((size_t)nlines * LINE_SIZE);
	if (!c->tags || !c->data)
		return &ptw_enomem;
	return NULL;
}

static void line_cache_fini(struct line_cache *c)
{
	free(c->tags);
	free(c->data);
}

/* Read [off, off + len) of the view through the cache; the range must lie
 * inside the view. */
static struct ptw_error *cached_read(struct kdump *k, struct line_cache *c, uint64_t off, void *buf,
				     size_t len)
{
	unsigned char *out = buf;
	while (len) {
		uint64_t line = off / LINE_SIZE;
		unsigned slot = (unsigned)(line % c->nlines);
		unsigned char *data = c->data + (size_t)slot * LINE_SIZE;
		if (c->tags[slot] != line + 1) {
			uint64_t start = line * LINE_SIZE;
			uint64_t avail = k->view.size - start;
			size_t want = avail < LINE_SIZE ? (size_t)avail : LINE_SIZE;
			c->tags[slot] = 0;
			struct ptw_error *err = kdump_view_read(&k->view, start, data, want);
			if (err)
				return err;
			c->tags[slot] = line + 1;
		}
		size_t in_line = (size_t)(off % LINE_SIZE);
		size_t chunk = LINE_SIZE - in_line;
		if (chunk > len)
			chunk = len;
		memcpy(out, data + in_line, chunk);
		out += chunk;
		off += chunk;
		len -= chunk;
	}
	return NULL;
}

/* Bitmap bytes; those past the end of a truncated file read as zero (not dumped). */
static struct ptw_error *bitmap_bytes(struct kdump *k, uint64_t base, uint64_t byte, void *buf,
				      size_t len, bool cached)
{
	uint64_t off = base + byte;
	size_t have = 0;
	if (off < k->view.size)
		have = k->view.size - off < len ? (size_t)(k->view.size - off) : len;
	memset((char *)buf + have, 0, len - have);
	if (!have)
		return NULL;
	if (cached)
		return cached_read(k, &k->bitmap_cache, off, buf, have);
	return kdump_view_read(&k->view, off, buf, have);
}

static struct ptw_error *bitmap_test(struct kdump *k, uint64_t base, uint64_t pfn, bool *ret)
{
	unsigned char byte;
	struct ptw_error *err = bitmap_bytes(k, base, pfn / 8, &byte, 1, true);
	if (err)
		return err;
	*ret = (byte >> (pfn % 8)) & 1;
	return NULL;
}

/* Set bits in w. __builtin_popcountll becomes a call into libgcc, one per
 * word, when the build may not assume the POPCNT instruction; this is the
 * branch-free sum of ever wider bit fields instead. Bitmaps are mostly
 * runs of all-clear or all-set words, which need no counting at all. */
static unsigned popcount64(uint64_t w)
{
	if (w == 0)
		return 0;
	if (w == UINT64_MAX)
		return 64;
	w = w - ((w >> 1) & UINT64_C(0x5555555555555555));
	w = (w & UINT64_C(0x3333333333333333)) + ((w >> 2) & UINT64_C(0x3333333333333333));
	w = (w + (w >> 4)) & UINT64_C(0x0f0f0f0f0f0f0f0f);
	return (unsigned)((w * UINT64_C(0x0101010101010101)) >> 56);
}

/* The first of words [from, to) of bitmap b that is not `fill` (all clear
 * or all set), or `to`. Runs of such words are the bulk of a bitmap (a
 * sparse dump's is nearly all one run), so they are passed over a block at
 * a time: a block whose first word is `fill` and which equals itself moved
 * on by one word is all `fill`, and memcmp tests that many bytes a step. */
#define FILL_BLOCK_WORDS 64u
static size_t skip_fill_words(const unsigned char *b, size_t from, size_t to, uint64_t fill)
{
	size_t i = from;

	for (; i + FILL_BLOCK_WORDS <= to; i += FILL_BLOCK_WORDS) {
		uint64_t w;

		memcpy(&w, b + 8 * i, 8);
		if (w != fill || memcmp(b + 8 * i, b + 8 * i + 8, 8 * (FILL_BLOCK_WORDS - 1)) != 0)
			break;
	}
	for (; i + 4 <= to; i += 4) {
		uint64_t w[4];

		memcpy(w, b + 8 * i, sizeof(w));
		if (((w[0] ^ fill) | (w[1] ^ fill) | (w[2] ^ fill) | (w[3] ^ fill)) != 0)
			break;
	}
	for (; i < to; i++) {
		uint64_t w;

		memcpy(&w, b + 8 * i, 8);
		if (w != fill)
			break;
	}
	return i;
}

static unsigned popcount_bytes(const unsigned char *p, size_t len)
{
	unsigned n = 0;
	size_t words = len / 8;
	size_t i = 0;

	/* Bounded: every turn moves i on by at least one word. */
	while (i < words) {
		uint64_t w;

		i = skip_fill_words(p, i, words, 0);
		if (i == words)
			break;
		memcpy(&w, p + 8 * i, 8);
		n += popcount64(w);
		i++;
	}
	for (size_t b = words * 8; b < len; b++)
		n += popcount64(p[b]);
	return n;
}

/* Add the set bits of the 2nd bitmap in [from, to) to *count; from is
 * byte-aligned or the range lies within one chunk. */
static struct ptw_error *count_set(struct kdump *k, uint64_t from, uint64_t to, uint64_t *count)
{
	unsigned char buf[512];
	uint64_t byte = from / 8;
	/* Bitmap bytes past the end of the file are zero: no need to count them. */
	uint64_t in_file = k->bitmap2_off < k->view.size ? k->view.size - k->bitmap2_off : 0;
	struct ptw_error *err;

	if (from >= to || byte >= in_file)
		return NULL;
	if (from % 8) {
		unsigned char first;
		unsigned lo = (unsigned)(from % 8);
		unsigned hi = to - byte * 8 < 8 ? (unsigned)(to - byte * 8) : 8;

		err = bitmap_bytes(k, k->bitmap2_off, byte, &first, 1, true);
		if (err)
			return err;
		*count += popcount64(first & ((1u << hi) - 1) & ~((1u << lo) - 1));
		byte++;
		if (byte * 8 >= to)
			return NULL;
	}
	uint64_t nbytes = to / 8 - byte;
	if (byte < in_file && nbytes > in_file - byte)
		nbytes = in_file - byte;
	if (byte >= in_file)
		nbytes = 0;
	/* At most chunk_bits / 8 bytes: bounded by the index's chunk size. */
	while (nbytes) {
		size_t step = nbytes < sizeof(buf) ? (size_t)nbytes : sizeof(buf);
		err = bitmap_bytes(k, k->bitmap2_off, byte, buf, step, true);
		if (err)
			return err;
		*count += popcount_bytes(buf, step);
		byte += step;
		nbytes -= step;
	}
	unsigned rest = (unsigned)(to % 8);
	if (rest && byte == to / 8 && byte < in_file) {
		unsigned char last;
		err = bitmap_bytes(k, k->bitmap2_off, byte, &last, 1, true);
		if (err)
			return err;
		*count += popcount64(last & ((1u << rest) - 1));
	}
	return NULL;
}

/* Set bits of the 2nd bitmap in [0, pfn). */
static struct ptw_error *rank(struct kdump *k, uint64_t pfn, uint64_t *ret)
{
	uint64_t chunk = pfn / k->chunk_bits;
	if (chunk >= k->nchunks) {
		*ret = k->chunk_rank[k->nchunks];
		return NULL;
	}
	uint64_t first = chunk * k->chunk_bits;
	uint64_t count = k->chunk_rank[chunk];
	if (k->have_memo && k->memo_pfn >= first && k->memo_pfn <= pfn) {
		first = k->memo_pfn;
		count = k->memo_rank;
	}
	struct ptw_error *err = count_set(k, first, pfn, &count);
	if (err)
		return err;
	k->have_memo = true;
	k->memo_pfn = pfn;
	k->memo_rank = count;
	*ret = count;
	return NULL;
}

/* One pass over the 2nd bitmap, reading only what the file holds: the rank
 * index. Bits at or past max_mapnr are not counted. */
static struct ptw_error *build_rank_index(struct kdump *k)
{
	uint64_t nbits = k->max_mapnr;
	k->chunk_bits = KDUMP_MIN_CHUNK_BITS;
	while ((nbits + k->chunk_bits - 1) / k->chunk_bits > KDUMP_MAX_CHUNKS)
		k->chunk_bits *= 2;
	k->nchunks = (size_t)((nbits + k->chunk_bits - 1) / k->chunk_bits);
	k->chunk_rank = calloc(k->nchunks + 1, sizeof(*k->chunk_rank));
	if (!k->chunk_rank)
		return &ptw_enomem;

	uint64_t in_file = 0;
	if (k->bitmap2_off < k->view.size)
		in_file = k->view.size - k->bitmap2_off;
	uint64_t nbytes = (nbits + 7) / 8;
	if (nbytes > in_file)
		nbytes = in_file;
	unsigned char *buf = malloc(STREAM_CHUNK);
	if (!buf)
		return &ptw_enomem;
	uint64_t chunk_bytes = k->chunk_bits / 8;
	uint64_t total = 0;
	struct ptw_error *err = NULL;
	/* STREAM_CHUNK is a multiple of chunk_bytes or the other way round, so
	 * a chunk never straddles two reads unevenly. */
	for (uint64_t byte = 0; byte < nbytes;) {
		size_t step = nbytes - byte < STREAM_CHUNK ? (size_t)(nbytes - byte) : STREAM_CHUNK;
		err = kdump_view_read(&k->view, k->bitmap2_off + byte, buf, step);
		if (err)
			break;
		if (byte + step == (nbits + 7) / 8 && nbits % 8)
			buf[step - 1] &= (unsigned char)((1u << (nbits % 8)) - 1);
		for (size_t i = 0; i < step;) {
			uint64_t at = byte + i;
			if (at % chunk_bytes == 0)
				k->chunk_rank[at / chunk_bytes] = total;
			size_t run = (size_t)(chunk_bytes - at % chunk_bytes);
			if (run > step - i)
				run = step - i;
			total += popcount_bytes(buf + i, run);
			i += run;
		}
		byte += step;
	}
	free(buf);
	if (err)
		return err;
	/* Chunks past the file's end hold no set bits. */
	for (size_t i = (size_t)((nbytes + chunk_bytes - 1) / chunk_bytes); i <= k->nchunks; i++)
		k->chunk_rank[i] = total;
	return NULL;
}

/* ---- header ---- */

static bool is_power_of_two(uint64_t v)
{
	return v && !(v & (v - 1));
}

static bool header_plausible(const struct kdump *k, const unsigned char *h, const struct header_layout *hl)
{
	uint64_t usec = hl->tv_usec_size == 8 ? get_u64(k, h + hl->tv_usec) : get_u32(k, h + hl->tv_usec);
	uint32_t block_size = get_u32(k, h + hl->block_size);
	int32_t sub_hdr_size = (int32_t)get_u32(k, h + hl->sub_hdr_size);
	return usec < 1000000 && is_power_of_two(block_size) && block_size >= KDUMP_MIN_BLOCK &&
	       block_size <= KDUMP_MAX_BLOCK && sub_hdr_size >= 0;
}

/* Which 32-bit sub-header layout: makedumpfile and QEMU put the notes right
 * after the sub-header, and VMCOREINFO inside the sub-header blocks. */
static const struct sub_layout *pick_sub_layout32(struct kdump *k, const unsigned char *sub, size_t len,
						  uint64_t sub_end)
{
	const struct sub_layout *candidates[] = {&sub_ilp32_packed, &sub_ilp32_aligned};
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < 2; i++) {
			const struct sub_layout *sl = candidates[i];
			if (sl->size > len)
				continue;
			if (pass == 0 && k->header_version >= 4) {
				uint64_t note = get_u64(k, sub + sl->offset_note);
				if (get_u32(k, sub + sl->size_note) && note == k->block_size + (uint64_t)sl->size)
					return sl;
			}
			if (pass == 1 && k->header_version >= 3) {
				uint64_t vmci = get_u64(k, sub + sl->offset_vmcoreinfo);
				if (get_u32(k, sub + sl->size_vmcoreinfo) && vmci >= k->block_size && vmci < sub_end)
					return sl;
			}
		}
	}
	return &sub_ilp32_packed;
}

static void parse_prstatus(struct kdump *k, const unsigned char *desc, uint32_t descsz,
			   struct ptw_prstatus *cpu)
{
	/* elf_prstatus: pr_pid after the signal info and two sigset words, the
	 * registers after four struct timevals; pr_fpvalid follows them. */
	bool wide = k->sl->word == 8;
	unsigned pid_off = wide ? 32 : 24, reg_off = wide ? 112 : 72, reg_size = wide ? 8 : 4;
	memset(cpu, 0, sizeof(*cpu));
	if (descsz >= pid_off + 4)
		cpu->pid = (int32_t)get_u32(k, desc + pid_off);
	if (descsz < reg_off + 4)
		return;
	uint64_t n = (descsz - reg_off - 4) / reg_size;
	if (n > sizeof(cpu->regs) / sizeof(cpu->regs[0]))
		n = sizeof(cpu->regs) / sizeof(cpu->regs[0]);
	for (unsigned i = 0; i < n; i++)
		cpu->regs[i] = wide ? get_u64(k, desc + reg_off + 8 * i) : get_u32(k, desc + reg_off + 4 * i);
	cpu->nregs = (unsigned)n;
}

/* The ELF notes makedumpfile copies after the sub-header: NT_PRSTATUS per
 * CPU, and VMCOREINFO when the sub-header did not point at it. */
static struct ptw_error *read_notes(struct kdump *k, struct ptw_source *src, uint64_t off, uint64_t size,
				    uint64_t field_off)
{
	if (size > KDUMP_MAX_NOTES_SIZE || off > k->view.size || size > k->view.size - off)
		return kdump_error(k, PTW_E_BAD_DATA, field_off,
				   "kdump sub-header: notes at 0x%llx, %llu bytes, lie outside the file",
				   (unsigned long long)off, (unsigned long long)size);
	unsigned char *notes = malloc(size ? (size_t)size : 1);
	if (!notes)
		return &ptw_enomem;
	struct ptw_error *err = kdump_view_read(&k->view, off, notes, (size_t)size);
	size_t cap = 0;
	/* Each note takes at least 12 bytes: bounded by the note size. */
	for (uint64_t pos = 0; !err && pos + 12 <= size;) {
		uint32_t namesz = get_u32(k, notes + pos), descsz = get_u32(k, notes + pos + 4);
		uint32_t type = get_u32(k, notes + pos + 8);
		uint64_t name_pos = pos + 12;
		uint64_t desc_pos = name_pos + (((uint64_t)namesz + 3) & ~UINT64_C(3));
		uint64_t next = desc_pos + (((uint64_t)descsz + 3) & ~UINT64_C(3));
		if (desc_pos > size || descsz > size - desc_pos)
			break; /* a torn last note: keep what came before */
		const char *name = (const char *)notes + name_pos;
		if (namesz == 5 && !memcmp(name, "CORE", 5) && type == NT_PRSTATUS_TYPE) {
			if (src->ncpus == cap) {
				size_t ncap = cap ? cap * 2 : 8;
				struct ptw_prstatus *cpus = realloc(src->cpus, ncap * sizeof(*cpus));
				if (!cpus) {
					err = &ptw_enomem;
					break;
				}
				src->cpus = cpus;
				cap = ncap;
			}
			parse_prstatus(k, notes + desc_pos, descsz, &src->cpus[src->ncpus++]);
		} else if (namesz == 11 && !memcmp(name, "VMCOREINFO", 11) && !src->vmcoreinfo) {
			src->vmcoreinfo = malloc((size_t)descsz + 1);
			if (!src->vmcoreinfo) {
				err = &ptw_enomem;
				break;
			}
			memcpy(src->vmcoreinfo, notes + desc_pos, descsz);
			src->vmcoreinfo[descsz] = '\0';
			src->vmcoreinfo_len = strlen(src->vmcoreinfo);
			src->vmcoreinfo_offset = kdump_view_file_offset(&k->view, off + desc_pos);
		}
		pos = next;
	}
	free(notes);
	return err;
}

static struct ptw_error *read_vmcoreinfo(struct kdump *k, struct ptw_source *src, uint64_t off,
					 uint64_t size, uint64_t field_off)
{
	if (size > KDUMP_MAX_VMCOREINFO || off > k->view.size || size > k->view.size - off)
		return kdump_error(k, PTW_E_BAD_DATA, field_off,
				   "kdump sub-header: VMCOREINFO at 0x%llx, %llu bytes, lies outside the file",
				   (unsigned long long)off, (unsigned long long)size);
	char *text = malloc((size_t)size + 1);
	if (!text)
		return &ptw_enomem;
	struct ptw_error *err = kdump_view_read(&k->view, off, text, (size_t)size);
	if (err) {
		free(text);
		return err;
	}
	text[size] = '\0';
	src->vmcoreinfo = text;
	src->vmcoreinfo_len = strlen(text);
	src->vmcoreinfo_offset = kdump_view_file_offset(&k->view, off);
	return NULL;
}

static unsigned desc_codec_bit(uint32_t flags)
{
	unsigned bits = 0;
	if (flags & DUMP_DH_COMPRESSED_ZLIB)
		bits |= PTW_COMP_ZLIB;
	if (flags & DUMP_DH_COMPRESSED_LZO)
		bits |= PTW_COMP_LZO;
	if (flags & DUMP_DH_COMPRESSED_SNAPPY)
		bits |= PTW_COMP_SNAPPY;
	if (flags & DUMP_DH_COMPRESSED_ZSTD)
		bits |= PTW_COMP_ZSTD;
	return bits ? bits : PTW_COMP_NONE;
}

/* Learn the codecs in use from a bounded sample of descriptors. */
static struct ptw_error *sample_compression(struct kdump *k, struct ptw_source *src)
{
	uint64_t avail = k->ndescs;
	if (k->desc_off >= k->view.size)
		return NULL;
	if ((k->view.size - k->desc_off) / PAGE_DESC_SIZE < avail)
		avail = (k->view.size - k->desc_off) / PAGE_DESC_SIZE;
	if (!avail)
		return NULL;
	uint64_t windows = 1, per_window = avail;
	if (avail > SAMPLE_ALL_LIMIT) {
		windows = SAMPLE_WINDOWS;
		per_window = SAMPLE_WINDOW_DESCS;
	}
	unsigned char *buf = malloc(SAMPLE_WINDOW_DESCS * PAGE_DESC_SIZE);
	if (!buf)
		return &ptw_enomem;
	struct ptw_error *err = NULL;
	for (uint64_t w = 0; w < windows && !err; w++) {
		uint64_t first = windows == 1 ? 0 : (avail - per_window) / (windows - 1) * w;
		for (uint64_t i = 0; i < per_window && !err;) {
			uint64_t n = per_window - i < SAMPLE_WINDOW_DESCS ? per_window - i : SAMPLE_WINDOW_DESCS;
			err = kdump_view_read(&k->view, k->desc_off + (first + i) * PAGE_DESC_SIZE, buf,
					      (size_t)(n * PAGE_DESC_SIZE));
			for (uint64_t d = 0; !err && d < n; d++) {
				const unsigned char *p = buf + d * PAGE_DESC_SIZE;
				if (get_u32(k, p + 8)) /* size 0: never written */
					src->compression |= desc_codec_bit(get_u32(k, p + 12));
			}
			i += n;
		}
	}
	free(buf);
	return err;
}

struct page_desc {
	int64_t offset;
	uint32_t size;
	uint32_t flags;
	uint64_t where; /* view offset of the descriptor itself */
};

/* The descriptor of a PFN whose 2nd-bitmap bit is set. *have_ret is false
 * when a truncated file ends before it. */
static struct ptw_error *read_desc(struct kdump *k, uint64_t pfn, struct page_desc *pd, bool *have_ret)
{
	uint64_t r;
	struct ptw_error *err = rank(k, pfn, &r);
	if (err)
		return err;
	uint64_t idx = r - k->rank_base;
	pd->where = k->desc_off + idx * PAGE_DESC_SIZE;
	if (pd->where >= k->view.size || k->view.size - pd->where < PAGE_DESC_SIZE) {
		*have_ret = false;
		return NULL;
	}
	unsigned char raw[PAGE_DESC_SIZE];
	err = cached_read(k, &k->desc_cache, pd->where, raw, sizeof(raw));
	if (err)
		return err;
	pd->offset = (int64_t)get_u64(k, raw);
	pd->size = get_u32(k, raw + 8);
	pd->flags = get_u32(k, raw + 12);
	*have_ret = true;
	return NULL;
}

static bool data_in_file(const struct kdump *k, const struct page_desc *pd)
{
	return pd->offset > 0 && (uint64_t)pd->offset <= k->view.size &&
	       pd->size <= k->view.size - (uint64_t)pd->offset;
}

static struct ptw_error *open_common(struct ptw_source *src, struct kdump *k)
{
	struct ptw_error *err;
	unsigned char h[512];
	if (k->view.size < header_lp64.size && k->view.size < header_ilp32.size)
		return kdump_error(k, PTW_E_BAD_DATA, k->view.size,
				   "file ends inside the kdump header (%llu of %u bytes)",
				   (unsigned long long)k->view.size, header_ilp32.size);
	size_t hlen = k->view.size < sizeof(h) ? (size_t)k->view.size : sizeof(h);
	memset(h, 0, sizeof(h));
	err = kdump_view_read(&k->view, 0, h, hlen);
	if (err)
		return ptw_error_prepend(err, "reading the kdump header: ");
	if (memcmp(h, KDUMP_SIGNATURE, KDUMP_SIGNATURE_LEN))
		return kdump_error(k, PTW_E_BAD_DATA, 0, "no kdump signature");

	/* makedumpfile writes in the dumped machine's byte order. */
	k->big_endian = false;
	uint32_t version = get_u32(k, h + 8);
	if (version > KDUMP_MAX_HEADER_VERSION) {
		k->big_endian = true;
		version = get_u32(k, h + 8);
		if (version > KDUMP_MAX_HEADER_VERSION) {
			k->big_endian = false;
			return kdump_error(k, PTW_E_BAD_DATA, 8, "kdump header_version %u is not one we know",
					   get_u32(k, h + 8));
		}
	}
	k->header_version = (int)version;

	if (hlen >= header_lp64.size && header_plausible(k, h, &header_lp64))
		k->hl = &header_lp64;
	else if (header_plausible(k, h, &header_ilp32))
		k->hl = &header_ilp32;
	else
		return kdump_error(k, PTW_E_BAD_DATA, header_lp64.block_size,
				   "kdump header: block_size %u is not a power of two in [%u, %u] "
				   "(neither as a 64-bit nor as a 32-bit header)",
				   get_u32(k, h + header_lp64.block_size), KDUMP_MIN_BLOCK, KDUMP_MAX_BLOCK);
	const struct header_layout *hl = k->hl;
	k->status = get_u32(k, h + hl->status);
	k->block_size = get_u32(k, h + hl->block_size);
	uint32_t sub_hdr_size = get_u32(k, h + hl->sub_hdr_size);
	uint32_t bitmap_blocks = get_u32(k, h + hl->bitmap_blocks);
	k->max_mapnr = get_u32(k, h + hl->max_mapnr);
	src->block_size = k->block_size;
	memcpy(src->utsname_machine, h + UTSNAME_MACHINE_OFFSET, UTSNAME_FIELD_LEN);
	src->utsname_machine[UTSNAME_FIELD_LEN - 1] = '\0';

	/* Block counts are 32-bit and the block size at most 1 MiB: no overflow in 64 bits. */
	uint64_t bs = k->block_size;
	uint64_t sub_off = bs;
	uint64_t sub_len = (uint64_t)sub_hdr_size * bs;
	k->bitmap1_off = sub_off + sub_len;
	k->bitmap_len = (uint64_t)bitmap_blocks * bs / 2;
	k->bitmap2_off = k->bitmap1_off + k->bitmap_len;
	k->desc_off = k->bitmap1_off + (uint64_t)bitmap_blocks * bs;

	/* The sub-header: as many fields as its version has. */
	unsigned char sub[128];
	memset(sub, 0, sizeof(sub));
	size_t want = sub_len < sizeof(sub) ? (size_t)sub_len : sizeof(sub);
	if (sub_off > k->view.size || want > k->view.size - sub_off)
		return kdump_error(k, PTW_E_BAD_DATA, sub_off, "file ends inside the kdump sub-header");
	err = kdump_view_read(&k->view, sub_off, sub, want);
	if (err)
		return ptw_error_prepend(err, "reading the kdump sub-header: ");
	if (hl == &header_lp64)
		k->sl = &sub_lp64;
	else
		k->sl = pick_sub_layout32(k, sub, want, sub_off + sub_len);
	const struct sub_layout *sl = k->sl;
	unsigned needed = version >= 6   ? sl->size
			  : version >= 5 ? sl->start_pfn_64
			  : version >= 4 ? sl->offset_eraseinfo
			  : version >= 3 ? sl->offset_note
			  : version >= 2 ? sl->offset_vmcoreinfo
			  : version >= 1 ? sl->split
					 : 0;
	if (needed > want)
		return kdump_error(k, PTW_E_BAD_DATA, hl->sub_hdr_size,
				   "kdump sub-header of %llu bytes is too small for header version %u (%u bytes)",
				   (unsigned long long)sub_len, version, needed);
	if (version >= 1)
		src->dump_level = (int)get_u32(k, sub + sl->dump_level);
	if (version >= 2 && get_u32(k, sub + sl->split)) {
		k->split = true;
		k->split_start = get_word(k, sub + sl->start_pfn);
		k->split_end = get_word(k, sub + sl->end_pfn);
	}
	if (version >= 6) {
		uint64_t max64 = get_u64(k, sub + sl->max_mapnr_64);
		/* The header's 32-bit max_mapnr is truncated on big machines. */
		if (max64)
			k->max_mapnr = max64;
		if (k->split) {
			k->split_start = get_u64(k, sub + sl->start_pfn_64);
			k->split_end = get_u64(k, sub + sl->end_pfn_64);
		}
	}
	if (k->bitmap_len * 8 < k->max_mapnr)
		return kdump_error(k, PTW_E_BAD_DATA, hl->bitmap_blocks,
				   "kdump bitmaps of %llu bytes each cover %llu pages, fewer than max_mapnr %llu",
				   (unsigned long long)k->bitmap_len, (unsigned long long)k->bitmap_len * 8,
				   (unsigned long long)k->max_mapnr);
	if (k->max_mapnr > UINT64_MAX / bs)
		return kdump_error(k, PTW_E_BAD_DATA, version >= 6 ? sub_off + sl->max_mapnr_64 : hl->max_mapnr,
				   "max_mapnr %llu pages of %u bytes overflows the address space",
				   (unsigned long long)k->max_mapnr, k->block_size);
	if (k->split && (k->split_start > k->split_end || k->split_end > k->max_mapnr))
		return kdump_error(k, PTW_E_BAD_DATA, sub_off + sl->start_pfn,
				   "split dump range [0x%llx, 0x%llx) lies outside max_mapnr 0x%llx",
				   (unsigned long long)k->split_start, (unsigned long long)k->split_end,
				   (unsigned long long)k->max_mapnr);

	if (version >= 3) {
		uint64_t off = get_u64(k, sub + sl->offset_vmcoreinfo);
		uint64_t size = get_word(k, sub + sl->size_vmcoreinfo);
		if (size) {
			err = read_vmcoreinfo(k, src, off, size, sub_off + sl->offset_vmcoreinfo);
			if (err)
				return err;
		}
	}
	if (version >= 4) {
		uint64_t off = get_u64(k, sub + sl->offset_note);
		uint64_t size = get_word(k, sub + sl->size_note);
		if (size) {
			err = read_notes(k, src, off, size, sub_off + sl->offset_note);
			if (err)
				return err;
		}
	}

	err = line_cache_init(&k->bitmap_cache, BITMAP_LINES);
	if (!err)
		err = line_cache_init(&k->desc_cache, DESC_LINES);
	if (!err)
		err = ptw_decomp_create(&k->decomp);
	if (err)
		return err;
	k->compressed_size = (size_t)k->block_size * 2 > STORED_WINDOW ? (size_t)k->block_size * 2 : STORED_WINDOW;
	k->compressed = malloc(k->compressed_size);
	if (!k->compressed)
		return &ptw_enomem;

	err = build_rank_index(k);
	if (err)
		return ptw_error_prepend(err, "reading the kdump 2nd bitmap: ");
	uint64_t end_rank;
	err = rank(k, k->split ? k->split_end : k->max_mapnr, &end_rank);
	if (!err && k->split)
		err = rank(k, k->split_start, &k->rank_base);
	if (err)
		return err;
	k->ndescs = end_rank - k->rank_base;

	/* A file cut short (no space left on the dump target, a copy
	 * interrupted) still opens: what is missing reads as not present. */
	bool truncated = k->view.truncated;
	if (k->desc_off > k->view.size || k->ndescs > (k->view.size - k->desc_off) / PAGE_DESC_SIZE) {
		truncated = true;
	} else if (k->ndescs) {
		unsigned char raw[PAGE_DESC_SIZE];
		uint64_t last = k->desc_off + (k->ndescs - 1) * PAGE_DESC_SIZE;
		err = kdump_view_read(&k->view, last, raw, sizeof(raw));
		if (err)
			return err;
		struct page_desc pd = {.offset = (int64_t)get_u64(k, raw), .size = get_u32(k, raw + 8)};
		/* Page data follows the descriptors in PFN order: the last
		 * page's data ends the file. */
		if (pd.offset > 0 && !data_in_file(k, &pd))
			truncated = true;
	}
	src->incomplete = truncated || (k->status & DUMP_DH_COMPRESSED_INCOMPLETE);

	src->compression = 0;
	if (k->status & DUMP_DH_COMPRESSED_ZLIB)
		src->compression |= PTW_COMP_ZLIB;
	if (k->status & DUMP_DH_COMPRESSED_LZO)
		src->compression |= PTW_COMP_LZO;
	if (k->status & DUMP_DH_COMPRESSED_SNAPPY)
		src->compression |= PTW_COMP_SNAPPY;
	if (k->status & DUMP_DH_COMPRESSED_ZSTD)
		src->compression |= PTW_COMP_ZSTD;
	return sample_compression(k, src);
}

static void kdump_free(struct kdump *k)
{
	if (!k)
		return;
	kdump_view_fini(&k->view);
	line_cache_fini(&k->bitmap_cache);
	line_cache_fini(&k->desc_cache);
	ptw_decomp_destroy(k->decomp);
	free(k->chunk_rank);
	free(k->slots);
	free(k->slot_data);
	free(k->compressed);
	free(k);
}

static void kdump_close(struct ptw_source *src)
{
	kdump_free(src->priv);
	src->priv = NULL;
}

static struct ptw_error *kdump_open(struct ptw_source *src)
{
	struct kdump *k = calloc(1, sizeof(*k));
	if (!k)
		return &ptw_enomem;
	kdump_view_init_plain(&k->view, src);
	struct ptw_error *err = open_common(src, k);
	if (err) {
		kdump_free(k);
		return err;
	}
	src->priv = k;
	return NULL;
}

static struct ptw_error *kdump_flattened_open(struct ptw_source *src)
{
	struct kdump *k = calloc(1, sizeof(*k));
	if (!k)
		return &ptw_enomem;
	struct ptw_error *err = kdump_view_init_flattened(&k->view, src);
	if (!err) {
		unsigned char magic[8] = {0};
		if (k->view.size >= sizeof(magic))
			err = kdump_view_read(&k->view, 0, magic, sizeof(magic));
		if (!err && !memcmp(magic, "\177ELF", 4))
			err = ptw_error_at(PTW_E_NOT_IMPLEMENTED, KDUMP_FLAT_HEADER_SIZE,
					   "flattened ELF dump: rearrange it with makedumpfile -R first");
		else if (!err && memcmp(magic, KDUMP_SIGNATURE, KDUMP_SIGNATURE_LEN))
			err = ptw_error_at(PTW_E_BAD_DATA, KDUMP_FLAT_HEADER_SIZE,
					   "flattened file does not hold a kdump-compressed dump");
	}
	if (!err)
		err = open_common(src, k);
	if (err) {
		kdump_free(k);
		return err;
	}
	src->priv = k;
	return NULL;
}

/* ---- reading ---- */

static struct ptw_error *not_present(struct kdump *k, uint64_t pfn, uint64_t pa, const char *why)
{
	return ptw_error_address(PTW_E_NOT_PRESENT, pa, "physical address 0x%llx (block 0x%llx): %s",
				 (unsigned long long)pa, (unsigned long long)pfn, why);
}

/* Whether pfn is written in this dump; *why_ret says why not. */
static struct ptw_error *pfn_dumped(struct kdump *k, uint64_t pfn, bool *ret, const char **why_ret)
{
	*ret = false;
	if (pfn >= k->max_mapnr) {
		*why_ret = "beyond the dump's memory (max_mapnr)";
		return NULL;
	}
	if (k->split && (pfn < k->split_start || pfn >= k->split_end)) {
		*why_ret = "in another part of a split dump";
		return NULL;
	}
	bool dumped, exists;
	struct ptw_error *err = bitmap_test(k, k->bitmap2_off, pfn, &dumped);
	if (err)
		return err;
	if (!dumped) {
		err = bitmap_test(k, k->bitmap1_off, pfn, &exists);
		if (err)
			return err;
		*why_ret = exists ? "excluded from the dump" : "not memory in the dump";
		return NULL;
	}
	*ret = true;
	return NULL;
}

/* The dumped bitmap's bits for the range, 64 bytes (512 frames) a read. An
 * incomplete dump's bits are promises the file may not keep: its frames are
 * asked one at a time (false: not known cheaply). */
static bool kdump_range_present(struct ptw_source *src, uint64_t pa, uint64_t size)
{
	struct kdump *k = src->priv;
	uint64_t first = pa / k->block_size, last = (pa + size - 1) / k->block_size;
	unsigned char buf[64];

	if (src->incomplete || last >= k->max_mapnr ||
	    (k->split && (first < k->split_start || last >= k->split_end)))
		return false;
	/* Bounded: (last - first) / 8 / sizeof(buf) + 1 reads. */
	for (uint64_t byte = first / 8; byte <= last / 8; byte += sizeof(buf)) {
		size_t len = last / 8 - byte + 1 < sizeof(buf) ? (size_t)(last / 8 - byte + 1) : sizeof(buf);
		struct ptw_error *err = bitmap_bytes(k, k->bitmap2_off, byte, buf, len, true);

		if (err) {
			ptw_error_destroy(err);
			return false;
		}
		for (size_t i = 0; i < len; i++) {
			uint64_t lo = (byte + i) * 8, hi = lo + 7;
			unsigned mask = 0xff;

			if (lo < first)
				mask &= 0xffu << (first - lo);
			if (hi > last)
				mask &= 0xffu >> (hi - last);
			if ((buf[i] & mask) != mask)
				return false;
		}
	}
	return true;
}

static struct ptw_error *ensure_page_cache(struct kdump *k)
{
	if (k->slots)
		return NULL;
	unsigned n = PAGE_SLOTS;
	while (n > 4 && (size_t)n * k->block_size > PAGE_CACHE_BYTES)
		n /= 2;
	k->slots = calloc(n, sizeof(*k->slots));
	k->slot_data = ptw_large_buf_alloc((size_t)n * k->block_size);
	if (!k->slots || !k->slot_data) {
		free(k->slots);
		free(k->slot_data);
		k->slots = NULL;
		k->slot_data = NULL;
		return &ptw_enomem;
	}
	k->nslots = n;
	return NULL;
}

/* The size stored bytes at view offset off (the caller checked they lie in
 * the view): from the read-ahead window, or read; a read right after the
 * previous block's bytes fills the window. */
static struct ptw_error *stored_bytes(struct kdump *k, uint64_t off, size_t size, const unsigned char **ret)
{
	bool in_order = off == k->last_stored_end;
	struct ptw_error *err;

	k->last_stored_end = off + size;
	if (k->stored_len && off >= k->stored_off && off - k->stored_off <= k->stored_len &&
	    size <= k->stored_len - (off - k->stored_off)) {
		*ret = k->compressed + (off - k->stored_off);
		return NULL;
	}
	size_t want = size;
	if (in_order) {
		/* About the next STORED_AHEAD_BLOCKS blocks, guessed from this
		 * one's size: enough to save the preads, not so much that a
		 * short run (the BTF search reads 16 pages a chunk) copies
		 * bytes it never uses. */
		uint64_t left = k->view.size - off;
		size_t guess = size < k->compressed_size / STORED_AHEAD_BLOCKS ? size * STORED_AHEAD_BLOCKS
									    : k->compressed_size;

		want = left < guess ? (size_t)left : guess;
		if (want < size)
			want = size;
	}
	k->stored_len = 0;
	err = kdump_view_read(&k->view, off, k->compressed, want);
	if (err)
		return err;
	k->stored_off = off;
	k->stored_len = want;
	*ret = k->compressed;
	return NULL;
}

/* The decoded block pfn, from the cache or the file. */
static struct ptw_error *get_block(struct ptw_source *src, struct kdump *k, uint64_t pfn, uint64_t pa,
				   const unsigned char **ret)
{
	struct ptw_error *err = ensure_page_cache(k);
	if (err)
		return err;
	unsigned slot = (unsigned)(pfn % k->nslots);
	unsigned char *out = k->slot_data + (size_t)slot * k->block_size;
	if (k->slots[slot].valid && k->slots[slot].pfn == pfn) {
		*ret = out;
		return NULL;
	}

	bool dumped;
	const char *why = NULL;
	err = pfn_dumped(k, pfn, &dumped, &why);
	if (err)
		return err;
	if (!dumped)
		return not_present(k, pfn, pa, why);
	struct page_desc pd;
	bool have;
	err = read_desc(k, pfn, &pd, &have);
	if (err)
		return err;
	if (!have)
		return not_present(k, pfn, pa, "its page descriptor is past the end of the file (incomplete dump)");
	bool incomplete = src->incomplete;
	if (pd.size == 0 || pd.offset == 0) {
		if (incomplete)
			return not_present(k, pfn, pa, "not written (incomplete dump)");
		return kdump_error(k, PTW_E_BAD_DATA, pd.where,
				   "page descriptor of block 0x%llx has offset 0x%llx and size %u",
				   (unsigned long long)pfn, (unsigned long long)pd.offset, pd.size);
	}
	if (!data_in_file(k, &pd)) {
		if (incomplete)
			return not_present(k, pfn, pa, "its data is past the end of the file (incomplete dump)");
		return kdump_error(k, PTW_E_BAD_DATA, pd.where,
				   "page descriptor of block 0x%llx points past the end of the file: "
				   "%u bytes at 0x%llx, file size 0x%llx",
				   (unsigned long long)pfn, pd.size, (unsigned long long)pd.offset,
				   (unsigned long long)k->view.size);
	}
	unsigned codecs = desc_codec_bit(pd.flags);
	if (codecs & (codecs - 1))
		return kdump_error(k, PTW_E_BAD_DATA, pd.where,
				   "page descriptor of block 0x%llx names more than one codec (flags 0x%x)",
				   (unsigned long long)pfn, pd.flags);
	size_t limit = codecs == PTW_COMP_NONE ? k->block_size : (size_t)k->block_size * 2;
	if (pd.size > limit)
		return kdump_error(k, PTW_E_BAD_DATA, pd.where,
				   "page descriptor of block 0x%llx: %u stored bytes for a %u-byte block",
				   (unsigned long long)pfn, pd.size, k->block_size);

	/* Blocks that share one stored copy (QEMU and makedumpfile store one
	 * zero page for all: 248 of the 298 pages between the x86-64 6.1
	 * BTF's end and swapper_pg_dir) are read and decoded once while the
	 * last block decoded is still cached: a copy. */
	const struct stored_memo *m = &k->last_stored;
	bool same = m->valid && m->offset == pd.offset && m->size == pd.size && m->flags == pd.flags &&
		    k->slots[m->slot].valid && k->slots[m->slot].pfn == m->pfn;

	k->slots[slot].valid = false;
	if (same) {
		if (m->slot != slot)
			memcpy(out, k->slot_data + (size_t)m->slot * k->block_size, k->block_size);
	} else if (codecs == PTW_COMP_NONE) {
		/* Raw blocks are written whole; a shorter one is zero-filled. */
		const unsigned char *stored;

		err = stored_bytes(k, (uint64_t)pd.offset, pd.size, &stored);
		if (!err) {
			memcpy(out, stored, pd.size);
			memset(out + pd.size, 0, k->block_size - pd.size);
		}
	} else {
		enum ptw_codec codec = codecs == PTW_COMP_ZLIB	 ? PTW_CODEC_ZLIB
				       : codecs == PTW_COMP_LZO	 ? PTW_CODEC_LZO
				       : codecs == PTW_COMP_SNAPPY ? PTW_CODEC_SNAPPY
								   : PTW_CODEC_ZSTD;
		const unsigned char *stored;

		err = stored_bytes(k, (uint64_t)pd.offset, pd.size, &stored);
		if (!err) {
			err = ptw_decomp_page(k->decomp, codec, stored, pd.size, out, k->block_size);
			if (err) {
				err = error_with_offset(err, kdump_view_file_offset(&k->view, pd.where));
				err = ptw_error_prepend(err, "page descriptor of block 0x%llx (data at 0x%llx): ",
							(unsigned long long)pfn,
							(unsigned long long)pd.offset);
			}
		}
	}
	if (err)
		return err;
	src->compression |= codecs;
	k->slots[slot].pfn = pfn;
	k->slots[slot].valid = true;
	k->last_stored = (struct stored_memo){
		.valid = true, .offset = pd.offset, .size = pd.size, .flags = pd.flags, .slot = slot, .pfn = pfn,
	};
	*ret = out;
	return NULL;
}

static struct ptw_error *kdump_read(struct ptw_source *src, uint64_t pa, void *buf, size_t len)
{
	struct kdump *k = src->priv;
	unsigned char *out = buf;
	/* Blocks may be smaller than the 4 KiB the interface reads at most. */
	while (len) {
		uint64_t pfn = pa / k->block_size;
		size_t in_block = (size_t)(pa % k->block_size);
		size_t chunk = k->block_size - in_block;
		if (chunk > len)
			chunk = len;
		const unsigned char *block = NULL;
		struct ptw_error *err = get_block(src, k, pfn, pa, &block);
		if (err)
			return err;
		memcpy(out, block + in_block, chunk);
		out += chunk;
		pa += chunk;
		len -= chunk;
	}
	return NULL;
}

static bool kdump_is_present(struct ptw_source *src, uint64_t pa)
{
	struct kdump *k = src->priv;
	uint64_t pfn = pa / k->block_size;
	bool dumped;
	const char *why;
	struct ptw_error *err = pfn_dumped(k, pfn, &dumped, &why);
	if (err) {
		ptw_error_destroy(err);
		return false;
	}
	if (!dumped)
		return false;
	if (!src->incomplete)
		return true;
	/* In an incomplete dump a set bit is a promise the file may not keep. */
	struct page_desc pd;
	bool have;
	err = read_desc(k, pfn, &pd, &have);
	if (err) {
		ptw_error_destroy(err);
		return false;
	}
	return have && pd.size && data_in_file(k, &pd);
}

/* Stream the bitmaps over [0, max_mapnr) in STREAM_CHUNK pieces, calling
 * visit on each piece; the 2nd bitmap only when with_bitmap2 (b2 is NULL
 * otherwise: not reading what a visit ignores halves the bytes read).
 * Bounded by the bitmap size. */
typedef struct ptw_error *bitmap_visit_fn(uint64_t first_pfn, const unsigned char *b1,
					  const unsigned char *b2, size_t len, uint64_t nbits,
					  void *arg, bool *stop);

static struct ptw_error *stream_bitmaps(struct kdump *k, bool with_bitmap2, bitmap_visit_fn *visit,
				       void *arg)
{
	unsigned char *b1 = malloc(STREAM_CHUNK), *b2 = with_bitmap2 ? malloc(STREAM_CHUNK) : NULL;
	struct ptw_error *err = NULL;
	if (!b1 || (with_bitmap2 && !b2)) {
		err = &ptw_enomem;
		goto out;
	}
	uint64_t nbytes = (k->max_mapnr + 7) / 8;
	/* Past the file's end both bitmaps are zero: stop there. */
	uint64_t in_file = k->bitmap1_off < k->view.size ? k->view.size - k->bitmap1_off : 0;
	if (nbytes > in_file)
		nbytes = in_file;
	bool stop = false;
	for (uint64_t byte = 0; byte < nbytes && !stop && !err;) {
		size_t step = nbytes - byte < STREAM_CHUNK ? (size_t)(nbytes - byte) : STREAM_CHUNK;
		err = bitmap_bytes(k, k->bitmap1_off, byte, b1, step, false);
		if (!err && with_bitmap2)
			err = bitmap_bytes(k, k->bitmap2_off, byte, b2, step, false);
		if (!err) {
			uint64_t nbits = (uint64_t)step * 8;
			if (byte * 8 + nbits > k->max_mapnr)
				nbits = k->max_mapnr - byte * 8;
			err = visit(byte * 8, b1, b2, step, nbits, arg, &stop);
		}
		byte += step;
	}
out:
	free(b1);
	free(b2);
	return err;
}

struct range_walk {
	struct kdump *k;
	ptw_range_fn *fn;
	void *arg;
	bool open;
	uint64_t start;
};

static bool get_bit(const unsigned char *b, uint64_t i)
{
	return (b[i / 8] >> (i % 8)) & 1;
}

/* The 64 bits of the bitmap from bit 64 * word on, bit i of the word being
 * bitmap bit 64 * word + i (byte i / 8, bit i % 8, on any host). */
static uint64_t bitmap_word(const unsigned char *b, size_t word)
{
	uint64_t w;

	memcpy(&w, b + 8 * word, 8);
	return le64toh(w);
}

static struct ptw_error *visit_ranges(uint64_t first_pfn, const unsigned char *b1, const unsigned char *b2,
				      size_t len, uint64_t nbits, void *arg, bool *stop)
{
	struct range_walk *w = arg;
	uint64_t bs = w->k->block_size;
	size_t words = (size_t)(nbits / 64);

	/* Whole words: pass over the run of words that only continue the state
	 * (all set in an open run, all clear outside one), then jump from one
	 * change of state to the next in the word that ends it (the first
	 * clear bit of an open run, the first set bit outside one) instead of
	 * testing every bit. Bounded: every turn moves i on by at least one
	 * word, and a word has at most 64 changes. */
	for (size_t i = 0; i < words; i++) {
		uint64_t word;
		unsigned from = 0;

		i = skip_fill_words(b1, i, words, w->open ? UINT64_MAX : 0);
		if (i == words)
			break;
		word = bitmap_word(b1, i);
		while (from < 64) {
			uint64_t changes = (w->open ? ~word : word) & (UINT64_MAX << from);
			uint64_t pfn;

			if (!changes)
				break;
			from = (unsigned)__builtin_ctzll(changes);
			pfn = first_pfn + (uint64_t)i * 64 + from;
			if (!w->open) {
				w->open = true;
				w->start = pfn;
			} else {
				struct ptw_phys_range r = {w->start * bs, pfn * bs};

				w->open = false;
				if (!w->fn(&r, w->arg)) {
					*stop = true;
					return NULL;
				}
			}
		}
	}
	/* The bits after the last whole word, one at a time. */
	for (uint64_t i = (uint64_t)words * 64; i < nbits; i++) {
		bool set = get_bit(b1, i);
		if (set && !w->open) {
			w->open = true;
			w->start = first_pfn + i;
		} else if (!set && w->open) {
			w->open = false;
			struct ptw_phys_range r = {w->start * bs, (first_pfn + i) * bs};
			if (!w->fn(&r, w->arg)) {
				*stop = true;
				return NULL;
			}
		}
	}
	(void)b2, (void)len;
	return NULL;
}

static struct ptw_error *kdump_for_each_range(struct ptw_source *src, ptw_range_fn *fn, void *arg)
{
	struct kdump *k = src->priv;
	struct range_walk w = {.k = k, .fn = fn, .arg = arg};
	struct ptw_error *err = stream_bitmaps(k, false, visit_ranges, &w);
	if (err)
		return err;
	if (w.open) {
		/* The last run ends where the bitmap data in the file ends. */
		uint64_t nbytes = (k->max_mapnr + 7) / 8;
		uint64_t in_file = k->bitmap1_off < k->view.size ? k->view.size - k->bitmap1_off : 0;
		uint64_t end = nbytes > in_file ? in_file * 8 : k->max_mapnr;
		struct ptw_phys_range r = {w.start * k->block_size, end * k->block_size};
		fn(&r, arg);
	}
	return NULL;
}

struct page_count {
	uint64_t present, excluded;
};

static struct ptw_error *visit_count(uint64_t first_pfn, const unsigned char *b1, const unsigned char *b2,
				     size_t len, uint64_t nbits, void *arg, bool *stop)
{
	struct page_count *c = arg;
	size_t words = (size_t)(nbits / 64);
	/* Bounded: every turn moves i on by at least one word. */
	for (size_t i = 0; i < words;) {
		uint64_t w1, w2;
		size_t end;

		memcpy(&w1, b1 + 8 * i, 8);
		memcpy(&w2, b2 + 8 * i, 8);
		if (w2 == UINT64_MAX) {
			/* A run of dumped blocks: all present, none excluded. */
			end = skip_fill_words(b2, i + 1, words, UINT64_MAX);
			c->present += 64 * (uint64_t)(end - i);
		} else if (w2 == 0 && (w1 == 0 || w1 == UINT64_MAX)) {
			/* A run of blocks not dumped: excluded if in memory. */
			end = skip_fill_words(b2, i + 1, skip_fill_words(b1, i + 1, words, w1), 0);
			if (w1)
				c->excluded += 64 * (uint64_t)(end - i);
		} else {
			c->present += popcount64(w2);
			c->excluded += popcount64(w1 & ~w2);
			end = i + 1;
		}
		i = end;
	}
	for (uint64_t i = (uint64_t)words * 64; i < nbits; i++) {
		bool in1 = get_bit(b1, i), in2 = get_bit(b2, i);
		c->present += in2;
		c->excluded += in1 && !in2;
	}
	(void)first_pfn, (void)len, (void)stop;
	return NULL;
}

/* Whether descriptor idx (in rank order) and its data are in the file. */
static struct ptw_error *desc_stored(struct kdump *k, uint64_t idx, bool *ret)
{
	uint64_t where = k->desc_off + idx * PAGE_DESC_SIZE;
	unsigned char raw[PAGE_DESC_SIZE];
	struct page_desc pd;
	struct ptw_error *err;

	*ret = false;
	if (where >= k->view.size || k->view.size - where < PAGE_DESC_SIZE)
		return NULL;
	err = cached_read(k, &k->desc_cache, where, raw, sizeof(raw));
	if (err)
		return err;
	pd.offset = (int64_t)get_u64(k, raw);
	pd.size = get_u32(k, raw + 8);
	*ret = pd.size != 0 && data_in_file(k, &pd);
	return NULL;
}

/* Descriptors read one by one to count an incomplete dump's blocks: 96 MiB
 * of descriptors, a dump of 4M blocks. */
#define COUNT_SCAN_MAX (UINT64_C(1) << 22)

/* How many blocks of an incomplete dump the file really holds: those whose
 * descriptor and data both lie in the file. makedumpfile writes the data
 * in PFN order, except that every zero page shares one copy written first,
 * so a cut file holds a prefix of the others and all of the zero pages:
 * no binary search finds that, the descriptors are counted. Only those in
 * the file are read (a cut file ends the scan early); past COUNT_SCAN_MAX
 * the rest is taken as a prefix, found by binary search (then the count
 * may miss zero pages beyond the cut). */
static struct ptw_error *stored_blocks(struct kdump *k, uint64_t *ret)
{
	uint64_t in_file = k->desc_off < k->view.size ? (k->view.size - k->desc_off) / PAGE_DESC_SIZE : 0;
	uint64_t n = k->ndescs < in_file ? k->ndescs : in_file;
	uint64_t scan = n < COUNT_SCAN_MAX ? n : COUNT_SCAN_MAX;
	uint64_t count = 0, lo, hi;
	struct ptw_error *err;

	/* Bounded by COUNT_SCAN_MAX. */
	for (uint64_t i = 0; i < scan; i++) {
		bool stored;

		err = desc_stored(k, i, &stored);
		if (err)
			return err;
		count += stored;
	}
	lo = scan;
	hi = n;
	/* Bounded: the interval halves every pass. */
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;
		bool stored;

		err = desc_stored(k, mid, &stored);
		if (err)
			return err;
		if (stored)
			lo = mid + 1;
		else
			hi = mid;
	}
	*ret = count + (lo - scan);
	return NULL;
}

static struct ptw_error *kdump_count_pages(struct ptw_source *src, uint64_t page_size, uint64_t *present_ret,
					   uint64_t *excluded_ret)
{
	struct kdump *k = src->priv;
	if (!page_size)
		return ptw_error_create(PTW_E_INVALID_ARGUMENT, "page size 0");
	struct page_count c = {0};
	struct ptw_error *err = stream_bitmaps(k, true, visit_count, &c);
	if (err)
		return err;
	/* Blocks the bitmap promises but the file does not hold are not in the
	 * dump: counted as excluded, not present. */
	if (src->incomplete) {
		uint64_t stored;

		err = stored_blocks(k, &stored);
		if (err)
			return err;
		if (stored < c.present) {
			c.excluded += c.present - stored;
			c.present = stored;
		}
	}
	/* Counts are of blocks; blocks * block_size cannot overflow (checked
	 * against max_mapnr at open). */
	*present_ret = c.present * k->block_size / page_size;
	*excluded_ret = c.excluded * k->block_size / page_size;
	return NULL;
}

static bool kdump_probe(const unsigned char *head, size_t len)
{
	return len >= KDUMP_SIGNATURE_LEN && !memcmp(head, KDUMP_SIGNATURE, KDUMP_SIGNATURE_LEN);
}

static bool kdump_flattened_probe(const unsigned char *head, size_t len)
{
	/* makedumpfile_header.signature is "makedumpfile" in a NUL-padded char[16]. */
	return len >= 16 && !memcmp(head, KDUMP_FLAT_SIGNATURE, sizeof(KDUMP_FLAT_SIGNATURE));
}

const struct ptw_source_ops ptw_source_kdump = {
	.name = "kdump",
	.probe = kdump_probe,
	.open = kdump_open,
	.read = kdump_read,
	.is_present = kdump_is_present,
	.range_present = kdump_range_present,
	.for_each_range = kdump_for_each_range,
	.count_pages = kdump_count_pages,
	.close = kdump_close,
};

const struct ptw_source_ops ptw_source_kdump_flattened = {
	.name = "kdump-flattened",
	.probe = kdump_flattened_probe,
	.open = kdump_flattened_open,
	.read = kdump_read,
	.is_present = kdump_is_present,
	.range_present = kdump_range_present,
	.for_each_range = kdump_for_each_range,
	.count_pages = kdump_count_pages,
	.close = kdump_close,
};
