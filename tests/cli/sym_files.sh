#!/bin/bash
# -m System.map and -k vmlinux, with files made from the truth of the sample
# dumps (the guest's /proc/kallsyms minus the KASLR offset QEMU saw, i.e. the
# link-time addresses a System.map holds) and, where the factory committed
# them (truth.json "system_map", "vmlinux"), the kernel build's own files:
# - a map (or an ELF symbol table with the dump's build ID) gives the truth
#   addresses, KASLR applied, and info says where symbols come from;
# - a map or vmlinux of another case is refused, exit 1, naming _stext or
#   both build IDs.
. "${top_srcdir:-.}/tests/cli/lib.sh"

if ! command -v python3 >/dev/null; then
	echo "1..0 # SKIP python3 is not installed"
	exit 77
fi
have_ld=1
command -v ld >/dev/null && command -v as >/dev/null || have_ld=0

CASES="arm64-4k39 x86_64-deb61-4l arm64-deb61-4k48"

# make_files CASE: $WORK/CASE.map (nm -n format, link-time addresses),
# $WORK/CASE.syms (name and truth address), $WORK/CASE.id (BUILD-ID).
make_files() {
	python3 - "$TESTDATA/$1/truth.json" "$WORK/$1" <<'PY'
import json, re, sys
t = json.load(open(sys.argv[1]))
kaslr = int(t["kaslr_offset"], 16)
syms = sorted((int(a, 16), n) for n, a in t["symbols"].items())
with open(sys.argv[2] + ".map", "w") as m, open(sys.argv[2] + ".syms", "w") as s:
    for a, n in syms:
        m.write("%016x %s %s\n" % (a - kaslr, "T", n))
        s.write("%s 0x%x\n" % (n, a))
bid = re.search(r"^BUILD-ID=(\w+)$", t["vmcoreinfo_text"], re.M)
open(sys.argv[2] + ".id", "w").write(bid.group(1) if bid else "")
PY
}

# make_elf CASE BUILD-ID OUT: an ELF whose symbol table holds CASE's symbols
# at link-time addresses (absolute symbols), with that GNU build ID; _edata
# and _end are left out (ld defines its own). $WORK/CASE.elfsyms lists the rest.
make_elf() {
	local defs=() name addr
	grep -vE '^(_edata|_end) ' "$WORK/$1.syms" >"$WORK/$1.elfsyms"
	while read -r addr _ name; do
		case $name in _edata|_end) continue ;; esac
		defs+=("--defsym=$name=0x$addr")
	done <"$WORK/$1.map"
	as /dev/null -o "$WORK/empty.o" && ld -o "$3" --build-id="0x$2" "${defs[@]}" "$WORK/empty.o" 2>/dev/null
}

# check_names CASE SYMS LABEL OPTIONS...: every symbol of the SYMS file
# ("name address" lines) at its address.
check_names() {
	local c=$1 syms=$2 label=$3; shift 3
	# shellcheck disable=SC2046
	"$PTWALK" sym "$TESTDATA/$c/vmcore.kdump-zlib.flat" --json "$@" $(cut -d' ' -f1 "$syms") \
		>"$WORK/out" 2>"$WORK/err"
	local rc=$?
	local res
	res=$(python3 - "$syms" "$WORK/out" <<'PY'
import json, sys
want = [l.split() for l in open(sys.argv[1])]
got = [json.loads(l) for l in open(sys.argv[2])]
bad = [n for n, a in want if not any(r["name"] == n and int(r["address"], 16) == int(a, 16) for r in got)]
srcs = sorted(set(r["source"] for r in got))
print("bad: " + " ".join(bad[:5]) if bad else "OK " + ",".join(srcs))
PY
)
	if [ "$rc" = 0 ] && [ "${res%% *}" = OK ]; then ok "$label (sources ${res#OK })"; else
		not_ok "$label: exit $rc, $res"; sed 's/^/#   /' "$WORK/err" | head -3; fi
}

