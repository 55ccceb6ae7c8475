#include "vma.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "maple.h"

#define MAX_COMPONENTS 256
#define NAME_MAX_BYTES 256

void ptw_vma_perms(const struct ptw_vma *v, char out[5])
{
	out[0] = v->flags & PTW_VM_READ ? 'r' : '-';
	out[1] = v->flags & PTW_VM_WRITE ? 'w' : '-';
	out[2] = v->flags & PTW_VM_EXEC ? 'x' : '-';
	out[3] = v->flags & PTW_VM_MAYSHARE ? 's' : 'p';
	out[4] = 0;
}

/* A NUL-terminated string of at most max - 1 bytes; false if unreadable or
 * unterminated. */
static bool read_string(const struct ptw_kmem *mem, uint64_t va, char *out, size_t max)
{
	size_t n = 0;

	while (n + 1 < max) {
		size_t chunk = 64 - (size_t)(va & 63);
		char buf[64];
		struct ptw_error *err;

		if (chunk > max - 1 - n)
			chunk = max - 1 - n;
		if ((err = ptw_kmem_read(mem, va, buf, chunk))) {
			ptw_error_destroy(err);
			return false;
		}
		for (size_t i = 0; i < chunk; i++) {
			if (!buf[i]) {
				out[n] = 0;
				return true;
			}
			out[n++] = buf[i];
		}
		va += chunk;
	}
	return false;
}

/* fs/d_path.c prepend_path(): names from the dentry up to its mount's root,
 * then across to the mount point, up to the namespace's root mount. */
static bool file_path(const struct ptw_kmem *mem, const struct ptw_task_layout *L, uint64_t file,
		      char *out, size_t max)
{
	char comp[NAME_MAX_BYTES];
	size_t pos = max - 1;
	uint64_t vfsmnt, dentry, mnt;
	struct ptw_error *err;

	out[pos] = 0;
	if ((err = ptw_kmem_u64(mem, file + L->file_path_mnt, &vfsmnt)) ||
	    (err = ptw_kmem_u64(mem, file + L->file_path_dentry, &dentry))) {
		ptw_error_destroy(err);
		return false;
	}
	mnt = vfsmnt - L->mount_mnt;
	for (unsigned n = 0; n < MAX_COMPONENTS; n++) {
		uint64_t root, parent, name;

		if ((err = ptw_kmem_u64(mem, vfsmnt + L->vfsmount_root, &root)) ||
		    (err = ptw_kmem_u64(mem, dentry + L->dentry_parent, &parent))) {
			ptw_error_destroy(err);
			return false;
		}
		if (dentry == root || dentry == parent) {
			uint64_t pmnt;

			if ((err = ptw_kmem_u64(mem, mnt + L->mount_parent, &pmnt))) {
				ptw_error_destroy(err);
				return false;
			}
			if (pmnt == mnt || !pmnt) {
				if (pos == max - 1)
					out[--pos] = '/';
				memmove(out, out + pos, max - pos);
				return true;
			}
			if ((err = ptw_kmem_u64(mem, mnt + L->mount_mountpoint, &dentry))) {
				ptw_error_destroy(err);
				return false;
			}
			mnt = pmnt;
			vfsmnt = mnt + L->mount_mnt;
			continue;
		}
		if ((err = ptw_kmem_u64(mem, dentry + L->dentry_name, &name))) {
			ptw_error_destroy(err);
			return false;
		}
		if (!read_string(mem, name, comp, sizeof(comp)))
			return false;
		size_t len = strlen(comp);

		if (len + 1 > pos)
			return false;
		pos -= len;
		memcpy(out + pos, comp, len);
		out[--pos] = '/';
		dentry = parent;
	}
	return false;
}

struct walk {
	const struct ptw_kmem *mem;
	const struct ptw_task_layout *L;
	uint64_t mm;
	ptw_vma_fn *fn;
	void *arg;
	struct ptw_diag *diag;
	bool have_mm_fields;
	uint64_t start_brk, brk, start_stack;
	uint64_t prev_end;
	bool stop;
	struct ptw_vma v;   /* large: kept out of the stack */
};

