#!/bin/bash
# bench/types.sh: how long getting the kernel's types takes, on every sample
# dump whose kernel carries BTF (the Debian 6.1 ones; the issue's target is
# under 20 ms for loading BTF). Reported, never asserted. Per dump:
#   load ms    `types-query DUMP task_struct`: open + find the BTF in the
#              image + read it + libbpf parse + one query
#   floor ms   `ptwalk vtop DUMP 0x<_stext> --brief`: open + one walk
#   parse ms   `types-query DUMP --btf SAVED task_struct` minus the floor:
#              libbpf on the same bytes from a file (no dump reading)
#   types ms   load - floor: what the types cost a command
#   info ms    `ptwalk info DUMP` (finds the BTF header, does not parse)
# and the cost of struct page in vtop: 200,000 random linear-map addresses
# through `vtop - --json` with and without it (--set 'SIZE(page)=0').
#   bench/types.sh BUILDDIR      (a configured build with ptwalk and tests/types-query)
#
#   bench/types.sh BUILDDIR formats [BEFORE_BUILDDIR]
# loads the BTF (`types-query DUMP task_struct`) from each Debian dump in
# every format: the flattened zlib file as QEMU wrote it, and copies made
# in a temporary directory: kdump with zlib, lzo, snappy, zstd and raw pages
# (bench/recodec.py) and ELF (tests/kdump_to_elf.py). Per format: the CPU
# time (user + system, from wait4, mean of BENCH_RUNS runs, the figure the
# issue's 20 ms target is about), its system part, and, with valgrind, the
# instructions (callgrind, which the machine's load does not move); with
# BEFORE_BUILDDIR, the same for that build beside.
# Environment: BENCH_RUNS (default 10): timed runs per figure, best kept
# (formats: the mean).
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
B=${1:-$SRC/build/dev}
[ -x "$B/ptwalk" ] && [ -x "$B/tests/types-query" ] ||
	{ echo "bench/types.sh: no $B/ptwalk or $B/tests/types-query (make check builds it)" >&2; exit 1; }
if [ "${2:-}" = formats ]; then
	exec python3 - "$B" "$SRC" "${BENCH_RUNS:-10}" "${3:-}" <<'PY'
import glob, os, re, shutil, subprocess, sys, tempfile
b, src, runs, before = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
builds = [("before", before), ("after", b)] if before else [("", b)]
for _, d in builds:
    if not os.access(os.path.join(d, "tests", "types-query"), os.X_OK):
        sys.exit(f"bench/types.sh: no {d}/tests/types-query")
valgrind = shutil.which("valgrind")

def cpu_ms(args):
    """Mean user+system and system CPU ms of the command over the runs."""
    total = system = 0.0
    for _ in range(runs):
        p = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, ru = os.wait4(p.pid, 0)
        if status != 0:
            sys.exit(f"bench/types.sh: {' '.join(args)} failed")
        total += (ru.ru_utime + ru.ru_stime) * 1000
        system += ru.ru_stime * 1000
    return total / runs, system / runs

