#!/bin/bash
# vmas on the real QEMU dumps against the guest (testdata/<case>/truth.json):
# where the truth records a test process's /proc/PID/maps ("maps"), vmas
# prints the same lines (blanks collapsed); everywhere, every test region
# lies inside one rw VMA, the VMAs are sorted and disjoint, --json agrees
# with the text, and --pages counts, per VMA, as many pages as it spans.
# Kdump files only. Needs jq and python3.
. "${top_srcdir:-.}/tests/cli/lib.sh"

if ! command -v jq >/dev/null; then
	echo "1..0 # SKIP jq is not installed"
	exit 77
fi

cases=0
for dir in $(cases_with_processes); do
	truth=$dir/truth.json
	name=$(basename "$dir")
	dump="$dir/vmcore.kdump-zlib.flat"
	ps=$(jq -r .page_size "$truth")
	cases=$((cases + 1))
	for pid in $(jq -r '.processes[].pid' "$truth"); do
		if ! "$PTWALK" vmas "$dump" --pid "$pid" --json -q >"$WORK/j" 2>"$WORK/err"; then
			not_ok "$name pid $pid: vmas fails: $(head -1 "$WORK/err")"
			continue
		fi
		"$PTWALK" vmas "$dump" --pid "$pid" -q >"$WORK/t"
		if [ "$(wc -l <"$WORK/j")" -eq "$(wc -l <"$WORK/t")" ] && [ -s "$WORK/t" ]; then
			ok "$name pid $pid: $(wc -l <"$WORK/t") VMAs, text and --json agree"
		else
			not_ok "$name pid $pid: text and --json differ in count"
		fi
		# sorted and disjoint
		if python3 - "$WORK/j" <<'PY'
import json, sys
v = [json.loads(l) for l in open(sys.argv[1])]
prev = 0
for r in v:
    s, e = int(r["start"], 16), int(r["end"], 16)
    assert s < e and s >= prev, r
    prev = e
PY
		then ok "$name pid $pid: VMAs sorted and disjoint"; else not_ok "$name pid $pid: VMAs overlap or out of order"; fi
		# --pages: present + not present + not in dump = the VMA's pages
		"$PTWALK" vmas "$dump" --pid "$pid" --json --pages -q >"$WORK/p"
		if python3 - "$WORK/p" "$ps" <<'PY'
import json, sys
ps = int(sys.argv[2])
for l in open(sys.argv[1]):
    r = json.loads(l)
    p = r["pages"]
    n = (int(r["end"], 16) - int(r["start"], 16)) // ps
    assert p["present"] + p["not_present"] + p["not_in_dump"] + p["bad_table"] == n, r
PY
		then ok "$name pid $pid: --pages accounts for every page"; else not_ok "$name pid $pid: --pages counts do not add up"; fi
		# every region inside one rw VMA
		bad=0
		while read -r va size; do
			hit=$(jq -r --arg va "$va" --argjson size "$size" '
				($va | ltrimstr("0x") | explode | reduce .[] as $c (0; . * 16 + (if $c >= 97 then $c - 87 elif $c >= 65 then $c - 55 else $c - 48 end))) as $v |
				select(((.start | ltrimstr("0x") | explode | reduce .[] as $c (0; . * 16 + (if $c >= 97 then $c - 87 else $c - 48 end))) <= $v) and
				       ((.end | ltrimstr("0x") | explode | reduce .[] as $c (0; . * 16 + (if $c >= 97 then $c - 87 else $c - 48 end))) >= $v + $size)) | .perms' "$WORK/j")
			case $hit in rw?p) ;; *) bad=$((bad + 1)); echo "#   region $va+$size: in '$hit'" ;; esac
		done < <(jq -r --argjson p "$pid" '.processes[] | select(.pid == $p) | .regions[] | "\(.va) \(.size)"' "$truth")
		if [ $bad -eq 0 ]; then ok "$name pid $pid: every test region lies in an rw VMA"; else not_ok "$name pid $pid: $bad regions not in an rw VMA"; fi
		# the guest's own /proc/PID/maps, where recorded
		if [ "$(jq --argjson p "$pid" '[.processes[] | select(.pid == $p) | .maps // [] | length] | add // 0' "$truth")" -gt 0 ]; then
			jq -r --argjson p "$pid" '.processes[] | select(.pid == $p) | .maps[]' "$truth" | tr -s ' ' | sed 's/ $//' >"$WORK/want"
			tr -s ' ' <"$WORK/t" | sed 's/ $//' >"$WORK/got"
			cmpwhat="equals the guest's /proc/$pid/maps"
			if grep -q '????????' "$WORK/got"; then
				# a dump without types (no BTF, e.g. arm64-4k39/16k47): vmas
				# knows no offset, device, inode or path; compare the range
				# and the permissions only
				echo "# $name pid $pid: SKIP comparing offset/device/inode/path (no types in the dump): range and permissions only"
				cut -d' ' -f1,2 "$WORK/want" >"$WORK/want2" && mv "$WORK/want2" "$WORK/want"
				cut -d' ' -f1,2 "$WORK/got" >"$WORK/got2" && mv "$WORK/got2" "$WORK/got"
				cmpwhat="ranges and permissions equal the guest's /proc/$pid/maps"
			fi
			if [ "$(jq -r --argjson p "$pid" '.processes[] | select(.pid == $p) | .mode' "$truth")" = sleep ] &&
			   ! grep -q "PID 1's maps after" "$truth"; then
				# the factory printed PID 1's maps before its task listing,
				# whose opendir/closedir then moved the heap's end (brk)
				echo "# $name pid $pid: SKIP the [heap] line (PID 1's maps were recorded before its task listing changed the heap)"
				# (by its start: without types ptwalk's line has no name)
				h=$(jq -r --argjson p "$pid" '.processes[] | select(.pid == $p) | .maps[]' "$truth" | grep '\[heap\] *$' | cut -d- -f1)
				if [ -n "$h" ]; then
					grep -v "^$h-" "$WORK/want" >"$WORK/want2"; mv "$WORK/want2" "$WORK/want"
					grep -v "^$h-" "$WORK/got" >"$WORK/got2"; mv "$WORK/got2" "$WORK/got"
				fi
			fi
			if diff "$WORK/want" "$WORK/got" >"$WORK/diff"; then ok "$name pid $pid: vmas $cmpwhat"; else
				not_ok "$name pid $pid: vmas differs from the guest's /proc/$pid/maps"; head -10 "$WORK/diff" | sed 's/^/#   /'; fi
		fi
	done
done
if [ $cases -eq 0 ]; then
	echo "1..0 # SKIP no dump with processes"
	exit 77
fi
finish
