#!/bin/bash
# Corrupt kdump and flattened files: `ptwalk info` says which file and which
# offset, exits 1, and never crashes.
. "${top_srcdir:-.}/tests/cli/lib.sh"
MKDUMP="$top_builddir/tests/mkdump"

cat >"$WORK/base.spec" <<'SPEC'
memory 0x40000000 +1M
vmcoreinfo
OSRELEASE=6.1.0-synthetic
PAGESIZE=4096
end
format kdump
compress zlib
SPEC

# bad NAME OFFSET-REGEX DESCRIPTION DIRECTIVE...
bad() {
	local name=$1 offset=$2 what=$3; shift 3
	local args=()
	for d in "$@"; do args+=(-D "$d"); done
	"$MKDUMP" "${args[@]}" "$WORK/base.spec" "$WORK/$name" || { not_ok "mkdump $name"; return; }
	expect_exit 1 "$what: exit 1" -- "$PTWALK" info "$WORK/$name"
	expect_stderr "^ptwalk: $WORK/$name: offset $offset: " "$what: names file and offset"
	if [ "$(wc -l <"$WORK/err")" -eq 1 ]; then ok "$what: one line"; else not_ok "$what: one line"; fi
}

bad short-bitmaps 0x1b4 "bitmaps shorter than max_mapnr" "max-mapnr 0x1000000000" "bitmap-blocks 2"
bad trunc-header 0x12c "truncated header" "truncate 300"
bad bad-version 0x8 "absurd header_version" "poke 8 = 01020304"
bad bad-block-size 0x1ac "block_size not a power of two" "poke 428 = 00300000"
bad flat-negative 0x1000 "flattened record with a negative size" "flatten" "flat-record 0 -5"
bad flat-huge 0x1000 "flattened record with a huge size" "flatten" "flat-record 0 0x7000000000000000"
bad flat-trunc 0x3e8 "flattened header cut short" "flatten" "truncate 1000"

# Page-level damage is found when a page is read; info's counts only read
# the bitmaps. Check it through the reader's own test (check_kdump) and make
# sure info itself still runs on such files without crashing.
"$MKDUMP" -D "inflate 0x40002000 100" -D "desc 0x40003000 offset=0x7fff00000000" \
	"$WORK/base.spec" "$WORK/pages" && expect_exit 0 "damaged pages: info still runs" -- "$PTWALK" info "$WORK/pages"

# A flattened file whose data is ELF: not supported in place.
"$MKDUMP" "$WORK/base.spec" "$WORK/plain" &&
	python3 - "$WORK/plain" "$WORK/flat-elf" <<'PY'
import struct, sys
data = bytearray(open(sys.argv[1], "rb").read(4096))
data[0:8] = b"\x7fELF\x02\x01\x01\x00"
head = bytearray(4096); head[0:12] = b"makedumpfile"; head[16:32] = struct.pack(">qq", 1, 1)
with open(sys.argv[2], "wb") as f:
    f.write(head + struct.pack(">qq", 0, len(data)) + data + struct.pack(">qq", -1, -1))
PY
expect_exit 1 "flattened ELF" -- "$PTWALK" info "$WORK/flat-elf"
expect_stderr "makedumpfile -R" "flattened ELF: says how to rearrange"

finish
