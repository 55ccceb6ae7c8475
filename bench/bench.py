#!/usr/bin/python3
"""ptwalk against crash, libkdumpfile and drgn on the same dumps, in the same
run: batch vtop, physical reads (with the codec's own speed as the ceiling),
open, full maps (with the bare table reads as the floor), and callgrind
instruction counts. Run through bench/run, which installs the peers, builds
ptwalk and the helpers and sets the environment below; writes
bench/results.md. Numbers are reported, never asserted.

Environment (bench/run sets all but the optional ones):
  BENCH_SRC          repository root
  BENCH_CACHE        scratch space: decompressed and generated dumps, outputs
  BENCH_PTWALK       the ptwalk under test (built -O2)
  BENCH_MKDUMP       tests/mkdump from the same build
  BENCH_TOOLS        directory of kdumpfile_xlat, inflate_ceiling, table_read
  BENCH_VMLINUX_DIR  kernels with DWARF for crash (default /work/factory/build)
  BENCH_FACTORY_WORK extra makedumpfile outputs (default /work/factory/work)
  BENCH_RUNS         timed runs per figure, best kept (default 5)
  BENCH_OUT          results file (default BENCH_SRC/bench/results.md)
"""
import hashlib
import json
import os
import random
import re
import shutil
import subprocess
import sys
import time

SRC = os.environ["BENCH_SRC"]
CACHE = os.environ["BENCH_CACHE"]
PTWALK = os.environ["BENCH_PTWALK"]
MKDUMP = os.environ["BENCH_MKDUMP"]
TOOLS = os.environ["BENCH_TOOLS"]
VMLINUX_DIR = os.environ.get("BENCH_VMLINUX_DIR", "/work/factory/build")
FACTORY_WORK = os.environ.get("BENCH_FACTORY_WORK", "/work/factory/work")
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
OUT = os.environ.get("BENCH_OUT", os.path.join(SRC, "bench", "results.md"))
PY = "/usr/bin/python3"  # Debian's, which has drgn

SEED = 20251122
N_VTOP = 1_000_000
N_DRGN = 100_000
N_CRASH = 10_000
READ_BYTES = 256 << 20
SHOW_DISAGREEMENTS = 10
CALLGRIND_VTOP = 200_000       # addresses under callgrind (Ir per address)
CALLGRIND_READ = 32 << 20      # bytes read under callgrind (Ir per MiB)

KDUMPFILE = os.path.join(TOOLS, "kdumpfile_xlat")
CEILING = os.path.join(TOOLS, "inflate_ceiling")
TABLE_READ = os.path.join(TOOLS, "table_read")
API_XLAT = os.path.join(TOOLS, "api_xlat")


def log(msg):
    sys.stderr.write("bench: %s\n" % msg)
    sys.stderr.flush()


def path(*parts):
    p = os.path.join(CACHE, *parts)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    return p


# ---------------------------------------------------------------- running

class Run:
    """One finished command: best wall seconds over the runs, peak RSS."""
    def __init__(self, ok, seconds, rss_kb, stderr, rc):
        self.ok, self.seconds, self.rss_kb, self.stderr, self.rc = ok, seconds, rss_kb, stderr, rc


def run(cmd, stdin=None, stdout=None, runs=1, ok_codes=(0,), timeout=3600):
    """Run cmd `runs` times under /usr/bin/time -v; keep the best wall time
    (perf_counter around the process) and the largest peak RSS."""
    best, rss, err, rc = None, 0, "", None
    timefile = path("tmp", "time.txt")
    for _ in range(runs):
        fin = open(stdin, "rb") if stdin else subprocess.DEVNULL
        fout = open(stdout, "wb") if stdout else subprocess.DEVNULL
        t0 = time.perf_counter()
        try:
            p = subprocess.run(["/usr/bin/time", "-v", "-o", timefile] + cmd, stdin=fin, stdout=fout,
                               stderr=subprocess.PIPE, timeout=timeout)
        except subprocess.TimeoutExpired:
            return Run(False, None, 0, "timed out after %d s" % timeout, None)
        finally:
            if stdin:
                fin.close()
            if stdout:
                fout.close()
        t = time.perf_counter() - t0
        rc = p.returncode
        err = p.stderr.decode(errors="replace")
        m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", open(timefile).read())
        rss = max(rss, int(m.group(1)) if m else 0)
        if rc not in ok_codes:
            return Run(False, t, rss, err, rc)
        best = t if best is None else min(best, t)
    return Run(True, best, rss, err, rc)


def callgrind(cmd, stdin=None, name="cg"):
    """Instructions executed (Ir) by cmd, from callgrind's totals."""
    out = path("callgrind", name + ".out")
    fin = open(stdin, "rb") if stdin else subprocess.DEVNULL
    env = dict(os.environ)
    if cmd[0] == "env":  # ["env", "K=V", ..., PROGRAM, ...]: set here, so callgrind counts PROGRAM
        cmd = cmd[1:]
        while cmd and "=" in cmd[0] and not cmd[0].startswith("/"):
            k, v = cmd[0].split("=", 1)
            env[k] = v
            cmd = cmd[1:]
    p = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out] + cmd,
                       stdin=fin, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    if stdin:
        fin.close()
    m = re.search(r"Collected : (\d+)", p.stderr.decode(errors="replace"))
    if not m:
        m = re.search(r"I\s+refs:\s+([\d,]+)", p.stderr.decode(errors="replace"))
    return int(m.group(1).replace(",", "")) if m else None


def hot_spots(name, top=8):
    """The functions with the most instructions (self cost) in a callgrind
    run: (share, file or library, function)."""
    out = path("callgrind", name + ".out")
    p = subprocess.run(["callgrind_annotate", "--inclusive=no", out], capture_output=True, text=True)
    rows = []
    for line in p.stdout.splitlines():
        m = re.match(r"\s*([\d,]+) \(\s*([\d.]+)%\)\s+(\S+?):(\S+)(?: \[(\S+)\])?", line)
        if m and "PROGRAM TOTALS" not in line:
            where = m.group(3).replace(SRC + "/", "")
            if where == "???" or where.startswith("./"):
                where = os.path.basename(m.group(5) or where)
            rows.append((m.group(2) + "%", where, m.group(4)))
        if len(rows) >= top:
            break
    return rows


def ptwalk_json(*args):
    p = subprocess.run([PTWALK] + list(args) + ["--json", "-q"], capture_output=True, text=True)
    return json.loads(p.stdout) if p.returncode in (0, 4) and p.stdout.strip() else None


def version(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=60).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return ""


def deb_version(pkg):
    return version(["dpkg-query", "-W", "-f=${Version}", pkg]) or "not installed"


# ---------------------------------------------------------------- the dumps

class Case:
    """A real dump of testdata/: the file every tool is given, and why."""
    def __init__(self, name):
        self.name = name
        self.dir = os.path.join(SRC, "testdata", name)
        self.file = None
        self.kind = None
        self.info = None
        self.truth = None
        self.notes = []


def decompress_elf(case):
    xz = os.path.join(case.dir, "vmcore.elf.xz")
    out = path("dumps", case.name + ".elf")
    if not os.path.exists(out) or os.path.getmtime(out) < os.path.getmtime(xz):
        log("decompressing %s" % xz)
        with open(out + ".tmp", "wb") as f:
            subprocess.run(["xz", "-dc", "-T0", xz], stdout=f, check=True)
        os.rename(out + ".tmp", out)
    return out


