#!/bin/bash
# struct page in vtop: for every vmemmap fact QEMU recorded in truth.json
# (the struct page array's VA and where QEMU found it), the page frame it
# describes is worked out with the kernel's own formula from truth's
# constants, and vtop of that frame's linear-map address must print that
# struct page address. Truth has no "struct page of frame N" fact, so the
# frame comes from the kernel's formula:
#   arm64:  vmemmap = VMEMMAP_START - (PHYS_OFFSET >> PAGE_SHIFT) pages
#           (asm/pgtable.h), or VMCOREINFO's SYMBOL(vmemmap) where 6.12 gives it;
#   x86-64: vmemmap_base is PUD (1 GiB) aligned (arch/x86/mm/kaslr.c), and
#           the facts lie in its first GiB.
# The frame's linear address is taken from a "linear" fact of the same case.
# Also: struct page by vmemmap equals struct page by mem_section wherever
# the section is present, and the flags/refcount vtop prints for a frame
# are the bytes at that struct page (read --phys at the fact's PA).
. "$top_srcdir/tests/cli/lib.sh"
QUERY="$top_builddir/tests/types-query"
command -v python3 >/dev/null || { echo "# SKIP: needs python3"; exit 77; }
[ -f "$TESTDATA/arm64-deb61-4k48/truth.json" ] || { echo "# no testdata (a distribution tarball): skipped"; exit 77; }

