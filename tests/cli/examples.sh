#!/bin/sh
# Issue 18 item 15: every example of README and man/ptwalk.1 (a `$ ptwalk`
# line naming a file under testdata/, and the output shown after it) still
# gives that output. The text compared is the committed one: this test never
# rewrites it (tests/cli/update-examples.sh does, after the dumps change).
. "$top_srcdir/tests/cli/lib.sh"
if ! command -v python3 >/dev/null 2>&1; then
	echo "# python3 not found: skipped"; exit 77
fi
if [ ! -f "$TESTDATA/arm64-64k52-a57/vmcore.kdump-zlib.flat" ]; then
	echo "# no testdata: skipped"; exit 77
fi
python3 "$top_srcdir/tests/cli/examples.py" check "$top_srcdir" "$top_builddir" >"$WORK/tap"
rc=$?
cat "$WORK/tap"
passed=$(grep -c '^ok ' "$WORK/tap")
failed=$(grep -c '^not ok ' "$WORK/tap")
[ "$rc" -eq 0 ] || [ "$failed" -gt 0 ] || failed=1
finish
