#!/bin/bash
# The installed face of libptwalk: the shared library exports the API of
# include/ptwalk.h and nothing else, under SONAME libptwalk.so.0; man/ptwalk.3
# names every function of the header and shows examples/translate.c, which
# builds against libptwalk.la and translates addresses of a sample dump as
# its truth.json (QEMU's gva2gpa) says.
. "${top_srcdir:-.}/tests/cli/lib.sh"
header="$top_srcdir/include/ptwalk.h"
man3="$top_srcdir/man/ptwalk.3"
so="$top_builddir/.libs/libptwalk.so.0"

if [ ! -f "$so" ]; then
	echo "# no shared library (configure --disable-shared): skipped"; exit 77
fi

soname=$(readelf -d "$so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
if [ "$soname" = libptwalk.so.0 ]; then ok "SONAME $soname"; else not_ok "SONAME [$soname]"; fi

exported=$(nm -D --defined-only "$so" | awk '$2 ~ /^[TDBRVW]$/ {print $3}' | sed 's/@.*//' | sort -u)
declared=$(grep -oE '\bptwalk_[a-z0-9_]+\(' "$header" | tr -d '(' | sort -u)
stray=$(comm -23 <(echo "$exported") <(echo "$declared"))
missing=$(comm -13 <(echo "$exported") <(echo "$declared") | grep -v '_fn$')
if [ -z "$stray" ]; then ok "exports only declared names ($(echo "$exported" | wc -l))"; else
	not_ok "exported but not in ptwalk.h: $(echo $stray | head -c 300)"; fi
if [ -z "$missing" ]; then ok "every declared function is exported"; else
	not_ok "declared but not exported: $(echo $missing)"; fi

unnamed=$(for f in $declared; do grep -q "\\b$f\\b" "$man3" || echo "$f"; done | grep -v '_fn$')
if [ -z "$unnamed" ]; then ok "ptwalk.3 names every function"; else not_ok "not in ptwalk.3: $(echo $unnamed)"; fi

# The manual's EXAMPLE is examples/translate.c from its first #include on.
sed -n '/^\.ft CR$/,/^\.ft$/p' "$man3" | sed '1d;$d' | sed 's/\\e/\\/g' >"$WORK/man-example.c"
sed -n '/^#include <inttypes.h>/,$p' "$top_srcdir/examples/translate.c" >"$WORK/file-example.c"
if cmp -s "$WORK/man-example.c" "$WORK/file-example.c"; then ok "ptwalk.3 EXAMPLE is examples/translate.c"; else
	not_ok "ptwalk.3 EXAMPLE differs from examples/translate.c"; diff "$WORK/file-example.c" "$WORK/man-example.c" | head -5; fi

case_dir="$TESTDATA/arm64-64k52-a57"
dump="$case_dir/vmcore.kdump-zlib.flat"
if [ ! -f "$dump" ] || ! command -v jq >/dev/null; then
	echo "# no sample dump or no jq: the example is not run"; finish; exit
fi
if "$top_builddir/libtool" --quiet --mode=link ${CC:-cc} ${CFLAGS:-} ${LDFLAGS:-} -I"$top_srcdir/include" \
	"$top_srcdir/examples/translate.c" "$top_builddir/libptwalk.la" -o "$WORK/translate" 2>"$WORK/err"; then
	ok "examples/translate.c builds against libptwalk.la"
	n=0
	while read -r va pa; do
		n=$((n + 1))
		if [ "$pa" = null ]; then
			expect_exit 4 "translate $va: not mapped" -- "$WORK/translate" "$dump" "$va"
		else
			got=$("$WORK/translate" "$dump" "$va")
			want="${va#0x} ${pa#0x}"
			if [ "$got" = "$want" ]; then ok "translate $va = $pa"; else not_ok "translate $va: [$got], truth [$want]"; fi
		fi
	done < <(jq -r '.kernel_facts[] | "\(.va) \(.pa)"' "$case_dir/truth.json" | sed -n '1p;3p;5p;7p')
	[ $n -gt 0 ] || not_ok "no facts in $case_dir/truth.json"
	expect_exit 1 "a file that is not a dump" -- "$WORK/translate" "$header" 0
else
	not_ok "examples/translate.c does not build"; sed 's/^/#   /' "$WORK/err" | head -10
fi
finish
