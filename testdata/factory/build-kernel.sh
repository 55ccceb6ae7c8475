#!/bin/bash
# build-kernel.sh NAME: build a small arm64 kernel from Debian's linux-source-6.12
# with tinyconfig + common.config + NAME.config, in $FACTORY/build/NAME.
set -euo pipefail
NAME=$1
HERE=$(cd "$(dirname "$0")" && pwd)
FACTORY=${FACTORY:-/work/factory}
SRC=$FACTORY/linux-source-6.12
OUT=$FACTORY/build/$NAME
if [ ! -d "$SRC" ]; then
	(cd "$FACTORY" && tar xf /usr/src/linux-source-6.12.tar.xz)
fi
# .built-ok holds the fragment the kernel was built from: a changed fragment
# (common.config or NAME.config) rebuilds it, incrementally in the same tree.
WANT=$(cat "$HERE/common.config" "$HERE/$NAME.config")
if [ -f "$OUT/arch/arm64/boot/Image" ] && [ -f "$OUT/.built-ok" ] &&
   [ "$(cat "$OUT/.built-ok")" = "$WANT" ]; then
	echo "kernel $NAME already built in $OUT"; exit 0
fi
INCR=""; [ -f "$OUT/vmlinux" ] && INCR=" (incremental)"
rm -f "$OUT/.built-ok"
T0=$(date +%s)
mkdir -p "$OUT"
M="make -C $SRC O=$OUT ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-"
$M tinyconfig >/dev/null
cat "$HERE/common.config" "$HERE/$NAME.config" > "$OUT/fragment.config"
(cd "$SRC" && ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- \
	scripts/kconfig/merge_config.sh -m -O "$OUT" "$OUT/.config" "$OUT/fragment.config" >/dev/null)
$M olddefconfig >/dev/null
# every option of the fragment must have stuck
bad=0
while IFS= read -r line; do
	case "$line" in ''|\#*) continue;; esac
	opt=${line%%=*}; val=${line#*=}
	if [ "$val" = n ]; then
		grep -q "^$opt=" "$OUT/.config" && { echo "option $opt not off"; bad=1; }
	else
		grep -qx "$line" "$OUT/.config" || { echo "option did not stick: $line ($(grep "^$opt=\|$opt is not" "$OUT/.config"))"; bad=1; }
	fi
done < "$OUT/fragment.config"
[ $bad = 0 ] || { echo "config check failed for $NAME"; exit 1; }
$M -j"$(nproc)" Image
echo "$(( $(date +%s) - T0 ))$INCR" > "$OUT/.build-seconds"
printf '%s\n' "$WANT" > "$OUT/.built-ok"
echo "kernel $NAME built: $OUT"
