/* The kdump reader's byte space: a plain file, or a flattened stream read in place. */
#include "source_kdump_view.h"

#include <stdlib.h>
#include <string.h>

/* makedumpfile_data_header: two big-endian int64, offset then size. */
#define FLAT_RECORD_HEADER 16u
/* END_FLAG_FLAT_HEADER: both fields -1 mark the end of the stream. */
#define FLAT_END_FLAG (-1)
/* makedumpfile_header.type and .version for the flattened format. */
#define FLAT_TYPE 1
#define FLAT_VERSION 1
/* Writers flush caches of a few hundred KiB at most (makedumpfile 64 KiB,
 * QEMU four bitmap buffers); a bigger record is garbage, not truncation. */
#define FLAT_MAX_RECORD_SIZE (UINT64_C(1) << 30)
/* The index costs 40 bytes per run of records. makedumpfile's equal-sized
 * records fold into one run per stream switch; QEMU's variable-sized ones
 * cost one run each (256 KiB of dump), so 2^20 runs cover a 256 GiB QEMU
 * file. Beyond that, rearrange with makedumpfile -R. */
#define FLAT_MAX_RUNS (UINT64_C(1) << 20)
/* Scanning reads headers through a window, since records are often small. */
#define FLAT_SCAN_WINDOW 65536u
/* After a record at least this large the next header is read alone: QEMU
 * and makedumpfile -F write records of 4-16 KiB, and a window over them
 * copies the whole file (15 MB of an 18 MB dump, 5 ms of system time) to
 * read 16 bytes in every 16 KiB; one small pread a record costs far less. */
#define FLAT_LARGE_RECORD 4096u

static uint64_t get_be64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

void kdump_view_init_plain(struct kdump_view *view, struct ptw_source *src)
{
	*view = (struct kdump_view){
		.src = src,
		.size = src->file_size,
	};
}

void kdump_view_fini(struct kdump_view *view)
{
	free(view->extents);
	view->extents = NULL;
	view->nextents = 0;
}

/* A run of records as the scan builds it; seq is its position in file order,
 * which decides who wins where records overlap: the later write. */
struct flat_run {
	uint64_t virt;
	uint64_t len;
	uint64_t real;
	uint64_t stride;
	size_t seq;
};

struct flat_scan {
	struct ptw_source *src;
	unsigned char window[FLAT_SCAN_WINDOW];
	uint64_t window_start;
	size_t window_len;
	uint64_t last_size; /* of the record before pos */
	struct flat_run *runs;
	size_t nruns;
	size_t cap;
};

/* Copy the 16-byte record header at pos, refilling the window as needed. */
static struct ptw_error *scan_header(struct flat_scan *scan, uint64_t pos, unsigned char out[16])
{
	if (pos < scan->window_start || pos + FLAT_RECORD_HEADER > scan->window_start + scan->window_len) {
		uint64_t left = scan->src->file_size - pos;
		size_t want = left < FLAT_SCAN_WINDOW ? (size_t)left : FLAT_SCAN_WINDOW;
		if (scan->last_size >= FLAT_LARGE_RECORD)
			want = FLAT_RECORD_HEADER;
		struct ptw_error *err = ptw_source_pread(scan->src, scan->window, want, pos);
		if (err)
			return err;
		scan->window_start = pos;
		scan->window_len = want;
	}
	memcpy(out, scan->window + (pos - scan->window_start), FLAT_RECORD_HEADER);
	return NULL;
}

