# Shared by the shell tests: where ptwalk and the sources are, and small checks.
# Each test sources this, calls `check` for each expectation and ends with `finish`.
: "${top_srcdir:=.}" "${top_builddir:=.}"
PTWALK="$top_builddir/ptwalk"
TESTDATA="$top_srcdir/testdata"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ptw-test.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
passed=0
failed=0

ok() { passed=$((passed + 1)); echo "ok - $*"; }
not_ok() { failed=$((failed + 1)); echo "not ok - $*"; }

# expect_exit CODE DESCRIPTION -- COMMAND...: run, compare the exit status.
expect_exit() {
	local want=$1 what=$2; shift 3
	"$@" >"$WORK/out" 2>"$WORK/err"
	local got=$?
	if [ "$got" -eq "$want" ]; then ok "$what"; else
		not_ok "$what: exit $got, wanted $want"; sed 's/^/#   /' "$WORK/err" | head -5; fi
}

# expect_stderr REGEX DESCRIPTION: the last command's stderr matches.
expect_stderr() {
	if grep -Eq -- "$1" "$WORK/err"; then ok "$2"; else
		not_ok "$2: stderr does not match /$1/"; sed 's/^/#   /' "$WORK/err" | head -5; fi
}

finish() {
	echo "# $passed passed, $failed failed"
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}
