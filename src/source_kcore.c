/* /proc/kcore of a running kernel (fs/proc/kcore.c, 4.19+ for its VMCOREINFO
 * note), or a copy of it that keeps the kernel's file offsets (a sparse file
 * holding the headers and the segments it saved).
 *
 * The kernel writes an ELF core whose PT_LOADs are keyed by kernel virtual
 * address: each entry of its kclist (KCORE_RAM for the linear map of every
 * System RAM range, KCORE_TEXT for the kernel image, KCORE_VMALLOC for the
 * vmalloc and module areas, KCORE_VMEMMAP for the struct pages, KCORE_USER
 * for x86's vsyscall page) sits at file offset vaddr - PAGE_OFFSET +
 * data_offset, so the file claims terabytes. Only KCORE_RAM and KCORE_TEXT
 * carry a physical address in p_paddr; the others have p_paddr = -1. The
 * notes are an empty NT_PRSTATUS, NT_PRPSINFO, the reader's own task_struct
 * (NT_TASKSTRUCT) and the kernel's VMCOREINFO.
 *
 * Physical memory is read through the segments that have a p_paddr, with
 * pread at the segment's offset; nothing of the file is mapped and nothing
 * but the headers is kept. What no segment covers is not in the dump, and a
 * read the kernel refuses (EIO, EFAULT, a short read) is not in the dump
 * either: it is never answered with zeroes. The kernel itself zero-fills
 * pages it will not show inside a KCORE_RAM segment (offline or hwpoisoned
 * pages); those cannot be told from zero pages in the file. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "source.h"

#define EHDR_SIZE 64
#define PHDR_SIZE 56
#define ET_CORE_TYPE 4
#define PT_LOAD_TYPE 1
#define PT_NOTE_TYPE 4
#define PN_XNUM_COUNT 0xffff
#define EM_AARCH64_MACHINE 183
#define EM_X86_64_MACHINE 62
/* The kernel's notes are a few KiB plus one task_struct (under 16 KiB on
 * every architecture); anything far larger is not a kcore note segment. */
#define MAX_NOTES_SIZE (UINT64_C(1) << 20)
#define NO_PADDR UINT64_MAX
/* f_type of procfs (linux/magic.h): the file is the kernel's own. */
#define PROC_FS_MAGIC 0x9fa0

struct kcore_segment {
	uint64_t pa;
	uint64_t size;      /* p_memsz (= p_filesz in a kcore) */
	uint64_t stored;    /* bytes the file holds (a saved copy may be short) */
	uint64_t offset;
};

struct kcore {
	struct kcore_segment *segments; /* physical ones, sorted by pa, none inside another */
	size_t nsegments;
	size_t last;                    /* the segment of the last read */
	size_t nvirtual;                /* PT_LOADs without a physical address */
};

static uint16_t le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const unsigned char *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

struct phdr {
	uint32_t type;
	uint64_t offset, vaddr, paddr, filesz, memsz;
};

static void decode_phdr(const unsigned char *p, struct phdr *ph)
{
	ph->type = le32(p);
	ph->offset = le64(p + 8);
	ph->vaddr = le64(p + 16);
	ph->paddr = le64(p + 24);
	ph->filesz = le64(p + 32);
	ph->memsz = le64(p + 40);
}

/* A little-endian ELF64 core header whose program headers follow it. */
static bool kcore_ehdr_ok(const unsigned char *head, size_t len, uint64_t *phoff_ret,
			  unsigned *phnum_ret)
{
	if (len < EHDR_SIZE || memcmp(head, "\177ELF", 4) != 0 || head[4] != 2 /* ELFCLASS64 */ ||
	    head[5] != 1 /* ELFDATA2LSB */ || le16(head + 16) != ET_CORE_TYPE ||
	    le16(head + 54) != PHDR_SIZE)
		return false;
	*phoff_ret = le64(head + 32);
	*phnum_ret = le16(head + 56);
	return true;
}

/* A kcore, told from the other ELF cores by its PT_LOADs: all at the same
 * distance between file offset and virtual address (offset = vaddr -
 * PAGE_OFFSET + data_offset), at least two of them, and some without a
 * physical address (the vmalloc area at least). A vmcore packs its
 * segments and gives every one a physical address. Only the program
 * headers within the probed bytes are looked at. */
