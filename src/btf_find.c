#include "btf_find.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "large_buf.h"

/* Memory is searched a chunk at a time, each read once: the blob a header
 * starts is read again from there, so the chunk is kept small (it was 1 MiB,
 * and up to that much of the BTF was decompressed twice); 64 KiB still
 * covers a 64 KiB kdump block in one read and gives the prefix search long spans. */
#define CHUNK (64u << 10)
/* A header starting near the end of a chunk is completed from the next. */
#define OVERLAP (PTW_BTF_HEADER_SIZE - 1)
/* Headers handed to libbpf before the search gives up: a kernel has one
 * .BTF, and each refused candidate costs a read of up to PTW_BTF_MAX_SIZE. */
#define MAX_CANDIDATES 16

/* magic 0xeB9F, version 1, flags 0, hdr_len 24, all little-endian. */
static const unsigned char header_prefix[8] = { 0x9f, 0xeb, 0x01, 0x00, 0x18, 0x00, 0x00, 0x00 };

/* The first header prefix in p[0, len), or NULL. memchr for the magic's
 * first byte, then a compare: glibc's memmem costs about 5 instructions a
 * byte here, memchr a fraction of one, and 0x9f is rare in the image. */
static const unsigned char *find_prefix(const unsigned char *p, size_t len)
{
	const unsigned char *end = p + len;

	/* Bounded: each miss moves p forward by at least one byte. */
	while ((size_t)(end - p) >= sizeof(header_prefix)) {
		const unsigned char *hit = memchr(p, header_prefix[0], (size_t)(end - p) - (sizeof(header_prefix) - 1));

		if (!hit)
			return NULL;
		if (memcmp(hit + 1, header_prefix + 1, sizeof(header_prefix) - 1) == 0)
			return hit;
		p = hit + 1;
	}
	return NULL;
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

bool ptw_btf_header_ok(const unsigned char *p, size_t avail, uint64_t *total_ret)
{
	uint64_t type_off, type_len, str_off, str_len, total;

	if (avail < PTW_BTF_HEADER_SIZE || memcmp(p, header_prefix, sizeof(header_prefix)) != 0)
		return false;
	type_off = le32(p + 8);
	type_len = le32(p + 12);
	str_off = le32(p + 16);
	str_len = le32(p + 20);
	/* As libbpf's btf_parse_hdr wants them: types 4-aligned and before
	 * the strings; a kernel's BTF has both sections non-empty. */
	if (type_off % 4 || type_len == 0 || str_len == 0 || type_off + type_len > str_off)
		return false;
	total = PTW_BTF_HEADER_SIZE + str_off + str_len;
	if (total > PTW_BTF_MAX_SIZE)
		return false;
	*total_ret = total;
	return true;
}

/* Called for each plausible header, in address order; false stops the scan. */
typedef bool header_fn(void *arg, uint64_t addr, uint64_t total);

/* Look for headers starting in [addr, addr + starts): read that much plus
 * the overlap, or, where the overlap is not readable, without it. *readable_ret
 * says whether anything could be read. */
static bool search_block(const struct ptw_btf_reader *r, unsigned char *buf, uint64_t addr,
			 size_t starts, header_fn *fn, void *arg, bool *readable_ret)
{
	size_t got = starts + OVERLAP;
	struct ptw_error *err;

	if (addr > UINT64_MAX - got)
		got = starts; /* the top of the address space: no overlap */
	err = r->read(r->arg, addr, buf, got);
	if (err) {
		ptw_error_destroy(err);
		got = starts;
		err = r->read(r->arg, addr, buf, got);
		if (err) {
			ptw_error_destroy(err);
			*readable_ret = false;
			return true;
		}
	}
	*readable_ret = true;
	/* Bounded: each hit moves i forward by at least one byte. */
	for (size_t i = 0; i < starts;) {
		const unsigned char *hit = find_prefix(buf + i, got - i);
		uint64_t total;

		if (!hit)
			break;
		i = (size_t)(hit - buf);
		if (i >= starts)
			break;
		if (ptw_btf_header_ok(hit, got - i, &total) && !fn(arg, addr + i, total))
			return false;
		i++;
	}
	return true;
}

static struct ptw_error *scan(const struct ptw_btf_reader *r, uint64_t start, uint64_t end,
			      header_fn *fn, void *arg)
{
	uint64_t page = r->page_size >= 4096 && !(r->page_size & (r->page_size - 1)) ? r->page_size : 4096;
	unsigned char *buf = malloc(CHUNK + OVERLAP);

	if (!buf)
		return &ptw_enomem;
	/* Bounded: pos advances by at least one page-aligned step to end. */
	for (uint64_t pos = start; pos < end;) {
		uint64_t n = end - pos < CHUNK ? end - pos : CHUNK;
		bool readable;

		if (!search_block(r, buf, pos, (size_t)n, fn, arg, &readable))
			break;
		if (!readable) {
			/* Part of the chunk is not mapped (the gaps the kernel
			 * frees between sections): go page by page. */
			for (uint64_t p = pos; p < pos + n;) {
				uint64_t next = (p | (page - 1)) + 1;
				uint64_t m = (next > pos + n || next == 0 ? pos + n : next) - p;
				bool ok;

				if (!search_block(r, buf, p, (size_t)m, fn, arg, &ok))
					goto out;
				p += m;
			}
		}
		if (pos + n < pos)
			break;
		pos += n;
	}
out:
	free(buf);
	return NULL;
}

struct scan_state {
	bool found;
	struct ptw_btf_found where;
};

static bool first_header(void *arg, uint64_t addr, uint64_t total)
{
	struct scan_state *s = arg;

	s->found = true;
	s->where.addr = addr;
	s->where.size = total;
	s->where.candidates = 1;
	return false;
}

struct ptw_error *ptw_btf_scan(const struct ptw_btf_reader *r, uint64_t start, uint64_t end,
			       struct ptw_btf_found *found_ret)
{
	struct scan_state s = { 0 };
	struct ptw_error *err = scan(r, start, end, first_header, &s);

	if (err)
		return err;
	if (!s.found)
		return ptw_error_create(PTW_E_NOT_PRESENT, "no BTF header in 0x%llx-0x%llx",
					(unsigned long long)start, (unsigned long long)end);
	*found_ret = s.where;
	return NULL;
}

struct search_state {
	const struct ptw_btf_reader *r;
	unsigned candidates;
	struct ptw_types *types;
	struct ptw_btf_found where;
	struct ptw_error *first_refusal;
	struct ptw_error *fatal; /* out of memory */
};

/* Judge the blob at addr (total bytes, in blob; NULL: read it first).
 * false stops the search: accepted, out of memory, or too many tried. */
static bool judge(struct search_state *s, uint64_t addr, uint64_t total, const unsigned char *blob)
{
	unsigned char *owned = NULL;
	char origin[96];
	struct ptw_error *err = NULL;

	s->candidates++;
	if (!blob) {
		owned = ptw_large_buf_alloc(total);
		if (!owned) {
			s->fatal = &ptw_enomem;
			return false;
		}
		err = s->r->read(s->r->arg, addr, owned, total);
		if (err)
			err = ptw_error_prepend(err, "BTF header at 0x%llx, but its %llu bytes cannot be read: ",
						(unsigned long long)addr, (unsigned long long)total);
		blob = owned;
	}
	snprintf(origin, sizeof(origin), "the dump at 0x%llx (%llu bytes)", (unsigned long long)addr,
		 (unsigned long long)total);
	if (!err)
		err = ptw_types_btf_new(blob, total, origin, &s->types);
	free(owned);
	if (!err) {
		s->where.addr = addr;
		s->where.size = total;
		s->where.candidates = s->candidates;
		return false;
	}
	if (err == &ptw_enomem || err->code == PTW_E_NOMEM) {
		s->fatal = err;
		return false;
	}
	if (!s->first_refusal)
		s->first_refusal = err;
	else
		ptw_error_destroy(err);
	return s->candidates < MAX_CANDIDATES;
}

static bool try_candidate(void *arg, uint64_t addr, uint64_t total)
{
	return judge(arg, addr, total, NULL);
}

/* What a search ends with: the types, or why there are none. */
static struct ptw_error *search_result(struct search_state *s, struct ptw_error *err, uint64_t start,
				       uint64_t end, struct ptw_types **ret, struct ptw_btf_found *found_ret)
{
	if (!err)
		err = s->fatal;
	if (err) {
		ptw_error_destroy(s->first_refusal);
		ptw_types_destroy(s->types);
		return err;
	}
	if (s->types) {
		ptw_error_destroy(s->first_refusal);
		*ret = s->types;
		*found_ret = s->where;
		return NULL;
	}
	if (s->first_refusal) {
		err = s->first_refusal;
		if (err->code != PTW_E_BAD_DATA)
			err->code = PTW_E_BAD_DATA;
		if (s->candidates > 1)
			err = ptw_error_prepend(err, "%u BTF candidates refused, the first: ", s->candidates);
		return err;
	}
	return ptw_error_create(PTW_E_NOT_PRESENT, "no BTF header in 0x%llx-0x%llx",
				(unsigned long long)start, (unsigned long long)end);
}

struct ptw_error *ptw_btf_search(const struct ptw_btf_reader *r, uint64_t start, uint64_t end,
				 struct ptw_types **ret, struct ptw_btf_found *found_ret)
{
	struct search_state s = { .r = r };

	return search_result(&s, scan(r, start, end, try_candidate, &s), start, end, ret, found_ret);
}

/* The downward search's memory: [base, top) of the image, indexed by
 * address; [run_bottom, run_top) was read without a gap. */
struct below {
	struct search_state s;
	uint64_t base;
	unsigned char *mem;
	uint64_t run_top;
};

/* Judge the headers starting in [lo, hi), which was just read; a blob
 * that lies within the run is parsed where it is, with no second read.
 * false stops the search. */
static bool below_candidates(struct below *b, uint64_t lo, uint64_t hi)
{
	const unsigned char *p = b->mem + (lo - b->base);
	const unsigned char *starts_end = b->mem + (hi - b->base);
	const unsigned char *limit = b->mem + (b->run_top - b->base);
	/* The prefix of a header starting below hi ends by hi + OVERLAP. */
	const unsigned char *scan_end = (size_t)(limit - starts_end) > OVERLAP ? starts_end + OVERLAP : limit;

	/* Bounded: each hit moves p forward by at least one byte. */
	while (p < starts_end) {
		const unsigned char *hit = find_prefix(p, (size_t)(scan_end - p));
		uint64_t addr, total;

		if (!hit || hit >= starts_end)
			return true;
		addr = b->base + (uint64_t)(hit - b->mem);
		if (ptw_btf_header_ok(hit, (size_t)(limit - hit), &total) &&
		    !judge(&b->s, addr, total, total <= b->run_top - addr ? hit : NULL))
			return false;
		p = hit + 1;
	}
	return true;
}

struct ptw_error *ptw_btf_search_below(const struct ptw_btf_reader *r, uint64_t start, uint64_t end,
				       struct ptw_types **ret, struct ptw_btf_found *found_ret)
{
	uint64_t page = r->page_size >= 4096 && !(r->page_size & (r->page_size - 1)) ? r->page_size : 4096;
	struct below b = { .s = { .r = r } };

	if (end <= start)
		return search_result(&b.s, NULL, start, end, ret, found_ret);
	b.base = end - start > PTW_BTF_MAX_SIZE ? end - PTW_BTF_MAX_SIZE : start;
	b.run_top = end;
	/* The search writes the buffer from its end down: the allocation is
	 * rounded up to whole huge pages and the image placed at its top, so
	 * that what is written starts on a huge page and none is zeroed
	 * above it (without the rounding the top partial 2 MiB took 4 KiB
	 * pages: 250 page faults, about 0.8 ms, for the x86-64 6.1 dump). */
	size_t span = (size_t)(end - b.base), rounded = ptw_large_buf_round(span);
	unsigned char *alloc = ptw_large_buf_alloc(rounded);

	if (!alloc)
		return &ptw_enomem;
	b.mem = alloc + (rounded - span);
	/* Bounded: pos moves down by at least a byte a pass, to base. */
	for (uint64_t pos = end; pos > b.base;) {
		uint64_t lo = pos - b.base < CHUNK ? b.base : pos - CHUNK;
		struct ptw_error *err = r->read(r->arg, lo, b.mem + (lo - b.base), (size_t)(pos - lo));

		if (!err) {
			if (!below_candidates(&b, lo, pos))
				break;
			pos = lo;
			continue;
		}
		ptw_error_destroy(err);
		/* Part of the chunk is not mapped (the gap the kernel frees
		 * between its read-only data and .data): page by page, an
		 * unreadable page ending the run. Bounded: p moves down. */
		for (uint64_t p = pos; p > lo;) {
			uint64_t from = (p - 1) & ~(page - 1);

			if (from < lo)
				from = lo;
			err = r->read(r->arg, from, b.mem + (from - b.base), (size_t)(p - from));
			if (err) {
				ptw_error_destroy(err);
				b.run_top = from;
			} else if (!below_candidates(&b, from, p)) {
				goto out;
			}
			p = from;
		}
		pos = lo;
	}
out:
	free(alloc);
	return search_result(&b.s, NULL, start, end, ret, found_ret);
}
