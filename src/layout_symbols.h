#ifndef PTW_LAYOUT_SYMBOLS_H
#define PTW_LAYOUT_SYMBOLS_H

#include <stdbool.h>

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

#endif
