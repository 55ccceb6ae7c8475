#!/bin/bash
# mkinitramfs.sh OUT.cpio.gz BUSYBOX PTWTEST [MODULE.ko ...]
set -euo pipefail
OUT=$1 BB=$2 PT=$3; shift 3
HERE=$(cd "$(dirname "$0")" && pwd)
D=$(mktemp -d)
mkdir -p "$D"/{bin,proc,sys,dev,lib/modules}
cp "$BB" "$D/bin/busybox"
cp "$PT" "$D/ptwtest"
cp "$HERE/init.sh" "$D/init"
chmod +x "$D/init" "$D/ptwtest" "$D/bin/busybox"
ln -s busybox "$D/bin/sh"
mknod -m 600 "$D/dev/console" c 5 1
for m in "$@"; do cp "$m" "$D/lib/modules/"; done
(cd "$D" && find . | cpio -o -H newc --quiet | gzip -9) > "$OUT"
rm -rf "$D"