for truth in "$TESTDATA"/*/truth.json; do
	case=$(basename "$(dirname "$truth")")
	dump=$(ls "$TESTDATA/$case"/vmcore.kdump* 2>/dev/null | head -1)
	[ -n "$dump" ] || continue
	python3 - "$truth" >"$WORK/plan" <<'EOF'
import json, re, sys
t = json.load(open(sys.argv[1]))
vi = dict(l.split("=", 1) for l in t["vmcoreinfo_text"].splitlines() if "=" in l)
size = int(vi["SIZE(page)"])
shift = t["page_size"].bit_length() - 1
facts = t["kernel_facts"]
vm = [f for f in facts if f["what"] == "vmemmap" and f["pa"]]
lin = [f for f in facts if f["what"] == "linear" and f["pa"]]
if not vm or not lin:
    sys.exit(0)
if t["arch"] == "arm64":
    if "SYMBOL(vmemmap)" in vi:
        base = int(vi["SYMBOL(vmemmap)"], 16)
    else:
        phys = int(vi["NUMBER(PHYS_OFFSET)"], 0)
        base = int(vi["NUMBER(VMEMMAP_START)"], 0) - (phys >> shift) * size
else:
    base = int(vm[0]["va"], 16) & ~((1 << 30) - 1)
lva, lpa = int(lin[0]["va"], 16), int(lin[0]["pa"], 16)
for f in vm:
    va = int(f["va"], 16)
    if (va - base) % size:
        continue
    pfn = (va - base) // size
    pa = pfn << shift
    print(f"0x{lva + (pa - lpa) & (2**64 - 1):x} {f['va']} {pfn} {f['pa']}")
EOF
	n=$(wc -l <"$WORK/plan")
	[ "$n" -gt 0 ] || { echo "# $case: no vmemmap and linear facts"; continue; }
	# shellcheck disable=SC2046
	"$PTWALK" vtop --json -q "$dump" $(awk '{print $1}' "$WORK/plan") >"$WORK/out" 2>"$WORK/err"
	python3 - "$WORK/plan" "$WORK/out" >"$WORK/res" <<'EOF'
import json, sys
plan = [l.split() for l in open(sys.argv[1])]
recs = [json.loads(l) for l in open(sys.argv[2])]
bad = 0
for (lva, want, pfn, _), r in zip(plan, recs):
    got = (r.get("page") or {}).get("address")
    if got != want or r["page"]["pfn"] != int(pfn):
        bad += 1
        print(f"#   vtop {lva}: page {got}, wanted {want} (pfn {pfn})")
if len(recs) != len(plan):
    bad += 1
    print(f"#   {len(recs)} records for {len(plan)} addresses")
print(f"bad {bad}")
EOF
	bad=$(awk '/^bad /{print $2}' "$WORK/res")
	grep '^#' "$WORK/res" | head -5
	[ "$bad" = 0 ] && ok "$case: struct page of $n frames equals truth's vmemmap facts" ||
		not_ok "$case: $bad of $n struct page addresses differ"

	# vmemmap and mem_section agree for the same frames.
	# shellcheck disable=SC2046
	"$QUERY" "$dump" --pages $(awk '{print $3}' "$WORK/plan") >"$WORK/pages" 2>"$WORK/err"
	disagree=$(awk '$1 == "pfn" && $6 != "none" && $4 != $6' "$WORK/pages" | wc -l)
	compared=$(awk '$1 == "pfn" && $6 != "none"' "$WORK/pages" | wc -l)
	[ "$disagree" = 0 ] && ok "$case: vmemmap and mem_section agree on $compared frames" ||
		not_ok "$case: vmemmap and mem_section differ on $disagree frames"

	# What vtop prints is the struct page's bytes, read by physical address
	# at the fact's PA (QEMU's translation of the struct page's VA).
	read -r lva want pfn fpa < <(head -1 "$WORK/plan")
	"$PTWALK" vtop --json -q "$dump" "$lva" >"$WORK/one" 2>/dev/null
	"$PTWALK" read --phys --raw -q "$dump" "$fpa" 64 >"$WORK/raw" 2>/dev/null
	python3 - "$WORK/one" "$WORK/raw" "$truth" <<'EOF' >"$WORK/cmp"
import json, struct, sys, re
r = json.loads(open(sys.argv[1]).readline())["page"]
raw = open(sys.argv[2], "rb").read()
vi = dict(l.split("=", 1) for l in json.load(open(sys.argv[3]))["vmcoreinfo_text"].splitlines() if "=" in l)
fl = struct.unpack_from("<Q", raw, int(vi["OFFSET(page.flags)"]))[0]
rc = struct.unpack_from("<i", raw, int(vi["OFFSET(page._refcount)"]))[0]
ok = r["status"] == "ok" and int(r["flags"], 16) == fl and r["refcount"] == rc
print("ok" if ok else f"flags {r.get('flags')} vs {fl:#x}, refcount {r.get('refcount')} vs {rc}")
EOF
	[ "$(cat "$WORK/cmp")" = ok ] && ok "$case: flags and refcount are the bytes at the struct page's PA" ||
		not_ok "$case: $(cat "$WORK/cmp")"
done

# Text: the crash-style PAGE line follows the walk.
dump="$TESTDATA/arm64-deb61-4k48/vmcore.kdump-zlib.flat"
expect_exit 0 "vtop text with struct page" -- "$PTWALK" vtop "$dump" 0xffff000000001000
grep -A1 '^ *PAGE *PHYSICAL *MAPPING *CNT *MAPCNT *FLAGS' "$WORK/out" | grep -q '^fffffc0000000040  40001000 ' &&
	ok "text shows struct page fffffc0000000040 for pa 40001000" || not_ok "text: $(tail -3 "$WORK/out")"
# --brief stays two columns.
expect_exit 0 "vtop --brief" -- "$PTWALK" vtop --brief "$dump" 0xffff000000001000
[ "$(cat "$WORK/out")" = "ffff000000001000 40001000" ] && ok "--brief has no page" || not_ok "--brief: $(cat "$WORK/out")"
# Without SIZE(page) vtop still answers, with one warning.
expect_exit 0 "vtop without SIZE(page)" -- "$PTWALK" vtop --json "$dump" 0xffff000000001000 --set 'SIZE(page)=0'
grep -q '"page":' "$WORK/out" && not_ok "page printed without SIZE(page)" || ok "no page without SIZE(page)"
expect_stderr "struct page will not be shown" "one warning says why"

finish
