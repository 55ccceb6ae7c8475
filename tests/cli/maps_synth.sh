#!/bin/bash
# `ptwalk maps` on synthetic dumps: the text of tests/specs/check/base.spec
# against the listing worked out by hand (base.maps.expect, following
# note_page() of arch/arm64/mm/ptdump.c); JSON records sorted, disjoint and
# with the PAs the spec planted; a missing table is one gap and the walk
# goes on; a self-referencing table ends as a bad entry, not a hang.
. "${top_srcdir:-.}/tests/cli/lib.sh"
MKDUMP="$top_builddir/tests/mkdump"
SPECS="$top_srcdir/tests/specs/check"

"$MKDUMP" "$SPECS/base.spec" "$WORK/base" || exit 1
expect_exit 0 "maps text runs" -- "$PTWALK" maps "$WORK/base"
if diff -u "$SPECS/base.maps.expect" "$WORK/out" >"$WORK/diff"; then ok "text equals the hand-worked ptdump listing"
else not_ok "text differs from base.maps.expect"; sed 's/^/#   /' "$WORK/diff" | head -20; fi

expect_exit 0 "maps --json runs" -- "$PTWALK" maps "$WORK/base" --json
python3 - "$WORK/out" <<'PY' >"$WORK/py" 2>&1
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
want = [  # start, end, pa, page_size, region: from base.spec by hand
    (0xffff000000000000, 0xffff000000400000, 0x40000000, 2 << 20, "linear map"),
    (0xffff800000010000, 0xffff800000011000, 0x40010000, 4096, None),
    (0xffff800000011000, 0xffff800000012000, 0x40011000, 4096, None),
]
got = [(int(r["start"], 16), int(r["end"], 16), int(r["pa"], 16), r["page_size"]) for r in recs]
assert got == [w[:4] for w in want], got
assert recs[0]["region"] == "linear map", recs[0]["region"]
assert recs[1]["attrs"]["ap"] == "ro" and recs[1]["attrs"]["pxn"] is False, recs[1]["attrs"]
assert recs[2]["attrs"]["ap"] == "rw" and recs[2]["attrs"]["pxn"] is True, recs[2]["attrs"]
print("records ok")
PY
if grep -q "records ok" "$WORK/py"; then ok "JSON records: starts, ends, PAs, attributes"; else
	not_ok "JSON records"; sed 's/^/#   /' "$WORK/py"; fi

# A table inside memory but filtered out of a kdump: one gap, the rest listed.
"$MKDUMP" -D 'u64 0x40005020 = 0x40300003' -D 'exclude 0x40300000 +4K' -D 'format kdump' \
	"$SPECS/base.spec" "$WORK/gap" || exit 1
expect_exit 0 "maps with a missing table" -- "$PTWALK" maps "$WORK/gap" --json
if grep -q '"gap": true, "start": "0xffff000000800000", "end": "0xffff000000a00000", "missing_pa": "0x40300000"' "$WORK/out" &&
	grep -q '"pa": "0x40011000"' "$WORK/out"; then ok "gap record, and the walk went on"; else
	not_ok "gap record"; sed 's/^/#   /' "$WORK/out" | head; fi
expect_stderr "1 table\(s\) missing" "missing table warned once"
expect_exit 0 "maps text with a missing table" -- "$PTWALK" maps "$WORK/gap"
if grep -q '^0xffff000000800000-0xffff000000a00000           2M PMD   \[table at 0x40300000 not in dump\]$' "$WORK/out"; then
	ok "gap line in the text listing"; else not_ok "gap line"; grep -n 'not in dump' "$WORK/out" | head -3; fi

# A table that points to itself: a bad entry, a bounded walk.
"$MKDUMP" -D 'u64 0x40001008 = 0x40001003' "$SPECS/base.spec" "$WORK/loop" || exit 1
expect_exit 0 "maps with a table loop ends" -- timeout 20 "$PTWALK" maps "$WORK/loop" --json
if grep -q '"bad": true, "start": "0xffff800040000000".*"reason": "table loop' "$WORK/out"; then
	ok "loop reported as a bad entry"; else not_ok "loop record"; sed 's/^/#   /' "$WORK/out" | head -5; fi