static bool kcore_probe(const unsigned char *head, size_t len)
{
	uint64_t phoff;
	unsigned phnum;
	if (!kcore_ehdr_ok(head, len, &phoff, &phnum) || phoff > len)
		return false;
	size_t loads = 0, no_paddr = 0;
	uint64_t delta = 0;
	for (unsigned i = 0; i < phnum && phoff + (uint64_t)(i + 1) * PHDR_SIZE <= len; i++) {
		struct phdr ph;
		decode_phdr(head + phoff + (size_t)i * PHDR_SIZE, &ph);
		if (ph.type != PT_LOAD_TYPE)
			continue;
		if (loads++ == 0)
			delta = ph.offset - ph.vaddr;
		else if (ph.offset - ph.vaddr != delta)
			return false;
		if (ph.paddr == NO_PADDR)
			no_paddr++;
	}
	return loads >= 2 && no_paddr > 0;
}

static size_t align4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

/* Take the VMCOREINFO note; the others (an empty NT_PRSTATUS, the reader's
 * task_struct) say nothing about the kernel's state. */
static struct ptw_error *read_notes(struct ptw_source *src, uint64_t offset, uint64_t size)
{
	if (size > MAX_NOTES_SIZE)
		return ptw_error_at(PTW_E_BAD_DATA, offset, "kcore PT_NOTE of 0x%llx bytes is too large",
				    (unsigned long long)size);
	unsigned char *notes = malloc(size ? (size_t)size : 1);
	if (!notes)
		return &ptw_enomem;
	struct ptw_error *err = ptw_source_pread(src, notes, (size_t)size, offset);
	if (err) {
		free(notes);
		return ptw_error_prepend(err, "reading the kcore notes: ");
	}
	size_t pos = 0;
	/* Each step advances by at least a note header, so this ends. */
	while (size - pos >= 12) {
		uint32_t namesz = le32(notes + pos), descsz = le32(notes + pos + 4);
		size_t name_at = pos + 12;
		if (namesz > size - name_at || align4(namesz) > size - name_at)
			break;
		size_t desc_at = name_at + align4(namesz);
		if (descsz > size - desc_at)
			break;
		if (namesz == 11 && memcmp(notes + name_at, "VMCOREINFO", 11) == 0 && !src->vmcoreinfo) {
			src->vmcoreinfo = malloc((size_t)descsz + 1);
			if (!src->vmcoreinfo) {
				free(notes);
				return &ptw_enomem;
			}
			memcpy(src->vmcoreinfo, notes + desc_at, descsz);
			src->vmcoreinfo[descsz] = '\0';
			/* The kernel pads the note with zeroes: the text ends at the first. */
			src->vmcoreinfo_len = strlen(src->vmcoreinfo);
			src->vmcoreinfo_offset = offset + desc_at;
		}
		if (align4(descsz) > size - desc_at)
			break;
		pos = desc_at + align4(descsz);
	}
	free(notes);
	return NULL;
}

/* By pa, and the longer first among those at the same pa. */
static int segment_cmp(const void *a, const void *b)
{
	const struct kcore_segment *x = a, *y = b;
	if (x->pa != y->pa)
		return x->pa < y->pa ? -1 : 1;
	return x->size > y->size ? -1 : x->size < y->size;
}

/* Drop segments that lie inside another (KCORE_TEXT inside the KCORE_RAM of
 * its System RAM range): each physical byte is then counted once, and a
 * binary search by pa finds the one segment that holds an address. */
static void drop_nested(struct kcore *kc)
{
	size_t kept = 0;
	uint64_t end = 0;
	for (size_t i = 0; i < kc->nsegments; i++) {
		struct kcore_segment *s = &kc->segments[i];
		uint64_t s_end = s->pa + s->size;
		if (kept && s_end <= end)
			continue;
		kc->segments[kept++] = *s;
		end = s_end;
	}
	kc->nsegments = kept;
}

static struct ptw_error *kcore_open(struct ptw_source *src)
{
	struct kcore *kc = calloc(1, sizeof(*kc));
	if (!kc)
		return &ptw_enomem;
	src->priv = kc;
	src->format = "kcore";
	src->ranges_ram_only = true;
	struct statfs fs;
	src->live = fstatfs(src->fd, &fs) == 0 && fs.f_type == PROC_FS_MAGIC;

