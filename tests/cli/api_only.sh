#!/bin/bash
# The command line is a user of libptwalk like any other: its sources
# include no header of the library but include/ptwalk.h, no object of it
# refers to a symbol the library defines other than its ptwalk_* API, and
# the program is a real executable (the library's static archive linked
# in), which valgrind, perf and ldd can measure. A probe object that calls
# an internal function shows that the object check can fail.
. "${top_srcdir:-.}/tests/cli/lib.sh"

cli_src="$top_srcdir/src/cli"
lib="$top_builddir/.libs/libptwalk-internal.a"
so="$top_builddir/.libs/libptwalk.so.0"

# 1. Headers: the CLI's own (src/cli/*.h), ptwalk.h, config.h.
own=" ptwalk.h config.h $(cd "$cli_src" && echo *.h) "
bad=$(grep -H '^#include "' "$cli_src"/*.c "$cli_src"/*.h | while IFS= read -r line; do
	h=${line#*#include \"}
	h=${h%%\"*}
	case "$own" in *" $h "*) ;; *) echo "${line#"$cli_src"/}" ;; esac
done)
if [ -z "$bad" ]; then ok "src/cli includes ptwalk.h and its own headers only"; else
	not_ok "src/cli includes library headers:"; echo "$bad" | sed 's/^/#   /'; fi

# 2. Objects: every undefined name the library defines must be ptwalk_*.
# internal_refs OBJECT...: the names the objects take from the library
# that are not its API.
defined="$WORK/defined"
nm --defined-only -g "$lib" 2>/dev/null | awk 'NF == 3 {print $3}' | sort -u >"$defined"
internal_refs() {
	nm -u "$@" 2>/dev/null | awk 'NF == 2 {print $2}' | sort -u | comm -12 - "$defined" | grep -v '^ptwalk_'
}
# The objects of the sources there are (a build tree may keep stale ones).
objs=$(for c in "$cli_src"/*.c; do o="$top_builddir/src/cli/$(basename "$c" .c).o"; [ -f "$o" ] && echo "$o"; done)
if [ ! -s "$defined" ] || [ "$(echo "$objs" | grep -c .)" -ne "$(ls "$cli_src"/*.c | wc -l)" ]; then
	not_ok "not every CLI object, or no library archive, to look at ($lib, $top_builddir/src/cli/*.o)"
else
	n=$(echo "$objs" | wc -l)
	refs=$(internal_refs $objs)
	if [ -z "$refs" ]; then ok "$n CLI objects use ptwalk_* alone of the library ($(wc -l <"$defined") names it defines)"; else
		not_ok "the CLI uses internals: $(echo $refs | head -c 300)"; fi
	used=$(nm -u $objs | awk 'NF == 2 {print $2}' | grep -c '^ptwalk_')
	if [ "$used" -gt 0 ]; then ok "the CLI calls the API ($used ptwalk_* names)"; else not_ok "no ptwalk_* name used"; fi
fi

# The check finds an internal reference where there is one.
if command -v "${CC:-cc}" >/dev/null; then
	printf '%s\n' 'struct ptw_error *ptw_error_create(int, const char *, ...);' \
		'void *probe(void) { return ptw_error_create(0, "x"); }' >"$WORK/probe.c"
	if "${CC:-cc}" -c -o "$WORK/probe.o" "$WORK/probe.c" 2>/dev/null && [ -s "$defined" ]; then
		if [ "$(internal_refs "$WORK/probe.o")" = ptw_error_create ]; then ok "a probe calling ptw_error_create is caught"; else
			not_ok "a probe calling ptw_error_create passes the check"; fi
	fi
fi

# 3. The program is ptwalk itself, not a libtool wrapper script around it:
# the tests and bench/ run valgrind, perf and ldd on it.
if head -c 4 "$PTWALK" | grep -q "ELF"; then ok "ptwalk is an executable, not a wrapper script"; else
	not_ok "$PTWALK is not an ELF executable (a libtool wrapper? link it with -static)"; fi
if [ -f "$so" ] && readelf -d "$PTWALK" 2>/dev/null | grep -q 'NEEDED.*\[libptwalk\.so\.0\]'; then
	not_ok "ptwalk needs the uninstalled libptwalk.so.0"; fi
"$PTWALK" --version >/dev/null 2>&1 && ok "ptwalk runs" || not_ok "ptwalk --version fails"
finish
