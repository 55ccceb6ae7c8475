#!/bin/bash
# `ptwalk log` on every real sample dump against what the guest itself
# printed, none of it from ptwalk:
#  - testdata/CASE/console.log (truth.json "console"): the guest's serial
#    console. Every kernel line on it (one that starts with the printk time
#    stamp "[    1.047661] ") must be a line of `log`, exactly, time stamp
#    included; with "[...][    T1] " caller ids, a line of `log --caller`.
#    Cases without a console log yet are reported, not failed.
#  - the kernel's banner: the bytes at linux_banner (its address from the
#    guest's /proc/kallsyms in truth.json), which start_kernel() logs as one
#    record: a line of `log` ends with "] " and that text.
#  - the kernel lines quoted in truth.json's notes ("guest kernel log: ...").
# And `log --json` describes the same records: sequence numbers increase,
# levels are 0-7, and `--level 4` prints exactly the records of level 0-4.
exec python3 - "$@" <<'PY'
import json, os, re, subprocess, sys
sys.path.insert(0, os.path.join(os.environ.get("top_srcdir", "."), "tests"))
import truth

rep = truth.Report()
STAMP = re.compile(r"^\[ *\d+\.\d{6}\](\[ *[TC]\d+\])? ")

def run(args):
    p = subprocess.run([truth.PTWALK] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return p.returncode, p.stdout.decode("latin1"), p.stderr.decode("latin1")

found = False
no_console = []
for case_dir, t in truth.cases():
    case = os.path.basename(case_dir)
    console_lines = None
    if t.get("console"):
        path = os.path.join(case_dir, t["console"])
        if os.path.exists(path):
            with open(path, "rb") as f:
                console_lines = [l.rstrip("\r\n").rstrip("\r")
                                 for l in f.read().decode("latin1").split("\n")]
    if console_lines is None:
        no_console.append(case)
    for entry in t.get("files", []):
        dump = truth.dump_path(case_dir, entry)
        what = "%s/%s" % (case, entry["name"])
        if not dump:
            rep.check(False, what + ": dump file present")
            continue
        found = True
        rc, out, err = run(["log", dump])
        rep.check(rc == 0 and err == "", what + ": log exits 0 without warnings",
                  "exit %d: %s" % (rc, err.strip()[:300]))
        lines = out.split("\n")[:-1]
        line_set = set(lines)

        # the banner, read at the guest's linux_banner
        banner_va = t.get("symbols", {}).get("linux_banner")
        if banner_va:
            p = subprocess.run([truth.PTWALK, "read", dump, banner_va, "512", "--raw"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            banner = p.stdout.split(b"\n")[0].decode("latin1")
            rep.check(banner.startswith("Linux version ") and
                      any(l.endswith("] " + banner) for l in lines),
                      what + ": the banner at linux_banner is a line of the log", repr(banner[:80]))

        # lines the factory quoted from the guest's kernel log
        for note in t.get("notes", []):
            if not note.startswith("guest kernel log: "):
                continue
            q = note[len("guest kernel log: "):]
            hit = q in line_set if STAMP.match(q) else any(l.endswith("] " + q) for l in lines)
            rep.check(hit, what + ": quoted kernel line is in the log", q[:80])

        # the serial console
        if console_lines is not None:
            kernel = [l for l in console_lines if STAMP.match(l)]
            with_caller = [l for l in kernel if STAMP.match(l).group(1)]
            have = line_set
            if with_caller:
                rc2, out2, _ = run(["log", dump, "--caller"])
                have = set(out2.split("\n"))
            # a ring that wrapped no longer holds what the console printed
            # first: those lines are older than the log's oldest record
            def ts(l):
                return float(l[1:l.index("]")])
            oldest = ts(lines[0]) if lines else 0.0
            gone = [l for l in kernel if ts(l) < oldest]
            kernel = [l for l in kernel if ts(l) >= oldest]
            if gone:
                print("# %s: %d console lines predate the ring's oldest record (overwritten)" % (what, len(gone)))
            missing = [l for l in kernel if l not in have]
            rep.check(kernel and not missing,
                      "%s: all %d kernel lines of the serial console are in the log" % (what, len(kernel)),
                      "%d missing, e.g. %r" % (len(missing), missing[:3]) if kernel else "no kernel lines on the console")

        # JSON agrees with itself and with --level
        rc, js, err = run(["log", dump, "--json"])
        recs = []
        try:
            recs = [json.loads(l) for l in js.split("\n") if l]
            ok = rc == 0 and recs and all(0 <= r["level"] <= 7 for r in recs) and \
                all(b["seq"] > a["seq"] for a, b in zip(recs, recs[1:]))
        except (ValueError, KeyError, TypeError) as e:
            ok = False
        rep.check(ok, what + ": log --json: %d records, sequence numbers increase, levels 0-7" % len(recs))
        text_lines = sum(r["text"].count("\n") + 1 for r in recs) if ok else -1
        rep.check(text_lines == len(lines), what + ": text and JSON hold the same lines",
                  "%d vs %d" % (len(lines), text_lines))
        rc, lv, err = run(["log", dump, "--level", "4"])
        want = sum(r["text"].count("\n") + 1 for r in recs if r["level"] <= 4) if ok else -1
        rep.check(rc == 0 and len(lv.split("\n")) - 1 == want and set(lv.split("\n")[:-1]) <= line_set,
                  what + ": --level 4 keeps the %d lines of records of level 0-4" % want)

if not found:
    print("# SKIP: no sample dumps under testdata/")
    sys.exit(77)
for case in no_console:
    print("# %s: no console log yet (truth.json \"console\"); its console lines were not checked" % case)
sys.exit(rep.finish())
PY
