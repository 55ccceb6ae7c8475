#!/bin/bash
# Issue 18, items 1-2: input at the edges. Numbers are decimal or 0x hex,
# one parser everywhere (a leading 0 is not octal; no signs, blanks, junk or
# overflow); a batch line too long to be an address is skipped whole with
# one warning. Expected values are worked out by hand here (010 is ten,
# 0x40210010 is 1075904528), not taken from ptwalk's earlier output.
. "${top_srcdir:-.}/tests/cli/lib.sh"
A="$TESTDATA/arm64-64k52-a57/vmcore.kdump-zlib.flat"
X="$TESTDATA/x86_64-deb61-4l/vmcore.kdump-zlib.flat"
if ! command -v jq >/dev/null || ! command -v python3 >/dev/null; then
	echo "1..0 # SKIP needs jq and python3"; exit 77
fi
if [ ! -f "$A" ] || [ ! -f "$X" ]; then
	echo "1..0 # SKIP needs the sample dumps (testdata/, not in the release tarball)"; exit 77
fi
STEXT=$(jq -r '.symbols._stext' "$TESTDATA/arm64-64k52-a57/truth.json")

# out_is EXPECTED DESCRIPTION: the last command's stdout is exactly EXPECTED.
out_is() {
	if [ "$(cat "$WORK/out")" = "$1" ]; then ok "$2"; else
		not_ok "$2: got '$(head -c 200 "$WORK/out")', wanted '$1'"; fi
}
# va_is EXPECTED DESCRIPTION: the VAs the last vtop --brief answered for
# (the first word of each line; the status of a user address is not the point).
va_is() {
	if [ "$(cut -d' ' -f1 "$WORK/out" | tr '\n' ' ')" = "$1 " ]; then ok "$2"; else
		not_ok "$2: got '$(head -c 200 "$WORK/out")', wanted VAs '$1'"; fi
}

## item 1: a stdin line longer than any address is skipped whole, once
python3 -c "print('z'*65536+'$STEXT')" >"$WORK/long1"
expect_exit 2 "item1: vtop -: a 64 KiB line is a usage warning (exit 2)" -- "$PTWALK" vtop "$A" - --brief <"$WORK/long1"
out_is "" "item1: vtop -: the tail of a 64 KiB line is not translated"
if [ "$(grep -c 'warning' "$WORK/err")" -eq 1 ] && grep -q 'stdin: line 1: warning: too long' "$WORK/err"; then
	ok "item1: vtop -: one warning names line 1"; else not_ok "item1: vtop -: warnings: $(head -c 300 "$WORK/err")"; fi
# 50 MB on one line, then a good address on line 2
python3 -c "import sys; sys.stdout.write('1'*50000000+'\n$STEXT\n')" >"$WORK/long2"
expect_exit 2 "item1: vtop -: a 50 MB line, then an address" -- "$PTWALK" vtop "$A" - --brief <"$WORK/long2"
if [ "$(grep -c warning "$WORK/err")" -eq 1 ] && [ "$(wc -l <"$WORK/out")" -eq 1 ] &&
	grep -q "^${STEXT#0x} " "$WORK/out"; then
	ok "item1: vtop -: one warning for the 50 MB line, the next line answered"; else
	not_ok "item1: vtop -: $(grep -c warning "$WORK/err") warnings, $(wc -l <"$WORK/out") lines out"; fi
expect_exit 2 "item1: read -: a 50 MB line, then an address" -- "$PTWALK" read "$A" - 8 <"$WORK/long2"
# (not counting the label line naming the symbol read, "ADDRESS <SYMBOL>:")
if [ "$(grep -c warning "$WORK/err")" -eq 1 ] && [ "$(grep -vc '>:$' "$WORK/out")" -eq 1 ]; then
	ok "item1: read -: one warning, the next line read"; else
	not_ok "item1: read -: $(grep -c warning "$WORK/err") warnings, $(wc -l <"$WORK/out") lines out"; fi
