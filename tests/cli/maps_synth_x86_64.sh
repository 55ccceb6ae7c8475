#!/bin/bash
# x86-64 `maps` and `check` on a synthetic dump: the text of
# tests/specs/check/x86_64-base.spec against the listing worked out by hand
# (x86_64-base.maps.expect, following note_page() and printk_prot() of
# arch/x86/mm/dump_pagetables.c, 6.1 = 6.12): the user half first, one
# marker crossed per note (so "LDT remap" heads the direct map's first
# run), a break where only the effective permissions change (PT[511] of
# PMD[9] and PT[0] under the read-only PMD[10]), and the last run ending at
# 0. JSON records, a clean check, and one finding per planted problem.
. "${top_srcdir:-.}/tests/cli/lib.sh"
MKDUMP="$top_builddir/tests/mkdump"
SPECS="$top_srcdir/tests/specs/check"
BASE="$SPECS/x86_64-base.spec"

"$MKDUMP" "$BASE" "$WORK/base" || exit 1
expect_exit 0 "maps text runs" -- "$PTWALK" maps "$WORK/base"
if diff -u "$SPECS/x86_64-base.maps.expect" "$WORK/out" >"$WORK/diff"; then ok "text equals the hand-worked dump_pagetables listing"
else not_ok "text differs from x86_64-base.maps.expect"; sed 's/^/#   /' "$WORK/diff" | head -20; fi

expect_exit 0 "maps --json runs" -- "$PTWALK" maps "$WORK/base" --json
python3 - "$WORK/out" <<'PY' >"$WORK/py" 2>&1
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
M = 1 << 20
want = [  # start, end, pa, page_size, region: from the spec by hand
    (0xffff888000000000, 0xffff888000400000, 0x0, 2 * M, "direct map"),   # PA 0 and 0x200000: contiguous
    (0xffffc90000001000, 0xffffc90000002000, 0x300000, 4096, "vmalloc"),
    (0xffffffff81000000, 0xffffffff81200000, 0x0, 2 * M, "kernel text"),
    (0xffffffff81200000, 0xffffffff81202000, 0x202000, 4096, "kernel text"),
    (0xffffffff813ff000, 0xffffffff81400000, 0x204000, 4096, "kernel text"),
    (0xffffffff81400000, 0xffffffff81401000, 0x205000, 4096, "kernel text"),
]
got = [(int(r["start"], 16), int(r["end"], 16), int(r["pa"], 16), r["page_size"], r["region"]) for r in recs]
assert got == want, got
a = recs[2]["attrs"]
assert a["ps"] and not a["rw"] and not a["nx"] and a["g"], a
assert recs[1]["attrs"]["nx"] and recs[1]["attrs"]["rw"] and recs[1]["level"] == 4, recs[1]
print("records ok")
PY
if grep -q "records ok" "$WORK/py"; then ok "JSON records: starts, ends, PAs, regions, attributes"; else
	not_ok "JSON records"; sed 's/^/#   /' "$WORK/py"; fi

expect_exit 0 "check on the clean base" -- "$PTWALK" check "$WORK/base" --json

# expect_finding KIND VA DESCRIPTION mkdump -D lines...
expect_finding() {
	local kind=$1 va=$2 what=$3; shift 3
	local d=()
	for line in "$@"; do d+=(-D "$line"); done
	"$MKDUMP" "${d[@]}" "$BASE" "$WORK/dump" >"$WORK/mk.err" 2>&1 || { not_ok "$what: mkdump failed"; return; }
	"$PTWALK" check "$WORK/dump" --json >"$WORK/out" 2>"$WORK/err"
	local rc=$? n
	n=$(wc -l <"$WORK/out")
	if [ $rc -eq 3 ] && [ "$n" -eq 1 ] && grep -q "\"kind\": \"$kind\"" "$WORK/out" &&
		grep -q "\"va\": \"$va\"" "$WORK/out"; then
		ok "$what: one $kind finding"
	else
		not_ok "$what: exit $rc, $n findings, wanted one $kind at $va"
		sed 's/^/#   /' "$WORK/out" "$WORK/err" | head -6
	fi
}

# PT[2] of the text: RW without NX (note_wx: eff RW and not eff NX)
expect_finding wx 0xffffffff81202000 "W+X page" 'u64 0x18010 = 0x0000000000206163'
# US on every level of the vmalloc page's path: user mode reaches it
expect_finding user-kernel 0xffffc90000001000 "user-accessible kernel page" \
	'u64 0x10c90 = 0x13067' 'u64 0x13000 = 0x14067' 'u64 0x14000 = 0x15067' 'u64 0x15008 = 0x8000000000300167'
# PMD[12]: a 2M page with bit 13 set
expect_finding reserved-bits 0xffffffff81800000 "2M page with a reserved address bit" \
	'u64 0x17060 = 0x80000000004021e3'
# PML4[300]: PS in a PML4E; VA = -(512 - 300) << 39
expect_finding bad-block-level 0xffff960000000000 "PS in a PML4 entry" 'u64 0x10960 = 0xe3'
# PT[5]: a normal (write-back) page at 1G, beyond the 4M of memory
expect_finding outside-memory 0xffffffff81205000 "page outside memory" 'u64 0x18028 = 0x8000000040000163'
# direct map PMD[1] maps PA 0 again: page_offset_base + 0x200000 must map 0x200000
expect_finding linear-map-mismatch 0xffff888000200000 "direct map out of place" \
	'u64 0x12008 = 0x80000000000001e3'
finish
