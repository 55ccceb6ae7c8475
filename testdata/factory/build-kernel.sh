#!/bin/bash
# build-kernel.sh NAME: build a small kernel from Debian's linux-source-6.12
# in $FACTORY/build/NAME: arm64 (Image) with tinyconfig + common.config +
# NAME.config; x86_64-* (bzImage) with tinyconfig + NAME.config alone.
# Runs make under `nice -n 19` with -j2 (MAKE_JOBS overrides): the machine's
# 2 cores are shared.
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
case $NAME in
x86_64-*) KARCH=x86_64; KDIR=x86; CROSS=""; TARGET=bzImage; FRAGS="$HERE/$NAME.config";;
*) KARCH=arm64; KDIR=arm64; CROSS=aarch64-linux-gnu-; TARGET=Image; FRAGS="$HERE/common.config $HERE/$NAME.config";;
esac
WANT=$(cat $FRAGS)
if [ -f "$OUT/arch/$KDIR/boot/$TARGET" ] && [ -f "$OUT/.built-ok" ] &&
   [ "$(cat "$OUT/.built-ok")" = "$WANT" ]; then
	echo "kernel $NAME already built in $OUT"; exit 0
fi
INCR=""; [ -f "$OUT/vmlinux" ] && INCR=" (incremental)"
rm -f "$OUT/.built-ok"
T0=$(date +%s)
mkdir -p "$OUT"
M="make -C $SRC O=$OUT ARCH=$KARCH CROSS_COMPILE=$CROSS"
$M tinyconfig >/dev/null
cat $FRAGS > "$OUT/fragment.config"
(cd "$SRC" && ARCH=$KARCH CROSS_COMPILE=$CROSS \
	scripts/kconfig/merge_config.sh -m -O "$OUT" "$OUT/.config" "$OUT/fragment.config" >/dev/null)
$M olddefconfig >/dev/null
# every option of the fragment must have stuck (the last setting of an
# option counts: NAME.config may override common.config)
bad=0
grep -v '^#' "$OUT/fragment.config" | grep . | tac | awk -F= '!seen[$1]++' | tac > "$OUT/fragment.final"
while IFS= read -r line; do
	case "$line" in ''|\#*) continue;; esac
	opt=${line%%=*}; val=${line#*=}
	if [ "$val" = n ]; then
		grep -q "^$opt=" "$OUT/.config" && { echo "option $opt not off"; bad=1; }
	else
		grep -qx "$line" "$OUT/.config" || { echo "option did not stick: $line ($(grep "^$opt=\|$opt is not" "$OUT/.config"))"; bad=1; }
	fi
done < "$OUT/fragment.final"
[ $bad = 0 ] || { echo "config check failed for $NAME"; exit 1; }
nice -n 19 $M -j"${MAKE_JOBS:-2}" $TARGET
echo "$(( $(date +%s) - T0 ))$INCR" > "$OUT/.build-seconds"
printf '%s\n' "$WANT" > "$OUT/.built-ok"
echo "kernel $NAME built: $OUT"
