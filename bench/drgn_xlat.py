#!/usr/bin/python3
"""Benchmark driver for drgn (Debian's python3-drgn 0.0.22): for each kernel
virtual address on stdin, read 8 bytes through drgn's own page-table walker
(no vmlinux) and print "VA mapped HEX" (the 8 bytes, in file order) or
"VA not-mapped". drgn's public API reads memory rather than returning a
physical address, so the comparison with ptwalk is on the bytes: the harness
reads 8 bytes at ptwalk's physical address and compares.
    drgn_xlat.py DUMP PGD_VA PGD_PA < addresses

drgn 0.0.22 reads the top-level table through its virtual address, which it
cannot translate on a dump whose ELF segments carry no virtual addresses
(QEMU's): "recursive address translation" (drgn #592, fixed after 0.0.22 by
resolving swapper_pg_dir through kimage_voffset, 4c88ea16). This driver does
what that fix does, from outside: it adds a virtual segment for the table's
page that reads physical memory at PGD_PA."""
import sys

import drgn
from _drgn import _linux_helper_read_vm

TABLE_SEGMENT = 1 << 16  # covers the largest top-level table (64K granule)


def main():
    path, pgd_va, pgd_pa = sys.argv[1], int(sys.argv[2], 0), int(sys.argv[3], 0)
    prog = drgn.Program()
    prog.set_core_dump(path)
    prog.add_memory_segment(pgd_va, TABLE_SEGMENT,
                            lambda address, count, offset, physical: prog.read(pgd_pa + offset, count, True))
    out = []
    failed = 0
    errors = {}
    for line in sys.stdin:
        va = int(line, 16)
        try:
            out.append("%x mapped %s" % (va, _linux_helper_read_vm(prog, pgd_va, va, 8).hex()))
        except (drgn.FaultError, ValueError, OverflowError) as e:
            out.append("%x not-mapped" % va)
            failed += 1
            kind = str(e).split(":")[0]
            errors[kind] = errors.get(kind, 0) + 1
    sys.stdout.write("\n".join(out) + "\n")
    sys.stderr.write("drgn_xlat: %d done, %d failed %s\n" % (len(out), failed, errors))


if __name__ == "__main__":
    main()
