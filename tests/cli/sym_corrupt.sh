#!/bin/bash
# Corrupt kallsyms in a real dump (the arm64-4k39 ELF sample, patched in its
# memory at the tables' physical addresses): each corruption is one warning
# naming the table and the offset in it, `sym` falls back to VMCOREINFO's
# SYMBOL() lines (exit 4 for a name only kallsyms had), info lists kallsyms
# as refused, and translation of plain addresses is untouched. Also a
# VMCOREINFO whose _stext disagrees with the decoded one (--set).
. "${top_srcdir:-.}/tests/cli/lib.sh"

case_dir="$TESTDATA/arm64-4k39"
if ! command -v python3 >/dev/null || ! command -v xz >/dev/null || [ ! -f "$case_dir/vmcore.elf.xz" ]; then
	echo "1..0 # SKIP needs python3, xz and testdata/arm64-4k39/vmcore.elf.xz"
	exit 77
fi
xz -dc "$case_dir/vmcore.elf.xz" >"$WORK/clean"
sym() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['symbols'][sys.argv[2]])" "$case_dir/truth.json" "$1"; }

# patch VA HEXBYTES OUT: copy the clean dump with the bytes at kernel VA
# replaced (VA -> PA by ptwalk vtop, PA -> file offset by the PT_LOADs).
patch() {
	local pa
	pa=$("$PTWALK" vtop "$WORK/clean" "$1" --brief | cut -d' ' -f2)
	cp "$WORK/clean" "$3"
	python3 - "$3" "$pa" "$2" <<'PY'
import struct, sys
path, pa, data = sys.argv[1], int(sys.argv[2], 16), bytes.fromhex(sys.argv[3])
with open(path, "r+b") as f:
    eh = f.read(64)
    phoff, phentsize, phnum = struct.unpack_from("<Q", eh, 32)[0], *struct.unpack_from("<HH", eh, 54)
    for i in range(phnum):
        f.seek(phoff + i * phentsize)
        p_type, _, off, _, paddr, filesz = struct.unpack("<IIQQQQ", f.read(40))
        if p_type == 1 and paddr <= pa < paddr + filesz:
            f.seek(off + pa - paddr)
            f.write(data)
            sys.exit(0)
sys.exit("PA 0x%x not in any PT_LOAD" % pa)
PY
}

TOKEN_INDEX=$(sym kallsyms_token_index)
NUM_SYMS=$(sym kallsyms_num_syms)
STEXT=$(sym _stext)
LINUX_BANNER=$(sym linux_banner)

# the clean dump first: the test's own sanity
expect_exit 0 "clean dump: sym start_kernel" -- "$PTWALK" sym "$WORK/clean" start_kernel

# token 3's offset far past the token table
patch "$(printf '0x%x' $((TOKEN_INDEX + 6)))" "f0ff" "$WORK/tok" # token 3 at 0xfff0
expect_exit 4 "token index past the table: a kallsyms-only name is not found" -- \
	"$PTWALK" sym "$WORK/tok" start_kernel
expect_stderr "warning: kallsyms not used: kallsyms_token_index\+0x6: token 3 at 0xfff0 is past kallsyms_token_table \(0x[0-9a-f]+ bytes\)" \
	"token index past the table: one warning naming table and offset"
if [ "$(grep -c 'kallsyms not used' "$WORK/err")" = 1 ]; then ok "token index: the warning is given once"; else
	not_ok "token index: $(grep -c 'kallsyms not used' "$WORK/err") warnings"; fi
expect_exit 0 "token index past the table: VMCOREINFO's symbols still answer" -- \
	"$PTWALK" sym "$WORK/tok" swapper_pg_dir
expect_exit 0 "token index past the table: vtop of a plain address still works" -- \
	"$PTWALK" vtop "$WORK/tok" "$LINUX_BANNER"
"$PTWALK" info "$WORK/tok" --json >"$WORK/info" 2>/dev/null
if python3 -c "
import json,sys; s=json.load(open(sys.argv[1]))['symbols']
sys.exit(not (s['source']=='vmcoreinfo' and s['refused'] and s['refused'][0]['source']=='kallsyms' and 'kallsyms_token_index+0x6' in s['refused'][0]['why']))" "$WORK/info"; then
	ok "token index past the table: info lists kallsyms as refused, and why"
else
	not_ok "token index: info symbols $(grep -o '"symbols": {.*}' "$WORK/info" | head -c 300)"
fi

# a count the names cannot hold
patch "$NUM_SYMS" "ffffff7f" "$WORK/count"
expect_exit 4 "count too big: a kallsyms-only name is not found" -- "$PTWALK" sym "$WORK/count" start_kernel
expect_stderr "kallsyms_num_syms = 2147483647: kallsyms_names \(0x[0-9a-f]+ bytes up to kallsyms_token_table\) cannot hold that many" \
	"count too big: the warning names the table and the count"

# the first name's length made to run the names past the token table
patch "$(python3 -c "print(hex($(sym kallsyms_names)))")" "ffff" "$WORK/names"
"$PTWALK" sym "$WORK/names" start_kernel >"$WORK/out" 2>"$WORK/err"
rc=$?
if [ "$rc" = 4 ] && grep -Eq "warning: kallsyms not used: (kallsyms_names\+0x[0-9a-f]+: symbol [0-9]+ .*(runs|starts|expands) past|_stext is|no _stext)" "$WORK/err"; then
	ok "names running astray: kallsyms refused, naming the table or _stext"
else
	not_ok "names running astray: exit $rc"; sed 's/^/#   /' "$WORK/err" | head -3
fi

# VMCOREINFO's _stext elsewhere than the decoded one
expect_exit 4 "_stext mismatch: kallsyms refused" -- \
	"$PTWALK" sym "$WORK/clean" start_kernel --set "SYMBOL(_stext)=$(printf '%x' $((STEXT + 0x1000)))"
expect_stderr "kallsyms not used: _stext is $STEXT, VMCOREINFO SYMBOL\(_stext\) is 0x[0-9a-f]+" \
	"_stext mismatch: both addresses named"
finish
