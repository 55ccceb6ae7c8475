#!/bin/bash
# Tasks from the real QEMU dumps against what the guest and QEMU said
# (testdata/<case>/truth.json): ps lists every test process with its comm
# (and, where the truth has "tasks", every task the guest listed with the
# same pid, tgid, ppid and comm, where /proc's longer kernel-thread names
# start with ps's 15-byte comm); `vtop --pid` answers every user fact the truth
# records for that process; `read --pid` gives the pattern
# (u64 at VA v = v ^ 0x5054574b5054574b); a kernel thread and an unknown
# pid are exit 1 naming them. Kdump files only (the ELF twins hold the same
# memory). The spinning test processes are running on their CPUs where
# the dump tells. Needs jq.
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
	sets=()
	if ! "$PTWALK" ps "$dump" --json "${sets[@]}" >"$WORK/ps" 2>"$WORK/err"; then
		not_ok "$name: ps fails: $(head -1 "$WORK/err")"
		continue
	fi
	cases=$((cases + 1))
	# every test process, by pid and comm
	bad=0
	n=0
	while read -r pid comm; do
		n=$((n + 1))
		got=$(jq -r --argjson p "$pid" 'select(.pid == $p) | .comm' "$WORK/ps")
		[ "$got" = "$comm" ] || { bad=$((bad + 1)); echo "#   pid $pid: want $comm, got '$got'"; }
	done < <(jq -r '.processes[] | "\(.pid) \(.comm)"' "$truth")
	if [ $bad -eq 0 ]; then ok "$name: ps lists the $n test processes"; else not_ok "$name: ps: $bad of $n test processes wrong"; fi
	# the spinning ones ran on the CPU the guest pinned them to (types give
	# task_struct.on_cpu and thread_info.cpu; without types the CPU notes'
	# user stack pointers place single-threaded processes)
	bad=0
	n=0
	while read -r pid cpu; do
		n=$((n + 1))
		got=$(jq -r --argjson p "$pid" 'select(.pid == $p) | "\(.running) \(.cpu)"' "$WORK/ps")
		[ "$got" = "true $cpu" ] || { bad=$((bad + 1)); echo "#   pid $pid: want running on $cpu, got $got"; }
	done < <(jq -r '.processes[] | select(.cpu != null) | "\(.pid) \(.cpu)"' "$truth")
	if [ $bad -eq 0 ]; then ok "$name: the $n spinning test processes are running on their CPUs"; else not_ok "$name: $bad of $n spinning processes not seen running on their CPU"; fi
	# every task the guest listed (pid = TID, ppid, comm), where recorded
	if [ "$(jq '.tasks // [] | length' "$truth")" -gt 0 ]; then
		# /proc shows a kernel thread's full name (struct kthread) and a
		# kworker's "-description"; task_struct.comm holds 15 bytes of
		# the first, none of the second: ps's comm must be that prefix.
		if python3 - "$truth" "$WORK/ps" >"$WORK/cmp" <<'PY'
import json, sys
want = json.load(open(sys.argv[1]))["tasks"]
got = {}
for l in open(sys.argv[2]):
    r = json.loads(l)
    got[r["pid"]] = r
bad = 0
for t in want:
    g = got.get(t["pid"])
    c = t["comm"]
    ok = g is not None and g["ppid"] == t["ppid"] and g["tgid"] == t["tgid"] and (
        g["comm"] == c or (c.startswith(g["comm"]) and (len(g["comm"]) == 15 or c[len(g["comm"])] == "-")))
    if not ok:
        bad += 1
        if bad <= 5:
            print("#   want %s, got %s" % (t, g and {k: g[k] for k in ("pid", "tgid", "ppid", "comm")}))
