#!/bin/sh
# /init of the live-kernel guests (testdata/factory/live-kcore.sh): runs a
# statically linked ptwalk on the guest's own /proc/kcore and records its
# outputs next to the guest's own view (/proc/version, /proc/iomem, a sample
# of /proc/kallsyms, dmesg, the tasks of /proc, the kernel's page-table dump
# where debugfs has it). Everything goes out as a base64 tar.gz between
# PTWLIVE-BEGIN and PTWLIVE-END lines, on the second serial port (x86) or
# the console (arm64).
/bin/busybox mount -t proc proc /proc
/bin/busybox --install -s /bin
export PATH=/bin
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
mount -t debugfs none /sys/kernel/debug 2>/dev/null
# securityfs: /sys/kernel/security/lockdown tells ptwalk why an open was refused
mount -t securityfs none /sys/kernel/security 2>/dev/null
echo 0 > /proc/sys/kernel/kptr_restrict
for m in /lib/modules/*.ko; do [ -f "$m" ] && insmod "$m"; done
echo 1 > /proc/sys/kernel/printk
O=/out/live
mkdir -p $O
cd $O || exit 1
cat /proc/version > version
cat /proc/iomem > iomem
cat /proc/cmdline > cmdline
uname -r > uname
ls -l /proc/kcore > kcore.ls

# run NAME ARGS...: ptwalk ARGS, with stdout, stderr, exit status and time.
run() {
	name=$1; shift
	s=$(cut -d' ' -f1 /proc/uptime)
	/ptwalk "$@" > "$name.out" 2> "$name.err"
	echo $? > "$name.rc"
	e=$(cut -d' ' -f1 /proc/uptime)
	echo "$name $s $e" >> times
	echo "PTWLIVE ran $name: exit $(cat "$name.rc")"
}

# The kernel's page-table dump first (x86: page_tables/kernel; arm64:
# kernel_page_tables), then ptwalk's maps, then the dump again: what
# changed between the two dumps changed while ptwalk read the tables too.
P=/sys/kernel/debug/page_tables/kernel
[ -r $P ] || P=/sys/kernel/debug/kernel_page_tables
[ -r $P ] && cat $P > ptdump.1
run maps maps /proc/kcore
[ -r $P ] && cat $P > ptdump.2

run info info /proc/kcore --json
run info-text info /proc/kcore
run layout layout /proc/kcore --json
run check check /proc/kcore --json
run check-text check /proc/kcore
run banner read /proc/kcore linux_banner 512 --raw
run log log /proc/kcore
dmesg > dmesg
run ps ps /proc/kcore --json
# this shell (PID 1) does not change its mappings between these two lines
run vmas vmas /proc/kcore --pid 1
cat /proc/1/maps > maps.pid1
for d in /proc/[0-9]*; do
	[ -r $d/stat ] && echo "$(cut -d' ' -f1,4 $d/stat) $(cat $d/comm)"
done > tasks

# Symbols: those named here, and every 97th of /proc/kallsyms (modules too).
grep -E ' (_text|_stext|_etext|_sdata|_edata|_end|__bss_start|__bss_stop|__start_rodata|__end_rodata|__init_begin|__init_end|linux_banner|init_task|init_mm|jiffies_64|init_top_pgt|phys_base|page_offset_base|vmalloc_base|vmemmap_base|empty_zero_page|swapper_pg_dir|kallsyms_names)$' \
	/proc/kallsyms > kallsyms.sample
awk 'NR % 97 == 0 && $2 ~ /^[TtDdRrBb]$/' /proc/kallsyms >> kallsyms.sample
wc -l < /proc/kallsyms > kallsyms.count
sed 's/^/0x/; s/ .*//' kallsyms.sample > vtop.in
run vtop vtop /proc/kcore - --json < vtop.in
awk '$4 == "" { print $3 }' kallsyms.sample | head -n 300 > sym.in
run sym sym /proc/kcore $(cat sym.in) --json
# ptov of the start, middle and last page of every System RAM range
grep 'System RAM' iomem | sed 's/^ *//; s/ .*//' | while IFS=- read a b; do
	echo "0x$a"; printf '0x%x\n' $(( (0x$a + 0x$b) / 2 & ~0xfff )); printf '0x%x\n' $(( 0x$b & ~0xfff ))
done > ptov.in
run ptov ptov /proc/kcore $(cat ptov.in) --json
# Holes: the legacy VGA/BIOS range (not System RAM on a PC) and far past RAM.
run hole read /proc/kcore 0xa0000 64 --phys
run hole-far read /proc/kcore 0x7ff000000000 64 --phys
# Not root: the open is refused, and ptwalk says why.
echo 'root:x:0:0::/:/bin/sh' > /etc/passwd
echo 'nobody:x:65534:65534::/:/bin/sh' >> /etc/passwd
echo 'root:x:0:' > /etc/group
su nobody -s /bin/sh -c '/ptwalk info /proc/kcore' > notroot.out 2> notroot.err
echo $? > notroot.rc
case $(cat /proc/cmdline) in *lockdown=*) cat /sys/kernel/security/lockdown > lockdown 2>&1 ;; esac

cd /out && tar czf /out.tgz live
echo "PTWLIVE archive $(wc -c < /out.tgz) bytes"
# x86 (-M pc): a second 8250 port; arm64 (-M virt) has one PL011 only, so
# the archive goes to the console, kernel messages held back (printk 1).
# (/init's own stdout; arm64 kernels have /dev/ttyS1 too, without a port)
archive() {
	echo PTWLIVE-BEGIN
	base64 /out.tgz
	echo PTWLIVE-END
}
if [ "$(uname -m)" = x86_64 ]; then archive > /dev/ttyS1; else archive; fi
echo PTWLIVE-DONE
sync
sleep 3
poweroff -f