/* Extend the last run with this record if it continues it, else start a new run. */
static struct ptw_error *scan_add(struct flat_scan *scan, uint64_t virt, uint64_t real, uint64_t size,
				  bool *continues_prev)
{
	struct flat_run *last = scan->nruns ? &scan->runs[scan->nruns - 1] : NULL;
	if (last && *continues_prev && virt == last->virt + last->len && last->len % last->stride == 0 &&
	    size <= last->stride) {
		last->len += size;
		return NULL;
	}
	if (scan->nruns >= FLAT_MAX_RUNS)
		return ptw_error_at(PTW_E_OVERFLOW, real - FLAT_RECORD_HEADER,
				    "flattened file has more than %llu separate record runs: "
				    "rearrange it with makedumpfile -R",
				    (unsigned long long)FLAT_MAX_RUNS);
	if (scan->nruns == scan->cap) {
		size_t cap = scan->cap ? scan->cap * 2 : 64;
		struct flat_run *runs = realloc(scan->runs, cap * sizeof(*runs));
		if (!runs)
			return &ptw_enomem;
		scan->runs = runs;
		scan->cap = cap;
	}
	scan->runs[scan->nruns] = (struct flat_run){
		.virt = virt, .len = size, .real = real, .stride = size, .seq = scan->nruns,
	};
	scan->nruns++;
	*continues_prev = true;
	return NULL;
}

static int compare_runs(const void *a, const void *b)
{
	const struct flat_run *x = a, *y = b;
	if (x->virt != y->virt)
		return x->virt < y->virt ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int compare_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

struct extent_list {
	struct kdump_flat_extent *items;
	size_t n;
	size_t cap;
};

/* Append [virt, end) of run, joining the previous piece of the same run. */
static struct ptw_error *emit_piece(struct extent_list *out, const struct flat_run *run, uint64_t virt,
				    uint64_t end)
{
	if (out->n) {
		struct kdump_flat_extent *prev = &out->items[out->n - 1];
		if (prev->base_virt == run->virt && prev->base_real == run->real &&
		    prev->virt + prev->len == virt) {
			prev->len += end - virt;
			return NULL;
		}
	}
	if (out->n == out->cap) {
		size_t cap = out->cap ? out->cap * 2 : 64;
		struct kdump_flat_extent *items = realloc(out->items, cap * sizeof(*items));
		if (!items)
			return &ptw_enomem;
		out->items = items;
		out->cap = cap;
	}
	out->items[out->n++] = (struct kdump_flat_extent){
		.virt = virt, .len = end - virt,
		.base_virt = run->virt, .base_real = run->real, .stride = run->stride,
	};
	return NULL;
}

/* Max-heap of run indices by seq: the latest write covering a point wins. */
static void heap_push(size_t *heap, size_t *n, const struct flat_run *runs, size_t idx)
{
	size_t i = (*n)++;
	heap[i] = idx;
	while (i && runs[heap[(i - 1) / 2]].seq < runs[heap[i]].seq) {
		size_t parent = (i - 1) / 2, tmp = heap[parent];
		heap[parent] = heap[i];
		heap[i] = tmp;
		i = parent;
	}
}

static void heap_pop(size_t *heap, size_t *n, const struct flat_run *runs)
{
	heap[0] = heap[--*n];
	size_t i = 0;
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, top = i;
		if (l < *n && runs[heap[l]].seq > runs[heap[top]].seq)
			top = l;
		if (r < *n && runs[heap[r]].seq > runs[heap[top]].seq)
			top = r;
		if (top == i)
			break;
		size_t tmp = heap[top];
		heap[top] = heap[i];
		heap[i] = tmp;
		i = top;
	}
}

/* Turn runs (sorted by virt) into non-overlapping extents. Without overlaps,
 * the common case, each run is one extent. With overlaps, sweep the run
 * boundaries keeping the covering runs in a heap: O(n log n). */
static struct ptw_error *resolve_overlaps(struct flat_run *runs, size_t n, struct extent_list *out)
{
	struct ptw_error *err = NULL;
	bool overlap = false;
	for (size_t i = 1; i < n && !overlap; i++)
		overlap = runs[i].virt < runs[i - 1].virt + runs[i - 1].len;
	/* Also true when runs are disjoint: merely sorted, each emitted once. */
	if (!overlap) {
		for (size_t i = 0; i < n && !err; i++)
			err = emit_piece(out, &runs[i], runs[i].virt, runs[i].virt + runs[i].len);
		return err;
	}

