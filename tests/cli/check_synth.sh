#!/bin/bash
# `ptwalk check` on synthetic dumps: a clean base (tests/specs/check/base.spec)
# gives no finding and exit 0; each planted problem gives exactly the one
# expected finding (kind and VA, worked out in the spec's comments), exit 3.
. "${top_srcdir:-.}/tests/cli/lib.sh"
MKDUMP="$top_builddir/tests/mkdump"
BASE="$top_srcdir/tests/specs/check/base.spec"

expect_clean() {
	local what=$1; shift
	"$MKDUMP" "$@" "$BASE" "$WORK/dump" >"$WORK/mk.err" 2>&1 || { not_ok "$what: mkdump failed"; return; }
	"$PTWALK" check "$WORK/dump" --json >"$WORK/out" 2>"$WORK/err"
	local rc=$?
	if [ $rc -eq 0 ] && [ ! -s "$WORK/out" ]; then ok "$what: clean"; else
		not_ok "$what: exit $rc, findings:"; sed 's/^/#   /' "$WORK/out" "$WORK/err" | head -5; fi
}

# expect_finding KIND VA DESCRIPTION [ptwalk options --] mkdump -D lines...
expect_finding() {
	local kind=$1 va=$2 what=$3; shift 3
	local opts=()
	if [ "${1:-}" = "--opts" ]; then
		shift
		while [ "$1" != "--" ]; do opts+=("$1"); shift; done
		shift
	fi
	local d=()
	for line in "$@"; do d+=(-D "$line"); done
	"$MKDUMP" "${d[@]}" "$BASE" "$WORK/dump" >"$WORK/mk.err" 2>&1 || { not_ok "$what: mkdump failed"; cat "$WORK/mk.err"; return; }
	"$PTWALK" check "$WORK/dump" --json "${opts[@]}" >"$WORK/out" 2>"$WORK/err"
	local rc=$?
	local n
	n=$(wc -l <"$WORK/out")
	if [ $rc -eq 3 ] && [ "$n" -eq 1 ] && grep -q "\"kind\": \"$kind\"" "$WORK/out" &&
		{ [ "$va" = - ] || grep -q "\"va\": \"$va\"" "$WORK/out"; }; then
		ok "$what: one $kind finding"
	else
		not_ok "$what: exit $rc, $n findings, wanted one $kind at $va"
		sed 's/^/#   /' "$WORK/out" "$WORK/err" | head -6
	fi
}

expect_clean "base, ELF"
expect_clean "base, kdump zlib" -D 'format kdump' -D 'compress zlib'
expect_clean "base, flattened kdump" -D 'format kdump' -D 'compress zlib' -D 'flatten'

# L3[18]: RW with PXN clear: writable and executable at EL1
expect_finding wx 0xffff800000012000 "W+X page" \
	'u64 0x40003090 = 0x0040000040012703'
# L3[19]: AP[1] set: EL0 can reach a kernel page
expect_finding user-kernel 0xffff800000013000 "EL0-accessible kernel page" \
	'u64 0x40003098 = 0x0060000040013743'
# L3[20]: bit 48 is RES0 in the 48-bit descriptor format
expect_finding reserved-bits 0xffff800000014000 "reserved bit 48" \
	'u64 0x400030a0 = 0x0061000040014703'
# L0[257]: a block at level 0, which 4K pages without LPA2 do not allow
expect_finding bad-block-level 0xffff808000000000 "block at level 0" \
	'u64 0x40000808 = 0x0060000000000701'
# L2[2] of the linear map: a table at 0x7ff00000, outside physical memory
expect_finding outside-memory 0xffff000000400000 "table outside memory" \
	'u64 0x40005010 = 0x7ff00003'
# L3[21]: a normal-memory page at 0x90000000, outside physical memory
expect_finding outside-memory 0xffff800000015000 "normal mapping outside memory" \
	'u64 0x400030a8 = 0x0060000090000703'
# ... while device memory there is MMIO, not a finding (AttrIndx 4)
expect_clean "device mapping outside memory" -D 'u64 0x400030a8 = 0x0060000090000713'
# L1[1] of the image: points back to its own table, a loop
expect_finding table-loop 0xffff800040000000 "table pointing to itself" \
	'u64 0x40001008 = 0x40001003'
# L2[4]: a table inside RAM but filtered out of the dump. A kdump's first
# bitmap says the page is memory; an ELF dump leaves it out of its PT_LOADs,
# so there it is indistinguishable from memory that never existed.
expect_finding missing-tables 0xffff000000800000 "table filtered out of the dump" \
	'u64 0x40005020 = 0x40300003' 'exclude 0x40300000 +4K' 'format kdump'
# L2[5]: VA +10M maps PA 0x40000000, which the linear map puts at +0
expect_finding linear-map-mismatch 0xffff000000a00000 "linear map disagreeing with the layout" \
	'u64 0x40005028 = 0x0060000040000701'
# _stext moved to a page the kernel table does not map
expect_finding config-conflict - "_stext not mapped by the kernel table" \
	--opts --set 'SYMBOL(_stext)=ffff800000050000' -- 

finish
