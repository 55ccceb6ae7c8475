#!/bin/bash
# Aliased tables planted in real dumps (issue 15): output and work bounded by
# the tables, not by what they can express. In the ELF dump of each arm64
# case (4K, 4K LPA2, 16K and 64K granules) take the kernel's walk of a
# page-mapped address (root -> ... -> T -> L, L a last-level table) and
#   single: overwrite every entry of T with T's entry that leads to L;
#   chain:  the same, and every entry of the table above T (the root on
#           3-level trees) with its entry that leads to T.
# x86-64's sample dumps are kdumps only: tests/kdump_to_elf.py rewrites them
# as ELF cores first; the same plants also go into the synthetic 4- and
# 5-level trees of tests/specs (mkdump). On each, `maps`, `maps
# --json` and `check --json` must finish in under 5 s with under 1 MB of
# output, and check must give one table-alias finding for each planted table
# with the number of entries pointing at it.
. "${top_srcdir:-.}/tests/cli/lib.sh"
MKDUMP="$top_builddir/tests/mkdump"

# run_bounded WHAT DUMP: the three commands, timed, their output measured.
run_bounded() {
	local what=$1 dump=$2 args
	for args in "maps" "maps --json" "check --json"; do
		local t0 t1 ms size rc
		t0=$(date +%s%N)
		# shellcheck disable=SC2086
		timeout 60 "$PTWALK" $args "$dump" -q >"$WORK/out" 2>"$WORK/err"
		rc=$?
		t1=$(date +%s%N)
		ms=$(((t1 - t0) / 1000000))
		size=$(stat -c %s "$WORK/out")
		cp "$WORK/out" "$WORK/out.${args// /}"
		if { [ $rc -eq 0 ] || [ $rc -eq 3 ]; } && [ $ms -lt 5000 ] && [ "$size" -lt 1048576 ]; then
			ok "$what: $args: exit $rc, ${ms} ms, $size bytes"
		else
			not_ok "$what: $args: exit $rc, ${ms} ms, $size bytes (want < 5000 ms, < 1 MiB)"
			sed 's/^/#   /' "$WORK/err" | head -3
		fi
	done
}

# expect_alias WHAT PA ENTRIES: check --json named table PA with that count.
expect_alias() {
	if grep -q "\"kind\": \"table-alias\".*\"pa\": \"$2\".*\"detail\": \"$3 entries point" "$WORK/out.check--json"; then
		ok "$1: table-alias finding for $2 ($3 entries)"
	else
		not_ok "$1: no table-alias finding for $2 with $3 entries"
		grep table-alias "$WORK/out.check--json" | head -3 | sed 's/^/#   /'
	fi
}

if ! ls "$TESTDATA"/*/truth.json >/dev/null 2>&1; then
	echo "# SKIP: no testdata/*/truth.json under $top_srcdir"; exit 77
fi

# plan.py ELF GRANULE: the plants for a page-mapped kernel address, as
# "TABLE_PA VALUE" lines (single: line 1; chain: lines 1 and 2), from the
# kernel's walk as vtop gives it.
cat >"$WORK/plan.py" <<'PY'
import json, subprocess, sys
ptwalk, elf, granule, leaf = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
recs = subprocess.run([ptwalk, "maps", elf, "--json", "-q"], capture_output=True, text=True).stdout
for line in recs.splitlines():
    r = json.loads(line)
    if r.get("page_size") == granule and r.get("level") == leaf:
        va = r["start"]
        break
else:
    sys.exit("no page-mapped kernel address")
walk = json.loads(subprocess.run([ptwalk, "vtop", elf, va, "--json"], capture_output=True, text=True).stdout)["walk"]
if len(walk) < 3:
    sys.exit("walk too short")
for step in (walk[-2], walk[-3]):
    table = int(step["entry_pa"], 16) & ~(granule - 1)
    print("%#x %s %#x" % (table, step["raw"], int(step["raw"], 16) & 0x0000fffffffff000 & ~(granule - 1)))
PY