	uint64_t *bounds = malloc(2 * n * sizeof(*bounds));
	size_t *heap = malloc(n * sizeof(*heap));
	if (!bounds || !heap) {
		err = &ptw_enomem;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		bounds[2 * i] = runs[i].virt;
		bounds[2 * i + 1] = runs[i].virt + runs[i].len;
	}
	qsort(bounds, 2 * n, sizeof(*bounds), compare_u64);
	size_t nbounds = 0;
	for (size_t i = 0; i < 2 * n; i++)
		if (!nbounds || bounds[nbounds - 1] != bounds[i])
			bounds[nbounds++] = bounds[i];

	size_t heap_n = 0, next = 0;
	for (size_t j = 0; j + 1 < nbounds; j++) {
		uint64_t start = bounds[j], end = bounds[j + 1];
		while (next < n && runs[next].virt <= start)
			heap_push(heap, &heap_n, runs, next++);
		while (heap_n && runs[heap[0]].virt + runs[heap[0]].len <= start)
			heap_pop(heap, &heap_n, runs);
		if (!heap_n)
			continue;
		err = emit_piece(out, &runs[heap[0]], start, end);
		if (err)
			goto out;
	}
out:
	free(bounds);
	free(heap);
	return err;
}

struct ptw_error *kdump_view_init_flattened(struct kdump_view *view, struct ptw_source *src)
{
	struct ptw_error *err;
	*view = (struct kdump_view){.src = src, .flattened = true};

	unsigned char head[32];
	err = ptw_source_pread(src, head, sizeof(head), 0);
	if (err)
		return ptw_error_prepend(err, "reading the flattened-format header: ");
	if (get_be64(head + 16) != FLAT_TYPE)
		return ptw_error_at(PTW_E_BAD_DATA, 16, "flattened header type is %llu, not %d",
				    (unsigned long long)get_be64(head + 16), FLAT_TYPE);
	if (get_be64(head + 24) != FLAT_VERSION)
		return ptw_error_at(PTW_E_NOT_IMPLEMENTED, 24, "flattened format version %llu is not supported",
				    (unsigned long long)get_be64(head + 24));
	if (src->file_size < KDUMP_FLAT_HEADER_SIZE)
		return ptw_error_at(PTW_E_BAD_DATA, src->file_size,
				    "flattened file ends inside its 4096-byte header");

	struct flat_scan *scan = calloc(1, sizeof(*scan));
	if (!scan)
		return &ptw_enomem;
	scan->src = src;
	struct extent_list out = {0};
	uint64_t pos = KDUMP_FLAT_HEADER_SIZE;
	bool ended = false;
	bool continues_prev = false;
	/* Each step consumes at least 16 bytes of the file: bounded by its size. */
	while (pos + FLAT_RECORD_HEADER <= src->file_size) {
		unsigned char rec[16];
		err = scan_header(scan, pos, rec);
		if (err)
			goto fail;
		int64_t offset = (int64_t)get_be64(rec), size = (int64_t)get_be64(rec + 8);
		if (offset == FLAT_END_FLAG && size == FLAT_END_FLAG) {
			ended = true;
			break;
		}
		if (offset < 0 || size < 0) {
			err = ptw_error_at(PTW_E_BAD_DATA, pos,
					   "flattened record has a negative %s (%lld)",
					   offset < 0 ? "offset" : "size",
					   (long long)(offset < 0 ? offset : size));
			goto fail;
		}
		if ((uint64_t)size > FLAT_MAX_RECORD_SIZE || (uint64_t)offset > INT64_MAX - (uint64_t)size) {
			err = ptw_error_at(PTW_E_BAD_DATA, pos,
					   "flattened record of %lld bytes at offset 0x%llx is impossibly large",
					   (long long)size, (unsigned long long)offset);
			goto fail;
		}
		uint64_t data = pos + FLAT_RECORD_HEADER;
		uint64_t have = src->file_size - data;
		if ((uint64_t)size > have) {
			/* The stream was cut: keep what is there. */
			view->truncated = true;
			if (have)
				err = scan_add(scan, (uint64_t)offset, data, have, &continues_prev);
			if (err)
				goto fail;
			pos = src->file_size;
			break;
		}
		if (size == 0) {
			/* Its header sits between neighbours: it ends any run. */
			continues_prev = false;
		} else {
			err = scan_add(scan, (uint64_t)offset, data, (uint64_t)size, &continues_prev);
			if (err)
				goto fail;
		}
		view->nrecords++;
		scan->last_size = (uint64_t)size;
		pos = data + (uint64_t)size;
	}
	if (!ended)
		view->truncated = true;

