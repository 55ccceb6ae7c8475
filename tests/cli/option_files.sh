#!/bin/bash
# The files -k, -m and --btf name are read only when they are regular files:
# a FIFO (whether or not anything writes to it), a directory or a device is
# refused at once, exit 1 naming it, never waited on. And --btf where no
# types are used (vtop, read, maps, check without --pid: struct page comes
# from VMCOREINFO) is a usage error, not an option accepted and ignored.
. "${top_srcdir:-.}/tests/cli/lib.sh"

X="$TESTDATA/x86_64-deb61-4l/vmcore.kdump-zlib.flat"
[ -f "$X" ] || { echo "1..0 # SKIP $X missing"; exit 77; }
stext=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["symbols"]["_stext"])' \
	"$TESTDATA/x86_64-deb61-4l/truth.json" 2>/dev/null) || stext=
[ -n "$stext" ] || { echo "1..0 # SKIP no _stext in the truth"; exit 77; }

mkfifo "$WORK/fifo"
mkdir "$WORK/dir"

# Each option with each kind of file, through a command that reads it.
for opt in -m -k --btf; do
	cmd="sym $X _stext"
	[ "$opt" = --btf ] && cmd="ps $X"
	# shellcheck disable=SC2086
	expect_exit 1 "$opt FIFO without a writer: exit 1 at once" -- timeout 10 "$PTWALK" $cmd $opt "$WORK/fifo"
	expect_stderr "^ptwalk: (.*: )?$WORK/fifo: not a regular file \\(a FIFO\\)$" "$opt FIFO: named, said to be a FIFO"
	# with a writer holding it open, still refused before anything is read
	( exec 3>"$WORK/fifo"; sleep 3 ) &
	writer=$!
	# shellcheck disable=SC2086
	expect_exit 1 "$opt FIFO with a writer: exit 1" -- timeout 10 "$PTWALK" $cmd $opt "$WORK/fifo"
	expect_stderr "$WORK/fifo: not a regular file \\(a FIFO\\)" "$opt FIFO with a writer: named"
	kill "$writer" 2>/dev/null
	wait "$writer" 2>/dev/null
	# shellcheck disable=SC2086
	expect_exit 1 "$opt directory: exit 1" -- timeout 10 "$PTWALK" $cmd $opt "$WORK/dir"
	expect_stderr "$WORK/dir: not a regular file \\(a directory\\)" "$opt directory: named"
	# shellcheck disable=SC2086
	expect_exit 1 "$opt /dev/null: exit 1" -- timeout 10 "$PTWALK" $cmd $opt /dev/null
	expect_stderr "/dev/null: not a regular file \\(a character device\\)" "$opt /dev/null: named a device"
done

# info reports an unusable --btf as the reason there are no types.
expect_exit 0 "info --btf FIFO: exit 0" -- timeout 10 "$PTWALK" info "$X" --btf "$WORK/fifo"
if grep -q "^types: *none (.*fifo: not a regular file (a FIFO))" "$WORK/out"; then
	ok "info --btf FIFO: types none, the FIFO named"
else
	not_ok "info --btf FIFO: $(grep '^types' "$WORK/out")"
fi

# --btf where nothing uses types: a usage error naming why.
for cmd in "vtop $X $stext" "read $X $stext 16" "maps $X" "check $X"; do
	# shellcheck disable=SC2086
	expect_exit 2 "${cmd%% *} --btf without --pid: usage error" -- "$PTWALK" $cmd --btf "$WORK/fifo"
	expect_stderr "--btf gives the types --pid needs: without --pid, ${cmd%% *} uses no types" \
		"${cmd%% *} --btf without --pid: says why"
done
# with --pid it is what finds the task: accepted (and, being a FIFO, refused)
expect_exit 1 "vtop --pid --btf FIFO: exit 1 naming it" -- timeout 10 "$PTWALK" vtop "$X" 0x400000 --pid 1 --btf "$WORK/fifo"
expect_stderr "fifo: not a regular file \\(a FIFO\\)" "vtop --pid --btf FIFO: named"
finish
