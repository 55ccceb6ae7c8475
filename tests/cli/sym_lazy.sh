#!/bin/bash
# vtop of one kernel-image address names it from kallsyms without loading
# the whole table (ptw_dump_name_address: one bisection of the address
# table and one name expanded): the name must be the one the loaded table
# gives (tests/cli/truth_sym.sh and truth_vtop.sh check that against the
# guest's own /proc/kallsyms). On every sample dump, 60 addresses, each in
# its own process (the first naming in a process is the lazy one): symbol
# starts, +1 and +0x40 into symbols all over the table, the ends of
# regions (_etext), VMCOREINFO's data symbols and the table's first and last
# symbols; the same addresses after `_stext` was resolved by name (which
# loads the table) give the loaded table's answers.
. "${top_srcdir:-.}/tests/cli/lib.sh"

if ! command -v python3 >/dev/null; then echo "1..0 # SKIP python3 is not installed"; exit 77; fi

for truth in "$TESTDATA"/*/truth.json; do
	dir=$(dirname "$truth")
	case=$(basename "$dir")
	dump="$dir/vmcore.kdump-zlib.flat"
	[ -f "$dump" ] || continue
	"$PTWALK" sym "$dump" --list >"$WORK/list" 2>/dev/null
	python3 - "$WORK/list" "$truth" >"$WORK/addrs" <<'PY'
import json, sys
rows = [l.split() for l in open(sys.argv[1]) if len(l.split()) == 3]
t = json.load(open(sys.argv[2]))
stext = int(t["symbols"]["_stext"], 16)
image = [int(a, 16) for a, _, _ in rows if stext - (2 << 20) <= int(a, 16) < stext + (256 << 20)]
image.sort()
out = []
step = max(1, len(image) // 15)
for a in image[::step][:15]:
    out += [a, a + 1, a + 0x40]
out += [image[0], image[-1], image[-1] + 0x10]
for name in ("_etext", "_edata", "_end", "_sinittext", "init_uts_ns", "prb", "clear_seq", "init_task"):
    if name in t["symbols"]:
        a = int(t["symbols"][name], 16)
        out += [a, a + 8]
for a in out:
    if stext - (2 << 20) <= a < stext + (256 << 20):
        print("%#x" % a)
PY
	n=$(wc -l <"$WORK/addrs")
	: >"$WORK/lazy"
	while read -r a; do
		"$PTWALK" vtop "$dump" "$a" --json 2>/dev/null | head -1 >>"$WORK/lazy"
	done <"$WORK/addrs"
	# shellcheck disable=SC2046
	"$PTWALK" vtop "$dump" _stext $(cat "$WORK/addrs") --json 2>/dev/null | tail -n +2 >"$WORK/loaded"
	out=$(python3 - "$WORK/lazy" "$WORK/loaded" <<'PY'
import json, sys
lazy = [json.loads(l) for l in open(sys.argv[1])]
loaded = [json.loads(l) for l in open(sys.argv[2])]
if len(lazy) != len(loaded):
    print("%d lazy answers, %d loaded" % (len(lazy), len(loaded)))
    sys.exit(1)
bad = ["%s: %s, loaded %s" % (a["va"], a.get("symbol"), b.get("symbol"))
       for a, b in zip(lazy, loaded) if a.get("symbol") != b.get("symbol") or a["va"] != b["va"]]
named = sum(1 for a in lazy if a.get("symbol"))
print("%d addresses (%d named): %s" % (len(lazy), named, "; ".join(bad[:5]) if bad else "all as the loaded table"))
sys.exit(1 if bad or named == 0 else 0)
PY
)
	[ $? -eq 0 ] && ok "$case: $out" || not_ok "$case: $out"
done
finish