print(len(want), bad)
sys.exit(1 if bad else 0)
PY
		then ok "$name: ps lists all $(tail -1 "$WORK/cmp" | cut -d' ' -f1) tasks the guest listed (pid, tgid, ppid, comm)"; else
			not_ok "$name: ps: $(tail -1 "$WORK/cmp" | cut -d' ' -f2) guest tasks missing or different"
			grep '^#' "$WORK/cmp"
		fi
	fi
	# info names the same structure-layout source as every ps record
	il=$("$PTWALK" info "$dump" --json 2>/dev/null | jq -r .struct_layout)
	pl=$(jq -r .struct_layout "$WORK/ps" | sort -u)
	if [ "$il" = "$pl" ] && { [ "$il" = types ] || [ "$il" = inferred ]; }; then ok "$name: info and ps say struct_layout $il"; else
		not_ok "$name: info says struct_layout '$il', ps '$pl'"; fi
	# a kernel thread and an unknown pid
	kpid=$(jq -r 'select(.kthread == true and .pid != 0) | .pid' "$WORK/ps" | head -1)
	if [ -n "$kpid" ]; then
		expect_exit 1 "$name: vtop --pid $kpid (kernel thread) is exit 1" -- "$PTWALK" vtop "$dump" 0x1000 --pid "$kpid" "${sets[@]}"
		expect_stderr "pid $kpid .*kernel thread" "$name: the kernel thread is named"
	fi
	expect_exit 1 "$name: an unknown pid is exit 1" -- "$PTWALK" read "$dump" 0x1000 --pid 99999 "${sets[@]}"
	expect_stderr "pid 99999" "$name: the unknown pid is named"
	for pid in $(jq -r '.processes[].pid' "$truth"); do
		# vtop --pid answers each user fact
		jq -r --argjson p "$pid" '.processes[] | select(.pid == $p) | .facts[] | "\(.va) \(.pa // "null")"' "$truth" >"$WORK/want"
		[ -s "$WORK/want" ] || continue
		cut -d' ' -f1 "$WORK/want" | "$PTWALK" vtop "$dump" - --json --pid "$pid" "${sets[@]}" 2>"$WORK/err" |
			jq -r '[.status, (.pa // "null")] | join(" ")' >"$WORK/got"
		bad=0
		n=$(wc -l <"$WORK/want")
		[ "$(wc -l <"$WORK/got")" -eq "$n" ] || bad=$n
		while read -r va pa && read -r status gpa <&3; do
			if [ "$pa" = null ]; then
				case $status in not-mapped|non-canonical) continue ;; esac
			elif [ "$status" = ok ] && [ $((gpa)) -eq $((pa)) ]; then
				continue
			fi
			bad=$((bad + 1))
			[ $bad -le 3 ] && echo "#   $va: want $pa, got $status $gpa"
		done <"$WORK/want" 3<"$WORK/got"
		if [ $bad -eq 0 ]; then ok "$name pid $pid: vtop --pid answers $n facts"; else not_ok "$name pid $pid: vtop --pid: $bad of $n facts wrong"; fi
		# read --pid gives the pattern at the first u64 of every touched page
		bad=0
		n=0
		while read -r va size touched; do
			"$PTWALK" read "$dump" "$va" "$size" --pid "$pid" "${sets[@]}" --raw --fill 0 -o "$WORK/region" 2>/dev/null
			pages=$((size / ps))
			if [ "$touched" = all ]; then touched=$(seq 0 $((pages - 1))); else touched=${touched//,/ }; fi
			for i in $touched; do
				v=$((va + i * ps))
				n=$((n + 1))
				if ! pattern_page_ok "$WORK/region" "$i" "$ps" "$v"; then
					bad=$((bad + 1))
					[ $bad -le 3 ] && printf '#   %#x: got %s\n' "$v" "$pattern_word"
				fi
			done
		done < <(truth_regions "$truth" "$pid")
		if [ $bad -eq 0 ]; then ok "$name pid $pid: read --pid: pattern in $n pages"; else not_ok "$name pid $pid: read --pid: $bad of $n pages wrong"; fi
	done
done
if [ $cases -eq 0 ]; then
	echo "1..0 # SKIP no dump with processes could be read"
	exit 77
fi
finish
