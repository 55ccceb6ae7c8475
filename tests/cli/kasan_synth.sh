#!/bin/bash
# KASAN's early shadow (issue 15), synthetic (testdata/arm64-kasan is the real
# one, diffed by truth_ptdump.sh; this pins the layout by hand):
# mm/kasan/init.c points every entry over the unpopulated shadow at one
# kasan_early_shadow_{pud,pmd,pte} table of the level below, the last one
# mapping kasan_early_shadow_page read-only everywhere. Here a 6.12-like
# 4K/48-bit arm64 kernel whose shadow (generic KASAN: 1/8 of the space, below
# _PAGE_END(48) = 0xffff800000000000 with Kconfig's default
# KASAN_SHADOW_OFFSET 0xdfff800000000000) is all early shadow: root entries
# 192..255 -> one PUD table -> one PMD table -> one PTE table -> one page.
# What the kernel's ptdump prints (arch/arm64/mm/ptdump.c markers,
# mm/ptdump.c note_kasan_page_table(): one PTE-level note of
# kasan_early_shadow_pte[0] per entry that leads to an early table, merged
# by note_page()): the linear map ending at KASAN_SHADOW_START, its markers,
# and the whole 32T shadow as one PTE line.
. "${top_srcdir:-.}/tests/cli/lib.sh"
MKDUMP="$top_builddir/tests/mkdump"

cat >"$WORK/kasan.spec" <<'SPEC'
arch arm64
format kdump
compress zlib
memory 0x40000000 0x40400000 zero
u64 0x40000800 = 0x40001003
u64 0x40001000 = 0x40002003
u64 0x40002488 = 0x40003003
u64 0x40003a28 = 0x0060000040100703
vmcoreinfo
OSRELEASE=6.12.0
PAGESIZE=4096
SYMBOL(swapper_pg_dir)=ffff800000000000
SYMBOL(_stext)=ffff800000010000
NUMBER(VA_BITS)=48
NUMBER(TCR_EL1_T1SZ)=0x10
NUMBER(MAX_PHYSMEM_BITS)=48
NUMBER(kimage_voffset)=0xffff7fffc0000000
NUMBER(PHYS_OFFSET)=0x40000000
NUMBER(MODULES_VADDR)=0xffff800000000000
NUMBER(MODULES_END)=0xffff800080000000
NUMBER(VMALLOC_START)=0xffff800080000000
NUMBER(VMALLOC_END)=0xfffffdffbf800000
NUMBER(VMEMMAP_START)=0xfffffdffc0000000
NUMBER(VMEMMAP_END)=0xffffffffc0000000
KERNELOFFSET=0
end
SPEC
args=()
for i in $(seq 192 255); do args+=(-D "u64 $((0x40000000 + 8 * i)) = 0x40010003"); done
for i in $(seq 0 511); do
	args+=(-D "u64 $((0x40010000 + 8 * i)) = 0x40011003" -D "u64 $((0x40011000 + 8 * i)) = 0x40012003"
		-D "u64 $((0x40012000 + 8 * i)) = 0x0060000040013783") # PAGE_KERNEL_RO
done
"$MKDUMP" "${args[@]}" "$WORK/kasan.spec" "$WORK/kasan.dump" >/dev/null 2>"$WORK/err" ||
	{ not_ok "mkdump"; sed 's/^/#   /' "$WORK/err"; finish; exit; }

expect_exit 0 "maps of a KASAN kernel" -- timeout 20 "$PTWALK" maps "$WORK/kasan.dump"
cat >"$WORK/want" <<'WANT'
---[ Linear Mapping start ]---
0xffff000000000000-0xffff600000000000          96T PGD
---[ Linear Mapping end ]---
---[ Kasan shadow start ]---
0xffff600000000000-0xffff800000000000          32T PTE       ro NX SHD AF            UXN    MEM/NORMAL
---[ Kasan shadow end ]---
---[ Modules start ]---
WANT
if head -7 "$WORK/out" | diff -u "$WORK/want" - >"$WORK/diff"; then ok "the shadow as the kernel lists it"; else
	not_ok "the shadow's listing"; sed 's/^/#   /' "$WORK/diff" | head -12; fi
expect_exit 0 "maps --json of a KASAN kernel" -- timeout 20 "$PTWALK" maps "$WORK/kasan.dump" --json
if [ "$(wc -l <"$WORK/out")" -lt 1000 ] && [ "$(grep -c '"alias": true' "$WORK/out")" -eq 3 ]; then
	ok "JSON: the early tables once (512 pages), three alias runs"; else
	not_ok "JSON: $(wc -l <"$WORK/out") records, $(grep -c '"alias": true' "$WORK/out") alias runs"; fi
"$PTWALK" check "$WORK/kasan.dump" --json >"$WORK/out" 2>"$WORK/err"
if ! grep -Eq '"kind": "(table-alias|linear-map-mismatch)"' "$WORK/out"; then
	ok "check: the early shadow is neither an alias finding nor the linear map"; else
	not_ok "check findings in the shadow"; grep -E 'table-alias|linear-map' "$WORK/out" | head -3 | sed 's/^/#   /'; fi
# layout: the linear map ends where the shadow starts (PAGE_END =
# KASAN_SHADOW_START), the shadow its own region.
"$PTWALK" layout "$WORK/kasan.dump" >"$WORK/out" 2>"$WORK/err"
if grep -q '^ffff000000000000  ffff5fffffffffff      96TB  linear map$' "$WORK/out" &&
	grep -q '^ffff600000000000  ffff7fffffffffff      32TB  kasan shadow$' "$WORK/out"; then
	ok "layout: linear map, then the KASAN shadow"; else
	not_ok "layout"; head -4 "$WORK/out" | sed 's/^/#   /'; fi
finish
