#ifndef PTW_LAYOUT_SYMBOLS_H
#define PTW_LAYOUT_SYMBOLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dump.h"
#include "ptdump.h"

/** x86-64: fill in vmalloc_base and vmemmap_base that detection could not
 * find, from the variables the dump's symbols name. Nothing changes when
 * they are known, or the symbols or the variables cannot be read. */
void ptw_dump_layout_from_symbols(struct ptw_dump *dump);

/** x86-64: replace the markers of VIEW (computed for a distribution build:
 * LDT remap, ESPfix and EFI present, Debian's fixmap) by the kernel's own
 * address_markers[] (arch/x86/mm/dump_pagetables.c), where the symbols
 * name the array and every entry reads as a known marker. False, VIEW
 * untouched, otherwise. */
bool ptw_dump_x86_64_kernel_markers(struct ptw_dump *dump, struct ptw_ptdump_view *view);

/* What ptw_x86_64_markers_decode reads through: the dump's kernel memory, or
 * a buffer (the fuzzer). Any error means "not readable". */
struct ptw_mem_reader {
	struct ptw_error *(*read)(void *arg, uint64_t addr, void *buf, size_t len);
	void *arg;
};

/** The decoding behind ptw_dump_x86_64_kernel_markers: address_markers[]
 * at ARRAY, at most PTW_MAX_MARKERS entries, each name at most 31 bytes
 * and one of dump_pagetables.c's; VIEW replaced only when the array ends
 * properly and starts where VIEW does. */
bool ptw_x86_64_markers_decode(const struct ptw_mem_reader *r, uint64_t array, struct ptw_ptdump_view *view);

#endif