# memory does not grow with the line (the dump alone takes a few MB)
if [ -x /usr/bin/time ]; then
	for cmd in vtop read; do
		/usr/bin/time -f '%M' -o "$WORK/rss" "$PTWALK" $cmd "$A" - -q <"$WORK/long2" >/dev/null 2>&1
		rss=$(tail -1 "$WORK/rss")
		if [ "$rss" -lt 30000 ]; then ok "item1: $cmd -: ${rss} KB for a 50 MB line"; else
			not_ok "item1: $cmd -: ${rss} KB for a 50 MB line"; fi
	done
fi
# the last line of the input, without a newline, still counts
printf '%s' "$STEXT" >"$WORK/nonl"
expect_exit 0 "item1: vtop -: a last line without a newline is answered" -- "$PTWALK" vtop "$A" - --brief <"$WORK/nonl"

## item 2: decimal or 0x hex, everywhere
expect_exit 4 "item2: vtop 010" -- "$PTWALK" vtop "$A" 010 --brief
va_is "a" "item2: vtop 010 answers for ten"
expect_exit 4 "item2: vtop 09" -- "$PTWALK" vtop "$A" 09 --brief
va_is "9" "item2: vtop 09 answers for nine"
for bad in $'\t-1' ' 1' '1 ' '+1' '0x' '' '0x10g' '10k' '1e3' '0b1' '0o7' \
	18446744073709551616 0x10000000000000000 99999999999999999999; do
	expect_exit 2 "item2: vtop '$bad' is a usage error" -- "$PTWALK" vtop "$A" "$bad" --brief
done
expect_exit 2 "item2: vtop -- -1 is a usage error (no signs)" -- "$PTWALK" vtop "$A" --brief -- -1
expect_stderr "not an address.*'-1'" "item2: the message names the word"
expect_exit 4 "item2: the largest 64-bit number is an address" -- "$PTWALK" vtop "$A" 18446744073709551615 --brief
out_is "ffffffffffffffff not-mapped" "item2: 18446744073709551615 is ffffffffffffffff"
expect_exit 4 "item2: leading zeros beyond 16 hex digits" -- "$PTWALK" vtop "$A" 0x00000000000000000010 --brief
va_is "10" "item2: 0x00000000000000000010 is sixteen"
expect_exit 0 "item2: upper-case 0X and digits" -- "$PTWALK" vtop "$A" "$(echo "$STEXT" | tr a-fx A-FX)" --brief
out_is "${STEXT#0x} $(jq -r --arg va "$STEXT" '.kernel_facts[] | select(.va == $va) | .pa' "$TESTDATA/arm64-64k52-a57/truth.json" | sed 's/^0x//')" \
	"item2: 0X... translates as truth.json says"
# ptov
expect_exit 0 "item2: ptov 010" -- "$PTWALK" ptov "$A" 010 --json
if [ "$(jq -r .pa "$WORK/out")" = 0xa ]; then ok "item2: ptov 010 is ten"; else not_ok "item2: ptov 010: $(cat "$WORK/out")"; fi
expect_exit 2 "item2: ptov +08 is a usage error" -- "$PTWALK" ptov "$A" +08
# read ADDR and LENGTH
"$PTWALK" read "$A" 0x40210010 10 --phys --raw -o "$WORK/hexaddr" 2>/dev/null
expect_exit 0 "item2: read 01075904528 --phys (decimal with a leading 0)" -- \
	"$PTWALK" read "$A" 01075904528 010 --phys --raw -o "$WORK/decaddr"
if [ "$(stat -c %s "$WORK/decaddr" 2>/dev/null)" = 10 ] && cmp -s "$WORK/hexaddr" "$WORK/decaddr"; then
	ok "item2: read: 01075904528 is 0x40210010 and LENGTH 010 is ten bytes"; else
	not_ok "item2: read: $(stat -c %s "$WORK/decaddr" 2>/dev/null) bytes, or different bytes"; fi
