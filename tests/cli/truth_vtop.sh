#!/bin/bash
# Real QEMU dumps against what QEMU itself said (testdata/<case>/truth.json,
# written by testdata/make-dumps): every gva2gpa fact matches `vtop --json`,
# unmapped addresses come back not-mapped (or non-canonical when outside the
# VA range), every xp sample matches `read --phys`, and each test process's
# pattern (u64 at VA v = v ^ 0x5054574b5054574b) reads back through --pgd.
# Needs jq. ELF dumps are stored xz-compressed and decompressed here.
. "${top_srcdir:-.}/tests/cli/lib.sh"

if ! command -v jq >/dev/null; then
	echo "1..0 # SKIP jq is not installed"
	exit 77
fi


# check_facts DUMP LABEL [--pgd TTBR] < "va pa" lines
check_facts() {
	local dump=$1 label=$2; shift 2
	local vas="$WORK/vas" want="$WORK/want" got="$WORK/got"
	cat >"$want"
	cut -d' ' -f1 "$want" >"$vas"
	"$PTWALK" vtop "$dump" - --json "$@" <"$vas" 2>"$WORK/err" |
		jq -r '[.va, .status, (.pa // "null")] | join(" ")' >"$got"
	local n bad=0
	n=$(wc -l <"$want")
	if [ "$(wc -l <"$got")" -ne "$n" ]; then
		not_ok "$label: $n addresses in, $(wc -l <"$got") records out"
		return
	fi
	while read -r va pa && read -r gva status gpa <&3; do
		if [ "$pa" = null ]; then
			case $status in not-mapped|non-canonical) continue ;; esac
		elif [ "$status" = ok ] && [ $((gpa)) -eq $((pa)) ]; then
			continue
		elif [ "$FILTERED" = 1 ] && [ "$status" = not-in-dump ] && [ "$gpa" != null ] &&
			[ $((gpa)) -eq $((pa)) ]; then
			continue # a page makedumpfile left out: the translation is still right
		fi
		bad=$((bad + 1))
		[ $bad -le 5 ] && echo "#   $va: want ${pa}, got $status $gpa"
	done <"$want" 3<"$got"
	if [ $bad -eq 0 ]; then ok "$label: $n facts"; else not_ok "$label: $bad of $n facts wrong"; fi
}

check_samples() {
	local dump=$1 truth=$2 label=$3 bad=0 n=0
	while read -r pa hex; do
		n=$((n + 1))
		local len=$(( ${#hex} / 2 ))
		local got
		got=$("$PTWALK" read "$dump" "$pa" "$len" --phys --raw 2>/dev/null | od -An -v -tx1 | tr -d ' \n')
		if [ "$FILTERED" = 1 ] && [ -z "$got" ]; then
			n=$((n - 1)) # excluded by the filter
		elif [ "$got" != "$hex" ]; then
			bad=$((bad + 1))
			[ $bad -le 3 ] && echo "#   $pa: want $hex, got $got"
		fi
	done < <(jq -r '.memory_samples[] | "\(.pa) \(.hex)"' "$truth")
	if [ $bad -eq 0 ]; then ok "$label: $n memory samples"; else not_ok "$label: $bad of $n samples wrong"; fi
}

# The first u64 of every touched page of every region reads back through --pgd.
check_patterns() {
	local dump=$1 truth=$2 label=$3 ttbr=$4 pid=$5 ps=$6 bad=0 n=0
	while read -r va size touched; do
		"$PTWALK" read "$dump" "$va" "$size" --pgd "$ttbr" --raw --fill 0 -o "$WORK/region" 2>/dev/null
		# filtered dumps lack user pages: check only those present
		"$PTWALK" vtop "$dump" - --brief --pgd "$ttbr" 2>/dev/null >"$WORK/present" \
			< <(i=0; while [ $i -lt $((size / ps)) ]; do printf '%#x\n' $((va + i * ps)); i=$((i + 1)); done)
		local pages=$((size / ps)) i
		if [ "$touched" = all ]; then touched=$(seq 0 $((pages - 1))); else touched=${touched//,/ }; fi
		for i in $touched; do
			local v=$((va + i * ps))
			if [ "$FILTERED" = 1 ] && ! sed -n "$((i + 1))p" "$WORK/present" | grep -q ' [0-9a-f]*$'; then
				continue
			fi
			n=$((n + 1))
			if ! pattern_page_ok "$WORK/region" "$i" "$ps" "$v"; then
				bad=$((bad + 1))
				[ $bad -le 3 ] && printf '#   %#x: got %s\n' "$v" "$pattern_word"
			fi
		done
	done < <(truth_regions "$truth" "$pid")
	if [ $bad -eq 0 ]; then ok "$label: pattern in $n pages"; else not_ok "$label: $bad of $n pages wrong"; fi
}

cases=0
for truth in "$TESTDATA"/*/truth.json; do
	[ -f "$truth" ] || continue
	case $(jq -r .arch "$truth") in arm64|x86_64) ;; *) continue ;; esac
	dir=$(dirname "$truth")
	name=$(basename "$dir")
	ps=$(jq -r .page_size "$truth")
	dumps=()
	for f in "$dir"/vmcore.*; do
		case $f in
		*.xz)
			if command -v xz >/dev/null; then
				out="$WORK/$name.$(basename "${f%.xz}")"
				if xz -dc "$f" >"$out" 2>/dev/null; then dumps+=("$out"); else
					echo "# $f: not decompressible (being written?), skipped"; fi
			fi ;;
		*) dumps+=("$f") ;;
		esac
	done
	for dump in "${dumps[@]}"; do
		label="$name/$(basename "$dump" | sed "s/^$name\.//")"
		if ! "$PTWALK" info "$dump" >/dev/null 2>"$WORK/err"; then
			not_ok "$label: does not open: $(head -1 "$WORK/err")"
			continue
		fi
		cases=$((cases + 1))
		FILTERED=0
		lvl=$("$PTWALK" info "$dump" --json 2>/dev/null | jq -r '.dump_level // 0')
		[ "$lvl" != 0 ] && FILTERED=1
		jq -r '.kernel_facts[] | "\(.va) \(.pa // "null")"' "$truth" | check_facts "$dump" "$label kernel"
		check_samples "$dump" "$truth" "$label"
		for pid in $(jq -r '.processes[].pid' "$truth"); do
			# the user root: arm64 TTBR0, x86-64 CR3 (PCID masked by --pgd)
			ttbr=$(jq -r --argjson pid "$pid" '.processes[] | select(.pid == $pid) |
				(.ttbr0 // .cr3 // empty)' "$truth" 2>/dev/null)
			[ -n "$ttbr" ] || ttbr=$(jq -r --argjson pid "$pid" '. as $t | .processes[] | select(.pid == $pid) |
				.cpu as $c | ($t.registers[] | select(.cpu == $c) | .TTBR0_EL1)' "$truth")
			[ -n "$ttbr" ] && [ "$ttbr" != null ] || continue
			jq -r --argjson pid "$pid" '.processes[] | select(.pid == $pid) | .facts[] | "\(.va) \(.pa // "null")"' "$truth" |
				check_facts "$dump" "$label pid $pid" --pgd "$ttbr"
			check_patterns "$dump" "$truth" "$label pid $pid" "$ttbr" "$pid" "$ps"
		done
	done
done
if [ $cases -eq 0 ]; then
	echo "1..0 # SKIP no arm64 or x86_64 truth files under $TESTDATA"
	exit 77
fi
finish
