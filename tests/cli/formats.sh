#!/bin/bash
# `ptwalk info --json` on synthetic dumps in every format mkdump writes:
# the same memory as ELF64, ELF32, QEMU-quirked ELF, kdump with each codec,
# kdump with 64 KiB blocks, incomplete and truncated kdumps, and flattened.
. "${top_srcdir:-.}/tests/cli/lib.sh"
MKDUMP="$top_builddir/tests/mkdump"

cat >"$WORK/base.spec" <<'SPEC'
arch arm64
memory 0x40000000 +4M addr
memory 0x40800000 +1M random=5
exclude 0x40100000 +64K
u64 0x40001ff8 = 0x40002003
vmcoreinfo
OSRELEASE=6.1.0-synthetic
PAGESIZE=4096
NUMBER(VA_BITS)=48
NUMBER(kimage_voffset)=0xffff7fffc7e00000
end
prstatus 1 31=0xffff800008003f00 32=0xffff800008010000
prstatus 2
SPEC

# info_has NAME PYTHON-EXPR...: each expression over `d` (the info object) is true.
info_has() {
	local name=$1; shift
	"$PTWALK" info --json "$WORK/$name" >"$WORK/out" 2>"$WORK/err"
	local rc=$?
	if [ $rc -ne 0 ]; then not_ok "$name: info exit $rc"; sed 's/^/#   /' "$WORK/err" | head -3; return; fi
	for expr in "$@"; do
		if python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' \
			"$WORK/out" "$expr"; then ok "$name: $expr"
		else not_ok "$name: $expr"; head -c 600 "$WORK/out" | sed 's/^/#   /'; echo; fi
	done
}

# make NAME DIRECTIVE...: mkdump base.spec with extra directives; 77 = codec missing.
make_dump() {
	local name=$1; shift
	local args=()
	for d in "$@"; do args+=(-D "$d"); done
	"$MKDUMP" "${args[@]}" "$WORK/base.spec" "$WORK/$name" 2>"$WORK/err"
}

common=('d["arch"] == "arm64"' 'd["osrelease"] == "6.1.0-synthetic"' 'd["page_size"] == 4096'
	'd["cpus"] == 2' 'd["vmcoreinfo"]["NUMBER(VA_BITS)"] == "48"')

make_dump elf64 "format elf64" &&
	info_has elf64 "${common[@]}" 'd["format"] == "elf64"' 'd["compression"] == []' \
		'd["block_size"] is None' 'd["memory"]["pages_present"] == 1280 - 16'
make_dump elf32 "format elf32" "arch arm" &&
	info_has elf32 'd["format"] == "elf32"' 'd["memory"]["pages_present"] == 1280 - 16'
make_dump qemu-elf "format elf64" "elf-quirks qemu" &&
	info_has qemu-elf "${common[@]}" 'd["format"] == "elf64"'

for codec in none zlib lzo snappy zstd; do
	make_dump "kdump-$codec" "format kdump" "compress $codec"
	rc=$?
	if [ $rc -eq 77 ]; then ok "# SKIP kdump-$codec: codec not built in"; continue; fi
	[ $rc -eq 0 ] || { not_ok "mkdump kdump-$codec"; continue; }
	want='[]'
	[ "$codec" != none ] && want="[\"$codec\"]"
	info_has "kdump-$codec" "${common[@]}" 'd["format"] == "kdump"' \
		"sorted(d[\"compression\"]) == $want" 'd["block_size"] == 4096' \
		'd["incomplete"] is False' 'd["dump_level"] == 1' \
		'd["memory"]["pages_present"] == 1280 - 16' 'd["memory"]["pages_excluded"] == 16' \
		'[(r["start"], r["end"]) for r in d["memory"]["ranges"]] == [("0x40000000", "0x40400000"), ("0x40800000", "0x40900000")]'
done

# QEMU's shape: flattened, 64 KiB blocks for a 4 KiB-page kernel, machine "Unknown".
make_dump qemu-flat "format kdump" "compress zlib" "block-size 65536" "utsname-machine Unknown" \
	"share-zero-pages" "flatten record-size=262144" &&
	info_has qemu-flat "${common[@]}" 'd["format"] == "kdump-flattened"' \
		'd["compression"] == ["zlib"]' 'd["block_size"] == 65536' 'd["page_size"] == 4096' \
		'd["memory"]["pages_present"] == 1280 - 16' 'd["memory"]["pages_excluded"] == 16'
make_dump shuffled "format kdump" "compress lzo" "flatten record-size=1000 order=shuffle=4" &&
	info_has shuffled "${common[@]}" 'd["format"] == "kdump-flattened"' 'd["compression"] == ["lzo"]'
make_dump v3 "format kdump" "compress zlib" "header-version 3" &&
	info_has v3 'd["osrelease"] == "6.1.0-synthetic"' 'd["cpus"] == 0'
make_dump abi32 "format kdump" "header-abi 32" "arch i386" "compress zlib" &&
	info_has abi32 'd["osrelease"] == "6.1.0-synthetic"' 'd["cpus"] == 2'
make_dump incomplete "format kdump" "compress zlib" "incomplete" &&
	info_has incomplete 'd["incomplete"] is True' 'd["memory"]["pages_present"] == 1280 - 16'
make_dump truncated "format kdump" "compress none" "truncate -100K" &&
	info_has truncated 'd["incomplete"] is True' 'd["osrelease"] == "6.1.0-synthetic"'
make_dump truncated-flat "format kdump" "compress zlib" "flatten no-end" "truncate -5000" &&
	info_has truncated-flat 'd["incomplete"] is True' 'd["format"] == "kdump-flattened"'

finish
