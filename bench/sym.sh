#!/bin/bash
# bench/sym.sh: how long loading the dump's symbols takes (open, read and
# decode kallsyms, index the names, check _stext), on every sample dump: the
# Debian kernels' (50,000 and 94,000 symbols) are the issue's figure, under
# 20 ms for the decoding. Reported, never asserted. Per dump:
#   sym ms      `ptwalk sym DUMP _stext`: open + load symbols + one lookup
#   vtop ms     `ptwalk vtop DUMP 0x<_stext> --brief`: open + one walk, no
#               symbols (the floor every command pays)
#   symbols ms  the difference: what the symbols cost
#   info ms     `ptwalk info DUMP`, which probes kallsyms (count and
#               addresses) without decoding names
# and, where valgrind is installed, the instructions of the sym run.
#   bench/sym.sh [PTWALK]      (default: build/o2/ptwalk, else ./ptwalk)
# Environment: BENCH_RUNS (default 20): timed runs per figure, best kept.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
PTWALK=${1:-$SRC/build/o2/ptwalk}
[ -x "$PTWALK" ] || PTWALK=./ptwalk
[ -x "$PTWALK" ] || { echo "bench/sym.sh: no ptwalk (build one with -O2, pass its path)" >&2; exit 1; }
exec python3 - "$PTWALK" "$SRC" "${BENCH_RUNS:-20}" <<'PY'
import glob, json, os, shutil, subprocess, sys, tempfile, time
ptwalk, src, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
sys.path.insert(0, os.path.join(src, "bench"))
import timing

print("| dump | symbols | sym ms | vtop ms | symbols ms | info ms | sym instructions |")
print("|---|---|---|---|---|---|---|")
for truth in sorted(glob.glob(os.path.join(src, "testdata", "*", "truth.json"))):
    case = os.path.basename(os.path.dirname(truth))
    dump = os.path.join(os.path.dirname(truth), "vmcore.kdump-zlib.flat")
    if not os.path.exists(dump):
        continue
    stext = json.load(open(truth)).get("symbols", {}).get("_stext")
    if not stext:
        continue
    count = subprocess.run([ptwalk, "sym", dump, "--list"], stdout=subprocess.PIPE, check=True).stdout.count(b"\n")
    sym_ms = timing.best_ms([ptwalk, "sym", dump, "_stext"], runs)
    vtop_ms = timing.best_ms([ptwalk, "vtop", dump, stext, "--brief"], runs)
    info_ms = timing.best_ms([ptwalk, "info", dump], runs)
    ins = timing.instructions([ptwalk, "sym", dump, "_stext"])
    print("| %s | %d | %.1f | %.1f | %.1f | %.1f | %s |"
          % (case, count, sym_ms, vtop_ms, sym_ms - vtop_ms, info_ms, "{:,}".format(ins) if ins else "-"))
print("\nbest of %d runs each (wall clock); `%s sym DUMP _stext >/dev/null`" % (runs, os.path.relpath(ptwalk, src)))
PY