expect_exit 2 "item2: read LENGTH -1" -- "$PTWALK" read "$A" 0x40210010 -- -1
expect_exit 2 "item2: read LENGTH with junk" -- "$PTWALK" read "$A" 0x40210010 16x
# --fill
"$PTWALK" read "$A" 0x50000000 4 --phys --raw --fill 010 >"$WORK/fill" 2>/dev/null
if [ "$(od -An -tx1 "$WORK/fill" | tr -d ' ')" = 0a0a0a0a ]; then ok "item2: --fill 010 writes 0x0a"; else
	not_ok "item2: --fill 010 wrote $(od -An -tx1 "$WORK/fill")"; fi
expect_exit 2 "item2: --fill 256 is a usage error" -- "$PTWALK" read "$A" 0x50000000 4 --phys --raw --fill 256
expect_exit 2 "item2: --fill -1 is a usage error" -- "$PTWALK" read "$A" 0x50000000 4 --phys --raw --fill=-1
# --pgd (x86-64 masks PCID [11:0] of a CR3: decimal 10000000 is 0x989680 -> 0x989000)
"$PTWALK" vtop "$X" 0x1000 --pgd 010000000 --json >"$WORK/out" 2>/dev/null
if [ "$(jq -r .table_base "$WORK/out")" = 0x989000 ]; then ok "item2: --pgd 010000000 is decimal"; else
	not_ok "item2: --pgd 010000000: $(cat "$WORK/out")"; fi
expect_exit 2 "item2: --pgd with a sign" -- "$PTWALK" vtop "$X" 0x1000 --pgd=+0x1000
expect_exit 2 "item2: --pid with junk" -- "$PTWALK" vtop "$X" 0x1000 --pid 1x
# stdin batches: the same numbers as arguments
printf '010\n09\n\t-1\n 0x10 \n' | "$PTWALK" vtop "$A" - --brief >"$WORK/out" 2>"$WORK/err"
rc=$?
if [ $rc -eq 2 ] && [ "$(cut -d' ' -f1 "$WORK/out" | tr '\n' ' ')" = "a 9 10 " ] &&
	grep -q "stdin: line 3: warning: not an address: '-1'" "$WORK/err"; then
	ok "item2: vtop -: 010 is ten, 09 nine, -1 refused (blanks around a line are ignored)"; else
	not_ok "item2: vtop -: exit $rc, out $(tr '\n' '|' <"$WORK/out"), err $(head -c 200 "$WORK/err")"; fi
printf '01075904528\n' | "$PTWALK" read "$A" - 010 --phys --raw -o "$WORK/batch" 2>"$WORK/err"
if cmp -s "$WORK/hexaddr" "$WORK/batch"; then ok "item2: read -: 01075904528 is decimal"; else
	not_ok "item2: read -: 01075904528: $(od -An -tx1 "$WORK/batch" | head -2)"; fi
expect_exit 2 "item2: read -: a signed line is refused" -- sh -c "printf -- '-0x40210010\n' | '$PTWALK' read '$A' - 8 --phys"

## item 3: ptov does not wrap around a negative PHYS_OFFSET
A4="$TESTDATA/arm64-4k52-a57/vmcore.kdump-zlib.flat"
for d in "$A4" "$A"; do
	for pa in 0xffffffffffff0000 0xffffffffffffffff 0xfff0000000000000; do
		expect_exit 4 "item3: ptov $(basename "$(dirname "$d")") $pa: exit 4" -- "$PTWALK" ptov "$d" $pa
		if grep -q '(no kernel mapping)' "$WORK/out" && [ "$(wc -l <"$WORK/out")" -eq 2 ]; then
			ok "item3: ptov $pa: (no kernel mapping)"; else not_ok "item3: ptov $pa: $(tr '\n' '|' <"$WORK/out")"; fi
		expect_exit 4 "item3: ptov $pa --json: exit 4" -- "$PTWALK" ptov "$d" $pa --json
		if [ "$(jq -c '[.linear, .kimage]' "$WORK/out")" = '[null,null]' ]; then
			ok "item3: ptov $pa --json: linear and kimage null"; else not_ok "item3: ptov $pa --json: $(cat "$WORK/out")"; fi
	done
