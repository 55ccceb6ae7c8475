#!/bin/bash
# Symbols against the guest's own /proc/kallsyms (testdata/<case>/truth.json
# "symbols": KASLR applied; names /proc/kallsyms lacked were taken from
# VMCOREINFO): on every sample dump, `sym NAME` gives the truth address,
# `sym ADDRESS` names a symbol at exactly that address, `sym NAME+0x18` adds,
# info says whether kallsyms has data symbols (init_task is in
# /proc/kallsyms only with CONFIG_KALLSYMS_ALL); and `vtop -` given the
# kernel facts' names (SYMBOL and SYMBOL+0x18 lines on stdin) finds the VA
# and the PA QEMU translated them to, naming the symbol in "symbol".
. "${top_srcdir:-.}/tests/cli/lib.sh"

if ! command -v python3 >/dev/null; then
	echo "1..0 # SKIP python3 is not installed"
	exit 77
fi

for truth in "$TESTDATA"/*/truth.json; do
	dir=$(dirname "$truth")
	case=$(basename "$dir")
	dump="$dir/vmcore.kdump-zlib.flat"
	[ -f "$dump" ] || continue
	truth_symbols "$truth" >"$WORK/syms"
	[ -s "$WORK/syms" ] || { not_ok "$case: truth.json has no symbols"; continue; }
	# shellcheck disable=SC2046
	"$PTWALK" sym "$dump" --json $(cut -d' ' -f1 "$WORK/syms") >"$WORK/by-name" 2>"$WORK/err"
	rc=$?
	# shellcheck disable=SC2046
	"$PTWALK" sym "$dump" --json $(cut -d' ' -f2 "$WORK/syms") >"$WORK/by-addr" 2>>"$WORK/err"
	rc2=$?
	# shellcheck disable=SC2046
	"$PTWALK" sym "$dump" --json $(sed 's/ .*/+0x18/' "$WORK/syms") >"$WORK/plus" 2>>"$WORK/err"
	rc3=$?
	"$PTWALK" info "$dump" --json >"$WORK/info" 2>>"$WORK/err"
	python3 - "$truth" >"$WORK/facts" <<'PY'
import json, re, sys
t = json.load(open(sys.argv[1]))
for f in t.get("kernel_facts", []):
    m = re.fullmatch(r"([A-Za-z_.][A-Za-z0-9_.$]*)(\+0x[0-9a-f]+)?", f["what"])
    if m and m.group(1) in t["symbols"]:
        print(f["what"], f["va"], f["pa"] or "null")
PY
	cut -d' ' -f1 "$WORK/facts" | "$PTWALK" vtop "$dump" - --json >"$WORK/vtop" 2>>"$WORK/err"
	out=$(python3 - "$WORK/syms" "$WORK/by-name" "$WORK/by-addr" "$WORK/plus" "$WORK/info" "$WORK/facts" "$WORK/vtop" <<'PY'
import json, sys
truth = [l.split() for l in open(sys.argv[1])]
recs = lambda p: [json.loads(l) for l in open(p)]
by_name, by_addr, plus = recs(sys.argv[2]), recs(sys.argv[3]), recs(sys.argv[4])
info = json.load(open(sys.argv[5]))["symbols"]
bad = []
for name, addr in truth:
    if not any(r["name"] == name and int(r["address"], 16) == int(addr, 16) for r in by_name):
        bad.append("name %s: not at %s" % (name, addr))
if len(by_addr) != len(truth):
    bad.append("%d addresses, %d answers" % (len(truth), len(by_addr)))
else:
    for (name, addr), r in zip(truth, by_addr):
        if int(r["address"], 16) != int(addr, 16) or r["offset"] != 0:
            bad.append("address %s (%s): %s+%d" % (addr, name, r["name"], r["offset"]))
if len(plus) != len(truth):
    bad.append("%d NAME+0x18, %d answers" % (len(truth), len(plus)))
else:
    for (name, addr), r in zip(truth, plus):
        if int(r["address"], 16) != int(addr, 16) + 0x18:
            bad.append("%s+0x18: %s" % (name, r["address"]))
facts = [l.split() for l in open(sys.argv[6])]
vt = recs(sys.argv[7])
if len(vt) != len(facts) or not facts:
    bad.append("%d facts by name, %d vtop answers" % (len(facts), len(vt)))
else:
    for (what, va, pa), r in zip(facts, vt):
        if int(r["va"], 16) != int(va, 16):
            bad.append("vtop %s: va %s, QEMU %s" % (what, r["va"], va))
        elif pa == "null" and r["status"] not in ("not-mapped",):
            bad.append("vtop %s: %s, QEMU: unmapped" % (what, r["status"]))
        elif pa != "null" and (r["status"] != "ok" or int(r["pa"], 16) != int(pa, 16)):
            bad.append("vtop %s: %s %s, QEMU %s" % (what, r["status"], r.get("pa"), pa))
        elif "+" not in what and (r["symbol"] is None or "+" in r["symbol"]):
            bad.append("vtop %s: named %s" % (what, r["symbol"]))
want_data = any(n == "init_task" for n, _ in truth)
if info["source"] != "kallsyms" or info["data_symbols"] != want_data or info["count"] < 1000:
    bad.append("info symbols %s (want kallsyms, data_symbols %s)" % (info, want_data))
print("\n".join(bad[:10]) if bad else "OK %d symbols, %d vtop SYMBOL" % (len(truth), len(facts)))
PY
)
	if [ "$rc" = 0 ] && [ "$rc2" = 0 ] && [ "$rc3" = 0 ] && [ "${out%% *}" = OK ]; then
		ok "$case: ${out#OK } (by name, by address, +0x18; info)"
	else
		not_ok "$case: exits $rc $rc2 $rc3"
		echo "$out" | sed 's/^/#   /'
		sed 's/^/#   /' "$WORK/err" | head -5
	fi
done
finish
