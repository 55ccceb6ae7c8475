#!/bin/bash
# Types from the dump alone: the BTF of Debian's 6.1 kernels is found in
# their image (no data symbols there), and what ptwalk's types interface
# answers equals (1) every SIZE()/OFFSET() the kernel itself wrote into
# VMCOREINFO (truth.json), (2) bpftool's reading of the same BTF bytes.
. "$top_srcdir/tests/cli/lib.sh"
QUERY="$top_builddir/tests/types-query"

if ! command -v python3 >/dev/null; then echo "# SKIP: needs python3"; exit 77; fi

# The Debian cases (BTF, no data symbols), and any case whose truth records
# CONFIG_DEBUG_INFO_BTF=y (the factory's BTF kernels: __start_BTF known).
btf_cases=$(python3 - "$TESTDATA" <<'EOF'
import glob, json, os, sys
for t in sorted(glob.glob(os.path.join(sys.argv[1], "*", "truth.json"))):
    case = os.path.basename(os.path.dirname(t))
    cfg = json.load(open(t)).get("kernel", {}).get("config", {})
    if "deb61" in case or cfg.get("CONFIG_DEBUG_INFO_BTF") == "y":
        print(case)
EOF
)
for case in $btf_cases; do
	dump="$TESTDATA/$case/vmcore.kdump-zlib.flat"
	truth="$TESTDATA/$case/truth.json"
	[ -f "$dump" ] || { not_ok "$case: $dump missing"; continue; }

	# info says where the types come from, without loading them.
	expect_exit 0 "$case: info --json" -- "$PTWALK" info --json "$dump"
	src=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["types"]["source"])' "$WORK/out")
	[ "$src" = btf ] && ok "$case: info types.source is btf" || not_ok "$case: info types.source is '$src'"
	expect_exit 0 "$case: info text" -- "$PTWALK" info "$dump"
	grep -q '^types: *btf, in the dump at ' "$WORK/out" && ok "$case: info text names the BTF" ||
		not_ok "$case: info text: $(grep '^types' "$WORK/out")"

	# (1) VMCOREINFO's SIZE(x) and OFFSET(x.y), as the kernel computed them.
	python3 - "$truth" >"$WORK/queries" <<'EOF'
import json, re, sys
text = json.load(open(sys.argv[1]))["vmcoreinfo_text"]
for line in text.splitlines():
    m = re.match(r'(SIZE|OFFSET)\(([A-Za-z_0-9]+)(?:\.([A-Za-z_0-9.]+))?\)=(-?\d+)$', line)
    if not m:
        continue
    kind, struct, member, value = m.groups()
    if kind == "SIZE":
        print(f"{struct} size {value}")
    elif member:
        print(f"{struct}:{member} offset {value}")
