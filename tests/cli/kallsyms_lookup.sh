#!/bin/bash
# One kallsyms name looked up without decoding the table (bisection of
# kallsyms_seqs_of_names, as the kernel's kallsyms_lookup_name does; what
# finds __start_BTF on Debian's x86-64 kernels), on every sample dump:
# - every symbol of the guest's /proc/kallsyms in truth.json that the
#   lookup finds is at the truth address, and _stext is always found
#   (kallsyms always has text symbols);
# - __start_BTF, where the truth has it, is found at its address; on a
#   kernel with data symbols and no BTF it is not found;
# - a name no kernel has is not found;
# - 300 names spread over the whole table (from `sym --list`, itself
#   checked against the truth by truth_sym.sh) each give the address the
#   full decoding gives, when the name is unique: the bisection reaches
#   every part of the sorted table.
. "${top_srcdir:-.}/tests/cli/lib.sh"
LOOKUP="$top_builddir/tests/kallsyms-lookup"

if ! command -v python3 >/dev/null; then echo "1..0 # SKIP python3 is not installed"; exit 77; fi
[ -x "$LOOKUP" ] || { echo "1..0 # SKIP $LOOKUP not built"; exit 77; }

for truth in "$TESTDATA"/*/truth.json; do
	dir=$(dirname "$truth")
	case=$(basename "$dir")
	dump="$dir/vmcore.kdump-zlib.flat"
	[ -f "$dump" ] || continue
	truth_symbols "$truth" >"$WORK/syms"
	# shellcheck disable=SC2046
	"$LOOKUP" "$dump" $(cut -d' ' -f1 "$WORK/syms") no_such_symbol_anywhere __start_BTF >"$WORK/got" 2>"$WORK/err"
	rc=$?
	[ $rc -eq 0 ] && ok "$case: lookups ran" || { not_ok "$case: exit $rc: $(head -3 "$WORK/got" "$WORK/err")"; continue; }
	out=$(python3 - "$WORK/syms" "$WORK/got" <<'PY'
import sys
truth = dict(l.split() for l in open(sys.argv[1]))
got = dict(l.split(None, 1) for l in open(sys.argv[2]))
bad, found = [], 0
for name, addr in truth.items():
    g = got.get(name, "").strip()
    if g == "not-found":
        continue
    found += 1
    if int(g, 16) != int(addr, 16):
        bad.append("%s: %s, truth %s" % (name, g, addr))
if got.get("_stext", "").strip() == "not-found":
    bad.append("_stext not found")
if got.get("no_such_symbol_anywhere", "").strip() != "not-found":
    bad.append("no_such_symbol_anywhere: %s" % got.get("no_such_symbol_anywhere"))
if "__start_BTF" in truth and got["__start_BTF"].strip() == "not-found":
    bad.append("__start_BTF not found")
print("%d/%d truth names found; %s" % (found, len(truth), "; ".join(bad) if bad else "all at the truth address"))
sys.exit(1 if bad else 0)
PY
)
	[ $? -eq 0 ] && ok "$case: $out" || not_ok "$case: $out"

	# A spread of names against the full decoding.
	"$PTWALK" sym "$dump" --list >"$WORK/list" 2>/dev/null
	python3 - "$WORK/list" >"$WORK/sample" <<'PY'
import collections, sys
rows = [l.split() for l in open(sys.argv[1]) if len(l.split()) == 3]
count = collections.Counter(r[2] for r in rows)
unique = [r for r in rows if count[r[2]] == 1]
step = max(1, len(unique) // 300)
for r in unique[::step][:300]:
    print(r[2], r[0])
PY
	# shellcheck disable=SC2046
	"$LOOKUP" "$dump" $(cut -d' ' -f1 "$WORK/sample") >"$WORK/got" 2>"$WORK/err"
	out=$(python3 - "$WORK/sample" "$WORK/got" <<'PY'
import sys
want = [l.split() for l in open(sys.argv[1])]
got = dict(l.split(None, 1) for l in open(sys.argv[2]))
bad = [n for n, a in want if got.get(n, "").strip() == "not-found" or
       not got.get(n, "").strip().startswith("0x") or int(got[n], 16) != int(a, 16)]
print("%d names, %d differ%s" % (len(want), len(bad), (": " + ", ".join(bad[:5])) if bad else ""))
sys.exit(1 if bad or len(want) < 100 else 0)
PY
)
	[ $? -eq 0 ] && ok "$case: $out" || not_ok "$case: $out"
done
finish
