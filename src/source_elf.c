/* ELF vmcores: /proc/vmcore as kexec-tools saves it, makedumpfile -E, and
 * QEMU's dump-guest-memory. Headers and notes go through libelf; memory is
 * read with pread, so nothing of the file is held beyond its headers. */
#include <elf.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>

#include "source.h"

/* A PT_LOAD, reduced to what reads need. */
struct elf_segment {
	uint64_t pa;
	uint64_t mem_size;
	uint64_t file_size;
	uint64_t offset;
};

struct elf_dump {
	Elf *elf;
	struct elf_segment *segments; /* sorted by pa */
	size_t nsegments;
	/* The segment that served the last read: page-table walks read
	 * neighbouring words, so this saves most searches. */
	size_t last;
};

static bool elf_probe(const unsigned char *head, size_t len)
{
	return len >= EI_NIDENT && memcmp(head, ELFMAG, SELFMAG) == 0;
}

static struct ptw_error *libelf_error(const char *what)
{
	return ptw_error_create(PTW_E_BAD_DATA, "%s: %s", what, elf_errmsg(-1));
}

static int segment_cmp(const void *a, const void *b)
{
	const struct elf_segment *x = a, *y = b;
	return x->pa < y->pa ? -1 : x->pa > y->pa;
}

/* Registers of one NT_PRSTATUS: pr_reg sits after siginfo, signals, ids and
 * four timevals, at 112 bytes in 64-bit cores and 72 in 32-bit ones. */
static void take_prstatus(struct ptw_prstatus *cpu, const unsigned char *desc, size_t size,
			  bool is64)
{
	size_t pid_off = is64 ? 32 : 24, reg_off = is64 ? 112 : 72, word = is64 ? 8 : 4;
	memset(cpu, 0, sizeof(*cpu));
	if (size >= pid_off + 4)
		memcpy(&cpu->pid, desc + pid_off, 4);
	size_t avail = size > reg_off ? (size - reg_off) / word : 0;
	size_t max = sizeof(cpu->regs) / sizeof(cpu->regs[0]);
	cpu->nregs = (unsigned)(avail < max ? avail : max);
	for (unsigned i = 0; i < cpu->nregs; i++) {
		uint64_t v = 0;
		memcpy(&v, desc + reg_off + i * word, word);
		cpu->regs[i] = v;
	}
}

static struct ptw_error *read_notes(struct ptw_source *src, const GElf_Phdr *ph, bool is64)
{
	struct elf_dump *ed = src->priv;
	if (ph->p_offset > src->file_size || ph->p_filesz > src->file_size - ph->p_offset)
		return ptw_error_at(PTW_E_BAD_DATA, ph->p_offset,
				    "PT_NOTE of 0x%llx bytes runs past the end of the file",
				    (unsigned long long)ph->p_filesz);
	Elf_Data *data = elf_getdata_rawchunk(ed->elf, (int64_t)ph->p_offset, ph->p_filesz, ELF_T_NHDR);
	if (!data)
		return ptw_error_prepend(libelf_error("reading PT_NOTE"), "offset 0x%llx: ",
					 (unsigned long long)ph->p_offset);
	size_t pos = 0;
	GElf_Nhdr nh;
	size_t name_off, desc_off;
	/* Each step advances by at least a note header, so this ends. */
	while (pos < data->d_size) {
		size_t next = gelf_getnote(data, pos, &nh, &name_off, &desc_off);
		if (next == 0 || next <= pos)
			break;
		const char *name = (const char *)data->d_buf + name_off;
		const unsigned char *desc = (const unsigned char *)data->d_buf + desc_off;
		if (nh.n_namesz >= 10 && memcmp(name, "VMCOREINFO", 10) == 0 && !src->vmcoreinfo) {
			src->vmcoreinfo = malloc(nh.n_descsz + 1);
			if (!src->vmcoreinfo)
				return &ptw_enomem;
			memcpy(src->vmcoreinfo, desc, nh.n_descsz);
			src->vmcoreinfo[nh.n_descsz] = '\0';
			src->vmcoreinfo_len = nh.n_descsz;
			src->vmcoreinfo_offset = ph->p_offset + desc_off;
		} else if (nh.n_type == NT_PRSTATUS && nh.n_namesz >= 4 && memcmp(name, "CORE", 4) == 0) {
			struct ptw_prstatus *n = realloc(src->cpus, (src->ncpus + 1) * sizeof(*n));
			if (!n)
				return &ptw_enomem;
			src->cpus = n;
			take_prstatus(&src->cpus[src->ncpus++], desc, nh.n_descsz, is64);
		}
		pos = next;
	}
	return NULL;
}