EOF
	n=$(wc -l <"$WORK/queries")
	[ "$n" -ge 20 ] && ok "$case: $n SIZE/OFFSET entries in VMCOREINFO" || not_ok "$case: only $n SIZE/OFFSET entries"
	# shellcheck disable=SC2046
	"$QUERY" "$dump" --save-btf "$WORK/btf" $(awk '{print $1}' "$WORK/queries") >"$WORK/answers" 2>"$WORK/err"
	[ $? -eq 0 ] && ok "$case: types-query ran" || { not_ok "$case: types-query failed: $(head -3 "$WORK/err")"; continue; }
	head -1 "$WORK/answers" | grep -q '^source btf from dump address 0x' && ok "$case: BTF found in the dump" ||
		not_ok "$case: $(head -1 "$WORK/answers")"
	# Where the kernel's symbols name the section, that is where it was taken.
	start=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["symbols"].get("__start_BTF", ""))' "$truth")
	if [ -n "$start" ]; then
		head -1 "$WORK/answers" | grep -q "address $start " && ok "$case: BTF at __start_BTF $start" ||
			not_ok "$case: BTF not at __start_BTF $start: $(head -1 "$WORK/answers")"
	fi
	bad=0
	while read -r q what want; do
		got=$(awk -v q="$q" -v w="$what" '$1 == q { for (i = 2; i < NF; i++) if ($i == w) print $(i + 1) }' "$WORK/answers")
		if [ "$got" != "$want" ]; then
			bad=$((bad + 1))
			echo "#   $q: $what ptwalk '$got', VMCOREINFO $want"
		fi
	done <"$WORK/queries"
	[ "$bad" -eq 0 ] && ok "$case: all $n VMCOREINFO sizes and offsets agree" || not_ok "$case: $bad of $n disagree"

	# Missing members are NOT_PRESENT, so callers can try another spelling.
	"$QUERY" "$dump" task_struct:state task_struct:__state >"$WORK/answers" 2>&1
	grep -q '^task_struct:state not-present' "$WORK/answers" && grep -q '^task_struct:__state offset 24 size 4' "$WORK/answers" &&
		ok "$case: task_struct.state is not present, __state is at 24" || not_ok "$case: $(cat "$WORK/answers")"

	# (2) bpftool's reading of the bytes ptwalk found.
	if ! command -v bpftool >/dev/null; then
		echo "# SKIP bpftool comparison for $case: bpftool not installed (Debian package bpftool)"
		continue
	fi
	if ! bpftool btf dump file "$WORK/btf" >"$WORK/bpftool" 2>"$WORK/err"; then
		not_ok "$case: bpftool cannot read the BTF ptwalk found: $(head -2 "$WORK/err")"
		continue
	fi
	# task_struct's size and its direct, named members' offsets, per bpftool.
	awk '
		/^\[[0-9]+\] STRUCT .task_struct. size=/ { if (done) exit; split($4, s, "="); print "task_struct size " s[2]; f = 1; next }
		f && /^\[/ { f = 0; done = 1 }
		f && /bits_offset=/ {
			name = $1; gsub("\047", "", name)
			for (i = 2; i <= NF; i++) if ($i ~ /^bits_offset=/) { split($i, b, "="); off = b[2] }
			bf = ($0 ~ /bitfield_size=/)
			if (name != "(anon)" && !bf && !(name in seen)) { seen[name] = 1; print "task_struct:" name " offset " off / 8 }
		}' "$WORK/bpftool" >"$WORK/bq"
	n=$(wc -l <"$WORK/bq")
	[ "$n" -ge 100 ] && ok "$case: bpftool lists $n task_struct facts" || not_ok "$case: bpftool gave $n task_struct facts"
	# shellcheck disable=SC2046
	"$QUERY" "$dump" $(awk '{print $1}' "$WORK/bq") >"$WORK/answers" 2>"$WORK/err"
	bad=0
	while read -r q what want; do
		got=$(awk -v q="$q" -v w="$what" '$1 == q { for (i = 2; i < NF; i++) if ($i == w) print $(i + 1) }' "$WORK/answers")
		if [ "$got" != "$want" ]; then
			bad=$((bad + 1))
			[ "$bad" -le 5 ] && echo "#   $q: $what ptwalk '$got', bpftool $want"
		fi
	done <"$WORK/bq"
	[ "$bad" -eq 0 ] && ok "$case: task_struct size and $((n - 1)) member offsets equal bpftool's" ||
		not_ok "$case: $bad of $n task_struct facts differ from bpftool"
done

# --btf: a raw BTF file (here: the bytes found in the last dump) is used
# in place of the dump's own; a file libbpf refuses is one clear error.
if [ -f "$WORK/btf" ]; then
	"$QUERY" "$dump" --btf "$WORK/btf" task_struct >"$WORK/answers" 2>"$WORK/err"
	head -1 "$WORK/answers" | grep -q '^source btf from file' && ok "--btf FILE is used before the dump's BTF" ||
		not_ok "--btf: $(cat "$WORK/answers" "$WORK/err" | head -3)"
	expect_exit 0 "info --btf" -- "$PTWALK" info --json --btf "$WORK/btf" "$dump"
	grep -q '"from":"file"\|"from": "file"' "$WORK/out" && ok "info --btf says from file" || not_ok "info --btf: $(grep -o '"types".*' "$WORK/out")"
	# Same header, types section cut short: libbpf refuses it.
	head -c 4096 "$WORK/btf" >"$WORK/bad.btf"
	"$QUERY" "$dump" --btf "$WORK/bad.btf" task_struct >"$WORK/answers" 2>"$WORK/err"
	rc=$?
	[ "$rc" -eq 1 ] && grep -q "bad.btf" "$WORK/err" && ok "--btf with a broken file: one error naming it" ||
		not_ok "--btf broken: exit $rc: $(head -2 "$WORK/err")"
	expect_exit 2 "--btf needs a value" -- "$PTWALK" info "$dump" --btf
fi

finish
