#!/bin/bash
# `ptwalk read DUMP - LENGTH --phys --raw`: addresses from stdin, LENGTH bytes
# at each, in order. The batch must give exactly the bytes of one read per
# address, on ELF and on kdump (zlib), including a range that crosses a page
# and one that runs out of the dump (exit 4, warned); a line that is not an
# address is skipped with a warning and exit 2. Physical reads need no
# address translation: a dump without VMCOREINFO still reads with --phys
# (the same bytes), while a virtual read of it is refused.
. "${top_srcdir:-.}/tests/cli/lib.sh"
MKDUMP="$top_builddir/tests/mkdump"

cat >"$WORK/base.spec" <<'SPEC'
arch arm64
memory 0x40000000 +1M addr
memory 0x40100000 +1M random=7
vmcoreinfo
OSRELEASE=6.1.0-synthetic
PAGESIZE=4096
NUMBER(VA_BITS)=48
NUMBER(kimage_voffset)=0xffff7fffc7e00000
SYMBOL(swapper_pg_dir)=ffff800008100000
end
SPEC

ADDRS="0x40000000 0x40100ff0 0x40000008 1074790400 0x401ffff8"

for fmt in elf64 kdump; do
	if ! "$MKDUMP" -D "format $fmt" -D "compress zlib" "$WORK/base.spec" "$WORK/$fmt" 2>"$WORK/err"; then
		not_ok "mkdump $fmt"; sed 's/^/#   /' "$WORK/err" | head -3; continue
	fi
	: >"$WORK/one-by-one"
	for a in $ADDRS; do "$PTWALK" read "$WORK/$fmt" "$a" 32 --phys --raw --fill 0xee -q >>"$WORK/one-by-one"; done
	printf '%s\n' $ADDRS | "$PTWALK" read "$WORK/$fmt" - 32 --phys --raw --fill 0xee -o "$WORK/batch" 2>"$WORK/err"
	rc=$?
	if [ $rc -eq 4 ]; then ok "$fmt: batch exits 4 (the last range runs out of the dump)"; else
		not_ok "$fmt: batch exit $rc, wanted 4"; sed 's/^/#   /' "$WORK/err" | head -3; fi
	if grep -q '0x40200000-0x40200018: not-in-dump' "$WORK/err"; then
		ok "$fmt: the missing range is named"; else not_ok "$fmt: missing range not named"; sed 's/^/#   /' "$WORK/err" | head -3; fi
	if cmp -s "$WORK/one-by-one" "$WORK/batch" && [ "$(stat -c %s "$WORK/batch")" -eq 160 ]; then
		ok "$fmt: batch bytes = one read per address"; else not_ok "$fmt: batch bytes differ from single reads"; fi
	# hexdump mode: one block of lines per address
	printf '0x40000000\n0x40000010\n' | "$PTWALK" read "$WORK/$fmt" - 16 --phys >"$WORK/hex" 2>"$WORK/err"
	if [ "$(grep -c '^        400000[01]0:  ' "$WORK/hex")" -eq 2 ]; then ok "$fmt: hexdump batch"; else
		not_ok "$fmt: hexdump batch"; sed 's/^/#   /' "$WORK/hex" | head -3; fi
	expect_exit 2 "$fmt: a bad stdin line is skipped with exit 2" -- \
		sh -c "printf '0x40000000\nnope\n0x40000008\n' | '$PTWALK' read '$WORK/$fmt' - 8 --phys --raw -o '$WORK/bad'"
	expect_stderr "stdin: line 2: warning: not an address" "$fmt: the bad line is named"
	if [ "$(stat -c %s "$WORK/bad")" -eq 16 ]; then ok "$fmt: the good lines are still read"; else
		not_ok "$fmt: good lines around a bad one"; fi
	# The same memory without VMCOREINFO: no translation can be set up.
	sed '/^vmcoreinfo$/,/^end$/d' "$WORK/base.spec" >"$WORK/bare.spec"
	if ! "$MKDUMP" -D "format $fmt" -D "compress zlib" "$WORK/bare.spec" "$WORK/$fmt-bare" 2>"$WORK/err"; then
		not_ok "mkdump $fmt without VMCOREINFO"; sed 's/^/#   /' "$WORK/err" | head -3; continue
	fi
	"$PTWALK" read "$WORK/$fmt-bare" 0x40100ff0 32 --phys --raw -o "$WORK/bare" 2>"$WORK/err"
	rc=$?
	"$PTWALK" read "$WORK/$fmt" 0x40100ff0 32 --phys --raw -o "$WORK/full" 2>/dev/null
	if [ $rc -eq 0 ] && cmp -s "$WORK/bare" "$WORK/full" && [ "$(stat -c %s "$WORK/bare")" -eq 32 ]; then
		ok "$fmt: --phys reads a dump that cannot translate"; else
		not_ok "$fmt: --phys without translation: exit $rc"; sed 's/^/#   /' "$WORK/err" | head -3; fi
	expect_exit 1 "$fmt: a virtual read of a dump that cannot translate is refused" -- \
		"$PTWALK" read "$WORK/$fmt-bare" 0xffff000000000000 16
	expect_stderr "cannot translate addresses" "$fmt: the refusal says why"
done
finish