def rearrange(flat, name):
    """makedumpfile -R: the flattened file as a plain kdump, which
    libkdumpfile 0.5.1 and drgn (through it) can open."""
    out = path("dumps", name + ".kdump")
    if os.path.exists(out) and os.path.getmtime(out) >= os.path.getmtime(flat):
        return out
    if not shutil.which("makedumpfile"):
        return None
    with open(flat, "rb") as f:
        p = subprocess.run(["makedumpfile", "-R", out + ".tmp"], stdin=f, capture_output=True)
    if p.returncode != 0:
        log("makedumpfile -R %s failed: %s" % (flat, p.stderr.decode(errors="replace")[-200:]))
        return None
    os.rename(out + ".tmp", out)
    return out


def find_cases():
    cases = []
    for name in sorted(os.listdir(os.path.join(SRC, "testdata"))):
        c = Case(name)
        if not os.path.isdir(c.dir):
            continue
        elf = os.path.join(c.dir, "vmcore.elf.xz")
        flat = os.path.join(c.dir, "vmcore.kdump-zlib.flat")
        if os.path.exists(elf):
            c.file, c.kind = decompress_elf(c), "ELF (vmcore.elf.xz, decompressed)"
        elif os.path.exists(flat):
            re_ = rearrange(flat, name)
            if re_:
                c.file, c.kind = re_, "kdump-zlib (QEMU's flattened file, makedumpfile -R)"
            else:
                c.file, c.kind = flat, "kdump-zlib flattened (QEMU)"
        else:
            continue
        c.flat = flat if os.path.exists(flat) else None
        c.info = ptwalk_json("info", c.file)
        tj = os.path.join(c.dir, "truth.json")
        c.truth = json.load(open(tj)) if os.path.exists(tj) else None
        cases.append(c)
    cases.sort(key=lambda c: (-os.path.getsize(c.file), c.name))
    return cases


def vmcoreinfo_of(case):
    return (case.info or {}).get("vmcoreinfo") or {}


def translation_error(case):
    """Why ptwalk cannot translate on this dump, or None."""
    p = subprocess.run([PTWALK, "layout", case.file, "-q"], capture_output=True, text=True)
    if p.returncode == 0:
        return None
    return (p.stderr.strip().split(": ", 2)[-1] or "exit %d" % p.returncode)[:160]


# ---------------------------------------------------------------- 1. batch vtop

def read_answers(fname):
    """ "VA ANSWER..." lines → {va: [answer words]} and the order."""
    answers, order = {}, []
    with open(fname) as f:
        for line in f:
            w = line.split()
            if not w:
                continue
            va = int(w[0], 16)
            order.append(va)
            answers[va] = w[1:]
    return answers, order


def ptwalk_pa_of_not_in_dump(case, vas):
    """ptwalk's --brief prints the status, not the PA, of a page the dump lacks:
    ask --json for those few."""
    if not vas:
        return {}
    fin = path("tmp", "nid.txt")
    with open(fin, "w") as f:
        f.write("".join("0x%x\n" % v for v in vas))
    p = subprocess.run([PTWALK, "vtop", case.file, "-", "--json", "-q"], stdin=open(fin), capture_output=True,
                       text=True)
    out = {}
    for line in p.stdout.splitlines():
        r = json.loads(line)
        if "pa" in r:
            out[int(r["va"], 16)] = int(r["pa"], 16)
    return out


def ptwalk_bytes_at(case, pas):
    """8 bytes at each physical address, by ptwalk's batch read (0 fill for holes)."""
    fin, fout = path("tmp", "pas.txt"), path("tmp", "pas.bin")
    with open(fin, "w") as f:
        f.write("".join("0x%x\n" % pa for pa in pas))
    subprocess.run([PTWALK, "read", case.file, "-", "8", "--phys", "--raw", "--fill", "0", "-q", "-o", fout],
                   stdin=open(fin))
    data = open(fout, "rb").read()
    return [data[i * 8:i * 8 + 8].hex() for i in range(len(pas))]


def compare_pa(case, ours, theirs, order, peer):
    """Each address: same PA, or both without one. Everything else is a
    disagreement, listed."""
    nid = [va for va in order if ours.get(va, ["?"])[0] == "not-in-dump"]
    nid_pa = ptwalk_pa_of_not_in_dump(case, nid)
    agree, disagreements = 0, []
    for va in order:
        a, b = ours.get(va, ["missing"]), theirs.get(va, ["missing"])
        a_pa = int(a[0], 16) if re.fullmatch(r"[0-9a-f]+", a[0]) else nid_pa.get(va)
        b_pa = int(b[0], 16) if re.fullmatch(r"[0-9a-f]+", b[0]) else None
        if a_pa == b_pa and (a_pa is not None or b[0] != "missing"):
            agree += 1
        else:
            disagreements.append("%x: ptwalk %s, %s %s" % (va, " ".join(a), peer, " ".join(b)))
    return agree, disagreements


def compare_bytes(case, ours, theirs, order):
    """drgn gives the 8 bytes at each VA (its API returns no PA): compare them
    with the 8 bytes at ptwalk's PA."""
    mapped = [va for va in order if re.fullmatch(r"[0-9a-f]+", ours.get(va, ["?"])[0])]
    at = dict(zip(mapped, ptwalk_bytes_at(case, [int(ours[va][0], 16) for va in mapped])))
    agree, disagreements = 0, []
    for va in order:
        a, b = ours.get(va, ["missing"]), theirs.get(va, ["missing"])
        if va in at:
            same = b[0] == "mapped" and b[1] == at[va]
        else:
            # not mapped, or mapped to a page the dump lacks: drgn cannot read either
            same = b[0] == "not-mapped"
        if same:
            agree += 1
        else:
            disagreements.append("%x: ptwalk %s%s, drgn %s" % (
                va, " ".join(a), " (bytes %s)" % at[va] if va in at else "", " ".join(b)))
    return agree, disagreements


def save_disagreements(case, peer, dis):
    f = path("disagreements", "%s-%s.txt" % (case.name, peer))
    with open(f, "w") as out:
        out.write("".join(d + "\n" for d in dis))
    return f


def find_vmlinux(case):
    """A vmlinux with DWARF whose build ID is the dump's BUILD-ID."""
    want = vmcoreinfo_of(case).get("BUILD-ID")
    release = vmcoreinfo_of(case).get("OSRELEASE", "")
    candidates = [os.path.join(CACHE, "vmlinux", "vmlinux-" + release),
                  "/usr/lib/debug/boot/vmlinux-" + release]
    if os.path.isdir(VMLINUX_DIR):
        candidates += [os.path.join(VMLINUX_DIR, d, "vmlinux") for d in sorted(os.listdir(VMLINUX_DIR))]
    for c in candidates:
        if not os.path.exists(c):
            continue
        notes = version(["readelf", "-n", c])
        m = re.search(r"Build ID: ([0-9a-f]+)", notes)
        if m and want and m.group(1) == want:
            return c
    return None


def kdumpfile_arch(case):
    """["env", "KDUMPFILE_ARCH=..."] for kdump files, whose QEMU headers give
    libkdumpfile 0.5.1 no architecture; nothing for ELF."""
    if case.file.endswith(".elf"):
        return []
    arch = {"arm64": "aarch64", "x86_64": "x86_64"}.get((case.info or {}).get("arch"))
    return ["env", "KDUMPFILE_ARCH=" + arch] if arch else []


def crash_supports(case):
    host = os.uname().machine
    arch = (case.info or {}).get("arch")
    return arch == host or (arch == "x86_64" and host == "x86_64")


