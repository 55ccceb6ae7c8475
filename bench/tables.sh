#!/bin/bash
# bench/tables.sh: `maps`, `maps --json` and `check` on the largest sample
# dumps (issue 15: listing each table once must cost no more than walking
# it), for one ptwalk or side by side with an older build. Reported, never
# asserted: best wall time of BENCH_RUNS runs, peak RSS (/usr/bin/time) and,
# where valgrind is installed, the instruction count (callgrind), which does
# not move with the machine's load.
#   bench/tables.sh [PTWALK [BEFORE_PTWALK]]   (default: build/o2/ptwalk, else ./ptwalk)
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
NEW=${1:-$SRC/build/o2/ptwalk}
[ -x "$NEW" ] || NEW=./ptwalk
[ -x "$NEW" ] || { echo "bench/tables.sh: no ptwalk (build one with -O2, pass its path)" >&2; exit 1; }
exec python3 - "$SRC" "${BENCH_RUNS:-5}" "$NEW" ${2:+"$2"} <<'PY'
import os, re, shutil, subprocess, sys, tempfile, time
src, runs, bins = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
dumps = ["x86_64-deb61-5l", "x86_64-deb61-4l", "arm64-deb61-4k48"]
print("| dump | command | ptwalk | best wall (ms) | max RSS (KB) | instructions |")
print("|---|---|---|---|---|---|")
for d in dumps:
    path = os.path.join(src, "testdata", d, "vmcore.kdump-zlib.flat")
    if not os.path.exists(path):
        continue
    for cmd in (["maps"], ["maps", "--json"], ["check"]):
        for b in bins:
            args = [b] + cmd + [path]
            best, rss = None, 0
            for _ in range(runs):
                t = time.perf_counter()
                r = subprocess.run(["/usr/bin/time", "-f", "%M"] + args, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE, text=True)
                ms = (time.perf_counter() - t) * 1000
                best = ms if best is None or ms < best else best
                rss = max(rss, int(r.stderr.strip().splitlines()[-1]))
            ir = "-"
            if shutil.which("valgrind"):
                with tempfile.TemporaryDirectory() as tmp:
                    r = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + tmp + "/cg"] + args,
                                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
                    m = re.search(r"Collected : (\d+)", r.stderr)
                    ir = "{:,}".format(int(m.group(1))) if m else "-"
            print("| %s | %s | %s | %.1f | %d | %s |" % (d, " ".join(cmd), b, best, rss, ir))
PY
