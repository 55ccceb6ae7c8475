"""What the bench scripts measure a command by: its best wall time over a
number of runs (the least disturbed by the machine's load), and its
instruction count under callgrind (which does not move with the load)."""
import os
import shutil
import subprocess
import tempfile
import time


def best_ms(args, runs, stdin=None):
    """Best of `runs` wall times of args, in ms; stdin: bytes fed to it."""
    best = None
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(args, input=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        d = (time.perf_counter() - t) * 1000
        best = d if best is None or d < best else best
    return best


def instructions(args, stdin=None):
    """Instructions args executes (callgrind's total), or None without valgrind."""
    if not shutil.which("valgrind"):
        return None
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "cg")
        subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out] + args, input=stdin,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        for line in open(out):
            if line.startswith("summary:") or line.startswith("totals:"):
                return int(line.split()[1])
    return None