	if (scan->nruns)
		qsort(scan->runs, scan->nruns, sizeof(*scan->runs), compare_runs);
	err = resolve_overlaps(scan->runs, scan->nruns, &out);
	if (err)
		goto fail;
	view->extents = out.items;
	view->nextents = out.n;
	if (out.n)
		view->size = out.items[out.n - 1].virt + out.items[out.n - 1].len;
	free(scan->runs);
	free(scan);
	return NULL;

fail:
	free(out.items);
	free(scan->runs);
	free(scan);
	return err;
}

/* The extent holding off, or the first after it (NULL if none). */
static const struct kdump_flat_extent *find_extent(const struct kdump_view *view, uint64_t off)
{
	size_t lo = 0, hi = view->nextents;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct kdump_flat_extent *e = &view->extents[mid];
		if (off < e->virt)
			hi = mid;
		else if (off - e->virt >= e->len)
			lo = mid + 1;
		else
			return e;
	}
	return lo < view->nextents ? &view->extents[lo] : NULL;
}

/* File offset of off inside e, and how many bytes follow it in the same record. */
static uint64_t extent_real(const struct kdump_flat_extent *e, uint64_t off, uint64_t *contiguous_ret)
{
	uint64_t d = off - e->base_virt;
	uint64_t in_record = d % e->stride;
	if (contiguous_ret) {
		uint64_t record_left = e->stride - in_record;
		uint64_t extent_left = e->virt + e->len - off;
		*contiguous_ret = record_left < extent_left ? record_left : extent_left;
	}
	return e->base_real + (d / e->stride) * (e->stride + FLAT_RECORD_HEADER) + in_record;
}

uint64_t kdump_view_file_offset(const struct kdump_view *view, uint64_t off)
{
	if (!view->flattened)
		return off;
	const struct kdump_flat_extent *e = find_extent(view, off);
	if (!e || off < e->virt)
		return off;
	return extent_real(e, off, NULL);
}

struct ptw_error *kdump_view_read(struct kdump_view *view, uint64_t off, void *buf, size_t len)
{
	if (off > view->size || len > view->size - off)
		return ptw_error_at(PTW_E_BAD_DATA, kdump_view_file_offset(view, off),
				    "%zu bytes at dump offset 0x%llx needed, past the end of the %s (size 0x%llx)",
				    len, (unsigned long long)off, view->flattened ? "flattened data" : "file",
				    (unsigned long long)view->size);
	if (!view->flattened)
		return ptw_source_pread(view->src, buf, len, off);
	unsigned char *out = buf;
	/* Each step consumes at least one byte of len. */
	while (len) {
		const struct kdump_flat_extent *e = find_extent(view, off);
		uint64_t chunk;
		if (!e || off < e->virt) {
			uint64_t gap_end = e ? e->virt : view->size;
			chunk = gap_end - off < len ? gap_end - off : len;
			memset(out, 0, (size_t)chunk);
		} else {
			uint64_t real = extent_real(e, off, &chunk);
			if (chunk > len)
				chunk = len;
			struct ptw_error *err = ptw_source_pread(view->src, out, (size_t)chunk, real);
			if (err)
				return err;
		}
		out += chunk;
		off += chunk;
		len -= (size_t)chunk;
	}
	return NULL;
}
