#!/bin/bash
# `ptwalk info` on bad input: one message naming the file and offset, exit 1;
# usage errors exit 2.
. "${top_srcdir:-.}/tests/cli/lib.sh"

: >"$WORK/empty"
expect_exit 1 "empty file" -- "$PTWALK" info "$WORK/empty"
expect_stderr "^ptwalk: $WORK/empty: offset 0x0: " "empty file names file and offset"

printf 'hello, world\n%.0s' {1..50} >"$WORK/text"
expect_exit 1 "text file" -- "$PTWALK" info "$WORK/text"
expect_stderr "offset 0x0: not a vmcore" "text file message"

cp /bin/true "$WORK/notcore"
expect_exit 1 "ELF that is not a core" -- "$PTWALK" info "$WORK/notcore"
expect_stderr "offset 0x10: ELF file is not a core" "non-core ELF message"

head -c 30 /bin/true >"$WORK/trunc"
expect_exit 1 "truncated ELF header" -- "$PTWALK" info "$WORK/trunc"
expect_stderr "^ptwalk: $WORK/trunc: offset 0x[0-9a-f]+: " "truncated header names offset"

expect_exit 1 "missing file" -- "$PTWALK" info "$WORK/nonexistent"
expect_stderr "No such file" "missing file message"

expect_exit 2 "unknown option" -- "$PTWALK" info "$WORK/empty" --bogus
expect_exit 2 "no dump" -- "$PTWALK" info
expect_exit 2 "unknown command" -- "$PTWALK" frobnicate x
expect_exit 2 "bad --set" -- "$PTWALK" info "$WORK/empty" --set NOEQUALS
expect_exit 0 "--version" -- "$PTWALK" --version
expect_exit 0 "info --help" -- "$PTWALK" info --help
expect_exit 0 "help info" -- "$PTWALK" help info

finish
