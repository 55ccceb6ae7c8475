#!/bin/sh
# Rewrite the examples of README and man/ptwalk.1 from the current testdata:
# each `$ ptwalk ...` line's output, and any address marked `# SYMBOL` (taken
# from the case's truth.json). Run it after the sample dumps are remade, read
# the diff, commit; tests/cli/examples.sh then checks the committed text.
#   usage: tests/cli/update-examples.sh [BUILDDIR]   (the directory holding the built ptwalk)
srcdir=$(cd "$(dirname "$0")/../.." && pwd)
builddir=${1:-$srcdir}
[ -x "$builddir/ptwalk" ] || { echo "update-examples: no ptwalk in $builddir (give the build directory)" >&2; exit 2; }
exec python3 "$srcdir/tests/cli/examples.py" update "$srcdir" "$builddir"
