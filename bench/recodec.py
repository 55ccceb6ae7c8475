#!/usr/bin/env python3
"""recodec.py IN OUT CODEC: rewrite a makedumpfile kdump-compressed dump
(flattened or not, little-endian LP64, zlib or raw pages) with every page
stored by CODEC (none, zlib, lzo, snappy or zstd), as a plain kdump file, so
that the benchmarks can compare the codecs on the same real memory (Debian's
makedumpfile 1.7.2 has no snappy or zstd, and refuses to refilter QEMU's
dumps).

From makedumpfile's documented layout (diskdump_mod.h), not from ptwalk's
readers: a disk_dump_header block (status at 424, block_size at 428), the
sub-header and bitmap blocks, which are kept as they are, then one 24-byte
page_desc {u64 offset, u32 size, u32 flags, u64 page_flags} per page set in
the 2nd bitmap, then the page data. As makedumpfile does, a page is stored
raw when the codec does not shrink it, and pages that shared one stored copy
(zero pages) still do. The codecs are called as makedumpfile calls them:
zlib compress2 level 1, lzo1x_1_compress, snappy_compress, ZSTD_compress
level 1, through ctypes from the shared libraries."""
import ctypes
import ctypes.util
import os
import struct
import sys
import zlib

# The flattened format is undone as the tests undo it.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))
from kdump_to_elf import unflatten  # noqa: E402

FLAGS = {"zlib": 0x1, "lzo": 0x2, "snappy": 0x4, "zstd": 0x20, "none": 0}


def lib(name):
    path = ctypes.util.find_library(name)
    if not path:
        sys.exit(f"recodec.py: no lib{name}")
    return ctypes.CDLL(path)


def compressor(codec):
    if codec == "none":
        return lambda page: page
    if codec == "zlib":
        return lambda page: zlib.compress(page, 1)
    if codec == "lzo":
        lzo = lib("lzo2")
        work = ctypes.create_string_buffer(1 << 17)  # LZO1X_1_MEM_COMPRESS is 64 KiB on LP64

        def lzo_page(page):
            out = ctypes.create_string_buffer(len(page) + len(page) // 16 + 64 + 3)
            n = ctypes.c_size_t(0)
            if lzo.lzo1x_1_compress(page, ctypes.c_size_t(len(page)), out, ctypes.byref(n), work) != 0:
                sys.exit("recodec.py: lzo1x_1_compress failed")
            return out.raw[:n.value]
        return lzo_page
    if codec == "snappy":
        snappy = lib("snappy")
        snappy.snappy_max_compressed_length.restype = ctypes.c_size_t

        def snappy_page(page):
            cap = snappy.snappy_max_compressed_length(ctypes.c_size_t(len(page)))
            out = ctypes.create_string_buffer(cap)
            n = ctypes.c_size_t(cap)
            if snappy.snappy_compress(page, ctypes.c_size_t(len(page)), out, ctypes.byref(n)) != 0:
                sys.exit("recodec.py: snappy_compress failed")
            return out.raw[:n.value]
        return snappy_page
    if codec == "zstd":
        zstd = lib("zstd")
        zstd.ZSTD_compressBound.restype = ctypes.c_size_t
        zstd.ZSTD_compress.restype = ctypes.c_size_t
        zstd.ZSTD_isError.argtypes = [ctypes.c_size_t]

        def zstd_page(page):
            cap = zstd.ZSTD_compressBound(ctypes.c_size_t(len(page)))
            out = ctypes.create_string_buffer(cap)
            n = zstd.ZSTD_compress(out, ctypes.c_size_t(cap), page, ctypes.c_size_t(len(page)), 1)
            if zstd.ZSTD_isError(n):
                sys.exit("recodec.py: ZSTD_compress failed")
            return out.raw[:n]
        return zstd_page
    sys.exit(f"recodec.py: unknown codec {codec} (none, zlib, lzo, snappy, zstd)")


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    src, dst, codec = sys.argv[1:]
    pack = compressor(codec)
    data = unflatten(open(src, "rb").read())
    if data[:8] != b"KDUMP   ":
        sys.exit("recodec.py: not a kdump-compressed file")
    block, sub_blocks, bitmap_blocks = struct.unpack_from("<III", data, 428)
    bitmap_bytes = bitmap_blocks * block // 2
    bitmap2 = data[block * (1 + sub_blocks) + bitmap_bytes:][:bitmap_bytes]
    ndescs = sum(bin(b).count("1") for b in bitmap2)
    desc_off = block * (1 + sub_blocks + bitmap_blocks)
    data_off = desc_off + ndescs * 24
    out = bytearray(data[:desc_off])
    struct.pack_into("<I", out, 424, (struct.unpack_from("<I", out, 424)[0] & ~0x27) | FLAGS[codec])
    descs = bytearray(ndescs * 24)
    body = bytearray()
    moved = {}
    for i in range(ndescs):
        offset, size, flags, page_flags = struct.unpack_from("<QIIQ", data, desc_off + i * 24)
        if offset not in moved:
            stored = data[offset:offset + size]
            if flags & 0x1:
                page = zlib.decompress(stored)
            elif flags & 0x26:
                sys.exit("recodec.py: only zlib or raw input pages")
            else:
                page = stored
            if len(page) != block:
                sys.exit(f"recodec.py: page {i} expands to {len(page)} bytes, not {block}")
            packed = pack(page)
            new_flags = FLAGS[codec]
            if codec == "none" or len(packed) >= block:
                packed, new_flags = page, 0
            moved[offset] = (data_off + len(body), len(packed), new_flags)
            body += packed
        new_offset, new_size, new_flags = moved[offset]
        struct.pack_into("<QIIQ", descs, i * 24, new_offset, new_size, new_flags, page_flags)
    with open(dst, "wb") as f:
        f.write(out)
        f.write(descs)
        f.write(body)


if __name__ == "__main__":
    main()
