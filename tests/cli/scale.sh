#!/bin/bash
# Dumps at scale, made at test time (never committed): each command gives a
# bounded answer in bounded time and memory, never a crash or a hang.
#  - a sparse ELF dump of 1 TiB physical size: one PT_LOAD whose first 4 MiB
#    are in the file (the tables of tests/specs/check/base.spec);
#  - an ELF dump with 100,000 PT_LOAD segments (PN_XNUM program headers);
#  - a kdump of 2^36 pages whose bitmaps are far shorter than that.
# Limits: 10 s and 64 MiB peak RSS per command (GNU time), generous on
# purpose: they catch work or memory that grows with the dump, not speed.
. "${top_srcdir:-.}/tests/cli/lib.sh"
MKDUMP="$top_builddir/tests/mkdump"
BASE="$top_srcdir/tests/specs/check/base.spec"
TIME=/usr/bin/time
if [ ! -x "$TIME" ]; then
	echo "1..0 # SKIP GNU time (/usr/bin/time) is not installed"
	exit 77
fi

# AddressSanitizer's shadow memory and quarantine add tens of MiB to any
# run: a sanitizer build gets 4 times the RSS limit (still far below what
# memory that grows with 1 TiB or 100,000 segments would take).
RSS_LIMIT=65536
if ldd "$PTWALK" 2>/dev/null | grep -q libasan; then RSS_LIMIT=262144; fi

# bounded WHAT EXPECTED-EXIT -- COMMAND...: exit status, time and RSS.
bounded() {
	local what=$1 want=$2; shift 3
	timeout 30 "$TIME" -f '%e %M' -o "$WORK/time" "$@" >"$WORK/out" 2>"$WORK/err"
	local rc=$? secs kb
	# GNU time may first say "Command exited with non-zero status N".
	read -r secs kb < <(tail -n 1 "$WORK/time") || { secs=99; kb=0; }
	if [ "$rc" -eq "$want" ] && awk -v s="$secs" 'BEGIN { exit !(s < 10) }' && [ "$kb" -lt "$RSS_LIMIT" ]; then
		ok "$what (exit $rc, ${secs}s, ${kb} KiB)"
	else
		not_ok "$what: exit $rc (wanted $want), ${secs}s, ${kb} KiB"
		sed 's/^/#   /' "$WORK/err" | head -5
	fi
}

# 1 TiB of physical memory, 4 MiB of it in the file.
"$MKDUMP" -D 'memory 0x40400000 +1T zero filesz=4M' "$BASE" "$WORK/sparse" || exit 1
bounded "info, 1 TiB sparse ELF" 0 -- "$PTWALK" info "$WORK/sparse" --json
if grep -q '"start": "0x40000000", "end": "0x10040400000", "pages": 268436480' "$WORK/out" &&
	grep -q '"pages_present": 2048' "$WORK/out"; then
	ok "1 TiB + 4 MiB range, 2048 pages present"; else not_ok "sparse ranges"; head -c 600 "$WORK/out"; fi
bounded "layout, 1 TiB sparse ELF" 0 -- "$PTWALK" layout "$WORK/sparse"
bounded "vtop, 1 TiB sparse ELF" 0 -- "$PTWALK" vtop "$WORK/sparse" 0xffff800000010000 --brief
grep -q '^ffff800000010000 40010000$' "$WORK/out" && ok "vtop answer on the sparse dump" || not_ok "vtop answer: $(cat "$WORK/out")"
bounded "maps, 1 TiB sparse ELF" 0 -- "$PTWALK" maps "$WORK/sparse"
bounded "check, 1 TiB sparse ELF" 0 -- "$PTWALK" check "$WORK/sparse"
# A read past the saved part of the segment: not in the dump, exit 4.
bounded "read beyond p_filesz" 4 -- "$PTWALK" read "$WORK/sparse" 0x80000000 16 --phys

# 100,000 PT_LOADs of one page each, every other page of 800 MiB from
# 0x80000000 (awk's %x stays below 2^32 here).
awk 'BEGIN { for (i = 0; i < 100000; i++) printf "memory 0x%x +4K byte=%d\n", 2147483648 + i * 8192, i % 251 }' \
	>"$WORK/many.spec"
cat "$BASE" >>"$WORK/many.spec"
"$MKDUMP" "$WORK/many.spec" "$WORK/many" || exit 1
bounded "info, 100,000 PT_LOADs" 0 -- "$PTWALK" info "$WORK/many" --json
grep -q '"pages_present": 101024' "$WORK/out" && ok "all 100,000 segments counted" ||
	not_ok "segment count: $(grep -o '"pages_present": [0-9]*' "$WORK/out")"
bounded "read from the last segment" 0 -- "$PTWALK" read "$WORK/many" $((0x80000000 + 99999 * 8192)) 8 --phys --raw
[ "$(od -An -tu1 "$WORK/out" | awk '{print $1}')" = $((99999 % 251)) ] && ok "last segment's bytes" ||
	not_ok "last segment's bytes: $(od -An -tx1 "$WORK/out")"
bounded "vtop, 100,000 PT_LOADs" 0 -- "$PTWALK" vtop "$WORK/many" 0xffff800000011000 --brief

# 2^36 pages (256 TiB at 4 KiB) described by bitmaps of a few KiB.
"$MKDUMP" -D 'format kdump' -D 'compress zlib' -D "max-mapnr $((1 << 36))" -D 'bitmap-blocks 2' \
	"$BASE" "$WORK/bigmap" || exit 1
bounded "info, kdump with max_mapnr 2^36 and short bitmaps" 1 -- "$PTWALK" info "$WORK/bigmap"
expect_stderr "^ptwalk: .*bigmap: offset 0x[0-9a-f]+: " "short bitmaps: one message with file and offset"

finish