prev=
for c in $CASES; do
	dump="$TESTDATA/$c/vmcore.kdump-zlib.flat"
	[ -f "$dump" ] || continue
	make_files "$c"
	check_names "$c" "$WORK/$c.syms" "$c: -m System.map from the guest's kallsyms" -m "$WORK/$c.map"
	"$PTWALK" info "$dump" --json -m "$WORK/$c.map" >"$WORK/info" 2>"$WORK/err"
	if python3 -c "import json,sys; s=json.load(open(sys.argv[1]))['symbols']; sys.exit(s['source']!='system.map' or s['data_symbols'] is None)" "$WORK/info"; then
		ok "$c: info -m says system.map"
	else
		not_ok "$c: info -m: $(grep -o '"symbols": {[^}]*}' "$WORK/info")"
	fi
	if [ -n "$prev" ]; then
		expect_exit 1 "$c: a System.map of $prev is refused" -- "$PTWALK" sym "$dump" _stext -m "$WORK/$prev.map"
		expect_stderr "System.map .*not from the dump's kernel.*_stext is 0x[0-9a-f]+, VMCOREINFO SYMBOL\(_stext\) is 0x" \
			"$c: the refusal names both _stext addresses"
	fi
	id=$(cat "$WORK/$c.id")
	if [ "$have_ld" = 1 ] && [ -n "$id" ] && make_elf "$c" "$id" "$WORK/$c.elf"; then
		check_names "$c" "$WORK/$c.elfsyms" "$c: -k ELF symbol table with the dump's build ID" -k "$WORK/$c.elf"
		make_elf "$c" "0123456789abcdef0123456789abcdef01234567" "$WORK/$c.other.elf"
		expect_exit 1 "$c: a vmlinux with another build ID is refused" -- "$PTWALK" sym "$dump" _stext -k "$WORK/$c.other.elf"
		expect_stderr "build ID is 0123456789abcdef0123456789abcdef01234567, VMCOREINFO BUILD-ID is $id" \
			"$c: the refusal names both build IDs"
		if [ -n "$prev" ]; then
			make_elf "$prev" "$id" "$WORK/$c.wrong.elf"
			expect_exit 1 "$c: $prev's symbols under this build ID are refused" -- "$PTWALK" sym "$dump" _stext -k "$WORK/$c.wrong.elf"
		fi
	else
		echo "ok - $c: -k # SKIP no ld/as or no BUILD-ID"
	fi
	prev=$c
done
# The two x86-64 dumps are one Debian build booted twice (same BUILD-ID,
# other KASLR offsets): the map made from one boot's /proc/kallsyms, moved
# by the other dump's KERNELOFFSET, gives the other boot's addresses.
a=x86_64-deb61-4l b=x86_64-deb61-5l
if [ -f "$TESTDATA/$a/vmcore.kdump-zlib.flat" ] && [ -f "$TESTDATA/$b/vmcore.kdump-zlib.flat" ] &&
	[ "$(grep -o 'BUILD-ID=[0-9a-f]*' "$TESTDATA/$a/truth.json")" = "$(grep -o 'BUILD-ID=[0-9a-f]*' "$TESTDATA/$b/truth.json")" ]; then
	[ -f "$WORK/$b.syms" ] || make_files "$b"
	awk 'NR == FNR { have[$1] = 1; next } ($1 in have)' "$WORK/$a.syms" "$WORK/$b.syms" >"$WORK/both.syms"
	check_names "$b" "$WORK/both.syms" "$b: the System.map of the same build from $a's boot, other KASLR offset" -m "$WORK/$a.map"
else
	echo "ok - same build booted twice # SKIP the x86-64 dumps are not one build"
fi

# The factory's own files (truth.json "system_map", "vmlinux"), on every case
# that has them: the build's System.map and vmlinux give the truth addresses.
for truth in "$TESTDATA"/*/truth.json; do
	c=$(basename "$(dirname "$truth")")
	[ -f "$TESTDATA/$c/vmcore.kdump-zlib.flat" ] || continue
	[ -f "$WORK/$c.syms" ] || make_files "$c"
	for key in system_map vmlinux; do
		f=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1])).get(sys.argv[2]) or '')" "$TESTDATA/$c/truth.json" "$key")
		if [ -z "$f" ] || [ ! -f "$TESTDATA/$c/$f" ]; then
			echo "ok - $c: real $key # SKIP the factory committed none for this case"
			continue
		fi
		case $f in
		*.gz) gzip -dc "$TESTDATA/$c/$f" >"$WORK/real" ;;
		*.xz) xz -dc "$TESTDATA/$c/$f" >"$WORK/real" ;;
		*) cp "$TESTDATA/$c/$f" "$WORK/real" ;;
		esac
		opt=-m; [ "$key" = vmlinux ] && opt=-k
		check_names "$c" "$WORK/$c.syms" "$c: the build's own $key" "$opt" "$WORK/real"
	done
done
finish
