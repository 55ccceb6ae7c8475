#!/usr/bin/env python3
"""bench/before_after.py BASE_BUILD NEW_BUILD: two builds of ptwalk (each a
build directory holding ptwalk and tests/types-query, e.g. one of an older
commit from `git archive`), compared on the Debian 6.1 dumps in the same
run: per command, callgrind's instruction count (which a busy machine does
not move), the mean CPU time of RUNS runs (perf stat task-clock) and the
best wall time of RUNS runs. Reported, never asserted.
  RUNS=10 python3 bench/before_after.py /tmp/base/build/o2 build/o2
Needs valgrind and perf."""
import json, os, subprocess, sys, tempfile, time
base, new = sys.argv[1], sys.argv[2]
src = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
runs = int(os.environ.get("RUNS", "10"))
def ir(args):
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "cg")
        subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out] + args,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for line in open(out):
            if line.startswith("summary:"):
                return int(line.split()[1])
def cpu_wall(args):
    # perf stat task-clock mean, and best wall, over runs
    p = subprocess.run(["perf", "stat", "-r", str(runs), "-x,", "-e", "task-clock"] + args,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    cpu = float([l for l in p.stderr.splitlines() if "task-clock" in l][0].split(",")[0])
    best = 1e9
    for _ in range(runs):
        t = time.perf_counter(); subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        best = min(best, time.perf_counter() - t)
    return cpu, best * 1000
print("| dump | command | Ir before | Ir after | CPU ms before | CPU ms after | best wall ms before | best wall ms after |")
print("|---|---|---|---|---|---|---|---|")
for case in ["x86_64-deb61-4l", "x86_64-deb61-5l", "arm64-deb61-4k48"]:
    dump = os.path.join(src, "testdata", case, "vmcore.kdump-zlib.flat")
    t = json.load(open(os.path.join(src, "testdata", case, "truth.json")))
    stext = t["symbols"]["_stext"]
    pid = str(t["processes"][0]["pid"])
    cmds = [("vtop %s --brief (floor)" % "_stext-addr", ["ptwalk", "vtop", dump, stext, "--brief"]),
            ("vtop _stext+0x123456 (names it)", ["ptwalk", "vtop", dump, "%#x" % (int(stext, 16) + 0x123456)]),
            ("info", ["ptwalk", "info", dump]),
            ("sym _stext (all kallsyms)", ["ptwalk", "sym", dump, "_stext"]),
            ("types-query task_struct (BTF)", ["tests/types-query", dump, "task_struct"]),
            ("ps", ["ptwalk", "ps", dump, "-q"]),
            ("gcore --pid %s" % pid, ["ptwalk", "gcore", dump, "--pid", pid, "-o", "/tmp/speed-core", "--force", "-q"])]
    for what, c in cmds:
        b = [os.path.join(base, c[0])] + c[1:]
        n = [os.path.join(new, c[0])] + c[1:]
        ib, inn = ir(b), ir(n)
        cb, wb = cpu_wall(b)
        cn, wn = cpu_wall(n)
        print("| %s | %s | %s | %s | %.1f | %.1f | %.1f | %.1f |" % (case, what, "{:,}".format(ib), "{:,}".format(inn), cb, cn, wb, wn), flush=True)
