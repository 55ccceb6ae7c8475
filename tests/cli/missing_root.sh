#!/bin/bash
# One missing table is one gap and one finding, naming the table's PA
# (issue 18 item 9). Cutting the last 10% off arm64-4k39's kdump loses its
# root table (swapper_pg_dir at PA 0x404f4000, as `info` shows): the listing
# had one gap per root entry, each naming the entry's address, and check
# counted 512 missing table pages. A root outside memory (--pgd 0x100000000
# in a dump of 256 MiB at 0x40000000) was 64 outside-memory findings and "64
# descriptor(s) the architecture forbids", though no descriptor was read.
. "${top_srcdir:-.}/tests/cli/lib.sh"

dump=$TESTDATA/arm64-4k39/vmcore.kdump-zlib.flat
a57=$TESTDATA/arm64-64k52-a57/vmcore.kdump-zlib.flat
if [ ! -f "$dump" ] || [ ! -f "$a57" ]; then echo "# SKIP: sample dumps missing"; exit 77; fi
size=$(stat -c %s "$dump")
head -c $((size * 9 / 10)) "$dump" >"$WORK/cut"

expect_exit 0 "maps of a dump without its root table" -- "$PTWALK" maps "$WORK/cut"
if [ "$(grep -c 'not in dump' "$WORK/out")" -eq 1 ] &&
	grep -q '^0xffffff8000000000-0x0000000000000000         512G PGD   \[table at 0x404f4000 not in dump\]$' "$WORK/out"; then
	ok "one gap line for the whole tree, naming the root table"
else
	not_ok "gap lines: $(grep -c 'not in dump' "$WORK/out")"; grep 'not in dump' "$WORK/out" | head -3 | sed 's/^/#   /'
fi
expect_stderr "1 table\(s\) missing" "maps warns of one missing table"
expect_exit 0 "maps --json of a dump without its root table" -- "$PTWALK" maps "$WORK/cut" --json
if [ "$(grep -c '"gap": true' "$WORK/out")" -eq 1 ] &&
	grep -q '"gap": true, "start": "0xffffff8000000000", "end": "0x0", "missing_pa": "0x404f4000"' "$WORK/out"; then
	ok "one gap record naming the root table"
else
	not_ok "gap records"; head -3 "$WORK/out" | sed 's/^/#   /'
fi
expect_exit 3 "check of a dump without its root table" -- "$PTWALK" check "$WORK/cut" --json
if [ "$(grep -c '"kind": "missing-tables"' "$WORK/out")" -eq 1 ] &&
	grep -q '"kind": "missing-tables", "va": "0xffffff8000000000", "pa": "0x404f4000".*"1 table page(s)' "$WORK/out"; then
	ok "one missing-tables finding: one table page, the root's PA"
else
	not_ok "missing-tables finding"; grep missing-tables "$WORK/out" | sed 's/^/#   /'
fi

# A root table outside physical memory.
expect_exit 3 "check with a root outside memory" -- "$PTWALK" check "$a57" --pgd 0x100000000 --user --json
if [ "$(grep -c '"kind": "outside-memory"' "$WORK/out")" -eq 1 ] &&
	grep -q '"kind": "outside-memory", "va": "0x0", "end": "0x1000000000000", "pa": "0x100000000".*root table outside physical memory' "$WORK/out"; then
	ok "one outside-memory finding for the root"
else
	not_ok "outside-memory findings: $(grep -c outside-memory "$WORK/out")"; head -3 "$WORK/out" | sed 's/^/#   /'
fi
expect_exit 0 "maps with a root outside memory" -- "$PTWALK" maps "$a57" --pgd 0x100000000
if [ "$(wc -l <"$WORK/out")" -eq 1 ] && ! grep -q 'descriptor' "$WORK/err" && grep -q 'root table at 0x100000000' "$WORK/err"; then
	ok "one line; the warning names the root, not descriptors"
else
	not_ok "root outside memory: $(wc -l <"$WORK/out") lines"; sed 's/^/#   /' "$WORK/err" | head -3
fi
finish
