#!/bin/sh
# /init of the ptwalk test guests (busybox-static initramfs).
/bin/busybox mount -t proc proc /proc
/bin/busybox --install -s /bin
export PATH=/bin
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
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
sleep 3
# Become the sleeping test process (PID 1, pinned to vCPU2 above) without
# busybox: its unlinked page-cache pages are freed (and zeroed by
# init_on_free) once nothing maps them, which keeps about 1 MB of busybox
# out of every dump.
rm -f /bin/*
exec /ptwtest sleep ready