# Aliasing: all 512 entries of the image's L1 table point to one L2 table,
# all of whose entries point to one L3 table of 512 valid pages. The tree
# then holds 2^27 leaves in 4 MiB of memory; each table is listed once and
# the later entries leading to it are one alias record per run (issue 15),
# so the walk ends well before its work bound: 512 leaf records (one L3
# table of pages all mapping one PA), two runs of 511 aliases, the base tree.
alias=()
for i in $(seq 0 511); do
	alias+=(-D "u64 $((0x40006000 + 8 * i)) = 0x40007003" -D "u64 $((0x40007000 + 8 * i)) = 0x40008003"
		-D "u64 $((0x40008000 + 8 * i)) = 0x0060000040100703")
done
"$MKDUMP" "${alias[@]}" -D 'u64 0x40000808 = 0x40006003' "$SPECS/base.spec" "$WORK/alias" || exit 1
expect_exit 0 "maps over aliased tables ends" -- timeout 60 "$PTWALK" maps "$WORK/alias" --json
if ! grep -q "work bound" "$WORK/err" && [ "$(grep -c '"alias": true' "$WORK/out")" -eq 2 ] &&
	grep -q '"alias": true, "start": "0xffff808000200000", "end": "0xffff808040000000", "size": 1071644672, "level": 2, "entries": 511, "table_pa": "0x40008000", "first_va": "0xffff808000000000"' "$WORK/out" &&
	grep -q '"alias": true, "start": "0xffff808040000000", "end": "0xffff810000000000", "size": 548682072064, "level": 1, "entries": 511, "table_pa": "0x40007000", "first_va": "0xffff808000000000"' "$WORK/out" &&
	[ "$(wc -l <"$WORK/out")" -lt 600 ]; then
	ok "aliased tables: listed once, two runs of 511 aliases, no work bound"; else
	not_ok "aliased tables: $(grep -c '"alias": true' "$WORK/out") alias records, $(wc -l <"$WORK/out") lines"
	grep alias "$WORK/out" | head -3 | sed 's/^/#   /'; sed 's/^/#   /' "$WORK/err" | head -3; fi
expect_exit 0 "maps text over aliased tables ends" -- timeout 60 "$PTWALK" maps "$WORK/alias"
# The L3 table is one run (equal attributes), so the kernel's walk would
# print the 512G as one PTE line: the text shows it so, aliases merged in.
if grep -q '^0xffff808000000000-0xffff810000000000         512G PTE       RW NX SHD AF            UXN    MEM/NORMAL$' "$WORK/out" &&
	! grep -q alias "$WORK/out" && [ "$(wc -l <"$WORK/out")" -lt 100 ]; then
	ok "aliased tables: text shows the kernel's view, one line"; else
	not_ok "aliased tables: text"; grep -n '0xffff808' "$WORK/out" | head -3 | sed 's/^/#   /'; fi
expect_exit 3 "check over aliased tables ends with findings" -- timeout 60 "$PTWALK" check "$WORK/alias" --json
if [ "$(grep -c '"kind": "table-alias"' "$WORK/out")" -eq 2 ] &&
	grep -q '"kind": "table-alias", "va": "0xffff808000000000", "pa": "0x40007000".*"512 entries point' "$WORK/out" &&
	grep -q '"kind": "table-alias", "va": "0xffff808000000000", "pa": "0x40008000".*"512 entries point' "$WORK/out" &&
	! grep -q '"kind": "table-loop"' "$WORK/out"; then ok "aliased tables: one table-alias finding per table"; else
	not_ok "aliased tables finding"; sed 's/^/#   /' "$WORK/out" | tail -3; fi

finish