done
# the image's PA still has both aliases: the kimage one is truth's _stext,
# the linear one leads back to the PA
SPA=$(jq -r --arg va "$STEXT" '.kernel_facts[] | select(.va == $va) | .pa' "$TESTDATA/arm64-64k52-a57/truth.json")
expect_exit 0 "item3: ptov of _stext's PA answers" -- "$PTWALK" ptov "$A" "$SPA" --json
LIN=$(jq -r .linear "$WORK/out")
if [ "$(jq -r .kimage "$WORK/out")" = "$STEXT" ] && [ "$LIN" != null ] &&
	[ "$("$PTWALK" vtop "$A" "$LIN" --brief 2>/dev/null | cut -d' ' -f2)" = "${SPA#0x}" ]; then
	ok "item3: _stext's PA: kimage alias is _stext, the linear alias maps back"; else
	not_ok "item3: _stext's PA: $(cat "$WORK/out")"; fi

## item 4: a non-canonical user-half address is non-canonical, --pgd or not
for pgd in "" "--pgd 0x1000"; do
	expect_exit 4 "item4: x86-64 vtop 0x800000000000 $pgd: exit 4" -- "$PTWALK" vtop "$X" 0x800000000000 $pgd --brief
	out_is "800000000000 non-canonical" "item4: x86-64 0x800000000000 $pgd is non-canonical"
	"$PTWALK" vtop "$X" 0x800000000000 $pgd --json >"$WORK/out" 2>/dev/null
	if [ "$(jq -r .status "$WORK/out")" = non-canonical ]; then ok "item4: --json $pgd says non-canonical"; else
		not_ok "item4: --json $pgd: $(cat "$WORK/out")"; fi
	"$PTWALK" vtop "$X" 0x800000000000 $pgd >"$WORK/out" 2>/dev/null
	if grep -q 'not canonical' "$WORK/out"; then ok "item4: text $pgd says not canonical"; else
		not_ok "item4: text $pgd: $(tr '\n' '|' <"$WORK/out")"; fi
done
# the highest canonical user address is not (it wants a user table)
"$PTWALK" vtop "$X" 0x7fffffffffff --brief >"$WORK/out" 2>/dev/null
if ! grep -q non-canonical "$WORK/out"; then ok "item4: 0x7fffffffffff is canonical"; else not_ok "item4: 0x7fffffffffff: $(cat "$WORK/out")"; fi
# arm64 at 48 bits: bit 48 of a user address is outside TTBR0's range
expect_exit 4 "item4: arm64 vtop 0x1000000000000" -- "$PTWALK" vtop "$A" 0x1000000000000 --brief
out_is "1000000000000 non-canonical" "item4: arm64 0x1000000000000 is non-canonical"

## item 5: only regular files are read; a FIFO is refused, not waited on
mkfifo "$WORK/fifo"
for cmd in "info @" "vtop @ 0x1000" "read @ 0 --phys"; do
	set -- ${cmd/@/$WORK/fifo}
	expect_exit 1 "item5: $1 on a FIFO without a writer: exit 1 at once" -- timeout 10 "$PTWALK" "$@"
	expect_stderr "^ptwalk: .*fifo: not a regular file \\(a FIFO\\)$" "item5: $1: the FIFO is named"
done
# with a writer waiting, still refused before anything is read
( exec 3>"$WORK/fifo"; sleep 3 ) &
writer=$!
expect_exit 1 "item5: info on a FIFO with a writer: exit 1" -- timeout 10 "$PTWALK" info "$WORK/fifo"
kill "$writer" 2>/dev/null; wait "$writer" 2>/dev/null
mkdir "$WORK/dir"
expect_exit 1 "item5: info on a directory: exit 1" -- "$PTWALK" info "$WORK/dir"
expect_stderr "not a regular file \\(a directory\\)" "item5: the directory is named"
expect_exit 1 "item5: info on /dev/null: exit 1" -- "$PTWALK" info /dev/null
expect_stderr "^ptwalk: /dev/null: not a regular file \\(a character device\\)$" "item5: /dev/null is named a device"
# a regular file in /proc (as /proc/kcore is) is not refused for what it is
"$PTWALK" info /proc/self/stat >"$WORK/out" 2>"$WORK/err"
if ! grep -q 'not a regular file' "$WORK/err"; then ok "item5: a regular file in /proc passes the file-type check"; else
	not_ok "item5: /proc/self/stat refused as not regular"; fi