def crash_skip_reason(case, vmlinux):
    if not shutil.which("crash"):
        return "crash is not installed"
    if not crash_supports(case):
        return ("Debian's crash %s is built for %s hosts only: %s dumps need crash built with "
                "`make target=ARM64`" % (deb_version("crash"), os.uname().machine, (case.info or {}).get("arch")))
    if not vmlinux:
        rel = vmcoreinfo_of(case).get("OSRELEASE", "?")
        return ("no vmlinux with DWARF whose build ID matches (looked in %s, %s/vmlinux, "
                "/usr/lib/debug/boot; for a Debian kernel: linux-image-%s-dbg)" % (VMLINUX_DIR, CACHE, rel))
    return None


def crash_run(case, vmlinux, commands, name):
    """crash -s with a command file; returns (Run, stdout text)."""
    cmdfile = path("tmp", name + ".crash")
    with open(cmdfile, "w") as f:
        f.write("".join(c + "\n" for c in commands) + "quit\n")
    outfile = path("tmp", name + ".crash.out")
    r = run(["crash", "-s", "-i", cmdfile, vmlinux, case.file], stdout=outfile, runs=1, timeout=1800)
    return r, open(outfile, errors="replace").read()


def parse_crash_vtop(text):
    answers = {}
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("VIRTUAL") and "PHYSICAL" in line and i + 1 < len(lines):
            w = lines[i + 1].split()
            if len(w) >= 2:
                va = int(w[0], 16)
                answers[va] = ["not-mapped"] if w[1].startswith("(") else [w[1].lower()]
        m = re.match(r"vtop: .*?([0-9a-f]{8,16})\s*$", line)
        if m:
            answers.setdefault(int(m.group(1), 16), ["not-mapped"])
    return answers


def parse_api_xlat(out, err, rc):
    """bench/api_xlat's lines: its rate, libkdumpfile's, their agreement."""
    res = {}
    m = re.search(r"^ptwalk_api: (\d+) addresses, (\d+) translated, best of \d+: ([0-9.]+) s", out, re.M)
    if rc != 0 or not m:
        return {"skip": "api_xlat failed: " + (err.strip() or out.strip() or "exit %d" % rc)[-200:]}
    n = int(m.group(1))
    res.update(n=n, translated=int(m.group(2)), seconds=float(m.group(3)), rate=n / float(m.group(3)))
    m = re.search(r"^libkdumpfile: \d+ addresses, (\d+) translated, best of \d+: ([0-9.]+) s", out, re.M)
    if m and int(m.group(1)):
        res["lkdf"] = {"translated": int(m.group(1)), "seconds": float(m.group(2)), "rate": n / float(m.group(2))}
    elif m:
        res["lkdf"] = {"failed": "translated nothing"}
    else:
        m = re.search(r"^libkdumpfile: (.*)$", out, re.M)
        res["lkdf"] = {"failed": m.group(1) if m else "no result"}
    m = re.search(r"median of the rounds: ([0-9.]+)x", out)
    if m:
        res["median_ratio"] = float(m.group(1))
    m = re.search(r"answers: (\d+)/(\d+) agree", out)
    if m:
        res["agree"] = int(m.group(1))
    return res


N_API_IR = 200_000


def toggled_ir(c, addrs, function):
    """Instructions bench/api_xlat executes inside `function` (one pass)."""
    out = path("callgrind", "api-%s-%s.out" % (c.name, function))
    env = dict(os.environ)
    for kv in kdumpfile_arch(c)[1:]:
        k, v = kv.split("=", 1)
        env[k] = v
    p = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out,
                        "--toggle-collect=" + function, API_XLAT, c.file, addrs, "1"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    m = re.search(r"Collected : (\d+)", p.stderr.decode(errors="replace"))
    return int(m.group(1)) if m else None


def api_row(c, addrs):
    """The public API (libptwalk's ptwalk_translate_batch) beside
    libkdumpfile's C API in one process (bench/api_xlat.c): rates, and
    instructions per translation inside each library's call (callgrind,
    the first N_API_IR addresses)."""
    if c.file.endswith(".flat"):
        return {"skip": "libkdumpfile 0.5.1 does not open the flattened format"}
    log("vtop %s: libptwalk API and libkdumpfile in one process" % c.name)
    p = subprocess.run(kdumpfile_arch(c) + [API_XLAT, c.file, addrs, str(RUNS)], capture_output=True, text=True)
    res = parse_api_xlat(p.stdout, p.stderr, p.returncode)
    if "skip" in res:
        return res
    sub = path("addrs", c.name + ".api-ir.txt")
    with open(addrs) as f, open(sub, "w") as g:
        for i, line in enumerate(f):
            if i >= N_API_IR:
                break
            g.write(line)
    ir = toggled_ir(c, sub, "ptwalk_translate_batch")
    if ir:
        res["ir"] = ir / N_API_IR
    if "rate" in res.get("lkdf", {}):
        ir = toggled_ir(c, sub, "addrxlat_fulladdr_conv")
        if ir:
            res["lkdf"]["ir"] = ir / N_API_IR
    return res


def bench_api(cases, R):
    """`bench/run api`: the API rows of the vtop section again, on the
    address lists of the last vtop run. A dump the last run did not list (a
    fresh BENCH_CACHE has no last run) gets a row of its own: its address
    list made as the vtop section makes it (same seed, so the same list) and
    `ptwalk vtop --brief` timed on it, the peers' columns left empty."""
    rows = {r["case"]: r for r in R["vtop"]}
    for c in cases:
        row = rows.get(c.name)
        addrs = path("addrs", c.name + ".txt")
        if row is None:
            row = {"case": c.name, "file": c.kind, "peers": {}}
            R["vtop"].append(row)
            vtop_ptwalk_alone(c, row, addrs)
        if "skip" not in row and os.path.exists(addrs):
            row["api"] = api_row(c, addrs)


def vtop_ptwalk_alone(c, row, addrs):
    """The address list and ptwalk's `vtop --brief` time of the vtop section, for one dump."""
    why = translation_error(c)
    if why:
        row["skip"] = "ptwalk cannot translate on this dump: " + why
        return
    gen = subprocess.run([PY, os.path.join(SRC, "bench", "gen_addrs.py"), PTWALK, c.file, str(N_VTOP),
                          str(SEED)], stdout=open(addrs, "w"), stderr=subprocess.PIPE, text=True)
    row["mix"] = gen.stderr.strip().replace("gen_addrs: ", "")
    if gen.returncode != 0:
        row["skip"] = "gen_addrs failed: " + gen.stderr.strip()
        return
    log("vtop %s: ptwalk" % c.name)
    r = run([PTWALK, "vtop", c.file, "-", "--brief"], stdin=addrs, stdout=path("out", c.name + ".ptwalk.vtop"),
            runs=RUNS, ok_codes=(0, 4))
    if not r.ok:
        row["skip"] = "ptwalk failed: " + r.stderr.strip()[:200]
        return
    row["ptwalk"] = {"seconds": r.seconds, "rate": N_VTOP / r.seconds, "n": N_VTOP}


