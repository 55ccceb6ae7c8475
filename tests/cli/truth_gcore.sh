#!/bin/bash
# gcore on the real QEMU dumps, its files opened by gdb (gdb-multiarch):
# for each test process of each testdata case (truth.json), gdb reads the
# pattern (u64 at VA v = v ^ 0x5054574b5054574b) at the first u64 of every
# touched page of every region, the program counter lies in an executable
# VMA (and equals the vCPU's, where the truth's cpu_registers record it
# for a spinning process); an existing file is kept without --force and replaced with it;
# a gcore killed half-way (SIGXFSZ from ulimit -f) leaves no file behind.
# Kdump files only. Needs jq and gdb-multiarch.
. "${top_srcdir:-.}/tests/cli/lib.sh"

if ! command -v jq >/dev/null || ! command -v gdb-multiarch >/dev/null; then
	echo "1..0 # SKIP jq or gdb-multiarch is not installed"
	exit 77
fi

cases=0
for dir in $(cases_with_processes); do
	truth=$dir/truth.json
	name=$(basename "$dir")
	dump="$dir/vmcore.kdump-zlib.flat"
	ps=$(jq -r .page_size "$truth")
	case $(jq -r .arch "$truth") in
	arm64) gdbarch=aarch64 pcreg=pc ;;
	x86_64) gdbarch=i386:x86-64 pcreg=rip ;;
	*) continue ;;
	esac
	cases=$((cases + 1))
	for pid in $(jq -r '.processes[].pid' "$truth"); do
		core="$WORK/core.$name.$pid"
		if ! "$PTWALK" gcore "$dump" --pid "$pid" -o "$core" --json -q >"$WORK/j" 2>"$WORK/err"; then
			not_ok "$name pid $pid: gcore fails: $(head -1 "$WORK/err")"
			continue
		fi
		if [ "$(jq -r .pid "$WORK/j")" = "$pid" ] && [ "$(jq -r .threads "$WORK/j")" -ge 1 ]; then
			ok "$name pid $pid: gcore --json names the process and its threads"
		else
			not_ok "$name pid $pid: gcore --json: $(cat "$WORK/j")"
		fi
		# one gdb run: the pattern words and the pc
		cmds="$WORK/gdb.cmds"
		{
			echo "set architecture $gdbarch"
			echo "core-file $core"
			echo "info registers $pcreg"
		} >"$cmds"
		: >"$WORK/want"
		while read -r va size touched; do
			pages=$((size / ps))
			if [ "$touched" = all ]; then touched=$(seq 0 $((pages - 1))); else touched=${touched//,/ }; fi
			for i in $touched; do
				v=$((va + i * ps))
				printf 'x/gx %#x\n' "$v" >>"$cmds"
				printf '%#x 0x%016x\n' "$v" $((v ^ PATTERN)) >>"$WORK/want"
			done
		done < <(truth_regions "$truth" "$pid")
		gdb-multiarch -nx -batch -x "$cmds" >"$WORK/gdb.out" 2>&1
		grep -E '^0x[0-9a-f]+:' "$WORK/gdb.out" | awk '{print $1, $2}' | sed 's/:$//; s/: / /' >"$WORK/got"
		n=$(wc -l <"$WORK/want")
		bad=$(diff <(awk '{printf "%s %s\n", $1, $2}' "$WORK/want") <(awk '{printf "%s %s\n", $1, $2}' "$WORK/got" | sed 's/^\(0x[0-9a-f]*\):/\1/') | grep -c '^<')
		if [ "$n" -gt 0 ] && [ "$bad" -eq 0 ]; then ok "$name pid $pid: gdb reads the pattern in $n pages of the core"; else
			not_ok "$name pid $pid: gdb: $bad of $n pattern words wrong"; grep -v '^0x' "$WORK/gdb.out" | head -5 | sed 's/^/#   /'; fi
		pc=$(awk -v r="$pcreg" '$1 == r {print $2}' "$WORK/gdb.out")
		if [ "$(jq -r '.threads_without_registers' "$WORK/j")" -gt 0 ]; then
			# without types the kernel stack is not known: the core says so
			"$PTWALK" gcore "$dump" --pid "$pid" -o "$core" --force 2>"$WORK/err" >/dev/null
			if [ "$(jq -r '.threads_without_registers == .threads' "$WORK/j")" = true ] &&
				grep -q 'without registers' "$WORK/err" && [ $((pc)) -eq 0 ]; then
				ok "$name pid $pid: registers unknown without types, and the summary says so"
			else
				not_ok "$name pid $pid: threads without registers: $(cat "$WORK/j")"
			fi
			continue
		fi
		"$PTWALK" vmas "$dump" --pid "$pid" --json -q >"$WORK/v"
		inexec=$(python3 -c '
import json, sys
pc = int(sys.argv[2], 16) if sys.argv[2] else -1
print(any(int(r["start"], 16) <= pc < int(r["end"], 16) and r["perms"][2] == "x" for r in map(json.loads, open(sys.argv[1]))))' "$WORK/v" "$pc")
		if [ "$inexec" = True ]; then ok "$name pid $pid: gdb's $pcreg $pc lies in an executable VMA"; else not_ok "$name pid $pid: gdb's $pcreg '$pc' is not in an executable VMA"; fi
		cpu=$(jq -r --argjson p "$pid" '.processes[] | select(.pid == $p) | .cpu // empty' "$truth")
		want_pc=$(jq -r --argjson c "${cpu:-0}" '(.cpu_registers // [])[] | select(.cpu == $c) | .regs | (.pc // .PC // .rip // .RIP // empty)' "$truth" 2>/dev/null)
		if [ -n "$cpu" ] && [ -n "$want_pc" ]; then
			if [ $((pc)) -eq $((want_pc)) ]; then ok "$name pid $pid: $pcreg is vCPU $cpu's, as QEMU recorded it"; else
				not_ok "$name pid $pid: $pcreg $pc, QEMU recorded $want_pc on vCPU $cpu"; fi
		fi
	done
	# an existing file is kept without --force, replaced with it
	pid=$(jq -r '.processes[0].pid' "$truth")
	echo keep >"$WORK/exists"
	expect_exit 1 "$name: gcore onto an existing file without --force is exit 1" -- "$PTWALK" gcore "$dump" --pid "$pid" -o "$WORK/exists"
	if [ "$(cat "$WORK/exists")" = keep ]; then ok "$name: the existing file is kept"; else not_ok "$name: the existing file was changed"; fi
	expect_exit 0 "$name: gcore --force replaces it" -- "$PTWALK" gcore "$dump" --pid "$pid" -o "$WORK/exists" --force
	if head -c 4 "$WORK/exists" | grep -q ELF; then ok "$name: --force wrote a core"; else not_ok "$name: --force did not write a core"; fi
	# killed half-way: no file
	mkdir -p "$WORK/killed"
	rc=$(bash -c 'ulimit -f 64; "$@" >/dev/null 2>&1; echo $?' - "$PTWALK" gcore "$dump" --pid "$pid" -o "$WORK/killed/core" -q 2>/dev/null)
	if [ $rc -ne 0 ] && [ -z "$(ls -A "$WORK/killed")" ]; then ok "$name: a gcore killed half-way (exit $rc) leaves no file"; else
		not_ok "$name: killed gcore (exit $rc) left: $(ls -A "$WORK/killed")"; fi
	rm -rf "$WORK/killed" "$WORK"/core.*
done
if [ $cases -eq 0 ]; then
	echo "1..0 # SKIP no dump with processes"
	exit 77
fi
finish
