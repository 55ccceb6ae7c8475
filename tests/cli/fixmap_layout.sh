#!/bin/bash
# 6.12's fixmap (issue 18 item 11): `layout` said it filled everything from
# PCI I/O's end to FIXADDR_TOP (992MB), while `maps` put "Fixmap start" a
# few MB below FIXADDR_TOP. The kernel's source decides: arch/arm64/mm/
# ptdump.c marks "Fixmap start" at FIXADDR_TOT_START = FIXADDR_TOP -
# (__end_of_fixed_addresses << PAGE_SHIFT) (asm/fixmap.h) and "Fixmap end" at
# FIXADDR_TOP = -8M (asm/memory.h); between PCI I/O and FIXADDR_TOT_START
# nothing is mapped. Truth: the kernel's own listing of each 6.12 case
# (kernel_page_tables.txt), whose first line after each marker starts there.
. "${top_srcdir:-.}/tests/cli/lib.sh"

n=0
for listing in "$TESTDATA"/arm64-*/kernel_page_tables.txt; do
	[ -f "$listing" ] || continue
	dir=$(dirname "$listing") name=$(basename "$(dirname "$listing")")
	dump=$dir/vmcore.kdump-zlib.flat
	[ -f "$dump" ] || continue
	start=$(grep -A1 -F -- '---[ Fixmap start ]---' "$listing" | sed -n '2s/-.*//p')
	end=$(grep -A1 -F -- '---[ Fixmap end ]---' "$listing" | sed -n '2s/-.*//p')
	[ -n "$start" ] && [ -n "$end" ] || { not_ok "$name: no fixmap markers in the listing"; continue; }
	"$PTWALK" layout "$dump" --json >"$WORK/out" 2>"$WORK/err"
	got=$(python3 -c '
import json, sys
r = [r for r in json.load(open(sys.argv[1]))["regions"] if r["name"] == "fixmap"]
print("%#018x-%#018x" % (int(r[0]["start"], 16), int(r[0]["end"], 16)) if len(r) == 1 else "none")' "$WORK/out")
	want=$(printf '%#018x-%#018x' "$start" "$end")
	if [ "$got" = "$want" ]; then ok "$name: layout's fixmap is the kernel's, $got"; else
		not_ok "$name: layout's fixmap $got, the kernel's $want"; fi
	n=$((n + 1))
done
[ $n -gt 0 ] || { echo "# SKIP: no arm64 case with a kernel listing"; exit 77; }
finish