static void name_vma(struct walk *w, struct ptw_vma *v)
{
	const struct ptw_task_layout *L = w->L;
	struct ptw_error *err;

	if (v->file) {
		if (L->have_paths)
			v->have_name = file_path(w->mem, L, v->file, v->name, sizeof(v->name));
		if (L->have_inode) {
			uint64_t inode, sb, ino;
			uint32_t dev;

			if (!(err = ptw_kmem_u64(w->mem, v->file + L->file_inode, &inode)) &&
			    !(err = ptw_kmem_u64(w->mem, inode + L->inode_ino, &ino)) &&
			    !(err = ptw_kmem_u64(w->mem, inode + L->inode_sb, &sb)) &&
			    !(err = ptw_kmem_u32(w->mem, sb + L->sb_dev, &dev))) {
				v->have_dev = true;
				v->ino = ino;
				v->major = dev >> 20; /* MINORBITS */
				v->minor = dev & 0xfffff;
			}
			ptw_error_destroy(err);
		}
		return;
	}
	v->have_dev = true; /* anonymous: 00:00 0 */
	if (L->have_vma_special) {
		uint64_t ops, priv, name;

		/* A special mapping (vdso, vvar): vm_private_data is its
		 * struct vm_special_mapping, whose first member is the name. */
		if (!(err = ptw_kmem_u64(w->mem, v->addr + L->vma_ops, &ops)) && ops &&
		    !(err = ptw_kmem_u64(w->mem, v->addr + L->vma_private_data, &priv)) && priv &&
		    !(err = ptw_kmem_u64(w->mem, priv, &name)) && (name >> 63)) {
			char s[64];

			if (read_string(w->mem, name, s, sizeof(s)) && s[0] == '[' && strlen(s) > 2 &&
			    s[strlen(s) - 1] == ']') {
				snprintf(v->name, sizeof(v->name), "%s", s);
				v->have_name = true;
				return;
			}
		}
		ptw_error_destroy(err);
	}
	if (w->have_mm_fields) {
		/* fs/proc/task_mmu.c: the initial heap and stack */
		if (v->start <= w->brk && v->end >= w->start_brk) {
			snprintf(v->name, sizeof(v->name), "[heap]");
			v->have_name = true;
		} else if (v->start <= w->start_stack && v->end >= w->start_stack) {
			snprintf(v->name, sizeof(v->name), "[stack]");
			v->have_name = true;
		}
	}
}

static bool visit(struct walk *w, uint64_t vma, uint64_t first, uint64_t last, bool from_tree)
{
	const struct ptw_task_layout *L = w->L;
	struct ptw_vma *v = &w->v;
	uint64_t vm_mm;
	struct ptw_error *err;

	memset(v, 0, sizeof(*v));
	v->addr = vma;
	if ((err = ptw_kmem_u64(w->mem, vma + L->vma_start, &v->start)) ||
	    (err = ptw_kmem_u64(w->mem, vma + L->vma_end, &v->end)) ||
	    (err = ptw_kmem_u64(w->mem, vma + L->vma_mm, &vm_mm)) ||
	    (err = ptw_kmem_u64(w->mem, vma + L->vma_flags, &v->flags))) {
		ptw_diag_warn(w->diag, "mm 0x%" PRIx64 ": VMA 0x%" PRIx64 " unreadable (%s): skipped", w->mm, vma,
			      err->message);
		ptw_error_destroy(err);
		return true;
	}
	if (vm_mm != w->mm || v->start >= v->end || v->start < w->prev_end ||
	    (from_tree && (v->start != first || v->end - 1 != last))) {
		ptw_diag_warn(w->diag, "mm 0x%" PRIx64 ": VMA 0x%" PRIx64 " [0x%" PRIx64 ", 0x%" PRIx64 ") does not fit (vm_mm 0x%" PRIx64 ", tree range [0x%" PRIx64 ", 0x%" PRIx64 "]): skipped",
			      w->mm, vma, v->start, v->end, vm_mm, first, last);
		return true;
	}
	w->prev_end = v->end;
	if (L->have_vma_pgoff) {
		if ((err = ptw_kmem_u64(w->mem, vma + L->vma_pgoff, &v->pgoff)))
			ptw_error_destroy(err);
		else
			v->have_pgoff = true;
	}
	if (L->have_vma_file) {
		if ((err = ptw_kmem_u64(w->mem, vma + L->vma_file, &v->file))) {
			ptw_error_destroy(err);
			v->file = 0;
		}
		name_vma(w, v);
	}
	return w->fn(w->arg, v);
}