static struct ptw_error *elf_open(struct ptw_source *src)
{
	struct ptw_error *err;
	elf_version(EV_CURRENT);
	struct elf_dump *ed = calloc(1, sizeof(*ed));
	if (!ed)
		return &ptw_enomem;
	src->priv = ed;
	/* ELF_C_READ reads headers lazily with pread; nothing is mapped. */
	ed->elf = elf_begin(src->fd, ELF_C_READ, NULL);
	if (!ed->elf)
		return ptw_error_at(PTW_E_BAD_DATA, 0, "not a readable ELF file: %s", elf_errmsg(-1));
	GElf_Ehdr eh;
	if (!gelf_getehdr(ed->elf, &eh))
		return ptw_error_at(PTW_E_BAD_DATA, 0, "truncated or bad ELF header: %s", elf_errmsg(-1));
	if (eh.e_type != ET_CORE)
		return ptw_error_at(PTW_E_BAD_DATA, 16, "ELF file is not a core dump (e_type %u)",
				    (unsigned)eh.e_type);
	int cls = gelf_getclass(ed->elf);
	src->format = cls == ELFCLASS32 ? "elf32" : "elf64";
	src->elf_machine = eh.e_machine;
	size_t phnum;
	if (elf_getphdrnum(ed->elf, &phnum) != 0)
		return ptw_error_at(PTW_E_BAD_DATA, eh.e_phoff, "bad program header count: %s",
				    elf_errmsg(-1));
	size_t phent = cls == ELFCLASS64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
	if (phnum == 0)
		return ptw_error_at(PTW_E_BAD_DATA, 0, "ELF core has no program headers");
	if (eh.e_phoff > src->file_size || phnum > (src->file_size - eh.e_phoff) / phent)
		return ptw_error_at(PTW_E_BAD_DATA, eh.e_phoff,
				    "%zu program headers run past the end of the file", phnum);
	ed->segments = calloc(phnum, sizeof(*ed->segments));
	if (!ed->segments)
		return &ptw_enomem;
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;
		uint64_t ph_off = eh.e_phoff + i * phent;
		if (!gelf_getphdr(ed->elf, (int)i, &ph))
			return ptw_error_at(PTW_E_BAD_DATA, ph_off, "bad program header %zu: %s", i,
					    elf_errmsg(-1));
		if (ph.p_type == PT_NOTE) {
			err = read_notes(src, &ph, cls == ELFCLASS64);
			if (err)
				return err;
		} else if (ph.p_type == PT_LOAD) {
			if (ph.p_memsz < ph.p_filesz || ph.p_paddr + ph.p_memsz < ph.p_paddr)
				return ptw_error_at(PTW_E_BAD_DATA, ph_off,
						    "PT_LOAD %zu has impossible sizes", i);
			if (ph.p_memsz == 0)
				continue;
			/* A truncated file (a copy cut short, a full disk) holds
			 * only part of its segments: the dump is incomplete, and
			 * what the file lacks is not in the dump, as for a
			 * truncated kdump. */
			uint64_t stored = ph.p_filesz;

			if (ph.p_offset >= src->file_size)
				stored = 0;
			else if (stored > src->file_size - ph.p_offset)
				stored = src->file_size - ph.p_offset;
			if (stored < ph.p_filesz)
				src->incomplete = true;
			ed->segments[ed->nsegments++] = (struct elf_segment){
				.pa = ph.p_paddr,
				.mem_size = ph.p_memsz,
				.file_size = stored,
				.offset = ph.p_offset,
			};
		}
	}
	qsort(ed->segments, ed->nsegments, sizeof(*ed->segments), segment_cmp);
	return NULL;
}

