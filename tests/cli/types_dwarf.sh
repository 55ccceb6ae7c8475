#!/bin/bash
# Types from a vmlinux's DWARF (libdw) against the same build's BTF: the
# .BTF section pahole wrote into that vmlinux, read by bpftool. Two
# encoders and two readers must give the same struct sizes and member
# offsets. The vmlinux comes from testdata (a case's vmlinux.xz, from the
# factory) or PTW_TEST_VMLINUX; without one the test is skipped.
. "$top_srcdir/tests/cli/lib.sh"
QUERY="$top_builddir/tests/types-query"

vmlinux=${PTW_TEST_VMLINUX:-}
case_dir=
if [ -z "$vmlinux" ]; then
	xz=$(ls "$TESTDATA"/*/vmlinux.xz 2>/dev/null | head -1)
	if [ -n "$xz" ]; then
		xz -dc "$xz" >"$WORK/vmlinux" && vmlinux="$WORK/vmlinux" && case_dir=$(dirname "$xz")
	fi
fi
if [ -z "$vmlinux" ]; then
	echo "# SKIP: no vmlinux with DWARF (testdata/*/vmlinux.xz not there yet; or set PTW_TEST_VMLINUX)"
	exit 77
fi
for tool in objcopy bpftool; do
	command -v $tool >/dev/null || { echo "# SKIP: needs $tool"; exit 77; }
done
echo "# vmlinux: $vmlinux"

# The file errors: a file without DWARF is NOT_PRESENT; not an ELF file is
# an error naming it.
printf 'not an ELF file at all\n' >"$WORK/notelf"
expect_exit 1 "a text file is not a vmlinux" -- "$QUERY" --dwarf "$WORK/notelf" task_struct
expect_stderr "not an ELF file" "says it is not ELF"
# The host's objcopy may not know the vmlinux's architecture: any that can strip it.
for strip in objcopy llvm-objcopy llvm-objcopy-14 aarch64-linux-gnu-objcopy; do
	command -v $strip >/dev/null && $strip --strip-debug "$vmlinux" "$WORK/stripped" 2>/dev/null && break
done
if [ -s "$WORK/stripped" ]; then
	expect_exit 1 "stripped vmlinux" -- "$QUERY" --dwarf "$WORK/stripped" task_struct
	expect_stderr "has no DWARF" "says it has no DWARF"
else
	echo "# no objcopy here can strip this vmlinux's architecture: the stripped case is not tried"
fi

# The kernel's own VMCOREINFO (truth.json, as the guest's kernel wrote it)
# states sizes and offsets of the structures it exports: DWARF must agree.
if [ -n "$case_dir" ] && [ -f "$case_dir/truth.json" ]; then
	python3 - "$case_dir/truth.json" >"$WORK/vifacts" <<'EOF2'
import json, re, sys
for l in json.load(open(sys.argv[1]))["vmcoreinfo_text"].splitlines():
    m = re.match(r"(SIZE|OFFSET)\(([A-Za-z0-9_]+)(?:\.([A-Za-z0-9_.]+))?\)=(\d+)$", l)
    if not m:
        continue
    kind, s, member, v = m.groups()
    if kind == "SIZE" and not member:
        print(f"{s} size {v}")
    elif kind == "OFFSET" and member:
        print(f"{s}:{member} offset {v}")
EOF2
	n=$(wc -l <"$WORK/vifacts")
	# shellcheck disable=SC2046
	"$QUERY" --dwarf "$vmlinux" $(awk '{print $1}' "$WORK/vifacts") >"$WORK/vianswers" 2>"$WORK/err"
	bad=0
	while read -r q what want; do
		got=$(awk -v q="$q" -v w="$what" '$1 == q { for (i = 2; i < NF; i++) if ($i == w) print $(i + 1) }' "$WORK/vianswers")
		if [ "$got" != "$want" ]; then
			bad=$((bad + 1))
			[ "$bad" -le 5 ] && echo "#   $q: $what DWARF '$got', VMCOREINFO $want"
		fi
	done <"$WORK/vifacts"
	[ "$n" -ge 30 ] && [ "$bad" -eq 0 ] && ok "all $n SIZE/OFFSET lines of the kernel's VMCOREINFO equal DWARF's" ||
		not_ok "$bad of $n VMCOREINFO sizes and offsets differ from DWARF"

	# -k gives the processes types: ps lists the guest's tasks with
	# "struct_layout": "types", and gcore finds every thread's registers
	# (without types a sleeping thread's stack is not known).
	dump="$case_dir/vmcore.kdump-zlib.flat"
	if [ -f "$dump" ] && "$PTWALK" ps "$dump" -k "$vmlinux" --json -q >"$WORK/ps" 2>"$WORK/err"; then
		res=$(python3 - "$case_dir/truth.json" "$WORK/ps" <<'EOF2'
import json, sys
want = json.load(open(sys.argv[1]))["tasks"]
got = {g["pid"]: g for g in map(json.loads, open(sys.argv[2]))}
bad = [w["pid"] for w in want if w["pid"] not in got or got[w["pid"]]["ppid"] != w["ppid"]
       or not w["comm"].startswith(got[w["pid"]]["comm"])]
layouts = {g.get("struct_layout") for g in got.values()}
print("ok" if want and not bad and layouts == {"types"} else f"tasks wrong: {bad[:5]}, layouts {layouts}")
EOF2
)
		[ "$res" = ok ] && ok "ps -k: every task the guest listed, from DWARF's types" || not_ok "ps -k: $res"
	else
		not_ok "ps -k fails: $(head -1 "$WORK/err")"
	fi
	for pid in $(jq -r '.processes[].pid' "$case_dir/truth.json" 2>/dev/null); do
		"$PTWALK" gcore "$dump" -k "$vmlinux" --pid "$pid" -o "$WORK/core" --force --json -q >"$WORK/g" 2>"$WORK/err"
		[ "$(jq -r '.threads_without_registers' "$WORK/g" 2>/dev/null)" = 0 ] &&
			ok "gcore -k --pid $pid: every thread has its registers" || not_ok "gcore -k --pid $pid: $(cat "$WORK/g" "$WORK/err" | head -2)"
	done
