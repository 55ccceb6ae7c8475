#!/bin/bash
# The Python module (python/ptwalkmodule.c) under pytest against the sample
# dumps' truth (tests/python/test_ptwalk.py). Skips, saying why, when the
# module was not built or pytest is missing.
. "${top_srcdir:-.}/tests/cli/lib.sh"
module_dir="$top_builddir/python/.libs"
if [ -z "${PYTHON:-}" ] || [ ! -f "$module_dir/ptwalk.so" ]; then
	echo "# the Python module was not built (configure found no python3-dev): skipped"; exit 77
fi
if ! "$PYTHON" -c 'import pytest' 2>/dev/null; then
	echo "# $PYTHON has no pytest (python3-pytest): skipped"; exit 77
fi
# A sanitizer build's library needs its runtimes loaded first, before the
# interpreter's own libraries; the interpreter's leaks are not ours.
preload=
for rt in asan ubsan; do
	if ldd "$module_dir/ptwalk.so" | grep -q "lib$rt\.so"; then
		preload="$preload $(${CC:-gcc} -print-file-name=lib$rt.so)"
	fi
done
LD_PRELOAD="${preload# }" ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
	PYTHONPATH="$module_dir" PYTHONDONTWRITEBYTECODE=1 TESTDATA="$TESTDATA" \
	"$PYTHON" -m pytest -q -p no:cacheprovider -rs "$top_srcdir/tests/python" >"$WORK/out" 2>&1
rc=$?
cat "$WORK/out"
# pytest's exit 5: no tests collected (no sample dumps)
case $rc in 0) ok "pytest" ;; 5) echo "# no sample dumps: skipped"; exit 77 ;; *) not_ok "pytest (exit $rc)" ;; esac
finish