# patch.py ELF GRANULE TABLE_PA VALUE: every entry of the table page is VALUE.
cat >"$WORK/patch.py" <<'PY'
import struct, sys
elf, granule, table, value = sys.argv[1], int(sys.argv[2]), int(sys.argv[3], 16), int(sys.argv[4], 16)
with open(elf, "r+b") as f:
    hdr = f.read(64)
    phoff, = struct.unpack_from("<Q", hdr, 32)
    phentsize, phnum = struct.unpack_from("<HH", hdr, 54)
    for i in range(phnum):
        f.seek(phoff + i * phentsize)
        p_type, _, p_offset, _, p_paddr, p_filesz = struct.unpack("<IIQQQQ", f.read(40))
        if p_type == 1 and p_paddr <= table and table + granule <= p_paddr + p_filesz:
            f.seek(p_offset + table - p_paddr)
            f.write(struct.pack("<Q", value) * (granule // 8))
            break
    else:
        sys.exit("table %#x is not in a PT_LOAD" % table)
PY

# CASE:GRANULE:LEAF_LEVEL (the level maps --json gives last-level pages)
for case in arm64-4k39:4096:3 arm64-4k52-max:4096:3 arm64-16k47:16384:3 arm64-64k52-max:65536:3 \
	x86_64-deb61-4l:4096:4 x86_64-deb61-5l:4096:4; do
	IFS=: read -r name granule leaf <<<"$case"
	if [ "${name#x86}" != "$name" ]; then
		# 150 MB each; written once, removed at the end
		elf=$WORK/$name.elf
		python3 "$top_srcdir/tests/kdump_to_elf.py" "$TESTDATA/$name/vmcore.kdump-zlib.flat" "$elf" 2>"$WORK/err" ||
			{ not_ok "$name: kdump_to_elf"; sed 's/^/#   /' "$WORK/err" | head -3; continue; }
	else
	elf=$(python3 -c "
import os, sys
sys.path.insert(0, os.path.join(os.environ.get('top_srcdir', '.'), 'tests'))
import truth
case_dir = os.path.join(truth.TOP_SRCDIR, 'testdata', '$name')
print(truth.dump_path(case_dir, {'name': 'vmcore.elf.xz', 'stored': 'xz'}) or '')" 2>"$WORK/err")
	fi
	if [ -z "$elf" ]; then not_ok "$name: no ELF dump"; sed 's/^/#   /' "$WORK/err" | head -3; continue; fi
	if ! python3 "$WORK/plan.py" "$PTWALK" "$elf" "$granule" "$leaf" >"$WORK/plan" 2>"$WORK/err"; then
		not_ok "$name: no plan"; sed 's/^/#   /' "$WORK/err" | head -3; continue
	fi
	read -r t_table t_value l_table <<<"$(sed -n 1p "$WORK/plan")"
	read -r u_table u_value _ <<<"$(sed -n 2p "$WORK/plan")"
	entries=$((granule / 8))
	if [ "$elf" = "$WORK/$name.elf" ]; then mv "$elf" "$WORK/p.elf"; else cp "$elf" "$WORK/p.elf"; fi
	python3 "$WORK/patch.py" "$WORK/p.elf" "$granule" "$t_table" "$t_value" || { not_ok "$name: patch"; continue; }
	run_bounded "$name single" "$WORK/p.elf"
	expect_alias "$name single" "$l_table" "$entries"
	python3 "$WORK/patch.py" "$WORK/p.elf" "$granule" "$u_table" "$u_value" || { not_ok "$name: patch"; continue; }
	run_bounded "$name chain" "$WORK/p.elf"
	expect_alias "$name chain" "$l_table" "$entries"
	expect_alias "$name chain" "$t_table" "[0-9]*"
	rm -f "$WORK/p.elf"
done

# x86-64: in the synthetic trees (tests/specs/x86_64-{4,5}l.spec) T is a
# PMD table, L the PT its entry leads to, U the PUD table above T.
for plan in x86_64-4l:0x15000:0x16000:0x14000 x86_64-5l:0x13000:0x14000:0x12000; do
	IFS=: read -r spec t l u <<<"$plan"
	single=() chain=()
	for i in $(seq 0 511); do
		single+=(-D "u64 $((t + 8 * i)) = $((l | 0x63))")
		chain+=(-D "u64 $((u + 8 * i)) = $((t | 0x63))")
	done
	"$MKDUMP" "${single[@]}" "$top_srcdir/tests/specs/$spec.spec" "$WORK/x.dump" >/dev/null 2>"$WORK/err" ||
		{ not_ok "$spec: mkdump"; sed 's/^/#   /' "$WORK/err" | head -3; continue; }
	run_bounded "$spec single" "$WORK/x.dump"
	expect_alias "$spec single" "$l" 512
	"$MKDUMP" "${single[@]}" "${chain[@]}" "$top_srcdir/tests/specs/$spec.spec" "$WORK/x.dump" >/dev/null 2>"$WORK/err" ||
		{ not_ok "$spec: mkdump"; continue; }
	run_bounded "$spec chain" "$WORK/x.dump"
	expect_alias "$spec chain" "$l" 512
	expect_alias "$spec chain" "$t" 512
done
finish