/* The segment holding pa, or NULL. */
static const struct elf_segment *find_segment(struct elf_dump *ed, uint64_t pa)
{
	if (ed->nsegments == 0)
		return NULL;
	const struct elf_segment *s = &ed->segments[ed->last];
	if (pa >= s->pa && pa - s->pa < s->mem_size)
		return s;
	size_t lo = 0, hi = ed->nsegments;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (ed->segments[mid].pa <= pa)
			lo = mid;
		else
			hi = mid;
	}
	s = &ed->segments[lo];
	if (pa < s->pa || pa - s->pa >= s->mem_size)
		return NULL;
	ed->last = lo;
	return s;
}

static struct ptw_error *elf_read(struct ptw_source *src, uint64_t pa, void *buf, size_t len)
{
	struct elf_dump *ed = src->priv;
	const struct elf_segment *s = find_segment(ed, pa);
	if (!s)
		return ptw_error_address(PTW_E_NOT_PRESENT, pa, "physical address 0x%llx is not in the dump",
					 (unsigned long long)pa);
	uint64_t off = pa - s->pa;
	/* Bytes between p_filesz and p_memsz were not saved: absent, not zero. */
	if (off >= s->file_size || len > s->file_size - off) {
		uint64_t missing = off >= s->file_size ? pa : s->pa + s->file_size;
		return ptw_error_address(PTW_E_NOT_PRESENT, missing,
					 "physical address 0x%llx is not in the dump",
					 (unsigned long long)missing);
	}
	if (len > s->mem_size - off) {
		/* Crosses into the next segment: read the two parts apart. */
		size_t first = (size_t)(s->mem_size - off);
		struct ptw_error *err = elf_read(src, pa, buf, first);
		if (err)
			return err;
		return elf_read(src, pa + first, (char *)buf + first, len - first);
	}
	return ptw_source_pread(src, buf, len, s->offset + off);
}

static bool elf_is_present(struct ptw_source *src, uint64_t pa)
{
	const struct elf_segment *s = find_segment(src->priv, pa);
	return s && pa - s->pa < s->file_size;
}

/* One segment's file bytes must hold the whole range: a range across two
 * adjacent segments is "not known cheaply" (false). */
static bool elf_range_present(struct ptw_source *src, uint64_t pa, uint64_t size)
{
	const struct elf_segment *s = find_segment(src->priv, pa);
	return s && pa - s->pa < s->file_size && size <= s->file_size - (pa - s->pa);
}

static struct ptw_error *elf_for_each_range(struct ptw_source *src, ptw_range_fn *fn, void *arg)
{
	struct elf_dump *ed = src->priv;
	struct ptw_phys_range r;
	bool open_range = false;
	for (size_t i = 0; i < ed->nsegments; i++) {
		const struct elf_segment *s = &ed->segments[i];
		if (open_range && s->pa <= r.end) {
			if (s->pa + s->mem_size > r.end)
				r.end = s->pa + s->mem_size;
			continue;
		}
		if (open_range && !fn(&r, arg))
			return NULL;
		r.start = s->pa;
		r.end = s->pa + s->mem_size;
		open_range = true;
	}
	if (open_range)
		fn(&r, arg);
	return NULL;
}

static struct ptw_error *elf_count_pages(struct ptw_source *src, uint64_t page_size,
					 uint64_t *present_ret, uint64_t *excluded_ret)
{
	struct elf_dump *ed = src->priv;
	uint64_t present = 0, excluded = 0;
	for (size_t i = 0; i < ed->nsegments; i++) {
		/* A page cut short by a truncated file is not present. */
		uint64_t stored = ed->segments[i].file_size / page_size;

		present += stored;
		excluded += ed->segments[i].mem_size / page_size - stored;
	}
	*present_ret = present;
	*excluded_ret = excluded;
	return NULL;
}

static void elf_close(struct ptw_source *src)
{
	struct elf_dump *ed = src->priv;
	if (!ed)
		return;
	if (ed->elf)
		elf_end(ed->elf);
	free(ed->segments);
	free(ed);
}

const struct ptw_source_ops ptw_source_elf = {
	.name = "elf64",
	.probe = elf_probe,
	.open = elf_open,
	.read = elf_read,
	.is_present = elf_is_present,
	.range_present = elf_range_present,
	.for_each_range = elf_for_each_range,
	.count_pages = elf_count_pages,
	.close = elf_close,
};
