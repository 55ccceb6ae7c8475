#!/usr/bin/env python3
"""check-truth.py CASE_DIR [ELF]: cross-check a truth.json against its ELF dump.

Checks (standard library only; ELF may be the raw dump or vmcore.elf.xz):
  - every memory_samples entry equals the ELF's bytes at that physical address;
  - every mapped user fact in a touched page holds the documented pattern
    (u64 at VA v = v ^ 0x5054574b5054574b) at its physical address;
  - arm64: TCR_EL1.T1SZ == 64 - vabits_actual on every vCPU, and TTBR1's
    base address is the physical address of swapper_pg_dir (plus 0x1e00
    for a 64K/52 kernel running at 48 bits);
  - x86_64: CR4.LA57 agrees with "levels".
Prints a summary; exits 1 on any mismatch.
"""
import json
import lzma
import os
import struct
import sys

PATTERN = 0x5054574B5054574B


class Elf:
    def __init__(self, path):
        if path.endswith(".xz"):
            self.data = lzma.open(path).read()
        else:
            self.data = open(path, "rb").read()
        d = self.data
        phoff, = struct.unpack_from("<Q", d, 32)
        phentsize, phnum = struct.unpack_from("<HH", d, 54)
        self.loads = []
        for i in range(phnum):
            t, _f, off, _va, pa, fs, _ms, _al = struct.unpack_from("<IIQQQQQQ", d, phoff + i * phentsize)
            if t == 1:
                self.loads.append((pa, fs, off))

    def read(self, pa, n):
        for base, size, off in self.loads:
            if base <= pa and pa + n <= base + size:
                return self.data[off + pa - base: off + pa - base + n]
        return None


def main():
    case = sys.argv[1]
    t = json.load(open(os.path.join(case, "truth.json")))
    elf = sys.argv[2] if len(sys.argv) > 2 else os.path.join(case, "vmcore.elf.xz")
    e = Elf(elf)
    bad, ok = [], 0
    for s in t["memory_samples"]:
        got = e.read(int(s["pa"], 16), len(s["hex"]) // 2)
        if got is None or got.hex() != s["hex"]:
            bad.append("memory sample %s differs" % s["pa"])
        else:
            ok += 1
    for p in t["processes"]:
        regions = []
        for r in p["regions"]:
            regions.append((int(r["va"], 16), r["size"], r["touched_pages"]))
        ps = t["page_size"]
        for f in p["facts"]:
            if not f["pa"]:
                continue
            va, pa = int(f["va"], 16), int(f["pa"], 16)
            for rva, size, touched in regions:
                if rva <= va < rva + size:
                    if touched != "all" and (va - rva) // ps not in touched:
                        bad.append("pid %d: untouched page %s is mapped" % (p["pid"], f["va"]))
                        break
                    w = e.read(pa & ~7, 8)
                    want = ((va & ~7) ^ PATTERN) & 0xFFFFFFFFFFFFFFFF
                    if w is None or struct.unpack("<Q", w)[0] != want:
                        bad.append("pid %d: pattern mismatch at %s" % (p["pid"], f["va"]))
                    else:
                        ok += 1
                    break
    kf = {f["what"]: f for f in t["kernel_facts"]}
    if t["arch"] == "arm64":
        for r in t["registers"]:
            tcr = int(r["TCR_EL1"], 16)
            if 64 - ((tcr >> 16) & 0x3F) != t["vabits_actual"]:
                bad.append("cpu %d: T1SZ disagrees with vabits_actual" % r["cpu"])
            ttbr1 = int(r["TTBR1_EL1"], 16) & ((1 << 48) - 1)
            if t["page_size"] == 65536 and t["pa_bits"] == 52:
                # 64K LPA: TTBR BADDR[51:48] sit in bits [5:2]
                ttbr1 = (ttbr1 & ~0x3F) | ((ttbr1 & 0x3C) << 46)
            elif t["va_bits"] == 52 and t["page_size"] == 4096 and t["vabits_actual"] == 52:
                ttbr1 = (ttbr1 & ~0x3F) | ((ttbr1 & 0x3C) << 46)
            ttbr1 &= ~1  # CnP
            sw = kf.get("swapper_pg_dir")
            if sw and sw["pa"]:
                swpa = int(sw["pa"], 16)
                if ttbr1 not in (swpa, swpa + 0x1E00):
                    bad.append("cpu %d: TTBR1 base 0x%x vs swapper_pg_dir pa 0x%x" % (r["cpu"], ttbr1, swpa))
                else:
                    ok += 1
    else:
        for r in t["registers"]:
            la57 = bool(int(r["CR4"], 16) & (1 << 12))
            if la57 != (t["levels"] == 5):
                bad.append("cpu %d: CR4.LA57 disagrees with levels" % r["cpu"])
            else:
                ok += 1
    print("%s: %d checks passed, %d failed" % (t["case"], ok, len(bad)))
    for b in bad:
        print("  " + b)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
