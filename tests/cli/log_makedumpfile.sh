#!/bin/bash
# `ptwalk log` against Debian's makedumpfile 1.7.2 `--dump-dmesg`, line by
# line, on every sample dump file makedumpfile can read: its own kdump
# outputs (vmcore.mdf-zlib-d31, -lzo-d31; 1.7.2 has no snappy or zstd) and
# the ELF dumps once their header is normalized as the factory does
# (testdata/factory/ptwvm.py normelf: QEMU's e_ehsize and program-header
# placement stop makedumpfile). QEMU's own kdump files it cannot read
# ("Can't get the address of system_utsname"), so they are not compared.
#
# makedumpfile is built for one architecture: the host's binary reads x86-64
# dumps; arm64 dumps need makedumpfile:arm64 run under qemu-aarch64-static
# with its libraries in a sysroot, named by PTW_MDF_ARM64_ROOT (.ci/run
# prepares one; testdata/make-dumps keeps one in $FACTORY/mdf-arm64).
# Without makedumpfile, or without the sysroot for arm64, those files are
# skipped with a message.
#
# makedumpfile 1.7.2 prints neither caller ids nor a prefix on the second and
# later lines of a record (it indents them); newer versions print the caller
# as "[    T1] " after the time. Both are normalized to the kernel's console
# format that `log` prints before comparing.
. "${top_srcdir:-.}/tests/cli/lib.sh"

if ! ls "$TESTDATA"/*/truth.json >/dev/null 2>&1; then
	echo "# SKIP: no testdata/*/truth.json under $top_srcdir"; exit 77
fi
MDF_ARM64_ROOT=${PTW_MDF_ARM64_ROOT:-${FACTORY:-/work/factory}/mdf-arm64}
have_host=false; command -v makedumpfile >/dev/null && have_host=true
have_arm64=false
[ -x "$MDF_ARM64_ROOT/usr/bin/makedumpfile" ] && command -v qemu-aarch64-static >/dev/null && have_arm64=true

# CASE_ARCH<TAB>FORMAT<TAB>DUMP for the files makedumpfile may read
python3 - >"$WORK/list" 2>"$WORK/list.err" <<'PY'
import os, sys
sys.path.insert(0, os.path.join(os.environ.get("top_srcdir", "."), "tests"))
import truth
for case_dir, t in truth.cases():
    for entry in t.get("files", []):
        name = entry["name"]
        if name.startswith("vmcore.mdf-") and ("zlib" in name or "lzo" in name) or name.endswith(".elf.xz"):
            path = truth.dump_path(case_dir, entry)
            if path:
                print("%s\t%s\t%s\t%s" % (t["arch"], entry["format"], path, os.path.basename(case_dir) + "/" + name))
PY
[ -s "$WORK/list" ] || { echo "# SKIP: no sample dump makedumpfile can read"; cat "$WORK/list.err"; exit 77; }

mdf() { # ARCH ARGS...
	local arch=$1; shift
	if [ "$arch" = arm64 ] && [ "$(uname -m)" != aarch64 ]; then
		QEMU_LD_PREFIX=$MDF_ARM64_ROOT qemu-aarch64-static "$MDF_ARM64_ROOT/usr/bin/makedumpfile" "$@"
	else
		makedumpfile "$@"
	fi
}

compared=0
while IFS=$'\t' read -r arch format dump what; do
	host_arch=$(uname -m); [ "$host_arch" = aarch64 ] && host_arch=arm64
	if [ "$arch" = "$host_arch" ] && ! $have_host; then
		echo "# skipped $what: makedumpfile is not installed"; continue
	fi
	if [ "$arch" != "$host_arch" ] && { [ "$arch" != arm64 ] || ! $have_arm64; }; then
		echo "# skipped $what: no $arch makedumpfile (set PTW_MDF_ARM64_ROOT to a makedumpfile:arm64 sysroot)"; continue
	fi
	input=$dump
	if [ "$format" = elf64 ]; then
		python3 "$top_srcdir/testdata/factory/ptwvm.py" normelf "$dump" "$WORK/norm.elf" >/dev/null 2>&1 ||
			{ not_ok "$what: normelf failed"; continue; }
		input=$WORK/norm.elf
	fi
	rm -f "$WORK/mdf.txt"
	if ! mdf "$arch" --dump-dmesg "$input" "$WORK/mdf.txt" >"$WORK/mdf.err" 2>&1; then
		# its limits are not ptwalk's failures (1.7.2 has no 4K/52-bit arm64)
		echo "# skipped $what: makedumpfile cannot read it: $(grep -v '^$' "$WORK/mdf.err" | tail -2 | tr '\n' ' ')"
		continue
	fi
	"$PTWALK" log "$dump" >"$WORK/log.txt" 2>"$WORK/log.err" || { not_ok "$what: log failed"; continue; }
	# makedumpfile's lines in the console format: caller dropped, the
	# indented lines of a record given the record's prefix
	python3 - "$WORK/mdf.txt" >"$WORK/mdf.norm" <<'PY'
import re, sys
stamp = re.compile(r"^(\[ *\d+\.\d{6}\] )(\[ *[TC]\d+\] )?")
prefix = None
for line in open(sys.argv[1], encoding="latin1").read().split("\n")[:-1]:
    m = stamp.match(line)
    if m:
        prefix = m.group(1)
        width = len(m.group(0))
        print(prefix + line[width:])
    elif prefix is not None and line.startswith(" " * width):
        print(prefix + line[width:])
    else:
        print(line)
PY
	if diff "$WORK/mdf.norm" "$WORK/log.txt" >"$WORK/diff"; then
		ok "$what: log equals makedumpfile --dump-dmesg ($(wc -l <"$WORK/log.txt") lines)"
	else
		not_ok "$what: log differs from makedumpfile --dump-dmesg"; head -20 "$WORK/diff" | sed 's/^/#   /'
	fi
	compared=$((compared + 1))
done <"$WORK/list"
if [ $compared -eq 0 ]; then
	echo "# SKIP: makedumpfile could compare no sample dump here"; exit 77
fi
finish
