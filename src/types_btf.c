/* Types from BTF, parsed by libbpf (Debian's libbpf-dev), not by a parser
 * of ours: the kernel's .BTF section or a saved /sys/kernel/btf/vmlinux. */
#include <errno.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "btf_find.h"
#include "file.h"
#include "large_buf.h"
#include "types.h"
#include "types_impl.h"

/* typedef -> const -> typedef ...: kernel chains are a few long; a longer
 * one is a loop in corrupt BTF. */
#define MAX_MODIFIER_CHAIN 64

/* The library never prints: libbpf's warnings about a blob it refuses
 * would go to stderr, so they are silenced while it parses (the refusal
 * reaches the caller as an error instead). */
static int quiet_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

static const struct btf_type *type_by_id(const struct btf *btf, ptw_type_id id)
{
	if (id == 0 || id >= btf__type_cnt(btf))
		return NULL;
	return btf__type_by_id(btf, (__u32)id);
}

static struct ptw_error *btf_find(void *impl, const char *name, ptw_type_id *ret)
{
	const struct btf *btf = impl;
	static const int kinds[] = { BTF_KIND_STRUCT, BTF_KIND_UNION, BTF_KIND_TYPEDEF };

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		__s32 id = btf__find_by_name_kind(btf, name, kinds[i]);

		if (id > 0) {
			*ret = (ptw_type_id)id;
			return NULL;
		}
	}
	return ptw_error_create(PTW_E_NOT_PRESENT, "no type '%s' in the BTF", name);
}

/* The first type of the chain that is not a typedef or qualifier (or, with
 * keep_typedefs, not a qualifier). */
static struct ptw_error *skip_modifiers(const struct btf *btf, ptw_type_id id, bool keep_typedefs,
					ptw_type_id *ret)
{
	for (unsigned n = 0; n < MAX_MODIFIER_CHAIN; n++) {
		const struct btf_type *t;

		if (id == 0) {
			*ret = 0;
			return NULL;
		}
		t = type_by_id(btf, id);
		if (!t)
			return ptw_error_create(PTW_E_BAD_DATA, "BTF type id %llu out of range",
						(unsigned long long)id);
		if (!(btf_is_mod(t) || (!keep_typedefs && btf_is_typedef(t)))) {
			*ret = id;
			return NULL;
		}
		id = t->type;
	}
	return ptw_error_create(PTW_E_BAD_DATA, "BTF typedef/qualifier chain longer than %d",
				MAX_MODIFIER_CHAIN);
}

static struct ptw_error *btf_describe(void *impl, ptw_type_id id, struct ptw_type_info *ret)
{
	const struct btf *btf = impl;
	const struct btf_type *t;
	struct ptw_type_info info = { .name = "" };
	struct ptw_error *err = skip_modifiers(btf, id, false, &id);

	if (err)
		return err;
	info.id = id;
	if (id == 0) {
		info.kind = PTW_TYPE_VOID;
		*ret = info;
		return NULL;
	}
	t = type_by_id(btf, id);
	if (!t)
		return ptw_error_create(PTW_E_BAD_DATA, "BTF type id %llu out of range", (unsigned long long)id);
	info.name = btf__name_by_offset(btf, t->name_off);
	if (!info.name)
		info.name = "";
	switch (btf_kind(t)) {
	case BTF_KIND_INT:
		info.kind = PTW_TYPE_INT;
		info.is_signed = (btf_int_encoding(t) & BTF_INT_SIGNED) != 0;
		break;
	case BTF_KIND_FLOAT:
		info.kind = PTW_TYPE_FLOAT;
		break;
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		info.kind = PTW_TYPE_ENUM;
		info.is_signed = btf_kflag(t);
		break;
	case BTF_KIND_PTR:
		info.kind = PTW_TYPE_POINTER;
		info.target = t->type;
		break;
	case BTF_KIND_ARRAY:
		info.kind = PTW_TYPE_ARRAY;
		info.target = btf_array(t)->type;
		info.nelems = btf_array(t)->nelems;
		break;
	case BTF_KIND_STRUCT:
		info.kind = PTW_TYPE_STRUCT;
		break;
	case BTF_KIND_UNION:
		info.kind = PTW_TYPE_UNION;
		break;
	case BTF_KIND_FUNC_PROTO:
	case BTF_KIND_FUNC:
		info.kind = PTW_TYPE_FUNCTION;
		break;
	default:
		info.kind = PTW_TYPE_OTHER;
		break;
	}
	if (info.kind != PTW_TYPE_FUNCTION && info.kind != PTW_TYPE_OTHER) {
		__s64 size = btf__resolve_size(btf, (__u32)id);

		if (size < 0)
			return ptw_error_create(PTW_E_BAD_DATA, "BTF type id %llu (%s): size cannot be worked out",
						(unsigned long long)id, info.name);
		info.size = (uint64_t)size;
	}
	*ret = info;
	return NULL;
}

