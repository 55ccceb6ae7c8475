#!/usr/bin/env python3
"""ptwvm.py: boot a guest under QEMU, stop it once, record truth, dump it.

Python 3 standard library only.  Subcommands:

  run     boot QEMU, wait for the guest's PTWREADY line, stop the VM and, in
          that one stop: check which vCPU is in which exception level, dump
          ELF, read VMCOREINFO from the ELF note, translate kernel and user
          addresses with HMP gva2gpa, read memory samples with xp, read
          TTBR0/TTBR1/TCR (gdbstub, arm64) or CR3/CR4 (x86), dump kdump-zlib,
          quit.  Writes truth.json without "files" and "seconds".
  finish  add "files", "seconds" and extra notes to a truth.json.
  normelf copy an ELF core with its program headers moved right after the
          ELF header (e_ehsize 64), for makedumpfile.
"""
import argparse
import datetime
import json
import os
import re
import socket
import struct
import subprocess
import sys
import time

PATTERN = "u64 at VA v = v ^ 0x5054574b5054574b"


def hx(v):
    return None if v is None else "0x%x" % (v & 0xFFFFFFFFFFFFFFFF)


class QMP:
    def __init__(self, path, timeout=60):
        deadline = time.time() + timeout
        while True:
            try:
                self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.s.connect(path)
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.2)
        self.f = self.s.makefile("rwb", buffering=0)
        self._read()  # greeting
        self.cmd("qmp_capabilities")

    def _read(self):
        while True:
            line = self.f.readline()
            if not line:
                raise EOFError("QMP closed")
            msg = json.loads(line)
            if "event" in msg:
                continue
            return msg

    def cmd(self, name, **args):
        req = {"execute": name}
        if args:
            req["arguments"] = args
        self.f.write(json.dumps(req).encode() + b"\n")
        msg = self._read()
        if "error" in msg:
            raise RuntimeError("QMP %s: %s" % (name, msg["error"]))
        return msg.get("return")

    def hmp(self, line, cpu=None):
        args = {"command-line": line}
        if cpu is not None:
            args["cpu-index"] = cpu
        return self.cmd("human-monitor-command", **args)

    def gva2gpa(self, va, cpu):
        out = self.hmp("gva2gpa 0x%x" % va, cpu).strip()
        m = re.search(r"gpa:\s*(0x[0-9a-fA-F]+)", out)
        if m:
            return int(m.group(1), 16)
        if "Unmapped" in out:
            return None
        raise RuntimeError("gva2gpa 0x%x: %r" % (va, out))

    def xp(self, pa, nbytes):
        n = (nbytes + 7) // 8
        out = self.hmp("xp /%dgx 0x%x" % (n, pa))
        vals = []
        for line in out.splitlines():
            if ":" not in line:
                continue
            vals += [int(t, 16) for t in line.split(":", 1)[1].split() if t.startswith("0x")]
        if "Cannot" in out or len(vals) != n:
            raise RuntimeError("xp 0x%x: %r" % (pa, out))
        return b"".join(struct.pack("<Q", v) for v in vals)[:nbytes]


# ---------------------------------------------------------------- ELF notes
def elf_notes(path):
    with open(path, "rb") as f:
        eh = f.read(64)
        if eh[:4] != b"\x7fELF" or eh[4] != 2:
            raise ValueError("not ELF64")
        phoff, = struct.unpack_from("<Q", eh, 32)
        phentsize, phnum = struct.unpack_from("<HH", eh, 54)
        f.seek(phoff)
        phs = [struct.unpack("<IIQQQQQQ", f.read(phentsize)[:56]) for _ in range(phnum)]
        notes = []
        for p_type, _fl, off, _va, _pa, filesz, _msz, _al in phs:
            if p_type != 4:
                continue
            f.seek(off)
            data = f.read(filesz)
            i = 0
            while i + 12 <= len(data):
                nsz, dsz, typ = struct.unpack_from("<III", data, i)
                i += 12
                name = data[i:i + nsz].rstrip(b"\0").decode("latin1")
                i += (nsz + 3) & ~3
                desc = data[i:i + dsz]
                i += (dsz + 3) & ~3
                notes.append((name, typ, desc))
        return notes


def parse_vmcoreinfo(text):
    d = {}
    for line in text.splitlines():
        if "=" in line:
            k, v = line.split("=", 1)
            d[k] = v
    return d


def vmci_num(d, key, signed=False):
    v = d.get("NUMBER(%s)" % key)
    if v is None:
        return None
    v = v.strip()
    n = int(v, 16) if v.lower().startswith("0x") else int(v, 10)
    n &= 0xFFFFFFFFFFFFFFFF
    if signed and n >= 1 << 63:
        n -= 1 << 64
    return n


