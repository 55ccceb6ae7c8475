#!/bin/bash
# Issue 18 item 14: one output style for ptwalk's own text formats (crash's):
# hex without 0x and without leading zeros, address columns padded with
# spaces, sizes in B/KB/MB/GB/TB/PB/EB (exact, or ~ and one decimal); info
# aligns every value and says "unknown" for what the dump does not give.
# maps keeps the kernel's format (tests/cli/truth_ptdump.sh).
. "${top_srcdir:-.}/tests/cli/lib.sh"
A="$TESTDATA/arm64-64k52-a57/vmcore.kdump-zlib.flat"
X="$TESTDATA/x86_64-deb61-4l/vmcore.kdump-zlib.flat"
[ -f "$A" ] && [ -f "$X" ] || { echo "# no testdata: skipped"; exit 77; }
STEXT=$(grep -o '"_stext": "0x[0-9a-f]*' "$TESTDATA/arm64-64k52-a57/truth.json" | cut -d'"' -f4)
XSTEXT=$(grep -o '"_stext": "0x[0-9a-f]*' "$TESTDATA/x86_64-deb61-4l/truth.json" | cut -d'"' -f4)

# no_0x_no_zero_pad WHAT FILE: no "0x", no hex word with a leading zero
no_0x_no_zero_pad() {
	local bad
	bad=$(tr ' \t:()=,' '\n' <"$2" | tr -- '-' '\n' | grep -E '^0x|^0[0-9a-f]+$' | head -3 | tr '\n' ' ')
	if [ -z "$bad" ]; then ok "$1: hex without 0x, unpadded"; else not_ok "$1: $bad"; fi
}

for d in "$A:$STEXT" "$X:$XSTEXT"; do
	D=${d%%:*} S=${d#*:}
	c=$(basename "$(dirname "$D")")
	"$PTWALK" vtop "$D" "$S" >"$WORK/vtop" 2>/dev/null
	no_0x_no_zero_pad "$c vtop" "$WORK/vtop"
	if grep -Eq '^  PAGE: [0-9a-f]+  \((4KB|64KB|2MB|1GB) (page|block), level' "$WORK/vtop"; then
		ok "$c vtop: the page size in units"; else not_ok "$c vtop: $(grep PAGE: "$WORK/vtop")"; fi
	pa=$(sed -n 2p "$WORK/vtop" | awk '{print $2}')
	"$PTWALK" ptov "$D" "0x$pa" 0x7000000000000 >"$WORK/ptov" 2>/dev/null
	no_0x_no_zero_pad "$c ptov" "$WORK/ptov"
	if [ "$(head -1 "$WORK/ptov")" = "VIRTUAL           PHYSICAL" ] &&
		grep -Eq "^[0-9a-f]{16}  $pa(  \\(kernel image\\))?\$" "$WORK/ptov" &&
		grep -q "^-                 7000000000000  (no kernel mapping)\$" "$WORK/ptov"; then
		ok "$c ptov: crash's VIRTUAL PHYSICAL columns"; else not_ok "$c ptov"; sed 's/^/#   /' "$WORK/ptov"; fi
	"$PTWALK" layout "$D" >"$WORK/layout" 2>/dev/null
	no_0x_no_zero_pad "$c layout" "$WORK/layout"
	bad=$(awk 'NR > 1 && $3 !~ /^(~[0-9]+\.[0-9]|[0-9]+)(B|KB|MB|GB|TB|PB|EB)$/ { print $3 }' "$WORK/layout" | head -3)
	if [ -z "$bad" ]; then ok "$c layout: sizes in units"; else not_ok "$c layout: sizes $bad"; fi
	"$PTWALK" info "$D" >"$WORK/info" 2>/dev/null
	# (a reason in parentheses quotes a message, which keeps its 0x)
	sed 's/ (.*)$//' "$WORK/info" >"$WORK/info-values"
	no_0x_no_zero_pad "$c info" "$WORK/info-values"
	# every value starts in one column
	cols=$(sed -E 's/^( *[a-z_ ]+: *|  +)[^ ].*/\1/' "$WORK/info" | awk '{ print length($0) }' | sort -u | tr '\n' ' ')
	if [ "$cols" = "18 " ]; then ok "$c info: every value in one column"; else not_ok "$c info: value columns $cols"; fi
	if grep -Eq '^page size: +(4KB|64KB)$' "$WORK/info" && grep -Eq '^translation: +(4KB|64KB) granule' "$WORK/info" &&
		grep -Eq '\((4KB|64KB) pages\)$' "$WORK/info"; then ok "$c info: sizes in units"; else
		not_ok "$c info: sizes"; grep -E 'size|granule|pages\)' "$WORK/info" | sed 's/^/#   /'; fi
	# (the label line naming the symbol, "ADDRESS <SYMBOL>:", as objdump's, is not rd's)
	"$PTWALK" read "$D" "$S" 40 2>/dev/null | grep -v '>:$' >"$WORK/read"
	first=$(printf '%16s:  ' "${S#0x}")
	if [ "$(head -c 19 "$WORK/read")" = "$first" ] && [ "$(wc -l <"$WORK/read")" -eq 3 ] &&
		! grep -q '0x' "$WORK/read"; then ok "$c read: crash's rd address column"; else
		not_ok "$c read"; sed 's/^/#   /' "$WORK/read"; fi
done
# A physical hexdump: the address right-aligned, unpadded.
"$PTWALK" read "$A" 0x40210000 16 --phys >"$WORK/read" 2>/dev/null
if grep -q '^        40210000:  [0-9a-f][0-9a-f] ' "$WORK/read"; then ok "read --phys: '        40210000:  '"; else
	not_ok "read --phys: $(cat "$WORK/read")"; fi

# "unknown" for what the dump does not give
"$PTWALK" info "$X" >"$WORK/info" 2>/dev/null
if grep -Eq '^  phys_offset: +unknown$' "$WORK/info"; then ok "info: phys_offset unknown on x86-64"; else
	not_ok "info: $(grep phys_offset "$WORK/info")"; fi
"$top_builddir/tests/mkdump" "$top_srcdir/tests/specs/check/base.spec" "$WORK/elf" >/dev/null 2>&1 &&
	"$PTWALK" info "$WORK/elf" >"$WORK/info" 2>/dev/null
if grep -Eq '^block size: +unknown$' "$WORK/info" && grep -Eq '^dump level: +unknown$' "$WORK/info"; then
	ok "info: an ELF dump's block size and dump level are unknown"; else
	not_ok "info of an ELF dump"; grep -E 'block|level|format' "$WORK/info" | sed 's/^/#   /'; fi

# check: findings with bare hex, details included
"$top_builddir/tests/mkdump" -D 'u64 0x40005028 = 0x0060000040000701' "$top_srcdir/tests/specs/check/base.spec" \
	"$WORK/bad" >/dev/null 2>&1
"$PTWALK" check "$WORK/bad" >"$WORK/check" 2>/dev/null
if grep -q '^linear-map-mismatch ' "$WORK/check"; then
	no_0x_no_zero_pad "check" "$WORK/check"
	if grep -q 'maps PA 40000000' "$WORK/check"; then ok "check: details in the same hex"; else
		not_ok "check details: $(head -1 "$WORK/check")"; fi
else
	not_ok "check: no finding to look at"; sed 's/^/#   /' "$WORK/check"
fi
finish
