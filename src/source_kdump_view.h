/* A kdump file seen as one byte-addressed space, whatever its container.
 *
 * The kdump-compressed parser reads "offset X of the dump" through this view.
 * A plain file maps X to file offset X. A flattened file (makedumpfile -F,
 * and every kdump QEMU writes) stores the same bytes as a stream of
 * {offset, size, data} records; the view indexes those records once and
 * reads them in place, so nobody has to rearrange the file first.
 * Internal to the kdump reader. */
#ifndef PTW_SOURCE_KDUMP_VIEW_H
#define PTW_SOURCE_KDUMP_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "source.h"

/* Where the flattened format's records begin: after a 4 KiB makedumpfile_header. */
#define KDUMP_FLAT_HEADER_SIZE 4096u
#define KDUMP_FLAT_SIGNATURE "makedumpfile"

/* One run of flattened records mapped into the view, non-overlapping with
 * the others. A run is a series of records, consecutive in the file, each
 * continuing the previous one's range with the same size (makedumpfile
 * flushes fixed-size caches), so one entry stands for many records:
 * byte base_virt + d lives at base_real + (d / stride) * (stride + 16) + d % stride.
 * [virt, virt + len) is the part of the run that no later record overwrote. */
struct kdump_flat_extent {
	uint64_t virt;
	uint64_t len;
	uint64_t base_virt;
	uint64_t base_real;
	uint64_t stride;
};

struct kdump_view {
	struct ptw_source *src;
	bool flattened;
	/* End of the readable space: the file size, or the end of the highest record. */
	uint64_t size;
	/* The flattened stream stopped early: no end marker, or a record cut short. */
	bool truncated;
	struct kdump_flat_extent *extents; /* sorted by virt */
	size_t nextents;
	size_t nrecords;
};

/** A view of the file as it is. */
void kdump_view_init_plain(struct kdump_view *view, struct ptw_source *src);

/**
 * Index a flattened file's records. Bounded by the file size and a cap on
 * the index size; a record with a negative or absurd offset or size gives
 * BAD_DATA at the record's file offset.
 */
struct ptw_error *kdump_view_init_flattened(struct kdump_view *view, struct ptw_source *src);

void kdump_view_fini(struct kdump_view *view);

/**
 * Read exactly len bytes at view offset off. Gaps that no flattened record
 * covers read as zeroes (a rearranged file would have holes there). Bytes
 * past view->size give BAD_DATA naming the offset.
 */
struct ptw_error *kdump_view_read(struct kdump_view *view, uint64_t off, void *buf, size_t len);

/** The file offset that holds view offset off, for messages; off itself if none does. */
uint64_t kdump_view_file_offset(const struct kdump_view *view, uint64_t off);

#endif
