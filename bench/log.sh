#!/bin/bash
# bench/log.sh: how long `ptwalk log` takes to print a dump's whole kernel
# log, on every sample dump (the Debian kernels' are the issue's figure:
# under 20 ms each). Reported, never asserted. For scale, the same for
# `ptwalk vtop DUMP _stext --brief` (open the dump, set up translation, one
# walk: the floor any command pays) and, where valgrind is installed, the
# instruction count of the log run.
#   bench/log.sh [PTWALK]      (default: build/o2/ptwalk, else ./ptwalk)
# Environment: BENCH_RUNS (default 20): timed runs per figure, best kept.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
PTWALK=${1:-$SRC/build/o2/ptwalk}
[ -x "$PTWALK" ] || PTWALK=./ptwalk
[ -x "$PTWALK" ] || { echo "bench/log.sh: no ptwalk (build one with -O2, pass its path)" >&2; exit 1; }
exec python3 - "$PTWALK" "$SRC" "${BENCH_RUNS:-20}" <<'PY'
import glob, json, os, shutil, subprocess, sys, tempfile, time
ptwalk, src, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
sys.path.insert(0, os.path.join(src, "bench"))
import timing

print("| dump | records | lines | log ms | vtop _stext ms | log instructions |")
print("|---|---|---|---|---|---|")
for truth in sorted(glob.glob(os.path.join(src, "testdata", "*", "truth.json"))):
    case = os.path.basename(os.path.dirname(truth))
    dump = os.path.join(os.path.dirname(truth), "vmcore.kdump-zlib.flat")
    if not os.path.exists(dump):
        continue
    stext = json.load(open(truth)).get("symbols", {}).get("_stext")
    lines = subprocess.run([ptwalk, "log", dump], stdout=subprocess.PIPE, check=True).stdout.count(b"\n")
    recs = subprocess.run([ptwalk, "log", dump, "--json"], stdout=subprocess.PIPE, check=True).stdout.count(b"\n")
    log_ms = timing.best_ms([ptwalk, "log", dump], runs)
    vtop_ms = timing.best_ms([ptwalk, "vtop", dump, stext, "--brief"], runs) if stext else float("nan")
    ins = timing.instructions([ptwalk, "log", dump])
    print("| %s/vmcore.kdump-zlib.flat | %d | %d | %.1f | %.1f | %s |"
          % (case, recs, lines, log_ms, vtop_ms, "{:,}".format(ins) if ins else "-"))
print("\nbest of %d runs each; `%s log DUMP >/dev/null`" % (runs, os.path.relpath(ptwalk, src)))
PY
