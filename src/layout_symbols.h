#ifndef PTW_LAYOUT_SYMBOLS_H
#define PTW_LAYOUT_SYMBOLS_H

#include "dump.h"

/** x86-64: fill in vmalloc_base and vmemmap_base that detection could not
 * find, from the variables the dump's symbols name. Nothing changes when
 * they are known, or the symbols or the variables cannot be read. */
void ptw_dump_layout_from_symbols(struct ptw_dump *dump);

#endif
