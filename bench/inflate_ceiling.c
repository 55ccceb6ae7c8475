/* The codec's own speed on a kdump's stored pages: the ceiling for any
 * reader of that dump. Written from makedumpfile's documented layout
 * (diskdump_mod.h: disk_dump_header, kdump_sub_header, the two bitmaps,
 * page_desc), little-endian LP64 kdump-compressed files only (not flattened).
 *
 *   inflate_ceiling present DUMP
 *       prints the physical address of every block the dump stores, one a line
 *   inflate_ceiling inflate DUMP LEN [OUT] < addresses
 *       for each physical address (block-aligned; LEN = the block size), loads
 *       the stored bytes of its block into memory first, then times only the
 *       decompression of every listed block in list order (zlib blocks with
 *       libdeflate_zlib_decompress, as ptwalk built with libdeflate does, or
 *       with CEILING_ZLIB=zlib zlib's inflate with one stream reset per
 *       block; lzo1x_decompress_safe; a copy for blocks stored raw); prints
 *       "seconds S bytes N stored M blocks B" and, with OUT, writes the
 *       decompressed bytes there (untimed) for comparison. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <lzo/lzo1x.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>
#include <libdeflate.h>

enum {
	FLAG_ZLIB = 0x1,
	FLAG_LZO = 0x2,
	FLAG_SNAPPY = 0x4,
	FLAG_ZSTD = 0x20,
	PAGE_DESC_SIZE = 24,
};

struct kdump_layout {
	int fd;
	uint32_t block_size;
	uint64_t max_mapnr;
	uint64_t bitmap2_offset;     /* file offset of the 2nd (dumpable) bitmap */
	uint64_t bitmap_bytes;       /* of one bitmap */
	uint64_t descs_offset;
	unsigned char *bitmap2;
	uint64_t *rank;              /* set bits before each 64-bit word of bitmap2 */
};

static void die(const char *what)
{
	fprintf(stderr, "inflate_ceiling: %s\n", what);
	exit(1);
}

static void read_at(int fd, void *buf, size_t len, uint64_t offset)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(fd, (char *)buf + done, len - done, (off_t)(offset + done));

		if (n <= 0)
			die(n < 0 ? strerror(errno) : "file too short");
		done += (size_t)n;
	}
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const unsigned char *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

static void open_kdump(const char *path, struct kdump_layout *k)
{
	unsigned char hdr[464], sub[104];

	k->fd = open(path, O_RDONLY);
	if (k->fd < 0)
		die(strerror(errno));
	read_at(k->fd, hdr, sizeof(hdr), 0);
	if (memcmp(hdr, "KDUMP   ", 8) != 0)
		die("not a kdump-compressed file (flattened files need makedumpfile -R first)");
	uint32_t version = le32(hdr + 8);
	k->block_size = le32(hdr + 428);
	uint32_t sub_hdr_blocks = le32(hdr + 432);
	uint32_t bitmap_blocks = le32(hdr + 436);
	k->max_mapnr = le32(hdr + 440);
	if (k->block_size < 512 || k->block_size > (1u << 20))
		die("implausible block size");
	read_at(k->fd, sub, sizeof(sub), k->block_size);
	if (version >= 6 && le64(sub + 96))
		k->max_mapnr = le64(sub + 96);
	k->bitmap_bytes = (uint64_t)bitmap_blocks * k->block_size / 2;
	k->bitmap2_offset = (uint64_t)k->block_size * (1 + sub_hdr_blocks) + k->bitmap_bytes;
	k->descs_offset = (uint64_t)k->block_size * (1 + sub_hdr_blocks + bitmap_blocks);
	uint64_t words = (k->max_mapnr + 63) / 64;
	if (words * 8 > k->bitmap_bytes)
		words = k->bitmap_bytes / 8;
	k->bitmap2 = calloc(words + 1, 8);
	k->rank = calloc(words + 1, sizeof(uint64_t));
	if (!k->bitmap2 || !k->rank)
		die("out of memory");
	read_at(k->fd, k->bitmap2, words * 8, k->bitmap2_offset);
	uint64_t total = 0;
	for (uint64_t w = 0; w < words; w++) {
		k->rank[w] = total;
		total += (uint64_t)__builtin_popcountll(le64(k->bitmap2 + w * 8));
	}
	k->rank[words] = total;
	k->max_mapnr = words * 64 < k->max_mapnr ? words * 64 : k->max_mapnr;
}

static int is_stored(const struct kdump_layout *k, uint64_t pfn)
{
	return pfn < k->max_mapnr && (k->bitmap2[pfn / 8] >> (pfn % 8) & 1);
}

/* Index of pfn's descriptor: the number of stored blocks before it. */
static uint64_t desc_index(const struct kdump_layout *k, uint64_t pfn)
{
	uint64_t word = le64(k->bitmap2 + pfn / 64 * 8);
	uint64_t below = pfn % 64 ? word & ((UINT64_C(1) << (pfn % 64)) - 1) : 0;

	return k->rank[pfn / 64] + (uint64_t)__builtin_popcountll(below);
}

