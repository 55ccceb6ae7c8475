#!/bin/bash
# `ptwalk maps` on every real sample dump against the kernel's own listing:
# testdata/CASE/kernel_page_tables.txt is what the guest's
# /sys/kernel/debug/kernel_page_tables (arch/arm64/mm/ptdump.c) printed just
# before QEMU stopped it (truth.json "kernel_page_tables", captured without a
# fork so that the tables at dump time are the ones listed).  Every dump file
# of such a case (ELF, flattened kdump, makedumpfile's kdump, filtered or not)
# must give exactly that text: same lines, same order, same spacing.
. "${top_srcdir:-.}/tests/cli/lib.sh"

# A release tarball carries no sample dumps: skip, and say so.
if ! ls "$TESTDATA"/*/truth.json >/dev/null 2>&1; then
	echo "# SKIP: no testdata/*/truth.json under $top_srcdir"; exit 77
fi

# CASE_DIR<TAB>LISTING<TAB>DUMP for every dump file of every case with a
# listing; tests/truth.py decompresses vmcore.elf.xz into
# $top_builddir/testdata-cache once.
python3 - >"$WORK/list" 2>"$WORK/list.err" <<'PY'
import os, sys
sys.path.insert(0, os.path.join(os.environ.get("top_srcdir", "."), "tests"))
import truth
for case_dir, t in truth.cases():
    name = t.get("kernel_page_tables")
    if not name:
        continue
    for entry in t.get("files", []):
        path = truth.dump_path(case_dir, entry)
        print("%s\t%s\t%s" % (case_dir, os.path.join(case_dir, name), path or "-" + entry["name"]))
PY
[ -s "$WORK/list" ] || { not_ok "no case has a kernel_page_tables listing"; sed 's/^/#   /' "$WORK/list.err"; finish; exit; }

while IFS=$'\t' read -r case_dir listing dump; do
	what="$(basename "$case_dir")/$(basename "${dump#-}")"
	if [ ! -f "$listing" ]; then not_ok "$what: $(basename "$listing") missing"; continue; fi
	if [ "${dump:0:1}" = - ]; then not_ok "$what: dump file missing"; continue; fi
	"$PTWALK" maps "$dump" >"$WORK/out" 2>"$WORK/err"
	rc=$?
	if [ $rc -ne 0 ]; then
		not_ok "$what: maps exit $rc"; sed 's/^/#   /' "$WORK/err" | head -5; continue
	fi
	if diff -u "$listing" "$WORK/out" >"$WORK/diff"; then
		ok "$what: maps equals the kernel's kernel_page_tables ($(wc -l <"$listing") lines)"
	else
		not_ok "$what: maps differs from the kernel's kernel_page_tables" \
			"($(tail -n +3 "$WORK/diff" | grep -c '^-') kernel lines, $(tail -n +3 "$WORK/diff" | grep -c '^+') ptwalk lines differ)"
		sed 's/^/#   /' "$WORK/diff" | head -60
	fi
done <"$WORK/list"
finish