## item 8: read skips holes a table entry or a memory range at a time
# (time bounds are generous, for a loaded machine: page by page took minutes)
RAM=$(( $(jq -r .qemu.ram_mib "$TESTDATA/arm64-64k52-a57/truth.json") * 1048576 ))
timeout 20 "$PTWALK" read "$A" 0 0xffffffffffffffff --phys --raw >"$WORK/all" 2>"$WORK/err"
rc=$?
if [ $rc -eq 4 ] && [ "$(stat -c %s "$WORK/all")" -eq "$RAM" ]; then
	ok "item8: read 0 0xffffffffffffffff --phys --raw: the whole RAM, exit 4, in time"; else
	not_ok "item8: read of the whole physical space: exit $rc, $(stat -c %s "$WORK/all") bytes (RAM $RAM)"; fi
# QEMU virt puts RAM at 0x40000000: the rest is two holes, reported once each
if [ "$(grep -c warning "$WORK/err")" -eq 2 ] && grep -q '0x0-0x40000000' "$WORK/err" &&
	grep -q "0x$(printf %x $((0x40000000 + RAM)))-0xffffffffffffffff" "$WORK/err"; then
	ok "item8: the two holes around RAM, one warning each"; else not_ok "item8: holes: $(head -c 300 "$WORK/err")"; fi
"$PTWALK" read "$A" "$SPA" 64 --phys --raw >"$WORK/one" 2>/dev/null
if cmp -s "$WORK/one" <(tail -c +$(( SPA - 0x40000000 + 1 )) "$WORK/all" | head -c 64); then
	ok "item8: the whole-space read holds _stext's bytes where they belong"; else not_ok "item8: bytes at _stext's PA differ"; fi
# 16 TiB of kernel virtual space, mostly unmapped
expect_exit 4 "item8: read 16 TiB of vmalloc space --raw, in time" -- timeout 20 "$PTWALK" read "$A" 0xffff800000000000 0x100000000000 --raw -o "$WORK/vm"
# the user half without a table, and the non-canonical hole, on x86-64
expect_exit 4 "item8: read the whole lower half of x86-64 --raw, in time" -- timeout 20 "$PTWALK" read "$X" 0 0x8000000000000000 --raw
if [ "$(grep -c warning "$WORK/err")" -eq 2 ]; then ok "item8: x86-64 lower half: two holes (no user table, non-canonical)"; else
	not_ok "item8: x86-64 lower half: $(head -c 400 "$WORK/err")"; fi
# with --fill the holes are written, as asked
expect_exit 4 "item8: --fill over a hole" -- "$PTWALK" read "$A" 0x3ffff000 0x2000 --phys --raw --fill 0xee -o "$WORK/filled"
if [ "$(head -c 4096 "$WORK/filled" | od -An -tx1 -v | tr -d ' \n' | tr -d e | wc -c)" -eq 0 ] && [ "$(stat -c %s "$WORK/filled")" -eq 8192 ] &&
	cmp -s <(tail -c 4096 "$WORK/filled") <(head -c 4096 "$WORK/all"); then
	ok "item8: --fill writes the hole's bytes, then the RAM's"; else not_ok "item8: --fill over a hole"; fi

