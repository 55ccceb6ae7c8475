#!/bin/bash
# Synthetic arm64 and x86-64 dumps (tests/specs/{arm64,x86_64}-*.spec, written with tests/mkdump)
# against the answers worked out by hand in each spec:
#   #expect VA ANSWER [--pgd X]    `vtop --brief` prints "VA ANSWER"
#   #expect-json VA STATUS PA [key=N]...   `vtop --json` fields
#   #expect-ptov PA LINEAR         `ptov --json` linear alias
#   #expect-after FIRST VA ANSWER  `vtop - --brief` given FIRST then VA prints
#                                  "VA ANSWER" (the batch's cached answers)
. "${top_srcdir:-.}/tests/cli/lib.sh"

MKDUMP="$top_builddir/tests/mkdump"
have_jq=0
command -v jq >/dev/null && have_jq=1

for spec in "$top_srcdir"/tests/specs/arm64-*.spec "$top_srcdir"/tests/specs/x86_64-*.spec; do
	name=$(basename "$spec" .spec)
	dump="$WORK/$name.dump"
	if ! "$MKDUMP" "$spec" "$dump" 2>"$WORK/err"; then
		not_ok "$name: mkdump failed: $(head -1 "$WORK/err")"
		continue
	fi
	while read -r tag va rest; do
		case $tag in
		'#expect')
			set -- $rest
			want=$1; shift
			got=$("$PTWALK" vtop "$dump" "$va" --brief "$@" 2>"$WORK/err")
			if [ "$got" = "$(printf '%x' $((va))) $want" ]; then ok "$name: $va $* -> $want"; else
				not_ok "$name: $va $*: got '$got', want '$want'"; sed 's/^/#   /' "$WORK/err" | head -3; fi ;;
		'#expect-json')
			[ $have_jq = 1 ] || continue
			set -- $rest
			status=$1 pa=$2; shift 2
			"$PTWALK" vtop "$dump" "$va" --json >"$WORK/json" 2>"$WORK/err"
			good=1
			[ "$(jq -r .status "$WORK/json")" = "$status" ] || good=0
			[ $(( $(jq -r '.pa // "0"' "$WORK/json") )) -eq $((pa)) ] || good=0
			for kv in "$@"; do
				[ "$(jq -r ".${kv%%=*}" "$WORK/json")" = "${kv#*=}" ] || good=0
			done
			if [ $good = 1 ]; then ok "$name: $va json $status $pa $*"; else
				not_ok "$name: $va json: $(cat "$WORK/json")"; fi ;;
		'#expect-after')
			set -- $rest
			got=$(printf '%s\n%s\n' "$va" "$1" | "$PTWALK" vtop "$dump" - --brief 2>"$WORK/err" | tail -n 1)
			if [ "$got" = "$(printf '%x' $(($1))) $2" ]; then ok "$name: $1 after $va -> $2"; else
				not_ok "$name: $1 after $va: got '$got', want '$2'"; fi ;;
		'#expect-ptov')
			[ $have_jq = 1 ] || continue
			set -- $rest
			got=$("$PTWALK" ptov "$dump" "$va" --json 2>/dev/null | jq -r .linear)
			if [ "$got" != null ] && [ $((got)) -eq $(($1)) ]; then ok "$name: ptov $va -> $1"; else
				not_ok "$name: ptov $va: got $got, want $1"; fi ;;
		esac
	done < <(grep '^#expect' "$spec")
done
finish
