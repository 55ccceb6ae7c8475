#!/bin/bash
# ptwalk on live kernels: testdata/live-<case>/ holds what a statically linked
# ptwalk answered inside a QEMU guest about the guest's own /proc/kcore
# (testdata/factory/live-kcore.sh), next to the guest's own view of itself.
# Checked against that view, never against ptwalk:
#   info       format kcore, the guest's release, RAM = /proc/iomem's System RAM
#   read       linux_banner = /proc/version
#   vtop       every sampled /proc/kallsyms symbol (kernel image and modules)
#              translates to System RAM (or, in the freed init sections
#              between iomem's Kernel ranges, is not mapped); _text/_stext,
#              _etext, _sdata, __bss_start land where /proc/iomem's Kernel
#              code/data/bss say; the image is one linear offset
#   sym        names resolve to /proc/kallsyms' addresses
#   ptov       System RAM addresses get linear-map addresses at one offset
#   maps       the same mappings as the kernel's page-table dump (debugfs)
#              where the guest has one, region markers aside, except for
#              ranges that changed between the kernel's two dumps taken
#              before and after
#   check      no W+X findings where the kernel's own CONFIG_DEBUG_WX check
#              said "no W+X pages found"; exit 0 or 3 only
#   log        every line is one of dmesg's
#   ps         every process of /proc is listed with its parent and name
#   vmas       PID 1's areas = /proc/1/maps (where recorded)
#   holes      reads of non-RAM physical memory are not in the dump (exit 4)
#   refusals   not root / lockdown: exit 1 with the message naming why
. "${top_srcdir:-.}/tests/cli/lib.sh"

if ! command -v python3 >/dev/null || ! command -v xz >/dev/null; then
	echo "1..0 # SKIP python3 or xz is not installed"
	exit 77
fi
cases=$(ls -d "$TESTDATA"/live-* 2>/dev/null)
if [ -z "$cases" ]; then
	echo "1..0 # SKIP no testdata/live-* recorded"
	exit 77
fi

for dir in $cases; do
	c=$(basename "$dir")
	python3 - "$dir" >"$WORK/py.out" 2>&1 <<'PY'
import json, lzma, os, re, sys

d = sys.argv[1]


def text(name):
    p = os.path.join(d, name)
    if os.path.exists(p + ".xz"):
        return lzma.open(p + ".xz", "rt", errors="replace").read()
    return open(p, errors="replace").read() if os.path.exists(p) else None


def rc(name):
    t = text(name + ".rc")
    return int(t) if t else None


def result(ok, what):
    print(("ok - " if ok else "not ok - ") + what)


def jsonl(name):
    return [json.loads(l) for l in (text(name) or "").splitlines() if l.strip()]


if "lockdown" in d:
    err = text("info.err") or ""
    result(rc("info") == 1, "lockdown: info exits 1 (%s)" % rc("info"))
    result(re.match(r"ptwalk: /proc/kcore: open \(the kernel is locked down: lockdown=confidentiality", err)
           is not None, "lockdown: the message names lockdown: " + err.strip())
    result("[confidentiality]" in (text("lockdown") or ""), "lockdown: the guest was locked down")
    sys.exit(0)

# /proc/iomem: System RAM and the kernel image's ranges
ram, image = [], {}
for line in text("iomem").splitlines():
    m = re.match(r"\s*([0-9a-f]+)-([0-9a-f]+) : (.*)", line)
    if not m:
        continue
    a, b, what = int(m.group(1), 16), int(m.group(2), 16) + 1, m.group(3)
    if what == "System RAM":
        ram.append((a, b))
    elif what.startswith("Kernel "):
        image[what] = (a, b)
in_ram = lambda pa: any(a <= pa < b for a, b in ram)