static const char *btf_declared_name(void *impl, ptw_type_id id)
{
	const struct btf *btf = impl;
	const struct btf_type *t;
	const char *name;

	struct ptw_error *err = skip_modifiers(btf, id, true, &id);

	if (err) {
		/* Only reached for corrupt BTF; describe() reports it. */
		ptw_error_destroy(err);
		return "";
	}
	t = type_by_id(btf, id);
	if (!t)
		return id == 0 ? "void" : "";
	if (btf_is_ptr(t) || btf_is_array(t))
		return "";
	name = btf__name_by_offset(btf, t->name_off);
	return name ? name : "";
}

static struct ptw_error *btf_members_of(void *impl, ptw_type_id id, ptw_types_member_fn *fn, void *arg)
{
	const struct btf *btf = impl;
	const struct btf_type *t = type_by_id(btf, id);

	if (!t || !btf_is_composite(t))
		return ptw_error_create(PTW_E_INVALID_ARGUMENT, "BTF type id %llu is not a struct or union",
					(unsigned long long)id);
	const struct btf_member *m = btf_members(t);
	/* Bounded by vlen, 16 bits; libbpf checked the members lie in the blob. */
	for (__u16 i = 0; i < btf_vlen(t); i++) {
		struct ptw_types_raw_member rm = {
			.name = btf__name_by_offset(btf, m[i].name_off),
			.bit_offset = btf_member_bit_offset(t, i),
			.bit_size = btf_member_bitfield_size(t, i),
			.type = m[i].type,
		};

		if (!rm.name)
			rm.name = "";
		if (!fn(&rm, arg))
			break;
	}
	return NULL;
}

static void btf_destroy(void *impl)
{
	btf__free(impl);
}

static const struct ptw_types_ops btf_ops = {
	.source = "btf",
	.find = btf_find,
	.describe = btf_describe,
	.declared_name = btf_declared_name,
	.members = btf_members_of,
	.destroy = btf_destroy,
};

/* Accept BTF that describes the kernel: struct task_struct with a size. */
static struct ptw_error *check_kernel_btf(struct btf *btf, const char *origin)
{
	__s32 id = btf__find_by_name_kind(btf, "task_struct", BTF_KIND_STRUCT);

	if (id <= 0)
		return ptw_error_create(PTW_E_BAD_DATA, "BTF from %s does not describe struct task_struct", origin);
	if (btf__resolve_size(btf, (__u32)id) <= 0)
		return ptw_error_create(PTW_E_BAD_DATA, "BTF from %s: struct task_struct has no size", origin);
	return NULL;
}

static struct ptw_error *wrap(struct btf *btf, const char *origin, struct ptw_types **ret)
{
	struct ptw_error *err = check_kernel_btf(btf, origin);

	if (err) {
		btf__free(btf);
		return err;
	}
	return ptw_types_create(&btf_ops, btf, origin, ret);
}

/* libbpf copies the blob it is given into memory of its own malloc (and
 * grows its type index after it): with glibc, a fresh mapping, one page
 * fault per 4 KiB when the copy first writes it. On a virtual machine
 * that is about 3.3 us a fault, 1,150 of them (3.8 ms, as much as a
 * quarter of the load) for the 4.4 MB x86-64 Debian 6.1 BTF. The copy is
 * made to land on memory already faulted in instead: a block the size of
 * the copy and its index is taken from the heap, advised for huge pages,
 * faulted in with one call and freed just before btf__new, whose malloc
 * then reuses it (glibc keeps it at the top of the heap). For the heap to
 * serve a block that large, a block of that size is first allocated and
 * freed untouched: glibc maps it, and freeing a mapped block raises its
 * mmap threshold to that block's size (mallopt(3), M_MMAP_THRESHOLD).
 * Only advice: with another allocator, or when glibc maps the block
 * anyway (its threshold set by the program, or above 32 MiB), nothing is
 * faulted in and the copy pays its faults as before. */
#define PREFAULT_MIN (1u << 20)
#define HUGE_PAGE PTW_LARGE_BUF_HUGE_PAGE

static void prefault_for_copy(size_t len)
{
#if defined(__GLIBC__) && defined(MADV_POPULATE_WRITE) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 33)
	/* The copy, its type index (4 bytes a type; a kernel's types average
	 * 25 bytes, and the index grows by a quarter at a time) and libbpf's
	 * small allocations; and a huge page more, so that the part faulted
	 * in can end on a huge-page boundary. Every byte faulted in is
	 * zeroed by the kernel, about 0.23 ms a MiB here. */
	size_t need = len + len / 8 + (64u << 10);
	size_t want = need + HUGE_PAGE;
	long page = sysconf(_SC_PAGESIZE);
	struct mallinfo2 before;
	void *volatile probe;
	void *p;

	if (len < PREFAULT_MIN || len > SIZE_MAX / 2 || page <= 0)
		return;
	/* volatile: a compiler may drop a malloc that is only freed. */
	probe = malloc(want);
	free(probe);
	before = mallinfo2();
	p = malloc(want);
	if (!p)
		return;
	/* hblkhd: bytes in mapped blocks; unchanged when p is heap memory. */
	if (mallinfo2().hblkhd == before.hblkhd) {
		/* [lo, hi): from the block's first whole page to the huge
		 * page boundary after need, within the block. Only the part
		 * below the block's first huge page boundary takes 4 KiB
		 * pages (the heap below it is in use). */
		uintptr_t start = (uintptr_t)p;
		uintptr_t huge_lo = (start + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1);
		uintptr_t huge_hi = (start + need + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1);
		uintptr_t lo = (start + (uintptr_t)page - 1) & ~(uintptr_t)(page - 1);
		uintptr_t hi = huge_hi;

		if (huge_hi > huge_lo)
			(void)madvise((void *)huge_lo, huge_hi - huge_lo, MADV_HUGEPAGE);
		/* One call instead of a fault a page; before Linux 5.14 it
		 * fails and the copy faults its pages in as before. */
		if (hi > lo)
			(void)madvise((void *)lo, hi - lo, MADV_POPULATE_WRITE);
	}
	free(p);
#else
	(void)len;
#endif
}

