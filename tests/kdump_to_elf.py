#!/usr/bin/env python3
"""kdump_to_elf.py IN OUT: rewrite a makedumpfile dump (kdump-compressed,
flattened or not, zlib or uncompressed pages, little-endian) as an ELF core,
so that tests can patch page-table bytes at a file offset in a sample dump
that exists only as a kdump (the x86-64 cases).

From makedumpfile's documented layouts (diskdump_mod.h, IMPLEMENTATION),
not from ptwalk's readers: the flattened stream is a 4 KiB header and
records {be64 offset, be64 size, data}; the kdump file is a disk_dump_header
block, kdump_sub_header blocks, the two bitmaps, then one page_desc
{off, size, flags, page_flags} per page set in the second bitmap. Memory in
the first bitmap but not the second (excluded) is written as zeros. The
output holds a PT_NOTE with the VMCOREINFO note and one PT_LOAD per run of
the first bitmap; p_vaddr is left 0 (unknown)."""
import struct
import sys
import zlib


def unflatten(data):
    if not data.startswith(b"makedumpfile\0"):
        return data
    out = bytearray()
    pos = 4096
    while pos + 16 <= len(data):
        offset, size = struct.unpack_from(">qq", data, pos)
        pos += 16
        if offset < 0 or size < 0 or pos + size > len(data):
            break
        if len(out) < offset + size:
            out.extend(bytes(offset + size - len(out)))
        out[offset:offset + size] = data[pos:pos + size]
        pos += size
    return bytes(out)


def bits(bitmap, nbits):
    for pfn in range(nbits):
        if bitmap[pfn >> 3] >> (pfn & 7) & 1:
            yield pfn


def main(src, dst):
    with open(src, "rb") as f:
        k = unflatten(f.read())
    if k[:8] != b"KDUMP   ":
        sys.exit("%s: not a kdump-compressed dump" % src)
    block_size, sub_hdr_size, bitmap_blocks, max_mapnr = struct.unpack_from("<iiII", k, 428)
    sub = block_size
    # kdump_sub_header: phys_base, dump_level, split, start_pfn, end_pfn,
    # offset_vmcoreinfo, size_vmcoreinfo, ...; max_mapnr_64 at the end (v6).
    off_vmci, size_vmci = struct.unpack_from("<qQ", k, sub + 8 + 4 + 4 + 8 + 8)
    header_version, = struct.unpack_from("<i", k, 8)
    if header_version >= 6:
        max_mapnr, = struct.unpack_from("<Q", k, sub + 8 + 4 + 4 + 8 * 10)
    bitmap_off = (1 + sub_hdr_size) * block_size
    half = bitmap_blocks * block_size // 2
    first = k[bitmap_off:bitmap_off + half]
    second = k[bitmap_off + half:bitmap_off + 2 * half]
    nbits = min(max_mapnr, half * 8)
    desc = bitmap_off + 2 * half
    pages = {}
    for pfn in bits(second, nbits):
        off, size, flags, _ = struct.unpack_from("<qIIQ", k, desc)
        desc += 24
        raw = k[off:off + size]
        if flags & 1:
            raw = zlib.decompress(raw)
        elif flags:
            sys.exit("%s: pfn %#x: compression flags %#x not supported here" % (src, pfn, flags))
        pages[pfn] = raw
    runs = []
    for pfn in bits(first, nbits):
        if runs and runs[-1][1] == pfn:
            runs[-1][1] = pfn + 1
        else:
            runs.append([pfn, pfn + 1])
    vmci = k[off_vmci:off_vmci + size_vmci]
    name = b"VMCOREINFO\0"
    note = struct.pack("<III", len(name), len(vmci), 0) + name + bytes(-len(name) % 4) + vmci + bytes(-len(vmci) % 4)
    phnum = 1 + len(runs)
    data_off = 64 + 56 * phnum
    phdrs = [struct.pack("<IIQQQQQQ", 4, 0, data_off, 0, 0, len(note), len(note), 4)]
    pos = (data_off + len(note) + block_size - 1) // block_size * block_size
    for start, end in runs:
        length = (end - start) * block_size
        phdrs.append(struct.pack("<IIQQQQQQ", 1, 7, pos, 0, start * block_size, length, length, block_size))
        pos += length
    machine = 62 if b"x86_64" in k[12:402] else 183
    ehdr = b"\x7fELF\x02\x01\x01" + bytes(9) + struct.pack("<HHIQQQIHHHHHH", 4, machine, 1, 0, 64, 0, 0, 64, 56,
                                                              phnum, 0, 0, 0)
    with open(dst, "wb") as f:
        f.write(ehdr + b"".join(phdrs) + note)
        for (start, end), ph in zip(runs, phdrs[1:]):
            f.seek(struct.unpack_from("<Q", ph, 8)[0])
            zero = bytes(block_size)
            for pfn in range(start, end):
                f.write(pages.get(pfn, zero))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
