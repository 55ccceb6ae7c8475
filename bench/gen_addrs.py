#!/usr/bin/env python3
"""Writes N kernel virtual addresses for the batch-vtop benchmark, one 0x-hex
address a line, from a fixed seed: 40% linear map, 20% kernel image, 15%
vmalloc, 10% modules, 10% vmemmap (each drawn from what the kernel's tables
map there, at random 8-byte-aligned offsets), and 5% from the holes between
mappings.
    gen_addrs.py PTWALK DUMP N SEED > addresses
Which ranges are mapped comes from `ptwalk maps --json`: the benchmark needs
a realistic mix, not truth, so using ptwalk's own listing here is fine.
Mappings of physical memory the dump does not hold (device memory such as a
PCIe ECAM window ioremapped into vmalloc, often hundreds of MiB) are left out
of the pools: drawn by size they would crowd out the real vmalloc pages.
A region with no such mapping (e.g. modules on a kernel that loaded none) is
drawn from all mappings instead; a summary of the pools goes to stderr."""
import json
import random
import subprocess
import sys

WEIGHTS = [("linear map", 40), ("kernel image", 20), ("vmalloc", 15), ("modules", 10),
           ("vmemmap", 10), ("unmapped", 5)]


def dump_memory(ptwalk, dump):
    """The physical ranges the dump holds, from `ptwalk info --json`."""
    out = subprocess.run([ptwalk, "info", dump, "--json", "-q"], capture_output=True, text=True)
    info = json.loads(out.stdout)
    return [(int(r["start"], 16), int(r["end"], 16)) for r in info["memory"]["ranges"]]


def in_memory(memory, pa, size):
    return any(s <= pa and pa + size <= e for s, e in memory)


def main():
    ptwalk, dump, n, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    rng = random.Random(seed)
    memory = dump_memory(ptwalk, dump)
    out = subprocess.run([ptwalk, "maps", dump, "--kernel", "--json", "-q"],
                         capture_output=True, text=True)
    mapped, holes = {}, []
    prev_end = None
    device = 0
    for line in out.stdout.splitlines():
        r = json.loads(line)
        if r.get("gap") or r.get("bad"):
            continue
        start, end = int(r["start"], 16), int(r["end"], 16)
        if prev_end is not None and start > prev_end:
            holes.append((prev_end, start))
        prev_end = end
        if "pa" in r and not in_memory(memory, int(r["pa"], 16), end - start):
            device += 1
            continue
        region = r.get("region") or "other"
        if region.startswith("kernel"):
            region = "kernel image"
        if region == "direct map":  # x86-64's name for the linear map
            region = "linear map"
        mapped.setdefault(region, []).append((start, end))
    if not mapped:
        sys.exit("gen_addrs: `ptwalk maps` listed nothing: %s" % out.stderr.strip())
    every = [r for name, rs in mapped.items() for r in rs]
    pools, notes = {}, []
    for name, _ in WEIGHTS:
        if name == "unmapped":
            pools[name] = holes or every
            if not holes:
                notes.append("unmapped: no holes, drawn from all mappings")
        elif mapped.get(name):
            pools[name] = mapped[name]
        else:
            pools[name] = every
            notes.append("%s: nothing mapped, drawn from all mappings" % name)
    sys.stderr.write("gen_addrs: %s; %d mappings of memory outside the dump left out%s\n" % (
        ", ".join("%s %d ranges" % (k, len(v)) for k, v in mapped.items()), device,
        "; " + "; ".join(notes) if notes else ""))
    names = [name for name, _ in WEIGHTS]
    weights = [w for _, w in WEIGHTS]
    # Weight ranges by size inside a pool, so big mappings get more addresses.
    cumulative = {}
    for name, ranges in pools.items():
        total, acc = 0, []
        for s, e in ranges:
            total += e - s
            acc.append(total)
        cumulative[name] = (acc, total)
    w = sys.stdout.write
    for _ in range(n):
        name = rng.choices(names, weights)[0]
        acc, total = cumulative[name]
        x = rng.randrange(total)
        lo, hi = 0, len(acc) - 1
        while lo < hi:
            mid = (lo + hi) // 2
            if acc[mid] > x:
                hi = mid
            else:
                lo = mid + 1
        s, e = pools[name][lo]
        w("0x%x\n" % ((s + (x - (acc[lo - 1] if lo else 0))) & ~7))


if __name__ == "__main__":
    main()