## item 6: a damaged VMCOREINFO line is a warning naming it; the rest works
M="$TESTDATA/arm64-64k52-max"
MSTEXT=$(jq -r .symbols._stext "$M/truth.json")
MSPA=$(jq -r --arg va "$MSTEXT" '.kernel_facts[] | select(.va == $va) | .pa' "$M/truth.json")
# patch one byte of the dump's text (the first copy, the one the header points at)
patch_byte() { # FILE TEXT DELTA BYTE -> prints the offset of TEXT
	local off; off=$(grep -boa -- "$2" "$1" | head -1 | cut -d: -f1)
	printf "\\x$4" | dd of="$1" bs=1 seek=$((off + $3)) conv=notrunc 2>/dev/null
	echo "$off"
}
cp "$M/vmcore.mdf-lzo-d31" "$WORK/vi"
LINE_OFF=$(patch_byte "$WORK/vi" 'SYMBOL(clear_seq)=' 11 af)   # the 'r' of clear_seq
expect_exit 0 "item6: read --phys of a dump with a damaged VMCOREINFO line" -- "$PTWALK" read "$WORK/vi" 0x40200000 16 --phys --raw -o "$WORK/vi.bytes"
expect_stderr "^ptwalk: .*/vi: offset $(printf '0x%x' "$LINE_OFF"): warning: VMCOREINFO line 'SYMBOL\\(clea\\?_seq\\)=[0-9a-f]+' is not KEY=VALUE, skipped$" \
	"item6: one warning names the line and its offset"
if [ "$(wc -l <"$WORK/err")" -eq 1 ]; then ok "item6: one warning only"; else not_ok "item6: $(wc -l <"$WORK/err") lines on stderr"; fi
"$PTWALK" read "$M/vmcore.mdf-lzo-d31" 0x40200000 16 --phys --raw -o "$WORK/good.bytes" 2>/dev/null
if cmp -s "$WORK/vi.bytes" "$WORK/good.bytes"; then ok "item6: the same bytes as the undamaged dump"; else not_ok "item6: bytes differ"; fi
expect_exit 0 "item6: vtop _stext still translates (the line is not needed)" -- "$PTWALK" vtop "$WORK/vi" "$MSTEXT" --brief
out_is "${MSTEXT#0x} ${MSPA#0x}" "item6: _stext translates as truth.json says"
expect_exit 0 "item6: -q silences the warning" -- "$PTWALK" vtop "$WORK/vi" "$MSTEXT" --brief -q
if [ ! -s "$WORK/err" ]; then ok "item6: nothing on stderr with -q"; else not_ok "item6: -q: $(cat "$WORK/err")"; fi
expect_exit 0 "item6: info works" -- "$PTWALK" info "$WORK/vi" --json
if [ "$(jq -c '.vmcoreinfo | [has("SYMBOL(clear_seq)"), has("OSRELEASE"), has("SYMBOL(swapper_pg_dir)")]' "$WORK/out")" = '[false,true,true]' ]; then
	ok "item6: info lists the other entries, not the damaged one"; else not_ok "item6: info: $(head -c 300 "$WORK/out")"; fi
# a damaged PAGESIZE: no translation, but physical reads still work
cp "$M/vmcore.mdf-lzo-d31" "$WORK/ps"
patch_byte "$WORK/ps" 'PAGESIZE=65536' 13 78 >/dev/null   # PAGESIZE=6553x
expect_exit 0 "item6: read --phys with PAGESIZE=6553x" -- "$PTWALK" read "$WORK/ps" 0x40200000 16 --phys --raw -o "$WORK/ps.bytes"
expect_stderr "warning: VMCOREINFO PAGESIZE=6553x is not a number" "item6: the bad PAGESIZE is a warning"
if cmp -s "$WORK/ps.bytes" "$WORK/good.bytes"; then ok "item6: PAGESIZE damaged: the same bytes"; else not_ok "item6: PAGESIZE damaged: bytes differ"; fi
expect_exit 1 "item6: vtop needs PAGESIZE and says so" -- "$PTWALK" vtop "$WORK/ps" "$MSTEXT"

