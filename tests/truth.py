#!/usr/bin/env python3
"""Checks ptwalk against the truth recorded for the real sample dumps.

Truth comes from outside ptwalk: the kernel's config, QEMU's monitor
(gva2gpa, xp), the gdbstub's registers, and what the writing tool was told
(testdata/make-dumps). Usage:

    tests/truth.py info        `info --json` on every committed dump file
    tests/truth.py maps        `maps --json` of the kernel table (and of each
                               test process's table) covers every gva2gpa fact
    tests/truth.py check       `check` is clean on every file of every case
                               (a finding there must be explained here)

Each check prints "ok - ..." or "not ok - ..."; the run ends with the line
"N passed, N failed" and exits non-zero on any failure. ELF dumps are stored
xz-compressed (vmcore.elf.xz) and decompressed once into
$top_builddir/testdata-cache.
"""
import glob
import json
import lzma
import os
import shutil
import subprocess
import sys

TOP_SRCDIR = os.environ.get("top_srcdir", os.path.join(os.path.dirname(__file__), ".."))
TOP_BUILDDIR = os.environ.get("top_builddir", ".")
PTWALK = os.path.join(TOP_BUILDDIR, "ptwalk")
CACHE = os.path.join(TOP_BUILDDIR, "testdata-cache")


class Report:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, cond, what, detail=""):
        if cond:
            self.passed += 1
            print("ok - " + what)
        else:
            self.failed += 1
            print("not ok - %s%s" % (what, (": " + detail) if detail else ""))

    def finish(self):
        print("%d passed, %d failed" % (self.passed, self.failed))
        return 1 if self.failed else 0


def cases():
    """Every (case directory, truth) pair under testdata/."""
    for path in sorted(glob.glob(os.path.join(TOP_SRCDIR, "testdata", "*", "truth.json"))):
        with open(path) as f:
            yield os.path.dirname(path), json.load(f)


