#include "source.h"

#include "file.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Probe order matters where signatures overlap: a kcore is an ELF core too,
 * told apart by its segments, so it is probed first. */
static const struct ptw_source_ops *const source_formats[] = {
	&ptw_source_kcore,
	&ptw_source_elf,
	&ptw_source_kdump,
	&ptw_source_kdump_flattened,
};

#define PROBE_BYTES 4096
#define FRAME_SIZE 4096u

struct ptw_error *ptw_source_pread(struct ptw_source *src, void *buf, size_t len, uint64_t offset)
{
	if (offset > src->file_size || len > src->file_size - offset)
		return ptw_error_at(PTW_E_BAD_DATA, offset,
				    "%zu bytes needed, past the end of the file (size 0x%llx)", len,
				    (unsigned long long)src->file_size);
	size_t done = 0;
	while (done < len) {
		ssize_t n = pread(src->fd, (char *)buf + done, len - done, (off_t)(offset + done));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			struct ptw_error *err = ptw_error_errno(errno, "read");
			if (err != &ptw_enomem) {
				err->has_offset = true;
				err->offset = offset + done;
			}
			return err;
		}
		if (n == 0)
			return ptw_error_at(PTW_E_BAD_DATA, offset + done, "unexpected end of file");
		done += (size_t)n;
	}
	return NULL;
}

struct ptw_error *ptw_source_open(const char *path, struct ptw_source **ret)
{
	struct ptw_error *err;
	struct ptw_source *src = calloc(1, sizeof(*src));
	if (!src)
		return &ptw_enomem;
	src->fd = -1;
	src->dump_level = -1;
	src->path = strdup(path);
	if (!src->path) {
		free(src);
		return &ptw_enomem;
	}
	err = ptw_file_open_regular(path, &src->fd, &src->file_size);
	if (err)
		goto fail;
	if (src->file_size == 0) {
		err = ptw_error_at(PTW_E_BAD_DATA, 0, "empty file, not a dump");
		goto fail;
	}

	unsigned char head[PROBE_BYTES];
	size_t head_len = src->file_size < sizeof(head) ? (size_t)src->file_size : sizeof(head);
	err = ptw_source_pread(src, head, head_len, 0);
	if (err)
		goto fail;
	for (size_t i = 0; i < sizeof(source_formats) / sizeof(source_formats[0]); i++) {
		if (source_formats[i]->probe(head, head_len)) {
			src->ops = source_formats[i];
			break;
		}
	}
	if (!src->ops) {
		err = ptw_error_at(PTW_E_BAD_DATA, 0,
				   "not a vmcore: no ELF core, kdump-compressed or flattened signature");
		goto fail;
	}
	err = src->ops->open(src);
	if (err)
		goto fail;
	if (!src->format)
		src->format = src->ops->name;
	*ret = src;
	return NULL;

fail:
	/* ops->close must cope with whatever a failed ops->open left in priv. */
	ptw_source_close(src);
	return err;
}

void ptw_source_close(struct ptw_source *src)
{
	if (!src)
		return;
	if (src->ops && src->ops->close)
		src->ops->close(src);
	if (src->fd >= 0)
		close(src->fd);
	free(src->vmcoreinfo);
	free(src->cpus);
	free(src->path);
	free(src);
}

struct ptw_error *ptw_source_read_phys(struct ptw_source *src, uint64_t pa, void *buf, size_t len)
{
	char *out = buf;
	if (len && pa + len - 1 < pa)
		return ptw_error_address(PTW_E_FAULT, pa, "physical range wraps around");
	while (len) {
		size_t chunk = FRAME_SIZE - (size_t)(pa & (FRAME_SIZE - 1));
		if (chunk > len)
			chunk = len;
		struct ptw_error *err = src->ops->read(src, pa, out, chunk);
		if (err)
			return err;
		pa += chunk;
		out += chunk;
		len -= chunk;
	}
	return NULL;
}

struct ptw_error *ptw_source_read_u64(struct ptw_source *src, uint64_t pa, uint64_t *ret)
{
	unsigned char b[8];
	struct ptw_error *err = ptw_source_read_phys(src, pa, b, sizeof(b));
	if (err)
		return err;
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = (v << 8) | b[i];
	*ret = v;
	return NULL;
}

bool ptw_source_is_present(struct ptw_source *src, uint64_t pa)
{
	return src->ops->is_present(src, pa);
}

bool ptw_source_range_present(struct ptw_source *src, uint64_t pa, uint64_t size, uint64_t step)
{
	if (size == 0 || step == 0 || pa + size < pa)
		return false;
	if (src->ops->range_present)
		return src->ops->range_present(src, pa, size);
	for (uint64_t off = 0; off < size; off += step)
		if (!src->ops->is_present(src, pa + off))
			return false;
	return true;
}

struct ptw_error *ptw_source_for_each_range(struct ptw_source *src, ptw_range_fn *fn, void *arg)
{
	return src->ops->for_each_range(src, fn, arg);
}
