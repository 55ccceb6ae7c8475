#include "gcore.h"

#include <elf.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "dump.h"
#include "vma.h"
#include "vmem.h"
#include "walk.h"

#define MAX_SEGMENTS (UINT64_C(1) << 20)
#define COPY_CHUNK (1u << 20)
#define NT_FILE_TYPE 0x46494c45u   /* "FILE" */
#define PRPSINFO_SIZE 136

struct seg {
	uint64_t va, pa, size;
	uint32_t flags;
};

struct nt_file_entry {
	uint64_t start, end, pgoff;
	char *name;
};

struct build {
	const struct ptw_gcore_input *in;
	struct ptw_diag *diag;
	struct ptw_gcore_stats st;
	struct seg *segs;
	size_t nsegs, capsegs;
	struct nt_file_entry *files;
	size_t nfiles, capfiles;
	struct ptw_error *err;
	/* Without task_struct.on_cpu: the CPU note found to belong to this
	 * (single-threaded) process, or -1. */
	long note_for_process;
};

/* A growing byte buffer for the notes. */
struct bytes {
	unsigned char *b;
	size_t n, cap;
	bool nomem;
};

static void put(struct bytes *o, const void *p, size_t n)
{
	if (o->nomem)
		return;
	if (o->n + n > o->cap) {
		size_t cap = o->cap ? o->cap : 4096;
		unsigned char *nb;

		while (cap < o->n + n)
			cap *= 2;
		nb = realloc(o->b, cap);
		if (!nb) {
			o->nomem = true;
			return;
		}
		o->b = nb;
		o->cap = cap;
	}
	memcpy(o->b + o->n, p, n);
	o->n += n;
}

