/* Fuzz harness: the search for BTF in a kernel image (src/btf_find.c, up
 * from the start and down from the end), the libbpf parse of each
 * candidate and the types interface over what is accepted (member paths
 * through anonymous members, arrays, typedefs).
 * Input: [page shift - 12, 0..4][8 bytes: bitmap of unreadable pages] then
 * the image, read as memory at a kernel address. Candidates need a real
 * header (magic, version 1, 24-byte header); the seeds carry one. */
#include <stdint.h>
#include <string.h>

#include "btf_find.h"
#include "types.h"

#define BASE UINT64_C(0xffff800008000000)

struct image {
	const uint8_t *mem;
	size_t len;
	uint64_t unreadable; /* bit i: page i cannot be read */
	unsigned page_shift;
};

static struct ptw_error *image_read(void *arg, uint64_t addr, void *buf, size_t len)
{
	const struct image *im = arg;
	uint64_t off = addr - BASE;

	if (addr < BASE || off > im->len || len > im->len - off)
		return ptw_error_address(PTW_E_FAULT, addr, "outside the image");
	for (uint64_t p = off >> im->page_shift; len && p <= (off + len - 1) >> im->page_shift; p++)
		if (p < 64 && (im->unreadable >> p & 1))
			return ptw_error_address(PTW_E_NOT_PRESENT, addr, "unreadable page");
	memcpy(buf, im->mem + off, len);
	return NULL;
}

static void query(struct ptw_types *t)
{
	static const char *const structs[] = { "task_struct", "list_head", "mm_struct", "pid_t", "" };
	static const char *const paths[] = {
		"", "tasks", "tasks.next", "__state", "state", "comm", "comm[3]", "comm[99999999999]",
		"a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z.a.b.c.d.e.f.g", "pid", "x[1][2]",
		"thread_info.cpu", "..", "[0]",
	};
	for (size_t i = 0; i < sizeof(structs) / sizeof(structs[0]); i++) {
		uint64_t v;
		struct ptw_member m;
		ptw_error_destroy(ptw_types_struct_size(t, structs[i], &v));
		for (size_t k = 0; k < sizeof(paths) / sizeof(paths[0]); k++)
			ptw_error_destroy(ptw_types_member(t, structs[i], paths[k], &m));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct image im;
	struct ptw_btf_reader r;
	struct ptw_btf_found where;
	struct ptw_types *t = NULL;
	struct ptw_error *err;

	if (size < 9)
		return 0;
	im.page_shift = 12 + data[0] % 5;
	im.unreadable = 0;
	for (int i = 0; i < 8; i++)
		im.unreadable |= (uint64_t)data[1 + i] << (8 * i);
	im.mem = data + 9;
	im.len = size - 9;
	r = (struct ptw_btf_reader){ .read = image_read, .arg = &im, .page_size = UINT64_C(1) << im.page_shift };

	err = ptw_btf_scan(&r, BASE, BASE + im.len, &where);
	ptw_error_destroy(err);
	err = ptw_btf_search(&r, BASE, BASE + im.len, &t, &where);
	if (!err) {
		if (where.addr < BASE || where.addr - BASE + where.size > im.len)
			__builtin_trap(); /* accepted bytes outside the image */
		query(t);
		ptw_types_destroy(t);
	}
	ptw_error_destroy(err);
	/* Downward, from the end and from a bound inside the image (a blob
	 * that runs past the bound is read again from the reader). */
	for (int pass = 0; pass < 2; pass++) {
		uint64_t end = BASE + (pass ? im.len / 2 : im.len);

		t = NULL;
		err = ptw_btf_search_below(&r, BASE, end, &t, &where);
		if (!err) {
			if (where.addr < BASE || where.addr >= end || where.addr - BASE + where.size > im.len)
				__builtin_trap();
			query(t);
			ptw_types_destroy(t);
		}
		ptw_error_destroy(err);
	}
	return 0;
}