	unsigned char ehdr[EHDR_SIZE];
	struct ptw_error *err = ptw_source_pread(src, ehdr, sizeof(ehdr), 0);
	if (err)
		return err;
	uint64_t phoff;
	unsigned phnum;
	if (!kcore_ehdr_ok(ehdr, sizeof(ehdr), &phoff, &phnum))
		return ptw_error_at(PTW_E_BAD_DATA, 0, "not a little-endian ELF64 core");
	unsigned machine = le16(ehdr + 18);
	if (machine != EM_X86_64_MACHINE && machine != EM_AARCH64_MACHINE)
		return ptw_error_at(PTW_E_BAD_DATA, 18, "kcore of an unsupported machine (e_machine %u)",
				    machine);
	src->elf_machine = machine;
	if (phnum == 0 || phnum == PN_XNUM_COUNT)
		return ptw_error_at(PTW_E_BAD_DATA, 56, "kcore with %s program headers",
				    phnum ? "PN_XNUM" : "no");
	size_t table_size = (size_t)phnum * PHDR_SIZE;
	unsigned char *table = malloc(table_size);
	if (!table)
		return &ptw_enomem;
	err = ptw_source_pread(src, table, table_size, phoff);
	if (err) {
		free(table);
		return ptw_error_prepend(err, "reading %u program headers: ", phnum);
	}
	kc->segments = calloc(phnum, sizeof(*kc->segments));
	if (!kc->segments) {
		free(table);
		return &ptw_enomem;
	}
	bool have_notes = false;
	for (unsigned i = 0; i < phnum && !err; i++) {
		struct phdr ph;
		uint64_t at = phoff + (uint64_t)i * PHDR_SIZE;
		decode_phdr(table + (size_t)i * PHDR_SIZE, &ph);
		if (ph.type == PT_NOTE_TYPE && !have_notes) {
			have_notes = true;
			err = read_notes(src, ph.offset, ph.filesz);
		} else if (ph.type == PT_LOAD_TYPE) {
			if (ph.memsz == 0)
				continue;
			if (ph.paddr == NO_PADDR) {
				kc->nvirtual++;
				continue;
			}
			if (ph.filesz != ph.memsz || ph.paddr + ph.memsz - 1 < ph.paddr ||
			    ph.offset + ph.filesz - 1 < ph.offset) {
				err = ptw_error_at(PTW_E_BAD_DATA, at, "PT_LOAD %u has impossible sizes", i);
				break;
			}
			/* A copy cut short holds part of its segments: what it
			 * lacks is not in the dump. */
			uint64_t stored = ph.filesz;
			if (ph.offset >= src->file_size)
				stored = 0;
			else if (stored > src->file_size - ph.offset)
				stored = src->file_size - ph.offset;
			kc->segments[kc->nsegments++] = (struct kcore_segment){
				.pa = ph.paddr, .size = ph.memsz, .stored = stored, .offset = ph.offset,
			};
		}
	}
	free(table);
	if (err)
		return err;
	if (!src->vmcoreinfo)
		return ptw_error_create(PTW_E_BAD_DATA,
					"kcore without a VMCOREINFO note (kernels before 4.19, or built "
					"without CONFIG_CRASH_CORE / CONFIG_VMCORE_INFO, do not write one)");
	qsort(kc->segments, kc->nsegments, sizeof(*kc->segments), segment_cmp);
	drop_nested(kc);
	/* After drop_nested: a copy that saved the RAM segments but not the
	 * kernel text inside them lacks nothing. */
	for (size_t i = 0; i < kc->nsegments; i++)
		if (kc->segments[i].stored < kc->segments[i].size)
			src->incomplete = true;
	return NULL;
}

static const struct kcore_segment *find_segment(struct kcore *kc, uint64_t pa)
{
	if (kc->nsegments == 0)
		return NULL;
	const struct kcore_segment *s = &kc->segments[kc->last];
	if (pa >= s->pa && pa - s->pa < s->size)
		return s;
	size_t lo = 0, hi = kc->nsegments;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (kc->segments[mid].pa <= pa)
			lo = mid;
		else
			hi = mid;
	}
	s = &kc->segments[lo];
	if (pa < s->pa || pa - s->pa >= s->size)
		return NULL;
	kc->last = lo;
	return s;
}