def bench_vtop(cases, R):
    for c in cases:
        row = {"case": c.name, "file": c.kind, "peers": {}}
        R["vtop"].append(row)
        why = translation_error(c)
        if why:
            row["skip"] = "ptwalk cannot translate on this dump: " + why
            continue
        addrs = path("addrs", c.name + ".txt")
        gen = subprocess.run([PY, os.path.join(SRC, "bench", "gen_addrs.py"), PTWALK, c.file, str(N_VTOP),
                              str(SEED)], stdout=open(addrs, "w"), stderr=subprocess.PIPE, text=True)
        row["mix"] = gen.stderr.strip().replace("gen_addrs: ", "")
        if gen.returncode != 0:
            row["skip"] = "gen_addrs failed: " + gen.stderr.strip()
            continue
        ours_file = path("out", c.name + ".ptwalk.vtop")
        log("vtop %s: ptwalk" % c.name)
        r = run([PTWALK, "vtop", c.file, "-", "--brief"], stdin=addrs, stdout=ours_file, runs=RUNS,
                ok_codes=(0, 4))
        if not r.ok:
            row["skip"] = "ptwalk failed: " + r.stderr.strip()[:200]
            continue
        row["ptwalk"] = {"seconds": r.seconds, "rate": N_VTOP / r.seconds, "n": N_VTOP}
        ours, order = read_answers(ours_file)
        row["statuses"] = {}
        for va in order:
            s = ours[va][0] if not re.fullmatch(r"[0-9a-f]+", ours[va][0]) else "ok"
            row["statuses"][s] = row["statuses"].get(s, 0) + 1

        # libkdumpfile
        peer = {}
        row["peers"]["libkdumpfile"] = peer
        if c.file.endswith(".flat"):
            peer["skip"] = "libkdumpfile 0.5.1 does not open the flattened format (and makedumpfile -R is missing)"
        else:
            log("vtop %s: libkdumpfile" % c.name)
            theirs_file = path("out", c.name + ".kdumpfile.vtop")
            env_arch = kdumpfile_arch(c)
            r = run(env_arch + [KDUMPFILE, "vtop", c.file], stdin=addrs, stdout=theirs_file, runs=RUNS)
            if not r.ok:
                peer["skip"] = "libkdumpfile failed: " + (r.stderr.strip().splitlines() or ["exit %s" % r.rc])[-1]
            else:
                theirs, _ = read_answers(theirs_file)
                agree, dis = compare_pa(c, ours, theirs, order, "libkdumpfile")
                translated = sum(1 for v in theirs.values() if v[0] != "not-mapped")
                peer.update(n=N_VTOP, agree=agree, dis=dis, dis_file=save_disagreements(c, "libkdumpfile", dis))
                if translated:
                    peer.update(seconds=r.seconds, rate=N_VTOP / r.seconds)
                else:
                    peer["failed"] = "translated nothing (%s)" % "; ".join(
                        l.replace("kdumpfile_xlat: ", "") for l in r.stderr.strip().splitlines()[:1])
                if env_arch:
                    peer["note"] = "arch named by the harness (0.5.1 leaves it unset on QEMU kdumps)"

        row["api"] = api_row(c, addrs)

        # drgn
        peer = {}
        row["peers"]["drgn"] = peer
        subset = path("addrs", c.name + ".drgn.txt")
        with open(addrs) as f, open(subset, "w") as g:
            for i, line in enumerate(f):
                if i >= N_DRGN:
                    break
                g.write(line)
        t = (c.info or {}).get("translation") or {}
        vi = vmcoreinfo_of(c)
        pgd_va = vi.get("SYMBOL(swapper_pg_dir)") or vi.get("SYMBOL(init_top_pgt)")
        if c.file.endswith(".flat"):
            peer["skip"] = "drgn opens kdump files through libkdumpfile 0.5.1, which does not open the flattened format"
        elif not pgd_va or not t.get("root"):
            peer["skip"] = "no swapper_pg_dir in VMCOREINFO"
        else:
            pgd_va = int(pgd_va, 16)
            pgd_pa = pgd_va - int(t["kimage_voffset"], 16) if t.get("kimage_voffset") else int(t["root"], 16)
            log("vtop %s: drgn" % c.name)
            theirs_file = path("out", c.name + ".drgn.vtop")
            r = run([PY, os.path.join(SRC, "bench", "drgn_xlat.py"), c.file, hex(pgd_va), hex(pgd_pa)],
                    stdin=subset, stdout=theirs_file, runs=max(1, RUNS // 2))
            if not r.ok:
                peer["skip"] = "drgn failed: " + (r.stderr.strip().splitlines() or ["exit %s" % r.rc])[-1][:200]
            else:
                theirs, sub_order = read_answers(theirs_file)
                agree, dis = compare_bytes(c, ours, theirs, sub_order)
                peer.update(seconds=r.seconds, rate=N_DRGN / r.seconds, n=N_DRGN, agree=agree, dis=dis,
                            note=r.stderr.strip().splitlines()[-1] if r.stderr.strip() else "",
                            dis_file=save_disagreements(c, "drgn", dis))

        # crash
        peer = {}
        row["peers"]["crash"] = peer
        vmlinux = find_vmlinux(c)
        why = crash_skip_reason(c, vmlinux)
        if why:
            peer["skip"] = why
        else:
            with open(addrs) as f:
                vas = [line.strip() for _, line in zip(range(N_CRASH), f)]
            log("vtop %s: crash (startup, then %d vtop commands)" % (c.name, len(vas)))
            r0, _ = crash_run(c, vmlinux, [], c.name + "-startup")
            r, text = crash_run(c, vmlinux, ["vtop " + v for v in vas], c.name + "-vtop")
            if not r.ok:
                peer["skip"] = "crash failed: " + r.stderr.strip()[-200:]
            else:
                theirs = parse_crash_vtop(text)
                sub = [int(v, 16) for v in vas]
                agree, dis = compare_pa(c, ours, theirs, sub, "crash")
                net = max(r.seconds - (r0.seconds or 0), 1e-9)
                peer.update(seconds=net, rate=len(vas) / net, n=len(vas), agree=agree, dis=dis,
                            note="startup %.2f s subtracted" % (r0.seconds or 0),
                            dis_file=save_disagreements(c, "crash", dis))


# ---------------------------------------------------------------- 2. physical reads

INFLATE_SPEC_PAGES = 81920  # 320 MiB of 4 KiB pages; 256 MiB of them are read


def generated_read_dump(codec):
    """A kdump of 4 KiB pages, each an incompressible head of 1-3 KiB (mkdump's
    random fill) and a compressible tail (each u64 its own address): codecs
    shrink every page, by different amounts, and none trivially."""
    spec_lines = ["arch arm64"]
    for i in range(INFLATE_SPEC_PAGES):
        pa = 0x40000000 + i * 4096
        cut = 1024 + (i * 1237) % 2048
        spec_lines.append("memory 0x%x +%d random=%d" % (pa, cut, i + 1))
        spec_lines.append("memory 0x%x +%d addr" % (pa + cut, 4096 - cut))
    spec_lines += ["vmcoreinfo", "OSRELEASE=6.1.0-bench", "PAGESIZE=4096", "NUMBER(VA_BITS)=48",
                   "NUMBER(kimage_voffset)=0xffff7fffc7e00000", "SYMBOL(swapper_pg_dir)=ffff800008100000",
                   "end", "format kdump", "compress " + codec]
    spec = "\n".join(spec_lines) + "\n"
    digest = hashlib.sha1(spec.encode()).hexdigest()[:12]
    out = path("dumps", "gen-read-%s-%s.kdump" % (codec, digest))
    if not os.path.exists(out):
        log("generating %s (mkdump, %d pages; a minute or two)" % (out, INFLATE_SPEC_PAGES))
        spec_file = path("tmp", "gen-read-%s.spec" % codec)
        open(spec_file, "w").write(spec)
        subprocess.run([MKDUMP, spec_file, out + ".tmp"], check=True)
        os.rename(out + ".tmp", out)
    return out


def read_dumps(cases):
    """(label, file, codec, origin) of the kdumps to read from."""
    dumps = []
    for c in cases:
        for codec in ("zlib", "lzo"):
            f = os.path.join(c.dir, "vmcore.mdf-%s-d31" % codec)
            if os.path.exists(f):
                dumps.append(("%s mdf-%s-d31" % (c.name, codec), f, codec,
                              "makedumpfile -%s -d 31 (testdata)" % ("c" if codec == "zlib" else "l")))
            elif os.path.exists(os.path.join(FACTORY_WORK, c.name, "vmcore.mdf-%s-d31" % codec)):
                dumps.append(("%s mdf-%s-d31" % (c.name, codec),
                              os.path.join(FACTORY_WORK, c.name, "vmcore.mdf-%s-d31" % codec), codec,
                              "makedumpfile -%s -d 31 (%s, this machine only)" % (
                                  "c" if codec == "zlib" else "l", FACTORY_WORK)))
    # the largest QEMU kdump, rearranged: every page of a real 256 MiB guest
    for c in cases:
        if c.flat and c.info and c.info.get("page_size") == 65536:
            f = rearrange(c.flat, c.name)
            if f:
                dumps.append(("%s qemu-zlib" % c.name, f, "zlib", "QEMU dump-guest-memory -z, makedumpfile -R"))
            break
    for codec in ("zlib", "lzo"):
        dumps.append(("generated %s 4K" % codec, generated_read_dump(codec), codec,
                      "tests/mkdump: 320 MiB, each page 1-3 KiB random + address pattern"))
    return dumps


def read_list(dump_file, label):
    """Block-aligned physical addresses of READ_BYTES of stored blocks in a
    random order (a fixed seed): each block once if the dump stores enough,
    else whole shuffled passes over every stored block."""
    p = subprocess.run([CEILING, "present", dump_file], capture_output=True, text=True, check=True)
    present = p.stdout.split()
    block = int(ptwalk_json("info", dump_file)["block_size"])
    want = max(1, READ_BYTES // block)
    rng = random.Random(SEED)
    out = []
    if len(present) >= want:
        out = rng.sample(present, want)
    else:
        while len(out) < want:
            q = present[:]
            rng.shuffle(q)
            out += q[:want - len(out)]
    f = path("addrs", re.sub(r"\W+", "_", label) + ".pas")
    open(f, "w").write("\n".join(out) + "\n")
    return f, block, len(out), len(set(out)), len(present)


def md5_of_output(cmd, stdin):
    p1 = subprocess.Popen(cmd, stdin=open(stdin), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    h = hashlib.md5()
    for chunk in iter(lambda: p1.stdout.read(1 << 20), b""):
        h.update(chunk)
    p1.wait()
    return h.hexdigest()


def bench_reads(cases, R):
    for label, f, codec, origin in read_dumps(cases):
        pas, block, n, distinct, stored = read_list(f, label)
        mib = n * block / (1 << 20)
        row = {"label": label, "origin": origin, "codec": codec, "block": block, "n": n, "distinct": distinct,
               "stored": stored, "mib": mib}
        R["reads"].append(row)
        log("reads %s: ptwalk, libkdumpfile, codec" % label)
        r = run([PTWALK, "read", f, "-", str(block), "--phys", "--raw", "-o", "/dev/null"], stdin=pas, runs=RUNS)
        row["ptwalk"] = {"seconds": r.seconds, "rate": mib / r.seconds, "rss": r.rss_kb} if r.ok else \
            {"skip": r.stderr.strip()[-200:]}
        r = run([KDUMPFILE, "read", f, str(block)], stdin=pas, runs=RUNS)
        row["libkdumpfile"] = {"seconds": r.seconds, "rate": mib / r.seconds, "rss": r.rss_kb} \
            if r.ok and " 0 failed" in r.stderr else {"skip": (r.stderr.strip().splitlines() or ["?"])[-1][:200]}
        best = None
        for _ in range(RUNS):
            p = subprocess.run([CEILING, "inflate", f, str(block)], stdin=open(pas), capture_output=True, text=True)
            m = re.search(r"seconds ([\d.]+) bytes \d+ stored (\d+)", p.stdout)
            if m:
                best = min(best or 1e9, float(m.group(1)))
                row["stored_bytes"] = int(m.group(2))
        row["ceiling"] = {"seconds": best, "rate": mib / best} if best else {"skip": p.stderr.strip()[-200:]}
        # the same bytes from all three
        ceiling_out = path("tmp", "ceiling.bin")
        subprocess.run([CEILING, "inflate", f, str(block), ceiling_out], stdin=open(pas), capture_output=True)
        sums = {"ptwalk": md5_of_output([PTWALK, "read", f, "-", str(block), "--phys", "--raw"], pas),
                "libkdumpfile": md5_of_output([KDUMPFILE, "read", f, str(block)], pas),
                "codec": md5_of_output(["cat", ceiling_out], "/dev/null")}
        row["same_bytes"] = len(set(sums.values())) == 1
        row["sums"] = sums
        # callgrind on a prefix of the list
        sub = path("addrs", re.sub(r"\W+", "_", label) + ".cg.pas")
        k = max(1, CALLGRIND_READ // block)
        open(sub, "w").write("".join(open(pas).readlines()[:k]))
        sub_mib = k * block / (1 << 20)
        name = "read-" + re.sub(r"\W+", "_", label)
        ir = callgrind([PTWALK, "read", f, "-", str(block), "--phys", "--raw", "-o", "/dev/null"], sub, name)
        ir_c = callgrind([CEILING, "inflate", f, str(block)], sub, name + "-codec")
        ir_k = callgrind([KDUMPFILE, "read", f, str(block)], sub, name + "-kdumpfile")
        row["ir_per_mib"] = {"ptwalk": ir / sub_mib if ir else None, "codec": ir_c / sub_mib if ir_c else None,
                             "libkdumpfile": ir_k / sub_mib if ir_k else None}
        row["hot"] = hot_spots(name)


# ---------------------------------------------------------------- 3. open

def sparse_dumps(cases):
    """1 TiB of physical memory in a small file: an ELF with 4096 PT_LOADs of
    256 MiB each holding only their first page in the file, and a kdump whose
    bitmaps cover 1 TiB with 256 MiB present. VMCOREINFO is a real dump's, so
    info does its whole job."""
    donor = next((c for c in cases if c.info and c.info.get("arch") == "arm64" and c.info.get("vmcoreinfo")), None)
    vi = ["%s=%s" % kv for kv in (donor.info["vmcoreinfo"].items() if donor else [])]
    body = ["arch arm64", "vmcoreinfo"] + vi + ["end"]
    out = []
    elf = body + ["format elf64"] + ["memory 0x%x +256M filesz=4096" % (0x40000000 + i * (256 << 20))
                                     for i in range(4096)]
    kd = body + ["format kdump", "compress zlib", "share-zero-pages", "memory 0x40000000 +1T zero",
                 "exclude 0x50000000 0x10040000000"]
    for name, lines in (("sparse-1TiB.elf", elf), ("sparse-1TiB.kdump", kd)):
        spec = "\n".join(lines) + "\n"
        f = path("dumps", "%s-%s" % (hashlib.sha1(spec.encode()).hexdigest()[:12], name))
        if not os.path.exists(f):
            log("generating %s" % f)
            sf = path("tmp", name + ".spec")
            open(sf, "w").write(spec)
            subprocess.run([MKDUMP, sf, f + ".tmp"], check=True)
            os.rename(f + ".tmp", f)
        out.append((name + " (generated, 1 TiB physical, %d MB file)" % (os.path.getsize(f) >> 20), f, None))
    return out


def bench_open(cases, R):
    targets = []
    small = [c for c in cases if not c.file.endswith(".flat")]
    mdf = [os.path.join(c.dir, "vmcore.mdf-zlib-d31") for c in cases
           if os.path.exists(os.path.join(c.dir, "vmcore.mdf-zlib-d31"))]
    if mdf:
        owner = next(c for c in cases if os.path.join(c.dir, "vmcore.mdf-zlib-d31") == mdf[0])
        targets.append(("%s mdf-zlib-d31 (%d MB kdump)" % (owner.name, os.path.getsize(mdf[0]) >> 20), mdf[0], owner))
    for c in cases:
        if crash_supports(c) and not c.file.endswith(".flat"):
            targets.append(("%s (%d MB %s)" % (c.name, os.path.getsize(c.file) >> 20, c.kind.split(" ")[0]),
                            c.file, c))
            break
    if small:
        c = small[-1]
        targets.append(("%s (%d MB %s)" % (c.name, os.path.getsize(c.file) >> 20, c.kind.split(" ")[0]), c.file, c))
    targets += sparse_dumps(cases)
    for label, f, case in targets:
        log("open %s" % label)
        row = {"label": label}
        R["open"].append(row)
        r = run([PTWALK, "info", f], runs=RUNS)
        row["ptwalk"] = {"seconds": r.seconds, "rss": r.rss_kb} if r.ok else {"skip": r.stderr.strip()[-160:]}
        cg_name = "info-" + re.sub(r"\W+", "_", label)[:40]
        row["ptwalk_ir"] = callgrind([PTWALK, "info", f], None, cg_name)
        row["hot"] = hot_spots(cg_name, 5)
        r = run((kdumpfile_arch(case) if case and f == case.file else []) + [KDUMPFILE, "open", f], runs=RUNS)
        row["libkdumpfile"] = {"seconds": r.seconds, "rss": r.rss_kb} if r.ok else \
            {"skip": "libkdumpfile: " + (r.stderr.strip().splitlines() or ["exit %s" % r.rc])[-1][:160]}
        vmlinux = find_vmlinux(case) if case else None
        why = crash_skip_reason(case, vmlinux) if case else \
            "a generated dump has no kernel: crash needs one matching a vmlinux"
        if why:
            row["crash"] = {"skip": why}
        else:
            cmdfile = path("tmp", "quit.crash")
            open(cmdfile, "w").write("quit\n")
            r = run(["crash", "-s", "-i", cmdfile, vmlinux, f], runs=max(1, RUNS // 2), timeout=600)
            row["crash"] = {"seconds": r.seconds, "rss": r.rss_kb, "note": "vmlinux " + vmlinux} if r.ok else \
                {"skip": "crash failed: " + r.stderr.strip()[-160:]}


# ---------------------------------------------------------------- 4. maps

def bench_maps(cases, R):
    for c in cases:
        row = {"case": c.name}
        R["maps"].append(row)
        why = translation_error(c)
        if why:
            row["skip"] = "ptwalk cannot translate on this dump: " + why
            continue
        log("maps %s" % c.name)
        r = run([PTWALK, "maps", c.file, "-q"], runs=RUNS, ok_codes=(0, 4))
        m = run([TABLE_READ, c.file], stdout=path("tmp", "table_read.txt"), runs=RUNS)
        if not r.ok or not m.ok:
            row["skip"] = (r.stderr if not r.ok else m.stderr).strip()[-200:]
            continue
        tr = open(path("tmp", "table_read.txt")).read().split()
        row.update(maps=r.seconds, maps_rss=r.rss_kb, floor=m.seconds, tables=int(tr[1]), table_bytes=int(tr[3]),
                   walk_only=float(tr[7]))
        row["maps_ir"] = callgrind([PTWALK, "maps", c.file, "-q"], None, "maps-" + c.name)
        row["floor_ir"] = callgrind([TABLE_READ, c.file], None, "table_read-" + c.name)
        row["hot"] = hot_spots("maps-" + c.name, 6)


# ---------------------------------------------------------------- 5. callgrind on vtop

def bench_vtop_instructions(cases, R):
    for row in R["vtop"]:
        if "ptwalk" not in row:
            continue
        c = next(c for c in cases if c.name == row["case"])
        addrs = path("addrs", c.name + ".txt")
        sub = path("addrs", c.name + ".cg.txt")
        open(sub, "w").write("".join(open(addrs).readlines()[:CALLGRIND_VTOP]))
        log("callgrind vtop %s" % c.name)
        ir = callgrind([PTWALK, "vtop", c.file, "-", "--brief"], sub, "vtop-" + c.name)
        row["ptwalk"]["ir"] = ir / CALLGRIND_VTOP if ir else None
        if row is R["vtop"][0] or not R.get("stability"):
            again = callgrind([PTWALK, "vtop", c.file, "-", "--brief"], sub, "vtop-again-" + c.name)
            R["stability"] = (c.name, ir, again)
        row["hot"] = hot_spots("vtop-" + c.name)
        k = row["peers"].get("libkdumpfile", {})
        if "rate" in k:
            irk = callgrind(kdumpfile_arch(c) + [KDUMPFILE, "vtop", c.file], sub, "vtop-kdumpfile-" + c.name)
            k["ir"] = irk / CALLGRIND_VTOP if irk else None


# ---------------------------------------------------------------- the report

def fmt_rate(x, unit=""):
    if x is None:
        return "-"
    if x >= 1e6:
        return "%.2fM%s" % (x / 1e6, unit)
    if x >= 1e3:
        return "%.0fk%s" % (x / 1e3, unit)
    return "%.0f%s" % (x, unit)


def fmt_s(s):
    if s is None:
        return "-"
    return "%.1f ms" % (s * 1e3) if s < 1 else "%.2f s" % s


def machine():
    model = "?"
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    commit = version(["git", "-C", SRC, "rev-parse", "--short", "HEAD"])
    dirty = version(["git", "-C", SRC, "status", "--porcelain", "--untracked-files=no"])
    return model, os.cpu_count(), commit + (" (with uncommitted changes in the tree)" if dirty else "")


def report(R):
    model, ncpu, commit = machine()
    L = []
    w = L.append
    w("# ptwalk benchmarks\n")
    w("Regenerated by `bench/run`; do not edit by hand. Seconds are the best of %d runs on a shared "
      "machine and move from run to run; instruction counts (callgrind) do not.\n" % RUNS)
    w("- machine: %s, nproc %d (%s)" % (model, ncpu, os.uname().machine))
    w("- commit: %s, ptwalk built -O2" % commit)
    w("- peers (Debian 12 packages): libkdumpfile %s (C API, bench/kdumpfile_xlat.c), python3-drgn %s "
      "(bench/drgn_xlat.py), crash %s; zlib %s, lzo %s" % (
          deb_version("libkdumpfile-dev"), deb_version("python3-drgn"), deb_version("crash"),
          deb_version("zlib1g"), deb_version("liblzo2-2")))
    w("- date: %s\n" % time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()))

    # 1
    w("## 1. Batch vtop: %s kernel VAs (seed %d), `ptwalk vtop DUMP - --brief`\n" % (f"{N_VTOP:,}", SEED))
    w("Mix: 40%% linear map, 20%% kernel image, 15%% vmalloc, 10%% modules, 10%% vmemmap, 5%% holes "
      "(bench/gen_addrs.py). libkdumpfile translates all %s; drgn the first %s (from Python, one call "
      "each); crash the first %s (`vtop` in a command file, its startup subtracted). A rate is "
      "addresses/s over the whole process. Ratio = ptwalk's rate / the peer's. Targets: >= 10x "
      "libkdumpfile, >= 5M addresses/s.\n" % (f"{N_VTOP:,}", f"{N_DRGN:,}", f"{N_CRASH:,}"))
    w("| dump (file all tools read) | ptwalk addr/s | ptwalk Ir/addr | libkdumpfile addr/s (ratio) | libkdumpfile Ir/addr | drgn addr/s (ratio) | crash addr/s (ratio) | best peer, ratio | targets |")
    w("|---|---|---|---|---|---|---|---|---|")
    notes = []
    for row in R["vtop"]:
        if "skip" in row:
            w("| %s | skipped: %s | | | | | | | |" % (row["case"], row["skip"]))
            continue
        pr = row["ptwalk"]["rate"]
        cells, best = [], None
        for peer in ("libkdumpfile", "drgn", "crash"):
            p = row["peers"].get(peer, {})
            if "rate" in p:
                cells.append("%s (%.1fx)" % (fmt_rate(p["rate"]), pr / p["rate"]))
                if best is None or p["rate"] > best[1]:
                    best = (peer, p["rate"])
            elif "failed" in p:
                cells.append("failed: " + p["failed"])
            else:
                cells.append("skipped")
                notes.append("%s, %s: %s" % (row["case"], peer, p.get("skip", "not run")))
        k = row["peers"].get("libkdumpfile", {})
        tgt = []
        if "rate" in k:
            tgt.append("10x lkdf: %s" % ("met" if pr >= 10 * k["rate"] else "missed"))
        tgt.append("5M/s: %s" % ("met" if pr >= 5e6 else "missed"))
        w("| %s (%s) | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            row["case"], row["file"], fmt_rate(pr), "%.0f" % row["ptwalk"]["ir"] if row["ptwalk"].get("ir") else "-",
            cells[0], "%.0f" % k["ir"] if k.get("ir") else "-", cells[1], cells[2],
            "%s %.1fx" % (best[0], pr / best[1]) if best else "-", ", ".join(tgt)))
    w("")
    w("Agreement with ptwalk (every address compared; a disagreement is listed, never averaged away; "
      "drgn returns no PA, so its 8 bytes at the VA are compared with the 8 bytes at ptwalk's PA):\n")
    w("| dump | ptwalk answers | libkdumpfile | drgn | crash |")
    w("|---|---|---|---|---|")
    for row in R["vtop"]:
        if "skip" in row:
            continue
        cells = []
        for peer in ("libkdumpfile", "drgn", "crash"):
            p = row["peers"].get(peer, {})
            if "agree" in p:
                cells.append("%s/%s agree, **%d disagree**%s" % (
                    f"{p['agree']:,}", f"{p['n']:,}", len(p["dis"]), "; " + p["note"] if p.get("note") else "")
                             if p["dis"] else "%s/%s agree" % (f"{p['agree']:,}", f"{p['n']:,}"))
            else:
                cells.append("-")
        st = ", ".join("%s %s" % (k, f"{v:,}") for k, v in sorted(row.get("statuses", {}).items()))
        w("| %s | %s | %s |" % (row["case"], st, " | ".join(cells)))
    w("")
    for row in R["vtop"]:
        for peer, p in row.get("peers", {}).items():
            if p.get("dis"):
                w("<details><summary>%s vs %s: %d disagreements (first %d; all in %s)</summary>\n" % (
                    row["case"], peer, len(p["dis"]), min(SHOW_DISAGREEMENTS, len(p["dis"])),
                    os.path.relpath(p["dis_file"], CACHE)))
                w("```")
                L.extend(p["dis"][:SHOW_DISAGREEMENTS])
                w("```\n</details>\n")
    w("### Batch translation through the public API\n")
    w("`bench/api_xlat DUMP ADDRESSES %d` (bench/api_xlat.c, built by bench/run against libptwalk.a "
      "and libkdumpfile): the same %s addresses, already parsed into one array, translated by "
      "`ptwalk_translate_batch()` (include/ptwalk.h; its translation cache emptied before each pass) "
      "and by libkdumpfile's `addrxlat_fulladdr_conv()` (its caches kept between passes), in one "
      "process on the same file; the passes alternate, one of each per round, so that both meet the "
      "same machine; best of %d passes each, wall time, translation alone (no parsing or "
      "printing, which the `vtop --brief` column above includes); the ratio is that of the best "
      "passes, with the median of the rounds' ratios in brackets. Every answer is compared. "
      "Targets: >= 30M translations/s and >= 10x libkdumpfile.\n" % (RUNS, f"{N_VTOP:,}", RUNS))
    w("Ir/translation: instructions inside `ptwalk_translate_batch()` and inside "
      "`addrxlat_fulladdr_conv()` (callgrind `--toggle-collect`, one pass over the first %s "
      "addresses, translation cache cold), the figure that does not move with the machine's load.\n"
      % f"{N_API_IR:,}")
    w("| dump | libptwalk API translations/s | libkdumpfile translations/s (same process) | ratio | "
      "API Ir/translation | libkdumpfile Ir/translation | Ir ratio | answers agree | "
      "`vtop --brief` (CLI, whole process) | targets |")
    w("|---|---|---|---|---|---|---|---|---|---|")
    for row in R["vtop"]:
        a = row.get("api")
        if not a:
            continue
        if "skip" in a:
            w("| %s | skipped: %s | | | | | | | | |" % (row["case"], a["skip"]))
            continue
        k = a.get("lkdf", {})
        tgt = ["30M/s: %s" % ("met" if a["rate"] >= 30e6 else "missed")]
        if "rate" in k:
            tgt.append("10x lkdf: %s" % ("met" if a["rate"] >= 10 * k["rate"] else "missed"))
        w("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            row["case"], fmt_rate(a["rate"]), fmt_rate(k["rate"]) if "rate" in k else "failed: " + k.get("failed", "?"),
            ("%.1fx" % (a["rate"] / k["rate"]) + (" (%.1fx)" % a["median_ratio"] if a.get("median_ratio") else ""))
            if "rate" in k else "-",
            "%.0f" % a["ir"] if a.get("ir") else "-", "%.0f" % k["ir"] if k.get("ir") else "-",
            "%.1fx" % (k["ir"] / a["ir"]) if a.get("ir") and k.get("ir") else "-",
            "%s/%s" % (f"{a['agree']:,}", f"{a['n']:,}") if "agree" in a else "-",
            fmt_rate(row["ptwalk"]["rate"]) if "ptwalk" in row else "-", ", ".join(tgt)))
    w("")
    mixes = ["- %s: %s" % (row["case"], row["mix"]) for row in R["vtop"] if row.get("mix")]
    if mixes:
        w("Address pools per dump (from `ptwalk maps`):\n")
        L.extend(mixes)
        w("")
    if notes:
        w("Skipped peers:\n")
        L.extend("- " + n for n in dict.fromkeys(notes))
        w("")

    # 2
    w("## 2. Physical reads: %d MiB of blocks at random PFNs, `ptwalk read DUMP - BLOCK --phys --raw`\n"
      % (READ_BYTES >> 20))
    w("Every tool reads the same list of block-aligned addresses in the same order and writes the bytes "
      "(to /dev/null when timed; their MD5s are compared). The ceiling is bench/inflate_ceiling.c: the "
      "stored blocks preloaded into memory, then only the codec (zlib blocks by libdeflate, as ptwalk "
      "inflates them when built with it, "
      "lzo1x_decompress_safe, or a copy for blocks stored raw) timed. MiB/s of output; the ratio is "
      "ptwalk / the peer. Target: ptwalk >= 90% of the ceiling.\n")
    w("| dump | codec | block | reads (distinct / stored blocks) | ptwalk MiB/s | libkdumpfile MiB/s (ratio) | codec ceiling MiB/s (ptwalk share) | Ir/MiB ptwalk / lkdf / codec | same bytes | target |")
    w("|---|---|---|---|---|---|---|---|---|---|")
    for row in R["reads"]:
        p, k, c = row["ptwalk"], row["libkdumpfile"], row["ceiling"]
        ir = row["ir_per_mib"]
        w("| %s (%s) | %s | %d | %s (%s / %s) | %s | %s | %s | %s | %s | %s |" % (
            row["label"], row["origin"], row["codec"], row["block"], f"{row['n']:,}", f"{row['distinct']:,}",
            f"{row['stored']:,}",
            "%.0f" % p["rate"] if "rate" in p else "skipped: " + p["skip"],
            "%.0f (%.2fx)" % (k["rate"], p["rate"] / k["rate"]) if "rate" in k and "rate" in p else
            "skipped: " + k.get("skip", "?"),
            "%.0f (%.0f%%)" % (c["rate"], 100 * p["rate"] / c["rate"]) if "rate" in c and "rate" in p else "-",
            " / ".join("%.1fM" % (ir[t] / 1e6) if ir.get(t) else "-" for t in ("ptwalk", "libkdumpfile", "codec")),
            "yes" if row["same_bytes"] else "**NO** %s" % row["sums"],
            ("met" if p.get("rate", 0) >= 0.9 * c["rate"] else "missed") if "rate" in c else "-"))
    w("")

    # 3
    w("## 3. Open: `ptwalk info DUMP` vs libkdumpfile's open (kdump_new, the file, then its address "
      "translation set up; bench/kdumpfile_xlat.c `open`) vs crash's startup (`crash -s` with `quit`)\n")
    w("Wall time (best of %d) and peak RSS (`/usr/bin/time -v`). Target on the 1 TiB dump: < 100 ms and "
      "< 32 MB.\n" % RUNS)
    w("| dump | ptwalk info | ptwalk Ir | libkdumpfile open (ptwalk ratio) | crash startup (ptwalk ratio) | target |")
    w("|---|---|---|---|---|---|")
    for row in R["open"]:
        p = row["ptwalk"]
        cells = []
        for peer in ("libkdumpfile", "crash"):
            q = row[peer]
            if "seconds" in q:
                cells.append("%s, %.1f MB (%.1fx faster)" % (fmt_s(q["seconds"]), q["rss"] / 1024,
                                                             q["seconds"] / p["seconds"])
                             if "seconds" in p else "%s, %.1f MB" % (fmt_s(q["seconds"]), q["rss"] / 1024))
            else:
                cells.append("skipped: " + q["skip"])
        tgt = "-"
        if "1 TiB" in row["label"] and "seconds" in p:
            tgt = "%s" % ("met" if p["seconds"] < 0.1 and p["rss"] < 32 * 1024 else "missed")
        w("| %s | %s | %s | %s | %s | %s |" % (
            row["label"], "%s, %.1f MB" % (fmt_s(p["seconds"]), p["rss"] / 1024) if "seconds" in p else
            "failed: " + p["skip"], f"{row['ptwalk_ir']:,}" if row.get("ptwalk_ir") else "-",
            cells[0], cells[1], tgt))
    w("")

    # 4
    w("## 4. Full kernel `ptwalk maps DUMP` vs merely reading every table page it visits\n")
    w("The floor is bench/table_read.c: libptwalk's open, then a depth-first walk from the kernel root "
      "reading each table once (ptw_source_read_phys) and decoding entries only to find child tables. "
      "Both are whole processes (open included); the walk alone is also shown. Target: maps within 2x "
      "of the floor.\n")
    w("| dump | tables (bytes) | maps | floor (walk alone) | maps / floor | maps Ir | floor Ir | Ir ratio | target |")
    w("|---|---|---|---|---|---|---|---|---|")
    for row in R["maps"]:
        if "skip" in row:
            w("| %s | skipped: %s | | | | | | | |" % (row["case"], row["skip"]))
            continue
        ratio = row["maps"] / row["floor"]
        irr = row["maps_ir"] / row["floor_ir"] if row.get("maps_ir") and row.get("floor_ir") else None
        w("| %s | %d (%s) | %s | %s (%s) | %.2fx | %s | %s | %s | %s |" % (
            row["case"], row["tables"], f"{row['table_bytes']:,}", fmt_s(row["maps"]), fmt_s(row["floor"]),
            "%.3f ms" % (row["walk_only"] * 1e3), ratio, f"{row['maps_ir']:,}" if row.get("maps_ir") else "-",
            f"{row['floor_ir']:,}" if row.get("floor_ir") else "-", "%.2fx" % irr if irr else "-",
            "met" if ratio <= 2 else "missed (time)" + (", met in Ir" if irr and irr <= 2 else "")))
    w("")

    # 5
    w("## 5. Instruction counts (callgrind)\n")
    w("Ir per address for vtop (first %s addresses of each list) and per MiB for reads (first %d MiB) are in "
      "the tables above; info and maps are whole runs." % (f"{CALLGRIND_VTOP:,}", CALLGRIND_READ >> 20))
    if R.get("stability"):
        name, a, b = R["stability"]
        w(" Stability: two callgrind runs of the same vtop on %s counted %s and %s instructions (%s).\n" % (
            name, f"{a:,}", f"{b:,}", "identical" if a == b else "differ by %.4f%%" % (100 * abs(a - b) / a)))
    w("\nWhere ptwalk's instructions go (self cost, callgrind_annotate):\n")
    for row in R["vtop"][:1] + R["reads"]:
        hot = row.get("hot")
        if not hot:
            continue
        w("- %s %s: %s" % ("vtop" if "case" in row else "read", row.get("case") or row.get("label"),
                           "; ".join("%s %s (%s)" % (share, fn, f) for share, f, fn in hot[:6])))
    for row in R["maps"]:
        if row.get("hot"):
            w("- maps %s: %s" % (row["case"], "; ".join("%s %s (%s)" % (s, fn, f) for s, f, fn in row["hot"])))
    for row in R["open"]:
        if "1 TiB" in row["label"] and not row.get("hot"):
            row["hot"] = hot_spots("info-" + re.sub(r"\W+", "_", row["label"])[:40], 5)
        if row.get("hot") and "1 TiB" in row["label"]:
            w("- info %s: %s" % (row["label"], "; ".join("%s %s (%s)" % (s, fn, f) for s, f, fn in row["hot"])))
    w("")
    with open(OUT, "w") as f:
        f.write("\n".join(L) + "\n")
    json.dump(R, open(path("results.json"), "w"), indent=1, default=str)
    log("wrote %s" % OUT)


def main():
    if sys.argv[1:] == ["--report"]:  # rewrite results.md from the last run's results.json
        report(json.load(open(path("results.json"))))
        return
    only = set(sys.argv[1:])  # e.g. `vtop reads open maps api`; default: all
    cases = find_cases()
    log("dumps, largest first: %s" % ", ".join("%s (%s)" % (c.name, os.path.basename(c.file)) for c in cases))
    R = {"vtop": [], "reads": [], "open": [], "maps": []}
    # Some sections only: the others are kept from the last run's results.
    if only and os.path.exists(path("results.json")):
        prev = json.load(open(path("results.json")))
        R.update({k: v for k, v in prev.items() if k in R and k not in only})
    if "api" in only and "vtop" not in only:
        bench_api(cases, R)
    if not only or "vtop" in only:
        bench_vtop(cases, R)
    if not only or "reads" in only:
        bench_reads(cases, R)
    if not only or "open" in only:
        bench_open(cases, R)
    if not only or "maps" in only:
        bench_maps(cases, R)
    if not only or "vtop" in only:
        bench_vtop_instructions(cases, R)
    report(R)


if __name__ == "__main__":
    main()
