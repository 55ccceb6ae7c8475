#!/bin/bash
# live-kcore.sh CASE: boot a guest whose /init (live-init.sh) runs a static
# ptwalk on its own /proc/kcore, and record the results in testdata/live-CASE/
# (tests/cli/live_kcore.sh checks them against the guest's own view).
#   x86_64-deb61-4l        Debian 12's 6.1 kernel, -cpu max,la57=off (4 levels)
#   x86_64-deb61-5l        the same kernel, -cpu max (5-level paging)
#   x86_64-deb61-lockdown  the same kernel booted with lockdown=confidentiality
#   x86_64-small612        the small 6.12 kernel (x86_64-small612.config + PROC_KCORE)
# Env: PTWALK (a statically linked ptwalk), FACTORY (/work/factory),
# KERNEL612 (bzImage of the small kernel), TIMEOUT (seconds, default 1500).
set -euo pipefail
case=$1
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$HERE/../live-$case
FACTORY=${FACTORY:-/work/factory}
PTWALK=${PTWALK:?set PTWALK to a statically linked ptwalk}
file "$PTWALK" | grep -q 'statically linked' || { echo "$PTWALK is not statically linked" >&2; exit 1; }
W=$(mktemp -d /tmp/ptw-live.XXXXXX)
trap 'rm -rf "$W"' EXIT
deb=$FACTORY/deb/x/linux-image-6.1.0-57-amd64
cpu=max,la57=off extra="" mods=()
case $case in
x86_64-deb61-4l) kernel=$deb/boot/vmlinuz-6.1.0-57-amd64 ;;
x86_64-deb61-5l) kernel=$deb/boot/vmlinuz-6.1.0-57-amd64 cpu=max ;;
x86_64-deb61-lockdown) kernel=$deb/boot/vmlinuz-6.1.0-57-amd64 extra="lockdown=confidentiality" ;;
x86_64-small612) kernel=${KERNEL612:-$FACTORY/kcore/small612/arch/x86/boot/bzImage} ;;
*) echo "unknown case $case" >&2; exit 2 ;;
esac
case $case in x86_64-deb61-*)
	mods=("$deb/lib/modules/6.1.0-57-amd64/kernel/drivers/firmware/qemu_fw_cfg.ko") ;;
esac
# initramfs: busybox, ptwalk, /init
D=$W/root
mkdir -p "$D"/{bin,proc,sys,dev,lib/modules,out,etc}
cp /bin/busybox "$D/bin/busybox"
cp "$PTWALK" "$D/ptwalk"
cp "$HERE/live-init.sh" "$D/init"
chmod +x "$D/init" "$D/ptwalk"
ln -s busybox "$D/bin/sh"
for m in "${mods[@]}"; do
	case $m in *.xz) xz -dc "$m" > "$D/lib/modules/$(basename "$m" .xz)" ;; *) cp "$m" "$D/lib/modules/" ;; esac
done
(cd "$D" && find . | cpio -o -H newc --quiet | gzip -9) > "$W/initrd.gz"
start=$(date +%s)
timeout "${TIMEOUT:-1500}" nice qemu-system-x86_64 -M pc -accel tcg -cpu "$cpu" -smp 2 -m 256 \
	-kernel "$kernel" -initrd "$W/initrd.gz" -display none -no-reboot \
	-append "console=ttyS0 no_timer_check rdinit=/init $extra" \
	-serial "file:$W/console.log" -serial "file:$W/results.b64" || true
echo "guest ran $(( $(date +%s) - start )) s"
rm -rf "$OUT"; mkdir -p "$OUT"
# the guest's tty writes CR LF
tr -d '\r' < "$W/results.b64" | sed -n '/^PTWLIVE-BEGIN$/,/^PTWLIVE-END$/p' | sed '1d;$d' |
	base64 -d > "$W/live.tgz" || { echo "no results from the guest; console:" >&2; tail -20 "$W/console.log" >&2; exit 1; }
tar xzf "$W/live.tgz" -C "$W"
cp -r "$W/live/." "$OUT/"
tr -d '\r' < "$W/console.log" > "$OUT/console.log"
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
echo "qemu-system-x86_64 -M pc -accel tcg -cpu $cpu -smp 2 -m 256 ($(qemu-system-x86_64 --version | head -1)); kernel $(basename "$kernel"); append: $extra" > "$OUT/made_by"
du -sh "$OUT"