static bool maple_cb(void *arg, uint64_t first, uint64_t last, uint64_t entry)
{
	struct walk *w = arg;

	if (!visit(w, entry, first, last, true))
		w->stop = true;
	return !w->stop;
}

struct ptw_error *ptw_vmas_walk(const struct ptw_kmem *mem, const struct ptw_task_layout *L,
				uint64_t mm, uint64_t max_vmas, ptw_vma_fn *fn, void *arg,
				struct ptw_diag *diag)
{
	struct walk *w;
	struct ptw_error *err = NULL;

	w = calloc(1, sizeof(*w));
	if (!w)
		return &ptw_enomem;
	*w = (struct walk){ .mem = mem, .L = L, .mm = mm, .fn = fn, .arg = arg, .diag = diag };
	if (L->have_brk) {
		struct ptw_error *field_err = ptw_kmem_u64(mem, mm + L->mm_start_brk, &w->start_brk);

		if (!field_err)
			field_err = ptw_kmem_u64(mem, mm + L->mm_brk, &w->brk);
		if (!field_err)
			field_err = ptw_kmem_u64(mem, mm + L->mm_start_stack, &w->start_stack);
		if (field_err)
			ptw_error_destroy(field_err); /* the heap and stack go unnamed */
		else
			w->have_mm_fields = true;
	}
	if (L->have_mm_mt) {
		uint32_t flags = 0;
		uint64_t root = 0;
		/* A node holds at least one entry or child, so twice the entries
		 * bounds the nodes of any well-formed tree. */
		struct ptw_maple_limits lim = { .max_nodes = 2 * max_vmas + 64, .max_entries = max_vmas };
		char what[64];

		snprintf(what, sizeof(what), "mm 0x%" PRIx64 " VMA tree", mm);
		/* 6.1 has ma_root before ma_flags, later kernels after it */
		if ((err = ptw_kmem_u32(mem, mm + L->mm_mt + L->mt_flags, &flags)) ||
		    (err = ptw_kmem_u64(mem, mm + L->mm_mt + L->mt_root, &root)))
			err = ptw_error_prepend(err, "mm 0x%" PRIx64, mm);
		else
			err = ptw_maple_walk(mem, root, flags, &lim, maple_cb, w, diag, what, NULL);
	} else if (L->have_mmap) {
		uint64_t vma = 0;

		if ((err = ptw_kmem_u64(mem, mm + L->mm_mmap, &vma)))
			err = ptw_error_prepend(err, "mm 0x%" PRIx64, mm);
		for (uint64_t n = 0; !err && vma && !w->stop; n++) {
			if (n >= max_vmas) {
				ptw_diag_warn(diag, "mm 0x%" PRIx64 ": more than %" PRIu64 " VMAs: stopped", mm, max_vmas);
				break;
			}
			if (!visit(w, vma, 0, 0, false))
				break;
			if ((err = ptw_kmem_u64(mem, vma + L->vma_next, &vma))) {
				ptw_diag_warn(diag, "mm 0x%" PRIx64 ": VMA 0x%" PRIx64 " vm_next unreadable: list stopped", mm, vma);
				ptw_error_destroy(err);
				err = NULL;
				break;
			}
		}
	} else {
		err = ptw_error_create(PTW_E_BAD_DATA,
				       "the VMAs cannot be read: neither mm_struct.mm_mt nor mm_struct.mmap is known");
	}
	free(w);
	return err;
}
