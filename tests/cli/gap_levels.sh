#!/bin/bash
# Gap lines name the level as the kernel does (issue 18 item 10): a table
# missing under a root entry of an arm64 3- or 4-level tree is a gap of that
# entry's size, and the kernel's dump (and our hole lines of the same size)
# call a root entry PGD; the gap lines said PUD (4k39: 1G, 64k52-a57: 4T)
# and P4D (deb61-4k48: 512G). Cutting 1% off each kdump loses tables that
# memblock allocated at the top of memory, some of them under root entries.
. "${top_srcdir:-.}/tests/cli/lib.sh"

for c in arm64-4k39:1G arm64-64k52-a57:4T arm64-deb61-4k48:512G arm64-16k47:64G; do
	name=${c%%:*} root_size=${c##*:}
	dump=$TESTDATA/$name/vmcore.kdump-zlib.flat
	[ -f "$dump" ] || { echo "# SKIP: $name missing"; continue; }
	size=$(stat -c %s "$dump")
	head -c $((size * 99 / 100)) "$dump" >"$WORK/cut"
	"$PTWALK" maps "$WORK/cut" >"$WORK/out" 2>"$WORK/err"
	gaps=$(grep 'not in dump' "$WORK/out" | awk -v s="$root_size" '$2 == s')
	if [ -n "$gaps" ] && ! awk '{print $3}' <<<"$gaps" | grep -qv '^PGD$'; then
		ok "$name: $(wc -l <<<"$gaps") gap(s) under root entries ($root_size) named PGD"
	else
		not_ok "$name: gaps under root entries: ${gaps:-none}"
	fi
	# Our own hole lines at the root level (runs of root entries) say PGD.
	"$PTWALK" maps "$dump" >"$WORK/full" 2>/dev/null
	if awk 'NF == 3 {print $3}' "$WORK/full" | grep -qx PGD; then
		ok "$name: hole lines of root entries say PGD too"
	else
		not_ok "$name: no PGD hole line"
	fi
done
finish