static void put_u32(struct bytes *o, uint32_t v)
{
	unsigned char b[4] = { (unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
			       (unsigned char)(v >> 24) };

	put(o, b, 4);
}

static void put_u64(struct bytes *o, uint64_t v)
{
	put_u32(o, (uint32_t)v);
	put_u32(o, (uint32_t)(v >> 32));
}

static void pad4(struct bytes *o)
{
	static const unsigned char z[4];

	if (o->n & 3)
		put(o, z, 4 - (o->n & 3));
}

/* One note: "CORE" name, 4-byte aligned name and descriptor. */
static void note(struct bytes *o, uint32_t type, const void *desc, size_t len)
{
	put_u32(o, 5);
	put_u32(o, (uint32_t)len);
	put_u32(o, type);
	put(o, "CORE\0\0\0", 8);
	put(o, desc, len);
	pad4(o);
}

static void le64_at(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void le32_at(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/* The thread's user registers: the CPU note when it was running in user
 * mode, else the pt_regs at the top of its kernel stack. */
static bool thread_regs(struct build *b, const struct ptw_task *t, uint64_t *gregs, bool *from_note)
{
	const struct ptw_gcore_input *in = b->in;
	const struct ptw_regs_ops *r = in->regs;
	uint64_t stack;
	unsigned char buf[512];
	struct ptw_error *err;

	*from_note = false;
	if (t->have_running && t->running && t->have_cpu && t->cpu < in->ncpu_notes &&
	    r->from_note(&in->cpu_notes[t->cpu], gregs)) {
		*from_note = true;
		return true;
	}
	if (!t->have_running && b->note_for_process >= 0 && t->addr == in->threads[0].addr &&
	    r->from_note(&in->cpu_notes[b->note_for_process], gregs)) {
		*from_note = true;
		return true;
	}
	if (!in->L->have_stack || !in->L->have_pt_regs || in->L->pt_regs_size > sizeof(buf) ||
	    in->L->pt_regs_size < r->ngregs * 8 / 2) {
		ptw_diag_warn(b->diag, "thread %" PRId32 ": where its kernel stack and saved registers are is not known (no types): its registers are left zero",
			      t->pid);
		return false;
	}
	if ((err = ptw_kmem_u64(in->mem, t->addr + in->L->task_stack, &stack))) {
		ptw_diag_warn(b->diag, "thread %" PRId32 ": task 0x%" PRIx64 " stack pointer unreadable: registers left out",
			      t->pid, t->addr);
		ptw_error_destroy(err);
		return false;
	}
	for (unsigned s = 0; s < 3 && r->thread_sizes[s]; s++) {
		for (unsigned p = 0; p < 2; p++) {
			uint64_t at = stack + r->thread_sizes[s] - r->top_paddings[p] - in->L->pt_regs_size;

			if (p && r->top_paddings[p] == r->top_paddings[0])
				continue;
			if ((err = ptw_kmem_read(in->mem, at, buf, in->L->pt_regs_size))) {
				ptw_error_destroy(err);
				continue;
			}
			if (r->from_pt_regs(buf, in->L->pt_regs_size, gregs))
				return true;
		}
	}
	ptw_diag_warn(b->diag, "thread %" PRId32 ": no user-mode pt_regs at the top of its kernel stack 0x%" PRIx64 ": its registers are left zero",
		      t->pid, stack);
	return false;
}

static void prstatus(struct build *b, struct bytes *o, const struct ptw_task *t)
{
	const struct ptw_regs_ops *r = b->in->regs;
	unsigned char d[512];
	uint64_t gregs[PTW_MAX_GREGS] = { 0 };
	bool from_note = false;
	bool have = thread_regs(b, t, gregs, &from_note);

	memset(d, 0, sizeof(d));
	le32_at(d + 32, (uint32_t)t->pid);
	le32_at(d + 36, (uint32_t)(t->have_ppid ? t->ppid : 0));
	le32_at(d + 40, (uint32_t)t->tgid);
	le32_at(d + 44, (uint32_t)t->tgid);
	for (unsigned i = 0; i < r->ngregs; i++)
		le64_at(d + 112 + 8 * i, gregs[i]);
	note(o, NT_PRSTATUS, d, r->prstatus_size);
	b->st.threads++;
	if (from_note)
		b->st.threads_from_note++;
	if (!have)
		b->st.threads_without_regs++;
}

static void prpsinfo(struct bytes *o, const struct ptw_task *t)
{
	unsigned char d[PRPSINFO_SIZE];

	memset(d, 0, sizeof(d));
	d[0] = 0;
	d[1] = t->have_state ? t->state : 'R';
	le32_at(d + 24, (uint32_t)t->tgid);
	le32_at(d + 28, (uint32_t)(t->have_ppid ? t->ppid : 0));
	le32_at(d + 32, (uint32_t)t->tgid);
	le32_at(d + 36, (uint32_t)t->tgid);
	memcpy(d + 40, t->comm, strnlen(t->comm, 16));
	memcpy(d + 56, t->comm, strnlen(t->comm, 16));
	note(o, NT_PRPSINFO, d, sizeof(d));
}

static void auxv(struct build *b, struct bytes *o, uint64_t mm)
{
	const struct ptw_task_layout *L = b->in->L;
	unsigned char buf[1024];
	size_t n = L->mm_saved_auxv_size < sizeof(buf) ? (size_t)L->mm_saved_auxv_size : sizeof(buf);
	struct ptw_error *err;
	size_t used = 0;

	if (!L->have_auxv)
		return;
	if ((err = ptw_kmem_read(b->in->mem, mm + L->mm_saved_auxv, buf, n))) {
		ptw_diag_warn(b->diag, "mm 0x%" PRIx64 ": saved_auxv unreadable: no NT_AUXV", mm);
		ptw_error_destroy(err);
		return;
	}
	/* Up to and including the AT_NULL pair. */
	while (used + 16 <= n) {
		uint64_t type = ptw_le64(buf + used);

		used += 16;
		if (type == 0)
			break;
	}
	note(o, NT_AUXV, buf, used);
}

static void nt_file(struct build *b, struct bytes *o)
{
	struct bytes d = { 0 };

	put_u64(&d, b->nfiles);
	put_u64(&d, b->in->page_size);
	for (size_t i = 0; i < b->nfiles; i++) {
		put_u64(&d, b->files[i].start);
		put_u64(&d, b->files[i].end);
		put_u64(&d, b->files[i].pgoff);
	}
	for (size_t i = 0; i < b->nfiles; i++)
		put(&d, b->files[i].name, strlen(b->files[i].name) + 1);
	if (d.nomem)
		o->nomem = true;
	else
		note(o, NT_FILE_TYPE, d.b, d.n);
	free(d.b);
}

static bool add_seg(struct build *b, uint64_t va, uint64_t pa, uint64_t size, uint32_t flags)
{
	if (b->nsegs && b->segs[b->nsegs - 1].va + b->segs[b->nsegs - 1].size == va &&
	    b->segs[b->nsegs - 1].pa + b->segs[b->nsegs - 1].size == pa && b->segs[b->nsegs - 1].flags == flags) {
		b->segs[b->nsegs - 1].size += size;
		return true;
	}
	if (b->nsegs >= MAX_SEGMENTS) {
		ptw_diag_warn(b->diag, "more than %" PRIu64 " segments: the rest of the memory is left out", MAX_SEGMENTS);
		return false;
	}
	if (b->nsegs == b->capsegs) {
		size_t cap = b->capsegs ? b->capsegs * 2 : 256;
		struct seg *n = realloc(b->segs, cap * sizeof(*n));

		if (!n) {
			b->err = &ptw_enomem;
			return false;
		}
		b->segs = n;
		b->capsegs = cap;
	}
	b->segs[b->nsegs++] = (struct seg){ va, pa, size, flags };
	return true;
}

static bool on_vma(void *arg, const struct ptw_vma *v)
{
	struct build *b = arg;
	struct ptw_walker *w = ptw_vmem_walker(b->in->vm);
	uint64_t ps = b->in->page_size;
	uint32_t pf = (v->flags & PTW_VM_READ ? PF_R : 0) | (v->flags & PTW_VM_WRITE ? PF_W : 0) |
		      (v->flags & PTW_VM_EXEC ? PF_X : 0);
	struct ptw_walk_iter it;
	struct ptw_walk_result r;
	bool done = false;

	b->st.vmas++;
	/* The VMA number rides in the flags' upper bits while building, so
	 * runs from two VMAs are never merged; cleared when written. */
	pf |= (uint32_t)(b->st.vmas << 8);
	if (v->file && v->have_name && v->have_pgoff) {
		if (b->nfiles == b->capfiles) {
			size_t cap = b->capfiles ? b->capfiles * 2 : 64;
			struct nt_file_entry *n = realloc(b->files, cap * sizeof(*n));

			if (!n) {
				b->err = &ptw_enomem;
				return false;
			}
			b->files = n;
			b->capfiles = cap;
		}
		b->files[b->nfiles].name = strdup(v->name);
		if (!b->files[b->nfiles].name) {
			b->err = &ptw_enomem;
			return false;
		}
		b->files[b->nfiles].start = v->start;
		b->files[b->nfiles].end = v->end;
		b->files[b->nfiles].pgoff = v->pgoff;
		b->nfiles++;
	}
	ptw_walk_iter_init(&it, w, b->in->user, v->start, v->end);
	for (;;) {
		struct ptw_error *err = ptw_walk_next(&it, &r, &done);
		uint64_t lo, hi;

		if (err) {
			b->err = err;
			return false;
		}
		if (done)
			break;
		lo = r.range_start > v->start ? r.range_start : v->start;
		hi = (r.range_end == 0 || r.range_end > v->end) ? v->end : r.range_end;
		if (hi <= lo)
			continue;
		if (r.status == PTW_WALK_OK) {
			if (!add_seg(b, lo, r.pa + (lo - r.va), hi - lo, pf))
				return false;
			b->st.pages_written += (hi - lo) / ps;
		} else if (r.status == PTW_WALK_NOT_IN_DUMP) {
			b->st.pages_not_in_dump += (hi - lo + ps - 1) / ps;
		} else {
			b->st.pages_not_present += (hi - lo + ps - 1) / ps;
		}
	}
	return true;
}

static struct ptw_error *write_all(FILE *out, const void *p, size_t n, struct ptw_gcore_stats *st)
{
	if (n && fwrite(p, 1, n, out) != n)
		return ptw_error_errno(errno, "writing the core file");
	st->bytes += n;
	return NULL;
}

/* Without task_struct.on_cpu (a layout inferred without types), the CPU
 * note that belongs to this process, for a single-threaded one (threads
 * share the VMAs): ptw_notes_user_mms(). */
static void find_note_for_process(struct build *b, uint64_t init_task)
{
	const struct ptw_gcore_input *in = b->in;
	uint64_t *mms;
	long found = -1;

	b->note_for_process = -1;
	if (in->L->have_on_cpu || in->nthreads != 1 || !init_task || !in->ncpu_notes)
		return;
	mms = calloc(in->ncpu_notes, sizeof(*mms));
	if (!mms)
		return;
	struct ptw_error *err = ptw_notes_user_mms(in->mem, in->L, init_task, in->regs, in->cpu_notes,
						   in->ncpu_notes, mms);

	ptw_error_destroy(err);
	for (size_t i = 0; !err && i < in->ncpu_notes; i++)
		if (mms[i] && mms[i] == in->threads[0].mm) {
			if (found >= 0) { /* two CPUs claim it: neither is believed */
				found = -1;
				break;
			}
			found = (long)i;
		}
	free(mms);
	b->note_for_process = found;
}

struct ptw_error *ptw_gcore_write(const struct ptw_gcore_input *in, FILE *out,
				  struct ptw_gcore_stats *stats_ret, struct ptw_diag *diag)
{
	struct build b = { .in = in, .diag = diag };
	struct bytes notes = { 0 };
	struct ptw_source *src = ptw_vmem_dump(in->vm)->src;
	const struct ptw_task *lead = &in->threads[0];
	unsigned char *chunk = NULL;
	struct ptw_error *err;

	/* The memory: one pass over the VMAs and their tables. */
	ptw_walker_check_leaf(ptw_vmem_walker(in->vm), true);
	err = ptw_vmas_walk(in->mem, in->L, lead->mm, PTW_VMA_MAX_DEFAULT, on_vma, &b, diag);
	if (!err)
		err = b.err;
	if (err)
		goto out;
	find_note_for_process(&b, in->init_task);
	/* The notes, in the kernel's order: the first thread's status, the
	 * process's, its auxv and files, then the other threads. */
	prstatus(&b, &notes, &in->threads[0]);
	prpsinfo(&notes, lead);
	auxv(&b, &notes, lead->mm);
	nt_file(&b, &notes);
	for (size_t i = 1; i < in->nthreads; i++)
		prstatus(&b, &notes, &in->threads[i]);
	if (notes.nomem) {
		err = &ptw_enomem;
		goto out;
	}
	/* A segment is a run of present pages contiguous in VA within one VMA
	 * (pieces contiguous in VA but not in PA share one). */
	uint64_t nload = 0;

	for (size_t i = 0; i < b.nsegs; i++)
		if (!i || b.segs[i - 1].va + b.segs[i - 1].size != b.segs[i].va ||
		    b.segs[i - 1].flags != b.segs[i].flags)
			nload++;
	/* Headers: ELF header, PT_NOTE + one PT_LOAD per segment (PN_XNUM and
	 * one section header when there are too many for e_phnum). */
	uint64_t phnum = 1 + nload;
	bool xnum = phnum >= PN_XNUM;
	uint64_t off = sizeof(Elf64_Ehdr) + phnum * sizeof(Elf64_Phdr) + (xnum ? sizeof(Elf64_Shdr) : 0);
	uint64_t notes_off = off;
	uint64_t data_off = (notes_off + notes.n + in->page_size - 1) & ~(in->page_size - 1);
	Elf64_Ehdr eh;

	memset(&eh, 0, sizeof(eh));
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_ident[EI_OSABI] = ELFOSABI_NONE;
	eh.e_type = ET_CORE;
	eh.e_machine = (Elf64_Half)in->regs->e_machine;
	eh.e_version = EV_CURRENT;
	eh.e_phoff = sizeof(Elf64_Ehdr);
	eh.e_ehsize = sizeof(Elf64_Ehdr);
	eh.e_phentsize = sizeof(Elf64_Phdr);
	eh.e_phnum = xnum ? PN_XNUM : (Elf64_Half)phnum;
	if (xnum) {
		eh.e_shoff = sizeof(Elf64_Ehdr) + phnum * sizeof(Elf64_Phdr);
		eh.e_shentsize = sizeof(Elf64_Shdr);
		eh.e_shnum = 1;
	}
	if ((err = write_all(out, &eh, sizeof(eh), &b.st)))
		goto out;
	Elf64_Phdr ph;

	memset(&ph, 0, sizeof(ph));
	ph.p_type = PT_NOTE;
	ph.p_offset = notes_off;
	ph.p_filesz = notes.n;
	if ((err = write_all(out, &ph, sizeof(ph), &b.st)))
		goto out;
	uint64_t pos = data_off;

	for (size_t i = 0; i < b.nsegs;) {
		size_t k = i + 1;

		while (k < b.nsegs && b.segs[k - 1].va + b.segs[k - 1].size == b.segs[k].va &&
		       b.segs[k - 1].flags == b.segs[k].flags)
			k++;
		memset(&ph, 0, sizeof(ph));
		ph.p_type = PT_LOAD;
		ph.p_flags = b.segs[i].flags & 7;
		ph.p_offset = pos;
		ph.p_vaddr = b.segs[i].va;
		ph.p_filesz = b.segs[k - 1].va + b.segs[k - 1].size - b.segs[i].va;
		ph.p_memsz = ph.p_filesz;
		ph.p_align = in->page_size;
		pos += ph.p_filesz;
		if ((err = write_all(out, &ph, sizeof(ph), &b.st)))
			goto out;
		i = k;
	}
	if (xnum) {
		Elf64_Shdr sh;

		memset(&sh, 0, sizeof(sh));
		sh.sh_info = (Elf64_Word)phnum;
		if ((err = write_all(out, &sh, sizeof(sh), &b.st)))
			goto out;
	}
	if ((err = write_all(out, notes.b, notes.n, &b.st)))
		goto out;
	chunk = calloc(1, COPY_CHUNK > in->page_size ? COPY_CHUNK : in->page_size);
	if (!chunk) {
		err = &ptw_enomem;
		goto out;
	}
	if ((err = write_all(out, chunk, data_off - notes_off - notes.n, &b.st)))
		goto out;
	for (size_t i = 0; i < b.nsegs; i++) {
		for (uint64_t done = 0; done < b.segs[i].size;) {
			size_t n = b.segs[i].size - done < COPY_CHUNK ? (size_t)(b.segs[i].size - done) : COPY_CHUNK;

			if ((err = ptw_source_read_phys(src, b.segs[i].pa + done, chunk, n))) {
				err = ptw_error_prepend(err, "user address 0x%" PRIx64, b.segs[i].va + done);
				goto out;
			}
			if ((err = write_all(out, chunk, n, &b.st)))
				goto out;
			done += n;
		}
	}
	b.st.segments = nload;
	if (stats_ret)
		*stats_ret = b.st;
out:
	free(chunk);
	free(notes.b);
	free(b.segs);
	for (size_t i = 0; i < b.nfiles; i++)
		free(b.files[i].name);
	free(b.files);
	return err;
}