## item 7: truncated dumps open as incomplete; what the file lacks is not in the dump
E="$TESTDATA/arm64-4k39/vmcore.elf.xz"
ESTEXT=$(jq -r .symbols._stext "$TESTDATA/arm64-4k39/truth.json")
ESPA=$(jq -r --arg va "$ESTEXT" '.kernel_facts[] | select(.va == $va) | .pa' "$TESTDATA/arm64-4k39/truth.json")
if command -v xz >/dev/null && xz -dc "$E" >"$WORK/elf"; then
	size=$(stat -c %s "$WORK/elf")
	head -c $((size - 4096)) "$WORK/elf" >"$WORK/elfcut"
	rm -f "$WORK/elf"
	expect_exit 0 "item7: info on an ELF cut by 4096 bytes" -- "$PTWALK" info "$WORK/elfcut" --json
	# the page the cut reaches is missing: one fewer present, one not in the dump
	ram_pages=$(( $(jq -r .qemu.ram_mib "$TESTDATA/arm64-4k39/truth.json") * 256 ))
	if [ "$(jq -c '[.incomplete, .memory.pages_present, .memory.pages_excluded]' "$WORK/out")" = "[true,$((ram_pages - 1)),1]" ]; then
		ok "item7: ELF cut: incomplete, $((ram_pages - 1)) pages present, 1 not"; else
		not_ok "item7: ELF cut: $(jq -c '[.incomplete, .memory]' "$WORK/out")"; fi
	expect_exit 0 "item7: ELF cut: vtop _stext" -- "$PTWALK" vtop "$WORK/elfcut" "$ESTEXT" --brief
	out_is "${ESTEXT#0x} ${ESPA#0x}" "item7: ELF cut: _stext translates as truth.json says"
	expect_exit 0 "item7: ELF cut: read --phys of bytes that are there" -- "$PTWALK" read "$WORK/elfcut" "$ESPA" 64 --phys --raw
	last=$(printf '0x%x' $((0x40000000 + ram_pages * 4096 - 16)))
	expect_exit 4 "item7: ELF cut: read --phys of the lost last bytes is exit 4" -- "$PTWALK" read "$WORK/elfcut" "$last" 16 --phys
	expect_stderr "not-in-dump" "item7: ELF cut: they are not in the dump"
else
	not_ok "item7: cannot decompress $E"
fi
# a makedumpfile kdump cut to 1 MiB: info counts the pages the file holds,
# counted here from the file's own page descriptors (makedumpfile's layout)
head -c 1048576 "$M/vmcore.mdf-lzo-d31" >"$WORK/kcut"
held=$(python3 - "$WORK/kcut" <<'PY'
import struct, sys
f = open(sys.argv[1], 'rb').read()
block_size, sub_hdr, bitmap_blocks, max_mapnr = struct.unpack_from('<iiII', f, 428)
off = block_size * (1 + sub_hdr + bitmap_blocks)
held = 0
i = 0
while off + (i + 1) * 24 <= len(f):
    data, size = struct.unpack_from('<qI', f, off + i * 24)
    if data == 0 and size == 0:
        break
    held += 0 < size and 0 < data and data + size <= len(f)
    i += 1
print(held)
PY
)
expect_exit 0 "item7: info on a kdump cut to 1 MiB" -- "$PTWALK" info "$WORK/kcut" --json
if [ "$(jq -c '[.incomplete, .memory.pages_present]' "$WORK/out")" = "[true,$held]" ] && [ "$held" -gt 0 ]; then
	ok "item7: kdump cut: $held pages present, as its descriptors say"; else
	not_ok "item7: kdump cut: $(jq -c '[.incomplete, .memory.pages_present, .memory.pages_excluded]' "$WORK/out"), file holds $held"; fi
"$PTWALK" read "$WORK/kcut" 0 0xffffffffffffffff --phys --raw -q >"$WORK/kcut.bytes"
if [ "$(stat -c %s "$WORK/kcut.bytes")" -eq $((held * 65536)) ]; then ok "item7: kdump cut: read gives those pages"; else
	not_ok "item7: kdump cut: read gave $(stat -c %s "$WORK/kcut.bytes") bytes"; fi

finish