def dump_path(case_dir, entry):
    """The readable file for a truth 'files' entry, decompressing .xz once."""
    path = os.path.join(case_dir, entry["name"])
    if not os.path.exists(path):
        return None
    if entry.get("stored") != "xz" and not path.endswith(".xz"):
        return path
    out = os.path.join(CACHE, os.path.basename(case_dir), entry["name"][:-3])
    if not os.path.exists(out) or os.path.getmtime(out) < os.path.getmtime(path):
        os.makedirs(os.path.dirname(out), exist_ok=True)
        # Several tests may decompress at once (make -j check): each writes
        # its own temporary file and renames it into place atomically.
        tmp = "%s.tmp.%d" % (out, os.getpid())
        with lzma.open(path) as src, open(tmp, "wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
        os.replace(tmp, out)
    return out


def ptwalk_json(*args):
    r = subprocess.run([PTWALK] + list(args), capture_output=True, text=True)
    if r.returncode != 0:
        return None, r.stderr.strip()
    try:
        return json.loads(r.stdout), None
    except ValueError as e:
        return None, "bad JSON: %s" % e


def hexnum(s):
    return None if s is None else int(s, 16)


def check_info(rep):
    for case_dir, truth in cases():
        name = truth["case"]
        for entry in truth.get("files", []):
            path = dump_path(case_dir, entry)
            what = "%s/%s" % (name, entry["name"])
            if path is None:
                rep.check(False, what + " exists")
                continue
            info, err = ptwalk_json("info", path, "--json")
            rep.check(info is not None, what + ": info --json runs", err or "")
            if info is None:
                continue
            rep.check(info["format"] == entry["format"], what + ": format",
                      "%s != %s" % (info["format"], entry["format"]))
            want_comp = sorted(entry.get("compression", []))
            rep.check(sorted(info["compression"]) == want_comp, what + ": compression",
                      "%s != %s" % (info["compression"], want_comp))
            rep.check(info["arch"] == truth["arch"], what + ": arch",
                      "%s != %s" % (info["arch"], truth["arch"]))
            rep.check(info["osrelease"] == truth["kernel"]["release"], what + ": osrelease",
                      "%s != %s" % (info["osrelease"], truth["kernel"]["release"]))
            rep.check(info["page_size"] == truth["page_size"], what + ": page_size",
                      "%s != %s" % (info["page_size"], truth["page_size"]))
            if entry.get("dump_level") is not None:
                rep.check(info["dump_level"] == entry["dump_level"], what + ": dump_level",
                          "%s != %s" % (info["dump_level"], entry["dump_level"]))
            if "block_size" in entry:
                rep.check(info["block_size"] == entry["block_size"], what + ": block_size",
                          "%s != %s" % (info["block_size"], entry["block_size"]))
            ram = truth["qemu"]["ram_mib"] << 20
            present = info["memory"]["pages_present"] * info["page_size"]
            spanned = sum(hexnum(r["end"]) - hexnum(r["start"]) for r in info["memory"]["ranges"])
            # arm64 -M virt dumps hold exactly the RAM; QEMU's x86 dumps also
            # hold the VGA VRAM and the BIOS ROM (guest memory, but not RAM).
            if truth["arch"] == "arm64":
                rep.check(spanned == ram, what + ": memory ranges span the guest's RAM",
                          "%#x != %#x" % (spanned, ram))
            else:
                rep.check(ram <= spanned <= ram + (32 << 20),
                          what + ": memory ranges span the guest's RAM (and video/ROM)",
                          "%#x vs RAM %#x" % (spanned, ram))
            if entry.get("filtered"):
                rep.check(0 < present < ram, what + ": filtered dump has some pages excluded",
                          "present %#x" % present)
            else:
                rep.check(present == spanned, what + ": every page present",
                          "%#x != %#x" % (present, spanned))
            # QEMU writes one NT_PRSTATUS per vCPU; makedumpfile copies them.
            cpus = entry.get("cpus", truth["qemu"]["smp"])
            rep.check(info["cpus"] == cpus, what + ": cpus", "%s != %s" % (info["cpus"], cpus))
            x = info.get("translation")
            if truth["arch"] in ("arm64", "x86_64"):
                rep.check(x is not None, what + ": translation known")
            if x is None:
                continue
            for key in ("va_bits", "vabits_actual", "pa_bits", "levels"):
                rep.check(x[key] == truth[key], "%s: translation.%s" % (what, key),
                          "%s != %s" % (x[key], truth[key]))
            rep.check(x["granule"] == truth["page_size"], what + ": translation.granule")
            if truth.get("kaslr_offset") is not None:
                rep.check(hexnum(x["kaslr_offset"]) == hexnum(truth["kaslr_offset"]),
                          what + ": translation.kaslr_offset",
                          "%s != %s" % (x["kaslr_offset"], truth["kaslr_offset"]))


def ptwalk_lines(*args):
    r = subprocess.run([PTWALK] + list(args), capture_output=True, text=True)
    if r.returncode != 0:
        return None, r.stderr.strip()
    try:
        return [json.loads(l) for l in r.stdout.splitlines()], None
    except ValueError as e:
        return None, "bad JSON: %s" % e


def check_ranges(rep, what, recs, facts):
    """Ranges sorted and disjoint; each mapped fact in exactly one range with
    the right PA; each unmapped fact in none."""
    # An alias record maps its range as the listing of its table's first
    # reference does: follow it there (a few times at most: aliases nest
    # only as deep as the tree).
    ranges = [(hexnum(r["start"]), hexnum(r["end"]) or (1 << 64),
               hexnum(r["first_va"]) if r.get("alias") else hexnum(r["pa"]),
               r["size"] // r["entries"] if r.get("alias") else 0)
              for r in recs if not r.get("gap") and not r.get("bad")]
    ordered = all(a[1] <= b[0] for a, b in zip(ranges, ranges[1:]))
    rep.check(ordered and all(s < e for s, e, _, _ in ranges), what + ": ranges sorted and disjoint")
    import bisect
    starts = [r[0] for r in ranges]
    bad = []

    def lookup(va):
        for _ in range(6):
            i = bisect.bisect_right(starts, va) - 1
            hit = ranges[i] if i >= 0 and ranges[i][0] <= va < ranges[i][1] else None
            if not hit or not hit[3]:
                return va, hit
            va = hit[2] + (va - hit[0]) % hit[3]  # each entry of a run maps like the first
        return va, None

    for f in facts:
        va, pa = hexnum(f["va"]), hexnum(f.get("pa"))
        va, hit = lookup(va)
        if pa is None:
            if hit:
                bad.append("%#x: unmapped per QEMU, in range %#x-%#x" % (va, hit[0], hit[1]))
        elif not hit:
            bad.append("%#x: mapped per QEMU (pa %#x), in no range" % (va, pa))
        elif hit[2] + (va - hit[0]) != pa:
            bad.append("%#x: pa %#x, QEMU says %#x" % (va, hit[2] + (va - hit[0]), pa))
    rep.check(not bad, "%s: %d gva2gpa facts against the ranges" % (what, len(facts)),
              "; ".join(bad[:5]))


def elf_file(case_dir, truth):
    """The case's uncompressed-format dump: ELF if there, else the first file."""
    files = truth.get("files", [])
    for entry in files:
        if entry["format"].startswith("elf"):
            return dump_path(case_dir, entry)
    return dump_path(case_dir, files[0]) if files else None


def check_maps(rep):
    for case_dir, truth in cases():
        name = truth["case"]
        path = elf_file(case_dir, truth)
        if path is None or truth["arch"] not in ("arm64", "x86_64"):
            continue
        recs, err = ptwalk_lines("maps", path, "--json", "-q")
        rep.check(recs is not None, name + ": maps --json runs", err or "")
        if recs is None:
            continue
        facts = [f for f in truth.get("kernel_facts", []) if hexnum(f["va"]) >> 63]
        check_ranges(rep, name + " kernel table", recs, facts)
        # layout: regions in order, disjoint, and the symbols QEMU found
        # mapped lie in the kernel image.
        lay, err = ptwalk_json("layout", path, "--json")
        rep.check(lay is not None, name + ": layout --json runs", err or "")
        if lay is not None:
            regs = [(hexnum(r["start"]), hexnum(r["end"]) or (1 << 64), r["name"]) for r in lay["regions"]]
            rep.check(all(a[1] <= b[0] for a, b in zip(regs, regs[1:])) and all(s < e for s, e, _ in regs),
                      name + ": layout regions sorted and disjoint",
                      "; ".join("%#x-%#x %s" % r for r in regs))
            # arm64 memory.rst's "kernel image", x86-64 mm.rst's "kernel text"
            image = [r for r in regs if r[2] in ("kernel image", "kernel text")]
            syms = [hexnum(f["va"]) for f in facts if f["what"] in ("_text", "_stext", "_etext")]
            rep.check(image and all(any(s <= v < e for s, e, _ in image) for v in syms),
                      name + ": _text/_stext/_etext lie in the kernel image region")
            if truth["arch"] == "x86_64":
                check_x86_bases(rep, name, path, truth, regs)
        for proc in truth.get("processes", []):
            root = proc.get("ttbr0") or proc.get("cr3")
            if not root or not proc.get("facts"):
                continue
            recs, err = ptwalk_lines("maps", path, "--json", "-q", "--pgd", root)
            what = "%s pid %s user table" % (name, proc.get("pid"))
            rep.check(recs is not None, what + ": maps --json --pgd runs", err or "")
            if recs is not None:
                check_ranges(rep, what, recs, proc["facts"])


def read_u64(path, va):
    r = subprocess.run([PTWALK, "read", path, "%#x" % va, "8", "--raw"], capture_output=True)
    return int.from_bytes(r.stdout, "little") if r.returncode == 0 and len(r.stdout) == 8 else None


def check_x86_bases(rep, name, path, truth, regs):
    """x86-64 KASLR moves the direct map, vmalloc and vmemmap (kaslr.c) and
    VMCOREINFO names none of them: the layout's starts must be the values of
    page_offset_base, vmalloc_base and vmemmap_base, read at the addresses
    the guest's /proc/kallsyms gave."""
    for var, region in (("page_offset_base", "direct map"), ("vmalloc_base", "vmalloc"),
                        ("vmemmap_base", "vmemmap")):
        addr = truth.get("symbols", {}).get(var)
        if addr is None:
            continue
        want = read_u64(path, hexnum(addr))
        got = [s for s, _, n in regs if n == region]
        rep.check(want is not None and got == [want], "%s: layout %s starts at %s" % (name, region, var),
                  "layout %s, variable %s" % ([hex(g) for g in got], want and hex(want)))


# Findings a real dump is known to have, with the reason: (case, kind) or
# (case, kind, pa) -> why.
EXPLAINED_FINDINGS = {
    ("x86_64-small612", "outside-memory", "0xfed00000"):
        "QEMU's DSDT reads the HPET's vendor ID through an OperationRegion at "
        "0xfed00000; ACPICA maps it with acpi_os_ioremap() = ioremap_cache() "
        "(include/acpi/acpi_io.h), write-back, and keeps the mapping",
}


def check_check(rep):
    for case_dir, truth in cases():
        if truth["arch"] not in ("arm64", "x86_64"):
            continue
        for entry in truth.get("files", []):
            path = dump_path(case_dir, entry)
            what = "%s/%s" % (truth["case"], entry["name"])
            if path is None:
                continue
            r = subprocess.run([PTWALK, "check", path, "--json", "-q"], capture_output=True, text=True)
            findings = [json.loads(l) for l in r.stdout.splitlines()]
            unexplained = [f for f in findings if (truth["case"], f["kind"]) not in EXPLAINED_FINDINGS and
                           (truth["case"], f["kind"], f.get("pa")) not in EXPLAINED_FINDINGS]
            rep.check(r.returncode in (0, 3) and not unexplained, what + ": check is clean",
                      "exit %d; %s" % (r.returncode, r.stderr.strip() or unexplained[:3]))


def main():
    if len(sys.argv) != 2 or sys.argv[1] not in ("info", "maps", "check"):
        print(__doc__)
        return 2
    rep = Report()
    if not list(cases()):
        # A release tarball carries no sample dumps: skip, and say so.
        print("# SKIP: no testdata/*/truth.json under %s" % TOP_SRCDIR)
        return 77
    {"info": check_info, "maps": check_maps, "check": check_check}[sys.argv[1]](rep)
    return rep.finish()


if __name__ == "__main__":
    sys.exit(main())