static struct ptw_error *not_in_dump(uint64_t pa)
{
	return ptw_error_address(PTW_E_NOT_PRESENT, pa, "physical address 0x%llx is not in the dump",
				 (unsigned long long)pa);
}

/* pread from the kernel: a refusal (EIO, EFAULT, ENOMEM from its bounce
 * mapping, a short read) makes the bytes not in the dump; it is not retried. */
static struct ptw_error *read_refusable(struct ptw_source *src, uint64_t pa, void *buf, size_t len,
					uint64_t offset)
{
	size_t done = 0;
	while (done < len) {
		ssize_t n = pread(src->fd, (char *)buf + done, len - done, (off_t)(offset + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return ptw_error_address(PTW_E_NOT_PRESENT, pa + done,
						 "physical address 0x%llx is not in the dump: the kernel "
						 "refused the read (%s)",
						 (unsigned long long)(pa + done),
						 n < 0 ? strerror(errno) : "end of file");
		done += (size_t)n;
	}
	return NULL;
}

static struct ptw_error *kcore_read(struct ptw_source *src, uint64_t pa, void *buf, size_t len)
{
	struct kcore *kc = src->priv;
	const struct kcore_segment *s = find_segment(kc, pa);
	if (!s)
		return not_in_dump(pa);
	uint64_t off = pa - s->pa;
	if (off >= s->stored)
		return not_in_dump(pa);
	if (len > s->size - off) {
		/* Runs into the next segment (or a hole): read the parts apart. */
		size_t first = (size_t)(s->size - off);
		struct ptw_error *err = kcore_read(src, pa, buf, first);
		if (err)
			return err;
		return kcore_read(src, pa + first, (char *)buf + first, len - first);
	}
	if (len > s->stored - off)
		return not_in_dump(s->pa + s->stored);
	return read_refusable(src, pa, buf, len, s->offset + off);
}

static bool kcore_is_present(struct ptw_source *src, uint64_t pa)
{
	const struct kcore_segment *s = find_segment(src->priv, pa);
	return s && pa - s->pa < s->stored;
}

static struct ptw_error *kcore_for_each_range(struct ptw_source *src, ptw_range_fn *fn, void *arg)
{
	struct kcore *kc = src->priv;
	struct ptw_phys_range r;
	bool open_range = false;
	for (size_t i = 0; i < kc->nsegments; i++) {
		const struct kcore_segment *s = &kc->segments[i];
		if (open_range && s->pa <= r.end) {
			if (s->pa + s->size > r.end)
				r.end = s->pa + s->size;
			continue;
		}
		if (open_range && !fn(&r, arg))
			return NULL;
		r.start = s->pa;
		r.end = s->pa + s->size;
		open_range = true;
	}
	if (open_range)
		fn(&r, arg);
	return NULL;
}

static struct ptw_error *kcore_count_pages(struct ptw_source *src, uint64_t page_size,
					   uint64_t *present_ret, uint64_t *excluded_ret)
{
	struct kcore *kc = src->priv;
	uint64_t present = 0, excluded = 0;
	uint64_t end = 0;
	for (size_t i = 0; i < kc->nsegments; i++) {
		const struct kcore_segment *s = &kc->segments[i];
		/* Segments left after drop_nested may still overlap in part. */
		uint64_t skip = s->pa < end ? end - s->pa : 0;
		uint64_t stored = s->stored > skip ? s->stored - skip : 0;
		uint64_t size = s->size > skip ? s->size - skip : 0;
		present += stored / page_size;
		excluded += size / page_size - stored / page_size;
		end = s->pa + s->size;
	}
	*present_ret = present;
	*excluded_ret = excluded;
	return NULL;
}

static void kcore_close(struct ptw_source *src)
{
	struct kcore *kc = src->priv;
	if (!kc)
		return;
	free(kc->segments);
	free(kc);
}

const struct ptw_source_ops ptw_source_kcore = {
	.name = "kcore",
	.probe = kcore_probe,
	.open = kcore_open,
	.read = kcore_read,
	.is_present = kcore_is_present,
	.for_each_range = kcore_for_each_range,
	.count_pages = kcore_count_pages,
	.close = kcore_close,
};
