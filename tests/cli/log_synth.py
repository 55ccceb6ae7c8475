#!/usr/bin/env python3
"""Synthetic printk buffers for tests/cli/log_synth.sh.

Writes mkdump spec lines (over tests/specs/x86_64-4l.spec, whose direct map
puts VA 0xffff888000000000 + x at PA x for x < 2 MiB) holding a printk
buffer, and the text `ptwalk log` must print for it. The lockless ring is
filled by replaying the kernel's writer (kernel/printk/printk_ringbuffer.c:
desc_reserve, data_alloc, desc_push_tail, data_push_tail) on a ring of 8
descriptors and 256 bytes of text, so that it wraps, drops old records, and
holds a text block that wraps to offset 0; the expected output is the records
the writer still holds, formatted as the kernel's record_print_text() does.
The old log_buf is laid out by hand, wrap marker included.

    log_synth.py lockless VARIANT SPEC_OUT EXPECT_OUT
    log_synth.py legacy VARIANT SPEC_OUT EXPECT_OUT

VARIANT: good, or a corruption (see CORRUPTIONS); EXPECT_OUT then holds the
output of the records that survive, and the first line of SPEC_OUT is
"# warn: REGEX" for the warning ptwalk must give (or "# fail: REGEX" for an
error, exit 1)."""
import struct
import sys

DIRECT = 0xffff888000000000
MASK62 = (1 << 62) - 1
FINALIZED, REUSABLE = 2, 3
EMPTY_LINE_LPOS = 3


def va(pa):
    return DIRECT + pa


