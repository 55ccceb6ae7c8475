#!/bin/bash
# A /proc/kcore-like file without a guest: tests/kcore_synth.py lays out the
# physical memory of the x86_64-deb61-4l dump as fs/proc/kcore.c does (RAM
# segments keyed by linear-map address with their p_paddr, the kernel text,
# vmalloc, modules, vmemmap and vsyscall segments without one, the
# VMCOREINFO note), as a sparse copy holding only the RAM segments. Checks:
# it is detected as kcore from content; physical reads go through the RAM
# segments (QEMU's xp samples from truth.json); the gap between two RAM
# ranges is not in the dump (exit 4), never zeroes; QEMU's gva2gpa facts
# match vtop; linux_banner reads as the console's banner; a copy cut short is
# incomplete and what it lacks is not in the dump; every command runs.
# The image is taken from the dump with `read --phys` (input, not truth).
. "${top_srcdir:-.}/tests/cli/lib.sh"

CASE=$TESTDATA/x86_64-deb61-4l
DUMP=$CASE/vmcore.kdump-zlib.flat
TRUTH=$CASE/truth.json
if ! command -v jq >/dev/null || ! command -v python3 >/dev/null; then
	echo "1..0 # SKIP jq or python3 is not installed"
	exit 77
fi
if [ ! -f "$DUMP" ]; then
	echo "1..0 # SKIP $DUMP is missing"
	exit 77
fi

# System RAM as the guest's e820 gives it with QEMU's -M pc and 128 MiB:
# the first page and the legacy VGA/BIOS hole 0xa0000-0x100000 are not RAM.
RAM="1000:9f000 100000:7fe0000"
IMG=$WORK/phys.img K=$WORK/kcore
"$PTWALK" read "$DUMP" 0 0x7fe0000 --phys --raw --fill 0 -o "$IMG" 2>"$WORK/err"
jq -r .vmcoreinfo_text "$TRUTH" >"$WORK/vmcoreinfo"
text_va=$(jq -r '.symbols._text' "$TRUTH")
end_va=$(jq -r '.symbols._end' "$TRUTH")
text_pa=$(jq -r '.kernel_facts[] | select(.what == "_text") | .pa' "$TRUTH")
data_offset=$(python3 "$top_srcdir/tests/kcore_synth.py" "$K" "$IMG" "$WORK/vmcoreinfo" \
	"${text_va#0x}" "${text_pa#0x}" "$(printf '%x' $((end_va - text_va)))" $RAM | sed -n 's/^data_offset //p')
rm -f "$IMG"

expect_exit 0 "info on the kcore copy" -- "$PTWALK" info "$K" --json
fmt=$(jq -r .format "$WORK/out")
[ "$fmt" = kcore ] && ok "detected as kcore from content" || not_ok "format is $fmt, not kcore"
ranges=$(jq -c '[.memory.ranges[] | [.start, .end]]' "$WORK/out")
want='[["0x1000","0x9f000"],["0x100000","0x7fe0000"]]'
[ "$ranges" = "$want" ] && ok "memory is the RAM segments" || not_ok "ranges $ranges, wanted $want"
[ "$(jq -r .incomplete "$WORK/out")" = false ] && ok "complete" || not_ok "incomplete"
[ "$(jq -r .translation.root "$WORK/out")" != null ] && ok "translation from the VMCOREINFO note" ||
	not_ok "no translation: $(jq -c .translation "$WORK/out")"

