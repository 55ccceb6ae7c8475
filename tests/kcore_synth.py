#!/usr/bin/env python3
"""Write a /proc/kcore-like ELF file (x86-64) from a physical memory image.

    kcore_synth.py OUT PHYS_IMAGE VMCOREINFO_FILE TEXT_VA TEXT_PA TEXT_SIZE RAM...

RAM is START:END (hex, physical) for each System RAM range; PHYS_IMAGE holds
physical memory from address 0 (at least up to the highest END).

The layout is fs/proc/kcore.c's (6.1 and 6.12): an ELF64 core header, the
program headers (a PT_NOTE first, then one PT_LOAD per kclist entry), the
notes (an empty NT_PRSTATUS, NT_PRPSINFO, NT_TASKSTRUCT, VMCOREINFO), and
every PT_LOAD at file offset vaddr - PAGE_OFFSET + data_offset. KCORE_RAM
and KCORE_TEXT entries carry p_paddr; KCORE_VMALLOC (vmalloc, modules),
KCORE_VMEMMAP and KCORE_USER (vsyscall) have p_paddr = -1. Only the RAM
segments are written (a sparse file, like a copy of the headers and the
segments that have a physical address): the others point past its end, as
they would in a copy that left them out.
"""
import struct
import sys

PAGE_OFFSET = 0xFFFF888000000000  # x86-64 4-level, without KASLR of the linear map
VMALLOC_START, VMALLOC_SIZE = 0xFFFFC90000000000, 32 << 40
MODULES_VADDR, MODULES_SIZE = 0xFFFFFFFFA0000000, 0x5F000000
VMEMMAP_START = 0xFFFFEA0000000000
VSYSCALL = 0xFFFFFFFFFF600000
NO_PADDR = 0xFFFFFFFFFFFFFFFF


def note(name, ntype, desc):
    n = name.encode() + b"\0"
    pad = lambda b: b + b"\0" * (-len(b) % 4)
    return struct.pack("<III", len(n), len(desc), ntype) + pad(n) + pad(desc)


def main():
    out, image, vmcoreinfo_file = sys.argv[1:4]
    text_va, text_pa, text_size = (int(x, 16) for x in sys.argv[4:7])
    ram = [tuple(int(x, 16) for x in r.split(":")) for r in sys.argv[7:]]
    vmcoreinfo = open(vmcoreinfo_file, "rb").read()

    # kclist order as x86-64 builds it: text, vmalloc, modules, vsyscall,
    # then per RAM range its KCORE_RAM and KCORE_VMEMMAP entries.
    loads = [(text_va, text_pa, text_size),
             (VMALLOC_START, NO_PADDR, VMALLOC_SIZE),
             (MODULES_VADDR, NO_PADDR, MODULES_SIZE),
             (VSYSCALL, NO_PADDR, 4096)]
    for start, end in ram:
        loads.append((PAGE_OFFSET + start, start, end - start))
        first = (start >> 12) * 64 & ~0xFFF
        last = ((end >> 12) * 64 + 4095) & ~0xFFF
        loads.append((VMEMMAP_START + first, NO_PADDR, last - first))

    notes = (note("CORE", 1, bytes(336)) +                        # NT_PRSTATUS, zeroed
             note("CORE", 3, b"R" + bytes(135)) +                 # NT_PRPSINFO
             note("CORE", 4, bytes(256)) +                        # NT_TASKSTRUCT
             note("VMCOREINFO", 0, vmcoreinfo) + bytes(64))       # zero padding, as the kernel's
    nphdr = 1 + len(loads)
    notes_offset = 64 + 56 * nphdr
    data_offset = (notes_offset + len(notes) + 4095) & ~4095

    ehdr = b"\x7fELF" + bytes([2, 1, 1, 0]) + bytes(8)
    ehdr += struct.pack("<HHIQQQIHHHHHH", 4, 62, 1, 0, 64, 0, 0, 64, 56, nphdr, 0, 0, 0)
    phdrs = struct.pack("<IIQQQQQQ", 4, 0, notes_offset, 0, 0, len(notes), 0, 0)
    for va, pa, size in loads:
        off = (va - PAGE_OFFSET + data_offset) & 0xFFFFFFFFFFFFFFFF
        phdrs += struct.pack("<IIQQQQQQ", 1, 7, off, va, pa, size, size, 4096)

    print("data_offset %d" % data_offset)
    with open(out, "wb") as f, open(image, "rb") as img:
        f.write(ehdr + phdrs + notes)
        for start, end in ram:
            f.seek(data_offset + start)
            img.seek(start)
            f.write(img.read(end - start))


main()
