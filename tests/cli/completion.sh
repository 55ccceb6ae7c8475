#!/bin/bash
# The bash completion (completion/ptwalk) against the program it completes:
# the same commands as `ptwalk --help`, for each command exactly the options
# of `ptwalk COMMAND --help`, dump files before the dump, values of options.
. "${top_srcdir:-.}/tests/cli/lib.sh"
. "$top_srcdir/completion/ptwalk"

# complete WORD...: COMPREPLY for the cursor on the last word, sorted, one line.
complete_words() {
	COMP_WORDS=("$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_ptwalk
	printf '%s\n' "${COMPREPLY[@]}" | sort | paste -sd' '
}

# check_equal WHAT GOT WANT
check_equal() {
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1: got [$2], wanted [$3]"; fi
}

commands=$("$PTWALK" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z]\+\) .*/\1/p' | sort | paste -sd' ')
[ -n "$commands" ] || not_ok "no commands in ptwalk --help"
got=$(complete_words ptwalk "" | tr ' ' '\n' | grep -v -e '^-' -e '^help$' | sort | paste -sd' ')
check_equal "commands" "$got" "$commands"

for cmd in $commands; do
	# "  -k, --vmlinux FILE   text" and "  --kernel, --user   text": every spelling
	want=$("$PTWALK" "$cmd" --help | sed -n '/^Options:/,$p' | grep -E '^  -' | cut -c3-26 |
		tr ' ,' '\n\n' | grep -E '^-' | sort | paste -sd' ')
	got=$(complete_words ptwalk "$cmd" -)
	check_equal "$cmd: options" "$got" "$want"
done

mkdir -p "$WORK/dumps" && : >"$WORK/dumps/vmcore.one" && : >"$WORK/dumps/vmcore.two"
check_equal "dump files" "$(complete_words ptwalk info "$WORK/dumps/vm")" \
	"$WORK/dumps/vmcore.one $WORK/dumps/vmcore.two"
check_equal "dump after options" "$(complete_words ptwalk vtop --set A=1 -q "$WORK/dumps/vmcore.t")" \
	"$WORK/dumps/vmcore.two"
check_equal "no files after the dump" "$(complete_words ptwalk vtop "$WORK/dumps/vmcore.one" "$WORK/dumps/")" ""
check_equal "-o FILE" "$(complete_words ptwalk gcore x --pid 1 -o "$WORK/dumps/vmcore.o")" "$WORK/dumps/vmcore.one"
check_equal "--level" "$(complete_words ptwalk log x --level e)" "emerg err"
check_equal "help COMMAND" "$(complete_words ptwalk help l)" "layout log"
finish