# Physical reads through the RAM segments against QEMU's xp.
bad=0 n=0
while read -r pa hex; do
	len=$((${#hex} / 2))
	got=$("$PTWALK" read "$K" "$pa" "$len" --phys --raw 2>/dev/null | od -An -v -tx1 | tr -d ' \n')
	n=$((n + 1))
	[ "$got" = "$hex" ] || { bad=$((bad + 1)); echo "# $pa: got ${got:0:32}..., wanted ${hex:0:32}..."; }
done < <(jq -r '.memory_samples[] | select((.pa | ltrimstr("0x") | length) <= 7) | "\(.pa) \(.hex)"' "$TRUTH")
[ "$n" -gt 0 ] && [ "$bad" = 0 ] && ok "$n xp samples read through the RAM segments" ||
	not_ok "$bad of $n xp samples differ"

# Holes: between the RAM segments, below the first, past the last.
for pa in 0x0 0xa0000 0xc0000 0xfff00 0x7fe0000 0xfd000000; do
	expect_exit 4 "read --phys $pa (a hole) is not in the dump" -- "$PTWALK" read "$K" "$pa" 16 --phys
	expect_stderr "not-in-dump|not in the dump" "read --phys $pa names the hole"
done
expect_exit 4 "a read running into the hole stops there" -- "$PTWALK" read "$K" 0x9eff0 32 --phys --json
if grep -q '"status": *"not-in-dump"\|not-mapped\|"length"' "$WORK/out" && ! grep -q '0x9f000.*"bytes"' "$WORK/out"; then
	ok "the hole is reported, not zero-filled"
else
	not_ok "the hole at 0x9f000: $(head -c 300 "$WORK/out")"
fi

# QEMU's gva2gpa facts against vtop.
jq -r '.kernel_facts[] | select(.pa != null) | "\(.va) \(.pa)"' "$TRUTH" >"$WORK/facts"
cut -d' ' -f1 "$WORK/facts" | "$PTWALK" vtop "$K" - --json 2>"$WORK/err" |
	jq -r '"\(.va) \(.pa // "null")"' >"$WORK/got"
bad=0
while read -r va pa gva gpa; do
	[ "$gpa" != null ] && [ $((pa)) -eq $((gpa)) ] || { bad=$((bad + 1)); echo "# $va: $gpa, wanted $pa"; }
done < <(paste -d' ' "$WORK/facts" "$WORK/got")
n=$(wc -l <"$WORK/facts")
[ "$n" -gt 10 ] && [ "$bad" = 0 ] && ok "$n gva2gpa facts match vtop" || not_ok "$bad of $n gva2gpa facts differ"

# linux_banner: the console's first line starts with it.
banner=$(grep -m1 -o 'Linux version .*' "$CASE/console.log" | cut -c1-60)
got=$("$PTWALK" read "$K" linux_banner 60 --raw 2>"$WORK/err")
[ -n "$banner" ] && [ "$got" = "$banner" ] && ok "linux_banner reads as the console's banner" ||
	not_ok "linux_banner: '$got' vs '$banner'"

for cmd in "layout" "maps --kernel" "check --kernel --json" "log" "ps" "sym linux_banner" "ptov 0x1000000"; do
	# shellcheck disable=SC2086
	set -- $cmd
	name=$1; shift
	"$PTWALK" "$name" "$K" "$@" >"$WORK/out" 2>"$WORK/err"
	rc=$?
	case $rc in 0|3) ok "$cmd runs (exit $rc)" ;; *) not_ok "$cmd: exit $rc"; head -3 "$WORK/err" ;; esac
done
# The same answers as the dump it was made from (same memory, same tables).
"$PTWALK" maps "$DUMP" --kernel >"$WORK/maps.dump" 2>/dev/null
"$PTWALK" maps "$K" --kernel >"$WORK/maps.kcore" 2>/dev/null
cmp -s "$WORK/maps.dump" "$WORK/maps.kcore" && ok "maps as on the dump" || not_ok "maps differ from the dump's"

# A read the kernel refuses (EIO from pread, as /proc/kcore gives for a
# page it cannot copy): a preloaded pread fails for one page of the file.
# Not in the dump, never zeroes; the same read without it succeeds.
if command -v cc >/dev/null && cat >"$WORK/eio.c" <<'C' && cc -shared -fPIC -o "$WORK/eio.so" "$WORK/eio.c" -ldl 2>/dev/null; then
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/types.h>
/* PTW_EIO=OFFSET: a pread touching [OFFSET, OFFSET + 4096) fails with EIO. */
static ssize_t refuse(const char *name, int fd, void *buf, size_t n, off_t off)
{
	ssize_t (*real)(int, void *, size_t, off_t) = (ssize_t (*)(int, void *, size_t, off_t))dlsym(RTLD_NEXT, name);
	const char *e = getenv("PTW_EIO");
	off_t at = e ? (off_t)strtoll(e, NULL, 0) : -1;
	if (e && off < at + 4096 && off + (off_t)n > at) {
		errno = EIO;
		return -1;
	}
	return real(fd, buf, n, off);
}
ssize_t pread(int fd, void *buf, size_t n, off_t off) { return refuse("pread", fd, buf, n, off); }
ssize_t pread64(int fd, void *buf, size_t n, off_t off) { return refuse("pread64", fd, buf, n, off); }
C
	pa=0x200000
	expect_exit 0 "read --phys $pa without the refusal" -- "$PTWALK" read "$K" $pa 16 --phys
	PTW_EIO=$((data_offset + pa)) LD_PRELOAD="$WORK/eio.so" "$PTWALK" read "$K" $pa 16 --phys --json >"$WORK/out" 2>"$WORK/err"
	rc=$?
	if grep -q 'ASan runtime\|ERROR: ld.so' "$WORK/err"; then
		echo "# a sanitizer build cannot take the preloaded pread: refusal not tested"
	elif [ $rc = 4 ] && grep -q '"not-in-dump"\|not-in-dump' "$WORK/out" "$WORK/err" && ! grep -q '"bytes"' "$WORK/out"; then
		ok "a page the kernel refuses (EIO) is not in the dump, exit 4"
	else
		not_ok "EIO at $pa: exit $rc: $(head -c 200 "$WORK/out") $(head -c 200 "$WORK/err")"
	fi
else
	echo "# no C compiler: the EIO refusal is not tested"
fi

# A copy cut short in the second RAM segment: incomplete, the rest not in the dump.
head -c $((0x4000000)) "$K" >"$WORK/short"
expect_exit 0 "info on a copy cut short" -- "$PTWALK" info "$WORK/short" --json
[ "$(jq -r .incomplete "$WORK/out")" = true ] && ok "cut short: incomplete" || not_ok "cut short: not incomplete"
expect_exit 4 "cut short: a byte past the end is not in the dump" -- "$PTWALK" read "$WORK/short" 0x7000000 8 --phys
expect_stderr "0x7000000.*(not-in-dump|not in the dump)" "cut short: names the missing byte"

# Without its VMCOREINFO note: refused, saying why.
python3 - "$K" "$WORK/nonote" <<'PY'
import sys
d = open(sys.argv[1], "rb").read(1 << 20)
open(sys.argv[2], "wb").write(d.replace(b"VMCOREINFO\0", b"XMCOREINFO\0"))
PY
expect_exit 1 "a kcore without VMCOREINFO is refused" -- "$PTWALK" info "$WORK/nonote"
expect_stderr "^ptwalk: $WORK/nonote: .*VMCOREINFO note.*4\.19" "names the missing note and 4.19"
finish
