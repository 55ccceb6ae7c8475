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

# The guest's test processes wrote this, XORed with each page's VA, in the
# first word of every page they touched (testdata/factory).
PATTERN=$((0x5054574b5054574b))

# truth_symbols TRUTH: the truth's symbols, "NAME 0xADDRESS" a line, by name.
truth_symbols() {
	python3 -c 'import json, sys
for name, addr in sorted(json.load(open(sys.argv[1]))["symbols"].items()):
    print(name, addr)' "$1"
}

# truth_regions TRUTH PID: the process's regions, "VA SIZE TOUCHED" a line,
# TOUCHED "all" or the touched page indexes joined by commas.
truth_regions() {
	jq -r --argjson pid "$2" '.processes[] | select(.pid == $pid) | .regions[] |
		"\(.va) \(.size) \(if .touched_pages == "all" then "all" else (.touched_pages | map(tostring) | join(",")) end)"' "$1"
}

# pattern_page_ok FILE INDEX PAGE_SIZE VA: whether page INDEX of FILE (read
# from VA on) starts with the pattern word of its VA; the word read is left
# in pattern_word for the caller's message.
pattern_page_ok() {
	pattern_word=$(od -An -v -tx8 -j $(($2 * $3)) -N 8 "$1" | tr -d ' ')
	[ -n "$pattern_word" ] && [ $((0x$pattern_word)) -eq $(($4 ^ PATTERN)) ]
}

# cases_with_processes: the sample dumps whose truth lists processes, one
# directory a line.
cases_with_processes() {
	local truth
	for truth in "$TESTDATA"/*/truth.json; do
		[ -f "$truth" ] && [ -f "$(dirname "$truth")/vmcore.kdump-zlib.flat" ] || continue
		[ "$(jq '.processes | length' "$truth")" -gt 0 ] && dirname "$truth"
	done
}