info = json.loads(text("info.out"))
result(rc("info") == 0 and info["format"] == "kcore", "info: format %s" % info["format"])
result(info["osrelease"] == text("uname").strip(), "info: release %s" % info["osrelease"])
ranges = [(int(r["start"], 16), int(r["end"], 16)) for r in info["memory"]["ranges"]]
# the kernel's kcore RAM entries are whole pages of each System RAM range
want = [(-(-a // 4096) * 4096, b // 4096 * 4096) for a, b in ram]
result(ranges == want, "info: memory ranges are System RAM's pages (%d ranges)" % len(ranges))
result(info["translation"] is not None, "info: translation from the VMCOREINFO note")

banner = open(os.path.join(d, "banner.out"), "rb").read().split(b"\0")[0].decode(errors="replace")
if " linux_banner" in text("kallsyms.sample"):
    result(rc("banner") == 0 and banner.rstrip("\n") == text("version").rstrip("\n"),
           "read linux_banner = /proc/version")
else:
    # Debian's arm64 kernel has no CONFIG_KALLSYMS_ALL: no data symbols
    result(rc("banner") == 2 and "no symbol" in (text("banner.err") or ""),
           "read linux_banner: no such symbol, as the guest's kallsyms has none")

# vtop of the kallsyms sample
syms = []
for line in text("kallsyms.sample").splitlines():
    f = line.split()
    syms.append((int(f[0], 16), f[1], f[2], len(f) > 3))
vt = jsonl("vtop.out")
result(rc("vtop") in (0, 4) and len(vt) == len(syms), "vtop: %d records for %d symbols" % (len(vt), len(syms)))
bad, offsets = [], set()
pa_of = {}
# the kernel image's VA - PA, from its first symbol that translates
image_delta = next((va - int(r["pa"], 16) for (va, t, name, module), r in zip(syms, vt)
                    if not module and r["status"] == "ok"), None)
in_image = lambda pa: any(a <= pa < b for a, b in image.values())
freed_init = 0
for (va, t, name, module), r in zip(syms, vt):
    if (r["status"] == "not-mapped" and not module and image_delta is not None
            and not in_image(va - image_delta)):
        # the init sections lie between iomem's Kernel ranges; arm64 unmaps
        # them once boot has freed them
        freed_init += 1
        continue
    if int(r["va"], 16) != va or r["status"] != "ok" or not in_ram(int(r["pa"], 16)):
        bad.append("%s %x %s" % (name, va, r.get("status")))
        continue
    pa = int(r["pa"], 16)
    pa_of[name] = pa
    if not module:
        offsets.add(va - pa)
result(not bad, "vtop: %d symbols translate into System RAM, %d not mapped (freed init sections, outside iomem's Kernel ranges)%s"
       % (len(syms) - freed_init, freed_init, (": " + ", ".join(bad[:5])) if bad else ""))
result(len(offsets) == 1, "vtop: the kernel image is one linear offset (%d offsets)" % len(offsets))
nmod = sum(1 for s in syms if s[3])
result(nmod > 0 or "small" in d, "vtop: %d module symbols among them" % nmod)  # the small kernel has no modules
# arch/x86/kernel/setup.c: code _text.._etext, rodata, data _sdata.., bss;
# arch/arm64/kernel/setup.c: code _stext..__init_begin, data _sdata.._end
if info["arch"] == "x86_64":
    resources = (("_text", "Kernel code", False), ("_etext", "Kernel code", True),
                 ("_sdata", "Kernel data", False), ("__bss_start", "Kernel bss", False),
                 ("__start_rodata", "Kernel rodata", False))
else:
    resources = (("_stext", "Kernel code", False), ("_sdata", "Kernel data", False))
for sym, res, end in resources:
    if res in image and sym in pa_of:
        want_pa = image[res][1] if end else image[res][0]
        result(pa_of[sym] == want_pa, "vtop %s = iomem %s %s (0x%x, 0x%x)"
               % (sym, res, "end" if end else "start", pa_of[sym], want_pa))

# sym: each sampled name (the first 300 outside modules, as the guest asked)
# is printed with its kallsyms address among those of that name
got = {}
for r in jsonl("sym.out"):
    got.setdefault(r["name"], set()).add(int(r["address"], 16))
asked = [(va, name) for va, t, name, module in syms if not module][:300]
wrong = [name for va, name in asked if va not in got.get(name, ())]
result(rc("sym") == 0 and len(asked) > 100 and not wrong,
       "sym: %d names resolve to kallsyms' addresses%s" % (len(asked), (": " + ", ".join(wrong[:5])) if wrong else ""))

# ptov: linear map at one offset, for System RAM
pt = jsonl("ptov.out")
lin = {int(r["linear"], 16) - int(r["pa"], 16) for r in pt if r.get("linear")}
result(rc("ptov") == 0 and len(pt) == 3 * len(ram) and len(lin) == 1 and all(in_ram(int(r["pa"], 16)) for r in pt),
       "ptov: %d System RAM addresses, one linear offset" % len(pt))
tr = info["translation"]
po = (int(tr["page_offset"], 16) - int(tr.get("phys_offset") or "0", 16)) % (1 << 64)
result(lin == {po}, "ptov: the offset is info's page_offset - phys_offset")

# maps against the kernel's own dump. The mappings are compared with the
# region markers taken out (runs the kernel split only at a marker merged
# again), so that where ptwalk places a marker (tests/cli/truth_ptdump.sh
# holds it to the kernel's) does not hide a difference in the tables;
# lines of ranges that changed between the kernel's two dumps (taken before
# and after ptwalk's) are left out.
def runs(lines):
    out = []
    for l in lines:
        m = re.match(r"0x([0-9a-f]+)-0x([0-9a-f]+)\s+\S+\s(.*)$", l)
        if not m:
            continue
        a, b, attrs = int(m.group(1), 16), int(m.group(2), 16), " ".join(m.group(3).split())
        if out and out[-1][1] == a and out[-1][2] == attrs:
            out[-1] = (out[-1][0], b, attrs)
        else:
            out.append((a, b, attrs))
    return out


p1, p2 = text("ptdump.1"), text("ptdump.2")
if p1 is not None:
    mine_lines = (text("maps.out") or "").splitlines()
    k1, k2 = runs(p1.splitlines()), runs((p2 or "").splitlines())
    mine = runs(mine_lines)
    moved = set(k1) ^ set(k2)  # runs that changed while ptwalk read the tables
    lo_moved = [(a, b) for a, b, _ in moved]
    touched = lambda r: any(r[0] < b and a < r[1] for a, b in lo_moved)
    extra = [r for r in mine if r not in set(k1) and not touched(r)]
    missing = [r for r in k1 if r not in set(mine) and not touched(r)]
    fmt = lambda r: "%x-%x %s" % r
    result(rc("maps") == 0 and len(k1) > 50 and not extra and not missing,
           "maps = the kernel's page-table dump (%d runs without markers; %d changed between the kernel's two dumps)%s"
           % (len(k1), len(moved), (": ptwalk %s | kernel %s" % ([fmt(r) for r in extra[:2]], [fmt(r) for r in missing[:2]]))
              if extra or missing else ""))
    km = [l for l in p1.splitlines() if l.startswith("---[")]
    mm = [l for l in mine_lines if l.startswith("---[")]
    print("# region markers: kernel %d, ptwalk %d%s" % (len(km), len(mm), "" if km == mm else
          " (differ: %s)" % sorted(set(km) ^ set(mm))))
else:
    result(rc("maps") == 0 and len((text("maps.out") or "").splitlines()) > 20,
           "maps runs (the guest kernel has no page-table dump in debugfs)")

# check: the kernel's own W+X verdict
console = text("console.log") or ""
findings = jsonl("check.out")
result(rc("check") in (0, 3), "check exits %s" % rc("check"))
if "no W+X pages found" in console:
    wx = [f for f in findings if f.get("kind") == "wx"]
    result(not wx, "check: no wx findings, as the kernel's CONFIG_DEBUG_WX found none (%d)" % len(wx))
kinds = sorted({f.get("kind") for f in findings})
print("# check findings: %d %s" % (len(findings), kinds))

# log against dmesg
dmesg = set((text("dmesg") or "").splitlines())
log = (text("log.out") or "").splitlines()
notin = [l for l in log if l not in dmesg]
result(rc("log") == 0 and len(log) > 50 and not notin,
       "log: %d lines, all of them dmesg's%s" % (len(log), (": " + notin[0]) if notin else ""))

# ps against /proc
ps = {r["pid"]: r for r in jsonl("ps.out")}
procs = [l.split(None, 2) for l in text("tasks").splitlines()]
def same_comm(comm, proc):
    # task->comm holds 15 characters; /proc shows a kernel thread's full
    # name, and a kworker's with "-" and its current workqueue appended
    return comm == proc[:15] or proc.startswith(comm + "-")


# the shell's own short-lived helpers (cut, cat) started after ps ran
# (pids grow: a process with a pid above all of ps's was born after ps ran)
miss = [p for p in procs if int(p[0]) not in ps and int(p[0]) < max(ps) and p[2] not in ("cut", "cat", "sh")]
wrong = [p for p in procs if int(p[0]) in ps and
         (ps[int(p[0])]["ppid"] != int(p[1]) or not same_comm(ps[int(p[0])]["comm"], p[2]))]
result(rc("ps") == 0 and not miss and not wrong,
       "ps: %d processes of /proc listed with parent and name%s" % (len(procs), (": %s %s" % (miss[:3], wrong[:3])) if miss or wrong else ""))

# vmas of PID 1 (the guest's /init shell) against its /proc/1/maps
if text("maps.pid1") is not None:
    def spans(t):
        return [tuple(l.split()[:2]) for l in t.splitlines() if l.strip()]
    want, got = spans(text("maps.pid1")), spans(text("vmas.out") or "")
    result(rc("vmas") == 0 and want and got == want,
           "vmas --pid 1 = /proc/1/maps (%d areas: ranges and permissions)%s"
           % (len(want), "" if got == want else ": %s vs %s" % (got[:2], want[:2])))

# holes and refusals
for name in ("hole", "hole-far"):
    result(rc(name) == 4 and "not-in-dump" in (text(name + ".err") or ""), "%s: not in the dump, exit 4" % name)
result(not in_ram(0xa0000), "hole: 0xa0000 is not System RAM in /proc/iomem")
err = (text("notroot.err") or "").strip()
result(rc("notroot") == 1 and err == "ptwalk: /proc/kcore: open (the kernel's memory is readable by root only): Permission denied",
       "not root: " + err)
PY
	while IFS= read -r line; do
		case $line in
		"ok - "*) ok "$c: ${line#ok - }" ;;
		"not ok - "*) not_ok "$c: ${line#not ok - }" ;;
		*) echo "# $c: $line" ;;
		esac
	done <"$WORK/py.out"
done
finish