def fmt_record(ts, text, caller=None):
    prefix = "[%5d.%06d]" % (ts // 1000000000, ts % 1000000000 // 1000)
    if caller is not None:
        prefix += "[%6s]" % caller
    return "".join(prefix + " " + line + "\n" for line in text.split("\n"))


class Lockless:
    COUNT_BITS, SIZE_BITS = 3, 9
    # PAs of the parts (x86-64, 6.1 layout)
    PRB_PTR, RB, DESCS, INFOS, DATA = 0x100000, 0x100100, 0x101000, 0x102000, 0x104000

    def __init__(self):
        self.count = 1 << self.COUNT_BITS
        self.size = 1 << self.SIZE_BITS
        self.descs = bytearray(24 * self.count)
        self.infos = bytearray(88 * self.count)
        self.data = bytearray(b"\xee" * self.size)   # never-written text is noise
        # The kernel starts ids near the top of the 62-bit space so that they
        # wrap early (DESC0_ID); with slot 0 first, seq 0 is in slot 0.
        self.head_id = (MASK62 + 1 - self.count - 1) & MASK62
        self.tail_id = self.head_id
        self.head_lpos = self.tail_lpos = (1 << 64) - self.size  # BLK0_LPOS
        self.live = []      # [id, seq, begin, next, state, record] oldest first
        self.seq = 0

    def wraps(self, lpos):
        return lpos >> self.SIZE_BITS

    def push_data_tail(self, upto):
        """Retire blocks until the tail reaches upto (data_push_tail)."""
        while self.tail_lpos < upto:
            for r in self.live:
                if r[4] != REUSABLE and r[2] == self.tail_lpos:
                    r[4] = REUSABLE
                    self.tail_lpos = r[3]
                    break
            else:
                self.tail_lpos = upto

    def add(self, ts, text, level=6, caller_id=1, subsystem="", device="", failed=False):
        id = (self.head_id + 1) & MASK62
        slot = id % self.count
        # desc_reserve: the slot's previous occupant is the tail; push it out
        if self.live and len(self.live) == self.count:
            old = self.live.pop(0)
            if old[4] != REUSABLE and old[2] & 1 == 0:
                self.push_data_tail(old[3])
            old[4] = REUSABLE
        self.head_id = id
        raw = text.encode("latin1")
        if failed:
            begin = nxt = 1             # FAILED_LPOS: text lost
        elif not raw:
            begin = nxt = EMPTY_LINE_LPOS
        else:
            size = (len(raw) + 8 + 7) & ~7
            begin = self.head_lpos
            nxt = begin + size
            if self.wraps(begin) != self.wraps(nxt):
                nxt = (nxt & ~(self.size - 1)) + size   # data_alloc: wrap to offset 0
            self.push_data_tail(nxt - self.size)
            self.head_lpos = nxt
            at = begin % self.size
            if self.wraps(begin) != self.wraps(nxt):
                self.data[at:at + 8] = struct.pack("<Q", id)
                at = 0
            self.data[at:at + 8] = struct.pack("<Q", id)
            self.data[at + 8:at + 8 + len(raw)] = raw
        seq = self.seq
        self.seq += 1
        assert seq % self.count == slot
        rec = dict(ts=ts, text=text, level=level, caller_id=caller_id, seq=seq,
                   subsystem=subsystem, device=device, failed=failed)
        self.live.append([id, seq, begin, nxt, FINALIZED, rec])
        struct.pack_into("<QQQ", self.descs, 24 * slot, (FINALIZED << 62) | id, begin % (1 << 64), nxt % (1 << 64))
        info = struct.pack("<QQHBBI16s48s", seq, ts, len(raw), 0, level << 5, caller_id,
                           subsystem.encode(), device.encode())
        self.infos[88 * slot:88 * slot + 88] = info

    def retire_states(self):
        for r in self.live:
            if r[4] == REUSABLE:
                slot = r[0] % self.count
                struct.pack_into("<Q", self.descs, 24 * slot, (REUSABLE << 62) | r[0])
        self.tail_id = self.live[0][0] if self.live else self.head_id

    def shown(self):
        return [r for r in self.live if r[4] == FINALIZED and not r[5]["failed"]]

    def header(self, count_bits=None):
        rb = bytearray(88)
        struct.pack_into("<IxxxxQQQQQ", rb, 0, self.COUNT_BITS if count_bits is None else count_bits,
                         getattr(self, "descs_va", va(self.DESCS)), va(self.INFOS), self.head_id,
                         (self.head_id - (1 << count_bits) + 1) & MASK62 if count_bits else self.tail_id, 0)
        struct.pack_into("<IxxxxQQQ", rb, 48, self.SIZE_BITS, va(self.DATA), self.head_lpos % (1 << 64),
                         self.tail_lpos % (1 << 64))
        return rb

    VMCOREINFO = """SYMBOL(prb)=%x
SYMBOL(printk_rb_static)=%x
SYMBOL(clear_seq)=ffff888000100080
SIZE(printk_ringbuffer)=88
OFFSET(printk_ringbuffer.desc_ring)=0
OFFSET(printk_ringbuffer.text_data_ring)=48
OFFSET(printk_ringbuffer.fail)=80
SIZE(prb_desc_ring)=48
OFFSET(prb_desc_ring.count_bits)=0
OFFSET(prb_desc_ring.descs)=8
OFFSET(prb_desc_ring.infos)=16
OFFSET(prb_desc_ring.head_id)=24
OFFSET(prb_desc_ring.tail_id)=32
SIZE(prb_desc)=24
OFFSET(prb_desc.state_var)=0
OFFSET(prb_desc.text_blk_lpos)=8
SIZE(prb_data_blk_lpos)=16
OFFSET(prb_data_blk_lpos.begin)=0
OFFSET(prb_data_blk_lpos.next)=8
SIZE(printk_info)=88
OFFSET(printk_info.seq)=0
OFFSET(printk_info.ts_nsec)=8
OFFSET(printk_info.text_len)=16
OFFSET(printk_info.caller_id)=20
OFFSET(printk_info.dev_info)=24
SIZE(dev_printk_info)=64
OFFSET(dev_printk_info.subsystem)=0
LENGTH(printk_info_subsystem)=16
OFFSET(dev_printk_info.device)=16
LENGTH(printk_info_device)=48
SIZE(prb_data_ring)=32
OFFSET(prb_data_ring.size_bits)=0
OFFSET(prb_data_ring.data)=8
OFFSET(prb_data_ring.head_lpos)=16
OFFSET(prb_data_ring.tail_lpos)=24
SIZE(atomic_long_t)=8
OFFSET(atomic_long_t.counter)=0
SIZE(latched_seq)=24
OFFSET(latched_seq.val)=8
"""


def hexlines(pa, blob):
    out = []
    for off in range(0, len(blob), 64):
        out.append("bytes 0x%x = %s" % (pa + off, blob[off:off + 64].hex()))
    return out


def lockless(variant):
    r = Lockless()
    r.add(0, "Booting Linux on physical CPU 0x0000000000 [0x000f0510]", level=6, caller_id=0)
    r.add(1000, "Linux version 6.1.0 (synthetic)", level=5, caller_id=0)
    r.add(2500000, "dropped for lack of space", failed=True)
    r.add(1047661000, "KASLR enabled", level=6, caller_id=0x80000001)
    r.add(1100000000, "a record of three lines\n  second\n  third", level=4, caller_id=1)
    r.add(1200000000, "", level=6)
    r.add(1300000000, "pl061_gpio 9030000.pl061: PL061 GPIO chip registered", level=6, caller_id=1,
          subsystem="amba", device="+amba:9030000.pl061")
    r.add(2000000000, "tab\there, escape \x1b[31m, bell \x07", level=3, caller_id=42)
    r.add(3000000000, "x" * 100, level=7, caller_id=42)
    r.add(4000000000, "after the wrap", level=6, caller_id=43)
    r.add(5000000000, "y" * 60, level=6, caller_id=43)
    r.add(6000000000, "the last record", level=0, caller_id=44)
    r.retire_states()
    shown = r.shown()
    directive = None
    count_bits = None
    if variant == "outside":
        # a descriptor whose text block lies beyond the ring's head
        victim = shown[2]
        slot = victim[0] % r.count
        struct.pack_into("<QQ", r.descs, 24 * slot + 8, (r.head_lpos + 0x1000) % (1 << 64), (r.head_lpos + 0x1010) % (1 << 64))
        directive = "# warn: record seq %d .*outside" % victim[1]
        shown = [x for x in shown if x is not victim]
    elif variant == "badwrap":
        # begin and next more than one wrap apart: no valid block
        victim = shown[1]
        slot = victim[0] % r.count
        struct.pack_into("<QQ", r.descs, 24 * slot + 8, 0x10, 0x10 + 5 * r.size)
        directive = "# warn: record seq %d .*does not fit the text ring" % victim[1]
        shown = [x for x in shown if x is not victim]
    elif variant == "blockid":
        # the text block carries another descriptor's id: overwritten text
        victim = shown[-1]
        at = victim[2] % r.size
        if r.wraps(victim[2]) != r.wraps(victim[3]):
            at = 0
        struct.pack_into("<Q", r.data, at, 12345)
        directive = "# warn: record seq %d .*belongs to descriptor 12345" % victim[1]
        shown = [x for x in shown if x is not victim]
    elif variant == "badseq":
        victim = shown[0]
        slot = victim[0] % r.count
        struct.pack_into("<Q", r.infos, 88 * slot, victim[1] + 3)
        directive = "# warn: record seq %d .*cannot hold" % (victim[1] + 3)
        shown = [x for x in shown if x is not victim]
    elif variant == "textlen":
        victim = shown[0]
        slot = victim[0] % r.count
        struct.pack_into("<H", r.infos, 88 * slot + 16, 4000)
        directive = "# warn: record seq %d .*text_len 4000 exceeds" % victim[1]
        shown = [x for x in shown if x is not victim]
    elif variant == "unmapped":
        # the largest ring the kernel allows, its descriptors nowhere: each
        # one is damaged, and the reader gives up after 4096 of them
        count_bits = 26
        r.descs_va = va(0x40000000)
        directive = "# fail: more than 4096 damaged records"
        shown = []
    elif variant == "count":
        count_bits = 40
        directive = "# fail: claims 2\\^40 descriptors"
        shown = []
    elif variant != "good":
        sys.exit("unknown variant " + variant)
    spec = [directive or "# good"]
    spec += hexlines(Lockless.PRB_PTR, struct.pack("<Q", va(Lockless.RB)))
    spec += hexlines(Lockless.RB, r.header(count_bits))
    spec += hexlines(Lockless.DESCS, r.descs)
    spec += hexlines(Lockless.INFOS, r.infos)
    spec += hexlines(Lockless.DATA, r.data)
    spec += ["vmcoreinfo", Lockless.VMCOREINFO % (va(Lockless.PRB_PTR), va(Lockless.RB)), "end"]
    text = "".join(fmt_record(x[5]["ts"], escape(x[5]["text"])) for x in shown)
    return spec, text


def escape(text):
    return "".join(c if c == "\n" or c == "\t" or 0x20 <= ord(c) < 0x7f or ord(c) >= 0x80
                   else "\\x%02x" % ord(c) for c in text)


def legacy(variant):
    """log_buf of 256 bytes, struct printk_log of 16 bytes, records aligned
    to 4 (x86-64 has efficient unaligned access: __packed __aligned(4))."""
    LOG_BUF_PTR, LEN, FIRST, NEXT, BUF = 0x110000, 0x110010, 0x110020, 0x110030, 0x111000
    size = 256
    buf = bytearray(b"\xee" * size)
    # with CONFIG_PRINTK_CALLER the header ends with a u32 caller_id
    hdr = 20 if variant == "caller" else 16

    def put(at, ts, text, dict_=b"", level=6, length=None):
        raw = text.encode()
        n = (hdr + len(raw) + len(dict_) + 3) & ~3
        struct.pack_into("<QHHHBB", buf, at, ts, n if length is None else length, len(raw), len(dict_),
                         0, level << 5)
        if hdr == 20:
            struct.pack_into("<I", buf, at + 16, 0x80000000 | (at // 4))   # "CPU" at/4: checkable
        buf[at + hdr:at + hdr + len(raw)] = raw
        buf[at + hdr + len(raw):at + hdr + len(raw) + len(dict_)] = dict_
        return at + n

    recs = []
    # oldest first: two records at the end of the buffer, then the wrap
    # marker, then two from offset 0; log_next_idx after them.
    at = put(120, 1000000, "the oldest record")
    recs.append((1000000, "the oldest record"))
    at = put(at, 2000000, "usb 1-1: new device", b"SUBSYSTEM=usb\0DEVICE=c189:1")
    recs.append((2000000, "usb 1-1: new device"))
    struct.pack_into("<QHHH", buf, at, 0, 0, 0, 0)   # len 0: continue at offset 0
    first = 120
    at = put(0, 3000000, "after the wrap\nsecond line", level=4)
    recs.append((3000000, "after the wrap\nsecond line"))
    victim_at = at
    at = put(at, 4000000, "the newest record",
             length=1000 if variant == "badlen" else None)
    if variant == "badlen":
        directive = "# warn: log_buf offset 0x%x: a record of 1000 bytes" % victim_at
    elif variant in ("good", "caller"):
        directive = "# good"
        recs.append((4000000, "the newest record"))
    else:
        sys.exit("unknown variant " + variant)
    spec = [directive]
    spec += hexlines(LOG_BUF_PTR, struct.pack("<Q", va(BUF)))
    spec += hexlines(LEN, struct.pack("<I", size))
    spec += hexlines(FIRST, struct.pack("<I", first))
    spec += hexlines(NEXT, struct.pack("<I", at))
    spec += hexlines(BUF, buf)
    spec += ["vmcoreinfo",
             "SYMBOL(log_buf)=%x" % va(LOG_BUF_PTR), "SYMBOL(log_buf_len)=%x" % va(LEN),
             "SYMBOL(log_first_idx)=%x" % va(FIRST), "SYMBOL(clear_idx)=%x" % va(FIRST),
             "SYMBOL(log_next_idx)=%x" % va(NEXT), "SIZE(printk_log)=%d" % hdr,
             "OFFSET(printk_log.ts_nsec)=0", "OFFSET(printk_log.len)=8",
             "OFFSET(printk_log.text_len)=10", "OFFSET(printk_log.dict_len)=12"]
    if hdr == 20:
        spec += ["OFFSET(printk_log.caller_id)=16"]
    spec += ["end"]
    text = "".join(fmt_record(ts, t) for ts, t in recs)
    return spec, text


def main():
    kind, variant, spec_out, expect_out = sys.argv[1:5]
    spec, text = (lockless if kind == "lockless" else legacy)(variant)
    with open(spec_out, "w") as f:
        f.write("\n".join(spec) + "\n")
    with open(expect_out, "w", encoding="latin1") as f:
        f.write(text)


if __name__ == "__main__":
    main()
