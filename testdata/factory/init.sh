#!/bin/sh
# /init of the ptwalk test guests (busybox-static initramfs).
/bin/busybox mount -t proc proc /proc
/bin/busybox --install -s /bin
export PATH=/bin
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
# debugfs for /sys/kernel/debug/kernel_page_tables (small kernels: PTDUMP_DEBUGFS)
mount -t debugfs none /sys/kernel/debug 2>/dev/null
taskset -p -c 2 $$ >/dev/null 2>&1
echo 0 > /proc/sys/kernel/kptr_restrict
for m in /lib/modules/*.ko; do [ -f "$m" ] && insmod "$m"; done
# THP: always, and mTHP 2 MiB (contiguous PTEs on 16K/64K kernels) when offered
echo always > /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null
for d in /sys/kernel/mm/transparent_hugepage/hugepages-2048kB; do
	[ -d "$d" ] && echo always > "$d/enabled"
done
echo "PTWTHP enabled=$(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null) mthp=$(ls /sys/kernel/mm/transparent_hugepage 2>/dev/null | grep hugepages- | tr '\n' ,)"
echo "PTWUNAME $(uname -r)"
echo "PTWVMCOREINFO $(cat /sys/kernel/vmcoreinfo 2>/dev/null)"
grep 'System RAM' /proc/iomem | sed 's/^ */PTWIOMEM /'
grep -E ' (_text|_stext|_etext|_sdata|_edata|_end|swapper_pg_dir|idmap_pg_dir|init_task|init_mm|jiffies_64|linux_banner|memstart_addr|kimage_voffset|vmemmap_base|page_offset_base|vmalloc_base|init_top_pgt|phys_base|empty_zero_page|init_stack)$' /proc/kallsyms | sed 's/^/PTWSYM /'
grep -m 3 '\[qemu_fw_cfg\]' /proc/kallsyms | sed 's/^/PTWSYM /'
grep -v ioremap /proc/vmallocinfo | head -n 12 | sed 's/^/PTWVMALLOC /'
taskset -c 0 /ptwtest spin &
taskset -c 1 /ptwtest spin &
# ptwthreads=N on the kernel command line (the kernel hands unknown NAME=VALUE
# parameters to /init as environment variables): one more process, pinned
# to vCPU2, with N threads sleeping in futex wait; wait (builtin read -t) until
# it has created them all (it creates /ptwthreads.ready), so that the task set
# is complete before the last fork below.
if [ -n "$ptwthreads" ]; then
	taskset -c 2 /ptwtest threads "$ptwthreads" &
	i=0
	while [ ! -e /ptwthreads.ready ] && [ $i -lt 900 ]; do read -t 1 _; i=$((i + 1)); done
	echo "PTWTHREADSWAIT seconds=$i"
fi
read -t 3 _	# (a builtin sleep: see below) the spinners exec /ptwtest from busybox
# Become the sleeping test process (PID 1, pinned to vCPU2 above) without
# busybox: its unlinked page-cache pages are freed (and zeroed by
# init_on_free) once nothing maps them, which keeps about 1 MB of busybox
# out of every dump.
rm -f /bin/*
# From here on nothing forks: the kernel's tables must stay as they are until
# the host stops the VM.  A forked process gets a vmalloc'ed kernel stack
# (VMAP_STACK) that is cached or freed (RCU, then a work item) after it exits.
# Wait 3 s with the shell's own `read -t` on the console (not sleep(1), which
# would fork) for the exits above to settle, then print the kernel's
# page-table dump with builtins only (read, printf, test), each line prefixed
# "PTWPTDUMP ".  The file is read a second time and compared with the first,
# to show that the tables did not change during the capture.  Console
# loglevel 1 keeps kernel messages from interleaving with the listing.
# ptwtest (after the exec, as PID 1) prints its /proc/self/maps, sets the
# console loglevel to 1 and lists every task of the system (PTWTASK lines)
# with no fork either; its PTWREADY then tells the host to stop the VM.
read -t 3 _
P=/sys/kernel/debug/kernel_page_tables		# arm64
[ -r $P ] || P=/sys/kernel/debug/page_tables/kernel	# x86
if [ -r $P ]; then
	echo 1 > /proc/sys/kernel/printk
	# the first read's lines are kept in variables p1, p2, ... (one string
	# grown line by line would be quadratic: thousands of lines with 2000
	# threads' kernel stacks) and compared with the second read's
	n=0
	while IFS= read -r l || [ -n "$l" ]; do
		printf 'PTWPTDUMP %s\n' "$l"
		n=$((n + 1)); eval "p$n=\$l"
	done < $P
	m=0; s=yes
	while IFS= read -r l || [ -n "$l" ]; do
		m=$((m + 1)); eval "q=\$p$m"
		[ "$q" = "$l" ] || s=no
	done < $P
	[ $m = $n ] || s=no
	printf 'PTWPTDUMPEND lines=%d stable=%s\n' $n $s
fi
exec /ptwtest sleep ready
