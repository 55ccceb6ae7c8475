#!/bin/bash
# Inputs the fuzzers found (tests/regress/*): each once crashed, leaked or
# hung ptwalk. Every command must end with a contract exit status (0-4) and
# no sanitizer report, within 30 s.
#   x86-malformed-stext-leak.core: a malformed SYMBOL(_stext) leaked its
#     error object in arm64 and x86-64 detection (fuzz_open, LeakSanitizer).
. "${top_srcdir:-.}/tests/cli/lib.sh"
for f in "$top_srcdir"/tests/regress/*; do
	[ -f "$f" ] || continue
	name=$(basename "$f")
	for cmd in info layout maps check; do
		timeout 30 "$PTWALK" $cmd "$f" --json >"$WORK/out" 2>"$WORK/err"
		rc=$?
		if [ $rc -le 4 ] && ! grep -q Sanitizer "$WORK/err"; then ok "$name: $cmd exits $rc"; else
			not_ok "$name: $cmd exits $rc"; grep -m3 -E 'Sanitizer|SUMMARY' "$WORK/err" | sed 's/^/#   /'; fi
	done
done
finish
