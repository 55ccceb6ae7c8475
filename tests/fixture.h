/* An in-memory physical memory for walker tests: a struct ptw_source over a
 * small sparse set of 4 KiB frames, plus ranges that read as zeroes, plus a
 * memory map (for "outside physical memory" verdicts). */
#ifndef PTW_TEST_FIXTURE_H
#define PTW_TEST_FIXTURE_H

#include <stdint.h>

#include "source.h"

struct fixture;

struct fixture *fixture_new(void);
void fixture_free(struct fixture *f);
/** The source to hand to the walker; owned by the fixture. */
struct ptw_source *fixture_source(struct fixture *f);
/** Store a little-endian u64 at pa (its frame becomes present). */
void fixture_set_u64(struct fixture *f, uint64_t pa, uint64_t value);
/** [start, end) is RAM: in the memory map, and present as zeroes unless excluded. */
void fixture_add_ram(struct fixture *f, uint64_t start, uint64_t end);
/** [start, end) is RAM the dump left out (in the memory map, not present). */
void fixture_add_excluded(struct fixture *f, uint64_t start, uint64_t end);

#endif