# ------------------------------------------------------------- console
def parse_console(text):
    info = {"ptwtest": [], "syms": {}, "modsyms": [], "vmalloc": [], "vmcoreinfo_sysfs": None,
            "uname": None, "iomem": [], "thp": [], "ptdump": [], "ptdump_end": None,
            "maps": {}, "maps_end": {}, "tasks": [], "tasks_end": None}
    for raw in text.splitlines():
        line = raw.strip("\r")
        if line.startswith("PTWMAPS "):
            # "PTWMAPS PID <line of /proc/PID/maps>", kept as printed
            _, pid, rest = line.split(" ", 2)
            info["maps"].setdefault(int(pid), []).append(rest)
        elif line.startswith("PTWMAPSEND "):
            t = line.split()
            info["maps_end"][int(t[1])] = int(t[2].split("=")[1])
        elif line.startswith("PTWTASK "):
            t = line.split(" ", 4)
            info["tasks"].append({"pid": int(t[1]), "tgid": int(t[2]), "ppid": int(t[3]),
                                  "comm": t[4] if len(t) > 4 else ""})
        elif line.startswith("PTWTASKEND "):
            info["tasks_end"] = int(line.split("=")[1])
        elif line.startswith("PTWPTDUMP "):
            # one line of /sys/kernel/debug/kernel_page_tables, kept byte for
            # byte (leading and trailing blanks included)
            info["ptdump"].append(line[len("PTWPTDUMP "):])
        elif line.startswith("PTWPTDUMPEND "):
            info["ptdump_end"] = dict(t.split("=", 1) for t in line.split()[1:])
        elif line.startswith("PTWTEST "):
            kv = dict(t.split("=", 1) for t in line.split()[1:])
            p = {"pid": int(kv["pid"]), "mode": kv["mode"], "cpu": int(kv["cpu"]),
                 "pagesize": int(kv["pagesize"]), "regions": {}}
            for r in "ABC":
                a, s = kv[r].split(":")
                p["regions"][r] = (int(a, 16), int(s))
            p["untouched"] = int(kv["untouched"], 16)
            if "threads" in kv:
                p["threads"] = int(kv["threads"])
            info["ptwtest"].append(p)
        elif line.startswith("PTWSYM "):
            # "PTWSYM ADDR TYPE NAME[\t[MODULE]]": a kernel message cut into
            # the line (console loglevel not yet 1) makes it something else
            if not re.match(r"PTWSYM [0-9a-f]+ \w \S+(\t\[\w+\])?$", line):
                continue
            t = line.split()
            if len(t) >= 4:
                if len(t) >= 5 and t[4].startswith("["):
                    info["modsyms"].append((int(t[1], 16), t[3], t[4]))
                else:
                    info["syms"].setdefault(t[3], int(t[1], 16))
        elif line.startswith("PTWVMALLOC "):
            m = re.match(r"PTWVMALLOC (0x[0-9a-f]+)-(0x[0-9a-f]+)\s+(\d+)\s*(.*)", line)
            if m:
                info["vmalloc"].append((int(m.group(1), 16), int(m.group(2), 16),
                                        int(m.group(3)), m.group(4)))
        elif line.startswith("PTWVMCOREINFO "):
            t = line.split()
            if len(t) >= 3:
                info["vmcoreinfo_sysfs"] = (int(t[1], 16), int(t[2], 16))
        elif line.startswith("PTWUNAME "):
            info["uname"] = line.split(None, 1)[1].strip()
        elif line.startswith("PTWIOMEM "):
            m = re.match(r"PTWIOMEM\s+([0-9a-f]+)-([0-9a-f]+) : System RAM", line)
            if m:
                info["iomem"].append((int(m.group(1), 16), int(m.group(2), 16)))
        elif line.startswith("PTWTHP "):
            info["thp"].append(line[7:])
    return info


PTDUMP_NOTE = (
    "/sys/kernel/debug/kernel_page_tables (%s, CONFIG_PTDUMP_DEBUGFS) "
    "as the guest's kernel printed it, captured by /init (testdata/factory/init.sh) in PID 1 "
    "with busybox ash builtins only (read -r, printf: nothing forked after the capture, so no "
    "guest process allocated or freed a VMAP_STACK kernel stack before the stop), each line "
    "printed on the console prefixed 'PTWPTDUMP ', "
    "prefix and the console's CR removed here; 3 s after the guest's last fork, then the file "
    "was read a second time and compared (stable=yes); PID 1 then exec'd 'ptwtest sleep ready' "
    "and the host stopped the VM after PTWREADY and wrote the dumps in that stop.")


