#!/bin/sh
# Issue 18 item 13: one shape for every message, `ptwalk: WHERE: what`, WHERE
# being the file at fault (the dump; the output file of -o; stdin) with
# `offset 0x...` where one applies, or the command for usage errors; warnings
# say `warning: ` after WHERE. A bad --set value is a usage error (exit 2).
. "$top_srcdir/tests/cli/lib.sh"
D="$TESTDATA/arm64-64k52-a57/vmcore.kdump-zlib.flat"
[ -f "$D" ] || { echo "# no testdata (a distribution tarball): skipped"; exit 77; }

# --- the output file is to blame for -o errors, not the dump
expect_exit 1 "read -o into a missing directory: exit 1" -- \
	"$PTWALK" read "$D" 0x40200000 16 --phys --raw -o /nonexistent/x
expect_stderr "^ptwalk: /nonexistent/x: cannot create: No such file or directory$" "the output file is named, alone"
if grep -q "$D" "$WORK/err"; then not_ok "the dump is not blamed"; else ok "the dump is not blamed"; fi
if [ -w /dev/full ]; then
	expect_exit 1 "read -o /dev/full: exit 1" -- "$PTWALK" read "$D" 0x40200000 65536 --phys --raw -o /dev/full
	expect_stderr "^ptwalk: /dev/full: writing: No space left on device$" "a write error names the output file"
fi

# --- --set: a value that is not of its key's kind is a usage error
expect_exit 2 "--set KERNELOFFSET=zz: exit 2" -- "$PTWALK" info "$D" --set KERNELOFFSET=zz
expect_stderr "^ptwalk: info: --set KERNELOFFSET=zz: KERNELOFFSET is hex$" "--set: the option is named"
expect_exit 2 "--set NUMBER(VA_BITS)=x: exit 2" -- "$PTWALK" vtop "$D" 0xffff410580000000 --set 'NUMBER(VA_BITS)=x'
expect_exit 2 "--set SYMBOL(swapper_pg_dir)=0xg: exit 2" -- "$PTWALK" layout "$D" --set 'SYMBOL(swapper_pg_dir)=0xg'
expect_exit 2 "--set PAGESIZE=4k: exit 2" -- "$PTWALK" info "$D" --set PAGESIZE=4k
expect_exit 0 "--set of a well-formed value still works" -- "$PTWALK" info "$D" --set KERNELOFFSET=58d676200000
expect_exit 0 "--set of a text key is not checked as a number" -- "$PTWALK" info "$D" --set OSRELEASE=zz

# --- a corrupt dump: the dump, then the offset
printf 'not a dump at all, just some text that is long enough\n' >"$WORK/junk"
expect_exit 1 "a file that is no dump: exit 1" -- "$PTWALK" info "$WORK/junk"
expect_stderr "^ptwalk: $WORK/junk: " "a bad dump is named first"
head -c 70000 "$D" >"$WORK/cut"
for spec in info layout vtop:0xffff410580000000 read:0x40200000:--phys maps check ptov:0x40200000; do
	cmd=${spec%%:*}
	rest=$(echo "$spec" | cut -s -d: -f2- | tr : ' ')
	"$PTWALK" "$cmd" "$WORK/cut" $rest >"$WORK/out" 2>"$WORK/err"
	if grep -v "^ptwalk: $WORK/cut: " "$WORK/err" | grep -q .; then
		not_ok "$cmd on a cut dump: a message of another shape"; sed 's/^/#   /' "$WORK/err" | head -3
	else
		ok "$cmd on a cut dump: every message names the dump first"
	fi
done

# --- warnings: WHERE, then warning:
expect_exit 4 "read of a hole: exit 4" -- "$PTWALK" read "$D" 0x4ffffff8 16 --phys
expect_stderr "^ptwalk: $D: warning: 0x50000000-0x50000008: not-in-dump$" "a hole is a warning about the dump, hex with 0x"
printf '0x40200000\nnope\n' >"$WORK/in"
expect_exit 2 "vtop - with a bad line: exit 2" -- sh -c "'$PTWALK' vtop '$D' - --brief <'$WORK/in'"
expect_stderr "^ptwalk: stdin: line 2: warning: no symbol 'nope'$" "a bad stdin line blames stdin"
expect_exit 2 "read - with a bad line: exit 2" -- sh -c "'$PTWALK' read '$D' - 8 --phys <'$WORK/in'"
expect_stderr "^ptwalk: stdin: line 2: warning: not an address" "read: a bad stdin line blames stdin"
expect_exit 4 "-q silences warnings" -- "$PTWALK" read "$D" 0x4ffffff8 16 --phys -q
if [ -s "$WORK/err" ]; then not_ok "-q: stderr is empty"; else ok "-q: stderr is empty"; fi

# --- usage errors: the command, then what
expect_exit 2 "a usage error" -- "$PTWALK" vtop "$D" --frob
expect_stderr "^ptwalk: vtop: unknown option '--frob'$" "usage errors name the command"
finish
