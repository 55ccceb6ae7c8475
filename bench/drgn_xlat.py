#!/usr/bin/python3
"""Benchmark driver for drgn (Debian's python3-drgn): for each kernel virtual
address on stdin, walk the kernel's page tables with drgn's reader (no
vmlinux) and print "VA mapped" or "VA not-mapped". drgn's public API reads
memory rather than returning a physical address, so the comparison with
ptwalk is on mapped / not-mapped only.
    drgn_xlat.py DUMP SWAPPER_PG_DIR_VA < addresses
"""
import sys

import drgn
from _drgn import _linux_helper_read_vm


def main():
    path, pgd = sys.argv[1], int(sys.argv[2], 16)
    prog = drgn.Program()
    prog.set_core_dump(path)
    out = []
    done = failed = 0
    for line in sys.stdin:
        va = int(line, 16)
        try:
            _linux_helper_read_vm(prog, pgd, va, 1)
            out.append("%x mapped" % va)
        except (drgn.FaultError, ValueError, OverflowError):
            out.append("%x not-mapped" % va)
            failed += 1
        done += 1
    sys.stdout.write("\n".join(out) + "\n")
    sys.stderr.write("drgn_xlat: %d done, %d failed\n" % (done, failed))


if __name__ == "__main__":
    main()