def write_ptdump(info, outdir, notes):
    """kernel_page_tables.txt from the console's PTWPTDUMP lines; its name, or None."""
    path = os.path.join(outdir, "kernel_page_tables.txt")
    if os.path.exists(path):
        os.unlink(path)
    end = info["ptdump_end"]
    if not info["ptdump"] and end is None:
        notes.append("no kernel_page_tables capture (the kernel has no PTDUMP_DEBUGFS)")
        return None
    if end is None or int(end.get("lines", -1)) != len(info["ptdump"]):
        raise RuntimeError("kernel_page_tables capture incomplete: %d PTWPTDUMP lines, end %r"
                           % (len(info["ptdump"]), end))
    if end.get("stable") != "yes":
        raise RuntimeError("kernel_page_tables changed between two reads in the guest")
    with open(path, "w", newline="\n") as f:
        for line in info["ptdump"]:
            f.write(line + "\n")
    print("ptwvm: kernel_page_tables.txt, %d lines" % len(info["ptdump"]), flush=True)
    return "kernel_page_tables.txt"


KMSG_RE = re.compile(r"^\[\s*\d+\.\d+\] ")


def write_console(text, outdir, notes):
    """console.log: the kernel's own lines of the serial console (lines with
    a printk timestamp), CRs removed; the factory's PTW* lines and anything
    else (the x86 decompressor's lines, shell messages) left out."""
    kept, other, mixed = [], 0, 0
    for raw in text.split("\n"):
        line = raw.replace("\r", "")
        if KMSG_RE.match(line):
            if "PTW" in line:
                mixed += 1      # a user line cut into a kernel line: not the kernel's
                continue
            kept.append(line)
        elif line.strip() and not line.startswith("PTW"):
            other += 1
    with open(os.path.join(outdir, "console.log"), "w", encoding="latin1", newline="\n") as f:
        for line in kept:
            f.write(line + "\n")
    notes.append("console.log: %d kernel lines of the serial console (lines with a printk "
                 "timestamp, CRs removed); left out: the factory's PTW* lines, %d other lines "
                 "(not printk's: e.g. the x86 boot decompressor's, shell messages), %d kernel "
                 "lines with a user-space line cut into them.  The console loglevel was set to "
                 "1 before the kernel_page_tables capture (small kernels) and before the task "
                 "listing (every case), so later kernel messages are in the log buffer only: "
                 "console.log is a subset of the kernel log, not all of it"
                 % (len(kept), other, mixed))
    return "console.log"


def parse_registers(arch, text):
    """The general registers of HMP `info registers` (QEMU 7.2), and its
    general part as text (up to the FP/vector registers)."""
    regs, lines = {}, []
    for line in text.splitlines():
        if re.match(r"\s*(FPCR|FPSR|Q\d\d|Z\d\d|P\d\d|FCW|FPR\d|XMM|YMM|ZMM)", line):
            break
        lines.append(line.rstrip())
    gen = "\n".join(lines)
    if arch == "arm64":
        for k, v in re.findall(r"\b(PC|X\d\d|SP)=([0-9a-f]{16})", gen):
            key = k.lower() if k in ("PC", "SP") else "x%d" % int(k[1:])
            regs[key] = hx(int(v, 16))
        m = re.search(r"PSTATE=([0-9a-f]+)\s+(\S+)\s+EL(\d)(\w?)", gen)
        if m:
            regs["pstate"] = hx(int(m.group(1), 16))
            regs["el"] = int(m.group(3))
            regs["sp_sel"] = m.group(4) or None
    else:
        for k, v in re.findall(r"\b(R[A-Z0-9]+)\s*=([0-9a-f]{16})", gen):
            regs[k.lower()] = hx(int(v, 16))
        if "rfl" in regs:
            regs["eflags"] = regs.pop("rfl")
        for seg in ("CS", "SS", "DS", "ES", "FS", "GS"):
            m = re.search(r"^%s\s*=([0-9a-f]{4}) ([0-9a-f]{16})" % seg, gen, re.M)
            if m:
                regs[seg.lower()] = hx(int(m.group(1), 16))
                if seg in ("FS", "GS"):
                    regs[seg.lower() + "_base"] = hx(int(m.group(2), 16))
        m = re.search(r"CPL=(\d)", gen)
        if m:
            regs["cpl"] = int(m.group(1))
        for k in ("CR0", "CR2", "CR3", "CR4", "EFER"):
            m = re.search(r"\b%s=([0-9a-f]+)" % k, gen)
            if m:
                regs[k.lower()] = hx(int(m.group(1), 16))
    return regs, gen


# ------------------------------------------------------------- run
def cpu_state(q, arch, cpu):
    out = q.hmp("info registers", cpu)
    if arch == "arm64":
        m = re.search(r"PSTATE=[0-9a-f]+\s+\S+\s+EL(\d)", out)
        return (int(m.group(1)) if m else None), out
    m = re.search(r"CPL=(\d)", out)
    return (int(m.group(1)) if m else None), out