def instructions(args):
    if not valgrind:
        return None
    with tempfile.NamedTemporaryFile() as out:
        p = subprocess.run([valgrind, "--tool=callgrind", f"--callgrind-out-file={out.name}"] + args,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        m = re.search(r"Collected : (\d+)", p.stderr)
        return int(m.group(1)) if m else None

def query(d):
    # libtool's wrapper script would be measured too: run the real binary.
    real = os.path.join(d, "tests", ".libs", "types-query")
    return real if os.access(real, os.X_OK) else os.path.join(d, "tests", "types-query")

tmp = tempfile.mkdtemp(prefix="ptw-types-formats-")
head = "| dump | format |"
rule = "|---|---|"
for name, _ in builds:
    tag = f" {name}" if name else ""
    head += f" CPU ms{tag} | sys ms{tag} | Ir{tag} |"
    rule += "---|---|---|"
print(head)
print(rule)
for case in ("x86_64-deb61-4l", "arm64-deb61-4k48"):
    flat = os.path.join(src, "testdata", case, "vmcore.kdump-zlib.flat")
    if not os.path.exists(flat):
        continue
    files = [("kdump-zlib flattened (QEMU's file)", flat)]
    for codec in ("zlib", "lzo", "snappy", "zstd", "none"):
        out = os.path.join(tmp, f"{case}.kdump-{codec}")
        subprocess.run([sys.executable, os.path.join(src, "bench", "recodec.py"), flat, out, codec], check=True)
        files.append((f"kdump-{codec}" if codec != "none" else "kdump raw pages", out))
    elf = os.path.join(tmp, f"{case}.elf")
    subprocess.run([sys.executable, os.path.join(src, "tests", "kdump_to_elf.py"), flat, elf], check=True)
    files.append(("ELF", elf))
    for label, path in files:
        row = f"| {case} | {label} |"
        for _, d in builds:
            args = [query(d), path, "task_struct"]
            total, system = cpu_ms(args)
            ir = instructions(args)
            row += f" {total:.1f} | {system:.1f} | {ir:,} |" if ir else f" {total:.1f} | {system:.1f} | - |"
        print(row, flush=True)
    for _, path in files[1:]:
        os.unlink(path)
shutil.rmtree(tmp)
PY
fi
exec python3 - "$B" "$SRC" "${BENCH_RUNS:-10}" <<'PY'
import glob, json, os, random, subprocess, sys, tempfile, time
b, src, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
ptwalk, query = os.path.join(b, "ptwalk"), os.path.join(b, "tests", "types-query")

def best_ms(args, stdin=None):
    best = None
    for _ in range(runs):
        f = open(stdin) if stdin else None
        t = time.perf_counter()
        subprocess.run(args, stdin=f, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        d = (time.perf_counter() - t) * 1000
        best = d if best is None or d < best else best
    return best

print("| dump | BTF bytes | load ms | floor ms | types ms | parse ms | info ms |")
print("|---|---|---|---|---|---|---|")
tmp = tempfile.mkdtemp()
for truth in sorted(glob.glob(os.path.join(src, "testdata", "*", "truth.json"))):
    case = os.path.basename(os.path.dirname(truth))
    dump = os.path.join(os.path.dirname(truth), "vmcore.kdump-zlib.flat")
    if not os.path.exists(dump):
        continue
    saved = os.path.join(tmp, case + ".btf")
    p = subprocess.run([query, dump, "--save-btf", saved, "task_struct"], capture_output=True, text=True)
    if p.returncode != 0:
        continue
    size = os.path.getsize(saved)
    t = json.load(open(truth))
    stext = t["symbols"]["_stext"]
    load = best_ms([query, dump, "task_struct"])
    floor = best_ms([ptwalk, "vtop", dump, stext, "--brief"])
    parse = best_ms([query, dump, "--btf", saved, "task_struct"]) - floor
    info = best_ms([ptwalk, "info", dump])
    print(f"| {case} | {size} | {load:.1f} | {floor:.1f} | {load - floor:.1f} | {parse:.1f} | {info:.1f} |")

dump = os.path.join(src, "testdata", "arm64-deb61-4k48", "vmcore.kdump-zlib.flat")
if os.path.exists(dump):
    addrs = os.path.join(tmp, "addrs")
    rnd = random.Random(1)
    with open(addrs, "w") as f:
        for _ in range(200000):
            f.write("%#x\n" % (0xffff000000000000 + rnd.randrange(0, 0x10000000)))
    with_page = best_ms([ptwalk, "vtop", dump, "-", "--json", "-q"], addrs)
    without = best_ms([ptwalk, "vtop", dump, "-", "--json", "-q", "--set", "SIZE(page)=0"], addrs)
    print()
    print(f"vtop --json, 200,000 linear-map addresses of arm64-deb61-4k48: {with_page:.0f} ms with struct page, "
          f"{without:.0f} ms without ({with_page / without:.2f}x)")
PY