struct stored_block {
	unsigned char *data;
	uint32_t size;
	uint32_t flags;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void expand(z_stream *zs, struct libdeflate_decompressor *ld, const struct stored_block *b,
		   unsigned char *out, uint32_t block_size)
{
	if ((b->flags & FLAG_ZLIB) && ld) {
		if (libdeflate_zlib_decompress(ld, b->data, b->size, out, block_size, NULL) != LIBDEFLATE_SUCCESS)
			die("zlib (libdeflate): bad block");
	} else if (b->flags & FLAG_ZLIB) {
		inflateReset(zs);
		zs->next_in = b->data;
		zs->avail_in = b->size;
		zs->next_out = out;
		zs->avail_out = block_size;
		if (inflate(zs, Z_FINISH) != Z_STREAM_END || zs->avail_out != 0)
			die("zlib: bad block");
	} else if (b->flags & FLAG_LZO) {
		lzo_uint got = block_size;

		if (lzo1x_decompress_safe(b->data, b->size, out, &got, NULL) != LZO_E_OK || got != block_size)
			die("lzo: bad block");
	} else if (b->flags & (FLAG_SNAPPY | FLAG_ZSTD)) {
		die("snappy/zstd blocks: not measured by this program");
	} else {
		if (b->size != block_size)
			die("raw block of the wrong size");
		memcpy(out, b->data, block_size);
	}
}

static int inflate_list(const char *path, uint32_t len, const char *out_path)
{
	struct kdump_layout k;
	char line[128];
	size_t n = 0, cap = 1 << 16;
	uint64_t *pfns = malloc(cap * sizeof(*pfns));

	open_kdump(path, &k);
	if (len != k.block_size)
		die("LEN must be the dump's block size");
	if (!pfns)
		die("out of memory");
	while (fgets(line, sizeof(line), stdin)) {
		uint64_t pa = strtoull(line, NULL, 0);

		if (pa % k.block_size)
			die("address not block-aligned");
		if (!is_stored(&k, pa / k.block_size))
			die("address not stored in the dump");
		if (n == cap && !(pfns = realloc(pfns, (cap *= 2) * sizeof(*pfns))))
			die("out of memory");
		pfns[n++] = pa / k.block_size;
	}
	/* Load every distinct block once, untimed. */
	struct stored_block *blocks = calloc(k.max_mapnr, sizeof(*blocks));
	uint64_t stored_bytes = 0, distinct = 0;
	if (!blocks)
		die("out of memory");
	for (size_t i = 0; i < n; i++) {
		struct stored_block *b = &blocks[pfns[i]];
		unsigned char desc[PAGE_DESC_SIZE];

		if (b->data)
			continue;
		read_at(k.fd, desc, sizeof(desc), k.descs_offset + desc_index(&k, pfns[i]) * PAGE_DESC_SIZE);
		b->size = le32(desc + 8);
		b->flags = le32(desc + 12);
		if (b->size == 0 || b->size > k.block_size)
			die("implausible stored size");
		b->data = malloc(b->size);
		if (!b->data)
			die("out of memory");
		read_at(k.fd, b->data, b->size, le64(desc));
		distinct++;
	}
	for (size_t i = 0; i < n; i++)
		stored_bytes += blocks[pfns[i]].size;
	if (lzo_init() != LZO_E_OK)
		die("lzo_init");
	z_stream zs;
	memset(&zs, 0, sizeof(zs));
	if (inflateInit(&zs) != Z_OK)
		die("inflateInit");
	const char *zlib_with = getenv("CEILING_ZLIB");
	struct libdeflate_decompressor *ld = NULL;
	if (!zlib_with || strcmp(zlib_with, "zlib") != 0) {
		ld = libdeflate_alloc_decompressor();
		if (!ld)
			die("out of memory");
	}
	unsigned char *out = malloc(k.block_size);
	unsigned sink = 0;
	if (!out)
		die("out of memory");
	double t0 = now();
	for (size_t i = 0; i < n; i++) {
		expand(&zs, ld, &blocks[pfns[i]], out, k.block_size);
		sink += out[i % k.block_size];
	}
	double seconds = now() - t0;
	printf("seconds %.6f bytes %" PRIu64 " stored %" PRIu64 " blocks %zu distinct %" PRIu64 " sink %u\n",
	       seconds, (uint64_t)n * k.block_size, stored_bytes, n, distinct, sink & 1);
	if (out_path) {
		FILE *f = fopen(out_path, "wb");

		if (!f)
			die(strerror(errno));
		for (size_t i = 0; i < n; i++) {
			expand(&zs, ld, &blocks[pfns[i]], out, k.block_size);
			fwrite(out, 1, k.block_size, f);
		}
		if (fclose(f) != 0)
			die(strerror(errno));
	}
	inflateEnd(&zs);
	libdeflate_free_decompressor(ld);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "present") == 0) {
		struct kdump_layout k;

		open_kdump(argv[2], &k);
		for (uint64_t pfn = 0; pfn < k.max_mapnr; pfn++)
			if (is_stored(&k, pfn))
				printf("0x%" PRIx64 "\n", pfn * k.block_size);
		return 0;
	}
	if ((argc == 4 || argc == 5) && strcmp(argv[1], "inflate") == 0)
		return inflate_list(argv[2], (uint32_t)strtoul(argv[3], NULL, 0), argc == 5 ? argv[4] : NULL);
	fprintf(stderr, "usage: inflate_ceiling present DUMP\n"
			"       inflate_ceiling inflate DUMP LEN [OUT] < addresses\n");
	return 2;
}