def gdb_regs(gdbsock, ncpu):
    cmd = ["gdb-multiarch", "-nx", "-batch", "-ex", "set pagination off",
           "-ex", "set architecture aarch64", "-ex", "target remote %s" % gdbsock]
    for c in range(ncpu):
        cmd += ["-ex", "thread %d" % (c + 1), "-ex", "echo PTWCPU %d\\n" % c,
                "-ex", "info registers TTBR0_EL1 TTBR1_EL1 TCR_EL1"]
    cmd += ["-ex", "disconnect"]
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
    out = r.stdout.decode("latin1")
    regs, cur = [], None
    for line in out.splitlines():
        m = re.match(r"PTWCPU (\d+)", line)
        if m:
            cur = {"cpu": int(m.group(1))}
            regs.append(cur)
            continue
        m = re.match(r"(TTBR0_EL1|TTBR1_EL1|TCR_EL1)\s+(0x[0-9a-f]+)", line)
        if m and cur is not None:
            cur[m.group(1)] = hx(int(m.group(2), 16))
    ok = all(len(r) == 4 for r in regs) and len(regs) == ncpu
    return regs, ok, out


def cmd_run(a):
    t0 = time.time()
    os.makedirs(a.outdir, exist_ok=True)
    qmp_sock = os.path.join(a.workdir, "qmp.sock")
    gdb_sock = os.path.join(a.workdir, "gdb.sock")
    console = os.path.join(a.workdir, "console.log")
    for p in (qmp_sock, gdb_sock, console):
        if os.path.exists(p):
            os.unlink(p)
    qemu = a.qemu_cmd.split() + [
        "-display", "none", "-monitor", "none", "-no-reboot",
        "-serial", "file:" + console,
        "-qmp", "unix:%s,server=on,wait=off" % qmp_sock,
        "-device", "vmcoreinfo"]
    if a.arch == "arm64":
        qemu += ["-gdb", "unix:%s,server=on,wait=off" % gdb_sock]
    qemu += ["-append", a.append]
    print("ptwvm: " + " ".join(qemu), flush=True)
    proc = subprocess.Popen(qemu, stdin=subprocess.DEVNULL)
    notes = []
    try:
        q = QMP(qmp_sock)
        deadline = time.time() + a.boot_timeout
        text = ""
        while time.time() < deadline:
            if proc.poll() is not None:
                raise RuntimeError("QEMU exited with %s" % proc.returncode)
            try:
                text = open(console, "rb").read().decode("latin1")
            except FileNotFoundError:
                text = ""
            if "PTWREADY" in text:
                break
            time.sleep(1)
        else:
            raise RuntimeError("guest not ready after %ds; console tail:\n%s"
                               % (a.boot_timeout, text[-3000:]))
        boot_s = time.time() - t0
        print("ptwvm: guest ready after %.0f s" % boot_s, flush=True)
        time.sleep(a.settle)
        info = parse_console(text)
        ptdump_file = write_ptdump(info, a.outdir, notes)
        if info["tasks_end"] is None or info["tasks_end"] != len(info["tasks"]):
            raise RuntimeError("task listing incomplete: %d PTWTASK lines, end %r"
                               % (len(info["tasks"]), info["tasks_end"]))
        print("ptwvm: %d tasks listed" % len(info["tasks"]), flush=True)
        spinners = [p for p in info["ptwtest"] if p["mode"] == "spin"]
        kcpu = 2
        # ---- stop with spinners in user mode and vCPU2 in the kernel
        import random
        for attempt in range(150):
            q.cmd("stop")
            states = {c: cpu_state(q, a.arch, c) for c in range(3)}
            els = {c: states[c][0] for c in range(3)}
            user_ok = all(els[p["cpu"]] == (0 if a.arch == "arm64" else 3) for p in spinners)
            kern_ok = els[kcpu] == (1 if a.arch == "arm64" else 0)
            if user_ok and kern_ok:
                break
            q.cmd("cont")
            time.sleep(0.2 + random.random() * 0.5)
        else:
            notes.append("could not stop with spinners in user mode and vCPU2 in the kernel: %r" % els)
        print("ptwvm: stopped, exception levels %r (attempt %d)" % (els, attempt + 1), flush=True)
        cpu_registers = []
        for c in range(3):
            pr, gen = parse_registers(a.arch, states[c][1])
            cpu_registers.append({"cpu": c, "regs": pr, "text": gen})
        # ---- ELF dump
        elf = os.path.join(a.workdir, "vmcore.elf")
        if os.path.exists(elf):
            os.unlink(elf)
        q.cmd("dump-guest-memory", paging=False, protocol="file:" + elf)
        vmci_text = None
        for name, typ, desc in elf_notes(elf):
            if name == "VMCOREINFO":
                vmci_text = desc.rstrip(b"\0").decode("latin1")
        if vmci_text is None and info["vmcoreinfo_sysfs"]:
            addr, size = info["vmcoreinfo_sysfs"]
            raw = q.xp(addr, (size + 7) // 8 * 8)[:size]
            # the sysfs address is the ELF note: skip its header
            nsz, dsz, _t = struct.unpack_from("<III", raw, 0)
            off = 12 + ((nsz + 3) & ~3)
            vmci_text = raw[off:off + dsz].rstrip(b"\0").decode("latin1")
            notes.append("VMCOREINFO read from guest memory at /sys/kernel/vmcoreinfo's address "
                         "(QEMU's ELF dump had no VMCOREINFO note)")
        vmci = parse_vmcoreinfo(vmci_text or "")
        kaslr = vmci.get("KERNELOFFSET")
        kaslr = int(kaslr, 16) if kaslr else None
        syms = info["syms"]
        for k, v in vmci.items():
            m = re.match(r"SYMBOL\((\w+)\)$", k)
            if m and m.group(1) in ("mem_section", "vmemmap", "mem_map"):
                # VMCOREINFO gives these pointers' values, not their addresses
                info.setdefault("value_syms", []).append((m.group(1), int(v, 16)))
            elif m and m.group(1) not in syms:
                syms[m.group(1)] = int(v, 16)
                if not info.get("vmci_syms_noted"):
                    info["vmci_syms_noted"] = True
                    notes.append("symbols missing from /proc/kallsyms were taken from VMCOREINFO SYMBOL() lines")
        truth_syms = {k: hx(v) for k, v in sorted(syms.items())}

        # System.map check
        if a.system_map and kaslr is not None:
            smap = {}
            for line in open(a.system_map):
                t = line.split()
                if len(t) == 3:
                    smap.setdefault(t[2], int(t[0], 16))
            bad = [k for k, v in syms.items() if k in smap and smap[k] + kaslr != v]
            if bad:
                notes.append("System.map + KERNELOFFSET disagrees with /proc/kallsyms for %s" % bad)

        kfacts = []

        def kf(va, what):
            va &= 0xFFFFFFFFFFFFFFFF
            kfacts.append({"va": hx(va), "pa": hx(q.gva2gpa(va, kcpu)), "what": what})
            return kfacts[-1]

        for k in sorted(syms):
            kf(syms[k], k)
            kf(syms[k] + 0x18, k + "+0x18")
        for name, val in info.get("value_syms", []):
            kf(val, "%s value (VMCOREINFO SYMBOL(%s))" % (name, name))
        for addr, name, mod in info["modsyms"][:3]:
            kf(addr, "module %s %s" % (mod, name))

        ram = info["iomem"] or [(a.ram_base, a.ram_base + a.ram_mib * 2**20 - 1)]
        ram_lo, ram_hi = ram[0][0], ram[-1][1] + 1
        page = a.page_size
        shift = page.bit_length() - 1
        size_page = int(vmci.get("SIZE(page)", "64"))
        vabits_actual = None
        if a.arch == "arm64":
            va_bits = vmci_num(vmci, "VA_BITS")
            phys_off = vmci_num(vmci, "PHYS_OFFSET", signed=True)
            t1sz = vmci_num(vmci, "TCR_EL1_T1SZ")
            page_offset = (1 << 64) - (1 << va_bits)
            lin = lambda pa: page_offset + (pa - phys_off)
            vmemmap_start = vmci_num(vmci, "VMEMMAP_START")
            vmemmap = None
            if vmemmap_start is not None:
                vmemmap = lambda pfn: vmemmap_start + (pfn - (phys_off >> shift)) * size_page
            vmalloc_end = vmci_num(vmci, "VMALLOC_END")
        else:
            def rd(sym):
                if sym not in syms:
                    return None
                pa = q.gva2gpa(syms[sym], kcpu)
                return None if pa is None else struct.unpack("<Q", q.xp(pa, 8))[0]
            page_offset = rd("page_offset_base")
            vmemmap_base = rd("vmemmap_base")
            vmalloc_base = rd("vmalloc_base")
            lin = lambda pa: page_offset + pa
            vmemmap = (lambda pfn: vmemmap_base + pfn * size_page) if vmemmap_base else None
            vmalloc_end = None
            if vmalloc_base is not None:
                kf(vmalloc_base + (1 << 40), "vmalloc-area unused (vmalloc_base + 1 TiB)")
        for off in (0, 0x10018, 0x123458, (ram_hi - ram_lo) // 2 + 0x800, ram_hi - ram_lo - 64):
            kf(lin(ram_lo + off), "linear")
        kf(lin(ram_hi + 0x10000000), "linear beyond RAM")
        if "_text" in syms:
            pa = q.gva2gpa(syms["_text"], kcpu)
            if pa is not None:
                kf(lin(pa), "linear alias of _text")
        if vmemmap:
            npfn = (ram_hi - ram_lo) >> shift
            for i in (0, 1, 100, npfn // 2, npfn - 1):
                kf(vmemmap((ram_lo >> shift) + i), "vmemmap")
            kf(vmemmap((ram_hi >> shift) + (1 << 30 >> shift) * 16), "vmemmap beyond RAM")
        else:
            notes.append("no vmemmap facts: VMCOREINFO lacks VMEMMAP_START / vmemmap_base unreadable")
        nv = 0
        for lo, hi, size, caller in info["vmalloc"]:
            if "ioremap" in caller or "vmap" == caller.strip():
                continue
            kf(lo, "vmalloc (%s)" % caller.split()[0] if caller.split() else "vmalloc")
            if size >= 3 * page:
                kf(lo + page + 0x28, "vmalloc")
            nv += 1
            if nv >= 4:
                break
        if a.arch == "arm64" and vmalloc_end:
            kf(vmalloc_end - 0x200000, "vmalloc-area end (likely unmapped)")
        # addresses below the TTBR1 range and a non-canonical one
        regs, regs_ok = [], False
        if a.arch == "arm64":
            regs, regs_ok, gout = gdb_regs(gdb_sock, 3)
            if not regs_ok:
                notes.append("gdbstub register read incomplete: " + gout[-500:])
            t1 = (int(regs[kcpu]["TCR_EL1"], 16) >> 16) & 0x3F if regs_ok else t1sz
            vabits_actual = 64 - t1 if t1 else None
            if t1sz is not None and t1 is not None and t1sz != t1:
                notes.append("VMCOREINFO TCR_EL1_T1SZ %d != TCR_EL1.T1SZ %d" % (t1sz, t1))
        else:
            for c in range(3):
                out = q.hmp("info registers", c)
                r = {"cpu": c}
                for k in ("CR0", "CR3", "CR4"):
                    m = re.search(r"\b%s=([0-9a-f]+)" % k, out)
                    r[k] = hx(int(m.group(1), 16)) if m else None
                regs.append(r)
            la57 = bool(int(regs[kcpu]["CR4"], 16) & (1 << 12))
            vabits_actual = 57 if la57 else 48
        kf((1 << 64) - (1 << vabits_actual) - 0x10000, "unmapped (below the kernel half)")
        if a.arch == "x86_64":
            kf(1 << (vabits_actual - 1), "unmapped (non-canonical)")

        # ---- processes
        procs = []
        for p in info["ptwtest"]:
            c = p["cpu"] if p["mode"] == "spin" else None
            reg = None
            if c is not None:
                reg = regs[c].get("TTBR0_EL1") if a.arch == "arm64" else regs[c].get("CR3")
            pr = {"pid": p["pid"], "comm": "ptwtest", "mode": p["mode"], "cpu": c,
                  ("ttbr0" if a.arch == "arm64" else "cr3"): reg, "regions": [], "facts": []}
            if "threads" in p:
                pr["threads"] = p["threads"]
            mp = info["maps"].get(p["pid"])
            if mp is None or info["maps_end"].get(p["pid"]) != len(mp):
                raise RuntimeError("pid %d: /proc/self/maps capture incomplete (%s lines, end %r)"
                                   % (p["pid"], None if mp is None else len(mp),
                                      info["maps_end"].get(p["pid"])))
            pr["maps"] = mp
            ps = p["pagesize"]
            for r in "ABC":
                va, size = p["regions"][r]
                touched = "all"
                if r == "C":
                    touched = [i for i in range(size // ps) if va + i * ps != p["untouched"]]
                pr["regions"].append({"name": r, "va": hx(va), "size": size, "touched_pages": touched,
                                      "pattern": PATTERN})
                if c is None:
                    continue
                npg = size // ps
                step = 1 if npg <= 64 else npg // 64
                for i in list(range(0, npg, step)) + [npg - 1]:
                    for off in ((0, 0x7f8) if i in (0, npg - 1) else (0,)):
                        v = va + i * ps + off
                        if any(f["va"] == hx(v) for f in pr["facts"]):
                            continue
                        pr["facts"].append({"va": hx(v), "pa": hx(q.gva2gpa(v, c))})
            if c is not None:
                for v in (p["regions"]["C"][0] + p["regions"]["C"][1] + 0x1000 * 0 + 2**20 * 64,):
                    pr["facts"].append({"va": hx(v), "pa": hx(q.gva2gpa(v, c)),
                                        "what": "unmapped (64 MiB past region C)"})
            procs.append(pr)

        # ---- memory samples
        samples = []
        want = []
        for f in kfacts:
            if f["pa"] and f["what"] in ("_text", "swapper_pg_dir", "init_task", "init_top_pgt",
                                         "linear"):
                want.append(int(f["pa"], 16))
        for pr in procs:
            for f in pr["facts"][:2] + pr["facts"][-6:-4]:
                if f["pa"]:
                    want.append(int(f["pa"], 16))
        seen = set()
        for pa in want:
            pa &= ~7
            if pa in seen:
                continue
            seen.add(pa)
            try:
                samples.append({"pa": hx(pa), "hex": q.xp(pa, 64).hex()})
            except RuntimeError as e:
                notes.append("memory sample skipped: %s" % e)

        # ---- kdump-zlib dump in the same stop
        flat = os.path.join(a.outdir, "vmcore.kdump-zlib.flat")
        if os.path.exists(flat):
            os.unlink(flat)
        q.cmd("dump-guest-memory", paging=False, protocol="file:" + flat, format="kdump-zlib")
        qver = q.cmd("query-version")
        q.cmd("quit")
    finally:
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()

    full = open(console, "rb").read().decode("latin1")
    console_name = write_console(full, a.outdir, notes)
    text = full
    cfg = {}
    for line in open(a.config):
        line = line.strip()
        m = re.match(r"(CONFIG_[A-Z0-9_]+)=(.*)", line)
        if m and re.search(a.config_keys, m.group(1)):
            cfg[m.group(1)] = m.group(2).strip('"')
    q = qver["qemu"]
    truth = {
        "case": a.case, "arch": a.arch,
        "made_by": "testdata/make-dumps %s" % a.case,
        "made_on": datetime.date.today().isoformat(), "seconds": None,
        "kernel": {"release": info["uname"], "source": a.kernel_source, "config": cfg},
        "qemu": {"version": "%d.%d.%d (%s)" % (q["major"], q["minor"], q["micro"],
                                               qver["package"].strip()),
                 "cpu": a.cpu, "smp": 3, "ram_mib": a.ram_mib,
                 "command": " ".join(qemu).replace(a.workdir + "/", "").replace(a.outdir + "/", "")},
        "page_size": a.page_size, "va_bits": None, "vabits_actual": vabits_actual,
        "pa_bits": None, "levels": None,
        "kaslr_offset": hx(kaslr),
        "symbols": truth_syms,
        "registers": regs,
        "cpu_registers": cpu_registers,
        "cpu_registers_note": ("HMP `info registers` of each vCPU (cpu-index) in the stop the "
                               "dumps were written in: 'regs' parsed from it, 'text' its general "
                               "part (the FP/SIMD/SVE registers left out)"),
        "tasks": info["tasks"],
        "tasks_note": ("every task (threads included) as listed by ptwtest, PID 1 after the exec, "
                       "from /proc/PID/task/TID/stat just before PTWREADY: pid = TID, tgid = PID, "
                       "ppid = stat field 4, comm = stat's comm; nothing forked between the listing "
                       "and the stop, but a kernel thread the kernel started on its own in those "
                       "seconds (a kworker) would be missing; PID 1's maps after the listing (its opendir/closedir "
                       "move the heap's end)"),
        "console": None,
        "vmcoreinfo_text": vmci_text,
        "files": [],
        "kernel_facts": kfacts,
        "processes": procs,
        "memory_samples": samples,
        "notes": notes + ["guest ready %.0f s after QEMU start" % boot_s,
                          "guest console lines: " + "; ".join(info["thp"])]
                 + ["guest kernel log: " + l.strip() for l in text.splitlines()
                    if re.search(r"page tables isolation|5-level paging|LPA2|52-bit|Memory: ", l)][:6],
    }
    truth["console"] = console_name
    if ptdump_file:
        truth["kernel_page_tables"] = ptdump_file
        truth["kernel_page_tables_note"] = PTDUMP_NOTE % (
            "arch/arm64/mm/ptdump.c" if a.arch == "arm64" else "arch/x86/mm/dump_pagetables.c")
    if a.arch == "arm64":
        truth["va_bits"] = int(cfg.get("CONFIG_ARM64_VA_BITS", "0")) or None
        truth["pa_bits"] = int(cfg.get("CONFIG_ARM64_PA_BITS", "0")) or None
        lv = int(cfg.get("CONFIG_PGTABLE_LEVELS", "0")) or None
        # A 4K/52 (LPA2) kernel folds to 4 levels when the CPU runs it at 48 bits.
        if lv == 5 and vabits_actual == 48:
            lv = 4
            truth["notes"].append("CONFIG_PGTABLE_LEVELS=5 but vabits_actual 48: folded to 4 levels at run time")
        truth["levels"] = lv
    else:
        truth["va_bits"] = vabits_actual
        truth["levels"] = 5 if vabits_actual == 57 else 4
        mpb = vmci_num(vmci, "MAX_PHYSMEM_BITS")
        truth["pa_bits"] = mpb
    with open(os.path.join(a.outdir, "truth.json"), "w") as f:
        json.dump(truth, f, indent=1)
        f.write("\n")
    open(os.path.join(a.workdir, "console.saved.log"), "w").write(text)
    print("ptwvm: done in %.0f s" % (time.time() - t0))


def cmd_finish(a):
    path = os.path.join(a.outdir, "truth.json")
    t = json.load(open(path))
    t["seconds"] = a.seconds
    t["files"] = [json.loads(l) for l in open(a.files) if l.strip()]
    for f in t["files"]:
        p = os.path.join(a.outdir, f["name"])
        f["bytes"] = os.path.getsize(p) if os.path.exists(p) else None
    for kv in a.set or []:
        k, v = kv.split("=", 1)
        t[k] = v
    vb = re.search(r"^BUILD-ID=([0-9a-f]+)$", t.get("vmcoreinfo_text") or "", re.M)
    if t.get("build_id") and vb:
        t["notes"].append("build_id %s VMCOREINFO's BUILD-ID"
                          % ("equals" if vb.group(1) == t["build_id"] else "DIFFERS FROM"))
    t["notes"] += a.note or []
    with open(path, "w") as f:
        json.dump(t, f, indent=1)
        f.write("\n")


def cmd_normelf(a):
    with open(a.src, "rb") as f:
        eh = bytearray(f.read(64))
        phoff, = struct.unpack_from("<Q", eh, 32)
        phentsize, phnum = struct.unpack_from("<HH", eh, 54)
        f.seek(phoff)
        phs = [list(struct.unpack("<IIQQQQQQ", f.read(phentsize)[:56])) for _ in range(phnum)]
        start = min(p[2] for p in phs if p[5])
        new_start = 64 + 56 * phnum
        delta = new_start - start
        for p in phs:
            if p[5] or p[2]:
                p[2] += delta
        struct.pack_into("<Q", eh, 32, 64)        # e_phoff
        struct.pack_into("<Q", eh, 40, 0)         # e_shoff
        struct.pack_into("<H", eh, 52, 64)        # e_ehsize
        struct.pack_into("<H", eh, 54, 56)        # e_phentsize
        struct.pack_into("<H", eh, 58, 0)         # e_shentsize
        struct.pack_into("<H", eh, 60, 0)         # e_shnum
        struct.pack_into("<H", eh, 62, 0)         # e_shstrndx
        with open(a.dst, "wb") as o:
            o.write(eh)
            for p in phs:
                o.write(struct.pack("<IIQQQQQQ", *p))
            f.seek(start)
            while True:
                b = f.read(1 << 24)
                if not b:
                    break
                o.write(b)
    print("normelf: %d program headers, data moved from 0x%x to 0x%x" % (phnum, start, new_start))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sp = ap.add_subparsers(dest="sub", required=True)
    r = sp.add_parser("run")
    r.add_argument("--case", required=True)
    r.add_argument("--arch", required=True, choices=["arm64", "x86_64"])
    r.add_argument("--qemu-cmd", required=True, help="qemu binary and machine/cpu/kernel/initrd options")
    r.add_argument("--append", required=True)
    r.add_argument("--cpu", required=True)
    r.add_argument("--ram-mib", type=int, default=256)
    r.add_argument("--ram-base", type=lambda s: int(s, 0), default=0x40000000)
    r.add_argument("--page-size", type=int, required=True)
    r.add_argument("--config", required=True)
    r.add_argument("--config-keys", default=r"^CONFIG_(ARM64_(4K|16K|64K)_PAGES|ARM64_VA_BITS.*|ARM64_PA_BITS.*|PGTABLE_LEVELS|ARM64_LPA2|ARM64_LVA|ARM64_PAGE_SHIFT|PAGE_SHIFT|X86_5LEVEL|RANDOMIZE_BASE|RANDOMIZE_MEMORY|DYNAMIC_MEMORY_LAYOUT|RELOCATABLE|PAGE_TABLE_ISOLATION|TRANSPARENT_HUGEPAGE|SPARSEMEM_VMEMMAP|VMAP_STACK|KASAN|KASAN_GENERIC|KASAN_SW_TAGS|KASAN_VMALLOC|KASAN_SHADOW_OFFSET)$")
    r.add_argument("--kernel-source", required=True)
    r.add_argument("--system-map")
    r.add_argument("--workdir", required=True)
    r.add_argument("--outdir", required=True)
    r.add_argument("--boot-timeout", type=int, default=900)
    r.add_argument("--settle", type=float, default=3)
    r.set_defaults(fn=cmd_run)
    f = sp.add_parser("finish")
    f.add_argument("--outdir", required=True)
    f.add_argument("--seconds", type=int, required=True)
    f.add_argument("--files", required=True, help="JSON Lines file, one files entry a line")
    f.add_argument("--note", action="append")
    f.add_argument("--set", action="append", help="KEY=VALUE: a string key of truth.json")
    f.set_defaults(fn=cmd_finish)
    n = sp.add_parser("normelf")
    n.add_argument("src")
    n.add_argument("dst")
    n.set_defaults(fn=cmd_normelf)
    a = ap.parse_args()
    a.fn(a)


if __name__ == "__main__":
    main()