fi

if ! objcopy -O binary --only-section=.BTF "$vmlinux" "$WORK/btf" || [ ! -s "$WORK/btf" ]; then
	echo "# $vmlinux has no .BTF: no DWARF-against-BTF comparison"
	finish
	exit
fi
bpftool btf dump file "$WORK/btf" >"$WORK/bpftool" || { not_ok "bpftool cannot read the vmlinux's .BTF"; finish; exit; }

# Sizes and direct named, non-bitfield members of structs processes need.
for s in task_struct mm_struct vm_area_struct page list_head thread_info maple_tree file dentry; do
	awk -v s="$s" '
		$0 ~ "^\\[[0-9]+\\] STRUCT \047" s "\047 size=" { if (done) exit; split($4, z, "="); print s " size " z[2]; f = 1; next }
		f && /^\[/ { f = 0; done = 1 }
		f && /bits_offset=/ {
			name = $1; gsub("\047", "", name)
			for (i = 2; i <= NF; i++) if ($i ~ /^bits_offset=/) { split($i, b, "="); off = b[2] }
			if (name != "(anon)" && $0 !~ /bitfield_size=/ && !(name in seen)) { seen[name] = 1; print s ":" name " offset " off / 8 }
		}' "$WORK/bpftool"
done >"$WORK/facts"
n=$(wc -l <"$WORK/facts")
[ "$n" -ge 100 ] && ok "bpftool gives $n facts" || not_ok "bpftool gives only $n facts"

# shellcheck disable=SC2046
"$QUERY" --dwarf "$vmlinux" $(awk '{print $1}' "$WORK/facts") >"$WORK/answers" 2>"$WORK/err"
[ $? -eq 0 ] && ok "DWARF queried" || not_ok "DWARF query failed: $(head -2 "$WORK/err")"
head -1 "$WORK/answers" | grep -q '^source dwarf' && ok "types come from DWARF" || not_ok "$(head -1 "$WORK/answers")"
bad=0
while read -r q what want; do
	got=$(awk -v q="$q" -v w="$what" '$1 == q { for (i = 2; i < NF; i++) if ($i == w) print $(i + 1) }' "$WORK/answers")
	if [ "$got" != "$want" ]; then
		bad=$((bad + 1))
		[ "$bad" -le 5 ] && echo "#   $q: $what DWARF '$got', BTF $want"
	fi
done <"$WORK/facts"
[ "$bad" -eq 0 ] && ok "all $n sizes and offsets from DWARF equal the BTF's" || not_ok "$bad of $n differ"

# Paths through anonymous members and bitfields agree with the BTF reader.
Q="task_struct:__state task_struct:thread_info.cpu task_struct:tasks.next task_struct:comm[3] page:_mapcount page:compound_head page:lru.next task_struct:sched_reset_on_fork task_struct:state"
# shellcheck disable=SC2086
"$QUERY" --dwarf "$vmlinux" $Q | tail -n +2 >"$WORK/d"
# shellcheck disable=SC2086
"$QUERY" --raw-btf "$WORK/btf" $Q | tail -n +2 >"$WORK/b"
diff "$WORK/d" "$WORK/b" >"$WORK/diff" && ok "member paths, anonymous members and bitfields: DWARF = BTF" ||
	{ not_ok "DWARF and BTF differ on paths"; sed 's/^/#   /' "$WORK/diff" | head; }

expect_exit 1 "raw BTF is not a vmlinux" -- "$QUERY" --dwarf "$WORK/btf" task_struct
expect_stderr "not an ELF file" "says it is not ELF"

finish
