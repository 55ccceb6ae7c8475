#!/bin/bash
# live-kcore.sh CASE: boot a guest whose /init (live-init.sh) runs a static
# ptwalk on its own /proc/kcore, and record the results in testdata/live-CASE/
# (tests/cli/live_kcore.sh checks them against the guest's own view).
#   x86_64-deb61-4l        Debian 12's 6.1 kernel, -cpu max,la57=off (4 levels)
#   x86_64-deb61-5l        the same kernel, -cpu max (5-level paging)
#   x86_64-deb61-lockdown  the same kernel booted with lockdown=confidentiality
#   x86_64-small612        the small 6.12 kernel (x86_64-small612.config + PROC_KCORE)
#   arm64-deb61-4k48       Debian 12's 6.1 arm64 kernel, -M virt -cpu max (4K pages, VA 48)
# Env: PTWALK (a statically linked ptwalk), FACTORY (/work/factory),
# KERNEL612 (bzImage of the small kernel), TIMEOUT (seconds, default 1500),
# KEEP=1 keeps the work directory.
# A static ptwalk from a build directory (Debian 12 ships every library's .a;
# snappy's needs libstdc++):
#   x86-64: ../../configure PKG_CONFIG="pkg-config --static" LDFLAGS=-static LIBS="-lstdc++ -lm"
#   arm64:  apt-get install gcc-aarch64-linux-gnu libelf-dev:arm64 libdw-dev:arm64
#           zlib1g-dev:arm64 liblzo2-dev:arm64 libzstd-dev:arm64 libbpf-dev:arm64
#           libbz2-dev:arm64 check:arm64 (dpkg --add-architecture arm64), then
#           PKG_CONFIG_LIBDIR=/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig
#           PKG_CONFIG="pkg-config --static" ../../configure --host=aarch64-linux-gnu
#           --without-snappy LDFLAGS=-static
#   then make ptwalk.
# The small 6.12 kernel: x86_64-small612.config with CONFIG_PROC_KCORE=y
# (its dump case leaves it out), built as testdata/make-dumps builds it.
set -euo pipefail
case=$1
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$HERE/../live-$case
FACTORY=${FACTORY:-/work/factory}
PTWALK=${PTWALK:?set PTWALK to a statically linked ptwalk}
W=$(mktemp -d /tmp/ptw-live.XXXXXX)
[ -n "${KEEP:-}" ] || trap 'rm -rf "$W"' EXIT
deb=$FACTORY/deb/x/linux-image-6.1.0-57-amd64
cpu=max,la57=off extra="" mods=() arch=x86_64 busybox=/bin/busybox
case $case in
x86_64-deb61-4l) kernel=$deb/boot/vmlinuz-6.1.0-57-amd64 ;;
x86_64-deb61-5l) kernel=$deb/boot/vmlinuz-6.1.0-57-amd64 cpu=max ;;
x86_64-deb61-lockdown) kernel=$deb/boot/vmlinuz-6.1.0-57-amd64 extra="lockdown=confidentiality" ;;
x86_64-small612) kernel=${KERNEL612:-$FACTORY/kcore/small612/arch/x86/boot/bzImage} ;;
arm64-deb61-4k48)
	arch=arm64 cpu=max deb=$FACTORY/deb/x/linux-image-6.1.0-57-arm64
	kernel=$deb/boot/vmlinuz-6.1.0-57-arm64 busybox=$FACTORY/deb/x/busybox-static/bin/busybox
	mods=("$deb/lib/modules/6.1.0-57-arm64/kernel/drivers/firmware/qemu_fw_cfg.ko") ;;
*) echo "unknown case $case" >&2; exit 2 ;;
esac
case $case in x86_64-deb61-*)
	mods=("$deb/lib/modules/6.1.0-57-amd64/kernel/drivers/firmware/qemu_fw_cfg.ko") ;;
esac
file "$PTWALK" | grep -q 'statically linked' || { echo "$PTWALK is not statically linked" >&2; exit 1; }
file "$PTWALK" | grep -q "$( [ $arch = arm64 ] && echo aarch64 || echo x86-64)" ||
	{ echo "$PTWALK is not an $arch binary" >&2; exit 1; }
# initramfs: busybox, ptwalk, /init
D=$W/root
mkdir -p "$D"/{bin,proc,sys,dev,lib/modules,out,etc}
cp "$busybox" "$D/bin/busybox"
cp "$PTWALK" "$D/ptwalk"
cp "$HERE/live-init.sh" "$D/init"
chmod +x "$D/init" "$D/ptwalk"
ln -s busybox "$D/bin/sh"
for m in "${mods[@]}"; do
	case $m in *.xz) xz -dc "$m" > "$D/lib/modules/$(basename "$m" .xz)" ;; *) cp "$m" "$D/lib/modules/" ;; esac
done
(cd "$D" && find . | cpio -o -H newc --quiet | gzip -9) > "$W/initrd.gz"
start=$(date +%s)
if [ $arch = arm64 ]; then
	qemu="qemu-system-aarch64 -M virt -accel tcg -cpu $cpu -smp 2 -m 256"
	console=ttyAMA0 results=$W/console.log
else
	qemu="qemu-system-x86_64 -M pc -accel tcg -cpu $cpu -smp 2 -m 256"
	console=ttyS0 results=$W/results.b64
fi
timeout "${TIMEOUT:-1500}" nice $qemu -kernel "$kernel" -initrd "$W/initrd.gz" -display none -no-reboot \
	-append "console=$console no_timer_check rdinit=/init $extra" \
	-serial "file:$W/console.log" $( [ $arch = x86_64 ] && echo "-serial file:$W/results.b64") || true
echo "guest ran $(( $(date +%s) - start )) s"
rm -rf "$OUT"; mkdir -p "$OUT"
# the guest's tty writes CR LF
tr -d '\r' < "$results" | sed -n '/^PTWLIVE-BEGIN$/,/^PTWLIVE-END$/p' | sed '1d;$d' |
	base64 -d > "$W/live.tgz" || { echo "no results from the guest; console:" >&2; tail -20 "$W/console.log" >&2; exit 1; }
tar xzf "$W/live.tgz" -C "$W"
cp -r "$W/live/." "$OUT/"
tr -d '\r' < "$W/console.log" | sed '/^PTWLIVE-BEGIN$/,/^PTWLIVE-END$/d' > "$OUT/console.log"
# keep it small: the big text outputs compressed
for f in maps.out ptdump.1 ptdump.2 log.out dmesg vtop.out sym.out kallsyms.sample check.out layout.out ps.out info.out; do
	[ -s "$OUT/$f" ] && xz -9 "$OUT/$f"
done
rm -f "$OUT"/*.in
# lockdown: every command was refused alike; keep one, and what tells why
if [ "$case" = x86_64-deb61-lockdown ]; then
	find "$OUT" -type f ! -name 'info.*' ! -name lockdown ! -name version ! -name uname \
		! -name cmdline ! -name console.log ! -name made_by ! -name notroot.err ! -name notroot.rc -delete
fi
echo "$qemu ($(${qemu%% *} --version | head -1)); kernel $(basename "$kernel"); append: $extra" > "$OUT/made_by"
du -sh "$OUT"
