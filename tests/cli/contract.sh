#!/bin/sh
# Issue 18 item 16: what the program prints is what the contract, README and
# man page say: layout's "source" values and region names (x86-64's "efi"
# included), and "no-user-table", the status of a user address walked
# without a user table, with its fields.
. "$top_srcdir/tests/cli/lib.sh"
command -v jq >/dev/null 2>&1 || { echo "# jq not found: skipped"; exit 77; }
MAN="$top_srcdir/man/ptwalk.1"
README="$top_srcdir/README"
SOURCES="computed tables vmcoreinfo"
NAMES="linear map|kasan shadow|bpf jit|modules|vmalloc|kernel image|fixmap|pci io|vmemmap|guard|gap|direct map|cpu entry area|kernel text|esp fixup|ldt remap|efi"

# roff hyphens read as hyphens
man_text() { sed 's/\\-/-/g; s/\\&//g' "$MAN"; }

found=0
for D in "$TESTDATA"/*/vmcore.kdump-zlib.flat; do
	[ -f "$D" ] || continue
	found=1
	case_name=$(basename "$(dirname "$D")")
	"$PTWALK" layout "$D" --json >"$WORK/layout" 2>"$WORK/err" || { not_ok "$case_name: layout --json failed"; continue; }
	bad=$(jq -r '.regions[].source' "$WORK/layout" | sort -u | while read -r s; do
		case " $SOURCES " in *" $s "*) ;; *) echo "$s" ;; esac; done)
	if [ -z "$bad" ]; then ok "$case_name: layout sources are the contract's"; else not_ok "$case_name: sources '$bad'"; fi
	bad=$(jq -r '.regions[].name' "$WORK/layout" | sort -u | while read -r n; do
		echo "$n" | grep -Eqx "$NAMES" || echo "$n"; done)
	if [ -z "$bad" ]; then ok "$case_name: region names are the contract's"; else not_ok "$case_name: names '$bad'"; fi
	jq -r '.regions[].name, .regions[].source' "$WORK/layout" | sort -u >>"$WORK/printed"
done
[ $found = 1 ] || { echo "# no testdata: skipped"; exit 77; }
man_text >"$WORK/man"
sort -u "$WORK/printed" | while read -r word; do
	if grep -qF "$word" "$WORK/man"; then echo "ok - the man page names '$word'"; else
		echo "not ok - the man page does not name '$word' (printed by layout --json)"; fi
done >"$WORK/names"
passed=$((passed + $(grep -c '^ok' "$WORK/names"))); failed=$((failed + $(grep -c '^not ok' "$WORK/names")))
grep '^not ok' "$WORK/names"
for word in $SOURCES; do
	if grep -q "\"$word\"\\|$word" "$README" && grep -q "$word" "$WORK/man"; then ok "README and man explain source $word"; else
		not_ok "source $word is not explained in README and man"; fi
done

# --- a user address without a user table: its own status
for D in "$TESTDATA/arm64-64k52-a57/vmcore.kdump-zlib.flat" "$TESTDATA/x86_64-deb61-4l/vmcore.kdump-zlib.flat"; do
	[ -f "$D" ] || continue
	c=$(basename "$(dirname "$D")")
	expect_exit 4 "$c: vtop of a user address without --pgd: exit 4" -- "$PTWALK" vtop "$D" 0x400000 --json
	if [ "$(jq -c 'keys' "$WORK/out")" = '["reason","status","va"]' ] &&
		[ "$(jq -r .status "$WORK/out")" = no-user-table ] && [ "$(jq -r .va "$WORK/out")" = 0x400000 ]; then
		ok "$c: --json: status no-user-table with va and reason only"
	else
		not_ok "$c: --json: $(cat "$WORK/out")"
	fi
	expect_exit 4 "$c: --brief: exit 4" -- "$PTWALK" vtop "$D" 0x400000 --brief
	if [ "$(cat "$WORK/out")" = "400000 no-user-table" ]; then ok "$c: --brief says no-user-table"; else
		not_ok "$c: --brief: $(cat "$WORK/out")"; fi
	expect_exit 4 "$c: text: exit 4" -- "$PTWALK" vtop "$D" 0x400000
	if sed -n 2p "$WORK/out" | grep -q '^400000 *(no-user-table)$'; then ok "$c: text says (no-user-table)"; else
		not_ok "$c: text: $(sed -n 2p "$WORK/out")"; fi
	expect_exit 4 "$c: read of a user address without --pgd: exit 4" -- "$PTWALK" read "$D" 0x400000 16 --json
	if [ "$(cat "$WORK/out")" = '{"address": "0x400000", "length": 16, "status": "no-user-table"}' ]; then
		ok "$c: read --json names the hole no-user-table"; else not_ok "$c: read --json: $(cat "$WORK/out")"; fi
	expect_stderr "warning: 0x400000-0x400010: no-user-table$" "$c: read names the hole on stderr"
done
for f in "$WORK/man" "$README"; do
	if grep -q "no-user-table" "$f"; then ok "$(basename "$f") documents no-user-table"; else
		not_ok "$(basename "$f") does not document no-user-table"; fi
done
finish