/* btf__new on the blob, libbpf's warnings silenced; NULL with *errnum_ret
 * set when it refuses it. */
static struct btf *parse_blob(const void *data, size_t len, int *errnum_ret)
{
	libbpf_print_fn_t old;
	struct btf *btf;

	prefault_for_copy(len);
	old = libbpf_set_print(quiet_libbpf);
	errno = 0;
	btf = btf__new(data, (__u32)len);
	*errnum_ret = errno;
	libbpf_set_print(old);
	if (btf && libbpf_get_error(btf))
		btf = NULL;
	return btf;
}

struct ptw_error *ptw_types_btf_new(const void *data, size_t len, const char *origin,
				    struct ptw_types **ret)
{
	struct btf *btf;
	int errnum;

	if (len > UINT32_MAX)
		return ptw_error_create(PTW_E_BAD_DATA, "BTF from %s: %zu bytes is too large", origin, len);
	btf = parse_blob(data, len, &errnum);
	if (!btf)
		return ptw_error_create(PTW_E_BAD_DATA, "BTF from %s: libbpf refused it (%s)", origin,
					strerror(errnum ? errnum : EINVAL));
	return wrap(btf, origin, ret);
}

/* The whole of a --btf file, read from a descriptor of
 * ptw_file_open_regular (a FIFO or a device is refused before any read,
 * never waited on), at most PTW_BTF_MAX_SIZE bytes; with header_only, its
 * first PTW_BTF_HEADER_SIZE bytes (or fewer). */
static struct ptw_error *read_btf_file(const char *path, bool header_only, unsigned char **ret,
				       size_t *len_ret)
{
	uint64_t size;
	int fd;
	struct ptw_error *err = ptw_file_open_regular(path, &fd, &size);
	unsigned char *buf;
	size_t want, have = 0;

	if (err)
		return ptw_error_prepend(err, "%s: ", path);
	if (!header_only && size > PTW_BTF_MAX_SIZE) {
		close(fd);
		return ptw_error_create(PTW_E_BAD_DATA, "%s: %llu bytes, larger than any kernel's BTF (%u MiB)",
					path, (unsigned long long)size, PTW_BTF_MAX_SIZE >> 20);
	}
	want = header_only ? (size < PTW_BTF_HEADER_SIZE ? (size_t)size : PTW_BTF_HEADER_SIZE) : (size_t)size;
	buf = malloc(want ? want : 1);
	if (!buf) {
		close(fd);
		return &ptw_enomem;
	}
	/* Bounded: each pass reads at least a byte, or stops. */
	while (have < want) {
		ssize_t n = read(fd, buf + have, want - have);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = ptw_error_errno(errno, "%s: read", path);
			break;
		}
		if (n == 0)
			break; /* the file shrank: libbpf or the header check says what is missing */
		have += (size_t)n;
	}
	close(fd);
	if (err) {
		free(buf);
		return err;
	}
	*ret = buf;
	*len_ret = have;
	return NULL;
}

struct ptw_error *ptw_types_btf_open(const char *path, struct ptw_types **ret)
{
	struct btf *btf;
	int errnum;
	unsigned char *data;
	size_t len;
	struct ptw_error *err = read_btf_file(path, false, &data, &len);

	if (err)
		return err;
	btf = parse_blob(data, len, &errnum);
	free(data);
	if (!btf)
		return ptw_error_create(PTW_E_BAD_DATA, "%s: not raw BTF that libbpf accepts (%s)", path,
					strerror(errnum ? errnum : EINVAL));
	return wrap(btf, path, ret);
}

struct ptw_error *ptw_types_btf_probe(const char *path)
{
	unsigned char *hdr;
	uint64_t total;
	size_t n;
	struct ptw_error *err = read_btf_file(path, true, &hdr, &n);
	bool ok;

	if (err)
		return err;
	ok = ptw_btf_header_ok(hdr, n, &total);
	free(hdr);
	if (!ok)
		return ptw_error_at(PTW_E_BAD_DATA, 0, "%s: not raw BTF (no BTF header)", path);
	return NULL;
}
